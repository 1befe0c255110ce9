"""Spreadsheets in and out: cells for CSV and XLSX exports (staff lists, compliance tables), and
the tables of an uploaded CSV or XLSX file (the SP4N-LAPOR! import, the Pemda onboarding file)."""

import csv
import io
from datetime import datetime

from django.utils.translation import gettext as _

from .exceptions import InvalidInput

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, neutralised when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class SpreadsheetUnreadable(InvalidInput):
    code = "spreadsheet_unreadable"


def is_xlsx(data: bytes, filename: str) -> bool:
    return data[:2] == b"PK" or filename.lower().endswith(".xlsx")


def csv_table(data: bytes) -> list[list[str]]:
    """The rows of a UTF-8 CSV file (comma or semicolon, guessed from the first line)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetUnreadable(_("Berkas CSV harus UTF-8.")) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        raise SpreadsheetUnreadable(_("Berkas CSV tidak dapat dibaca.")) from None


def xlsx_tables(data: bytes) -> dict[str, list[list]]:
    """The rows of every sheet of an XLSX workbook, by sheet title, in the workbook's order."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetUnreadable(_("Berkas XLSX tidak dapat dibaca.")) from None
    try:
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}
    finally:
        book.close()


def cell_text(cell) -> str:
    """A read cell as text: dates as ``YYYY-MM-DD HH:MM``, whole numbers without ``.0``."""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()
