"""Test-only pause points, installed in a Celery worker process by the fault harness (never by the
application): they make "mid-task" deterministic without touching production code.

``ADUAN_FAULT_PAUSE`` names the point; ``ADUAN_FAULT_DIR`` is a directory shared with the test.
The first time the worker passes the point after the test created ``<dir>/pause``, it claims the
marker (an atomic rename, so only one task ever pauses), writes ``<dir>/paused`` (its pid) and
sleeps — with its transaction open and its writes not yet committed — until the test kills it.

- ``sweep``: after the deadline sweep wrote a chunk's effects, clock updates and outbox rows
  (``_SweepBatch.write``), before the chunk's transaction commits;
- ``score``: after the compliance snapshot row was inserted, before ``score_compute`` commits.
"""

import os
import time
from pathlib import Path

PAUSE_SECONDS = 60.0


def pause_once() -> None:
    directory = Path(os.environ["ADUAN_FAULT_DIR"])
    try:
        (directory / "pause").rename(directory / "pause.claimed")
    except FileNotFoundError:
        return
    (directory / "paused").write_text(f"{os.getpid()}\n", encoding="utf-8")
    time.sleep(PAUSE_SECONDS)


def install(point: str) -> None:
    if point == "sweep":
        from aduan.sla import services

        original = services._SweepBatch.write

        def write(self):
            result = original(self)
            pause_once()
            return result

        services._SweepBatch.write = write
    elif point == "score":
        from django.db.models.signals import post_save

        from aduan.compliance.models import ComplianceScore

        def paused(sender, instance, created, **kwargs):
            if created:
                pause_once()

        post_save.connect(paused, sender=ComplianceScore, weak=False)
    else:
        raise ValueError(f"unknown fault point {point!r}")
