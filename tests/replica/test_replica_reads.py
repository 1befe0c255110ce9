"""Reads on a REAL streaming replica (PostgreSQL hot standby on port 5433, built by .ci/replica.sh
with pg_basebackup from the primary): the data is committed (transactional tests), the test waits
until the replica has replayed it (WAL position), then checks on which connection each query ran.
A physical replica mirrors every database of its cluster, so the alias "replica" reads pytest's
test database there (settings.test: TEST MIRROR)."""

import json

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from aduan.core.db_router import PIN_COOKIE
from tests.factories import ComplaintFactory, api_token

from .conftest import replica_caught_up, replica_replay

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]
CANNED = "/api/v1/staff/canned-responses/"


def _sql(captured) -> str:
    return "\n".join(query["sql"] for query in captured.captured_queries)


def _get(client, path, **extra):
    """GET ``path``; return the response (its streamed body read) and the SQL run on each side."""
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(path, **extra)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode("utf-8-sig"), _sql(on_replica), _sql(on_primary)


def test_the_replica_alias_is_a_standby_on_port_5433_reading_the_test_database():
    replica_caught_up()
    with connections["replica"].cursor() as cursor:
        cursor.execute("select inet_server_port(), pg_is_in_recovery(), current_database()")
        port, standby, name = cursor.fetchone()
    assert (port, standby) == (connections["replica"].settings_dict["PORT"], True)
    assert name == connections["default"].settings_dict["NAME"]  # pytest's test_aduan... database


def test_dashboards_exports_statistics_and_api_lists_read_through_the_replica(on_replica, client, world):
    complaints = ComplaintFactory.create_batch(3, pemda=world.pemda)
    client.force_login(world.koordinator)
    replica_caught_up()

    response, page, replica_sql, primary_sql = _get(client, f"/kepatuhan/pemda/{world.pemda.pk}/")
    assert response.status_code == 200
    assert "complaints_complaint" in replica_sql
    assert "sla_metricrollup" in replica_sql  # the figures: the metric rollups (aduan/sla/rollups.py)
    assert "complaints_complaint" not in primary_sql
    assert "sla_metricrollup" not in primary_sql
    assert "django_session" in primary_sql  # who is signed in: from the primary
    assert "django_session" not in replica_sql

    # The staff export is streamed after the view returned: its rows still come from the replica.
    response, csv, replica_sql, primary_sql = _get(client, "/staf/ekspor.csv")
    assert response.status_code == 200
    assert all(c.ticket_number in csv for c in complaints)
    assert "complaints_complaint" in replica_sql
    assert "complaints_complaint" not in primary_sql

    response, body, replica_sql, primary_sql = _get(client, "/api/v1/staff/complaints/")
    assert response.status_code == 200
    assert {row["ticket_number"] for row in json.loads(body)["results"]} == {
        c.ticket_number for c in complaints
    }
    assert "complaints_complaint" in replica_sql
    assert "complaints_complaint" not in primary_sql

    client.logout()
    response, page, replica_sql, primary_sql = _get(client, "/statistik/")
    assert response.status_code == 200
    assert "sla_metricrollup" in replica_sql  # the public figures: the rollups (public_stats.py)
    assert "agencies_opd" in replica_sql
    assert "sla_metricrollup" not in primary_sql
    assert "agencies_opd" not in primary_sql

    # Pages a user must see at once never opt in: the complaint page reads the primary only.
    client.force_login(world.koordinator)
    response, page, replica_sql, primary_sql = _get(client, f"/staf/aduan/{complaints[0].pk}/")
    assert response.status_code == 200
    assert replica_sql == ""
    assert "complaints_complaint" in primary_sql


def test_a_user_who_just_wrote_reads_from_the_primary_while_the_replica_lags(on_replica, client, world):
    """Replay paused: the replica lags. The petugas who just added a canned response sees it at once
    (pinned to the primary: by cookie in the browser, by the cache for a token client without
    cookies); a colleague reads the replica and does not see it while replay is paused."""
    writer, colleague = world.petugas
    client.force_login(writer)
    other = client.__class__()
    other.force_login(colleague)
    replica_caught_up()
    replica_replay("pause")
    try:
        response = client.post(
            CANNED,
            {"opd": world.opd.pk, "title": "Lampu sudah diganti", "body": "Terima kasih."},
            content_type="application/json",
        )
        assert response.status_code == 201
        assert response.cookies[PIN_COOKIE]["max-age"] > 0

        response, body, replica_sql, primary_sql = _get(client, CANNED)
        assert [row["title"] for row in json.loads(body)["results"]] == ["Lampu sudah diganti"]
        assert replica_sql == ""
        assert "complaints_cannedresponse" in primary_sql

        # The colleague has not written: the (lagging) replica answers, without the new row.
        response, body, replica_sql, primary_sql = _get(other, CANNED)
        assert json.loads(body)["results"] == []
        assert "complaints_cannedresponse" in replica_sql
        assert "complaints_cannedresponse" not in primary_sql

        # An API client that keeps no cookie: pinned by its user (cache) after its own write.
        api = client.__class__()
        auth = {"HTTP_AUTHORIZATION": f"Token {api_token(colleague)}"}
        response = api.post(
            CANNED, {"opd": world.opd.pk, "title": "Jalan sudah ditambal", "body": "Selesai."},
            content_type="application/json", **auth,
        )  # fmt: skip
        assert response.status_code == 201
        api.cookies.clear()
        response, body, replica_sql, primary_sql = _get(api, CANNED, **auth)
        assert [row["title"] for row in json.loads(body)["results"]] == [
            "Jalan sudah ditambal",
            "Lampu sudah diganti",
        ]
        assert "complaints_cannedresponse" not in replica_sql
    finally:
        replica_replay("resume")
    # Once replay catches up, the kepala (who wrote nothing) reads both rows from the replica.
    replica_caught_up()
    kepala = client.__class__()
    kepala.force_login(world.kepala)
    response, body, replica_sql, primary_sql = _get(kepala, CANNED)
    assert [row["title"] for row in json.loads(body)["results"]] == [
        "Jalan sudah ditambal",
        "Lampu sudah diganti",
    ]
    assert "complaints_cannedresponse" in replica_sql


def test_a_replica_further_behind_than_allowed_serves_nothing(on_replica, settings, client, world):
    settings.ADUAN_REPLICA_MAX_LAG_SECONDS = -1  # any replica is "too far behind"
    client.force_login(world.koordinator)
    response, page, replica_sql, primary_sql = _get(client, f"/kepatuhan/pemda/{world.pemda.pk}/")
    assert response.status_code == 200
    assert "complaints_complaint" not in replica_sql
    assert "pg_last_wal_replay_lsn" in replica_sql  # it was asked, and its answer kept reads away
    assert "complaints_complaint" in primary_sql
