"""Staff exports of a complaint list as CSV or XLSX.

The rows come from a queryset the caller has already scoped with ``selectors`` and filtered.
Reporter name and contact are filled only where ``selectors.reporter_identity_for`` would return
them for this user (``identity_visible``): always for the koordinator of the complaint's Pemda,
never for an anonim complaint to anyone else. Cells that a spreadsheet would run as a formula
(starting with = + - @, or a tab / carriage return) are prefixed with an apostrophe. At most
``EXPORT_MAX_ROWS`` rows are written; the queryset is read in chunks. The place is exported as
the reporter's words, the kelurahan and kecamatan, and the latitude and longitude (numbers).
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from aduan.agencies.selectors import staff_roles
from aduan.complaints.models import ActorRole
from aduan.complaints.selectors import Actor, actor_roles, identity_withheld_from_ombudsman
from aduan.core.spreadsheet import safe_cell

EXPORT_MAX_ROWS = 10_000


def headers() -> list[str]:
    return [
        _("Nomor tiket"),
        _("Judul"),
        _("Status"),
        _("Pemda"),
        _("OPD penanggung jawab"),
        _("Kategori"),
        _("Diajukan"),
        _("Ditutup"),
        _("Petugas"),
        _("Dukungan warga"),
        _("Kanal"),
        _("Nomor SP4N-LAPOR!"),
        _("Lokasi"),
        _("Kelurahan"),
        _("Kecamatan"),
        _("Lintang"),
        _("Bujur"),
        _("Anonim"),
        _("Nama pelapor"),
        _("E-mail pelapor"),
        _("Telepon pelapor"),
    ]


def identity_visible(actor: Actor, complaint, withheld: frozenset = frozenset()) -> bool:
    """The rule of ``selectors.reporter_identity_for`` for a complaint the actor may already see
    (every exported row is): no query per row. ``withheld``: the ids whose reporter took the
    complaint to the Ombudsman without consent (``selectors.identity_withheld_from_ombudsman``)."""
    roles = actor_roles(actor, complaint)
    if roles & {ActorRole.KOORDINATOR, ActorRole.CITIZEN}:
        return True
    if ActorRole.OMBUDSMAN in roles and complaint.pk in withheld:
        return False
    return not complaint.is_anonymous


def export_queryset(queryset):
    return queryset.select_related(
        "pemda", "current_opd", "category", "assigned_to", "reporter", "intake", "kelurahan__kecamatan"
    )


def rows(queryset, *, user) -> Iterator[list]:
    """One list of safe cells per complaint (text, and the coordinates as numbers), at most
    EXPORT_MAX_ROWS."""
    actor = Actor.staff(user)
    withheld = frozenset()
    if staff_roles(user).is_ombudsman:
        withheld = frozenset(identity_withheld_from_ombudsman(queryset.values("pk")))
    for complaint in export_queryset(queryset)[:EXPORT_MAX_ROWS].iterator(chunk_size=500):
        zone = complaint.pemda.zoneinfo
        identity = None
        if identity_visible(actor, complaint, withheld):
            identity = getattr(complaint, "reporter", None)
        closed = (
            timezone.localtime(complaint.closed_at, zone).strftime("%Y-%m-%d %H:%M")
            if complaint.closed_at
            else ""
        )
        assignee = complaint.assigned_to
        kelurahan = complaint.kelurahan
        text = [
            safe_cell(v)
            for v in (
                complaint.ticket_number,
                complaint.title,
                complaint.get_status_display(),
                complaint.pemda.name,
                complaint.current_opd.name if complaint.current_opd_id else "",
                complaint.category.name if complaint.category_id else "",
                timezone.localtime(complaint.submitted_at, zone).strftime("%Y-%m-%d %H:%M"),
                closed,
                (assignee.full_name or assignee.email) if assignee else "",
                complaint.supporters_count,
                complaint.get_channel_display(),
                getattr(getattr(complaint, "intake", None), "lapor_number", ""),
                complaint.location_text,
                kelurahan.name if kelurahan else "",
                kelurahan.kecamatan.name if kelurahan else "",
            )
        ]
        # Coordinates are numbers from the database, never typed text: written as they are (a
        # negative latitude is not a formula), so a spreadsheet reads them as numbers.
        coordinates = (
            [complaint.latitude, complaint.longitude] if complaint.latitude is not None else ["", ""]
        )
        person = [
            safe_cell(v)
            for v in (
                _("ya") if complaint.is_anonymous else _("tidak"),
                identity.name if identity else "",
                identity.email if identity else "",
                identity.phone if identity else "",
            )
        ]
        yield [*text, *coordinates, *person]


class _Echo:
    def write(self, value):
        return value


def csv_stream(queryset, *, user) -> Iterable[str]:
    """CSV lines, header first, for a StreamingHttpResponse (UTF-8 with a BOM for Excel)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in headers()])
    for row in rows(queryset, user=user):
        yield writer.writerow(row)


def xlsx_bytes(queryset, *, user) -> bytes:
    """The same rows as an XLSX workbook (write-only mode: memory stays flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Aduan"))
    sheet.append(headers())
    for row in rows(queryset, user=user):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
