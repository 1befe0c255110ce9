"""Celery queues (issue 20 point 5): every task lands on its queue, so a heavy recompute never
delays a reminder. Published to the REAL Redis broker (REDIS_URL) with routing as production has it
(CELERY_TASK_ROUTES), then read back from the queue's Redis list; and every registered aduan task
is routed explicitly (one added without a route would fall into the default queue)."""

import importlib
import json
import uuid

import pytest
import redis
from django.apps import apps
from django.conf import settings

from config import celery_app
from config.celery import routes_flush

# The queue of every task there is today (settings: CELERY_TASK_ROUTES).
EXPECTED = {
    "aduan.sla.tasks.sweep": "sweep",
    "aduan.complaints.tasks.digests": "sweep",
    "aduan.core.tasks.heartbeat": "sweep",
    "aduan.ombudsman.tasks.actions_remind": "sweep",
    "aduan.notifications.tasks.notification_send": "notifications",
    "aduan.notifications.tasks.outbox_flush": "notifications",
    "aduan.compliance.tasks.recompute": "compliance",
    "aduan.compliance.tasks.recompute_all": "compliance",
    "aduan.compliance.tasks.metrics_check": "compliance",
    "aduan.privacy.tasks.retention_apply": "compliance",
    "aduan.complaints.tasks.attachment_scan": "scans",
    "aduan.complaints.tasks.attachments_rescan": "scans",
    "aduan.complaints.tasks.mailboxes_poll": "scans",
}


def _aduan_tasks() -> set[str]:
    for config in apps.get_app_configs():
        if config.name.startswith("aduan."):
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise
    return {name for name in celery_app.tasks if name.startswith("aduan.")}


def _queue_of(name: str) -> str:
    return celery_app.amqp.router.route({}, name)["queue"].name


def test_every_aduan_task_is_routed_to_a_named_queue_not_left_to_the_default():
    routes_flush(celery_app)
    tasks = _aduan_tasks()
    assert set(EXPECTED) <= tasks  # the table above names real tasks
    for name in sorted(tasks):
        queue = _queue_of(name)
        assert queue in settings.ADUAN_CELERY_QUEUES, (name, queue)
        assert queue != settings.CELERY_TASK_DEFAULT_QUEUE, f"{name} has no route in CELERY_TASK_ROUTES"
    assert {name: _queue_of(name) for name in EXPECTED} == EXPECTED
    # Beat's entries are routed the same way: the sweep never shares a queue with a recompute.
    beat = {entry["task"]: _queue_of(entry["task"]) for entry in celery_app.conf.beat_schedule.values()}
    assert beat["aduan.sla.tasks.sweep"] == "sweep"
    assert beat["aduan.compliance.tasks.recompute_all"] == "compliance"
    assert {queue for name, queue in beat.items() if name.startswith("aduan.compliance.")} == {"compliance"}


@pytest.mark.redis
def test_each_task_published_to_redis_lands_in_its_queue():
    """Publish every task through the real broker; each message is in its queue's list and no other."""
    _aduan_tasks()
    conf = celery_app.conf
    saved = {"task_always_eager": conf.task_always_eager, "broker_url": conf.broker_url}
    conf.task_always_eager = False
    conf.broker_url = settings.REDIS_URL
    routes_flush(celery_app)
    client = redis.Redis.from_url(settings.REDIS_URL)
    sent: dict[str, str] = {}  # task id -> task name
    try:
        for name in EXPECTED:
            task_id = f"queue-test-{uuid.uuid4()}"
            # the args are never run: nobody consumes these queues in this test
            args = {"recompute": (0, 2026)}.get(
                name.rsplit(".", 1)[1], (0,) if name.endswith(("_send", "_scan")) else ()
            )
            celery_app.tasks[name].apply_async(args=args, task_id=task_id, retry=False)
            sent[task_id] = name
        found: dict[str, str] = {}
        for queue in settings.ADUAN_CELERY_QUEUES:
            for raw in client.lrange(queue, 0, -1):
                message = json.loads(raw)
                task_id = message["headers"]["id"]
                if task_id in sent:
                    assert task_id not in found, f"{sent[task_id]} published twice"
                    found[task_id] = queue
                    client.lrem(queue, 1, raw)  # leave the broker as it was
        assert {sent[task_id]: queue for task_id, queue in found.items()} == EXPECTED
    finally:
        for queue in settings.ADUAN_CELERY_QUEUES:  # whatever was not found above
            for raw in client.lrange(queue, 0, -1):
                if json.loads(raw)["headers"]["id"] in sent:
                    client.lrem(queue, 1, raw)
        conf.update(saved)
        routes_flush(celery_app)
