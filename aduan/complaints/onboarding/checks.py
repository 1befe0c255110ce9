"""Validation of an onboarding file, before anything is written: every problem is collected with
its sheet, row, column and reason, and the file is applied only when there is none.

The same checks serve ``manage.py pemda_onboard`` (the whole book: ``book_check``) and the admin's
import of one sheet (``opds_check``, ``categories_check``, ``staff_check`` in resources.py).

Matching existing rows, so that importing a file twice changes nothing and an edited name updates:
- the Pemda by its code;
- an OPD by its name, else by its short name (so a renamed OPD keeps its complaints: change one
  of the two at a time);
- a category by its name under the same parent, else by its English name;
- a staff member by e-mail, and a role by (e-mail, role, OPD or the Pemda).
"""

import re
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from aduan.agencies.models import OPD_ROLES, PEMDA_ROLES, Opd, Pemda, Province
from aduan.core.exceptions import InvalidInput

from ..geo import coordinate_parse
from ..models import Category
from .sheets import CATEGORY, OPD, PEMDA, STAFF, Book, Row, SheetKind

YES = {"ya", "y", "yes", "1", "true", "benar"}
NO = {"tidak", "t", "no", "n", "0", "false", "salah"}
ZONES = {"wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura"}
PEMDA_KINDS = {k.value: k.value for k in Pemda.Kind} | {str(k.label).lower(): k.value for k in Pemda.Kind}
# The roles a Pemda's file can give (the Ombudsman belongs to a province, not to a Pemda).
FILE_ROLES = (*PEMDA_ROLES, *OPD_ROLES)


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("%(sheet)s, baris %(row)d, kolom %(column)s: %(reason)s") % self._params()
        if self.column:
            return _("%(sheet)s, kolom %(column)s: %(reason)s") % self._params()
        if self.row:
            return _("%(sheet)s, baris %(row)d: %(reason)s") % self._params()
        return _("%(sheet)s: %(reason)s") % self._params()

    def _params(self) -> dict:
        return {"sheet": self.sheet, "row": self.row or 0, "column": self.column, "reason": self.reason}


class OnboardingInvalid(InvalidInput):
    """The file has problems; nothing was changed."""

    code = "onboarding_invalid"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(_("%(n)d masalah di berkas; tidak ada yang diubah.") % {"n": len(problems)})


class Problems:
    def __init__(self, kind: SheetKind):
        self.kind, self.items = kind, []

    def add(self, row: Row | None, column_key: str | None, reason: str) -> None:
        header = self.kind.column(column_key).header if column_key else ""
        self.items.append(Problem(str(self.kind.label), row.number if row else None, header, reason))


def _cells(kind: SheetKind, rows: list[Row], present: set[str], problems: Problems) -> list[Row]:
    """Missing required columns, empty required cells and over-long text; the rows that pass."""
    for column in kind.columns:
        if column.required and column.key not in present:
            problems.add(None, column.key, _("kolom wajib tidak ada."))
    if any(c.required and c.key not in present for c in kind.columns):
        return []
    good = []
    for row in rows:
        before = len(problems.items)
        for column in kind.columns:
            value = row.get(column.key)
            if column.required and not value:
                problems.add(row, column.key, _("wajib diisi."))
            elif column.max_length and len(value) > column.max_length:
                problems.add(row, column.key, _("paling panjang %(n)d karakter.") % {"n": column.max_length})
        if len(problems.items) == before:
            good.append(row)
    return good


def _flag(row: Row, key: str, default: bool, problems: Problems) -> bool | None:
    value = row.get(key).lower()
    if not value:
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    problems.add(row, key, _("harus Ya atau Tidak."))
    return None


# --- Pemda ---------------------------------------------------------------------------------------


@dataclass
class PemdaPlan:
    row: int
    code: str
    name: str
    kind: str
    timezone: str
    province_name: str
    province_code: str
    existing: Pemda | None
    province: Province | None  # None: created from name and code
    map_centre: dict | None = None  # map_latitude, map_longitude, map_zoom; None: left as it is


