"""PostgreSQL sessions of the application (gunicorn's and the Celery worker's, on the test
database only) are ended with ``pg_terminate_backend`` again and again while citizens file and the
worker delivers: the next request succeeds (CONN_HEALTH_CHECKS: a dead persistent connection is
replaced before use), and a task whose connection died retries with backoff and completes — every
message delivered exactly once."""

import pytest

from aduan.notifications.models import Notification
from aduan.notifications.tasks import outbox_flush

from .harness import figures, file_complaint, terminate_app_sessions, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

FILINGS = 24
KILL_EVERY = 4


def test_app_sessions_terminated_under_load_next_request_succeeds_and_tasks_retry(fault, web, pemda):
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
    figures("pg-terminate", messages=len(keys), lost=len(lost), doubled=len(doubled))
    assert (lost, doubled) == ([], [])
    assert not messages.exclude(state="sent").exists()
