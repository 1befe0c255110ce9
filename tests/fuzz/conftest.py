"""Shared pieces of the fuzz tests: hostile text and values (Hypothesis strategies), one bounded
Hypothesis profile, a savepoint per example, the database counts that must not move when input is
refused, and the checks on escaping.

Every example runs inside a savepoint that is rolled back afterwards (``example()``), with an
empty cache (the throttles count per client), so examples never see each other's complaints."""

import html
import json
import os
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from aduan.complaints.models import (
    Attachment,
    CannedResponse,
    Complaint,
    ComplaintEvent,
    ComplaintNote,
    ComplaintRating,
    ReporterIdentity,
    SkmResponse,
)
from aduan.notifications.models import Notification
from tests.factories import CategoryFactory

NUL_GUARD = "aduan.core.middleware.RejectNulMiddleware"


# ADUAN_FUZZ_SCALE=10 tries ten times as many inputs (a deeper run by hand); CI uses the defaults.
FUZZ_SCALE = float(os.environ.get("ADUAN_FUZZ_SCALE", "1"))


def fuzz_settings(max_examples: int):
    """Bounded, reproducible (derandomized), no deadline (the database varies in speed)."""
    return settings(
        max_examples=max(1, round(max_examples * FUZZ_SCALE)),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


# --- Hostile values ----------------------------------------------------------------------------

SCRIPT = "<script>alert('aduan')</script>"
PAYLOADS = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert(2)</script>",
    "' onmouseover='alert(3)",
    "javascript:alert(4)",
    "{{ request.user }}{% debug %}",
    "'; DROP TABLE complaints_complaint; --",
    '=HYPERLINK("http://evil.example","klik")',
    "\u202egnp.exe\u202c",  # right-to-left override
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width characters
    "\u200f\u0627\u0644\u0633\u0644\u0627\u0645",  # RTL mark + Arabic
    "😀👍🏽👨‍👩‍👧‍👦🇮🇩",  # emoji, skin tone, ZWJ family, flag
    "Z\u0351\u0367\u0311\u0313a\u036b\u0343\u036al\u0368\u0306g\u0310\u0300o",  # combining marks
    "\x00",
    "jalan\x00rusak",
    "\ud800",  # lone high surrogate
    "x\udfffy",  # lone low surrogate
    "\x01\x07\x1b[31m\x7f",
    "\r\n\t \u00a0\u3000",
    "   ",
    "ﷺ" * 40,
    "%00%0d%0a",
]
HUGE = ["x" * 300_000]

# Any code point, surrogates and controls included.
any_char = st.characters(exclude_categories=())
# Just over the usual limits (title 200, chronology 10,000, note 5,000), and far over.
long_text = st.sampled_from([201, 2001, 5001, 10_001, 40_000]).map(lambda n: "ab<i>" * (n // 5 + 1))
hostile_text = st.one_of(
    st.sampled_from(PAYLOADS),
    long_text,
    st.text(any_char, max_size=60),
    st.lists(st.sampled_from(PAYLOADS) | st.text(any_char, max_size=8), max_size=4).map("".join),
)
wrong_json = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers() | st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
json_value = st.one_of(hostile_text, wrong_json)
bad_dates = st.sampled_from(
    [
        "0000-00-00", "0001-01-01", "1899-12-31", "9999-12-31", "10000-01-01", "2026-02-30",
        "2026-13-01", "31/12/2025", "2025-12-31T25:61:00", "yesterday", "", "-1", "1e9", "2025-1-1",
    ]
)  # fmt: skip
bad_coordinates = st.one_of(
    st.sampled_from(
        [
            "90.0000001",
            "-90.000001",
            "180.5",
            "-181",
            "1e400",
            "NaN",
            "Infinity",
            "-0",
            "0x10",
            "１２",
            "1,5",
            " 45 ",
            "",
            "999999999999999999999",
        ]
    ),  # fmt: skip
    st.floats(allow_nan=False, allow_infinity=False).map(str),
)


def form_bytes(value: str) -> str:
    """``value`` percent-encoded as a hostile client would send it: lone surrogates as the raw
    bytes a UTF-8 encoder without checks writes (ED A0 80), which Django decodes with 'replace'."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def urlencoded(data: dict) -> str:
    parts = []
    for key, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append(f"{form_bytes(key)}={form_bytes(str(one))}")
    return "&".join(parts)


def as_server_reads(value: str) -> str:
    """What Django's form parsing makes of ``value`` sent by ``urlencoded``."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def dump_json(data) -> str:
    """JSON with lone surrogates as \\udXXX escapes (valid JSON text, invalid Unicode)."""
    return json.dumps(data)


# --- Per example -------------------------------------------------------------------------------


@contextmanager
def example():
    """One Hypothesis example: empty cache, everything written rolled back afterwards."""
    cache.clear()
    mail.outbox = []
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


COUNTED = (
    Complaint,
    ComplaintEvent,
    Attachment,
    Notification,
    ComplaintNote,
    ComplaintRating,
    SkmResponse,
    CannedResponse,
    ReporterIdentity,
)


def counts() -> dict:
    """What a refused request must leave as it was (mail.outbox is the e-mail sent)."""
    snapshot = {model.__name__: model.objects.count() for model in COUNTED}
    snapshot["outbox"] = len(mail.outbox)
    return snapshot


def assert_api_error(response, *statuses):
    """The API's error body: a stable ``code`` and a translated ``message``."""
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body.get("code"), str), body
    assert body["code"], body
    assert isinstance(body.get("message"), str), body
    assert body["message"], body
    return body


def assert_escaped(content: str, raw: str):
    """``raw`` (holding HTML) does not appear as such in the page; its escaped form does."""
    assert raw not in content
    assert html.escape(raw) in content


def has_markup(value: str) -> bool:
    return any(ch in value for ch in "<>\"'&")


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def category(world):
    return CategoryFactory(pemda=world.pemda, default_opd=world.opd)


@pytest.fixture
def nul_guard(settings):
    """The stack with aduan.core.middleware.RejectNulMiddleware (after LocaleMiddleware), for the
    pages that read raw values (tracking, look-up) — until config/settings adds it for good."""
    if NUL_GUARD not in django_settings.MIDDLEWARE:
        stack = list(django_settings.MIDDLEWARE)
        stack.insert(stack.index("django.middleware.locale.LocaleMiddleware") + 1, NUL_GUARD)
        settings.MIDDLEWARE = stack
