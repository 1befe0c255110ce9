"""Every read of complaints, and the one access chokepoint.

- ``complaints_visible_to(user)``: the complaints a signed-in user may see, by role —
  koordinator: their Pemda; petugas/kepala OPD: complaints their OPD holds or held;
  ombudsman: the Pemdas of their province. Anyone else: nothing.
- ``complaint_by_secret(secret)``: the citizen's way in, by tracking secret only.
- ``reporter_identity_for(actor, complaint)``: the reporter's identity, or None when the actor
  may not see it (anonim complaints show it to the koordinator and the reporter only).
- ``complaints_on_map(user)``: the open complaints of the staff map (OPD: held now; koordinator:
  the Pemda's), or None for a user without one.
- ``actor_roles(actor, complaint)``: the roles an actor holds *for this complaint*; the workflow
  checks moves against them.

Pages, the API, exports and notifications read complaints through these functions only.
"""

import hmac
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from aduan.agencies.selectors import staff_roles
from aduan.core.exceptions import NotFound
from aduan.core.query_shapes import QueryShape, ShapesBySize
from aduan.notifications.services import ReporterContact

from .models import (
    CLOSED_STATUSES,
    HELD_BY_OPD_STATUSES,
    ActorRole,
    Complaint,
    ComplaintHop,
    InboundEmail,
    InboundOutcome,
    ReporterIdentity,
)

