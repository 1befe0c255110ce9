"""A citizen's journey in real Chromium at phone width (360 px): file an anonim complaint with a
photo, keep the ticket and the private link, see the OPD's answer, reply, accept and rate; a form
error keeps everything typed; the page switches to English. Screenshots go to var/screenshots/."""

import io
from pathlib import Path

from PIL import Image

from aduan.complaints.models import Attachment, Complaint, ComplaintRating, ReporterIdentity, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import Action, complaint_transition
from tests.factories import CategoryFactory, MembershipFactory, OpdFactory, PemdaFactory


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def photo(tmp_path) -> Path:
    """A JPEG with a GPS position in its EXIF, as a phone camera writes it."""
    image = Image.new("RGB", (640, 480), (180, 120, 60))
    exif = Image.Exif()
    exif[0x0110] = "Ponsel Uji"  # camera model
    exif.get_ifd(0x8825)[2] = (1.0, 14.0, 24.0)  # GPSLatitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path = tmp_path / "jalan-rusak.jpg"
    path.write_bytes(buffer.getvalue())
    return path


def balikpapan():
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    opd = OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum", short_name="DPU")
    CategoryFactory(pemda=pemda, name="Jalan rusak", default_opd=opd)
    return pemda, opd


def test_anonim_citizen_files_with_a_photo_tracks_replies_accepts_and_rates(phone, tmp_path, shot):
    pemda, opd = balikpapan()
    koordinator = MembershipFactory(role="koordinator", pemda=pemda).user
    petugas = MembershipFactory(role="petugas_opd", opd=opd).user

    # File an anonim complaint with a photo.
    phone.goto(phone.base_url + "/aduan/")
    assert no_horizontal_scroll(phone)
    phone.fill("#id_title", "Jalan berlubang di Jl. MT Haryono")
    phone.fill(
        "#id_chronology", "Lubang besar di depan ruko nomor 12 sejak dua minggu, sudah dua motor jatuh."
    )
    phone.fill("#id_location_text", "Jl. MT Haryono, Balikpapan Selatan")
    phone.select_option("#id_category", label="Jalan rusak")
    phone.check("#id_is_anonymous")
    phone.set_input_files("input[type=file]", str(photo(tmp_path)))
    shot(phone, "file-form")
    phone.click("button.primary")

    # The receipt: ticket number and the private tracking link, shown once.
    phone.wait_for_selector(".ticket")
    complaint = Complaint.objects.get()
    assert phone.inner_text(".ticket").strip() == complaint.ticket_number
    link = phone.input_value("#tracking-link")
    assert link.endswith(f"/lacak/{complaint.tracking_secret}/")
    assert complaint.is_anonymous
    assert complaint.status == Status.SUBMITTED
    assert ReporterIdentity.objects.get(complaint=complaint).name == ""
    stored = Attachment.objects.get(complaint=complaint)
    assert stored.content_type == "image/jpeg"
    assert 0x8825 not in Image.open(stored.file).getexif()  # GPS stripped
    assert no_horizontal_scroll(phone)
    shot(phone, "submitted")

    # The OPD answers (through the service layer, as staff would).
    complaint_transition(
        complaint_id=complaint.pk, action=Action.DISPATCH, actor=Actor.staff(koordinator), opd=opd
    )
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(petugas),
        note="Lubang sudah kami tambal sementara; pengaspalan dijadwalkan pekan depan.",
    )

    # Track, reply (not satisfied yet), the OPD answers again, then accept and rate.
    phone.goto(link)
    assert "Lubang sudah kami tambal sementara" in phone.content()
    assert no_horizontal_scroll(phone)
    shot(phone, "tracking-followed-up")
    phone.fill("#note-reply", "Tambalan sudah lepas lagi setelah hujan kemarin.")
    with phone.expect_navigation():  # the POST and its redirect back to the tracking page
        phone.click("text=Kirim tanggapan")
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    complaint_transition(
        complaint_id=complaint.pk,
        action=Action.FOLLOW_UP,
        actor=Actor.staff(petugas),
        note="Jalan sudah diaspal.",
    )
    phone.goto(link)
    with phone.expect_navigation():  # the POST and its redirect back to the tracking page
        phone.click("text=Ya, saya terima jawaban ini")
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    phone.check("#score-5")
    with phone.expect_navigation():  # the POST and its redirect back to the tracking page
        phone.click("text=Kirim penilaian")
    assert ComplaintRating.objects.get(complaint=complaint).score == 5
    shot(phone, "tracking-rated")


def test_a_wrong_field_shows_its_error_and_keeps_everything_typed(phone, tmp_path, shot):
    """Not anonim, a name but no way to be reached: the server refuses beside the e-mail field
    (no browser check can know this) and keeps every other field, the photo included."""
    balikpapan()
    phone.goto(phone.base_url + "/aduan/")
    phone.fill("#id_title", "Air PDAM mati tiga hari")
    phone.fill("#id_chronology", "Air PDAM mati tiga hari di RT 05 tanpa pemberitahuan.")
    phone.fill("#id_location_text", "Gunung Samarinda Baru")
    phone.fill("#id_name", "Siti Rahmawati")
    phone.set_input_files("input[type=file]", str(photo(tmp_path)))
    phone.click("button.primary")

    phone.wait_for_selector(".errorbox")
    assert Complaint.objects.count() == 0
    assert phone.get_attribute("#id_email", "aria-invalid") == "true"
    assert phone.input_value("#id_title") == "Air PDAM mati tiga hari"
    assert phone.input_value("#id_chronology") == "Air PDAM mati tiga hari di RT 05 tanpa pemberitahuan."
    assert phone.input_value("#id_location_text") == "Gunung Samarinda Baru"
    assert phone.input_value("#id_name") == "Siti Rahmawati"
    assert "jalan-rusak.jpg" in phone.content()  # the photo is kept, not asked again
    assert no_horizontal_scroll(phone)
    shot(phone, "file-form-error")

    phone.fill("#id_email", "siti@example.id")
    phone.click("button.primary")
    phone.wait_for_selector(".ticket")
    complaint = Complaint.objects.get()
    assert complaint.attachments.count() == 1
    assert ReporterIdentity.objects.get(complaint=complaint).email == "siti@example.id"


def test_the_citizen_switches_the_portal_to_english(phone, shot):
    balikpapan()
    phone.goto(phone.base_url + "/")
    with phone.expect_navigation():  # the switcher submits itself on change
        phone.select_option("select[name=language]", "en")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert "Submit a complaint" in phone.content() or "complaint" in phone.inner_text("main").lower()
    assert no_horizontal_scroll(phone)
    shot(phone, "home-en")
