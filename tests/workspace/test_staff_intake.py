"""The staff intake pages: /staf/aduan/baru/ (koordinator and petugas loket) and the printable
receipt, which only the staff member who recorded the complaint may open."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aduan.complaints.models import Channel, Complaint, ComplaintEvent, IntakeRecord
from tests.factories import MembershipFactory, PemdaFactory

URL = "/staf/aduan/baru/"


@pytest.fixture
def loket(world):
    return MembershipFactory(role="petugas_loket", pemda=world.pemda).user


def form_data(**overrides):
    local_now = timezone.localtime(timezone.now(), timezone.get_fixed_timezone(8 * 60))
    data = {
        "channel": Channel.PHONE,
        "received_at": local_now.strftime("%Y-%m-%dT%H:%M"),
        "classification": "pengaduan",
        "title": "Sampah menumpuk di pasar",
        "chronology": "Sampah tidak diangkut sejak Senin.",
        "name": "Siti Aminah",
        "phone": "0812345678",
        "email": "",
        "language": "id",
    }
    return {**data, **overrides}


def stored():
    return (Complaint.objects.count(), IntakeRecord.objects.count(), ComplaintEvent.objects.count())


def test_loket_lands_on_the_intake_form_and_has_no_complaint_lists(client, loket, world):
    client.force_login(loket)
    response = client.get(reverse("complaints:staff-home"))
    assert response.status_code == 302
    assert response.url == URL
    page = client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="received_at"' in html
    assert 'name="lapor_number"' in html
    nav = [name for name, _url, _label in page.context["staff_nav"]]
    assert nav == ["staff-intake"]


def test_time_typed_in_is_read_in_the_pemdas_zone_and_the_receipt_shows_the_link(client, loket, world):
    client.force_login(loket)
    # Asia/Makassar is UTC+8; an entry this late needs its reason.
    response = client.post(URL, form_data(received_at="2026-01-05T09:30", late_reason="Arsip lama."))

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaints:staff-intake-receipt", kwargs={"pk": complaint.pk})
    assert complaint.submitted_at == datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    assert complaint.channel == Channel.PHONE


def test_a_late_entry_without_reason_comes_back_with_the_error_and_stores_nothing(client, loket):
    client.force_login(loket)
    before = stored()
    response = client.post(URL, form_data(received_at="2025-01-06T09:30"))

    assert response.status_code == 400
    assert "isi alasannya" in response.content.decode()
    assert response.context["form"].errors["late_reason"]
    assert stored() == before

    response = client.post(URL, form_data(received_at="2025-01-06T09:30", late_reason="Surat terselip."))
    assert response.status_code == 302
    event = ComplaintEvent.objects.get()
    assert "Dicatat terlambat: Surat terselip." in event.note


def test_receipt_shows_ticket_and_tracking_link_to_the_recorder_only(client, loket, world):
    client.force_login(loket)
    client.post(URL, form_data())
    complaint = Complaint.objects.get()
    receipt = reverse("complaints:staff-intake-receipt", kwargs={"pk": complaint.pk})

    html = client.get(receipt).content.decode()
    assert complaint.ticket_number in html
    assert f"/lacak/{complaint.tracking_secret}/" in html
    assert "Telepon / hotline" in html

    client.force_login(world.koordinator)  # sees the complaint, but not the reporter's link
    assert client.get(receipt).status_code == 404
    detail = client.get(reverse("complaints:staff-detail", kwargs={"pk": complaint.pk})).content.decode()
    assert complaint.tracking_secret not in detail
    assert "Diterima melalui Telepon / hotline" in detail


def test_duplicate_lapor_number_is_shown_beside_the_field(client, world):
    client.force_login(world.koordinator)
    first = client.post(URL, form_data(channel=Channel.LAPOR, lapor_number="LAP-2026-001"))
    assert first.status_code == 302
    before = stored()
    again = client.post(URL, form_data(channel=Channel.LAPOR, lapor_number="lap-2026-001"))

    assert again.status_code == 400
    assert "sudah tercatat" in again.context["form"].errors["lapor_number"][0]
    assert stored() == before


def test_a_bad_letter_is_refused_beside_its_field(client, loket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(loket)
    before = stored()
    bad = SimpleUploadedFile("surat.pdf", b"bukan pdf", content_type="application/pdf")
    response = client.post(URL, {**form_data(channel=Channel.LETTER), "letter": bad})

    assert response.status_code == 400
    assert response.context["form"].errors["letter"]
    assert stored() == before


def test_opd_staff_and_ombudsman_may_not_record_and_a_foreign_pemda_is_not_found(client, world, loket):
    before = stored()
    for user in (world.petugas[0], world.kepala):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form_data()).status_code == 403
    client.force_login(loket)
    other = PemdaFactory()
    assert client.post(f"{URL}?pemda={other.pk}", form_data()).status_code == 404
    assert stored() == before


def test_the_form_costs_a_fixed_number_of_queries(client, loket, world, django_assert_num_queries):
    client.force_login(loket)
    client.get(URL)
    with django_assert_num_queries(7):  # the kelurahan list is one of them, however long
        client.get(URL)
    from aduan.agencies.areas import areas_load

    areas_load(world.pemda, {f"Kecamatan {i}": [f"Kelurahan {i}-{j}" for j in range(5)] for i in range(4)})
    with django_assert_num_queries(7):
        client.get(URL)


def _recorded(world, user, channel, **extra):
    from aduan.complaints.intake import IntakeData, complaint_intake
    from aduan.complaints.services import ReporterData

    lapor = extra.pop("lapor_number", "")
    return complaint_intake(
        pemda=world.pemda,
        intake=IntakeData(channel=channel, received_at=timezone.now(), lapor_number=lapor),
        recorded_by=user,
        title=f"Aduan {channel}",
        chronology="Isi.",
        reporter=ReporterData(name="Warga", phone="0812345678"),
        **extra,
    )


def test_the_channel_shows_in_lists_filters_exports_and_the_api(client, world, loket):
    import csv
    import io

    from rest_framework.test import APIClient

    phone = _recorded(world, loket, Channel.PHONE)
    lapor = _recorded(world, loket, Channel.LAPOR, lapor_number="LAP-9")
    client.force_login(world.koordinator)

    triage = client.get(reverse("complaints:staff-triage")).content.decode()
    assert "Telepon / hotline" in triage
    assert "SP4N-LAPOR!" in triage
    filtered = client.get(reverse("complaints:staff-list") + "?channel=lapor").content.decode()
    assert lapor.ticket_number in filtered
    assert phone.ticket_number not in filtered
    assert 'name="channel"' in filtered

    body = b"".join(client.get(reverse("complaints:staff-export-csv")).streaming_content).decode()
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    kanal, nomor = lines[0].index("Kanal"), lines[0].index("Nomor SP4N-LAPOR!")
    by_ticket = {row[0]: row for row in lines[1:]}
    assert (by_ticket[lapor.ticket_number][kanal], by_ticket[lapor.ticket_number][nomor]) == (
        "SP4N-LAPOR!",
        "LAP-9",
    )
    assert by_ticket[phone.ticket_number][kanal] == "Telepon / hotline"

    api = APIClient()
    api.force_authenticate(world.koordinator)
    rows = api.get("/api/v1/staff/complaints/?channel=phone").json()["results"]
    assert [(r["ticket_number"], r["channel"]) for r in rows] == [(phone.ticket_number, "phone")]
    bad = api.get("/api/v1/staff/complaints/?channel=pigeon")
    assert bad.status_code == 400


def test_a_refused_entry_with_a_letter_asks_to_attach_it_again(client, loket):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "PNG")
    client.force_login(loket)
    letter = SimpleUploadedFile("surat.png", buffer.getvalue(), content_type="image/png")
    response = client.post(
        URL, {**form_data(received_at="2025-01-06T09:30", channel=Channel.LETTER), "letter": letter}
    )

    assert response.status_code == 400
    assert "Lampirkan surat pindaian sekali lagi." in response.content.decode()
    assert Complaint.objects.count() == 0


@pytest.fixture
def areas(world):
    from aduan.agencies.areas import areas_load, kelurahan_of

    areas_load(world.pemda, {"Balikpapan Kota": ["Klandasan Ilir", "Prapatan"]})
    return {k.name: k for k in kelurahan_of(world.pemda)}


def test_the_place_is_recorded_with_its_kelurahan_and_pin_on_the_pemdas_map(client, loket, world, areas):
    from decimal import Decimal

    from aduan.agencies.models import Pemda

    Pemda.objects.filter(pk=world.pemda.pk).update(
        map_latitude=Decimal("-1.2654"), map_longitude=Decimal("116.8312")
    )
    client.force_login(loket)
    html = client.get(URL).content.decode()
    assert "Klandasan Ilir" in html  # the Pemda's kelurahan, grouped by kecamatan
    assert 'data-center="-1.2654,116.8312,12"' in html  # the map opens on the Pemda
    assert 'name="latitude"' in html

    response = client.post(
        URL,
        form_data(kelurahan=str(areas["Prapatan"].pk), latitude="-1,255200", longitude="116.869100"),
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.kelurahan == areas["Prapatan"]
    assert (complaint.latitude, complaint.longitude) == (Decimal("-1.255200"), Decimal("116.869100"))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"latitude": "-95", "longitude": "116.8"}, "latitude"),
        ({"latitude": "-1.25", "longitude": ""}, "longitude"),
        ({"kelurahan": "999999"}, "kelurahan"),
    ],
)
def test_a_bad_place_comes_back_beside_its_field_and_stores_nothing(
    client, loket, world, areas, fields, field
):
    client.force_login(loket)
    before = stored()
    response = client.post(URL, form_data(**fields))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert response.context["form"]["title"].value() == "Sampah menumpuk di pasar"  # nothing typed is lost
    assert stored() == before


def test_a_kelurahan_of_another_pemda_is_no_choice(client, loket, world, areas):
    from aduan.agencies.areas import areas_load, kelurahan_of

    other = PemdaFactory()
    areas_load(other, {"Lain": ["Kelurahan Lain"]})
    foreign = kelurahan_of(other)[0]
    client.force_login(loket)
    before = stored()
    response = client.post(URL, form_data(kelurahan=str(foreign.pk)))
    assert response.status_code == 400
    assert "Kelurahan Lain" not in client.get(URL).content.decode()
    assert stored() == before
