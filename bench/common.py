"""Shared pieces of the benchmarks: Django setup, timing statistics, a gunicorn server on loopback
and a bounded HTTP load generator (threads with keep-alive connections).

Every benchmark prints its figures as ``name: value unit`` lines and returns them as a dict, so
``bench/run.py`` can print a summary and the smoke test can check that each one ran.
"""

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/aduan_bench"


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    import django

    django.setup()


def base_interpreter() -> str:
    """The interpreter this process runs on, behind any virtualenv (what decides its speed)."""
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def percentile(values, p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(name: str, seconds: list[float]) -> dict:
    """Median and p95 in milliseconds of repeated timings."""
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {f"{name}_median_ms": None, f"{name}_p95_ms": None}
    return {
        f"{name}_median_ms": round(statistics.median(ms), 2),
        f"{name}_p95_ms": round(percentile(ms, 95), 2),
    }


def report(figures: dict, *, title: str) -> dict:
    print(f"\n== {title}")
    for key, value in figures.items():
        print(f"{key}: {value}")
    sys.stdout.flush()
    return figures


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in children]
    except OSError:
        pass
    for p in pids:
        try:
            text = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", text)
        if match:
            total = max(total, int(match.group(1)))
    return round(total / 1024, 1)


CPU_GROUPS = ("client", "web", "worker", "postgres", "redis", "other")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_snapshot() -> dict:
    """CPU seconds used so far by every process on the machine, summed by group: this process (the
    load generator, with the ``pgrep`` calls of its memory sampling), the gunicorn servers (web) and
    Celery workers (worker) this process started, PostgreSQL, Redis and everything else (there, any
    other gunicorn or Celery: in ``make test`` other tests start and stop their own). Two snapshots
    around a load run say where the machine's two cores went (``cpu_split``)."""
    totals = dict.fromkeys(CPU_GROUPS, 0.0)
    me = os.getpid()
    processes = []
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        # utime + stime, and cutime + cstime: the children it reaped (PostgreSQL's backends that
        # ended, gunicorn workers that were replaced) are counted in the parent that outlives them
        processes.append((int(entry.name), cmdline, sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICK))
    for pid, cmdline, seconds in processes:
        if pid == me:
            group = "client"
        elif "gunicorn" in cmdline and _started_by(pid, me, parents):
            group = "web"  # only this run's servers: another gunicorn that ends would subtract its time
        elif "celery" in cmdline and _started_by(pid, me, parents):
            group = "worker"
        elif cmdline.startswith("postgres") or "/postgresql/" in cmdline:
            group = "postgres"
        elif "redis-server" in cmdline:
            group = "redis"
        else:
            group = "other"
        totals[group] += seconds
    return totals


def _started_by(pid: int, ancestor: int, parents: dict) -> bool:
    """Whether ``ancestor`` started ``pid`` (directly or through its children)."""
    seen = 0
    while pid in parents and seen < 64:
        pid, seen = parents[pid], seen + 1
        if pid == ancestor:
            return True
    return False


def cpu_split(name: str, before: dict, after: dict, requests: int) -> dict:
    """Milliseconds of CPU per request by group between two ``cpu_snapshot``s, and the total (a
    process that ended in between counts only if a process still running reaped it)."""
    if not requests:
        return {}
    figures = {}
    for group in CPU_GROUPS:
        figures[f"{name}_cpu_ms_{group}"] = round((after[group] - before[group]) * 1000 / requests, 2)
    figures[f"{name}_cpu_ms_total"] = round(sum(figures.values()), 2)
    return figures


def peak_rss_mb(pid: int) -> float:
    """The highest resident memory any process of the tree (``pid`` and its children) reached, in
    MB (VmHWM from /proc: the kernel's own high-water mark, no sampling gaps)."""
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in children]
    except OSError:
        pass
    peak = 0
    for p in pids:
        try:
            match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text())
        except OSError:
            continue
        if match:
            peak = max(peak, int(match.group(1)))
    return round(peak / 1024, 1)


