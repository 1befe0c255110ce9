"""The admin's import of OPDs, categories and staff (django-import-export), one sheet at a time
into the Pemda chosen on the form, with the very checks and writes of ``manage.py pemda_onboard``:
``before_import`` checks the whole sheet (checks.py) and, when nothing is wrong, writes it
(apply.sheet_apply); each row then reports what happened to it. import-export runs the preview
in a transaction it rolls back, and the confirmed import in one transaction that any bad row
rolls back whole.
"""

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from aduan.agencies.models import Opd, StaffMembership
from aduan.core.spreadsheet import SpreadsheetUnreadable, cell_text, xlsx_tables

from ..models import Category
from .apply import CREATED, UPDATED, sheet_apply
from .checks import categories_check, opd_index, opds_check, staff_check
from .sheets import (
    CATEGORY,
    MAX_ROWS,
    OPD,
    SHEET_COLUMN,
    STAFF,
    OnboardingFileInvalid,
    book_from_table,
    rows_of,
    sheet_kind,
)

IMPORT_TYPES = {CREATED: RowResult.IMPORT_TYPE_NEW, UPDATED: RowResult.IMPORT_TYPE_UPDATE}


class SheetResource(resources.Resource):
    """One sheet of the onboarding file (``sheet_resource`` makes one per sheet)."""

    kind = OPD

    def __init__(self, pemda=None, **kwargs):
        super().__init__(**kwargs)
        self.pemda = pemda
        self.problems: dict[int, list] = {}
        self.outcome = None

    def check(self, rows, present):
        raise NotImplementedError

    @classmethod
    def get_display_name(cls) -> str:
        return str(cls.kind.label)

    def before_import(self, dataset, **kwargs):
        if self.pemda is None:
            raise ValidationError(_("Pilih pemda tujuan impor."))
        if len(dataset) > MAX_ROWS:
            raise ValidationError(_("Paling banyak %(n)d baris per berkas.") % {"n": MAX_ROWS})
        table = [dataset.headers or [], *dataset]
        if table[0] and cell_text(table[0][0]).lower() in SHEET_COLUMN.names():  # the one-CSV form
            try:
                book = book_from_table(table)
            except OnboardingFileInvalid as error:
                raise ValidationError(str(error)) from None
            rows, present = book.of(self.kind), book.headers.get(self.kind.key, set())
        else:
            rows, present = rows_of(self.kind, table)
        plans, problems = self.check(rows, present)
        whole = [str(p) for p in problems if p.row is None]
        if whole:
            raise ValidationError(whole)
        for problem in problems:
            self.problems.setdefault(problem.row, []).append(problem)
        if not problems:
            self.outcome = sheet_apply(self.kind, plans, pemda=self.pemda)

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs["row_number"] + 1  # the header is the sheet's row 1
        result = self.get_row_result_class()()
        result.diff = [row.get(header, "") for header in self.get_diff_headers()]
        if number in self.problems:
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            errors: dict[str, list[str]] = {}
            for problem in self.problems[number]:
                errors.setdefault(problem.column or "__all__", []).append(str(problem))
            result.validation_error = ValidationError(errors)
            return result
        change = next((c for c in self.outcome.changes if c.row == number), None) if self.outcome else None
        if change is None:  # an empty row, or a sheet with problems elsewhere
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        result.import_type = IMPORT_TYPES.get(change.action, RowResult.IMPORT_TYPE_SKIP)
        instance = self.outcome.instances.get((self.kind.key, number))
        result.add_instance_info(instance)
        result.instance = instance
        return result

    def get_diff_headers(self):
        return [c.header for c in self.kind.columns]


def sheet_resource(kind, model, check) -> type[SheetResource]:
    """A resource for ``kind``'s sheet; its fields are the sheet's columns (listed on the import page)."""
    attrs = {c.key: Field(attribute=c.key, column_name=c.header) for c in kind.columns}
    meta = type(
        "Meta", (), {"use_transactions": True, "skip_diff": True, "instance_loader_class": BaseInstanceLoader}
    )
    attrs |= {"kind": kind, "check": check, "Meta": meta, "__module__": __name__}
    return type(f"{model.__name__}SheetResource", (SheetResource,), attrs)


OpdResource = sheet_resource(
    OPD, Opd, lambda self, rows, present: opds_check(rows, pemda=self.pemda, present=present)
)
CategoryResource = sheet_resource(
    CATEGORY,
    Category,
    lambda self, rows, present: categories_check(
        rows, pemda=self.pemda, opds=opd_index(self.pemda, []), present=present
    ),
)
StaffResource = sheet_resource(
    STAFF,
    StaffMembership,
    lambda self, rows, present: staff_check(rows, opds=opd_index(self.pemda, []), present=present),
)


def sheet_xlsx(kind) -> type[base_formats.XLSX]:
    """The XLSX format of one sheet: the sheet named for ``kind`` of a whole onboarding workbook
    (the samples), else the workbook's only sheet."""

    class SheetXLSX(base_formats.XLSX):
        def create_dataset(self, in_stream):
            try:
                tables = xlsx_tables(bytes(in_stream))
            except SpreadsheetUnreadable as error:
                raise ValueError(str(error)) from None
            table = next((t for title, t in tables.items() if sheet_kind(title) is kind), None)
            if table is None:
                table = next(iter(tables.values())) if len(tables) == 1 else []
            dataset = tablib.Dataset()
            if table:
                width = len(table[0])
                dataset.headers = [cell_text(c) for c in table[0]]
                for cells in table[1:]:
                    dataset.append([cell_text(c) for c in [*cells, *[None] * width][:width]])
            return dataset

    return SheetXLSX
