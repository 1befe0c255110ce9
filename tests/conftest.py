"""Shared fixtures and the rule for tests that need real services.

Tests marked ``postgres`` need DATABASE_URL to point at PostgreSQL; tests marked ``redis`` need
REDIS_URL; ``gettext`` needs GNU gettext (xgettext, msgmerge); ``browser`` needs Chromium
(tests/browser/ are marked automatically); ``clamav`` needs ClamAV's clamd binary (the tests start
their own daemon); ``nginx`` needs Debian's nginx (tests/ops/test_deploy_stack.py); ``imap`` needs
Debian's dovecot (dovecot-imapd: tests/complaints/test_mailbox.py starts its own); ``replica`` needs a
streaming PostgreSQL replica (tests/replica/: the alias "replica", port 5433 unless DATABASE_REPLICA_URL
says otherwise), which .ci/replica.sh starts when it does not answer. Without the service they are
skipped on a developer's machine, but when ADUAN_REQUIRE_SERVICES=1 (as .ci/run sets) a missing
service fails them instead.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from django.conf import settings

from aduan.complaints.selectors import Actor
from aduan.sla.defaults import ensure_default_policies
from aduan.sla.models import SlaPolicy

from .factories import (
    ComplaintFactory,
    MembershipFactory,
    OpdFactory,
    PemdaFactory,
    UserFactory,
)

REQUIRE_SERVICES = os.environ.get("ADUAN_REQUIRE_SERVICES") == "1"


def _service_missing(marker: str) -> str | None:
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "PostgreSQL is not configured (set DATABASE_URL=postgres://...)"
    if marker == "redis" and not os.environ.get("REDIS_URL"):
        return "Redis is not configured (set REDIS_URL=redis://...)"
    if marker == "gettext" and not (shutil.which("xgettext") and shutil.which("msgmerge")):
        return "GNU gettext is not installed (apt-get install gettext)"
    if marker == "browser" and not shutil.which("chromium"):
        return "Chromium is not installed (apt-get install chromium)"
    if marker == "clamav" and not shutil.which("clamd", path=os.environ.get("PATH", "") + ":/usr/sbin"):
        return "ClamAV's clamd is not installed (apt-get install clamav-daemon)"
    if marker == "nginx" and not shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin"):
        return "nginx is not installed (apt-get install nginx)"
    if marker == "imap" and not shutil.which("dovecot", path=os.environ.get("PATH", "") + ":/usr/sbin"):
        return "dovecot is not installed (apt-get install dovecot-imapd)"
    if marker == "replica":
        return _replica_missing()
    return None


_REPLICA: dict[str, str | None] = {}


def _replica_streaming() -> bool:
    """The replica alias answers and is a standby that streams from its primary."""
    import psycopg

    db = settings.DATABASES["replica"]
    try:
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
            password=db["PASSWORD"], dbname="postgres", connect_timeout=3,
        ) as conn:  # fmt: skip
            # (pg_stat_wal_receiver's details are for superusers; these two functions are not)
            row = conn.execute("select pg_is_in_recovery() and pg_last_wal_receive_lsn() is not null")
            return bool(row.fetchone()[0])
    except psycopg.Error:
        return False


def _replica_missing() -> str | None:
    """Checked once per run. When the replica is the local one of .ci/replica.sh (no
    DATABASE_REPLICA_URL), the script starts it, or builds it with pg_basebackup (idempotent)."""
    if "missing" in _REPLICA:
        return _REPLICA["missing"]
    missing = None
    if "replica" not in settings.DATABASES:
        missing = "PostgreSQL is not configured (set DATABASE_URL=postgres://...), so no replica"
    elif not _replica_streaming():
        output = "DATABASE_REPLICA_URL is set: start that replica yourself"
        if not os.environ.get("DATABASE_REPLICA_URL"):
            script = settings.BASE_DIR / ".ci" / "replica.sh"
            env = {**os.environ, "ADUAN_REPLICA_PORT": str(settings.DATABASES["replica"]["PORT"])}
            try:
                done = subprocess.run(
                    ["bash", str(script)], env=env, capture_output=True, text=True, timeout=300, check=False
                )
                output = (done.stdout + done.stderr).strip()[-400:]
            except (OSError, subprocess.TimeoutExpired) as exc:
                output = str(exc)
        if not _replica_streaming():
            missing = f"no streaming replica on the 'replica' alias ({output})"
    _REPLICA["missing"] = missing
    return missing


_FAULT_FIGURES: list[str] = []


def pytest_runtest_logreport(report):
    """Collect the figures the fault tests record (``record_property("fault-figures", ...)``); under
    xdist the reports, with their properties, reach this process too."""
    if report.when == "call":
        _FAULT_FIGURES.extend(value for key, value in report.user_properties if key == "fault-figures")


def pytest_terminal_summary(terminalreporter):
    """Print them at the end of the run (faults injected, effects lost, doubled)."""
    if _FAULT_FIGURES:
        terminalreporter.section("fault figures")
        for line in sorted(_FAULT_FIGURES):
            terminalreporter.write_line(line)


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "gettext", "browser", "clamav", "nginx", "imap", "replica"):
        if item.get_closest_marker(marker) is None:
            continue
        missing = _service_missing(marker)
        if missing is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"{missing}, and ADUAN_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
        pytest.skip(missing)


@pytest.fixture
def sql_compilations(monkeypatch):
    """The models of the SELECTs Django compiles from now on (aduan.core.query_shapes: a shaped
    query is compiled once per process). Empty it with ``del sql_compilations[:]``."""
    from django.db.models.sql.compiler import SQLCompiler

    counted = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        counted.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return counted


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language: a request through LocaleMiddleware (say with
    Accept-Language: en) leaves its language active in the test's thread afterwards, and a later
    test that calls code directly would otherwise see English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: throttle counters and upload stashes never carry
    over from one test to the next."""
    from django.core.cache import cache

    from aduan.notifications.services import endpoints_cache_clear
    from aduan.portal.forms import filing_choices_clear
    from aduan.sla.services import calendar_cache_clear, policies_cache_clear
    from aduan.workspace.views.staff_queues import queue_caches_clear

    cache.clear()
    # rows of an earlier test's (rolled back or flushed) database are gone
    policies_cache_clear()
    calendar_cache_clear()
    endpoints_cache_clear()
    filing_choices_clear()
    queue_caches_clear()


