"""Every read of Ombudsman reports, scoped by role (``agencies.selectors.staff_roles``):

- the Ombudsman sees the reports of the Pemdas of their province (``reports_for_ombudsman``);
- the koordinator sees their Pemda's reports once the Ombudsman asked for clarification or closed
  them (``reports_for_koordinator``), never the reporter's reason or identity (they have the
  complaint itself);
- the reporter sees their own report on the tracking page (``report_for_complaint``);
- the API and a report's page read both at once (``reports_visible_to``), each report in the
  role it concerns the viewer in (``viewer_role``: the Ombudsman's first);
- nobody else sees any (OPD staff included).

The reporter's identity reaches the Ombudsman only with the reporter's consent and never for an
anonim complaint (``identity_for_ombudsman``, and the veto the complaint pages ask,
``identity_withheld_from_ombudsman``).
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from aduan.agencies.selectors import staff_roles
from aduan.complaints.citizen_view import REJECT_PREFIX
from aduan.complaints.models import ComplaintEvent, ReporterIdentity
from aduan.core.exceptions import NotFound
from aduan.sla.models import Deadline, Stage

from .eligibility import ombudsman_grounds
from .models import ClarificationRequest, CorrectiveAction, OmbudsmanReport, ReportStatus


def _with_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "complaint", "complaint__pemda", "complaint__current_opd", "complaint__category", "province"
    ).prefetch_related(
        Prefetch(
            "clarifications",
            queryset=ClarificationRequest.objects.select_related("deadline").order_by("requested_at", "pk"),
        ),
        Prefetch("actions", queryset=CorrectiveAction.objects.order_by("due_date", "pk")),
    )


def reports_for_ombudsman(user) -> QuerySet[OmbudsmanReport]:
    """The reports of the Pemdas of the Ombudsman's provinces (none for anyone else)."""
    me = staff_roles(user)
    if not me.is_ombudsman:
        return OmbudsmanReport.objects.none()
    return _with_related(OmbudsmanReport.objects.filter(_ombudsman_scope(me)))


def _ombudsman_scope(me) -> Q:
    """The reports of the Pemdas of the Ombudsman's provinces."""
    return Q(province_id__in=me.ombudsman_province_ids)


def _koordinator_scope(me) -> Q:
    """The reports that involve the koordinator's Pemdas: clarification asked, or closed (its
    corrective actions to carry out)."""
    involved = Q(Exists(ClarificationRequest.objects.filter(report=OuterRef("pk")))) | Q(
        status=ReportStatus.CLOSED
    )
    return involved & Q(complaint__pemda_id__in=me.koordinator_pemda_ids)


def reports_for_koordinator(user) -> QuerySet[OmbudsmanReport]:
    """The koordinator's Pemda's reports that involve the Pemda: clarification asked, or closed
    (its corrective actions to carry out)."""
    me = staff_roles(user)
    if not me.is_koordinator:
        return OmbudsmanReport.objects.none()
    return _with_related(OmbudsmanReport.objects.filter(_koordinator_scope(me)))


def reports_visible_to(user) -> QuerySet[OmbudsmanReport] | None:
    """Every report ``user`` may read as Ombudsman or koordinator (the API's list); None when the
    user has neither role. ``viewer_role`` tells, per report, which role it is read in."""
    me = staff_roles(user)
    if not (me.is_ombudsman or me.is_koordinator):
        return None
    scope = Q(pk__in=[])
    if me.is_ombudsman:
        scope |= _ombudsman_scope(me)
    if me.is_koordinator:
        scope |= _koordinator_scope(me)
    return _with_related(OmbudsmanReport.objects.filter(scope))


def viewer_role(user, report: OmbudsmanReport) -> str:
    """ "ombudsman" when ``user`` reads ``report`` as the Ombudsman of its province (the reporter's
    reason, and their identity with consent), else "koordinator"."""
    return "ombudsman" if report.province_id in staff_roles(user).ombudsman_province_ids else "koordinator"


