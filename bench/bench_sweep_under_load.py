"""Sweep delay while a heavy compliance recompute runs (issue 20 point 5): the time from the sweep
being queued (beat's tick) to a due reminder being recorded, with a Celery worker per queue on real
Redis, as deploy/ runs them — and, as the baseline in the same run, with one worker for every queue
(the layout before the split: ``aduan-worker@celery``, concurrency 2).

    DATABASE_URL=<bench db> REDIS_URL=redis://127.0.0.1:6379/<n> \\
        .venv/bin/python bench/bench_sweep_under_load.py [--rounds 5] [--clocks 20] [--timeout 600]

The heavy job is the compliance queue's nightly work for every Pemda: ``recompute_all`` (score inputs
from a year of metrics) and ``metrics_check`` (the nightly full scan of a sample of Pemdas compared
with the rollups), both queued at once, as beat can queue them together. While they run, each
round makes ``--clocks`` open clocks owe a
reminder now, queues the sweep and waits until every reminder is recorded (polled every 0.1 s).
The figures say how many rounds really ran while the recompute was still running.

It writes to the benchmark database and puts everything back at the end: the clocks it uses and
the next check of every other due clock (moved a day on so that only its clocks are due, as in a
steady state where the sweep keeps up) are saved in a scratch table and restored; the reminders and
outbox rows it caused are deleted. Score snapshots the recompute makes stay (they are append-only;
a second run makes none when nothing changed). The broker is BENCH_REDIS_URL, BENCH_BROKER_URL,
else REDIS_URL, else redis://127.0.0.1:6379/14 (as bench/run.py); the workers' queues in that Redis
database are emptied first.
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, django_setup, report

QUEUES = ("sweep", "notifications", "compliance", "scans", "celery")
HEAVY = ("aduan.compliance.tasks.recompute_all", "aduan.compliance.tasks.metrics_check")
TARGET_SECONDS = 60
LOG_DIR = ROOT / "var" / "bench"


def _broker() -> str:
    # as bench/run.py: BENCH_REDIS_URL, BENCH_BROKER_URL, else REDIS_URL, else Redis database 14 here
    broker = (
        os.environ.get("BENCH_REDIS_URL")
        or os.environ.get("BENCH_BROKER_URL")
        or os.environ.get("REDIS_URL")
        or "redis://127.0.0.1:6379/14"
    )
    if not broker.startswith("redis://"):
        raise SystemExit("BENCH_BROKER_URL / REDIS_URL must name a Redis database: the workers need one")
    return broker


class Worker:
    """``celery -A config worker`` on some queues, its log in var/bench/."""

    def __init__(self, name: str, queues: str, concurrency: int, broker: str):
        self.name = name
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"sweep-under-load-{name}.log"
        self.log = self.log_path.open("w")
        env = {**os.environ, "CELERY_BROKER_URL": broker, "EMAIL_URL": "dummymail://", "LOG_LEVEL": "INFO"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--queues", queues,
             "--hostname", f"{name}-bench@%h", "--concurrency", str(concurrency), "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while "ready." not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start; see {self.log_path}")
            time.sleep(0.2)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass
        self.log.close()


@contextmanager
def workers(layout: dict[str, tuple[str, int]], broker: str):
    started = []
    try:
        for name, (queues, concurrency) in layout.items():
            started.append(Worker(name, queues, concurrency, broker))
        for worker in started:
            worker.wait_ready()
        yield {worker.name: worker for worker in started}
    finally:
        for worker in started:
            worker.stop()


def _heavy_state(worker: Worker) -> tuple[int, int, list[float]]:
    """(heavy tasks received, finished, durations of the successful ones) from the worker's log."""
    text = worker.text()
    names = "|".join(re.escape(n) for n in HEAVY)
    received = len(re.findall(rf"Task (?:{names})\[[^\]]+\] received", text))
    durations = [float(s) for s in re.findall(rf"Task (?:{names})\[[^\]]+\] succeeded in ([\d.]+)s", text)]
    failed = len(re.findall(rf"Task (?:{names})\[[^\]]+\] raised", text))
    return received, len(durations) + failed, durations


