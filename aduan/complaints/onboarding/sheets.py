"""The onboarding file's sheets and columns, and reading them from an XLSX workbook or one CSV.

A column's header is matched without case and surrounding spaces, in Indonesian or English; other
columns are ignored. In a CSV the first column, *Lembar* (or *Sheet*), names each row's sheet and
the other columns are the union of the sheets' columns (a row fills only its own sheet's).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aduan.core.spreadsheet import SpreadsheetUnreadable, cell_text, csv_table, is_xlsx, xlsx_tables

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    key: str  # the field it fills
    header: str  # the header written in samples (Indonesian)
    aliases: tuple[str, ...] = ()  # other accepted headers (English, a shorter form)
    required: bool = False
    max_length: int | None = None

    def names(self) -> set[str]:
        return {self.header.lower(), *(a.lower() for a in self.aliases)}


@dataclass(frozen=True)
class SheetKind:
    key: str
    title: str  # the sheet's name in the workbook (and in the CSV's Lembar column)
    label: object  # translatable name in messages
    aliases: tuple[str, ...]
    columns: tuple[Column, ...]

    def names(self) -> set[str]:
        return {self.title.lower(), *(a.lower() for a in self.aliases)}

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


PEMDA = SheetKind(
    "pemda",
    "Pemda",
    gettext_lazy("Pemda"),
    ("Pemerintah daerah", "Local government"),
    (
        Column("code", "Kode", ("Code",), required=True, max_length=10),
        Column("name", "Nama", ("Name",), required=True, max_length=150),
        Column("kind", "Jenis", ("Kind",), required=True),
        Column("province", "Provinsi", ("Province",), required=True, max_length=100),
        Column("province_code", "Kode provinsi", ("Province code",), max_length=10),
        Column("timezone", "Zona waktu", ("Time zone", "Timezone"), required=True, max_length=50),
        # where the Pemda's maps open (optional; both coordinates or neither)
        Column("map_latitude", "Lintang peta", ("Map latitude", "Lintang pusat peta"), max_length=20),
        Column("map_longitude", "Bujur peta", ("Map longitude", "Bujur pusat peta"), max_length=20),
        Column("map_zoom", "Perbesaran peta", ("Map zoom",), max_length=5),
    ),
)
OPD = SheetKind(
    "opd",
    "OPD",
    gettext_lazy("OPD"),
    ("Agencies",),
    (
        Column("name", "Nama", ("Name",), required=True, max_length=200),
        Column("short_name", "Singkatan", ("Short name",), max_length=50),
        Column("name_en", "Nama Inggris", ("English name",), max_length=200),
        Column("is_active", "Aktif", ("Active",)),
    ),
)
CATEGORY = SheetKind(
    "category",
    "Kategori",
    gettext_lazy("Kategori"),
    ("Categories", "Category"),
    (
        Column("name", "Nama", ("Name",), required=True, max_length=150),
        Column("parent", "Induk", ("Parent",), max_length=150),
        Column("name_en", "Nama Inggris", ("English name",), max_length=150),
        Column("opd", "OPD utama", ("OPD", "Default OPD"), max_length=200),
        Column("done_photo_required", "Wajib foto selesai", ("Done photo required",)),
        Column("is_active", "Aktif", ("Active",)),
    ),
)
STAFF = SheetKind(
    "staff",
    "Staf",
    gettext_lazy("Staf"),
    ("Staff",),
    (
        Column("email", "Email", ("E-mail",), required=True, max_length=254),
        Column("full_name", "Nama lengkap", ("Full name",), required=True, max_length=150),
        Column("role", "Peran", ("Role",), required=True),
        Column("opd", "OPD", (), max_length=200),
        Column("is_active", "Aktif", ("Active",)),
    ),
)
SHEETS = (PEMDA, OPD, CATEGORY, STAFF)
SHEET_COLUMN = Column("sheet", "Lembar", ("Sheet",))


class OnboardingFileInvalid(SpreadsheetUnreadable):
    code = "onboarding_file_invalid"


@dataclass
class Row:
    number: int  # the row's number in its sheet (XLSX) or file (CSV); the header is row 1
    values: dict[str, str]  # column key → text

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Book:
    """The rows of each sheet, by SheetKind.key; ``sheet_names`` are the titles as written."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    headers: dict[str, set[str]] = field(default_factory=dict)  # column keys present, per sheet

    def of(self, kind: SheetKind) -> list[Row]:
        return self.rows.get(kind.key, [])


