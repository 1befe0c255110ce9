"""The router's rules without a running replica (tests/replica/test_replica_reads.py uses a real
one): reads go to the replica only inside replica_reads(), for a read request of a user who has not
just written, outside a transaction, never for sessions, users or roles; writes and migrations stay
on the primary; without the setting nothing changes."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from aduan.agencies.models import StaffMembership
from aduan.complaints.models import Complaint
from aduan.core import db_router
from aduan.core.db_router import (
    PIN_COOKIE,
    PrimaryReplicaRouter,
    pin_to_primary,
    replica_reads,
)
from aduan.users.models import User

pytestmark = pytest.mark.postgres  # the alias "replica" exists with PostgreSQL (settings.test)
router = PrimaryReplicaRouter()


@pytest.fixture
def reads_on(settings, monkeypatch):
    settings.ADUAN_REPLICA_READS = True
    monkeypatch.setattr(db_router, "replica_usable", lambda: True)


def test_without_the_setting_the_router_leaves_everything_as_it_was(settings):
    settings.ADUAN_REPLICA_READS = False
    with replica_reads() as used:
        assert used is False
        assert router.db_for_read(Complaint) is None


def test_reads_inside_the_opt_in_go_to_the_replica_and_nothing_else_does(reads_on):
    assert router.db_for_read(Complaint) == "default"  # no opt-in: the primary
    with replica_reads() as used:
        assert used is True
        assert router.db_for_read(Complaint) == "replica"
        # who is signed in, and with which roles, always from the primary
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(StaffMembership) == "default"
        assert router.db_for_write(Complaint) == "default"
    assert router.db_for_read(Complaint) == "default"
    assert router.allow_migrate("replica", "complaints") is False
    assert router.allow_migrate("default", "complaints") is None


@pytest.mark.django_db
def test_inside_a_transaction_on_the_primary_reads_stay_there(reads_on):
    """The test runs in a transaction (like a view inside atomic): its writes are not on the replica."""
    with replica_reads():
        assert router.db_for_read(Complaint) == "default"


def test_a_write_request_or_a_pinned_user_reads_from_the_primary(reads_on):
    factory = RequestFactory()
    with replica_reads(factory.post("/")) as used:
        assert used is False
    with replica_reads(factory.get("/")) as used:
        assert used is True
    pinned = factory.get("/")
    pinned.COOKIES[PIN_COOKIE] = str(time.time() + 10)
    with replica_reads(pinned) as used:
        assert used is False
    for stale in (str(time.time() - 1), "not-a-number"):
        expired = factory.get("/")
        expired.COOKIES[PIN_COOKIE] = stale
        with replica_reads(expired) as used:
            assert used is True


@pytest.mark.django_db
def test_every_write_request_pins_its_user_and_a_read_does_not(reads_on, client, settings, koordinator):
    settings.ADUAN_REPLICA_PIN_SECONDS = 20
    assert PIN_COOKIE not in client.get("/statistik/").cookies
    response = client.post("/statistik/")  # refused (405), still a write request: pinned
    assert response.status_code == 405
    assert response.cookies[PIN_COOKIE]["max-age"] == 20
    assert response.cookies[PIN_COOKIE]["httponly"]
    assert cache.get(f"aduan:db:primary-until:{koordinator.pk}") is None  # anonymous: cookie only
    client.force_login(koordinator)
    client.post("/statistik/")
    until = cache.get(f"aduan:db:primary-until:{koordinator.pk}")
    assert time.time() + 15 < until <= time.time() + 20
    settings.ADUAN_REPLICA_READS = False  # no replica: no cookie, as before
    assert PIN_COOKIE not in client.post("/statistik/").cookies


@pytest.mark.django_db
def test_a_signed_in_user_without_the_cookie_is_pinned_by_the_cache(reads_on, koordinator):
    request = RequestFactory().post("/")
    request.user = koordinator
    pin_to_primary(request, HttpResponse())
    read = RequestFactory().get("/")  # an API client that keeps no cookie
    read.user = koordinator
    with replica_reads(read) as used:
        assert used is False
