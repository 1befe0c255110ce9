"""Test-only e-mail backends for the Celery worker process the integration tests start.

The worker selects one through ``settings.EMAIL_BACKEND`` (set by the worker bootstrap in
conftest.py) and finds its directory in the ADUAN_TEST_MAIL_DIR environment variable. Everything
they do is visible to the test through files in that directory:

- ``outbox/<n>.json``: one file per delivered message (written atomically: temp file + rename);
- ``journal.log``: one line per send attempt (``<outcome> <X-Aduan-Notification key> pid=<pid>``);
- marker files the test creates to change their behaviour (``slow``, ``down``) and files they
  write to say where they are (``started``).
"""

import json
import os
import smtplib
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

SLOW_SECONDS = 10.0


def mail_dir() -> Path:
    return Path(os.environ["ADUAN_TEST_MAIL_DIR"])


def journal(outcome: str, message) -> None:
    key = message.extra_headers.get("X-Aduan-Notification", "")
    with open(mail_dir() / "journal.log", "a", encoding="utf-8") as f:
        f.write(f"{outcome} {key} pid={os.getpid()}\n")


class RecordingBackend(BaseEmailBackend):
    """Delivers each message as one JSON file under ``outbox/``."""

    def send_messages(self, email_messages) -> int:
        outbox = mail_dir() / "outbox"
        outbox.mkdir(exist_ok=True)
        for message in email_messages:
            self.before_send(message)
            record = {
                "to": list(message.to),
                "subject": message.subject,
                "body": message.body,
                "key": message.extra_headers.get("X-Aduan-Notification", ""),
                "pid": os.getpid(),
            }
            name = f"{time.time_ns()}-{uuid.uuid4().hex}"
            tmp = outbox / f".{name}.tmp"
            tmp.write_text(json.dumps(record), encoding="utf-8")
            tmp.rename(outbox / f"{name}.json")
            journal("sent", message)
        return len(email_messages)

    def before_send(self, message) -> None:
        """Hook for the misbehaving backends below."""


class SlowOnceBackend(RecordingBackend):
    """The first send after the test creates ``slow`` claims the marker (an atomic rename, so only
    one send ever does), writes ``started`` (its pid, then the message key) and stalls for up to
    SLOW_SECONDS before delivering — long enough for the test to kill the worker mid-send."""

    def before_send(self, message) -> None:
        directory = mail_dir()
        try:
            (directory / "slow").rename(directory / "slow.claimed")
        except FileNotFoundError:
            return
        journal("stalled", message)
        key = message.extra_headers.get("X-Aduan-Notification", "")
        (directory / "started").write_text(f"{os.getpid()}\n{key}\n", encoding="utf-8")
        time.sleep(SLOW_SECONDS)


class DownWhileMarkedBackend(RecordingBackend):
    """While ``down`` exists the mail server "drops the connection" (SMTPServerDisconnected, a
    transient failure for the e-mail channel); once the test removes it, mail is delivered."""

    def before_send(self, message) -> None:
        if (mail_dir() / "down").exists():
            journal("down", message)
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed (test mail server is down)")
