"""Real processes on loopback for the fault tests: an SMTP sink, a private redis-server, Celery
workers and gunicorn, each started and stopped (or killed) by the test. Every wait is bounded.

- ``SmtpSink``: a small SMTP server (asyncio, in a thread of the test process) on a free port. It
  counts a message only once it answered ``250`` to the end of DATA — the moment a real mail
  server takes responsibility for it — keyed by the ``X-Aduan-Notification`` header. ``stop()``
  closes the port (connections are refused: the mail gateway is down); ``start()`` opens it
  again. ``stall_next()`` makes it hold the answer to the next DATA (the client waits) until the
  client goes away: a message whose sender died before the ``250`` was never delivered.
  ``hold_next()`` holds it until ``release()`` and then accepts it (the test acts in between).
- ``RedisServer``: ``redis-server`` on a free port with no persistence (a restart loses every
  queued message, the worst case); never the shared one on 6379.
- ``Worker``: ``celery -A config worker`` (prefork) in its own process group, on the given broker,
  the pytest-django test database and the sink; optionally with a pause point of hooks.py. It
  consumes the test's queue and every production queue (gunicorn publishes by the production
  routes: notifications, sweep, ...): the broker is the test's own redis-server, so no other test's
  tasks are there.
- ``Gunicorn``: the WSGI app on a free port, in its own process group (like bench/common.py).
"""

import asyncio
import email
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from config import celery_app
from config.celery import routes_flush

BASE_DIR = settings.BASE_DIR
READY_TIMEOUT = 45
STOP_TIMEOUT = 15

_DROPPED_VARS = {
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
    "PYTEST_XDIST_WORKER",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
}

WORKER_BOOTSTRAP = """
import os, sys
from django.conf import settings
settings.CELERY_TASK_DEFAULT_QUEUE = os.environ["ADUAN_TEST_QUEUE"]
settings.CELERY_TASK_ROUTES = None  # every task on that queue (tests/integration/test_queues.py: routes)
if os.environ.get("ADUAN_FAULT_PAUSE"):
    import django
    django.setup()
    from tests.fault.hooks import install
    install(os.environ["ADUAN_FAULT_PAUSE"])
sys.argv[0] = "celery"
from celery.__main__ import main
main()
"""


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1, on_timeout=None):
    """Poll ``predicate`` until it is true; on a timeout fail, with the output of ``on_timeout``
    (a Worker or Gunicorn) if given."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            tail = f"\noutput:\n{on_timeout.output[-6000:]}" if on_timeout is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{tail}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def database_url() -> str:
    """DATABASE_URL of pytest-django's test database (``test_<name>[_gwN]``)."""
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql", db["ENGINE"]
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=STOP_TIMEOUT)
    wait_for(lambda: not group_alive(proc.pid), STOP_TIMEOUT, "the process group to end")


def stop_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if proc.poll() is None:
        proc.wait(timeout=STOP_TIMEOUT)


class _Output:
    """Collects a process's combined output in a reader thread."""

    def __init__(self, proc: subprocess.Popen):
        self._lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc) -> None:
        for line in iter(proc.stdout.readline, ""):
            self._lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self._lines)


