"""Attachments: validation by content, re-encoding, the form stash, storing, and the two download views.

Every test file is made in memory with Pillow or pypdf. Test settings store files in InMemoryStorage.
"""

import io
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image, ImageFile
from pypdf import PdfReader, PdfWriter

from aduan.complaints import attachments
from aduan.complaints.attachments import (
    MAX_BYTES,
    MAX_FILES,
    MAX_SIDE,
    CleanUpload,
    attachment_add,
    attachment_scan,
    safe_name,
    stash_discard,
    stash_upload,
    unstash,
    validate_upload,
    validate_uploads,
)
from aduan.complaints.models import Attachment, Status
from aduan.core.exceptions import InvalidInput
from tests.factories import ComplaintFactory, MembershipFactory, OpdFactory, PemdaFactory, complaint_in_status

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F
CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


# --- test files --------------------------------------------------------------------------------


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 30, 30), mode="RGB", exif=None, **save) -> bytes:
    img = Image.new(mode, size, color)
    out = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    img.save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "KameraRahasia"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "S"  # GPSLatitudeRef
    gps[2] = (1.0, 16.0, 0.0)  # GPSLatitude: Balikpapan
    gps[3] = "E"
    gps[4] = (116.0, 50.0, 0.0)
    return image_bytes("JPEG", size=(120, 80), exif=exif)


def pdf_bytes(pages=1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name="berkas", content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(data_or_file, code: str, name="berkas") -> InvalidInput:
    file = data_or_file if not isinstance(data_or_file, bytes) else upload(data_or_file, name)
    with pytest.raises(InvalidInput) as info:
        validate_upload(file)
    assert info.value.code == code, (info.value.code, str(info.value))
    assert info.value.params == {"field": "attachments"}
    assert str(info.value)  # a message for the citizen
    return info.value


def open_stored(clean: CleanUpload) -> Image.Image:
    img = Image.open(io.BytesIO(clean.data))
    img.load()
    return img


# --- accepted types ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "ext"),
    [("JPEG", "image/jpeg", ".jpg"), ("PNG", "image/png", ".png"), ("WEBP", "image/webp", ".webp")],
)
def test_images_are_accepted_by_content_and_re_encoded_in_their_format(fmt, content_type, ext):
    data = image_bytes(fmt) + b"\0sisa-yang-tidak-boleh-ikut"
    # The browser's claim and the name are ignored: the type comes from the bytes.
    clean = validate_upload(upload(data, "foto.bin", content_type="text/html"))
    assert clean.content_type == content_type
    assert clean.name == f"foto{ext}"
    assert clean.data != data
    assert b"sisa-yang-tidak-boleh-ikut" not in clean.data
    assert clean.size == len(clean.data)
    stored = open_stored(clean)
    assert stored.format == fmt
    assert stored.size == (64, 48)


def test_png_keeps_transparency():
    data = image_bytes("PNG", mode="RGBA", color=(10, 20, 30, 0))
    stored = open_stored(validate_upload(upload(data, "a.png")))
    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0


def test_palette_png_is_stored_as_plain_pixels():
    img = Image.new("P", (30, 30), 3)
    img.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] * 64)
    out = io.BytesIO()
    img.save(out, "PNG")
    stored = open_stored(validate_upload(upload(out.getvalue(), "p.png")))
    assert stored.mode == "RGB"
    assert stored.getpixel((5, 5)) == (0, 0, 255)


def test_pdf_is_accepted_and_rewritten_with_its_pages():
    data = pdf_bytes(pages=2)
    clean = validate_upload(upload(data, "Surat Keterangan.pdf", content_type="image/png"))
    assert (clean.name, clean.content_type, clean.size) == (
        "Surat Keterangan.pdf",
        "application/pdf",
        len(clean.data),
    )
    assert (
        len(PdfReader(io.BytesIO(clean.data)).pages) == 2
    )  # metadata: tests/security/test_review_b_attachment_names.py


# --- metadata, orientation, size ---------------------------------------------------------------


