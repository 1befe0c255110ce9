"""The session engine (aduan.core.sessions) reads Django's session table with a compiled-once
query: a live session signs its user in, an expired or unknown one does not, and sessions move
between it and Django's own database engine unchanged."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from aduan.core.sessions import SessionStore

pytestmark = pytest.mark.postgres


def test_a_live_session_is_read_and_an_expired_or_unknown_one_is_not(db):
    store = SessionStore()
    store["answer"] = 42
    store.create()
    key = store.session_key
    assert SessionStore(key)["answer"] == 42
    assert DjangoStore(key)["answer"] == 42  # Django's engine reads what this one wrote
    theirs = DjangoStore()
    theirs["from"] = "django"
    theirs.create()
    assert SessionStore(theirs.session_key)["from"] == "django"

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(key)
    assert "answer" not in expired
    assert expired.session_key is None  # a new session will get a new key, as Django's engine does
    unknown = SessionStore("x" * 32)
    assert dict(unknown.items()) == {}
    assert unknown.session_key is None
    assert Session.objects.filter(session_key=key).exists()  # reading deletes nothing


def test_staff_pages_sign_in_through_it(client, world):
    client.force_login(world.petugas[0])
    assert client.get("/staf/kotak-masuk/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/staf/kotak-masuk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staf/masuk/")
