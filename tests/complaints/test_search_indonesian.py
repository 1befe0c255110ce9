"""Staff search with PostgreSQL's ``indonesian`` configuration: affixed and bare words find each
other ("berlubang" ↔ "lubang", "perbaikan" ↔ "perbaiki"), through the GIN index of migration
0013; SQLite keeps its substring search."""

import pytest
from django.db import connection

from aduan.complaints.selectors import complaint_search, complaints_visible_to
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def complaints(world):
    hole = ComplaintFactory(
        pemda=world.pemda,
        title="Ada lubang besar di Jl. Soekarno-Hatta",
        chronology="Motor sering jatuh di sana.",
    )
    bumpy = ComplaintFactory(
        pemda=world.pemda, title="Jalan berlubang di depan pasar", chronology="Mohon segera diperbaiki."
    )
    water = ComplaintFactory(
        pemda=world.pemda, title="Air PDAM mati", chronology="Sudah tiga hari tidak mengalir."
    )
    return hole, bumpy, water


def _search(user, q):
    return set(complaint_search(complaints_visible_to(user), q, user=user))


def test_stems_find_each_other(world, complaints):
    hole, bumpy, water = complaints
    assert _search(world.koordinator, "berlubang") == {hole, bumpy}
    assert _search(world.koordinator, "lubang") == {hole, bumpy}
    assert _search(world.koordinator, "perbaiki") == {bumpy}
    assert _search(world.koordinator, "alir") == {water}
    assert _search(world.koordinator, "listrik") == set()


def test_the_index_is_the_searched_expression(world, complaints):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'complaint_fulltext_id'")
        (definition,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'complaint_fulltext'")
        assert cursor.fetchone() == (0,)  # the simple index of 0006 is gone
    assert "'indonesian'::regconfig" in definition
    assert "gin" in definition.lower()
    query = complaint_search(complaints_visible_to(world.koordinator), "berlubang", user=world.koordinator)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "complaint_fulltext_id" in plan
