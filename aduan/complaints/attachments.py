"""Attachments: what a citizen (or staff) may upload, how it is cleaned, stashed and stored.

Rules ("uploads allow-listed by content, re-encoded, size- and pixel-capped, served as
attachments"):

- The type is decided by the bytes, never by the file name or the browser's content type. Allowed:
  JPEG, PNG and WebP images (Pillow is only allowed to try those three decoders) and PDF documents
  (``%PDF-`` header and pypdf can read the page tree). Anything else is refused.
- At most ``MAX_BYTES`` per file, checked against the declared size before anything is read and
  again while reading; at most ``MAX_FILES`` per submission and per complaint (citizen files).
- Images: the pixel count is checked from the header before decoding (decompression bombs):
  at most ``MAX_PIXELS`` for a baseline JPEG, which is decoded at 1/2 to 1/8 of its size
  (``draft``), ``MAX_PIXELS_FULL_DECODE`` for PNG and progressive JPEG and ``MAX_PIXELS_WEBP``
  for WebP, which are decoded whole. The image is decoded fully (truncated or corrupt files are
  refused), reduced by an integer factor before any colour conversion or rotation, turned by its
  EXIF orientation, shrunk so its longest side is at most ``MAX_SIDE`` and re-encoded from its
  pixels alone in its own format. EXIF (GPS included), XMP, ICC profiles, text chunks and
  anything appended after the image data are gone; the stored bytes never equal the upload. At
  most ``IMAGE_WORKERS`` images are decoded at once per process; an upload that waits longer than
  ``IMAGE_WAIT_SECONDS`` for its turn is refused (``server_busy``). Worst cases are measured by
  bench/uploads.py.
- PDFs are rewritten by pypdf from their pages (and embedded files): the document information
  (/Author, /Creator, /Title, ...) and XMP metadata are gone. They are only ever served as downloads.
- The display name is the original base name, cleaned, at most 120 characters, and its extension
  is replaced by the one of the detected type (``laporan.html`` holding a PDF becomes
  ``laporan.pdf``).

A filing form that is shown again after an error keeps already validated files through
``stash_upload()`` / ``unstash()``: the bytes wait in the cache under an unguessable token for an
hour, and the form carries only the token.

Virus scanning and quarantine (issue 9): every stored file starts ``pending`` and is served by no
page or API until the scanner hook (aduan/core/scanning.py, ``ADUAN_UPLOAD_SCANNER``) calls it
``clean``. ``attachment_add()`` queues ``tasks.attachment_scan`` when its transaction commits;
``attachment_scan()`` below records the verdict. An infected file is deleted from storage at once
(``purged_at``); a failed scan (``error``, e.g. clamd down) keeps the file in quarantine and is
retried with backoff, and the ``attachments-rescan`` beat job picks up anything left pending or
failed for longer than ``RESCAN_AFTER``.
"""

import io
import logging
import os
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from aduan.core.exceptions import InvalidInput

from .models import Attachment, Complaint, ScanStatus

logger = logging.getLogger(__name__)

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # baseline JPEG, decoded reduced (draft)
MAX_PIXELS_FULL_DECODE = 12_000_000  # PNG and progressive JPEG: decoded whole
MAX_PIXELS_WEBP = 6_000_000  # WebP: decoded whole, through libwebp's buffers and a copy
MAX_SIDE = 2560
MAX_NAME_LENGTH = 120
JPEG_QUALITY = 85

STASH_TIMEOUT = 60 * 60
STASH_PREFIX = "upload-stash:"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24)

FIELD = "attachments"

# Image work in this process at once (decoding costs up to about 100 MB each; see bench/uploads.py),
# and how long an upload waits for its turn before it is refused as "server busy".
IMAGE_WORKERS = 2
IMAGE_WAIT_SECONDS = 20
_IMAGE_WORK = threading.BoundedSemaphore(IMAGE_WORKERS)

ORIENTATION_TAG = 0x0112
ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Pillow format name → (content type, extension). Pillow may try no other decoder.
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
PDF_CONTENT_TYPE = "application/pdf"
IMAGE_CONTENT_TYPES = frozenset(ct for ct, _ext in IMAGE_FORMATS.values())
ALLOWED_CONTENT_TYPES = IMAGE_CONTENT_TYPES | {PDF_CONTENT_TYPE}


