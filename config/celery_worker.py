"""The Celery worker's consumer (``worker_consumer`` in config/celery.py) with one repair, and its
database connections kept between tasks.

When the broker's connection breaks, Celery 5.7 first ``collect()``s the broken connection, which
drops its transport, and then ``close()``s it. If the channel's own close failed during the
collect (Redis was down mid-poll), that second close tries to give the unacknowledged messages
back to Redis through the dropped transport and raises ``AttributeError: 'NoneType' object has no
attribute 'hostname'`` — not a connection error, so it escapes Celery's guard, the consumer dies
and the worker shuts down instead of reconnecting (seen once in tests/fault/test_broker_restart.py).
Here that second close tolerates exactly that case: the messages it wanted to give back were in
the Redis that died (the outbox in PostgreSQL re-sends them), and the consumer goes on to reconnect.

The same dropped transport trips a task that finishes after the break: its acknowledgement (or
rejection) goes to the old channel, whose transport no longer knows its broker, and raises the same
``AttributeError`` inside the event loop, killing the worker after it had reconnected (a later CI
run of the same test). Such an acknowledgement is skipped with a warning. If that Redis restarted
empty the message is gone; if it kept its data, Redis hands the message out again after its
visibility timeout and the task runs a second time — which the tasks allow: each one reads its
row's state in PostgreSQL first (an outbox row already sent is not sent again).
"""

from functools import partial

from celery.signals import task_postrun, task_prerun
from celery.worker.consumer import Consumer as CeleryConsumer
from django.db import close_old_connections


def close_collected(connection) -> None:
    """``connection.close()``, except that a connection whose transport ``collect()`` already
    dropped is only marked closed when closing it trips over the missing transport."""
    try:
        type(connection).close(connection)
    except AttributeError:
        if connection._transport is not None:  # not the collected case: a real bug, let it out
            raise
        connection._closed = True


def collected(message) -> bool:
    """Whether ``message`` came through a connection that ``collect()`` has since dropped."""
    transport = getattr(message.channel, "connection", None)
    return transport is not None and getattr(transport, "client", None) is None


def settle_unless_collected(settle, logger, errors, *args, **kwargs):
    """``message.ack_log_error`` / ``reject_log_error``, except that a message whose connection was
    collected is left alone (with a warning) when settling it trips over the missing transport."""
    try:
        return settle(logger, errors, *args, **kwargs)
    except AttributeError:
        message = settle.__self__
        if not collected(message):  # not the collected case: a real bug, let it out
            raise
        logger.warning(
            "Not settling message %r: its broker connection was lost; the broker gives it out again "
            "after its visibility timeout if it still holds it",
            message.delivery_tag,
        )
        return None


class Consumer(CeleryConsumer):
    def call_soon_ack(self, p, *args, **kwargs):
        return super().call_soon_ack(partial(settle_unless_collected, p), *args, **kwargs)

    def on_connection_error_after_connected(self, exc):
        connection = self.connection
        if connection is not None:
            connection.close = lambda: close_collected(connection)
        super().on_connection_error_after_connected(exc)


@task_prerun.connect
@task_postrun.connect
def connections_keep_or_close(task=None, **kwargs) -> None:
    """Between tasks, what Django does between requests: a connection older than CONN_MAX_AGE, left
    in a failed state or with autocommit changed is closed, any other is kept and checked before
    its next use (CONN_HEALTH_CHECKS), so a PostgreSQL restart costs a reconnect, not a failed task.
    Not for a task run eagerly inside a caller's transaction (the tests): that connection is the
    caller's."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
