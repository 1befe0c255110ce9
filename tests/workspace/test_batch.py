"""evaluate_together reads several querysets in one round trip and gives each the objects Django
would have built for it alone: select_related rows, slices, DISTINCT with ORDER BY, values, empty
querysets and the owner a related manager sets on its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.complaints.models import Complaint, ComplaintEvent, ReporterIdentity, Status
from aduan.complaints.services import officers_of
from aduan.sla.models import Deadline
from aduan.workspace.batch import evaluate_together
from tests.factories import complaint_in_status

pytestmark = pytest.mark.postgres


def querysets(complaint, world):
    return [
        complaint.events.select_related("actor", "opd"),
        complaint.deadlines.select_related("opd").order_by("started_at", "pk"),
        complaint.hops.select_related("opd"),
        officers_of(world.opd),
        ReporterIdentity.objects.filter(complaint=complaint).order_by("pk")[:1],
        ComplaintEvent.objects.filter(complaint=complaint).values_list("action", "seq").order_by("seq"),
        Complaint.objects.none(),
        Deadline.objects.filter(complaint=complaint, stage="no-such-stage"),
    ]


def fields(obj):
    if isinstance(obj, tuple):
        return obj
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    for name in ("actor", "opd", "complaint"):  # what select_related / the related manager set
        if name in obj._state.fields_cache:
            related = obj._state.fields_cache[name]
            values[name] = related and {
                f.attname: getattr(related, f.attname) for f in related._meta.concrete_fields
            }
    return values


def test_one_round_trip_and_the_same_objects(world):
    complaint = complaint_in_status(
        Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    expected = [[fields(o) for o in qs] for qs in querysets(complaint, world)]
    assert all(expected[:6])
    assert expected[6:] == [[], []]

    batch = querysets(complaint, world)
    with CaptureQueriesContext(connection) as queries:
        evaluate_together(*batch)
        got = [[fields(o) for o in qs] for qs in batch]

    assert len(queries) == 1
    assert got == expected
    events = list(batch[0])
    assert all(e.complaint is complaint for e in events)  # the related manager's owner, no query
    assert events[0].opd_id is None or events[0].opd.pk == events[0].opd_id


def test_one_queryset_or_evaluated_ones_are_read_as_usual(world):
    complaint = complaint_in_status(Status.DISPATCHED, pemda=world.pemda, opd=world.opd)
    events = complaint.events.all()
    with CaptureQueriesContext(connection) as queries:
        evaluate_together(events)
        evaluate_together(events, complaint.hops.none())
    assert len(queries) == 1
    assert [e.action for e in events] == ["submit", "dispatch"]


def test_under_an_execute_wrapper_each_is_read_on_its_own(world):
    """A wrapper may rewrite the SQL or step through its results (pghistory's context does, on
    write requests): then the querysets are read one by one, as usual."""
    complaint = complaint_in_status(Status.DISPATCHED, pemda=world.pemda, opd=world.opd)
    expected = [[fields(o) for o in qs] for qs in querysets(complaint, world)]
    batch = querysets(complaint, world)
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        evaluate_together(*batch)
    assert [[fields(o) for o in qs] for qs in batch] == expected
    assert len(seen) == 7  # one per queryset but none(), which reads nothing
