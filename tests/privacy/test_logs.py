"""Personal data never reaches the logs.

Every log record is captured (the root logger and ``django``, ``django.request``, ``celery`` and
``aduan`` at DEBUG) while a reporter with a name, e-mail, phone and NIK goes through the whole
citizen flow — filing by form, by API and through Open311 (valid and invalid), tracking and the look-up, the
koordinator's page, reply, accept, rating and survey, the copy of their data, the erasure request
and its approval — and the outbox delivers by e-mail (locmem), once refused by the server. No
formatted message, argument, extra attribute or traceback may contain any of the four values.
"""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.urls import reverse

from aduan.complaints.models import Complaint, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from aduan.notifications.models import DeliveryState, Notification
from aduan.notifications.tasks import outbox_flush
from aduan.privacy.models import ErasureRequest, ErasureStatus
from tests.factories import CategoryFactory, MembershipFactory, OpdFactory, PemdaFactory, api_token

NAME, EMAIL, PHONE, NIK = (
    "Rahmat Hidayatullah",
    "rahmat.hidayat77@surel.id",
    "081299887766",
    "6471052208870003",
)
API_NAME, API_EMAIL, API_PHONE, API_NIK = (
    "Dewi Kartikasari",
    "dewi.kartika@surel.id",
    "+62 812 5556 7788",
    "6471014404950002",
)
PERSONAL = (NAME, EMAIL, PHONE, NIK, API_NAME, API_EMAIL, API_PHONE, API_NIK)
LOGGERS = ("", "django", "django.request", "django.server", "celery", "celery.app.trace", "aduan")
STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def captured():
    handler = Capture()
    saved = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def everything_logged(record: logging.LogRecord) -> str:
    """All a handler could write of a record: message, args, extras and the traceback."""
    parts = [record.getMessage(), repr(record.args), str(record.msg)]
    parts += [f"{k}={v!r}" for k, v in vars(record).items() if k not in STANDARD_ATTRS]
    formatter = logging.Formatter()
    if record.exc_info:
        parts.append(formatter.formatException(record.exc_info))
    if record.stack_info:
        parts.append(formatter.formatStack(record.stack_info))
    return "\n".join(parts)


def leaks(records) -> list[tuple[str, str, str]]:
    found = []
    for record in records:
        text = everything_logged(record)
        digits = "".join(ch for ch in text if ch.isdigit())
        for value in PERSONAL:
            value_digits = "".join(ch for ch in value if ch.isdigit())
            numeric = value_digits == value.replace("+", "").replace(" ", "")
            if value in text or (numeric and value_digits in digits and len(value_digits) >= 10):
                found.append((record.name, value, record.getMessage()[:200]))
    return found