@contextmanager
def celery_worker(*, env: dict | None = None):
    """A real Celery worker (one pool process) consuming every queue of the benchmark's broker
    (settings: CELERY_TASK_ROUTES); yield the process."""
    from django.conf import settings

    environment = {**os.environ, "EMAIL_URL": "dummymail://", "LOG_LEVEL": "WARNING", **(env or {})}
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--queues",
        ",".join(settings.ADUAN_CELERY_QUEUES),
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
    ]
    proc = subprocess.Popen(
        cmd,
        env=environment,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # connected and consuming
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(*, workers: int = 4, env: dict | None = None, app: str = "config.wsgi"):
    """Run gunicorn on a free loopback port; yield (port, process). Both systems run with
    production's gunicorn settings (deploy/gunicorn.conf.py: sync workers, recycled after about
    10,000 requests); Aduan's workers also keep their Prometheus figures in a shared directory,
    as deploy/systemd/aduan-web.service sets PROMETHEUS_MULTIPROC_DIR."""
    port = free_port()
    prometheus = tempfile.TemporaryDirectory(prefix="bench-prometheus-") if app == "config.wsgi" else None
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **({"PROMETHEUS_MULTIPROC_DIR": prometheus.name} if prometheus else {}),
        **(env or {}),
    }
    cmd = [
        sys.executable, "-m", "gunicorn", app, "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "sync", "--keep-alive", "5", "--log-level", "warning", "--chdir", str(ROOT),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=environment, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("gunicorn exited during start-up") from None
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start within 30 s")
        yield port, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        if prometheus is not None:
            prometheus.cleanup()


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    cpu_before: dict = field(default_factory=dict)
    cpu_after: dict = field(default_factory=dict)

    def figures(self, name: str) -> dict:
        ok = len(self.latencies)
        figures = {
            f"{name}_requests": ok + self.errors,
            f"{name}_errors": self.errors,
            f"{name}_rps": round(ok / self.seconds, 1) if self.seconds else 0.0,
            **summary(name, self.latencies),
            f"{name}_server_peak_rss_mb": self.peak_rss_mb,
        }
        if self.cpu_before and self.cpu_after:
            figures.update(cpu_split(name, self.cpu_before, self.cpu_after, ok + self.errors))
        return figures


def load(
    *,
    port: int,
    make_request,
    clients: int,
    max_requests: int,
    max_seconds: float,
    server_pid: int | None = None,
    expect=(200, 201),
) -> LoadResult:
    """Drive ``clients`` threads, each with its own keep-alive connection, until ``max_requests``
    are done or ``max_seconds`` pass. ``make_request(i)`` returns (method, path, body, headers)."""
    result = LoadResult()
    lock = threading.Lock()
    counter = iter(range(max_requests))
    stop_at = time.monotonic() + max_seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body, headers = make_request(i)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status in expect:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
        conn.close()

    def sampler():
        while time.monotonic() < stop_at and any(t.is_alive() for t in threads):
            result.peak_rss_mb = max(result.peak_rss_mb, rss_mb(server_pid))
            time.sleep(0.5)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    result.cpu_before = cpu_snapshot()
    started = time.monotonic()
    for t in threads:
        t.start()
    watcher = threading.Thread(target=sampler) if server_pid else None
    if watcher:
        watcher.start()
    for t in threads:
        t.join()
    result.seconds = time.monotonic() - started
    result.cpu_after = cpu_snapshot()
    if watcher:
        watcher.join()
    return result


def login_cookie(port: int, email: str, password: str) -> str:
    """Sign in through the staff login page; return the Cookie header value."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/staf/masuk/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"username={email}&password={password}&csrfmiddlewaretoken={token}"
    conn.request(
        "POST",
        "/staf/masuk/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"http://127.0.0.1:{port}/staf/masuk/",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies(response))
    if "sessionid" not in cookies:
        raise RuntimeError(f"sign-in as {email} failed (status {response.status})")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(response) -> dict:
    jar = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
    return jar