# --- SMTP sink -----------------------------------------------------------------------------------
class SmtpSink:
    def __init__(self):
        self.port = free_port()
        self.received: list[str] = []  # X-Aduan-Notification keys, in order of acceptance
        self.refused_while_down = 0
        self._lock = threading.Lock()
        self._stall = threading.Event()
        self._hold, self._holding, self._release = threading.Event(), threading.Event(), threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = None
        self._writers: set = set()
        self.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def counts(self) -> Counter:
        with self._lock:
            return Counter(self.received)

    def stall_next(self) -> None:
        self._stall.set()

    def hold_next(self) -> None:
        """Hold the answer to the next DATA until ``release()``, then accept the message."""
        self._release.clear()
        self._hold.set()

    def holding(self) -> bool:
        return self._holding.is_set()

    def release(self) -> None:
        self._release.set()

    def _call(self, coro, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> None:
        async def _start():
            self._server = await asyncio.start_server(
                self._session, "127.0.0.1", self.port, reuse_address=True
            )

        self._call(_start())

    def stop(self) -> None:
        """The gateway goes down: the port is closed and open sessions are cut."""

        async def _stop():
            if self._server is not None:
                self._server.close()
                for w in list(self._writers):
                    w.close()
                await self._server.wait_closed()
                self._server = None

        self._call(_stop())

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _session(self, reader, writer) -> None:
        self._writers.add(writer)
        try:
            await self._dialogue(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _dialogue(self, reader, writer) -> None:
        async def reply(text: str) -> None:
            writer.write(text.encode() + b"\r\n")
            await writer.drain()

        await reply("220 sink.aduan.test ESMTP")
        while True:
            line = await reader.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                await reply("250-sink.aduan.test\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                await reply("250 OK")
            elif verb == "DATA":
                await reply("354 End data with <CR><LF>.<CR><LF>")
                chunks = []
                while True:
                    data = await reader.readline()
                    if not data:
                        return  # the client went away before the end of DATA: not delivered
                    if data in (b".\r\n", b".\n"):
                        break
                    chunks.append(data[1:] if data.startswith(b"..") else data)
                if self._stall.is_set():
                    self._stall.clear()
                    await reader.read()  # hold the answer until the client goes away
                    return
                if self._hold.is_set():
                    self._hold.clear()
                    self._holding.set()
                    while not self._release.is_set():
                        await asyncio.sleep(0.05)
                    self._holding.clear()
                message = email.message_from_bytes(b"".join(chunks))
                with self._lock:
                    self.received.append(message.get("X-Aduan-Notification", ""))
                await reply("250 OK queued")
            elif verb == "QUIT":
                await reply("221 Bye")
                return
            else:
                await reply("502 Command not implemented")


# --- Redis ---------------------------------------------------------------------------------------
class RedisServer:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.dir = tmp
        self.proc = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--loglevel",
                "warning",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(lambda: port_open(self.port), 15, "redis-server to listen")

    def kill(self) -> None:
        """Stopped hard: everything queued in it is lost."""
        kill_group(self.proc)
        wait_for(lambda: not port_open(self.port), 5, "redis-server's port to close")

    def close(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)


# --- Celery --------------------------------------------------------------------------------------
class Worker:
    def __init__(self, *, queue: str, broker: str, sink: SmtpSink, fault_dir: Path, number: int,
                 pause: str = "", concurrency: int = 1):  # fmt: skip
        self.queue = queue
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_VARS}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": broker,
                "REDIS_URL": broker,
                "EMAIL_URL": sink.url,
                "EMAIL_TIMEOUT": "5",
                "ADUAN_VAR_DIR": str(fault_dir / "var"),
                "ADUAN_TEST_QUEUE": queue,
                "ADUAN_FAULT_DIR": str(fault_dir),
                "ADUAN_FAULT_PAUSE": pause,
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
                f"--concurrency={concurrency}",
                "-Q",
                # the test's queue, and every production queue gunicorn (production routes) publishes to
                ",".join([queue, *settings.ADUAN_CELERY_QUEUES]),
                "-n",
                f"{queue}-w{number}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._out = _Output(self.proc)

    @property
    def output(self) -> str:
        return self._out.text

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self) -> "Worker":
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.output}")
            return " ready." in self.output

        wait_for(ready, READY_TIMEOUT, "the worker to be ready")
        return self

    def results(self, task_name: str) -> list[str]:
        return re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded in [\d.e-]+s: (.*)", self.output)

    def result_of(self, task_id: str, timeout: float = 30) -> str:
        pattern = re.compile(rf"Task [\w.]+\[{re.escape(task_id)}\] succeeded in [\d.e-]+s: (.*)")

        def done():
            if re.search(rf"Task [\w.]+\[{re.escape(task_id)}\] raised", self.output):
                raise AssertionError(f"task {task_id} failed:\n{self.output}")
            match = pattern.search(self.output)
            return match.group(1).strip() if match else None

        try:
            return wait_for(done, timeout, f"task {task_id}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nworker output:\n{self.output[-6000:]}") from None

    def kill(self) -> None:
        """SIGKILL of the main process and its pool children at once (a crashed host, an OOM kill)."""
        kill_group(self.proc)

    def stop(self) -> None:
        stop_group(self.proc)