@dataclass(frozen=True)
class CleanUpload:
    """A validated upload, ready to be stored: a safe display name, the content type decided from
    the bytes, and the bytes to store (re-encoded for images, rewritten without metadata for PDFs)."""

    name: str
    content_type: str
    data: bytes
    size: int


def _invalid(message, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, field=FIELD)


def file_too_large() -> InvalidInput:
    """The refusal of a file above MAX_BYTES (also for inbound e-mail, before decoding it)."""
    return _invalid(
        _("Berkas terlalu besar. Ukuran maksimum %(mb)d MB per berkas.") % {"mb": MAX_BYTES // (1024 * 1024)},
        "file_too_large",
    )


def _image_too_large(cap: int = MAX_PIXELS) -> InvalidInput:
    return _invalid(
        _("Gambar terlalu besar. Maksimum %(mp)d megapiksel.") % {"mp": cap // 1_000_000},
        "image_too_large",
    )


def _unsupported() -> InvalidInput:
    return _invalid(
        _("Jenis berkas tidak didukung. Unggah foto JPEG, PNG atau WebP, atau dokumen PDF."),
        "unsupported_type",
    )


# --- Names -------------------------------------------------------------------------------------


def safe_name(raw, extension: str) -> str:
    """The original base name, without any path, control or quoting characters, at most
    ``MAX_NAME_LENGTH`` characters, ending in ``extension`` (the detected type's)."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Control and format characters (e.g. U+202E, which flips "gpj.exe" into view) go; odd spaces
    # become plain ones.
    name = "".join(
        " " if unicodedata.category(ch) in ("Zl", "Zp", "Zs") else ch
        for ch in name
        if ch not in '"<>:|?*' and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    name = " ".join(name.split()).strip(" .")
    stem = os.path.splitext(name)[0].strip(" .") if "." in name else name
    stem = stem[: MAX_NAME_LENGTH - len(extension)].rstrip(" .")
    return f"{stem or 'lampiran'}{extension}"


# --- Validation --------------------------------------------------------------------------------


def _read_capped(uploaded_file) -> bytes:
    """All bytes of the upload, refusing it before reading when its declared size is too big and
    as soon as more than MAX_BYTES arrive (the declared size is not trusted)."""
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > MAX_BYTES:
        raise file_too_large()
    if hasattr(uploaded_file, "seek"):
        try:
            uploaded_file.seek(0)
        except (OSError, ValueError):
            pass
    chunks, total = [], 0
    if hasattr(uploaded_file, "chunks"):
        iterator = uploaded_file.chunks()
    else:
        iterator = iter(lambda: uploaded_file.read(64 * 1024), b"")
    for chunk in iterator:
        total += len(chunk)
        if total > MAX_BYTES:
            raise file_too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info


def _to_srgb(img: Image.Image) -> Image.Image:
    """Convert pixels described by an embedded ICC profile to sRGB, so that dropping the profile
    does not change the colours. Left as it is when the profile cannot be used."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "RGBA"):
        return img
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(img, source, ImageCms.createProfile("sRGB"), outputMode=img.mode)
    except Exception:
        return img


def _image_cap(img: Image.Image) -> int:
    """The most pixels this image may have: MAX_PIXELS for a baseline JPEG (decoded at 1/2 to 1/8
    of its size by ``draft``); MAX_PIXELS_FULL_DECODE for PNG and progressive JPEG, which are
    decoded whole (libjpeg keeps every coefficient of a progressive JPEG in memory); less for WebP,
    whose decoder holds the picture about four times over."""
    if img.format == "WEBP":
        return MAX_PIXELS_WEBP
    if img.format == "JPEG" and not img.info.get("progressive"):
        return MAX_PIXELS
    return MAX_PIXELS_FULL_DECODE


def _target_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size the stored image will have: the longest side at most MAX_SIDE."""
    width, height = size
    longest = max(width, height)
    if longest <= MAX_SIDE:
        return size
    return max(1, round(width * MAX_SIDE / longest)), max(1, round(height * MAX_SIDE / longest))


def _shrink(img: Image.Image) -> Image.Image:
    """Cheaply reduce a decoded image by an integer factor (box average) towards MAX_SIDE, before
    any colour conversion or rotation touches the full-size pixels."""
    if img.mode in ("P", "1"):  # palette indices cannot be averaged: convert, then reduce
        img = img.convert("RGBA" if _has_alpha(img) else ("L" if img.mode == "1" else "RGB"))
    factor = max(img.size) // MAX_SIDE
    if factor >= 2:
        img = img.reduce(factor)
    return img


def _reencode_image(img: Image.Image, fmt: str, orientation: int | None) -> bytes:
    """Shrunk first, then orientation applied, modes made storable, shrunk to MAX_SIDE exactly,
    then rebuilt from raw pixels so that no metadata of the upload (EXIF, XMP, ICC, text chunks,
    trailing bytes) can survive."""
    img = _shrink(img)
    if method := ORIENTATIONS.get(orientation):
        img = img.transpose(method)
    if img.mode == "CMYK":
        img = img.convert("RGB")
    elif img.mode == "1":
        img = img.convert("L")
    if fmt == "JPEG":
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
    elif fmt == "PNG":
        if img.mode not in ("RGB", "RGBA", "L", "LA"):
            img = img.convert("RGBA" if _has_alpha(img) else "RGB")
    elif img.mode not in ("RGB", "RGBA"):  # WEBP
        img = img.convert("RGBA" if _has_alpha(img) else "RGB")
    img = _to_srgb(img)
    if max(img.size) > MAX_SIDE:
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    pixels_only = Image.new(img.mode, img.size)
    pixels_only.paste(img, (0, 0))  # the pixels alone: no info, EXIF or profile of the upload
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels_only.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        pixels_only.save(out, "PNG", optimize=False, compress_level=3)
    else:
        pixels_only.save(out, "WEBP", quality=JPEG_QUALITY, method=2)
    return out.getvalue()


def _clean_image(data: bytes, name) -> CleanUpload | None:
    """The re-encoded image, or None when the bytes are not JPEG, PNG or WebP."""
    try:
        img = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
    except Image.DecompressionBombError:
        raise _image_too_large() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    with img:
        fmt = img.format
        if fmt not in IMAGE_FORMATS:
            return None
        width, height = img.size
        # Image.open has read only the header: refuse a bomb before any pixel is decoded.
        if width <= 0 or height <= 0:
            raise _invalid(_("Gambar rusak atau tidak dapat dibaca."), "invalid_image")
        if width * height > _image_cap(img):
            raise _image_too_large(_image_cap(img))
        if not _IMAGE_WORK.acquire(timeout=IMAGE_WAIT_SECONDS):
            raise _invalid(_("Server sedang sibuk memproses gambar. Coba lagi sebentar lagi."), "server_busy")
        try:
            orientation = img.getexif().get(ORIENTATION_TAG)
            if fmt == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 of the size straight away (still reads every byte),
                # aiming at the stored size so that a long, thin photo is reduced too.
                img.draft(img.mode if img.mode in ("RGB", "L") else None, _target_size(img.size))
            img.load()
            stored = _reencode_image(img, fmt, orientation)
        except Image.DecompressionBombError:
            raise _image_too_large() from None
        except Exception:
            raise _invalid(_("Gambar rusak atau tidak dapat dibaca."), "invalid_image") from None
        finally:
            _IMAGE_WORK.release()
    content_type, extension = IMAGE_FORMATS[fmt]
    return CleanUpload(
        name=safe_name(name, extension), content_type=content_type, data=stored, size=len(stored)
    )


# Page keys that carry metadata rather than what the page shows.
PDF_PAGE_METADATA_KEYS = ("/Metadata", "/PieceInfo", "/LastModified")


def _rewrite_pdf(data: bytes) -> bytes | None:
    """The document's pages and embedded files, written anew: no document information (/Author,
    /Creator, /Title, /Subject, /Keywords, /Producer, dates), no XMP stream (of the document or of
    a page), no outline, form or JavaScript of the catalog. Embedded files are kept as the
    reporter's content (and scanned like the rest). None when pypdf cannot read or write it."""
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            return None
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in PDF_PAGE_METADATA_KEYS:
                added.pop(key, None)
        for embedded_name, contents in reader.attachments.items():
            for content in contents:
                writer.add_attachment(embedded_name, content)
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except Exception:
        return None
    return out.getvalue()


def _clean_pdf(data: bytes, name) -> CleanUpload:
    stored = _rewrite_pdf(data)
    if stored is None:
        raise _invalid(_("Dokumen PDF rusak, terkunci atau tidak dapat dibaca."), "invalid_pdf")
    return CleanUpload(
        name=safe_name(name, ".pdf"), content_type=PDF_CONTENT_TYPE, data=stored, size=len(stored)
    )


def validate_upload(uploaded_file) -> CleanUpload:
    """Check one uploaded file (a Django ``UploadedFile`` or any file-like object with a ``name``)
    and return what may be stored, or raise InvalidInput (field "attachments") with one of the codes
    ``file_too_large``, ``empty_file``, ``image_too_large``, ``invalid_image``, ``invalid_pdf``,
    ``unsupported_type``."""
    data = _read_capped(uploaded_file)
    name = getattr(uploaded_file, "name", "") or ""
    if not data:
        raise _invalid(_("Berkas kosong."), "empty_file")
    if data.startswith(b"%PDF-"):
        return _clean_pdf(data, name)
    clean = _clean_image(data, name)
    if clean is None:
        raise _unsupported()
    return clean


def validate_uploads(files) -> list[CleanUpload]:
    """Check the files of one submission: at most MAX_FILES, each as ``validate_upload()``."""
    files = [f for f in (files or []) if f is not None]
    if len(files) > MAX_FILES:
        raise _invalid(
            _("Paling banyak %(n)d lampiran per aduan.") % {"n": MAX_FILES},
            "too_many_files",
        )
    return [validate_upload(f) for f in files]


# --- Stash (keeping validated files while a form is shown again) -------------------------------


def stash_upload(clean: CleanUpload) -> str:
    """Keep a validated upload in the cache for an hour; returns the unguessable token to carry in
    the form (a hidden field). The token is the only way back to the bytes."""
    token = secrets.token_urlsafe(24)
    value = {"name": clean.name, "content_type": clean.content_type, "data": bytes(clean.data)}
    cache.set(STASH_PREFIX + token, value, timeout=STASH_TIMEOUT)
    return token


def unstash(token) -> CleanUpload | None:
    """The upload stashed under ``token``, or None when the token is malformed, unknown or expired.
    The entry stays until it expires or ``stash_discard()`` removes it (the form may be shown
    again more than once)."""
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        return None
    value = cache.get(STASH_PREFIX + token)
    if not isinstance(value, dict):
        return None
    try:
        name, content_type, data = value["name"], value["content_type"], value["data"]
    except KeyError:
        return None
    if content_type not in ALLOWED_CONTENT_TYPES or not isinstance(data, bytes):
        return None
    return CleanUpload(name=name, content_type=content_type, data=data, size=len(data))


def stash_discard(token) -> None:
    """Forget a stashed upload (after the complaint it belongs to was filed)."""
    if isinstance(token, str) and _TOKEN_RE.match(token):
        cache.delete(STASH_PREFIX + token)


# --- Storing -----------------------------------------------------------------------------------


def _citizen_files(complaint: Complaint) -> Q:
    """Attachments that count against the citizen's MAX_FILES: visible to the reporter and not
    uploaded by someone other than the reporter (staff follow-up files do not count)."""
    by_reporter = Q(uploaded_by__isnull=True)
    if complaint.reporter_user_id is not None:
        by_reporter |= Q(uploaded_by_id=complaint.reporter_user_id)
    return Q(is_internal=False) & by_reporter


def attachment_add(
    *,
    complaint: Complaint,
    upload: CleanUpload,
    uploaded_by=None,
    is_internal: bool = False,
    now: datetime | None = None,
) -> Attachment:
    """Store a validated upload on ``complaint``. Refused (``complaint_closed``) once the complaint
    is closed — resolved, archived or forwarded out — whoever uploads: the pages and the API share
    this rule. A citizen's file (no uploader, or the reporter's own account, not internal) is
    refused once the complaint already has MAX_FILES of them."""
    if not isinstance(upload, CleanUpload) or upload.content_type not in ALLOWED_CONTENT_TYPES:
        raise _unsupported()
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the complaint so that concurrent uploads cannot both pass the count.
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.is_closed:  # about the complaint, not the file: no field named
            raise InvalidInput(
                _("Aduan sudah ditutup; lampiran tidak dapat ditambahkan."), code="complaint_closed"
            )
        uploader_id = getattr(uploaded_by, "pk", None)
        is_citizen_file = not is_internal and (
            uploader_id is None
            or (locked.reporter_user_id is not None and uploader_id == locked.reporter_user_id)
        )
        if is_citizen_file and locked.attachments.filter(_citizen_files(locked)).count() >= MAX_FILES:
            raise _invalid(
                _("Paling banyak %(n)d lampiran per aduan.") % {"n": MAX_FILES},
                "too_many_files",
            )
        attachment = Attachment(
            complaint=locked,
            original_name=upload.name,
            content_type=upload.content_type,
            size=len(upload.data),
            uploaded_by=uploaded_by,
            is_internal=is_internal,
            created_at=now,
        )
        # upload_to ignores this name: the stored path is complaints/<id>/<random hex>.
        attachment.file.save("lampiran", ContentFile(upload.data), save=False)
        stored_name = attachment.file.name
        try:
            attachment.save()
        except BaseException:
            attachment.file.storage.delete(stored_name)
            raise
        pk = attachment.pk
        transaction.on_commit(lambda: _enqueue_scan(pk), robust=True)
    return attachment


# --- Virus scanning and quarantine ----------------------------------------------------------------

RESCAN_AFTER = timedelta(minutes=5)
SCANNABLE = (ScanStatus.PENDING, ScanStatus.ERROR)
MISSING_FILE = "berkas tidak ditemukan di penyimpanan"
MISSING = "missing"  # attachment_scan's answer for a file gone from storage (stored as error)


def _enqueue_scan(pk: int) -> None:
    from .tasks import attachment_scan as scan_task

    # No publish retries: if the broker is down the upload must not wait; attachments-rescan
    # scans it later.
    scan_task.apply_async((pk,), retry=False)


def attachment_is_servable(attachment: Attachment) -> bool:
    """Only files the scanner called clean, and not purged, leave quarantine."""
    return attachment.scan_status == ScanStatus.CLEAN and attachment.purged_at is None


def attachment_scan(pk: int, *, scanner=None, now: datetime | None = None) -> str | None:
    """Scan one attachment that is pending or failed before, and record the verdict (``clean``,
    ``infected`` or ``error``); returns it, or None when there was nothing to do (unknown row,
    already decided, purged). Infected files are deleted from storage and marked purged. Logs
    carry the row id and the signature name only (no file name: it may hold personal data)."""
    from aduan.core.scanning import ERROR, INFECTED, ScanResult, get_scanner

    attachment = Attachment.objects.filter(pk=pk, scan_status__in=SCANNABLE, purged_at__isnull=True).first()
    if attachment is None:
        return None
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError, OSError):
        result = ScanResult(ERROR, MISSING_FILE)
    else:
        result = (scanner or get_scanner()).scan(data)
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Attachment.objects.select_for_update()
            .filter(pk=pk, scan_status__in=SCANNABLE, purged_at__isnull=True)
            .first()
        )
        if locked is None:  # decided or purged meanwhile
            return None
        locked.scan_status = result.status
        locked.scan_detail = result.detail
        locked.scanned_at = now
        fields = ["scan_status", "scan_detail", "scanned_at"]
        if result.status == INFECTED:
            locked.purged_at = now
            fields.append("purged_at")
        locked.save(update_fields=fields)
        if result.status == INFECTED:
            locked.file.storage.delete(locked.file.name)
    if result.status == INFECTED:
        logger.warning("attachment %s infected (%s): file deleted", pk, result.detail)
    elif result.status == ERROR:
        logger.warning("attachment %s not scanned: %s", pk, result.detail)
    return MISSING if result.detail == MISSING_FILE else result.status


def attachments_due_for_scan(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Attachments left in quarantine for longer than RESCAN_AFTER: pending ones whose scan task
    was lost, and failed ones (``error``) whose last attempt is that old. Never-scanned ones first
    (oldest first), then failed ones by their last attempt, so one file that always fails goes to
    the back of the queue instead of blocking it."""
    now = now or timezone.now()
    cutoff = now - RESCAN_AFTER
    due = (
        Q(scan_status=ScanStatus.PENDING, created_at__lte=cutoff)
        | Q(scan_status=ScanStatus.ERROR, scanned_at__lte=cutoff)
        | Q(scan_status=ScanStatus.ERROR, scanned_at__isnull=True)
    )
    return list(
        Attachment.objects.filter(due, purged_at__isnull=True)
        .order_by(F("scanned_at").asc(nulls_first=True), "created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
