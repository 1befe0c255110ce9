"""Server errors reach someone without personal data: Sentry (a fake DSN on loopback receives the
real envelope) and, without Sentry, an e-mail to ADMINS."""

import gzip
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core import mail

from aduan.core.errors import AdminEmailHandler, scrub
from tests.core.test_settings import run_python

SECRET = "Zq9xW2vB7nM4pL8rT1yU6iO0aS5dF3gHjK"
NAME, EMAIL, PHONE, NIK = "Siti Rahmawati", "siti.rahma@contoh.id", "081377712345", "6471012345678901"

FAILING_REQUEST = f"""
import django, json, sentry_sdk
django.setup()
from django.core.wsgi import get_wsgi_application
from django.test import RequestFactory
app = get_wsgi_application()  # the WSGI entry point gunicorn calls, as Sentry's integration wraps it
request = RequestFactory(HTTP_HOST="localhost").post(
    "/api/v1/track/{SECRET}/reply/?email={EMAIL}",
    json.dumps({{"note": "Saya {NAME}, {EMAIL}, {PHONE}, NIK {NIK}"}}),
    content_type="application/json",
    HTTP_COOKIE="sessionid=abc; reporter={EMAIL}",
)
statuses = []
b"".join(app(request.environ, lambda status, headers, exc_info=None: statuses.append(status)))
print("STATUS", statuses[0], flush=True)
sentry_sdk.flush(10)
"""


class FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        FakeSentry.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_a_server_error_reaches_sentry_without_name_email_phone_nik_or_secret(tmp_path):
    FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "ADUAN_VAR_DIR": str(tmp_path),  # an empty SQLite database: the view fails (no table)
            "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/42",
        }
        result = run_python(FAILING_REQUEST, env)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert "STATUS 500 Internal Server Error" in result.stdout
    envelopes = b"\n".join(FakeSentry.received).decode()
    events = [
        json.loads(line) for line in envelopes.splitlines() if line.startswith("{") and '"exception"' in line
    ]
    assert events, envelopes[:2000]
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "OperationalError"
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"] == "http://localhost/api/v1/track/…/reply/"
    assert set(event["request"]) <= {"url", "method"}
    assert "user" not in event
    for private in (NAME, EMAIL, PHONE, NIK, SECRET, "sessionid"):
        assert private not in envelopes, private


def test_without_sentry_an_error_is_mailed_to_admins_redacted(settings):
    settings.ADMINS = [("Tim TI", "ti@example.go.id")]
    handler = AdminEmailHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("aduan.test.admins")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError(f"mail to {EMAIL} ({PHONE}) failed for /lacak/{SECRET}/")
    except ValueError:
        logger.exception("notification %s failed: %s", 12, f"to {EMAIL}")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ti@example.go.id"]
    assert message.subject.endswith("ERROR: ERROR aduan.test.admins notification 12 failed: to [email]")
    assert "ValueError: mail to [email] ([telepon]) failed for /lacak/…/" in message.body
    for private in (EMAIL, PHONE, SECRET):
        assert private not in message.subject + message.body


def test_admins_get_mail_only_when_sentry_is_not_configured(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LOGGING['root']['handlers'], s.ADMINS)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.base", "ADUAN_VAR_DIR": str(tmp_path)}
    with_admins = run_python(probe, {**env, "ADMINS": "Tim TI <ti@example.go.id>,ops@example.go.id"})
    assert with_admins.returncode == 0, with_admins.stderr
    assert (
        "['console', 'mail_admins'] [('Tim TI', 'ti@example.go.id'), ('', 'ops@example.go.id')]"
        in with_admins.stdout
    )
    with_sentry = run_python(
        probe, {**env, "ADMINS": "ti@example.go.id", "SENTRY_DSN": "http://k@127.0.0.1:9/1"}
    )
    assert with_sentry.returncode == 0, with_sentry.stderr
    assert "['console'] " in with_sentry.stdout


def test_scrub_masks_contacts_nik_and_secrets_but_keeps_ticket_numbers():
    text = f"BPN-2026-000123 {EMAIL} +62 813-7771-2345 {PHONE} {NIK} /api/v1/track/{SECRET}/"
    assert scrub(text) == "BPN-2026-000123 [email] [telepon] [telepon] [nik] /api/v1/track/…/"
