"""PostgreSQL sessions of the application (gunicorn's and the Celery worker's, on the test
database only) are ended with ``pg_terminate_backend`` again and again while citizens file and the
worker delivers: the next request succeeds (CONN_HEALTH_CHECKS: a dead persistent connection is
replaced before use), and a task whose connection died retries with backoff and completes — every
message delivered exactly once."""

import pytest

from aduan.notifications.models import Notification
from aduan.notifications.tasks import outbox_flush
from tests.factories import ComplaintFactory

from .harness import figures, file_complaint, terminate_app_sessions, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

FILINGS = 24
KILL_EVERY = 4


def test_app_sessions_terminated_under_load_next_request_succeeds_and_tasks_retry(
    fault, web, pemda, record_property
):
    fault.route_to_worker()
    worker = fault.start_worker()
    # The first delivery stalls at the SMTP sink with its transaction open: the kill below
    # reaches the worker mid-task for certain (its failure cannot be recorded: the task retries).
    fault.sink.stall_next()
    assert file_complaint(web.port, pemda.code, 0)[0] == 201
    wait_for(
        lambda: not fault.sink._stall.is_set(), 30, "the first delivery to reach the sink", on_timeout=worker
    )

    kills, ended = 0, 0
    statuses = []
    for n in range(1, FILINGS + 1):
        if n % KILL_EVERY == 1:
            ended += terminate_app_sessions()  # fault: every session of the app, mid-load
            kills += 1
        status, _body = file_complaint(web.port, pemda.code, n)
        statuses.append(status)
    figures(
        record_property,
        "pg-terminate",
        kills=kills,
        sessions_ended=ended,
        requests=FILINGS,
        failed_requests=sum(s != 201 for s in statuses),
    )
    assert statuses == [201] * FILINGS, web.output[-3000:]  # the request after each kill succeeds
    assert ended >= kills  # sessions were there to kill each time

    messages = Notification.objects.filter(kind="citizen_update")
    assert messages.count() == FILINGS + 1

    def delivered():
        if messages.filter(state="pending").exists():
            fault.send(outbox_flush)
            return False
        return True

    wait_for(delivered, 90, "every message to be delivered", interval=3, on_timeout=worker)
    assert "Retry in" in worker.output  # the stalled task lost its connection and retried
    counts = fault.sink.counts()
    keys = set(messages.values_list("key", flat=True))
    lost = [k for k in keys if counts[k] == 0]
    doubled = [k for k in keys if counts[k] > 1]
    figures(record_property, "pg-terminate", messages=len(keys), lost=len(lost), doubled=len(doubled))
    assert (lost, doubled) == ([], [])
    assert not messages.exclude(state="sent").exists()


def test_session_killed_while_the_mail_server_accepts_the_message_it_is_not_sent_twice(
    fault, pemda, record_property
):
    """The narrowest window: the worker's session is ended while the SMTP server holds the
    message, which it then accepts. The row cannot be marked sent in the dead session; it is
    marked on a new connection (aduan/notifications/services.py) instead of the task retrying
    and sending the message a second time."""
    fault.route_to_worker()
    worker = fault.start_worker()
    fault.sink.hold_next()
    complaint = ComplaintFactory(pemda=pemda)  # its confirmation goes to the worker on commit
    notification = Notification.objects.get(complaint=complaint)
    wait_for(fault.sink.holding, 30, "the sink to hold the message", on_timeout=worker)
    assert terminate_app_sessions() >= 1  # fault: the worker's session, mid-delivery
    fault.sink.release()  # the mail server takes the message: it has left

    def sent():
        notification.refresh_from_db()
        return notification.state == "sent"

    wait_for(sent, 30, "the row to be marked sent", on_timeout=worker)
    assert notification.attempts == 1
    assert worker.result_of(fault.send(outbox_flush)) == "0"  # nothing left to send
    assert fault.sink.counts() == {notification.key: 1}  # without the fix: 2 (the task retried)
    assert "marked on a new database connection" in worker.output
    figures(
        record_property,
        "pg-terminate-after-handover",
        injected=1,
        lost=0,
        doubled=fault.sink.counts()[notification.key] - 1,
    )
