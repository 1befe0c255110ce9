"""Writing a checked onboarding plan: one transaction, rows created or updated in the order they
depend on each other (the Pemda, its OPDs, the categories with their parents first, the staff), and
a welcome e-mail with a password-setting link for every new staff account (queued in the outbox,
sent after commit). ``dry_run`` runs the same writes and rolls them back, so it lists exactly what
a real run would change.

Nothing is removed: an OPD, category or role that is not in the file is left as it is (set *Aktif*
to *Tidak* to switch one off). Users are never switched off either: *Aktif* of a staff row is the
role's.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aduan.agencies.models import OPD_ROLES, Opd, Pemda, Province, Role, StaffMembership
from aduan.core.exceptions import InvalidInput
from aduan.notifications.welcome import staff_welcome_queue
from aduan.users.models import User

from ..models import Category
from .checks import CategoryPlan, OpdPlan, Plan, StaffPlan
from .sheets import CATEGORY, OPD, PEMDA, STAFF

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
ACTION_LABELS = {
    CREATED: gettext_lazy("baru"),
    UPDATED: gettext_lazy("diubah"),
    UNCHANGED: gettext_lazy("tetap"),
}


@dataclass(frozen=True)
class Change:
    sheet: str
    row: int
    action: str
    label: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = _("%(sheet)s baris %(row)d: %(action)s — %(label)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "action": ACTION_LABELS[self.action],
            "label": self.label,
        }
        return f"{text} ({', '.join(self.fields)})" if self.fields else text


@dataclass
class Outcome:
    pemda: Pemda | None = None
    changes: list[Change] = field(default_factory=list)
    welcomed: list[str] = field(default_factory=list)  # e-mails of the new accounts
    dry_run: bool = False
    instances: dict[tuple[str, int], object] = field(default_factory=dict)  # (sheet key, row) → row written

    def count(self, sheet, action: str) -> int:
        return sum(1 for c in self.changes if c.sheet == str(sheet.label) and c.action == action)


def _differs(obj, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:  # compare ids: reading the related row would cost a query per row
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _update(obj, values: dict) -> list[str]:
    """Set the values that differ; the names of the changed fields (saved only when some did)."""
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    for name in changed:
        setattr(obj, name, values[name])
    if changed and obj.pk:
        obj.save(update_fields=[*changed, "updated_at"] if hasattr(obj, "updated_at") else changed)
    return changed


class _Writer:
    def __init__(self, outcome: Outcome, now: datetime, on_progress: Callable[[int], None] | None):
        self.outcome, self.now, self.on_progress, self.done = outcome, now, on_progress, 0
        self.resend_welcome = False

    def record(self, sheet, row: int, action: str, label: str, fields=(), obj=None) -> None:
        self.outcome.changes.append(Change(str(sheet.label), row, action, label, tuple(fields)))
        self.outcome.instances[(sheet.key, row)] = obj
        self.done += 1
        if self.on_progress is not None:
            self.on_progress(self.done)

    def upsert(self, sheet, row: int, obj, values: dict, label: str):
        """Create ``obj`` (unsaved, no pk) with ``values``, or update the fields that differ."""
        if obj.pk is None:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save()
            self.record(sheet, row, CREATED, label, obj=obj)
        else:
            changed = _update(obj, values)
            self.record(sheet, row, UPDATED if changed else UNCHANGED, label, changed, obj=obj)
        return obj


def onboard_apply(
    plan: Plan,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
    resend_welcome: bool = False,
) -> Outcome:
    """Write ``plan`` (from ``checks.book_check``); with ``dry_run`` roll everything back.
    ``resend_welcome``: staff of the file who have still not set a password get a new welcome."""
    outcome = Outcome(dry_run=dry_run)
    writer = _Writer(outcome, now or timezone.now(), on_progress)
    writer.resend_welcome = resend_welcome
    try:
        with transaction.atomic():
            pemda = _pemda(writer, plan)
            outcome.pemda = pemda
            opds = opds_write(writer, pemda, plan.opds)
            categories_write(writer, pemda, plan.categories, opds)
            staff_write(writer, pemda, plan.staff, opds)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:  # someone changed the same rows meanwhile: the whole file is undone
        raise InvalidInput(_("Data berubah selama impor; tidak ada yang diubah. Jalankan lagi.")) from None
    return outcome


def _pemda(writer: _Writer, plan: Plan) -> Pemda:
    p = plan.pemda
    province = p.province
    if province is None:
        province = Province.objects.create(name=p.province_name, code=p.province_code)
    pemda = Pemda.objects.select_for_update().get(pk=p.existing.pk) if p.existing else Pemda(code=p.code)
    values = {
        "name": p.name,
        "kind": p.kind,
        "province": province,
        "timezone": p.timezone,
        **(p.map_centre or {}),
    }
    return writer.upsert(PEMDA, p.row, pemda, values, f"{p.code} {p.name}")


def opds_write(writer: _Writer, pemda: Pemda, plans: list[OpdPlan]) -> dict[tuple[str, int], Opd]:
    """Create or update the OPD rows; every OPD a reference can point to, by its target."""
    opds: dict[tuple[str, int], Opd] = {("db", o.pk): o for o in Opd.objects.filter(pemda=pemda)}
    for position, plan in enumerate(plans):
        opd = opds[("db", plan.existing.pk)] if plan.existing else Opd(pemda=pemda)
        values = {
            "name": plan.name,
            "short_name": plan.short_name,
            "name_en": plan.name_en,
            "is_active": plan.is_active,
        }
        opds[("file", position)] = writer.upsert(OPD, plan.row, opd, values, plan.name)
    return opds


def categories_write(writer: _Writer, pemda: Pemda, plans: list[CategoryPlan], opds: dict) -> None:
    """Parents come first in ``plans``; a parent is found among the Pemda's top-level categories."""
    tops = {c.name.lower(): c for c in Category.objects.filter(pemda=pemda, parent__isnull=True)}
    for plan in plans:
        parent = tops[plan.parent.lower()] if plan.parent else None
        category = plan.existing if plan.existing else Category(pemda=pemda)
        values = {
            "name": plan.name,
            "parent": parent,
            "name_en": plan.name_en,
            "default_opd": opds[plan.opd] if plan.opd else None,
            "done_photo_required": plan.done_photo_required,
            "is_active": plan.is_active,
        }
        label = f"{plan.parent} › {plan.name}" if plan.parent else plan.name
        writer.upsert(CATEGORY, plan.row, category, values, label)
        if parent is None:
            tops[plan.name.lower()] = category


