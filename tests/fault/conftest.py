"""Fixtures of the fault tests: an SMTP sink, a private redis-server and the worker harness
(tests/fault/harness.py). Data is committed (transactional tests) so the other processes see it."""

import pytest

from .harness import Fault, Gunicorn, RedisServer, SmtpSink


@pytest.fixture
def sla_policies(transactional_db, default_policies):
    """Transactional tests empty every table, so the data migration's policies are gone: recreate."""


@pytest.fixture
def methodologies(transactional_db):
    """The initial scoring methods (the data migration's rows are gone in transactional tests)."""
    from aduan.compliance.methodologies import ensure_initial_methodologies
    from aduan.compliance.models import Methodology

    ensure_initial_methodologies(Methodology)


@pytest.fixture
def sink():
    s = SmtpSink()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def redis_server(tmp_path):
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def fault(transactional_db, sla_policies, tmp_path, sink, redis_server):
    """Depends on ``transactional_db`` so that the workers stop before the tables are flushed."""
    f = Fault(tmp_path, sink, redis_server.url)
    try:
        yield f
    finally:
        try:
            f.stop_workers()
        finally:
            f.restore()


@pytest.fixture
def web(fault, tmp_path):
    """gunicorn (two sync workers) on the test database, publishing to the test's broker."""
    server = Gunicorn(broker=fault.broker, tmp=tmp_path)
    try:
        yield server
    finally:
        server.close()