class RefusingBackend(EmailBackend):
    """An SMTP server that refuses the recipient and quotes the address in its answer."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {m.to[0]: (550, f"5.1.1 <{m.to[0]}>: Recipient address rejected".encode()) for m in messages}
        )


def test_the_capture_sees_a_leak(captured):
    logging.getLogger("aduan.example").info("reporter %s", NIK)
    assert leaks(captured.records) == [("aduan.example", NIK, f"reporter {NIK}")]


@pytest.mark.django_db(transaction=True)
def test_no_personal_data_in_any_log_record_through_the_whole_citizen_flow(
    client, default_policies, captured
):
    pemda = PemdaFactory()
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum")
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = MembershipFactory(role="petugas_opd", opd=opd).user
    file_url = f"{reverse('complaints:file')}?pemda={pemda.code}"
    form = {
        "classification": "pengaduan", "title": "Lampu jalan padam", "location_text": "Jl. Sudirman",
        "chronology": "Sudah seminggu lampu jalan di depan pasar padam.", "incident_date": "", "latitude": "",
        "longitude": "", "target_opd": "", "category": "", "name": NAME, "email": EMAIL, "phone": PHONE,
        "nik": NIK, "language": "id", "website": "", "confirm_new": "1",
    }  # fmt: skip

    # Filing by form: one refused (bad NIK, bad e-mail), then the real one.
    assert client.post(file_url, {**form, "nik": NIK[:-1] + "x", "email": "rahmat@"}).status_code == 200
    assert client.post(file_url, form).status_code == 302
    complaint = Complaint.objects.get(reporter__nik=NIK)
    secret = complaint.tracking_secret

    # Filing by API: one refused (400), one whose e-mail the mail server refuses, then delivered.
    api_body = {"pemda": pemda.code, "title": "Trotoar rusak", "chronology": "Trotoar ambles di depan SD.",
                "name": API_NAME, "email": API_EMAIL, "phone": API_PHONE, "nik": API_NIK}  # fmt: skip
    bad = client.post("/api/v1/complaints/", {**api_body, "nik": "12"}, content_type="application/json")
    assert bad.status_code == 400
    with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"):
        filed = client.post("/api/v1/complaints/", api_body, content_type="application/json")
    assert filed.status_code == 201
    refused = Notification.objects.get(address=API_EMAIL, context__action="submit")
    assert refused.state == DeliveryState.FAILED
    assert "550" in refused.last_error
    assert API_EMAIL not in refused.last_error

    # Filing through Open311 (a koordinator's integration key), one refused, one accepted.
    category = CategoryFactory(pemda=pemda, default_opd=opd)
    key, service = api_token(koordinator), f"{pemda.code}-{category.pk}-{opd.pk}"
    open311 = {
        "api_key": key, "service_code": service, "lat": "-1.2650", "long": "116.8310",
        "description": "Lubang besar di depan pasar", "first_name": "Rahmat", "last_name": "Hidayatullah",
        "email": EMAIL, "phone": PHONE,
    }  # fmt: skip
    refused_311 = client.post("/open311/v2/requests.json", {**open311, "attribute[incident_date]": "kemarin"})
    assert refused_311.status_code == 400
    assert client.post("/open311/v2/requests.json", open311).status_code == 201

    # Tracking, and the look-up by ticket and contact (right and wrong).
    assert client.get(reverse("complaints:track", args=[secret])).status_code == 200
    lookup = reverse("complaints:track-lookup")
    assert client.post(lookup, {"tiket": complaint.ticket_number, "kontak": EMAIL}).status_code == 200
    assert (
        client.post(lookup, {"tiket": complaint.ticket_number, "kontak": PHONE[:-1] + "0"}).status_code == 200
    )
    assert client.get(f"/api/v1/track/{secret}/").status_code == 200

    # The koordinator reads it (identity shown) and dispatches; the OPD answers.
    client.force_login(koordinator)
    assert client.get(reverse("complaints:staff-detail", args=[complaint.pk])).status_code == 200
    assert client.get(f"{reverse('complaints:staff-list')}?q={EMAIL}").status_code == 200
    client.logout()
    complaint_transition(
        complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(koordinator), opd=opd
    )
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(petugas),
        note="Sudah kami perbaiki.",
    )

    # The reporter replies (quoting their own phone), gets a second answer, accepts, rates, answers SKM.
    action_url = reverse("complaints:track-action", args=[secret])
    reply = client.post(action_url, {"action": "reply", "note": f"Belum menyala. Hubungi saya di {PHONE}."})
    assert reply.status_code == 302
    assert client.post(action_url, {"action": "bogus", "note": NAME}).status_code == 400
    complaint_transition(
        complaint_id=complaint.pk, action=Action.FOLLOW_UP, actor=Actor.staff(petugas), note="Kabel diganti."
    )
    assert client.post(action_url, {"action": "accept"}).status_code == 302
    assert (
        client.post(reverse("complaints:rate", args=[secret]), {"score": "5", "comment": NAME}).status_code
        == 302
    )
    skm = {f"u{i}": "4" for i in range(1, 10)}
    assert client.post(reverse("complaints:skm", args=[secret]), skm).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED

    # The outbox: every message delivered by e-mail, the reporter's among them.
    outbox_flush.apply()
    assert any(EMAIL in m.to for m in mail.outbox)
    assert not Notification.objects.filter(address=EMAIL, state=DeliveryState.PENDING).exists()

    # The copy of their data, then erasure: asked, refused twice (blank, duplicate), approved.
    assert client.get(reverse("privacy:my-data", args=[secret])).status_code == 200
    assert client.get(reverse("privacy:my-data-json", args=[secret])).status_code == 200
    assert client.get(f"/api/v1/track/{secret}/my-data/").status_code == 200
    erase_url = reverse("privacy:erasure-request", args=[secret])
    assert client.post(erase_url, {"reason": ""}).status_code == 400
    assert client.post(erase_url, {"reason": f"Saya {NAME}, NIK {NIK}, mohon hapus."}).status_code == 302
    assert client.post(erase_url, {"reason": f"Sekali lagi, {EMAIL}"}).status_code == 400
    request = ErasureRequest.objects.get()
    client.force_login(koordinator)
    assert client.get(reverse("privacy:staff-erasure-list")).status_code == 200
    decide_url = reverse("privacy:staff-erasure-decide", args=[request.pk])
    assert client.post(decide_url, {"decision": "approve"}).status_code == 302
    request.refresh_from_db()
    assert request.status == ErasureStatus.APPROVED

    assert len(captured.records) > 0
    assert {"django.request", "aduan.notifications.services"} <= {r.name for r in captured.records}
    found = leaks(captured.records)
    assert sorted({(name, msg[:90]) for name, _value, msg in found}) == []
    # The tracking secret opens the reporter's copy of their data: never logged either (the 400s
    # above are logged by django.request with their path, redacted).
    assert any("/lacak/…/" in r.getMessage() for r in captured.records if r.name == "django.request")
    assert [r.name for r in captured.records if secret in everything_logged(r)] == []
