"""A real Celery worker (prefork, one child) on real Redis and PostgreSQL, for integration tests.

How the worker is configured
----------------------------
It runs ``celery -A config worker`` in its own process group (so the test can SIGKILL the main
process and its pool child together) with ``DJANGO_SETTINGS_MODULE=config.settings.base``,
``DATABASE_URL`` pointing at pytest-django's *test* database (``test_<name>``, ``..._gw0`` under
xdist) and ``CELERY_BROKER_URL=$REDIS_URL``. Two settings have no environment variable, so a
tiny bootstrap (``python -c WORKER_BOOTSTRAP``) sets them on ``django.conf.settings`` before it
hands over to Celery's own command line (the pool child is forked from it and inherits them):

- ``EMAIL_BACKEND``: one of tests/integration/mail_backends.py (they write files the test counts);
- ``CELERY_TASK_DEFAULT_QUEUE``: the test's unique queue, so the tasks the worker itself queues
  (``notification_send`` on commit of a sweep) stay on that queue.

The test process keeps CELERY_TASK_ALWAYS_EAGER (settings.test) until ``harness.route_to_worker()``
switches its Celery app to the broker and the unique queue (restored at teardown). A unique queue
and node name per test keep pytest-xdist workers from consuming each other's tasks. Every wait
is bounded; the worker is stopped at teardown (SIGTERM, then SIGKILL of its group).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from config import celery_app
from config.celery import routes_flush

BASE_DIR = settings.BASE_DIR
BACKENDS = "tests.integration.mail_backends"
READY_TIMEOUT = 45
STOP_TIMEOUT = 15

WORKER_BOOTSTRAP = """
import os, sys
from django.conf import settings
settings.EMAIL_BACKEND = os.environ["ADUAN_TEST_EMAIL_BACKEND"]
settings.CELERY_TASK_DEFAULT_QUEUE = os.environ["ADUAN_TEST_QUEUE"]
settings.CELERY_TASK_ROUTES = None  # every task on that queue (tests/integration/test_queues.py: routes)
sys.argv[0] = "celery"
from celery.__main__ import main
main()
"""

# Variables of the outer environment that must not leak into the worker.
_DROPPED_VARS = {"CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"}


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def worker_database_url() -> str:
    """DATABASE_URL of pytest-django's test database (read at run time: ``test_<name>[_gwN]``)."""
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql", db["ENGINE"]
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


