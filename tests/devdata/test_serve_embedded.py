"""`make run`'s server: the web server and a Celery worker with embedded beat on the embedded
setup (SQLite + filesystem broker), both stopped by Ctrl-C. Real processes on loopback."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from django.conf import settings

from tests.core.test_settings import _SERVICE_VARS

BASE_DIR = settings.BASE_DIR


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_web_and_worker_start_serve_and_stop_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in _SERVICE_VARS}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "ADUAN_VAR_DIR": str(tmp_path)})
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True, timeout=120)

    port = _free_port()
    proc = subprocess.Popen(
        [*manage, "serve_embedded", "--addr", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    text = lambda: "".join(output)  # noqa: E731
    try:
        pids = _wait_for(
            lambda: (
                dict(re.findall(r"started (web|worker) pid (\d+)", text())) or None
                if "started worker" in text()
                else None
            ),
            30,
            "both children to start",
        )
        assert f"http://127.0.0.1:{port}/" in text()
        assert "koordinator@balikpapan.test" in text()  # the demo logins are printed

        def home_page():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    return response.status, response.read().decode()
            except OSError:
                return None

        status, body = _wait_for(home_page, 30, "the home page")
        assert status == 200
        assert "Sampaikan aduan" in body

        # Tasks queued on the filesystem broker are consumed by the embedded worker, whichever
        # queue they are routed to (sweep, notifications, compliance, scans, the default one).
        _wait_for(lambda: "ready." in text(), 60, "the Celery worker to be ready")
        sent = {
            "aduan.core.tasks.heartbeat": "sweep",
            "aduan.notifications.tasks.outbox_flush": "notifications",
            "aduan.compliance.tasks.recompute_all": "compliance",
            "aduan.complaints.tasks.attachments_rescan": "scans",
            "aduan.privacy.tasks.retention_apply": "celery",  # routed by hand to the default queue
        }
        script = (
            "import sys; from config import celery_app\n"
            "for name, queue in zip(sys.argv[1::2], sys.argv[2::2]):\n"
            "    celery_app.send_task(name, **({'queue': queue} if queue == 'celery' else {}))\n"
        )
        args = [item for pair in sent.items() for item in pair]
        subprocess.run([sys.executable, "-c", script, *args], cwd=BASE_DIR, env=env, check=True, timeout=60)
        for name in sent:
            _wait_for(
                lambda name=name: re.search(rf"Task {re.escape(name)}\[[^\]]+\] succeeded", text()),
                60,
                f"the task {name}",
            )
        assert "beat: Starting" in text()

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        reader.join(timeout=5)
        assert "Aduan stopped." in text()
        for pid in pids.values():
            assert not _group_alive(int(pid)), f"process group {pid} still running"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