def test_exif_and_gps_are_gone_after_re_encoding():
    data = jpeg_with_gps()
    original = Image.open(io.BytesIO(data)).getexif()
    assert original.get_ifd(GPS_IFD)  # the test file really carries a position
    assert original[MAKE] == "KameraRahasia"

    clean = validate_upload(upload(data, "IMG_0001.JPG"))

    exif = Image.open(io.BytesIO(clean.data)).getexif()
    assert len(exif) == 0
    assert not exif.get_ifd(GPS_IFD)
    assert b"Exif" not in clean.data
    assert b"KameraRahasia" not in clean.data
    assert clean.name == "IMG_0001.jpg"


def test_png_text_chunks_and_icc_profile_are_dropped():
    from PIL import ImageCms, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "alamat rumah pelapor")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = image_bytes("PNG", pnginfo=info, icc_profile=icc)
    assert b"alamat rumah pelapor" in data

    clean = validate_upload(upload(data, "x.png"))

    assert b"alamat rumah pelapor" not in clean.data
    stored = open_stored(clean)
    assert "icc_profile" not in stored.info
    assert stored.getpixel((0, 0)) == (200, 30, 30)


def test_exif_orientation_is_applied():
    # Left half red, right half blue, stored sideways with "rotate 90° clockwise to display" (6).
    img = Image.new("RGB", (200, 100), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=95)

    stored = open_stored(validate_upload(upload(out.getvalue(), "miring.jpg")))

    assert stored.size == (100, 200)
    assert ORIENTATION not in stored.getexif()
    top, bottom = stored.getpixel((50, 20)), stored.getpixel((50, 180))
    # What was on the left is now on top.
    assert top[0] > 200
    assert top[2] < 60
    assert bottom[2] > 200
    assert bottom[0] < 60


@pytest.mark.parametrize(
    ("fmt", "size", "expected"),
    [
        ("PNG", (3000, 1500), (MAX_SIDE, 1280)),
        ("JPEG", (1000, 6000), (427, MAX_SIDE)),
        ("WEBP", (5120, 100), (MAX_SIDE, 50)),
        ("PNG", (MAX_SIDE, 10), (MAX_SIDE, 10)),
    ],
)
def test_images_are_downscaled_to_max_side(fmt, size, expected):
    stored = open_stored(validate_upload(upload(image_bytes(fmt, size=size), "besar")))
    assert stored.size == expected


def test_polyglot_png_with_html_is_stored_as_pixels_only():
    data = image_bytes("PNG") + b"<html><script>alert(1)</script></html>"
    assert Image.open(io.BytesIO(data)).format == "PNG"  # Pillow does open it

    clean = validate_upload(upload(data, "lucu.html"))

    assert clean.content_type == "image/png"
    assert clean.name == "lucu.png"
    assert b"<script" not in clean.data.lower()
    assert b"<html" not in clean.data.lower()
    assert open_stored(clean).size == (64, 48)


# --- refused files -----------------------------------------------------------------------------


def test_file_over_max_bytes_is_refused():
    refused(b"\xff\xd8\xff" + b"\0" * (12 * 1024 * 1024), "file_too_large", name="foto.jpg")


class _DeclaredHuge(io.BytesIO):
    """An upload that declares 12 MB and fails the test if anyone reads it."""

    name = "besar.jpg"
    size = 12 * 1024 * 1024

    def read(self, *args):
        raise AssertionError("the file was read although its declared size is too big")

    def chunks(self, *args):
        raise AssertionError("the file was read although its declared size is too big")


def test_declared_size_over_max_is_refused_before_reading():
    refused(_DeclaredHuge(b"\xff\xd8"), "file_too_large")


def test_size_that_lies_is_caught_while_reading():
    file = upload(image_bytes("PNG") + b"\0" * MAX_BYTES, "kecil.png")
    file.size = 100  # the declared size cannot be trusted
    refused(file, "file_too_large")