class Bench:
    def __init__(self, *, clocks: int, timeout: float):
        from django.db import connection
        from django.utils import timezone

        from aduan.notifications.models import Notification
        from aduan.sla.models import Deadline, DeadlineEffect, EffectKind, Stage

        self.connection, self.timezone = connection, timezone
        self.Deadline, self.DeadlineEffect, self.REMINDER = Deadline, DeadlineEffect, EffectKind.REMINDER
        self.clocks, self.timeout = clocks, timeout
        self.start_notification = (
            Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        self.Notification = Notification
        self.candidates = list(
            Deadline.objects.open()
            .filter(paused_at__isnull=True, stage__in=[Stage.FOLLOW_UP, Stage.VERIFICATION])
            .exclude(effects__kind=EffectKind.REMINDER)
            .order_by("pk")
            .values_list("pk", flat=True)[: clocks * 40]
        )
        if len(self.candidates) < clocks:
            raise SystemExit(
                f"only {len(self.candidates)} open clocks without a reminder: generate data first"
            )
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_sweep_saved_clocks, bench_sweep_saved_checks")
            cursor.execute(
                "CREATE TABLE bench_sweep_saved_clocks AS SELECT * FROM sla_deadline WHERE id = ANY(%s)",
                [self.candidates],
            )
            # Only this benchmark's clocks are due: others wait a day (restored at the end).
            cursor.execute(
                "CREATE TABLE bench_sweep_saved_checks AS SELECT id, next_check_at FROM sla_deadline "
                "WHERE next_check_at <= now() + interval '1 hour' AND NOT (id = ANY(%s))",
                [self.candidates],
            )
            cursor.execute(
                "UPDATE sla_deadline SET next_check_at = now() + interval '1 day' "
                "WHERE id IN (SELECT id FROM bench_sweep_saved_checks)"
            )
            self.moved = cursor.rowcount
        self.used = 0

    def round(self) -> float:
        """Make ``clocks`` clocks owe a reminder now, queue the sweep, wait for every reminder."""
        from aduan.sla.tasks import sweep

        ids = self.candidates[self.used : self.used + self.clocks]
        if len(ids) < self.clocks:
            raise SystemExit("out of clocks: lower --rounds or --clocks")
        self.used += self.clocks
        now = self.timezone.now()
        self.Deadline.objects.filter(pk__in=ids).update(
            remind_at=now - timedelta(seconds=1), due_at=now + timedelta(hours=2),
            next_check_at=now - timedelta(seconds=1), escalate_again_at=None,
        )  # fmt: skip
        started = time.monotonic()
        sweep.apply_async()
        while True:
            done = self.DeadlineEffect.objects.filter(deadline_id__in=ids, kind=self.REMINDER).count()
            elapsed = time.monotonic() - started
            if done >= len(ids):
                return elapsed
            if elapsed > self.timeout:
                return float("inf")
            time.sleep(0.1)

    def restore(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM sla_deadlineeffect WHERE deadline_id = ANY(%s)", [self.candidates])
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'sla_deadline'"
            )
            columns = [row[0] for row in cursor.fetchall() if row[0] != "id"]
            assignments = ", ".join(f'"{c}" = s."{c}"' for c in columns)
            cursor.execute(
                f"UPDATE sla_deadline d SET {assignments} FROM bench_sweep_saved_clocks s WHERE d.id = s.id"
            )
            cursor.execute(
                "UPDATE sla_deadline d SET next_check_at = s.next_check_at "
                "FROM bench_sweep_saved_checks s WHERE d.id = s.id"
            )
            cursor.execute("DROP TABLE bench_sweep_saved_clocks, bench_sweep_saved_checks")
        self.Notification.objects.filter(pk__gt=self.start_notification).delete()


def _purge(broker: str) -> None:
    import redis

    client = redis.Redis.from_url(broker)
    for queue in QUEUES:
        client.delete(queue, *[f"{queue}\x06\x16{p}" for p in range(1, 10)])


def _phase(bench: Bench, compliance: Worker, *, rounds: int, pause: float) -> dict:
    """Queue the heavy jobs, wait until they started, then measure ``rounds`` sweeps."""
    from config import celery_app

    before, _done, _ = _heavy_state(compliance)
    for name in HEAVY:
        celery_app.send_task(name)
    deadline = time.monotonic() + 120
    while _heavy_state(compliance)[0] < before + len(HEAVY) and time.monotonic() < deadline:
        time.sleep(0.2)
    delays, during = [], 0
    for _ in range(rounds):
        delays.append(bench.round())
        started, finished, _ = _heavy_state(compliance)
        during += finished < started  # the recompute was still running when this reminder landed
        time.sleep(pause)
    while True:  # let the heavy jobs finish before the next phase
        started, finished, durations = _heavy_state(compliance)
        if finished >= started or time.monotonic() > deadline + bench.timeout:
            break
        time.sleep(1)
    return {"delays": delays, "during": during, "heavy_seconds": durations[-len(HEAVY) :]}


def _fmt(delays: list[float]) -> dict:
    finite = [d for d in delays if d != float("inf")]
    return {
        "median_s": round(statistics.median(delays), 2) if finite else None,
        "max_s": round(max(delays), 2) if delays and max(delays) != float("inf") else "timeout",
    }


def run(*, rounds: int = 5, clocks: int = 20, timeout: float = 600, pause: float = 2.0) -> dict:
    broker = _broker()
    os.environ["CELERY_BROKER_URL"] = broker
    django_setup()
    from aduan.agencies.models import Pemda
    from aduan.sla.models import Deadline
    from config import celery_app
    from config.celery import routes_flush

    # This process queues through the broker, routed as in production (whatever the settings say).
    saved = {key: getattr(celery_app.conf, key) for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=broker)
    routes_flush(celery_app)

    figures: dict = {
        "pemdas": Pemda.objects.count(),
        "open_clocks": Deadline.objects.open().count(),
        "cores": os.cpu_count(),
    }
    _purge(broker)
    bench = Bench(clocks=clocks, timeout=timeout)
    figures["other_due_clocks_moved"] = bench.moved
    try:
        split = {
            "sweep": ("sweep", 1),
            "notifications": ("notifications", 1),
            "compliance": ("compliance", 2),
            "scans": ("scans", 1),
            "celery": ("celery", 1),
        }
        with ExitStack() as stack:
            running = stack.enter_context(workers(split, broker))
            idle = [bench.round() for _ in range(rounds)]
            loaded = _phase(bench, running["compliance"], rounds=rounds, pause=pause)
        figures.update({f"split_idle_{k}": v for k, v in _fmt(idle).items()})
        figures.update({f"split_under_recompute_{k}": v for k, v in _fmt(loaded["delays"]).items()})
        figures["split_rounds_while_recompute_ran"] = f"{loaded['during']} of {rounds}"
        figures["recompute_task_seconds"] = loaded["heavy_seconds"]
        _purge(broker)
        # Baseline: one worker for every queue, concurrency 2 (before the split).
        with workers({"all": (",".join(QUEUES), 2)}, broker) as running:
            single = _phase(bench, running["all"], rounds=rounds, pause=pause)
        figures.update({f"one_worker_under_recompute_{k}": v for k, v in _fmt(single["delays"]).items()})
        figures["one_worker_rounds_while_recompute_ran"] = f"{single['during']} of {rounds}"
        worst = max(loaded["delays"])
        figures["target_s"] = TARGET_SECONDS
        figures["target_met"] = worst <= TARGET_SECONDS and loaded["during"] > 0
    finally:
        _purge(broker)
        bench.restore()
        celery_app.conf.update(saved)
    return report(figures, title="sweep delay under a compliance recompute")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clocks", type=int, default=20, help="clocks owing a reminder per round")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a round counts as lost")
    args = parser.parse_args(argv)
    return run(rounds=args.rounds, clocks=args.clocks, timeout=args.timeout)


if __name__ == "__main__":
    main()