def pemda_check(rows: list[Row], present: set[str]) -> tuple[PemdaPlan | None, list[Problem]]:
    problems = Problems(PEMDA)
    if len(rows) != 1:
        problems.add(None, None, _("harus berisi tepat satu baris (ada %(n)d).") % {"n": len(rows)})
        return None, problems.items
    good = _cells(PEMDA, rows, present, problems)
    if not good:
        return None, problems.items
    row = good[0]
    code = row.get("code").upper()
    if not re.fullmatch(r"[A-Z0-9]{2,10}", code):
        problems.add(row, "code", _("2–10 huruf besar atau angka, mis. SMR."))
    kind = PEMDA_KINDS.get(row.get("kind").lower())
    if kind is None:
        problems.add(row, "kind", _("harus kota, kabupaten atau provinsi."))
    zone = ZONES.get(row.get("timezone").lower(), row.get("timezone"))
    if zone not in zoneinfo.available_timezones():
        problems.add(
            row, "timezone", _("zona waktu tidak dikenal: gunakan WIB, WITA, WIT atau mis. Asia/Makassar.")
        )
    existing = Pemda.objects.filter(code=code).first()
    if Pemda.objects.filter(name__iexact=row.get("name")).exclude(code=code).exists():
        problems.add(row, "name", _("sudah dipakai pemda lain."))
    province_code = row.get("province_code").upper()
    province = (
        Province.objects.filter(code=province_code).first()
        if province_code
        else Province.objects.filter(name__iexact=row.get("province")).first()
    )
    if province is None and not province_code:
        problems.add(row, "province", _("provinsi belum ada: isi juga Kode provinsi untuk membuatnya."))
    elif province is None and Province.objects.filter(name__iexact=row.get("province")).exists():
        problems.add(row, "province_code", _("provinsi ini sudah ada dengan kode lain."))
    plan = PemdaPlan(
        row.number,
        code,
        row.get("name"),
        kind or "",
        zone,
        row.get("province"),
        province_code,
        existing,
        province,
        _map_centre(row, problems),
    )
    return plan, problems.items


MAP_ZOOM_RANGE = (3, 18)


def _map_centre(row: Row, problems: Problems) -> dict | None:
    """The optional map centre: both coordinates (a decimal comma is accepted) and a zoom, or
    nothing at all (the Pemda keeps the centre it has). A blank zoom keeps the Pemda's zoom."""
    raw = {key: row.get(key) for key in ("map_latitude", "map_longitude", "map_zoom")}
    if not any(raw.values()):
        return None
    centre: dict = {}
    for key, axis in (("map_latitude", "latitude"), ("map_longitude", "longitude")):
        try:
            value = coordinate_parse(raw[key], axis)
        except InvalidInput as error:
            problems.add(row, key, str(error.message))
            continue
        if value is None:
            problems.add(row, key, _("isi lintang dan bujur peta bersama-sama."))
        else:
            centre[key] = value
    zoom = raw["map_zoom"]
    if zoom and re.fullmatch(r"[0-9]{1,2}", zoom) and MAP_ZOOM_RANGE[0] <= int(zoom) <= MAP_ZOOM_RANGE[1]:
        centre["map_zoom"] = int(zoom)
    elif zoom:
        problems.add(row, "map_zoom", _("harus bilangan bulat 3–18 (12 untuk kota, 10 untuk kabupaten)."))
    # both coordinates; a blank zoom keeps the Pemda's (12 for a new one, the field's default)
    return centre if "map_latitude" in centre and "map_longitude" in centre else None


# --- OPD -----------------------------------------------------------------------------------------


@dataclass
class OpdPlan:
    row: int
    name: str
    short_name: str
    name_en: str
    is_active: bool
    existing: Opd | None


def opds_check(
    rows: list[Row], *, pemda: Pemda | None, present: set[str]
) -> tuple[list[OpdPlan], list[Problem]]:
    problems = Problems(OPD)
    existing = list(Opd.objects.filter(pemda=pemda)) if pemda else []
    by_name = {o.name.lower(): o for o in existing}
    by_short: dict[str, list[Opd]] = {}
    for o in existing:
        if o.short_name:
            by_short.setdefault(o.short_name.lower(), []).append(o)
    plans, names, shorts, matched = [], {}, {}, {}
    for row in _cells(OPD, rows, present, problems):
        name, short = row.get("name"), row.get("short_name")
        active = _flag(row, "is_active", True, problems)
        if name.lower() in names:
            problems.add(row, "name", _("ganda: sudah ada di baris %(row)d.") % {"row": names[name.lower()]})
            continue
        names[name.lower()] = row.number
        if short and short.lower() in shorts:
            problems.add(
                row, "short_name", _("ganda: sudah ada di baris %(row)d.") % {"row": shorts[short.lower()]}
            )
            continue
        if short:
            shorts[short.lower()] = row.number
        match = by_name.get(name.lower())
        if match is None and short:
            candidates = by_short.get(short.lower(), [])
            match = candidates[0] if len(candidates) == 1 else None
        if match is not None and match.pk in matched:
            problems.add(
                row,
                "name",
                _("OPD yang sama dengan baris %(row)d (nama atau singkatan).") % {"row": matched[match.pk]},
            )
            continue
        if match is not None:
            matched[match.pk] = row.number
        if active is not None:
            plans.append(OpdPlan(row.number, name, short, row.get("name_en"), active, match))
    return plans, problems.items