def report_for_staff(*, user, pk: int) -> tuple[OmbudsmanReport, str]:
    """One report and the viewer's role on it ("ombudsman" or "koordinator"), or NotFound."""
    reports = reports_visible_to(user)
    report = reports.filter(pk=pk).first() if reports is not None else None
    if report is None:
        raise NotFound()
    return report, viewer_role(user, report)


def report_for_complaint(complaint) -> OmbudsmanReport | None:
    """The reporter's own report on their complaint (the tracking page), if they sent one."""
    return _with_related(OmbudsmanReport.objects.filter(complaint=complaint)).first()


def identity_for_ombudsman(*, user, report: OmbudsmanReport) -> ReporterIdentity | None:
    """The reporter's identity for the Ombudsman of the report's province: only when the reporter
    consented and the complaint is not anonim; None for everyone else."""
    if not report.identity_shared or report.complaint.is_anonymous:
        return None
    if report.province_id not in staff_roles(user).ombudsman_province_ids:
        return None
    return ReporterIdentity.objects.filter(complaint_id=report.complaint_id).first()


def identity_withheld_from_ombudsman(complaint_ids) -> set[int]:
    """Of ``complaint_ids``, those the reporter took to the Ombudsman without consenting to share
    their identity (handed to ``complaints.selectors`` when the app is ready; one query)."""
    return set(
        OmbudsmanReport.objects.filter(complaint_id__in=complaint_ids, identity_shared=False).values_list(
            "complaint_id", flat=True
        )
    )


def rejections_of(complaint) -> int:
    """How many times the reporter rejected the OPD's answer (a reply stored with REJECT_PREFIX)."""
    return ComplaintEvent.objects.filter(
        complaint=complaint, action="reply", note__startswith=REJECT_PREFIX
    ).count()


def grounds_for(complaint, *, now) -> list[str]:
    """The grounds on which ``complaint`` may be taken to the Ombudsman now (2 queries)."""
    resolution = (
        Deadline.objects.open()
        .filter(complaint=complaint, stage=Stage.RESOLUTION)
        .values_list("due_at", flat=True)
    ).first()
    return ombudsman_grounds(
        status=complaint.status, rejections=rejections_of(complaint), resolution_due_at=resolution, now=now
    )


def timeline_of(complaint) -> list[ComplaintEvent]:
    """The complaint's whole timeline, oldest first (for the Ombudsman's report page)."""
    return list(
        ComplaintEvent.objects.filter(complaint=complaint)
        .select_related("actor", "opd")
        .order_by("seq", "pk")
    )


def open_clarification(report: OmbudsmanReport) -> ClarificationRequest | None:
    return next((c for c in report.clarifications.all() if c.is_open), None)


def citizen_state(complaint, *, now) -> dict:
    """What the tracking page shows of the Ombudsman: the reporter's report once sent (its status,
    finding and corrective actions), else whether they may send one now and on what ground."""
    report = report_for_complaint(complaint)
    if report is not None:
        return {"report": report, "actions": list(report.actions.all()), "grounds": [], "can_report": False}
    grounds = grounds_for(complaint, now=now)
    return {"report": None, "actions": [], "grounds": grounds, "can_report": bool(grounds)}


def report_on_complaint_for(*, user, complaint, pk: int | None = ...) -> OmbudsmanReport | None:
    """The complaint's report if ``user`` may open it (the Ombudsman of the province, or the
    koordinator once the Pemda is involved): the complaint page links to it. ``pk``: the report's
    id (None: there is none) when the caller already read it."""
    if pk is ...:
        pk = OmbudsmanReport.objects.filter(complaint=complaint).values_list("pk", flat=True).first()
    if pk is None:
        return None
    try:
        return report_for_staff(user=user, pk=pk)[0]
    except NotFound:
        return None