class Fault:
    """What one fault test runs: its queue, its workers, the sink, the broker, its directory."""

    def __init__(self, tmp_path: Path, sink: SmtpSink, broker: str):
        import uuid

        self.queue = f"aduan-fault-{uuid.uuid4().hex[:12]}"
        self.dir = tmp_path
        self.sink = sink
        self.broker = broker
        self.workers: list[Worker] = []
        self._saved: dict | None = None

    def route_to_worker(self) -> None:
        """Tasks queued by this process now go to the broker, on this test's queue."""
        conf = celery_app.conf
        if self._saved is None:
            self._saved = {
                k: getattr(conf, k)
                for k in ("task_always_eager", "broker_url", "task_default_queue", "task_routes")
            }
            self._saved_env = os.environ.get("CELERY_BROKER_URL")
        # Celery reads CELERY_BROKER_URL from the environment before its configuration.
        os.environ["CELERY_BROKER_URL"] = self.broker
        conf.task_always_eager = False
        conf.broker_url = self.broker
        conf.task_default_queue = self.queue
        conf.task_routes = None  # not to the production queues: to this test's one
        routes_flush(celery_app)
        _reset_pools()

    def restore(self) -> None:
        if self._saved is not None:
            celery_app.conf.update(self._saved)
            routes_flush(celery_app)
            self._saved = None
            if self._saved_env is None:
                os.environ.pop("CELERY_BROKER_URL", None)
            else:
                os.environ["CELERY_BROKER_URL"] = self._saved_env
            _reset_pools()

    def send(self, task, *args) -> str:
        return task.apply_async(args=args, queue=self.queue).id

    def start_worker(self, pause: str = "", concurrency: int = 1) -> Worker:
        worker = Worker(queue=self.queue, broker=self.broker, sink=self.sink, fault_dir=self.dir,
                        number=len(self.workers) + 1, pause=pause, concurrency=concurrency)  # fmt: skip
        self.workers.append(worker)
        return worker.wait_ready()

    def stop_workers(self) -> None:
        """At teardown: SIGKILL (a warm shutdown takes seconds; the test's broker and data go)."""
        for worker in self.workers:
            if worker.proc.poll() is None:
                worker.kill()

    def arm_pause(self) -> Path:
        (self.dir / "pause").touch()
        return self.dir / "paused"


def _reset_pools() -> None:
    """Forget connections to the previous broker (kombu keeps producer pools per connection)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


# --- gunicorn ------------------------------------------------------------------------------------
class Gunicorn:
    def __init__(self, *, broker: str, tmp: Path, workers: int = 2):
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if k not in _DROPPED_VARS}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": broker,
                "REDIS_URL": broker,
                "EMAIL_URL": "dummymail://",
                "ADUAN_VAR_DIR": str(tmp / "web-var"),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "LOG_LEVEL": "WARNING",
            }
        )
        self.workers = workers
        self.proc = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
                "--chdir",
                str(BASE_DIR),
                "--timeout",
                "30",
            ],  # fmt: skip
            env=self.env,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._out = _Output(self.proc)

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self._out.text}")
            return port_open(self.port)

        wait_for(up, 30, "gunicorn to listen")

    @property
    def output(self) -> str:
        return self._out.text

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def kill(self) -> None:
        kill_group(self.proc)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            kill_group(self.proc)


# --- citizens ------------------------------------------------------------------------------------
FILING = {
    "title": "Lampu jalan mati di depan sekolah",
    "chronology": "Sudah dua minggu lampu jalan di depan SD mati, anak-anak pulang les dalam gelap.",
    "name": "Warga Uji",
    "phone": "081234567890",
}


def file_complaint(port: int, pemda_code: str, n: int, timeout: float = 30) -> tuple[int, dict | None]:
    """POST one filing to the API as citizen ``n`` (own loopback address, own e-mail, so the
    per-client filing throttle never matters); (status, body), status 0 if the connection failed
    or the answer was cut off (the server killed mid-response: IncompleteRead)."""
    import http.client
    import json

    source = (f"127.{n // 62_500 % 250 + 1}.{n // 250 % 250 + 1}.{n % 250 + 1}", 0)
    body = json.dumps({**FILING, "pemda": pemda_code, "email": f"warga{n}@example.id"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=source)
    try:
        conn.request("POST", "/api/v1/complaints/", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data.startswith(b"{") else None)
    except (OSError, http.client.HTTPException):
        return 0, None
    finally:
        conn.close()


def terminate_app_sessions() -> int:
    """pg_terminate_backend of every other session on this test database (the web server's and
    the worker's), never of other databases; returns how many were ended."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def figures(record_property, name: str, **values) -> None:
    """Record one ``<name>: key=value ...`` line of figures (faults injected, effects lost and
    doubled); tests/conftest.py prints them all in a "fault figures" section at the end of the run."""
    record_property("fault-figures", f"{name}: " + " ".join(f"{k}={v}" for k, v in values.items()))
