"""Who may see which compliance figures, and the reads the dashboard needs.

- Ombudsman: the Pemdas of their province(s): figures, scores, entering assessment inputs.
- Koordinator: their own Pemda: figures, scores, recording evidence items.
- Kepala / petugas OPD: their own OPD's figures only.
Everyone else sees nothing. Every view and export asks these functions for each Pemda and OPD.
"""

from django.db.models import Q, QuerySet

from aduan.agencies.models import Opd, Pemda
from aduan.agencies.selectors import staff_roles
from aduan.core.exceptions import PermissionDenied

from .models import ComplianceScore


def pemdas_visible_to(user) -> QuerySet[Pemda]:
    """Pemdas whose figures and scores ``user`` may see (ombudsman: province; koordinator: own)."""
    roles = staff_roles(user)
    pemda_ids, province_ids = roles.koordinator_pemda_ids, roles.ombudsman_province_ids
    if not (pemda_ids or province_ids):
        return Pemda.objects.none()
    return Pemda.objects.filter(Q(pk__in=pemda_ids) | Q(province_id__in=province_ids)).select_related(
        "province"
    )


def opds_visible_to(user) -> QuerySet[Opd]:
    """OPDs whose own figures ``user`` may see through an OPD role (not through a Pemda role)."""
    return Opd.objects.filter(pk__in=staff_roles(user).opd_ids).select_related("pemda")


def pemda_get_for(*, user, pk: int) -> Pemda:
    pemda = pemdas_visible_to(user).filter(pk=pk).first()
    if pemda is None:
        raise PermissionDenied()
    return pemda


def opd_get_for(*, user, pemda_pk: int, opd_pk: int) -> Opd:
    """An OPD the user may see: any OPD of a visible Pemda, or their own OPD."""
    opd = Opd.objects.select_related("pemda").filter(pk=opd_pk, pemda_id=pemda_pk).first()
    if opd is None:
        raise PermissionDenied()
    if (
        pemdas_visible_to(user).filter(pk=pemda_pk).exists()
        or opds_visible_to(user).filter(pk=opd_pk).exists()
    ):
        return opd
    raise PermissionDenied()


def may_enter_assessment(user, pemda: Pemda) -> bool:
    return pemda.province_id in staff_roles(user).ombudsman_province_ids


def may_record_evidence(user, pemda: Pemda) -> bool:
    return pemda.pk in staff_roles(user).koordinator_pemda_ids


def may_recompute(user, pemda: Pemda) -> bool:
    return may_enter_assessment(user, pemda) or may_record_evidence(user, pemda)


def latest_scores(*, pemdas, year: int | None = None) -> dict[tuple[int, int], ComplianceScore]:
    """The latest snapshot per (Pemda, year), in one query (published ones preferred per year)."""
    qs = ComplianceScore.objects.filter(pemda__in=list(pemdas)).defer("inputs", "definition")
    if year is not None:
        qs = qs.filter(year=year)
    best: dict[tuple[int, int], ComplianceScore] = {}
    for s in qs.order_by("computed_at", "pk"):
        key = (s.pemda_id, s.year)
        current = best.get(key)
        if current is None or not (current.is_published and not s.is_published):
            best[key] = s
    return best
