"""SP4N-LAPOR! files: import the reports an SP4N-LAPOR! admin downloads (CSV or XLSX), compare their
statuses with Aduan's, and write Aduan's statuses back in the same columns for upload.

Columns (the header row; names compared without case and surrounding spaces; others are ignored):

==================  ========  ===================================================================
column              required  value
==================  ========  ===================================================================
Nomor Tracking      yes       the SP4N-LAPOR! tracking number, unique per Pemda (e.g. 7265412)
Tanggal Laporan     yes       when the report was made, in the Pemda's zone: ``2026-11-03 08:15``,
                              ``03/11/2026 08:15`` or ``03-11-2026 08:15`` (an XLSX date cell too)
Judul Laporan       yes       the title (at most 200 characters)
Isi Laporan         yes       what happened (the chronology)
Status              yes       SP4N-LAPOR!'s status: one of LAPOR_STATUSES' values
Kategori            no        the name of one of the Pemda's categories (else left empty)
Lokasi              no        where
Klasifikasi         no        Pengaduan, Aspirasi or Permintaan Informasi (default Pengaduan)
Anonim, Rahasia     no        Ya / Tidak (default Tidak)
Nama Pelapor,       no        the reporter; a report that is not anonim needs a name and an e-mail
Email Pelapor,                or a phone, as on the web form
Telepon Pelapor
==================  ========  ===================================================================

Each row becomes a complaint through ``intake.complaint_intake`` (channel SP4N-LAPOR!, received at
*Tanggal Laporan*, recorded by the system), each in its own transaction. A number already in Aduan
is skipped, so importing the same file twice adds nothing; a bad row is reported with its row
number and reason and stores nothing. A file without a required column is refused whole.
A sample file: ``docs/samples/lapor-export-sample.csv``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan.core.exceptions import DomainError, InvalidInput
from aduan.core.spreadsheet import (
    SpreadsheetUnreadable,
    cell_text,
    csv_table,
    is_xlsx,
    safe_cell,
    xlsx_tables,
)

from .intake import IntakeData, complaint_intake, intake_is_late
from .models import Category, Channel, Classification, Complaint, IntakeRecord, Status
from .services import ReporterData

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = (
    "Nomor Tracking",
    "Tanggal Laporan",
    "Judul Laporan",
    "Isi Laporan",
    "Status",
    "Kategori",
    "Lokasi",
    "Klasifikasi",
    "Anonim",
    "Rahasia",
    "Nama Pelapor",
    "Email Pelapor",
    "Telepon Pelapor",
)
REQUIRED = COLUMNS[:5]
EXPORT_COLUMNS = COLUMNS[:10]  # never the reporter's identity
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M", "%Y-%m-%d")
# Aduan's status → SP4N-LAPOR!'s (the export writes these; reconciliation compares with them).
LAPOR_STATUSES = {
    Status.SUBMITTED: "Belum Terverifikasi",
    Status.ON_HOLD: "Belum Terverifikasi",
    Status.DISPATCHED: "Terdisposisi",
    Status.FOLLOWED_UP: "Ditindaklanjuti",
    Status.RESOLVED: "Selesai",
    Status.ARCHIVED: "Diarsipkan",
    Status.FORWARDED_OUT: "Dialihkan",
}
KNOWN_STATUSES = {s.lower() for s in LAPOR_STATUSES.values()}
CLASSIFICATIONS = {str(c.label).lower(): c.value for c in Classification} | {
    c.value: c.value for c in Classification
}
YES = {"ya", "y", "yes", "1", "true"}
NO = {"", "tidak", "t", "no", "n", "0", "false"}
IMPORT_NOTE = "Diimpor dari berkas SP4N-LAPOR!"


class LaporFileInvalid(InvalidInput):
    code = "lapor_file_invalid"


@dataclass
class Row:
    number: int  # the row's number in the file (the header is row 1)
    values: dict[str, str]

    @property
    def lapor_number(self) -> str:
        return self.values.get("nomor tracking", "").strip().upper()

    @property
    def status(self) -> str:
        return self.values.get("status", "").strip()


@dataclass
class ImportResult:
    created: list[tuple[int, str, str]] = field(default_factory=list)  # (row, LAPOR! number, ticket)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # already in Aduan
    failed: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)


@dataclass(frozen=True)
class Difference:
    row: int
    lapor_number: str
    file_status: str
    aduan_status: str  # SP4N-LAPOR!'s word for Aduan's status; "" when Aduan does not have it
    ticket_number: str


def read_rows(data: bytes, *, filename: str) -> list[Row]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX file; raises LaporFileInvalid."""
    if len(data) > MAX_FILE_BYTES:
        raise LaporFileInvalid(_("Berkas terlalu besar (paling besar 20 MB)."))
    try:
        table = next(iter(xlsx_tables(data).values()), []) if is_xlsx(data, filename) else csv_table(data)
    except SpreadsheetUnreadable as error:
        raise LaporFileInvalid(str(error)) from None
    if not table:
        raise LaporFileInvalid(_("Berkas kosong."))
    header = [(h or "").strip().lower() for h in table[0]]
    missing = [c for c in REQUIRED if c.lower() not in header]
    if missing:
        raise LaporFileInvalid(
            _("Kolom wajib tidak ada: %(columns)s. Kolom yang diterima: %(accepted)s.")
            % {"columns": ", ".join(missing), "accepted": ", ".join(COLUMNS)}
        )
    if len(table) - 1 > MAX_ROWS:
        raise LaporFileInvalid(_("Paling banyak %(n)d baris per berkas.") % {"n": MAX_ROWS})
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {h: cell_text(c) for h, c in zip(header, cells, strict=False) if h}
        if any(values.values()):
            rows.append(Row(number, values))
    return rows