def test_file_of_exactly_max_bytes_is_not_refused_for_its_size():
    data = pdf_bytes()
    data += b"\n%" + b"x" * (MAX_BYTES - len(data) - 2)
    assert len(data) == MAX_BYTES
    assert validate_upload(upload(data, "pas.pdf")).content_type == "application/pdf"


def test_fifty_megapixel_image_is_refused_without_decoding(monkeypatch):
    out = io.BytesIO()
    Image.new("1", (10000, 5000)).save(out, "PNG")
    data = out.getvalue()
    assert len(data) < 100_000  # small on disk, 50 megapixels when decoded

    decoded = []
    real_load = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    refused(data, "image_too_large", name="bom.png")
    assert decoded == []


def test_image_just_under_the_pixel_cap_is_accepted():  # PNG and WebP caps: tests/uploads/test_review_b_*
    stored = open_stored(validate_upload(upload(image_bytes("JPEG", size=(8000, 5000), mode="L", color=1))))
    assert stored.size == (MAX_SIDE, 1600)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200, "photo.jpg", "image/jpeg"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "x.pdf", "application/pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "peta.png", "image/png"),
        (b"PK\x03\x04" + b"\0" * 100, "dokumen.pdf", "application/pdf"),
        (b"Teks biasa saja.", "catatan.jpg", "image/jpeg"),
    ],
    ids=["exe-named-jpg", "html-named-pdf", "svg", "zip", "text"],
)
def test_other_types_are_refused_whatever_their_name(data, name, content_type):
    refused(upload(data, name, content_type), "unsupported_type")


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_image_formats_outside_the_allow_list_are_refused(fmt):
    refused(image_bytes(fmt, mode="RGB"), "unsupported_type", name="gambar.jpg")


def test_no_other_decoder_even_parses_the_bytes(monkeypatch):
    from PIL import GifImagePlugin

    parsed = []
    real_open = GifImagePlugin.GifImageFile._open

    def spy(self):
        parsed.append("GIF")
        return real_open(self)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_open", spy)
    refused(image_bytes("GIF", mode="RGB"), "unsupported_type", name="animasi.jpg")
    assert parsed == []


def test_truncated_jpeg_is_refused():
    data = image_bytes("JPEG", size=(400, 300))
    refused(data[: len(data) // 2], "invalid_image", name="putus.jpg")


def test_corrupt_png_is_refused():
    data = bytearray(image_bytes("PNG", size=(200, 200)))
    data[60:80] = b"\x00" * 20  # inside the compressed pixel data: the CRC no longer matches
    refused(bytes(data), "invalid_image", name="rusak.png")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n" + b"sampah " * 50, b"%PDF-", b"%PDF-1.4\n%%EOF\n"],
    ids=["garbage", "header-only", "no-pages"],
)
def test_broken_pdf_is_refused(data):
    refused(data, "invalid_pdf", name="surat.pdf")


def test_empty_file_is_refused():
    refused(b"", "empty_file", name="kosong.jpg")


# --- several files -----------------------------------------------------------------------------


def test_up_to_max_files_are_validated_and_more_are_refused():
    files = [upload(image_bytes("PNG"), f"f{i}.png") for i in range(MAX_FILES)]
    assert [c.name for c in validate_uploads(files)] == [f"f{i}.png" for i in range(MAX_FILES)]

    files.append(upload(pdf_bytes(), "lagi.pdf"))
    with pytest.raises(InvalidInput) as info:
        validate_uploads(files)
    assert info.value.code == "too_many_files"
    assert info.value.params == {"field": "attachments"}


def test_one_bad_file_refuses_the_submission():
    with pytest.raises(InvalidInput) as info:
        validate_uploads([upload(image_bytes("PNG"), "ok.png"), upload(b"MZ\x90\x00" * 10, "virus.jpg")])
    assert info.value.code == "unsupported_type"


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "ext", "expected"),
    [
        ("../../etc/passwd.png", ".png", "passwd.png"),
        ("C:\\Users\\Budi\\Foto Jalan.JPG", ".jpg", "Foto Jalan.jpg"),
        ("laporan.html", ".pdf", "laporan.pdf"),
        ('a"b<c>.pdf', ".pdf", "abc.pdf"),
        ("foto\u202egpj.exe", ".jpg", "fotogpj.jpg"),
        ("baris\r\nbaru.png", ".png", "barisbaru.png"),
        ("  jalan\u00a0 rusak .png", ".png", "jalan rusak.png"),
        ("", ".pdf", "lampiran.pdf"),
        ("...", ".png", "lampiran.png"),
        ("tanpa-titik", ".webp", "tanpa-titik.webp"),
    ],
)
def test_safe_name(raw, ext, expected):
    assert safe_name(raw, ext) == expected