class Worker:
    """One ``celery worker`` process; its combined output is collected by a reader thread."""

    def __init__(self, *, queue: str, backend: str, mail_dir: Path, var_dir: Path, number: int):
        self.queue = queue
        self.nodename = f"{queue}-w{number}@%h"
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_VARS}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "DATABASE_URL": worker_database_url(),
                "CELERY_BROKER_URL": os.environ["REDIS_URL"],
                "ADUAN_VAR_DIR": str(var_dir),
                "ADUAN_TEST_EMAIL_BACKEND": f"{BACKENDS}.{backend}",
                "ADUAN_TEST_MAIL_DIR": str(mail_dir),
                "ADUAN_TEST_QUEUE": queue,
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER_BOOTSTRAP,
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                self.nodename,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: killpg reaches the pool child too
        )
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in iter(self.proc.stdout.readline, ""):
            self._lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self._lines)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self) -> "Worker":
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.output}")
            return " ready." in self.output

        wait_for(ready, READY_TIMEOUT, f"the worker to be ready; output so far:\n{self.output}")
        return self

    def result_of(self, task_id: str, timeout: float = 30) -> str:
        """The logged return value of a task once it succeeded (fails on an error or a timeout)."""
        pattern = re.compile(rf"Task [\w.]+\[{re.escape(task_id)}\] succeeded in [\d.e-]+s: (.*)")

        def done():
            text = self.output
            if re.search(rf"Task [\w.]+\[{re.escape(task_id)}\] (raised|retry)", text):
                raise AssertionError(f"task {task_id} failed:\n{text}")
            match = pattern.search(text)
            return match.group(1).strip() if match else None

        try:
            return wait_for(done, timeout, f"task {task_id}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nworker output:\n{self.output}") from None

    def kill_group(self) -> None:
        """SIGKILL the main process and its pool child at once (a crashed host, an OOM kill)."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=STOP_TIMEOUT)
        wait_for(lambda: not group_alive(self.pid), STOP_TIMEOUT, "the worker's process group to end")

    def stop(self) -> None:
        """Warm shutdown (SIGTERM to the main process), SIGKILL of the group after a timeout."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # the group, in case a child outlived the main process
        except ProcessLookupError:
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=STOP_TIMEOUT)
        self._reader.join(timeout=5)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class CeleryHarness:
    """A unique queue, the workers consuming it, the test e-mail backends' directory, and the
    switch that sends the test process's tasks to that queue instead of running them eagerly."""

    def __init__(self, tmp_path: Path):
        self.queue = f"aduan-it-{uuid.uuid4().hex[:12]}"
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.var_dir = tmp_path / "var"
        self.workers: list[Worker] = []
        self._saved_conf: dict | None = None

    # -- the test process's Celery app --------------------------------------------------------
    def route_to_worker(self) -> None:
        """From now on, tasks queued by this process (``.delay()``, on-commit sends) go to the
        broker, on this test's queue."""
        conf = celery_app.conf
        if self._saved_conf is None:
            self._saved_conf = {
                k: getattr(conf, k)
                for k in ("task_always_eager", "broker_url", "task_default_queue", "task_routes")
            }
        conf.task_always_eager = False
        conf.broker_url = os.environ["REDIS_URL"]
        conf.task_default_queue = self.queue
        conf.task_routes = None  # not to the production queues: to this test's one
        routes_flush(celery_app)

    def restore(self) -> None:
        if self._saved_conf is not None:
            celery_app.conf.update(self._saved_conf)
            routes_flush(celery_app)
            self._saved_conf = None

    def send(self, task, *args) -> str:
        """Queue ``task`` for the worker; return its id."""
        assert self._saved_conf is not None, "call route_to_worker() first"
        return task.apply_async(args=args, queue=self.queue).id

    # -- workers ------------------------------------------------------------------------------
    def start_worker(self, backend: str = "RecordingBackend") -> Worker:
        worker = Worker(
            queue=self.queue,
            backend=backend,
            mail_dir=self.mail_dir,
            var_dir=self.var_dir,
            number=len(self.workers) + 1,
        )
        self.workers.append(worker)
        return worker.wait_ready()

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()

    # -- what the test e-mail backends saw ----------------------------------------------------
    def mails(self) -> list[dict]:
        outbox = self.mail_dir / "outbox"
        if not outbox.exists():
            return []
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(outbox.glob("*.json"))]

    def journal(self) -> list[str]:
        path = self.mail_dir / "journal.log"
        if not path.exists():
            return []
        return [line.rsplit(" pid=", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]

    def marker(self, name: str) -> Path:
        return self.mail_dir / name

    # -- Redis --------------------------------------------------------------------------------
    def redis(self):
        import redis

        return redis.Redis.from_url(os.environ["REDIS_URL"])

    def unacked_on_queue(self) -> list[str]:
        """Delivery tags of messages of this queue that a consumer took but never acknowledged
        (kombu's Redis transport keeps them in the ``unacked`` hash until visibility_timeout)."""
        tags = []
        for tag, raw in self.redis().hgetall("unacked").items():
            _message, _exchange, routing_key = json.loads(raw)
            if routing_key == self.queue:
                tags.append(tag.decode())
        return tags

    def cleanup_redis(self) -> None:
        """Drop what this test left in Redis: its queue and its never-acknowledged messages."""
        client = self.redis()
        tags = self.unacked_on_queue()
        if tags:
            client.hdel("unacked", *tags)
            client.zrem("unacked_index", *tags)
        # The queue, and its binding tables (the exchange is named after the queue).
        client.delete(self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")


@pytest.fixture
def sla_policies(transactional_db, default_policies):
    """Transactional tests empty every table, so the data migration's policies are gone: recreate."""


@pytest.fixture
def harness(transactional_db, sla_policies, tmp_path):
    """Depends on ``transactional_db`` so that the workers stop before the tables are flushed."""
    h = CeleryHarness(tmp_path)
    try:
        yield h
    finally:
        try:
            h.stop_workers()
        finally:
            h.restore()
            h.cleanup_redis()
