"""Security review B, point 3: the cost of decoding an image is bounded. PNG, WebP and progressive
JPEG (decoded whole) have lower pixel caps than baseline JPEG (decoded reduced); a file above its
cap is refused before decoding with a clear error and nothing is stored; the largest allowed PNG is
accepted and stored without its metadata; image work waits for a free slot and is refused as
"server busy" when none frees up. Memory and time are measured by bench/uploads.py, not here."""

import io
import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin
from rest_framework.test import APIClient

from aduan.complaints import attachments
from aduan.complaints.attachments import MAX_SIDE, validate_upload
from aduan.core.exceptions import InvalidInput

SECRET = "Siti Rahmawati 6471015507900001"


def png(size, *, metadata=False) -> bytes:
    img = Image.new("1", size, 1)
    out = io.BytesIO()
    extra = {}
    if metadata:
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", SECRET)
        info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SECRET}</x:xmpmeta>")
        exif = Image.Exif()
        exif[0x010F] = SECRET  # Make
        exif[0x0112] = 6  # Orientation: turn 90° clockwise
        extra = {"pnginfo": info, "exif": exif}
    img.save(out, "PNG", **extra)
    return out.getvalue()


def encoded(fmt, size, **save) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 200).save(out, fmt, **save)
    return out.getvalue()


def square_above(cap: int) -> tuple[int, int]:
    side = math.isqrt(cap) + 1
    return side, side


def refused_code(data: bytes, name: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        validate_upload(SimpleUploadedFile(name, data))
    return info.value


@pytest.mark.parametrize(
    ("fmt", "cap", "save"),
    [
        ("PNG", attachments.MAX_PIXELS_FULL_DECODE, {}),
        ("WEBP", attachments.MAX_PIXELS_WEBP, {"lossless": True}),
        ("JPEG", attachments.MAX_PIXELS_FULL_DECODE, {"progressive": True}),
    ],
)
def test_an_image_above_its_cap_is_refused_with_a_clear_error(fmt, cap, save):
    data = encoded(fmt, square_above(cap), **save)
    error = refused_code(data, f"besar.{fmt.lower()}")
    assert error.code == "image_too_large"
    assert error.params["field"] == "attachments"
    assert str(error.message) == f"Gambar terlalu besar. Maksimum {cap // 1_000_000} megapiksel."


def test_a_baseline_jpeg_of_that_size_is_still_accepted():
    size = square_above(attachments.MAX_PIXELS_FULL_DECODE)
    stored = validate_upload(SimpleUploadedFile("foto.jpg", encoded("JPEG", size)))
    assert Image.open(io.BytesIO(stored.data)).size == (MAX_SIDE, MAX_SIDE)


@pytest.mark.django_db
def test_a_png_above_the_cap_filed_through_the_api_stores_nothing(complaint):
    data = png(square_above(attachments.MAX_PIXELS_FULL_DECODE))
    assert len(data) < 100_000  # small on disk, a bomb once decoded
    response = APIClient().post(
        f"/api/v1/track/{complaint.tracking_secret}/attachments/",
        {"file": SimpleUploadedFile("bom.png", data)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"
    assert not complaint.attachments.exists()


def test_the_largest_allowed_png_is_accepted_without_its_metadata():
    side = math.isqrt(attachments.MAX_PIXELS_FULL_DECODE)
    data = png((side + 40, side - 40), metadata=True)
    assert SECRET.encode() in data

    clean = validate_upload(SimpleUploadedFile("layar.png", data))

    assert clean.content_type == "image/png"
    assert SECRET.encode() not in clean.data
    stored = Image.open(io.BytesIO(clean.data))
    assert stored.size[1] == MAX_SIDE  # shrunk, and turned by the orientation: taller than wide
    assert stored.size[0] < MAX_SIDE
    assert not stored.getexif()
    assert not {"Author", "XML:com.adobe.xmp", "exif", "icc_profile"} & set(stored.info)


def test_image_work_is_refused_as_busy_when_no_slot_frees_up(monkeypatch):
    monkeypatch.setattr(attachments, "IMAGE_WAIT_SECONDS", 0.05)
    data = encoded("PNG", (40, 30))
    for _ in range(attachments.IMAGE_WORKERS):
        assert attachments._IMAGE_WORK.acquire(timeout=1)
    try:
        error = refused_code(data, "foto.png")
        assert error.code == "server_busy"
        assert "Coba lagi" in str(error.message)
    finally:
        for _ in range(attachments.IMAGE_WORKERS):
            attachments._IMAGE_WORK.release()
    assert validate_upload(SimpleUploadedFile("foto.png", data)).content_type == "image/png"
