"""Redis (the broker) stopped hard and restarted, with no persistence, in the middle of a burst of
1,000 notifications: none lost, none doubled, the worker consumes again within 60 s of Redis
returning. The outbox rows in PostgreSQL are the source of truth: the send tasks published while
Redis was down (and those queued in it when it died) are gone, and ``outbox_flush`` — what beat
runs every minute — delivers their rows.
"""

import time

import pytest
from django.utils import timezone

from aduan.notifications.models import Audience, Channel, Notification
from aduan.notifications.services import notification_queue
from aduan.notifications.tasks import outbox_flush
from tests.factories import ComplaintFactory

from .harness import figures, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BURST = 1000
DOWN_AT, BACK_AT = 300, 700  # Redis dies before message 300 and returns before message 700
RECONSUME_LIMIT = 60


def test_redis_restart_during_a_burst_of_1000_notifications(
    fault, redis_server, pemda, caplog, record_property
):
    complaint = ComplaintFactory(pemda=pemda)  # eager: its own submit message is not counted
    context = {"ticket_number": complaint.ticket_number, "title": complaint.title, "pemda": pemda.name,
               "status": "Diajukan", "action": "submit", "link": "http://127.0.0.1/lacak/x/"}  # fmt: skip
    fault.route_to_worker()
    worker = fault.start_worker(concurrency=2)

    back_at = None
    for i in range(BURST):
        if i == DOWN_AT:
            redis_server.kill()  # fault: the broker dies; what it held is lost
        if i == BACK_AT:
            redis_server.start()
            back_at = time.monotonic()
            received_before_return = sum(fault.sink.counts().values())
        queued = notification_queue(
            key=f"burst:{i}",
            kind="citizen_update",
            channel=Channel.EMAIL,
            audience=Audience.CITIZEN,
            address=f"warga{i}@example.id",
            complaint=complaint,
            context=context,
            now=timezone.now(),
        )
        assert queued is not None  # filing never waits for the broker: the row is written anyway
    burst = Notification.objects.filter(key__startswith="burst:")
    assert burst.count() == BURST
    assert any("Error" in r.getMessage() or r.exc_info for r in caplog.records)  # publishes did fail

    # The worker reconnects by itself and consumes what was published after Redis returned.
    wait_for(
        lambda: sum(fault.sink.counts().values()) > received_before_return,
        RECONSUME_LIMIT - (time.monotonic() - back_at),
        "the worker to consume again after Redis returned",
        on_timeout=worker,
    )
    reconsumed_after = time.monotonic() - back_at
    assert reconsumed_after < RECONSUME_LIMIT

    # Beat's next outbox_flush delivers the rows whose tasks Redis lost.
    def all_sent():
        if burst.filter(state="pending").exists():
            fault.send(outbox_flush)
            return False
        return True

    wait_for(all_sent, 120, "every notification of the burst to be sent", interval=3, on_timeout=worker)
    assert not burst.exclude(state="sent").exists()
    counts = fault.sink.counts()
    keys = {f"burst:{i}" for i in range(BURST)}
    lost = [k for k in keys if counts[k] == 0]
    doubled = [k for k in keys if counts[k] > 1]
    figures(
        record_property,
        "redis-restart",
        injected=1,
        burst=BURST,
        lost=len(lost),
        doubled=len(doubled),
        reconsumed_after_s=round(reconsumed_after, 1),
    )
    assert (lost, doubled) == ([], [])
    assert set(burst.values_list("attempts", flat=True)) == {1}


def test_a_connection_collected_while_redis_was_down_closes_without_killing_the_consumer(redis_server):
    """Celery 5.7, on a broken broker connection, collect()s it (dropping its transport) and then
    closes it; when the channel was left open, that close raised AttributeError and the worker
    died (a CI run of the test above). The worker's consumer closes such a connection quietly."""
    from celery.utils.imports import symbol_by_name
    from kombu import Connection, Queue

    from config.celery import app
    from config.celery_worker import Consumer, close_collected

    assert symbol_by_name(app.conf.worker_consumer) is Consumer

    def collected_connection():
        connection = Connection(redis_server.url)
        channel = connection.default_channel
        queue = Queue("collected", channel=channel)
        queue.declare()
        connection.Producer().publish({"n": 1}, routing_key="collected")
        assert queue.get(no_ack=False) is not None  # delivered, not yet acknowledged
        connection._do_close_transport()  # how collect() leaves it when the channel's close failed
        return connection

    plain = collected_connection()
    with pytest.raises(AttributeError, match="hostname"):
        plain.close()  # the upstream behaviour the consumer guards against

    connection = collected_connection()
    close_collected(connection)
    assert connection._closed is True
    assert connection._transport is None


def test_a_task_acknowledged_after_its_connection_was_collected_does_not_kill_the_consumer(
    redis_server, caplog
):
    """A task that finishes after the broker broke acknowledges on the old, collected channel;
    upstream that raised AttributeError in the event loop and the worker died after reconnecting
    (a later CI run of the burst test). The consumer's acknowledgement skips it with a warning;
    an acknowledgement on a live channel still removes the message from the broker."""
    import logging

    from kombu import Connection, Queue

    from config.celery_worker import Consumer, settle_unless_collected

    logger = logging.getLogger("tests.broker")
    errors = Connection(redis_server.url).connection_errors

    def delivered(connection, name):
        queue = Queue(name, channel=connection.default_channel)
        queue.declare()
        connection.Producer().publish({"n": 1}, routing_key=name)
        message = queue.get(no_ack=False)
        assert message is not None
        message.channel.qos.restore_at_shutdown = False  # no give-back at the test process's exit
        return message

    unacked = "unacked"  # kombu's Redis hash of delivered, unacknowledged messages
    live = Connection(redis_server.url)
    message = delivered(live, "live")
    assert live.default_channel.client.hlen(unacked) == 1
    settle_unless_collected(message.ack_log_error, logger, errors)
    assert message.acknowledged
    assert live.default_channel.client.hlen(unacked) == 0  # the live ack reached Redis

    old = Connection(redis_server.url)
    message = delivered(old, "old")
    message.channel._disconnect_pools()  # the broken channel's close let go of its pool,
    old._do_close_transport()  # and collect() dropped the transport, as when Redis broke
    with pytest.raises(AttributeError, match="hostname"):
        message.ack_log_error(logger, errors)  # the upstream behaviour guarded against
    with caplog.at_level(logging.WARNING, logger="tests.broker"):
        assert settle_unless_collected(message.ack_log_error, logger, errors) is None
        assert settle_unless_collected(message.reject_log_error, logger, errors) is None
    assert [r.getMessage().startswith("Not settling message") for r in caplog.records] == [True, True]

    # The consumer routes every acknowledgement through that guard, also when the hub runs it later.
    class Hub:
        def __init__(self):
            self.scheduled = []

        def call_soon(self, p):
            self.scheduled.append(p)
            return p

    consumer = Consumer.__new__(Consumer)
    consumer.hub = Hub()
    consumer.call_soon_ack(message.ack_log_error, logger, errors)
    (scheduled,) = consumer.hub.scheduled
    assert scheduled() is None  # upstream this raised inside the worker's event loop


def test_an_unrelated_attribute_error_while_acknowledging_is_not_hidden(redis_server):
    from config.celery_worker import settle_unless_collected

    class Message:
        channel = type("Channel", (), {"connection": type("Transport", (), {"client": object()})()})()
        delivery_tag = "t"

        def ack_log_error(self, logger, errors):
            raise AttributeError("a real bug")

    with pytest.raises(AttributeError, match="a real bug"):
        settle_unless_collected(Message().ack_log_error, None, ())