@pytest.fixture
def pemda(db):
    return PemdaFactory()


@pytest.fixture
def opd(pemda):
    return OpdFactory(pemda=pemda)


@pytest.fixture
def other_opd(pemda):
    return OpdFactory(pemda=pemda)


@pytest.fixture
def koordinator(pemda):
    return MembershipFactory(role="koordinator", pemda=pemda).user


@pytest.fixture
def petugas(opd):
    return MembershipFactory(role="petugas_opd", opd=opd).user


@pytest.fixture
def kepala(opd):
    return MembershipFactory(role="kepala_opd", opd=opd).user


@pytest.fixture
def ombudsman(pemda):
    return MembershipFactory(role="ombudsman", province=pemda.province).user


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture
def complaint(pemda):
    return ComplaintFactory(pemda=pemda)


@pytest.fixture
def system_actor():
    return Actor.system()


@pytest.fixture
def default_policies(db):
    """The default SlaPolicy rows: a data migration loads them, but transactional tests empty
    every table, so tests that need clocks ask for this."""
    ensure_default_policies(SlaPolicy)


@dataclass
class World:
    pemda: object
    opd: object
    other_opd: object
    koordinator: object
    petugas: list
    kepala: object
    other_petugas: object
    other_kepala: object


@pytest.fixture
def world(default_policies):
    """One Pemda in Asia/Makassar with its koordinator, an OPD with two petugas and a kepala, and a
    second OPD with its own petugas and kepala."""
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum")
    other_opd = OpdFactory(pemda=pemda, name="Dinas Perhubungan")
    return World(
        pemda=pemda,
        opd=opd,
        other_opd=other_opd,
        koordinator=MembershipFactory(role="koordinator", pemda=pemda).user,
        petugas=[MembershipFactory(role="petugas_opd", opd=opd).user for _ in range(2)],
        kepala=MembershipFactory(role="kepala_opd", opd=opd).user,
        other_petugas=MembershipFactory(role="petugas_opd", opd=other_opd).user,
        other_kepala=MembershipFactory(role="kepala_opd", opd=other_opd).user,
    )
