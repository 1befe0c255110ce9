"""DATABASE_REPLICA_URL: the alias it adds (tests mirror the primary's test database), its refusal
next to SQLite, and nothing at all when unset; a replica that does not answer serves nothing."""

import json

import pytest
from django.db import connections

from aduan.core import db_router
from aduan.core.db_router import replica_health_forget, replica_reads
from tests.core.test_settings import run_python

PROBE = """
import json, django
django.setup()
from django.conf import settings
replica = settings.DATABASES.get("replica")
keys = ("HOST", "PORT", "NAME", "CONN_MAX_AGE", "TEST", "OPTIONS")
print(json.dumps(replica and {k: replica[k] for k in keys}))
print(json.dumps(settings.DATABASE_ROUTERS))
"""
BASE = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DATABASE_URL": "postgres://aduan:pw@db.internal:5432/aduan",
}


def test_the_replica_url_adds_the_alias_and_nothing_is_added_without_it(tmp_path):
    env = {
        **BASE,
        "ADUAN_VAR_DIR": str(tmp_path),
        "DATABASE_REPLICA_URL": "postgres://aduan:pw@standby:5433/aduan",
    }
    result = run_python(PROBE, env)
    assert result.returncode == 0, result.stderr
    replica = json.loads(result.stdout.splitlines()[-2])
    assert replica["HOST"] == "standby"
    assert replica["PORT"] == 5433
    assert replica["CONN_MAX_AGE"] == 60
    assert replica["TEST"]["MIRROR"] == "default"
    assert replica["OPTIONS"]["connect_timeout"] == 3
    assert json.loads(result.stdout.splitlines()[-1]) == ["aduan.core.db_router.PrimaryReplicaRouter"]

    result = run_python(PROBE, {**BASE, "ADUAN_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-2]) is None


def test_a_replica_beside_sqlite_refuses_to_start(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ADUAN_VAR_DIR": str(tmp_path),
        "DATABASE_REPLICA_URL": "postgres://aduan:pw@standby:5433/aduan",
    }
    result = run_python(PROBE, env)
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs PostgreSQL" in result.stderr


@pytest.mark.postgres
@pytest.mark.django_db(databases=["default", "replica"])
def test_a_replica_that_does_not_answer_serves_nothing(settings, caplog):
    settings.ADUAN_REPLICA_READS = True
    replica = connections["replica"]
    port = replica.settings_dict["PORT"]
    replica.close()
    replica.settings_dict["PORT"] = 9  # nothing listens there
    replica_health_forget()
    try:
        with replica_reads() as used:
            assert used is False
        assert "read replica unreachable" in caplog.text
        assert db_router._health["usable"] is False  # remembered: the next request does not wait
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port
        replica_health_forget()
