"""The one role model: what a staff user may do follows from their *active* memberships
(``StaffMembership.is_active``) and nothing else, and a user who is not active holds no role.

``staff_roles(user)`` reads the memberships once per user object (one query, cached on the user,
so once per request) and answers every "which Pemdas / OPDs / provinces" question that scoping,
the staff menu, the compliance dashboard, the API and the services ask, and whether a Pemda
requires two-factor sign-in of the user (``aduan.agencies.twofactor``). Nobody else reads
``StaffMembership`` to decide access.
"""

from dataclasses import dataclass, field
from functools import cache

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from aduan.core.query_shapes import QueryShape
from aduan.users.twofactor import confirmed_device_known, confirmed_device_sql

from .models import Role, StaffMembership

_CACHE_ATTR = "_aduan_staff_roles"


@dataclass(frozen=True)
class StaffRoles:
    """A user's active roles, by place. Empty for citizens, anonymous and inactive users."""

    koordinator_pemda_ids: frozenset[int] = field(default_factory=frozenset)
    petugas_opd_ids: frozenset[int] = field(default_factory=frozenset)
    kepala_opd_ids: frozenset[int] = field(default_factory=frozenset)
    ombudsman_province_ids: frozenset[int] = field(default_factory=frozenset)
    # Pemda of each OPD above (petugas or kepala), so OPD staff can be scoped to their Pemda's lists.
    opd_pemda_ids: frozenset[int] = field(default_factory=frozenset)
    # Pemdas where the user is petugas loket: they record complaints there, and see nothing else.
    loket_pemda_ids: frozenset[int] = field(default_factory=frozenset)
    # A Pemda that turned on two-factor sign-in counts the user among its koordinator or the
    # Ombudsman staff of its province (aduan.agencies.twofactor).
    two_factor_required: bool = False

    @property
    def opd_ids(self) -> frozenset[int]:
        """OPDs where the user is petugas or kepala."""
        return self.petugas_opd_ids | self.kepala_opd_ids

    @property
    def is_koordinator(self) -> bool:
        return bool(self.koordinator_pemda_ids)

    @property
    def is_petugas(self) -> bool:
        return bool(self.petugas_opd_ids)

    @property
    def is_kepala(self) -> bool:
        return bool(self.kepala_opd_ids)

    @property
    def is_ombudsman(self) -> bool:
        return bool(self.ombudsman_province_ids)

    @property
    def intake_pemda_ids(self) -> frozenset[int]:
        """Pemdas where the user may record a complaint received off-line (koordinator, petugas loket)."""
        return self.koordinator_pemda_ids | self.loket_pemda_ids

    @property
    def is_loket(self) -> bool:
        return bool(self.loket_pemda_ids)

    @property
    def is_staff_member(self) -> bool:
        return bool(
            self.koordinator_pemda_ids or self.opd_ids or self.ombudsman_province_ids or self.loket_pemda_ids
        )

    def opd_role(self, opd_id: int | None) -> str | None:
        """The user's role at one OPD (petugas first when they hold both), or None."""
        if opd_id in self.petugas_opd_ids:
            return Role.PETUGAS_OPD
        if opd_id in self.kepala_opd_ids:
            return Role.KEPALA_OPD
        return None

    def opd_roles(self, opd_id: int | None) -> set[str]:
        roles = set()
        if opd_id in self.petugas_opd_ids:
            roles.add(Role.PETUGAS_OPD)
        if opd_id in self.kepala_opd_ids:
            roles.add(Role.KEPALA_OPD)
        return roles


NO_ROLES = StaffRoles()


@cache
def _device_confirmed() -> RawSQL:
    """Whether the member has a confirmed two-factor device (aduan.users.twofactor), on each row."""
    sql = confirmed_device_sql('"agencies_staffmembership"."user_id"')
    return RawSQL(sql, (), output_field=BooleanField())  # noqa: S611 — the models' own names, no input


def _memberships(user_id: int):
    """One row per membership; an Ombudsman's repeats once per Pemda of their province (its
    two-factor switch: any one of them requires it)."""
    return (
        StaffMembership.objects.filter(user_id=user_id, is_active=True)
        .order_by()
        .annotate(has_device=_device_confirmed())
        .values_list(
            "role",
            "pemda_id",
            "opd_id",
            "opd__pemda_id",
            "province_id",
            "pemda__two_factor_required",
            "province__pemdas__two_factor_required",
            "has_device",
        )
    )


# every staff request reads it: built and compiled once per process (aduan.core.query_shapes)
_MEMBERSHIPS = QueryShape(_memberships, int)


def staff_roles(user) -> StaffRoles:
    """The roles of ``user`` (and whether a Pemda requires two-factor of them), computed once per
    user object (one query) and kept on it: a request sees one answer, the next one reads again."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ROLES
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    pemdas, petugas, kepala, provinces, opd_pemdas, loket = set(), set(), set(), set(), set(), set()
    two_factor = False
    rows = _MEMBERSHIPS(user.pk)
    has_device = None
    for role, pemda_id, opd_id, opd_pemda_id, province_id, pemda_2fa, province_2fa, device in rows:
        has_device = device
        if (role == Role.KOORDINATOR and pemda_2fa) or (role == Role.OMBUDSMAN and province_2fa):
            two_factor = True
        if role == Role.KOORDINATOR:
            pemdas.add(pemda_id)
        elif role == Role.PETUGAS_OPD:
            petugas.add(opd_id)
            opd_pemdas.add(opd_pemda_id)
        elif role == Role.KEPALA_OPD:
            kepala.add(opd_id)
            opd_pemdas.add(opd_pemda_id)
        elif role == Role.OMBUDSMAN:
            provinces.add(province_id)
        elif role == Role.PETUGAS_LOKET:
            loket.add(pemda_id)
    roles = StaffRoles(
        koordinator_pemda_ids=frozenset(pemdas),
        petugas_opd_ids=frozenset(petugas),
        kepala_opd_ids=frozenset(kepala),
        ombudsman_province_ids=frozenset(provinces),
        opd_pemda_ids=frozenset(opd_pemdas),
        loket_pemda_ids=frozenset(loket),
        two_factor_required=two_factor,
    )
    setattr(user, _CACHE_ATTR, roles)
    if has_device is not None:  # read with the roles: the sign-in check needs no query of its own
        confirmed_device_known(user, has_device)
    return roles


def forget_staff_roles(user) -> None:
    """Drop the cached roles (after memberships of this user object changed)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