def test_safe_name_is_at_most_120_characters_and_keeps_the_extension():
    name = safe_name("jalan-" * 100 + ".jpeg", ".jpg")
    assert len(name) <= 120
    assert name.endswith(".jpg")
    assert name.startswith("jalan-jalan-")


# --- stash -------------------------------------------------------------------------------------


def test_stash_roundtrip():
    clean = validate_upload(upload(image_bytes("PNG"), "simpan.png"))
    token = stash_upload(clean)
    assert len(token) >= 32
    assert stash_upload(clean) != token  # a new token every time
    assert unstash(token) == clean
    assert unstash(token) == clean  # still there when the form is shown once more

    stash_discard(token)
    assert unstash(token) is None


@pytest.mark.parametrize("token", ["A" * 32, "", None, 123, "../" * 11, "A" * 31 + "!", "x" * 200])
def test_unstash_unknown_or_malformed_token_is_none(token):
    assert unstash(token) is None


def test_unstash_expired_is_none(monkeypatch):
    from django.core.cache import cache

    token = stash_upload(CleanUpload(name="a.pdf", content_type="application/pdf", data=b"%PDF-", size=5))
    cache.delete(attachments.STASH_PREFIX + token)  # what the timeout does
    assert unstash(token) is None


# --- storing -----------------------------------------------------------------------------------


def stored_bytes(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as f:
        return f.read()


def test_attachment_add_stores_the_clean_bytes(complaint):
    clean = validate_upload(upload(jpeg_with_gps(), "../rahasia/lokasi.jpg"))

    attachment = attachment_add(complaint=complaint, upload=clean)

    attachment.refresh_from_db()
    assert attachment.complaint == complaint
    assert attachment.original_name == "lokasi.jpg"
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(clean.data)
    assert attachment.is_internal is False
    assert attachment.uploaded_by is None
    assert stored_bytes(attachment) == clean.data
    assert attachment.file.name.startswith(f"complaints/{complaint.pk}/")
    assert "lokasi" not in attachment.file.name


def test_attachment_add_refuses_the_sixth_citizen_file(complaint):
    clean = validate_upload(upload(image_bytes("PNG"), "f.png"))
    for _ in range(MAX_FILES):
        attachment_add(complaint=complaint, upload=clean)

    with pytest.raises(InvalidInput) as info:
        attachment_add(complaint=complaint, upload=clean)

    assert info.value.code == "too_many_files"
    assert complaint.attachments.count() == MAX_FILES


def test_staff_and_internal_files_do_not_count_against_the_citizen(complaint, koordinator):
    clean = validate_upload(upload(pdf_bytes(), "tindak lanjut.pdf"))
    attachment_add(complaint=complaint, upload=clean, uploaded_by=koordinator)
    attachment_add(complaint=complaint, upload=clean, uploaded_by=koordinator, is_internal=True)
    for _ in range(MAX_FILES):
        attachment_add(complaint=complaint, upload=clean)
    assert complaint.attachments.count() == MAX_FILES + 2

    # Staff may still add theirs once the citizen's are used up.
    internal = attachment_add(complaint=complaint, upload=clean, uploaded_by=koordinator, is_internal=True)
    assert internal.is_internal
    assert internal.uploaded_by == koordinator


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.ARCHIVED, Status.FORWARDED_OUT])
def test_attachment_add_refuses_every_file_on_a_closed_complaint(pemda, koordinator, status):
    complaint = complaint_in_status(status, pemda=pemda, koordinator=koordinator)
    clean = validate_upload(upload(image_bytes("PNG"), "f.png"))

    for who, internal in [(None, False), (koordinator, False), (koordinator, True)]:
        with pytest.raises(InvalidInput) as info:
            attachment_add(complaint=complaint, upload=clean, uploaded_by=who, is_internal=internal)
        assert info.value.code == "complaint_closed"
    assert not complaint.attachments.exists()


