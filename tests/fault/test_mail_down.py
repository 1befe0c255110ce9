"""The mail gateway (a real SMTP server on loopback) is down for a while: citizens can still file
over HTTP, and after it comes back every message is delivered, exactly once, by the outbox's
retries with backoff (the first retry after 15 s; the real 15 s are waited)."""

import time

import pytest
from django.utils import timezone

from aduan.complaints.models import Complaint
from aduan.notifications.models import Notification
from aduan.notifications.tasks import outbox_flush

from .harness import figures, file_complaint, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CITIZENS = 5


def test_mail_gateway_down_citizens_file_and_every_message_arrives_once_after_recovery(
    fault, web, pemda, record_property
):
    fault.sink.stop()  # fault: the mail gateway is down (connections refused)
    fault.route_to_worker()
    worker = fault.start_worker()

    filed = [file_complaint(web.port, pemda.code, n) for n in range(CITIZENS)]
    assert [status for status, _body in filed] == [201] * CITIZENS, web.output
    ids = {body["id"] for _status, body in filed}
    assert set(Complaint.objects.values_list("pk", flat=True)) == ids
    messages = Notification.objects.filter(complaint_id__in=ids)
    assert messages.count() == CITIZENS  # one confirmation per citizen

    # Each first attempt fails (connection refused) and is scheduled again after the backoff.
    wait_for(
        lambda: messages.filter(attempts=1, state="pending").count() == CITIZENS,
        30,
        "every first attempt to fail",
        on_timeout=worker,
    )
    assert set(messages.values_list("last_error", flat=True)) == {"ConnectionRefusedError: errno 111"}
    assert not fault.sink.counts()

    fault.sink.start()  # the gateway is back
    last_retry = max(messages.values_list("next_attempt_at", flat=True))
    time.sleep(max(0.0, (last_retry - timezone.now()).total_seconds()) + 0.2)

    def delivered():
        if messages.filter(state="pending").exists():
            fault.send(outbox_flush)  # what beat runs every minute
            return False
        return True

    wait_for(delivered, 60, "every message to be delivered after recovery", interval=2, on_timeout=worker)
    counts = fault.sink.counts()
    keys = set(messages.values_list("key", flat=True))
    lost = [k for k in keys if counts[k] == 0]
    doubled = [k for k in keys if counts[k] > 1]
    figures(
        record_property, "mail-down", injected=1, messages=len(keys), lost=len(lost), doubled=len(doubled)
    )
    assert (lost, doubled) == ([], [])
    assert set(messages.values_list("state", "attempts")) == {("sent", 2)}