@dataclass
class OpdIndex:
    """Where a category's default OPD or a staff member's OPD points: an OPD row of the file
    (``("file", position in plans)``) or an OPD already in the Pemda (``("db", pk)``)."""

    refs: dict[str, set[tuple[str, int]]] = field(default_factory=dict)

    def add(self, key: str, target: tuple[str, int]) -> None:
        if key:
            self.refs.setdefault(key.lower(), set()).add(target)

    def find(self, value: str) -> tuple[tuple[str, int] | None, str]:
        targets = self.refs.get(value.lower(), set())
        if len(targets) == 1:
            return next(iter(targets)), ""
        if not targets:
            return None, _("OPD %(value)s tidak ada (bukan nama atau singkatan OPD pemda ini).") % {
                "value": value
            }
        return None, _("OPD %(value)s tidak jelas: cocok dengan beberapa OPD; pakai nama lengkapnya.") % {
            "value": value
        }


def opd_index(pemda: Pemda | None, plans: list[OpdPlan]) -> OpdIndex:
    index = OpdIndex()
    planned = {p.existing.pk for p in plans if p.existing}
    for position, plan in enumerate(plans):
        index.add(plan.name, ("file", position))
        index.add(plan.short_name, ("file", position))
    for opd in Opd.objects.filter(pemda=pemda) if pemda else []:
        if opd.pk not in planned:
            index.add(opd.name, ("db", opd.pk))
            index.add(opd.short_name, ("db", opd.pk))
    return index


# --- Categories ----------------------------------------------------------------------------------


@dataclass
class CategoryPlan:
    row: int
    name: str
    parent: str  # the parent's name ("" for a top-level category)
    name_en: str
    opd: tuple[str, int] | None
    done_photo_required: bool
    is_active: bool
    existing: Category | None


def categories_check(
    rows: list[Row], *, pemda: Pemda | None, opds: OpdIndex, present: set[str]
) -> tuple[list[CategoryPlan], list[Problem]]:
    """Parents are top-level categories of the file or of the Pemda; parents come first in the plan."""
    problems = Problems(CATEGORY)
    existing = list(Category.objects.filter(pemda=pemda).select_related("parent")) if pemda else []
    tops = {c.name.lower() for c in existing if c.parent_id is None}
    good = _cells(CATEGORY, rows, present, problems)
    tops |= {r.get("name").lower() for r in good if not r.get("parent")}
    plans, seen, matched = [], {}, {}
    for row in good:
        name, parent = row.get("name"), row.get("parent")
        before = len(problems.items)
        photo = _flag(row, "done_photo_required", False, problems)
        active = _flag(row, "is_active", True, problems)
        key = (parent.lower(), name.lower())
        if key in seen:
            problems.add(row, "name", _("ganda: sudah ada di baris %(row)d.") % {"row": seen[key]})
            continue
        seen[key] = row.number
        if parent and parent.lower() == name.lower():
            problems.add(row, "parent", _("kategori tidak dapat menjadi induknya sendiri."))
        elif parent and parent.lower() not in tops:
            problems.add(
                row,
                "parent",
                _("induk %(value)s tidak ada (harus kategori tanpa induk).") % {"value": parent},
            )
        target = None
        if row.get("opd"):
            target, reason = opds.find(row.get("opd"))
            if target is None:
                problems.add(row, "opd", reason)
        match = _category_match(existing, parent, name, row.get("name_en"))
        if match is not None and match.pk in matched:
            problems.add(
                row, "name", _("kategori yang sama dengan baris %(row)d.") % {"row": matched[match.pk]}
            )
        elif match is not None:
            matched[match.pk] = row.number
        if len(problems.items) == before:
            plans.append(
                CategoryPlan(row.number, name, parent, row.get("name_en"), target, photo, active, match)
            )
    plans.sort(key=lambda p: bool(p.parent))  # parents first (stable: file order within each level)
    return plans, problems.items


