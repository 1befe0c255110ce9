"""Fixtures for the outbox tests: default SLA policies, a small Pemda world, an e-mail backend that
fails on demand and a tiny webhook receiver on 127.0.0.1."""

import json
import smtplib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

FLAKY_BACKEND = "tests.notifications.conftest.FlakyBackend"
WEBHOOK_SECRET = "uji-rahasia-webhook"


class FlakyBackend(LocmemBackend):
    """The locmem backend (messages land in ``mail.outbox``), but raises ``error`` while it is set."""

    error: Exception | None = None
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).error is not None:
            raise type(self).error
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _policies(default_policies):
    """Every outbox test runs with the default SLA policies (from tests/conftest.py)."""


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = FLAKY_BACKEND
    FlakyBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    FlakyBackend.calls = 0
    yield FlakyBackend
    FlakyBackend.error = None
    FlakyBackend.calls = 0


@dataclass
class Receiver:
    """What the webhook server got, and the status it answers with."""

    status: int = 200
    requests: list = field(default_factory=list)  # (headers dict, body bytes)

    def json(self, i: int = -1) -> dict:
        return json.loads(self.requests[i][1])


@pytest.fixture
def webhook(settings):
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append((dict(self.headers), body))
            self.send_response(receiver.status)
            if 300 <= receiver.status < 400:  # a redirect elsewhere, which must not be followed
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.ADUAN_WEBHOOK_URL = f"http://127.0.0.1:{server.server_address[1]}/kirim"
    settings.ADUAN_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