def _flag(row: Row, name: str) -> bool:
    value = row.values.get(name, "").strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise InvalidInput(_("Kolom %(column)s harus Ya atau Tidak.") % {"column": name.title()})


def _received_at(row: Row, pemda) -> datetime:
    raw = row.values.get("tanggal laporan", "")
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=pemda.zoneinfo)  # no DST in Indonesia
        except ValueError:
            continue
    raise InvalidInput(_("Tanggal Laporan tidak dikenali: %(value)s.") % {"value": raw[:40]})


def _row_fields(row: Row, pemda, categories: dict[str, Category], now: datetime) -> dict:
    if not row.lapor_number:
        raise InvalidInput(_("Nomor Tracking kosong."))
    if row.status.lower() not in KNOWN_STATUSES:
        raise InvalidInput(_("Status tidak dikenal: %(value)s.") % {"value": row.status[:40]})
    kind = row.values.get("klasifikasi", "").strip().lower()
    if kind and kind not in CLASSIFICATIONS:
        raise InvalidInput(_("Klasifikasi tidak dikenal: %(value)s.") % {"value": kind[:40]})
    category_name = row.values.get("kategori", "").strip().lower()
    received_at = _received_at(row, pemda)
    late = received_at <= now and intake_is_late(pemda=pemda, received_at=received_at, now=now)
    return {
        "intake": IntakeData(
            channel=Channel.LAPOR,
            received_at=received_at,
            late_reason=IMPORT_NOTE if late else "",
            lapor_number=row.lapor_number,
        ),
        "title": row.values.get("judul laporan", ""),
        "chronology": row.values.get("isi laporan", ""),
        "classification": CLASSIFICATIONS.get(kind, Classification.PENGADUAN),
        "category": categories.get(category_name),
        "location_text": row.values.get("lokasi", "")[:300],
        "is_anonymous": _flag(row, "anonim"),
        "is_confidential": _flag(row, "rahasia"),
        "reporter": ReporterData(
            name=row.values.get("nama pelapor", ""),
            email=row.values.get("email pelapor", ""),
            phone=row.values.get("telepon pelapor", ""),
        ),
    }


def lapor_import(
    *, pemda, rows: list[Row], now: datetime | None = None, on_progress: Callable[[int], None] | None = None
) -> ImportResult:
    """File each row as a complaint of ``pemda`` (see the module's docstring); ``on_progress(done)``
    is called after each row (the commands' progress, aduan/core/progress.py)."""
    now = now or timezone.now()
    result = ImportResult()
    known = dict(
        IntakeRecord.objects.filter(pemda=pemda)
        .exclude(lapor_number="")
        .values_list("lapor_number", "complaint__ticket_number")
    )
    categories = {
        c.name.lower(): c
        for c in Category.objects.filter(Q(pemda=pemda) | Q(pemda__isnull=True), is_active=True)
    }
    seen: dict[str, int] = {}
    for done, row in enumerate(rows, start=1):
        if on_progress is not None and done > 1:
            on_progress(done - 1)
        number = row.lapor_number
        if number and number in seen:
            result.failed.append(
                (
                    row.number,
                    _("Nomor Tracking %(n)s ganda: sudah ada di baris %(row)d.")
                    % {"n": number, "row": seen[number]},
                )
            )
            continue
        if number:
            seen[number] = row.number
        if number in known:
            result.skipped.append((row.number, number, known[number]))
            continue
        try:
            complaint = complaint_intake(
                pemda=pemda, recorded_by=None, now=now, **_row_fields(row, pemda, categories, now)
            )
        except DomainError as error:
            field_name = getattr(error, "params", {}).get("field")
            prefix = f"{field_name}: " if field_name and field_name != "lapor_number" else ""
            result.failed.append((row.number, f"{prefix}{error}"))
            continue
        result.created.append((row.number, number, complaint.ticket_number))
    if on_progress is not None:
        on_progress(len(rows))
    return result


def lapor_reconcile(*, pemda, rows: list[Row]) -> list[Difference]:
    """LAPOR! numbers of the file whose status in Aduan differs from the file's (or that Aduan
    does not have), in file order."""
    statuses = {
        number: (LAPOR_STATUSES[Status(status)], ticket)
        for number, status, ticket in Complaint.objects.filter(intake__pemda=pemda)
        .exclude(intake__lapor_number="")
        .values_list("intake__lapor_number", "status", "ticket_number")
    }
    differences = []
    for row in rows:
        aduan_status, ticket = statuses.get(row.lapor_number, ("", ""))
        if aduan_status.lower() != row.status.lower():
            differences.append(Difference(row.number, row.lapor_number, row.status, aduan_status, ticket))
    return differences


def lapor_export_rows(*, pemda):
    """The header and one row per SP4N-LAPOR! complaint of ``pemda``, with Aduan's status, in the
    import's columns (without the reporter's identity), cells safe for spreadsheets."""
    yield list(EXPORT_COLUMNS)
    complaints = (
        Complaint.objects.filter(pemda=pemda, channel=Channel.LAPOR)
        .exclude(intake__lapor_number="")
        .select_related("intake", "category")
        .order_by("submitted_at", "pk")
    )
    zone = pemda.zoneinfo
    for c in complaints.iterator(chunk_size=500):
        yield [
            safe_cell(v)
            for v in (
                c.intake.lapor_number,
                timezone.localtime(c.submitted_at, zone).strftime("%Y-%m-%d %H:%M"),
                c.title,
                c.chronology,
                LAPOR_STATUSES[Status(c.status)],
                c.category.name if c.category_id else "",
                c.location_text,
                c.get_classification_display(),
                "Ya" if c.is_anonymous else "Tidak",
                "Ya" if c.is_confidential else "Tidak",
            )
        ]