def read_book(data: bytes, *, filename: str) -> Book:
    """The sheets of an onboarding file (XLSX with one sheet per kind, or one CSV with a Lembar
    column); raises OnboardingFileInvalid for an unreadable or oversized file."""
    if len(data) > MAX_FILE_BYTES:
        raise OnboardingFileInvalid(_("Berkas terlalu besar (paling besar 5 MB)."))
    try:
        if is_xlsx(data, filename):
            book = _from_xlsx(xlsx_tables(data))
        else:
            book = book_from_table(csv_table(data))
    except SpreadsheetUnreadable as error:
        raise OnboardingFileInvalid(str(error)) from None
    if sum(len(rows) for rows in book.rows.values()) > MAX_ROWS:
        raise OnboardingFileInvalid(_("Paling banyak %(n)d baris per berkas.") % {"n": MAX_ROWS})
    return book


def sheet_kind(name: str) -> SheetKind | None:
    name = (name or "").strip().lower()
    return next((kind for kind in SHEETS if name in kind.names()), None)


def header_keys(kind: SheetKind, header: list) -> list[str | None]:
    """The column key of each header cell of ``kind``'s sheet (None: ignored)."""
    keys: list[str | None] = []
    for cell in header:
        name = cell_text(cell).lower()
        keys.append(next((c.key for c in kind.columns if name in c.names()), None))
    return keys


def rows_of(kind: SheetKind, table: list[list], *, first_number: int = 2) -> tuple[list[Row], set[str]]:
    """The non-empty rows of one sheet's table (header first) and the column keys it has."""
    if not table:
        return [], set()
    keys = header_keys(kind, table[0])
    rows = []
    for number, cells in enumerate(table[1:], start=first_number):
        values = _values(keys, cells)
        if any(values.values()):
            rows.append(Row(number, values))
    return rows, {k for k in keys if k}


def _values(keys: list[str | None], cells: list) -> dict[str, str]:
    """Cells by column key; of two columns for one key (a header and its alias) the filled one."""
    values: dict[str, str] = {}
    for key, cell in zip(keys, cells, strict=False):
        if key and not values.get(key):
            values[key] = cell_text(cell)
    return values


def _from_xlsx(tables: dict[str, list[list]]) -> Book:
    book = Book()
    for title, table in tables.items():
        kind = sheet_kind(title)
        if kind is None:
            continue  # a sheet of notes or instructions
        book.rows[kind.key], book.headers[kind.key] = rows_of(kind, table)
    return book


def book_from_table(table: list[list[str]]) -> Book:
    book = Book()
    if not table:
        return book
    header = [cell_text(c).lower() for c in table[0]]
    if not header or header[0] not in SHEET_COLUMN.names():
        raise OnboardingFileInvalid(
            _("Kolom pertama berkas CSV harus %(column)s (nama lembar: %(sheets)s).")
            % {"column": SHEET_COLUMN.header, "sheets": ", ".join(k.title for k in SHEETS)}
        )
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell_text(c) for c in cells):
            continue
        kind = sheet_kind(cells[0])
        if kind is None:
            raise OnboardingFileInvalid(
                _("Baris %(row)d: lembar %(value)s tidak dikenal (pilihan: %(sheets)s).")
                % {
                    "row": number,
                    "value": cell_text(cells[0])[:40],
                    "sheets": ", ".join(k.title for k in SHEETS),
                }
            )
        keys = header_keys(kind, table[0][1:])
        book.headers.setdefault(kind.key, {k for k in keys if k})  # only the sheets the file has
        values = _values(keys, cells[1:])
        book.rows.setdefault(kind.key, []).append(Row(number, values))
    return book
