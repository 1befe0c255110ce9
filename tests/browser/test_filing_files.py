"""The filing form's files in real Chromium: a 12 MB phone photo is scaled down in the browser and
filed; a file over the limit that cannot be shrunk is named before anything is sent; a too-short
title gets a clear error and keeps the form."""

import io
import os

from PIL import Image

from aduan.complaints.attachments import MAX_BYTES
from aduan.complaints.models import Attachment, Complaint
from tests.factories import CategoryFactory, OpdFactory, PemdaFactory


def _balikpapan():
    pemda = PemdaFactory(name="Pemerintah Kota Balikpapan", code="BPN")
    CategoryFactory(pemda=pemda, name="Jalan rusak", default_opd=OpdFactory(pemda=pemda))


def _fill(page, title="Jalan berlubang di Jl. MT Haryono"):
    page.goto(page.base_url + "/aduan/")
    page.fill("#id_title", title)
    page.fill(
        "#id_chronology", "Lubang besar di depan ruko nomor 12 sejak dua minggu, sudah dua motor jatuh."
    )
    page.select_option("#id_category", label="Jalan rusak")
    page.check("#id_is_anonymous")


def big_photo(tmp_path):
    """A noisy 4000 × 3000 JPEG above the server's limit, as a cheap phone's camera writes it."""
    image = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=97)
    path = tmp_path / "IMG_20261207_091500.jpg"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size > MAX_BYTES
    return path


def test_a_large_photo_is_scaled_down_in_the_browser_and_filed(phone, tmp_path):
    _balikpapan()
    _fill(phone)
    phone.set_input_files("input[name=attachments]", str(big_photo(tmp_path)))
    phone.wait_for_function(
        "(max) => { const f = document.querySelector('input[name=attachments]').files[0];"
        " return f.name.endsWith('.jpg') && f.size < max; }",
        arg=MAX_BYTES,
    )
    assert phone.locator("#attachments-status").is_hidden()

    phone.click("button.primary")
    phone.wait_for_selector(".ticket")
    stored = Attachment.objects.get(complaint=Complaint.objects.get())
    assert max(Image.open(stored.file).size) <= 2560


def test_a_file_over_the_limit_is_named_before_sending(phone, tmp_path):
    _balikpapan()
    _fill(phone)
    pdf = tmp_path / "laporan-lengkap.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * (MAX_BYTES + 1))
    phone.set_input_files("input[name=attachments]", str(pdf))
    phone.wait_for_selector("#attachments-status:not([hidden])")
    assert "laporan-lengkap.pdf" in phone.inner_text("#attachments-status")
    assert "maksimum 10 MB" in phone.inner_text("#attachments-status")

    phone.click("button.primary")

    assert phone.url.endswith("/aduan/")  # not sent
    assert Complaint.objects.count() == 0


def test_a_too_short_title_is_refused_and_the_form_kept(phone):
    _balikpapan()
    _fill(phone, title="Jalan")
    phone.evaluate("document.getElementById('id_title').removeAttribute('minlength')")  # as an old browser
    with phone.expect_navigation():
        phone.click("button.primary")

    assert "Judul terlalu pendek: tulis paling sedikit 10 huruf" in phone.inner_text("main")
    assert phone.input_value("#id_title") == "Jalan"
    assert Complaint.objects.count() == 0
