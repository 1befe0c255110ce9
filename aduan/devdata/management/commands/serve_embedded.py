"""``manage.py serve_embedded``: the web server and a Celery worker with embedded beat, together.
The one worker consumes every queue (sweep, notifications, compliance, scans and the default).

This is what ``make run`` starts. Each child runs in its own process group; Ctrl-C (SIGINT) or
SIGTERM stops both groups, and if either child dies the other is stopped too. With no
DATABASE_URL / CELERY_BROKER_URL set, both use SQLite and kombu's filesystem transport under var/.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and a Celery worker (with embedded beat) until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("ADUAN_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--no-worker", action="store_true", help="Start only the web server.")

    def handle(self, *args, addr: str, no_worker: bool, **options):
        manage = str(settings.BASE_DIR / "manage.py")
        beat_schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        commands = {"web": [sys.executable, manage, "runserver", addr, "--noreload"]}
        if not no_worker:
            commands["worker"] = [
                sys.executable, "-m", "celery", "-A", "config", "worker", "-B",
                "--pool=solo", "--loglevel=INFO", "--schedule", beat_schedule,
                # every queue (settings: CELERY_TASK_ROUTES); production runs a worker per queue
                "--queues", ",".join(settings.ADUAN_CELERY_QUEUES),
            ]  # fmt: skip
        self._banner(addr)
        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, cmd in commands.items():
                children[name] = subprocess.Popen(cmd, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603 (fixed argv)
                self.stdout.write(f"started {name} pid {children[name].pid}")
            while not stopping:
                dead = [n for n, p in children.items() if p.poll() is not None]
                if dead:
                    self.stderr.write(f"{', '.join(dead)} stopped; stopping the rest.")
                    break
                time.sleep(0.3)
        finally:
            self._stop_all(children)
            for s, handler in previous.items():
                signal.signal(s, handler)
        self.stdout.write("Aduan stopped.")

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        """SIGTERM each child's whole process group, wait until every member is gone, SIGKILL
        whatever is left after 15 s."""
        for proc in children.values():
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in children.values():
            while time.monotonic() < deadline and (proc.poll() is None or _group_alive(proc.pid)):
                time.sleep(0.1)
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
            while _group_alive(proc.pid) and time.monotonic() < deadline + 5:
                time.sleep(0.05)

    def _banner(self, addr: str) -> None:
        from aduan.devdata.demo import DEMO_LOGINS

        db = settings.DATABASES["default"]
        lines = [
            "",
            "Aduan is starting.",
            f"  Portal:        http://{addr}/",
            f"  Django admin:  http://{addr}/admin/",
            f"  Database:      {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME', '')}",
            f"  Celery broker: {settings.CELERY_BROKER_URL.split('@')[-1]}",
            "  Demo logins (e-mail / password / role):",
            *(f"    {email:<40} {password:<14} {role}" for email, password, role in DEMO_LOGINS),
            "  Press Ctrl-C to stop the web server and the worker.",
            "",
        ]
        self.stdout.write("\n".join(lines))


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