# The order in which a role is picked when one person holds several for the same complaint.
ROLE_PRECEDENCE = (
    ActorRole.SYSTEM,
    ActorRole.KOORDINATOR,
    ActorRole.PETUGAS_OPD,
    ActorRole.KEPALA_OPD,
    ActorRole.OMBUDSMAN,
    ActorRole.CITIZEN,
)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, a citizen holding a tracking secret, or the system."""

    user: object | None = None
    tracking_secret: str | None = None
    is_system: bool = False

    @classmethod
    def system(cls) -> "Actor":
        return cls(is_system=True)

    @classmethod
    def citizen(cls, tracking_secret: str, user=None) -> "Actor":
        return cls(user=user, tracking_secret=tracking_secret)

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(user=user)

    @property
    def authenticated_user(self):
        user = self.user
        return user if user is not None and user.is_authenticated and user.is_active else None


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """The complaints ``user`` may see, scoped by every active role they hold."""
    roles = staff_roles(user)
    if not roles.is_staff_member:
        return Complaint.objects.none()
    scope = _visible_scope(roles.koordinator_pemda_ids, roles.ombudsman_province_ids, roles.opd_ids)
    return Complaint.objects.filter(scope)


def _visible_scope(koordinator_pemda_ids, ombudsman_province_ids, opd_ids) -> Q:
    scope = Q(pk__in=[])
    if koordinator_pemda_ids:
        scope |= Q(pemda_id__in=koordinator_pemda_ids)
    if ombudsman_province_ids:
        scope |= Q(pemda__province_id__in=ombudsman_province_ids)
    if opd_ids:
        # "holds or held": every OPD that ever held the complaint has a hop row.
        scope |= Exists(ComplaintHop.objects.filter(complaint=OuterRef("pk"), opd_id__in=opd_ids))
    return scope


def complaints_held_by(user, opd_ids) -> QuerySet[Complaint]:
    """The complaints whose current OPD is one of ``opd_ids`` that ``user`` works for (the inbox
    and the kepala's pages): the same rows as ``complaints_visible_to(user).filter(current_opd_id__in=
    opd_ids)``, read without the EXISTS on the hops. A complaint's current OPD always has a hop
    (``workflow._apply`` sets it only with one), and with that EXISTS PostgreSQL walked every
    complaint the OPD ever held (national size: 21,000 for 356 held now, 230 ms)."""
    roles = staff_roles(user)
    mine = sorted(set(opd_ids) & roles.opd_ids)
    if not roles.is_staff_member or not mine:
        return Complaint.objects.none()
    return held_by_opds(mine)


def held_by_opds(opd_ids) -> QuerySet[Complaint]:
    """``complaints_held_by``'s query for OPD ids already checked against the user's roles (the
    inbox's page query compiled once per process: aduan.workspace.views.staff_common)."""
    return Complaint.objects.filter(current_opd_id__in=opd_ids)


def complaints_on_map(user) -> QuerySet[Complaint] | None:
    """The open complaints of the staff map, or None when the user has no map: OPD staff (petugas,
    kepala) see the complaints their OPD holds now, the koordinator every open complaint of their
    Pemda. Narrowed from ``complaints_visible_to``, never wider."""
    roles = staff_roles(user)
    scope = Q(pk__in=[])
    if roles.koordinator_pemda_ids:
        scope |= Q(pemda_id__in=roles.koordinator_pemda_ids) & ~Q(status__in=sorted(CLOSED_STATUSES))
    if roles.opd_ids:
        scope |= Q(current_opd_id__in=roles.opd_ids, status__in=sorted(HELD_BY_OPD_STATUSES))
    if not (roles.koordinator_pemda_ids or roles.opd_ids):
        return None
    return complaints_visible_to(user).filter(scope)


def koordinator_pemda_ids(user) -> set[int]:
    """Pemdas where ``user`` is an active koordinator (who may search by reporter contact)."""
    return set(staff_roles(user).koordinator_pemda_ids)


TICKET_RE = re.compile(r"^[A-Z0-9]{2,8}-\d{4}-\d{1,9}$")
# PostgreSQL's Indonesian text search (Snowball stemming): "berlubang" finds "lubang".
SEARCH_CONFIG = "indonesian"


def _search_vector():
    from django.contrib.postgres.search import SearchVector

    # Exactly the expression of the GIN index in migration 0013, so PostgreSQL uses the index.
    return SearchVector("title", "chronology", config=SEARCH_CONFIG)


def complaint_search(queryset: QuerySet[Complaint], q: str, *, user) -> QuerySet[Complaint]:
    """Narrow an already scoped ``queryset`` to complaints matching ``q``: the ticket number
    (whole or its tail), words of the title and chronology (PostgreSQL full-text search with the
    ``indonesian`` configuration, so "berlubang" finds "lubang"; every word as a substring on
    SQLite) and, for the koordinator of the
    complaint's Pemda only, the reporter's e-mail or phone. The caller scopes; this never widens."""
    q = " ".join((q or "").split())[:200]
    if not q:
        return queryset
    upper = q.upper()
    if TICKET_RE.match(upper):
        match = Q(ticket_number=upper)
    elif q.isdecimal():
        match = Q(ticket_number__endswith=f"-{int(q):06d}") if len(q) <= 6 else Q(ticket_number__endswith=q)
    else:
        match = Q(pk__in=[])
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        ids = (
            Complaint.objects.annotate(search=_search_vector())
            .filter(search=SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch"))
            .values("pk")
        )
        match |= Q(pk__in=ids)
    else:
        words = Q()
        for word in q.split()[:10]:
            words &= Q(title__icontains=word) | Q(chronology__icontains=word)
        match |= words
    pemda_ids = koordinator_pemda_ids(user)
    if pemda_ids:
        contact = Q(reporter__email__iexact=q) if "@" in q else Q(reporter__phone=q)
        digits = "".join(ch for ch in q if ch.isdigit())
        if "@" not in q and len(digits) >= 9:
            contact |= Q(reporter__phone__endswith=digits[-9:])
        match |= contact & Q(pemda_id__in=pemda_ids)
    return queryset.filter(match)


COMPLAINT_RELATED = ("pemda", "category", "current_opd", "kelurahan__kecamatan")


def complaint_get_for(*, user, pk: int, related=COMPLAINT_RELATED, **annotations) -> Complaint:
    """One complaint the user may see, or NotFound (never 'forbidden': existence is not leaked);
    with its ``related`` rows and the caller's ``annotations`` (the staff page's facts about its
    other rows)."""
    try:
        return complaints_visible_to(user).select_related(*related).annotate(**annotations).get(pk=pk)
    except Complaint.DoesNotExist:
        raise NotFound() from None


class ComplaintPage:
    """``complaint_get_for`` with fixed ``related`` rows and ``annotations``, for a page that reads
    one complaint on every request (the staff complaint page). The same rows and NotFound, but its
    query is a QueryShape (aduan.core.query_shapes) per size of the user's scope (how many Pemdas,
    provinces and OPDs their roles give), so it is built and compiled once per process."""

    def __init__(self, *, related=COMPLAINT_RELATED, **annotations):
        self.related, self.annotations = related, annotations
        self._shapes = ShapesBySize(self._build)

    def get(self, *, user, pk: int) -> Complaint:
        roles = staff_roles(user)
        scope = (roles.koordinator_pemda_ids, roles.ombudsman_province_ids, roles.opd_ids)
        if not roles.is_staff_member or not any(scope):  # a petugas loket sees no complaint
            raise NotFound()
        found = list(self._shapes([pk], *(sorted(ids) for ids in scope)))
        if not found:
            raise NotFound()
        return found[0]

    def _build(self, pk, pemdas, provinces, opds):
        scope = Complaint.objects.filter(_visible_scope(pemdas, provinces, opds))
        return scope.select_related(*self.related).annotate(**self.annotations).filter(pk=pk[0])[:1]


def complaint_by_secret(secret: str) -> Complaint:
    """The citizen's complaint for a tracking secret, or NotFound (also for a secret with NUL,
    which PostgreSQL cannot compare: every caller — pages, API, privacy export — is covered)."""
    if not secret or len(secret) > 64 or "\x00" in secret:
        raise NotFound()
    try:
        return Complaint.objects.select_related("pemda", "category", "current_opd").get(
            tracking_secret=secret
        )
    except Complaint.DoesNotExist:
        raise NotFound() from None


def complaint_by_ticket_and_contact(ticket_number: str, contact: str) -> Complaint:
    """The complaint whose ticket number and reporter's e-mail or phone (as given when filing) both
    match, else NotFound (revealing nothing). Not a way in: both are easy to learn, so the look-up
    only sends the tracking link to the contact on file and shows nothing (portal ``track_lookup``)."""
    ticket_number, contact = (ticket_number or "").strip().upper(), (contact or "").strip()
    if not ticket_number or not contact or len(ticket_number) > 32 or len(contact) > 254:
        raise NotFound()
    digits = "".join(ch for ch in contact if ch.isdigit())
    match = Q(reporter__email__iexact=contact) if "@" in contact else Q(reporter__phone=contact)
    if digits and "@" not in contact:
        match |= Q(reporter__phone__endswith=digits[-9:]) if len(digits) >= 9 else Q(pk__in=[])
    complaint = (
        Complaint.objects.select_related("pemda", "category", "current_opd")
        .filter(match, ticket_number=ticket_number)
        .first()
    )
    if complaint is None:
        raise NotFound()
    return complaint


def complaints_public(*, pemda=None) -> QuerySet[Complaint]:
    """Complaints anyone may see in public lists: not rahasia. Callers show no personal data."""
    queryset = Complaint.objects.filter(is_confidential=False)
    return queryset.filter(pemda=pemda) if pemda is not None else queryset


def actor_roles(actor: Actor, complaint: Complaint) -> frozenset[str]:
    """The roles ``actor`` holds for ``complaint`` (empty when it has nothing to do with it)."""
    roles: set[str] = set()
    if actor.is_system:
        roles.add(ActorRole.SYSTEM)
    if actor.tracking_secret and hmac.compare_digest(
        actor.tracking_secret.encode(), complaint.tracking_secret.encode()
    ):
        roles.add(ActorRole.CITIZEN)
    user = actor.authenticated_user
    if user is not None:
        if complaint.reporter_user_id is not None and complaint.reporter_user_id == user.pk:
            roles.add(ActorRole.CITIZEN)
        staff = staff_roles(user)
        if complaint.pemda_id in staff.koordinator_pemda_ids:
            roles.add(ActorRole.KOORDINATOR)
        roles |= staff.opd_roles(complaint.current_opd_id)
        if staff.ombudsman_province_ids and complaint.pemda.province_id in staff.ombudsman_province_ids:
            roles.add(ActorRole.OMBUDSMAN)
    return frozenset(roles)


# Set by aduan.ombudsman when it is ready (this app imports nothing from it): given complaint ids,
# the ids whose reporter took the complaint to the Ombudsman without consenting to share their
# identity, so the Ombudsman does not see it anywhere (pages, exports, API).
_ombudsman_identity_veto: list = []


def ombudsman_identity_veto_set(veto) -> None:
    _ombudsman_identity_veto[:] = [veto]


def identity_withheld_from_ombudsman(complaint_ids) -> set[int]:
    """Of ``complaint_ids`` (a list or a values("pk") queryset), those whose identity the Ombudsman
    may not see although they are not anonim (one query)."""
    return set(_ombudsman_identity_veto[0](complaint_ids)) if _ombudsman_identity_veto else set()


def reporter_identity_for(*, actor: Actor, complaint: Complaint) -> ReporterIdentity | None:
    """The reporter's identity if ``actor`` may see it, else None.

    The koordinator of the complaint's Pemda and the reporter always see it. Staff who may see the
    complaint (OPD roles, Ombudsman) see it only when the complaint is not anonim; the Ombudsman
    not either when the reporter took it to them without consenting to share it.
    """
    query = reporter_identity_query_for(actor=actor, complaint=complaint)
    return next(iter(query), None) if query is not None else None


def reporter_identity_query_for(*, actor: Actor, complaint: Complaint) -> QuerySet[ReporterIdentity] | None:
    """``reporter_identity_for`` as a query not yet run (None: the actor may not see the identity),
    for a page that reads it together with its other rows (aduan.workspace.batch)."""
    roles = actor_roles(actor, complaint)
    if not roles & {ActorRole.KOORDINATOR, ActorRole.CITIZEN}:
        if complaint.is_anonymous:
            return None
        if ActorRole.OMBUDSMAN in roles and identity_withheld_from_ombudsman([complaint.pk]):
            return None
        if not roles - {ActorRole.SYSTEM} and not _may_see(actor, complaint):
            return None  # neither a role on the complaint now nor a past holder of it
    return _IDENTITY(complaint.pk, known={"complaint": complaint})


# compiled once per process (aduan.core.query_shapes): the complaint page reads it on every request
_IDENTITY = QueryShape(lambda pk: ReporterIdentity.objects.filter(complaint_id=pk).order_by("pk")[:1], int)


def _may_see(actor: Actor, complaint: Complaint) -> bool:
    user = actor.authenticated_user
    return user is not None and complaints_visible_to(user).filter(pk=complaint.pk).exists()


def reporter_contact_for_delivery(complaint: Complaint) -> ReporterContact | None:
    """Where to send messages meant for the reporter alone (their own updates). Never use it to
    address staff or to fill a page, an export or a log: that is what ``reporter_identity_for`` is for."""
    return reporter_contact_of(ReporterIdentity.objects.filter(complaint=complaint).first())


def reporter_contact_of(identity: ReporterIdentity | None) -> ReporterContact | None:
    """``reporter_contact_for_delivery`` from an identity already in hand (the one a filing just
    stored): the same rules, no query."""
    if identity is None or not (identity.email or identity.phone):
        return None
    return ReporterContact(email=identity.email, phone=identity.phone, language=identity.language)


def complaint_intake_receipt_for(*, user, pk: int) -> Complaint:
    """A complaint recorded at staff intake, for its receipt (with the private tracking link): only
    the staff member who recorded it may open it, while they still hold an intake role there."""
    roles = staff_roles(user)
    complaint = (
        Complaint.objects.select_related("pemda", "category", "target_opd", "intake", "reporter")
        .filter(pk=pk, intake__recorded_by_id=getattr(user, "pk", None), pemda_id__in=roles.intake_pemda_ids)
        .first()
    )
    if complaint is None:
        raise NotFound()
    return complaint


def inbound_mail_kept_for(user) -> QuerySet:
    """The e-mail messages kept because they could not be used (complaints.mail_intake), of the
    Pemdas the user is koordinator of, newest first. They hold the raw message, sender included
    (anonim or not): the koordinator's alone, like the reporter's identity."""
    return (
        InboundEmail.objects.filter(
            outcome=InboundOutcome.UNREADABLE, pemda_id__in=staff_roles(user).koordinator_pemda_ids
        )
        .select_related("pemda", "mailbox", "complaint", "handled_by")
        .order_by("-received_at", "-pk")
    )


def hops_of(complaint_ids) -> dict[int, list[tuple]]:
    """(opd_id, started_at, ended_at) of every OPD hop of the given complaints, in one query (the
    deadline sweep charges a breached clock to the OPD that held the complaint then)."""
    hops: dict[int, list[tuple]] = {}
    for complaint_id, opd_id, started_at, ended_at in ComplaintHop.objects.filter(
        complaint_id__in=list(complaint_ids)
    ).values_list("complaint_id", "opd_id", "started_at", "ended_at"):
        hops.setdefault(complaint_id, []).append((opd_id, started_at, ended_at))
    return hops
