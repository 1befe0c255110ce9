"""QueryShape: a queryset built and compiled once per process, then run with new values. Its rows
must be what Django builds for the plain queryset; a build whose SQL depends on its values, a
value of the wrong kind and any refinement are refused."""

from datetime import datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan.complaints.models import CannedResponse, ComplaintEvent, Status
from aduan.complaints.services import officers_of
from aduan.core.query_shapes import QueryShape
from aduan.sla.models import Deadline
from aduan.workspace.batch import evaluate_together
from tests.factories import MembershipFactory, OpdFactory, complaint_in_status

pytestmark = pytest.mark.postgres


def _fields(obj):
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    for name, related in obj._state.fields_cache.items():  # select_related rows, known owners
        values[name] = related and related.pk
    return values


def _clocks():
    return QueryShape(
        lambda pk: (
            Deadline.objects.filter(complaint_id=pk).select_related("opd").order_by("started_at", "pk")
        ),
        int,
    )


def test_rows_are_the_plain_querysets_and_the_sql_is_compiled_once(world, sql_compilations):
    first = complaint_in_status(
        Status.FOLLOWED_UP, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    second = complaint_in_status(
        Status.DISPATCHED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    shape = _clocks()
    for complaint in (first, second):
        expected = [
            _fields(d) for d in complaint.deadlines.select_related("opd").order_by("started_at", "pk")
        ]
        assert expected
        del sql_compilations[:]
        with CaptureQueriesContext(connection) as queries:
            got = list(shape(complaint.pk, known={"complaint": complaint}))
            assert all(d.complaint is complaint and d.opd_id == world.opd.pk for d in got if d.opd_id)
            assert [_fields(d) for d in got] == expected
        assert len(queries) == 1  # the owner and the selected OPD came with the rows
        # the first call in a process compiles the build twice (the shape check), later ones never
        assert len(sql_compilations) == (2 if complaint is first else 0)


def test_constant_parameters_stay_and_arguments_move(world):
    shape = QueryShape(
        lambda opd: CannedResponse.objects.filter(opd_id=opd, is_active=True).order_by("title"), int
    )
    other = OpdFactory(pemda=world.pemda)
    kept = CannedResponse.objects.create(opd=world.opd, title="Sudah diperbaiki", body="Terima kasih.")
    CannedResponse.objects.create(opd=world.opd, title="Lama", body="Tidak dipakai.", is_active=False)
    CannedResponse.objects.create(opd=other, title="Milik OPD lain", body="-")
    assert [c.pk for c in shape(world.opd.pk)] == [kept.pk]
    assert [c.title for c in shape(other.pk)] == ["Milik OPD lain"]
    assert list(shape(0)) == []


def test_joins_distinct_and_strings_and_datetimes(world, client):
    officer = MembershipFactory(role="petugas_opd", opd=world.opd).user
    gone = MembershipFactory(role="petugas_opd", opd=world.opd, is_active=False).user
    shape = QueryShape(officers_of, int)
    got = [u.pk for u in shape(world.opd.pk)]
    assert got == [u.pk for u in officers_of(world.opd.pk)]
    assert officer.pk in got
    assert gone.pk not in got
    assert [u.pk for u in shape(world.other_opd.pk)] == [u.pk for u in officers_of(world.other_opd.pk)] != got

    client.force_login(officer)
    key = client.session.session_key
    sessions = QueryShape(
        lambda k, now: Session.objects.filter(session_key=k, expire_date__gt=now)[:1], str, datetime
    )
    now = timezone.now()
    assert [s.session_key for s in sessions(key, now)] == [key]
    assert list(sessions(key, now + timedelta(days=400))) == []  # expired by then
    assert list(sessions(key + "x", now)) == []


def test_values_list_and_one_round_trip_with_other_querysets(world):
    complaint = complaint_in_status(
        Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    actions = QueryShape(
        lambda pk: (
            ComplaintEvent.objects.filter(complaint_id=pk).values_list("action", "seq").order_by("seq")
        ),
        int,
    )
    expected = list(complaint.events.values_list("action", "seq").order_by("seq"))
    assert len(expected) >= 3
    batch = [actions(complaint.pk), _clocks()(complaint.pk), complaint.hops.all()]
    with CaptureQueriesContext(connection) as queries:
        evaluate_together(*batch)
        rows = [list(qs) for qs in batch]
    assert len(queries) == 1
    assert rows[0] == expected
    assert [d.pk for d in rows[1]] == [d.pk for d in complaint.deadlines.order_by("started_at", "pk")]
    assert rows[2]
    assert all(h.complaint_id == complaint.pk for h in rows[2])


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Deadline.objects.filter(complaint_id__in=range(pk, pk + pk % 3 + 1)),  # SQL varies
        lambda pk: Deadline.objects.filter(complaint_id=1),  # the argument never reaches the SQL
        lambda pk: Deadline.objects.filter(complaint_id=pk % 7),  # not passed as it was given
        lambda pk: Deadline.objects.all()[: pk % 5 + 1],  # LIMIT is written into the SQL
    ],
)
def test_a_build_whose_sql_depends_on_its_values_is_refused(db, build):
    shape = QueryShape(build, int)
    with pytest.raises(ValueError, match="SQL|argument|parameter"):
        list(shape(11))
    assert shape._compiled == {}  # nothing kept: every later call refuses too
    with pytest.raises(ValueError, match="SQL|argument|parameter"):
        list(shape(12))


def test_values_of_another_kind_and_refinements_are_refused(db):
    shape = _clocks()
    for bad in (None, "7", 7.0):
        with pytest.raises(TypeError):
            shape(bad)
    with pytest.raises(TypeError):
        shape()
    queryset = shape(7)
    for refine in (
        lambda qs: qs.filter(stage="x"),
        lambda qs: qs.count(),
        lambda qs: qs.first(),
        lambda qs: qs.exists(),
        lambda qs: qs.order_by("pk"),
    ):
        with pytest.raises(TypeError, match="refined"):
            refine(queryset)
    assert "not evaluated" in repr(queryset)
    assert list(queryset) == []  # the queryset itself still runs
    with pytest.raises(ValueError, match="kinds"):
        QueryShape(lambda x: Deadline.objects.all(), float)


def test_a_build_that_can_match_nothing_runs_no_query(db, django_assert_num_queries):
    shape = QueryShape(lambda pk: Deadline.objects.filter(complaint_id=pk, pk__in=[]), int)
    with django_assert_num_queries(0):
        assert list(shape(5)) == []
        batch = [shape(6), shape(7)]
        evaluate_together(*batch)
        assert [list(qs) for qs in batch] == [[], []]


def test_shapes_by_size_one_shape_per_length_of_the_id_lists(world, sql_compilations):
    from aduan.complaints.models import Category
    from aduan.core.query_shapes import ShapesBySize
    from tests.factories import CategoryFactory

    categories = [CategoryFactory(pemda=world.pemda) for _ in range(4)]
    shapes = ShapesBySize(lambda ids: Category.objects.filter(pk__in=ids).order_by("pk"), max_shapes=2)
    pks = [c.pk for c in categories]
    assert [c.pk for c in shapes(pks[:2])] == pks[:2]
    assert [c.pk for c in shapes(pks[2:])] == pks[2:]  # same length: the same shape, other ids
    assert [c.pk for c in shapes([pks[3], pks[0], pks[1]])] == [pks[0], pks[1], pks[3]]
    assert sorted(shapes._shapes) == [(2,), (3,)]
    del sql_compilations[:]
    assert [c.pk for c in shapes(pks[1:3])] == pks[1:3]
    assert sql_compilations == []  # compiled before
    # past max_shapes lengths, and for no ids, the build's own queryset (compiled as usual)
    assert [c.pk for c in shapes(pks)] == pks
    assert len(sql_compilations) == 1
    assert sorted(shapes._shapes) == [(2,), (3,)]
    assert list(shapes([])) == []