def _category_match(existing: list[Category], parent: str, name: str, name_en: str) -> Category | None:
    siblings = [c for c in existing if (c.parent.name.lower() if c.parent_id else "") == parent.lower()]
    match = next((c for c in siblings if c.name.lower() == name.lower()), None)
    if match is None and name_en:
        same_en = [c for c in siblings if c.name_en and c.name_en.lower() == name_en.lower()]
        match = same_en[0] if len(same_en) == 1 else None
    return match


# --- Staff ---------------------------------------------------------------------------------------


@dataclass
class StaffPlan:
    row: int
    email: str
    full_name: str
    role: str
    opd: tuple[str, int] | None
    is_active: bool


def role_parse(value: str) -> str | None:
    text = " ".join(value.lower().replace("_", " ").split())
    for role in FILE_ROLES:
        if text in {
            role.value.replace("_", " "),
            str(role.label).lower(),
            str(role.label).lower().split(" (")[0],
        }:
            return role.value
    return None


def staff_check(
    rows: list[Row], *, opds: OpdIndex, present: set[str]
) -> tuple[list[StaffPlan], list[Problem]]:
    problems = Problems(STAFF)
    plans, seen, names = [], {}, {}
    choices = ", ".join(r.value for r in FILE_ROLES)
    for row in _cells(STAFF, rows, present, problems):
        before = len(problems.items)
        email = row.get("email").lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.add(row, "email", _("alamat e-mail tidak sah: %(value)s.") % {"value": email})
        role = role_parse(row.get("role"))
        if role is None:
            problems.add(
                row,
                "role",
                _("peran %(value)s tidak dikenal (pilihan: %(choices)s).")
                % {"value": row.get("role"), "choices": choices},
            )
        active = _flag(row, "is_active", True, problems)
        target = None
        if role in OPD_ROLES:
            if not row.get("opd"):
                problems.add(row, "opd", _("wajib diisi untuk petugas dan kepala OPD."))
            else:
                target, reason = opds.find(row.get("opd"))
                if target is None:
                    problems.add(row, "opd", reason)
        elif role in PEMDA_ROLES and row.get("opd"):
            problems.add(
                row, "opd", _("harus kosong: koordinator dan petugas loket bekerja untuk seluruh pemda.")
            )
        if len(problems.items) > before:
            continue
        key = (email, role, target)
        if key in seen:
            problems.add(
                row, "email", _("ganda: peran yang sama sudah ada di baris %(row)d.") % {"row": seen[key]}
            )
            continue
        seen[key] = row.number
        full_name = row.get("full_name")
        if email in names and names[email][1] != full_name:
            problems.add(
                row,
                "full_name",
                _("berbeda dengan baris %(row)d untuk e-mail yang sama.") % {"row": names[email][0]},
            )
            continue
        names.setdefault(email, (row.number, full_name))
        plans.append(StaffPlan(row.number, email, full_name, role, target, active))
    return plans, problems.items


# --- The whole file ------------------------------------------------------------------------------


@dataclass
class Plan:
    pemda: PemdaPlan
    opds: list[OpdPlan]
    categories: list[CategoryPlan]
    staff: list[StaffPlan]

    @property
    def rows(self) -> int:
        return 1 + len(self.opds) + len(self.categories) + len(self.staff)


def _present(book: Book, kind: SheetKind) -> set[str]:
    """The sheet's columns; all of them for a sheet the file leaves out (then it has no rows)."""
    if kind.key not in book.headers:
        return {c.key for c in kind.columns}
    return book.headers[kind.key]


def book_check(book: Book) -> Plan:
    """The plan of a whole file; raises OnboardingInvalid listing every problem."""
    if PEMDA.key not in book.headers:
        raise OnboardingInvalid([Problem(str(PEMDA.label), None, "", _("lembar wajib tidak ada."))])
    pemda_plan, problems = pemda_check(book.of(PEMDA), book.headers[PEMDA.key])
    pemda = pemda_plan.existing if pemda_plan else None
    # OPD, Kategori and Staf may be left out (a file that only adds staff); a sheet that is there
    # must have its required columns.
    opd_plans, found = opds_check(book.of(OPD), pemda=pemda, present=_present(book, OPD))
    problems += found
    index = opd_index(pemda, opd_plans)
    category_plans, found = categories_check(
        book.of(CATEGORY), pemda=pemda, opds=index, present=_present(book, CATEGORY)
    )
    problems += found
    staff_plans, found = staff_check(book.of(STAFF), opds=index, present=_present(book, STAFF))
    problems += found
    if problems or pemda_plan is None:
        raise OnboardingInvalid(problems)
    return Plan(pemda_plan, opd_plans, category_plans, staff_plans)
