"""JSON logs (LOG_FORMAT=json) with the request id, still redacted. That the id travels with the
Celery tasks a request queues: tests/integration/test_request_id.py (a real worker)."""

import json

from tests.core.test_settings import run_python

SECRET = "Zq9xW2vB7nM4pL8rT1yU6iO0aS5dF3gHjK"

PROBE = f"""
import django, logging
django.setup()
from django.test import Client
client = Client(HTTP_HOST="localhost")
ID = "0123456789abcdef0123456789abcdef"
given = client.get("/lacak/{SECRET}/tidak-ada/", headers={{"X-Request-ID": ID}})
fresh = client.get("/lacak/{SECRET}/tidak-ada/", headers={{"X-Request-ID": "<script>"}})
print("IDS", given["X-Request-ID"], fresh["X-Request-ID"], given.status_code, flush=True)
try:
    raise ValueError("broken at /lacak/{SECRET}/aksi/")
except ValueError:
    logging.getLogger("aduan.test").exception("failed on /lacak/{SECRET}/")
"""


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_json_lines_carry_the_request_id_and_never_the_tracking_secret(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ADUAN_VAR_DIR": str(tmp_path),
        "LOG_FORMAT": "json",
    }
    result = run_python(PROBE, env)
    assert result.returncode == 0, result.stderr
    _, given, fresh, status = next(
        line for line in result.stdout.splitlines() if line.startswith("IDS")
    ).split()
    assert status == "404"
    assert given == "0123456789abcdef0123456789abcdef"  # nginx's id is kept
    assert len(fresh) == 32
    assert fresh != given  # anything but a UUID is replaced
    lines = json_lines(result.stderr)
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert [line["request_id"] for line in not_found] == [given, fresh]
    assert not_found[0]["message"] == "Not Found: /lacak/…/tidak-ada/"
    assert set(not_found[0]) >= {"time", "level", "logger", "request_id", "message"}
    assert "request" not in not_found[0]
    failure = next(line for line in lines if line["logger"] == "aduan.test")
    assert failure["level"] == "ERROR"
    assert failure["message"] == "failed on /lacak/…/"
    assert "ValueError: broken at /lacak/…/aksi/" in failure["exc_info"]
    assert SECRET not in result.stderr


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ADUAN_VAR_DIR": str(tmp_path),
        "LOG_FORMAT": "xml",
    }
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "LOG_FORMAT=xml: use 'plain' or 'json'" in result.stderr
