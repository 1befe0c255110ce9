"""Shared by the SP4N-LAPOR! commands: the Pemda by code and the rows of a file."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from aduan.agencies.models import Pemda
from aduan.complaints.lapor import LaporFileInvalid, read_rows


def pemda_by_code(code: str) -> Pemda:
    pemda = Pemda.objects.filter(code=(code or "").strip().upper()).first()
    if pemda is None:
        raise CommandError(_("Pemda dengan kode %(code)s tidak ada.") % {"code": code})
    return pemda


def rows_of(path: str):
    file = Path(path)
    if not file.is_file():
        raise CommandError(_("Berkas %(path)s tidak ada.") % {"path": path})
    try:
        return read_rows(file.read_bytes(), filename=file.name)
    except LaporFileInvalid as error:
        raise CommandError(str(error)) from None
