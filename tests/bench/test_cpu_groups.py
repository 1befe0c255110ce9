"""Where a load run's CPU went (bench/common.py): only the gunicorn servers and Celery workers the
run started count as its web and worker time. In ``make test`` other tests start and stop their own
gunicorn; one that ended between two snapshots made the smoke run's web time negative."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_a_process_counts_as_the_runs_only_if_the_run_started_it(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    from common import _started_by

    parents = {40: 30, 30: 20, 20: 1, 50: 1, 1: 0}  # 20 started 30, which started 40; 50 is another's
    assert _started_by(30, 20, parents)
    assert _started_by(40, 20, parents)  # a gunicorn worker: the run's server's child
    assert not _started_by(50, 20, parents)
    assert not _started_by(20, 20, parents)  # the run itself is "client", not its own child
    assert not _started_by(99, 20, parents)  # gone before it was read


def test_a_gunicorn_the_run_did_not_start_is_not_its_web_time(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import common

    # a process named gunicorn, orphaned at once (its shell exits): nobody in this test started it
    sleeper = f"{sys.executable} -c 'import time; time.sleep(5)  # gunicorn-elsewhere' &"
    subprocess.run(["sh", "-c", sleeper], check=True)
    mine = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)  # gunicorn-mine"])
    try:
        seen = {}
        real = common._started_by

        def spy(pid, ancestor, parents):
            seen[pid] = real(pid, ancestor, parents)
            return seen[pid]

        monkeypatch.setattr(common, "_started_by", spy)
        common.cpu_snapshot()
        names = {}
        for pid in seen:
            try:
                names[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                pass
        assert seen[mine.pid] is True
        elsewhere = [pid for pid, cmd in names.items() if "gunicorn-elsewhere" in cmd]
        assert elsewhere
        assert not any(seen[pid] for pid in elsewhere)
    finally:
        mine.kill()
