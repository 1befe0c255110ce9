"""Fixtures for reads on a replica: the ``replica`` alias switched on for one test, and waiting until
the replica has replayed everything the primary committed so far (by WAL position, never by time)."""

import subprocess
import time

import pytest
from django.db import connections

from aduan.core.db_router import REPLICA, replica_health_forget

CATCH_UP_TIMEOUT = 60


@pytest.fixture
def on_replica(settings):
    """Reads may use the replica in this test (settings.test keeps them on the primary)."""
    settings.ADUAN_REPLICA_READS = True
    settings.ADUAN_REPLICA_MAX_LAG_SECONDS = 3600  # a paused replay must not switch it off here
    replica_health_forget()
    yield
    replica_health_forget()
    connections[REPLICA].close()


def replica_caught_up() -> str:
    """Wait until the replica has replayed the primary's current WAL position; return it."""
    with connections["default"].cursor() as cursor:
        cursor.execute("select pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + CATCH_UP_TIMEOUT
    while True:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("select pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return lsn
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica did not replay {lsn} within {CATCH_UP_TIMEOUT} s")
        time.sleep(0.05)


def replica_replay(action: str) -> None:
    """Pause or resume the replica's replay (``pause``/``resume``): superuser only, so as the
    postgres system user over the socket of the local replica (.ci/replica.sh)."""
    port = str(connections[REPLICA].settings_dict["PORT"])
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-h", "/var/run/postgresql", "-p", port, "-d", "postgres",
         "-qAtc", f"select pg_wal_replay_{action}()"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