def test_the_staff_page_shares_the_closed_rule(client, pemda, koordinator):
    complaint = complaint_in_status(Status.ARCHIVED, pemda=pemda, koordinator=koordinator)
    client.force_login(koordinator)

    response = client.post(
        reverse("complaints:staff-attachment-add", kwargs={"pk": complaint.pk}),
        {"file": upload(image_bytes("PNG"), "bukti.png"), "is_internal": "on"},
    )

    assert response.status_code == 400
    assert "Aduan sudah ditutup; lampiran tidak dapat ditambahkan." in response.content.decode()
    assert not complaint.attachments.exists()


def test_attachment_add_refuses_anything_but_a_clean_upload(complaint):
    with pytest.raises(InvalidInput) as info:
        attachment_add(
            complaint=complaint,
            upload=CleanUpload(name="x.html", content_type="text/html", data=b"<script>", size=8),
        )
    assert info.value.code == "unsupported_type"
    assert not complaint.attachments.exists()


# --- downloads ---------------------------------------------------------------------------------


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_safe_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == CSP
    assert response["Cache-Control"] == "private, no-store"


def citizen_url(complaint, attachment, secret=None):
    return reverse(
        "complaints:citizen-attachment",
        kwargs={"secret": secret or complaint.tracking_secret, "pk": attachment.pk},
    )


def staff_url(attachment):
    return reverse("complaints:staff-attachment", kwargs={"pk": attachment.pk})


def scanned(attachment):
    """What the scan task does once the upload commits (the default scanner passes every file;
    quarantine itself is tested in tests/uploads/)."""
    attachment_scan(attachment.pk)
    attachment.refresh_from_db()
    return attachment


@pytest.fixture
def files(complaint):
    image = validate_upload(upload(image_bytes("JPEG"), "jalan.jpg"))
    pdf = validate_upload(upload(pdf_bytes(), "surat kuasa.pdf"))
    return {
        "image": scanned(attachment_add(complaint=complaint, upload=image)),
        "pdf": scanned(attachment_add(complaint=complaint, upload=pdf)),
        "internal": scanned(attachment_add(complaint=complaint, upload=pdf, is_internal=True)),
        "image_bytes": image.data,
        "pdf_bytes": pdf.data,
    }


