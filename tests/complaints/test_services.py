"""complaint_submit(): numbering, the tracking secret, the identity row, the first event, and the
input it refuses (storing nothing)."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from aduan.complaints.models import (
    ActorRole,
    Channel,
    Classification,
    Complaint,
    ComplaintEvent,
    ReporterIdentity,
    Status,
    TicketCounter,
)
from aduan.complaints.services import ReporterData, complaint_submit
from aduan.complaints.workflow import Action
from aduan.core.exceptions import InvalidInput
from tests.factories import CategoryFactory, OpdFactory, PemdaFactory, UserFactory

# 2026-06-30 17:00 UTC is 2026-07-01 01:00 in Asia/Makassar (WITA, UTC+8)
NOW = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
REPORTER = ReporterData(
    name="Siti Aminah", email="siti@example.id", phone="0812 3456 7890", nik="6471012345678901"
)


def submit(pemda, **overrides):
    kwargs = {
        "pemda": pemda,
        "title": "Lampu jalan mati",
        "chronology": "Lampu jalan di Jl. Sudirman mati sejak seminggu, jalan gelap di malam hari.",
        "reporter": REPORTER,
        "now": NOW,
    }
    kwargs.update(overrides)
    return complaint_submit(**kwargs)


@pytest.fixture
def bpn(db):
    return PemdaFactory(code="BPN", timezone="Asia/Makassar")


def stored_counts():
    return {
        "complaints": Complaint.objects.count(),
        "identities": ReporterIdentity.objects.count(),
        "events": ComplaintEvent.objects.count(),
        "counters": list(TicketCounter.objects.order_by("pk").values()),
    }


# ---------------------------------------------------------------------------------- happy path


def test_submit_stores_the_complaint_identity_and_first_event(bpn):
    category = CategoryFactory(pemda=bpn)
    opd = OpdFactory(pemda=bpn)
    user = UserFactory()
    complaint = submit(
        bpn,
        title="  Lampu jalan mati  ",
        chronology="\nLampu jalan mati sejak seminggu.\n",
        reporter=ReporterData(
            name=" Siti Aminah ", email="siti@example.id ", phone="", nik="6471012345678901"
        ),
        classification=Classification.ASPIRASI,
        incident_date=date(2026, 6, 28),
        location_text=" Jl. Sudirman ",
        latitude=Decimal("-1.265386"),
        longitude=Decimal("116.831200"),
        category=category,
        target_opd=opd,
        is_confidential=True,
        reporter_user=user,
        channel=Channel.API,
    )

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.ticket_number == "BPN-2026-000001"
    assert (complaint.pemda_id, complaint.title, complaint.chronology) == (
        bpn.pk,
        "Lampu jalan mati",
        "Lampu jalan mati sejak seminggu.",
    )
    assert (complaint.classification, complaint.incident_date, complaint.location_text) == (
        Classification.ASPIRASI,
        date(2026, 6, 28),
        "Jl. Sudirman",
    )
    assert (complaint.latitude, complaint.longitude) == (Decimal("-1.265386"), Decimal("116.831200"))
    assert (complaint.category_id, complaint.target_opd_id, complaint.current_opd_id) == (
        category.pk,
        opd.pk,
        None,
    )
    assert (complaint.is_anonymous, complaint.is_confidential, complaint.channel) == (
        False,
        True,
        Channel.API,
    )
    assert complaint.reporter_user_id == user.pk
    assert (complaint.status, complaint.submitted_at, complaint.status_changed_at, complaint.closed_at) == (
        Status.SUBMITTED,
        NOW,
        NOW,
        None,
    )

    identity = ReporterIdentity.objects.get(complaint=complaint)
    assert (identity.name, identity.email, identity.phone, identity.nik) == (
        "Siti Aminah",
        "siti@example.id",
        "",
        "6471012345678901",
    )

    [event] = ComplaintEvent.objects.filter(complaint=complaint)
    assert (event.action, event.from_status, event.to_status, event.actor_role) == (
        Action.SUBMIT,
        "",
        Status.SUBMITTED,
        ActorRole.CITIZEN,
    )
    assert (event.actor_id, event.opd_id, event.note, event.created_at) == (user.pk, None, "", NOW)


def test_submit_without_account_records_no_actor(bpn):
    complaint = submit(bpn)
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert (event.actor_id, event.actor_role) == (None, ActorRole.CITIZEN)
    assert Complaint.objects.get(pk=complaint.pk).reporter_user_id is None


def test_ticket_numbers_are_sequential_per_pemda(bpn):
    smd = PemdaFactory(code="SMD", timezone="Asia/Makassar")
    numbers = [
        submit(bpn).ticket_number,
        submit(bpn).ticket_number,
        submit(smd).ticket_number,
        submit(bpn).ticket_number,
        submit(smd).ticket_number,
    ]
    assert numbers == [
        "BPN-2026-000001",
        "BPN-2026-000002",
        "SMD-2026-000001",
        "BPN-2026-000003",
        "SMD-2026-000002",
    ]
    assert sorted(TicketCounter.objects.values_list("pemda__code", "year", "last_number")) == [
        ("BPN", 2026, 3),
        ("SMD", 2026, 2),
    ]


def test_ticket_year_follows_the_pemda_time_zone(bpn):
    jakarta = PemdaFactory(code="JKT", timezone="Asia/Jakarta")
    # 15:59 UTC = 23:59 WITA on 31 December: still 2026 in Balikpapan
    assert submit(bpn, now=datetime(2026, 12, 31, 15, 59, tzinfo=UTC)).ticket_number == "BPN-2026-000001"
    # 17:00 UTC = 01:00 WITA on 1 January 2027: a new year, a new counter
    assert submit(bpn, now=datetime(2026, 12, 31, 17, 0, tzinfo=UTC)).ticket_number == "BPN-2027-000001"
    assert submit(bpn, now=datetime(2027, 1, 1, 3, 0, tzinfo=UTC)).ticket_number == "BPN-2027-000002"
    # the same instant is still 31 December (24:00 WIB is 17:00 UTC) in Jakarta: 16:30 UTC = 23:30 WIB
    assert submit(jakarta, now=datetime(2026, 12, 31, 16, 30, tzinfo=UTC)).ticket_number == "JKT-2026-000001"
    assert submit(jakarta, now=datetime(2026, 12, 31, 17, 0, tzinfo=UTC)).ticket_number == "JKT-2027-000001"
    # and a late complaint of the old year continues the old counter
    assert submit(bpn, now=datetime(2026, 12, 31, 10, 0, tzinfo=UTC)).ticket_number == "BPN-2026-000002"


def test_ticket_number_format(bpn):
    complaint = submit(bpn)
    assert re.fullmatch(r"[A-Z0-9]{2,10}-\d{4}-\d{6}", complaint.ticket_number)


def test_tracking_secrets_are_long_url_safe_and_distinct(bpn):
    secrets = [submit(bpn).tracking_secret for _ in range(20)]
    for secret in secrets:
        # 43 url-safe base64 characters carry 258 bits >= 128 bits
        assert len(secret) >= 43
        assert re.fullmatch(r"[A-Za-z0-9_-]+", secret)
    assert len(set(secrets)) == len(secrets)
    stored = set(Complaint.objects.values_list("tracking_secret", flat=True))
    assert stored == set(secrets)
    assert not any(Complaint.objects.filter(ticket_number=s).exists() for s in secrets)


def test_anonymous_without_contact_is_accepted(bpn):
    complaint = submit(bpn, is_anonymous=True, reporter=ReporterData())
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.is_anonymous, complaint.status, complaint.ticket_number) == (
        True,
        Status.SUBMITTED,
        "BPN-2026-000001",
    )
    identity = ReporterIdentity.objects.get(complaint=complaint)
    assert (identity.name, identity.email, identity.phone, identity.nik) == ("", "", "", "")


def test_phone_alone_is_enough_contact(bpn):
    complaint = submit(bpn, reporter=ReporterData(name="Budi", phone="+62 812-3456-7890"))
    assert ReporterIdentity.objects.get(complaint=complaint).phone == "+62 812-3456-7890"


def test_shared_category_is_accepted(bpn):
    shared = CategoryFactory(pemda=None)
    complaint = submit(bpn, category=shared)
    assert Complaint.objects.get(pk=complaint.pk).category_id == shared.pk


def test_chronology_at_the_limit_is_accepted(bpn):
    complaint = submit(bpn, chronology="k" * 10000)
    assert len(Complaint.objects.get(pk=complaint.pk).chronology) == 10000


def test_incident_date_is_checked_against_the_pemda_local_date(bpn):
    # NOW is already 1 July in Balikpapan although it is 30 June in UTC
    complaint = submit(bpn, incident_date=date(2026, 7, 1))
    assert Complaint.objects.get(pk=complaint.pk).incident_date == date(2026, 7, 1)


# ---------------------------------------------------------------------------------- refusals

# (id, overrides(pemda) -> kwargs, field)
REFUSALS = [
    ("empty_title", lambda p: {"title": ""}, "title"),
    ("blank_title", lambda p: {"title": "   "}, "title"),
    ("title_too_long", lambda p: {"title": "J" * 201}, "title"),
    ("empty_chronology", lambda p: {"chronology": " \n "}, "chronology"),
    ("chronology_too_long", lambda p: {"chronology": "k" * 10001}, "chronology"),
    ("no_name", lambda p: {"reporter": ReporterData(email="a@example.id")}, "name"),
    ("blank_name", lambda p: {"reporter": ReporterData(name="  ", phone="08123456789")}, "name"),
    ("no_email_no_phone", lambda p: {"reporter": ReporterData(name="Budi")}, "email"),
    ("bad_email", lambda p: {"reporter": ReporterData(name="Budi", email="budi-at-example")}, "email"),
    (
        "bad_email_anonymous",
        lambda p: {"is_anonymous": True, "reporter": ReporterData(email="bukan email")},
        "email",
    ),
    ("bad_phone", lambda p: {"reporter": ReporterData(name="Budi", phone="telepon saya")}, "phone"),
    ("nik_too_short", lambda p: {"reporter": ReporterData(name="Budi", phone="081234567", nik="123")}, "nik"),
    (
        "nik_not_digits",
        lambda p: {"reporter": ReporterData(name="Budi", phone="081234567", nik="64710123456789AB")},
        "nik",
    ),
    ("category_other_pemda", lambda p: {"category": CategoryFactory(pemda=PemdaFactory())}, "category"),
    ("category_inactive", lambda p: {"category": CategoryFactory(pemda=p, is_active=False)}, "category"),
    ("target_opd_other_pemda", lambda p: {"target_opd": OpdFactory()}, "target_opd"),
    ("target_opd_inactive", lambda p: {"target_opd": OpdFactory(pemda=p, is_active=False)}, "target_opd"),
    ("incident_date_future", lambda p: {"incident_date": date(2026, 7, 2)}, "incident_date"),
    (
        "incident_date_far_future",
        lambda p: {"incident_date": NOW.date() + timedelta(days=365)},
        "incident_date",
    ),
    ("latitude_too_high", lambda p: {"latitude": Decimal("90.5"), "longitude": Decimal("116")}, "latitude"),
    ("latitude_too_low", lambda p: {"latitude": Decimal("-91"), "longitude": Decimal("116")}, "latitude"),
    (
        "longitude_out_of_range",
        lambda p: {"latitude": Decimal("-1"), "longitude": Decimal("180.5")},
        "longitude",
    ),
    ("latitude_without_longitude", lambda p: {"latitude": Decimal("-1.2")}, "longitude"),
    ("longitude_without_latitude", lambda p: {"longitude": Decimal("116.8")}, "latitude"),
    ("unknown_classification", lambda p: {"classification": "keluhan"}, "classification"),
    ("unknown_channel", lambda p: {"channel": "fax"}, "channel"),
]


@pytest.mark.parametrize(("make_overrides", "field"), [pytest.param(*r[1:], id=r[0]) for r in REFUSALS])
def test_refused_input_names_the_field_and_stores_nothing(bpn, make_overrides, field):
    submit(bpn)  # a counter row exists already: it must not move either
    overrides = make_overrides(bpn)
    before = stored_counts()
    with pytest.raises(InvalidInput) as excinfo:
        submit(bpn, **overrides)
    assert excinfo.value.params == {"field": field}
    assert str(excinfo.value)
    assert stored_counts() == before
    # the next complaint still gets the next number: no gap
    assert submit(bpn).ticket_number == "BPN-2026-000002"


def test_refused_first_complaint_of_the_year_creates_no_counter(bpn):
    with pytest.raises(InvalidInput):
        submit(bpn, title="")
    assert stored_counts() == {"complaints": 0, "identities": 0, "events": 0, "counters": []}
