"""The web server is killed during a burst of filings — first one gunicorn worker (SIGKILL), then
the whole server (SIGKILL of the master and its workers) — and started again: no complaint is
half-written. Checked with SQL over the whole database: every complaint has its ticket number,
its first (submit) event and its verification clock; no event, clock or outbox row points at a
missing complaint; and every filing the server answered 201 is there."""

import os
import signal
import threading
import time

import pytest
from django.db import connection

from aduan.complaints.models import Complaint

from .harness import figures, file_complaint, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CLIENTS = 4
MAX_SECONDS = 120.0
HALF_WRITTEN_SQL = {
    "complaint without a ticket number": "SELECT count(*) FROM complaints_complaint WHERE ticket_number = ''",
    "complaint without its submit event": """
        SELECT count(*) FROM complaints_complaint c WHERE NOT EXISTS (
            SELECT 1 FROM complaints_complaintevent e WHERE e.complaint_id = c.id AND e.action = 'submit')""",
    "complaint without its verification clock": """
        SELECT count(*) FROM complaints_complaint c WHERE NOT EXISTS (
            SELECT 1 FROM sla_deadline d WHERE d.complaint_id = c.id AND d.stage = 'verification')""",
    "event without a complaint": """
        SELECT count(*) FROM complaints_complaintevent e
        LEFT JOIN complaints_complaint c ON c.id = e.complaint_id WHERE c.id IS NULL""",
    "clock without a complaint": """
        SELECT count(*) FROM sla_deadline d
        LEFT JOIN complaints_complaint c ON c.id = d.complaint_id WHERE c.id IS NULL""",
    "outbox row without a complaint": """
        SELECT count(*) FROM notifications_notification n
        LEFT JOIN complaints_complaint c ON c.id = n.complaint_id
        WHERE n.complaint_id IS NOT NULL AND c.id IS NULL""",
}


def test_web_server_killed_during_a_filing_burst_leaves_no_half_written_complaint(
    fault, web, pemda, record_property
):
    fault.route_to_worker()
    counter = iter(range(1_000_000))
    lock = threading.Lock()
    answered: list[int] = []
    failures = [0]
    stop = threading.Event()
    give_up_at = time.monotonic() + MAX_SECONDS  # a bound, whatever goes wrong

    def citizen():
        while not stop.is_set() and time.monotonic() < give_up_at:
            with lock:
                n = next(counter)
            status, body = file_complaint(web.port, pemda.code, n, timeout=10)
            with lock:
                if status == 201:
                    answered.append(body["id"])
                else:
                    failures[0] += 1
            if status != 201:
                time.sleep(0.1)

    threads = [threading.Thread(target=citizen) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    wait_for(lambda: len(answered) >= 10, 30, "the burst to get going", on_timeout=web)
    os.kill(web.worker_pids()[0], signal.SIGKILL)  # fault 1: one web worker, mid-request
    wait_for(lambda: len(answered) >= 25, 30, "filings after the worker kill", on_timeout=web)
    web.kill()  # fault 2: the whole server (master and workers)
    time.sleep(0.5)
    web.start()  # started again on the same port
    restarted_at = len(answered)
    wait_for(lambda: len(answered) >= restarted_at + 10, 30, "filings after the restart", on_timeout=web)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    after_restart = [file_complaint(web.port, pemda.code, next(counter))[0] for _ in range(3)]
    assert after_restart == [201] * 3

    half_written = {}
    with connection.cursor() as cursor:
        for name, sql in HALF_WRITTEN_SQL.items():
            cursor.execute(sql)
            half_written[name] = cursor.fetchone()[0]
    total = Complaint.objects.count()
    missing = set(answered) - set(Complaint.objects.values_list("pk", flat=True))
    figures(
        record_property,
        "web-restart",
        injected=2,
        complaints=total,
        answered_201=len(answered),
        failed_requests=failures[0],
        half_written=sum(half_written.values()),
        lost=len(missing),
    )
    assert half_written == dict.fromkeys(HALF_WRITTEN_SQL, 0)
    assert missing == set()  # every filing acknowledged with 201 is stored
    assert total >= len(answered) + 3