def staff_write(writer: _Writer, pemda: Pemda, plans: list[StaffPlan], opds: dict) -> None:
    """Accounts by e-mail (a new one has no password and gets the welcome e-mail), and their roles."""
    new_users: dict[str, tuple[User, list[str]]] = {}
    waiting: dict[str, tuple[User, list[str]]] = {}  # accounts whose password was never set
    for plan in plans:
        user = User.objects.filter(email__iexact=plan.email).first()
        changed = []
        if user is None:
            user = User.objects.create_user(email=plan.email, password=None, full_name=plan.full_name)
            new_users[plan.email] = (user, [])
        else:
            changed += _update(user, {"full_name": plan.full_name})
            if writer.resend_welcome and not user.has_usable_password():
                waiting.setdefault(plan.email, (user, []))
        opd = opds[plan.opd] if plan.role in OPD_ROLES else None
        place = {"opd": opd} if opd else {"pemda": pemda}
        label = f"{plan.email} — {Role(plan.role).label} — {opd.name if opd else pemda.name}"
        membership = StaffMembership.objects.filter(user=user, role=plan.role, **place).first()
        if membership is None:
            membership = StaffMembership.objects.create(
                user=user, role=plan.role, is_active=plan.is_active, **place
            )
            writer.record(STAFF, plan.row, CREATED, label, obj=membership)
        else:
            changed += _update(membership, {"is_active": plan.is_active})
            writer.record(STAFF, plan.row, UPDATED if changed else UNCHANGED, label, changed, obj=membership)
        if plan.email in new_users or plan.email in waiting:
            (new_users.get(plan.email) or waiting[plan.email])[1].append(
                f"{Role(plan.role).label}, {opd.name}" if opd else str(Role(plan.role).label)
            )
    for email, (user, roles) in new_users.items():
        staff_welcome_queue(user=user, pemda_name=pemda.name, roles=roles, now=writer.now)
        writer.outcome.welcomed.append(email)
    for email, (user, roles) in waiting.items():  # a new key: the first link has expired
        resend = writer.now.strftime("%Y%m%d%H%M%S")
        staff_welcome_queue(user=user, pemda_name=pemda.name, roles=roles, now=writer.now, resend=resend)
        writer.outcome.welcomed.append(email)


def sheet_apply(kind, plans: list, *, pemda: Pemda, now: datetime | None = None) -> Outcome:
    """Write the checked rows of one sheet into an existing Pemda (the admin's import of OPDs,
    categories or staff); the caller's transaction decides whether it is kept."""
    outcome = Outcome(pemda=pemda)
    writer = _Writer(outcome, now or timezone.now(), None)
    if kind is OPD:
        opds_write(writer, pemda, plans)
        return outcome
    opds = {("db", o.pk): o for o in Opd.objects.filter(pemda=pemda)}
    if kind is CATEGORY:
        categories_write(writer, pemda, plans, opds)
    elif kind is STAFF:
        staff_write(writer, pemda, plans, opds)
    return outcome