def test_citizen_gets_an_image_inline(client, complaint, files):
    response = client.get(citizen_url(complaint, files["image"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="jalan.jpg"'
    assert_safe_headers(response)
    assert body(response) == files["image_bytes"]


def test_citizen_gets_a_pdf_as_a_download(client, complaint, files):
    response = client.get(citizen_url(complaint, files["pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="surat kuasa.pdf"'
    assert_safe_headers(response)
    assert body(response) == files["pdf_bytes"]


def test_citizen_with_a_wrong_secret_gets_404(client, complaint, files):
    for secret in ("salah" * 8, complaint.tracking_secret[:-1] + "x", "A" * 65):
        assert client.get(citizen_url(complaint, files["image"], secret=secret)).status_code == 404


def test_citizen_cannot_reach_another_complaints_attachment(client, complaint, files):
    other = ComplaintFactory(pemda=complaint.pemda)
    theirs = scanned(
        attachment_add(complaint=other, upload=validate_upload(upload(image_bytes("PNG"), "x.png")))
    )
    assert client.get(citizen_url(complaint, theirs)).status_code == 404
    assert client.get(citizen_url(other, theirs)).status_code == 200


def test_citizen_does_not_get_internal_attachments(client, complaint, files):
    assert client.get(citizen_url(complaint, files["internal"])).status_code == 404


def test_citizen_download_accepts_only_get(client, complaint, files):
    assert client.post(citizen_url(complaint, files["image"])).status_code == 405


def test_row_with_an_unexpected_content_type_is_served_as_a_plain_download(client, complaint, files):
    Attachment.objects.filter(pk=files["image"].pk).update(content_type="text/html")
    response = client.get(citizen_url(complaint, files["image"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert_safe_headers(response)


def test_staff_download_needs_sign_in(client, complaint, files):
    response = client.get(staff_url(files["image"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("complaints:staff-login"))


def test_staff_in_scope_gets_every_attachment(client, complaint, koordinator, files):
    client.force_login(koordinator)
    for key in ("image", "pdf", "internal"):
        response = client.get(staff_url(files[key]))
        assert response.status_code == 200, key
        assert_safe_headers(response)
    response = client.get(staff_url(files["pdf"]))
    assert response["Content-Disposition"] == 'attachment; filename="surat kuasa.pdf"'
    assert body(response) == files["pdf_bytes"]


def test_staff_out_of_scope_gets_404(client, complaint, files, stranger):
    other_pemda = PemdaFactory()
    outsiders = [
        MembershipFactory(role="koordinator", pemda=other_pemda).user,
        MembershipFactory(role="petugas_opd", opd=OpdFactory(pemda=complaint.pemda)).user,  # never held it
        stranger,  # no membership at all
    ]
    for user in outsiders:
        client.force_login(user)
        assert client.get(staff_url(files["image"])).status_code == 404


def test_opd_staff_see_attachments_of_complaints_their_opd_holds(client, pemda, opd, petugas, other_opd):
    complaint = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=opd)
    attachment = scanned(
        attachment_add(complaint=complaint, upload=validate_upload(upload(image_bytes("WEBP"), "a.webp")))
    )
    client.force_login(petugas)
    response = client.get(staff_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"

    client.force_login(MembershipFactory(role="petugas_opd", opd=other_opd).user)
    assert client.get(staff_url(attachment)).status_code == 404


def test_missing_file_is_404(client, complaint, files):
    files["image"].file.storage.delete(files["image"].file.name)
    assert client.get(citizen_url(complaint, files["image"])).status_code == 404


# --- concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_cannot_pass_the_limit_together(monkeypatch):
    from django.core.files.storage import InMemoryStorage

    complaint = ComplaintFactory(pemda=PemdaFactory())
    clean = CleanUpload(name="a.pdf", content_type="application/pdf", data=pdf_bytes(), size=0)
    for _ in range(MAX_FILES - 1):
        attachment_add(complaint=complaint, upload=clean)

    # Slow storage keeps each upload between its count and its commit long enough for the other
    # to count too, were the complaint not locked.
    real_save = InMemoryStorage._save

    def slow_save(self, name, content):
        time.sleep(0.3)
        return real_save(self, name, content)

    monkeypatch.setattr(InMemoryStorage, "_save", slow_save)

    barrier = threading.Barrier(2)
    results = []

    def work():
        try:
            barrier.wait(timeout=30)
            attachment_add(complaint=complaint, upload=clean)
            results.append("ok")
        except InvalidInput as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["ok", "too_many_files"]
    assert Attachment.objects.filter(complaint=complaint).count() == MAX_FILES


def test_the_staff_page_shows_why_a_file_was_refused(client, pemda, koordinator):
    complaint = ComplaintFactory(pemda=pemda)
    client.force_login(koordinator)

    response = client.post(
        reverse("complaints:staff-attachment-add", kwargs={"pk": complaint.pk}),
        {"file": upload(b"<html><script>alert(1)</script></html>", "bukti.png"), "is_internal": "on"},
    )

    assert response.status_code == 400
    assert "Jenis berkas tidak didukung." in response.content.decode()  # beside the file field
    assert not complaint.attachments.exists()
