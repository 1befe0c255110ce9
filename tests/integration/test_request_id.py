"""The request id (django-guid, X-Request-ID) travels with the Celery tasks a request queues: a real
worker on Redis prints it in the JSON lines of the task it runs (tests/ops/test_logging.py checks
the lines of a request)."""

import json
import uuid

import pytest
from django_guid import set_guid

from aduan.core.tasks import heartbeat

from .conftest import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_the_request_id_reaches_the_celery_task_it_queued(harness, monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    worker = harness.start_worker()
    harness.route_to_worker()
    request_id = uuid.uuid4().hex
    set_guid(request_id)  # as guid_middleware does for a request
    try:
        harness.send(heartbeat)
    finally:
        set_guid(None)

    def logged():
        return [
            line
            for line in json_lines(worker.output)
            if line.get("logger") == "aduan.core.tasks" and line.get("message") == "heartbeat recorded"
        ]

    lines = wait_for(logged, 30, "the worker to log the heartbeat")
    assert [line["request_id"] for line in lines] == [request_id]
