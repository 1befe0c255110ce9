"""What the migrations tell PostgreSQL's planner about the big tables: a complaint's clocks and
events are a handful (n_distinct as a ratio), and an OPD's inbox and the lists' next due time are
read from covering and partial indexes. A national-size database shows the effect (bench/README.md,
ninth pass); these tests keep the migrations from being lost."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _n_distinct(table: str, column: str):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attoptions FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
            [table, column],
        )
        (options,) = cursor.fetchone()
    return dict(option.split("=") for option in options or [])["n_distinct"]


def _index(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        (definition,) = cursor.fetchone()
    return definition


def test_a_complaint_has_a_handful_of_clocks_and_events_whatever_analyze_samples():
    assert float(_n_distinct("sla_deadline", "complaint_id")) == -0.2
    assert float(_n_distinct("complaints_complaintevent", "complaint_id")) == -0.25


def test_the_inbox_page_and_the_next_due_time_come_from_indexes_alone():
    assert _index("complaint_opd_status").endswith("(current_opd_id, status) INCLUDE (submitted_at, id)")
    running = _index("deadline_running_due")
    assert "(complaint_id, due_at)" in running
    for column in ("met_at", "cancelled_at", "paused_at"):
        assert f"({column} IS NULL)" in running
