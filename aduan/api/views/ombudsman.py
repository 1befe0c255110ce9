"""Complaints taken to the Ombudsman, for the Ombudsman's and the Pemda's own systems: the list
(filters: status, ground, pemda; paginated) and one report with its clarification requests and
corrective actions. Read-only: the steps (ask for clarification, answer, close, action done) are
taken on the staff pages, where their forms explain each rule.

Reads go through ``aduan.ombudsman.selectors`` only, each report in the role the viewer reads it
in (``viewer_role``): the Ombudsman of the report's province sees the reporter's reason, and their
identity only with the reporter's consent and never for an anonim complaint; the koordinator of
the complaint's Pemda sees neither (they have the complaint itself). Nobody else sees a report:
a user with neither role gets 403, a report outside the user's scope 404.
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.core.exceptions import PermissionDenied
from aduan.ombudsman import selectors
from aduan.ombudsman.models import Finding, Ground, OmbudsmanReport, ReportStatus

from ..schema import STAFF_READ_ERRORS, STAFF_WRITE_ERRORS

TAG = "Ombudsman"


def _scope(user):
    reports = selectors.reports_visible_to(user)
    if reports is None:
        raise PermissionDenied(
            _("Hanya Ombudsman dan koordinator pengaduan yang dapat membaca laporan ke Ombudsman."),
            code="ombudsman_or_koordinator_only",
        )
    return reports


class ReportComplaintOutput(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    pemda = serializers.CharField(source="pemda.code")
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    current_opd = serializers.CharField(source="current_opd.name", allow_null=True, default=None)
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    is_anonymous = serializers.BooleanField()


class ReportRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    complaint = ReportComplaintOutput()
    province = serializers.CharField(source="province.name")
    ground = serializers.ChoiceField(choices=Ground.choices)
    ground_label = serializers.CharField(source="get_ground_display")
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    submitted_at = serializers.DateTimeField()
    identity_shared = serializers.SerializerMethodField(
        help_text="Pelapor setuju identitasnya dibuka untuk Ombudsman; null bagi koordinator "
        "(pilihan pelapor tentang Ombudsman bukan urusan Pemda)."
    )
    clarification_due_at = serializers.SerializerMethodField(
        help_text="Batas waktu permintaan klarifikasi yang masih terbuka (14 hari kalender); "
        "null bila tidak ada."
    )
    finding = serializers.ChoiceField(choices=Finding.choices, allow_blank=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    viewer_role = serializers.SerializerMethodField(
        help_text="Peran Anda atas laporan ini: ombudsman (provinsinya) atau koordinator (pemdanya)."
    )

    def _role(self, obj) -> str:
        return selectors.viewer_role(self.context["request"].user, obj)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_identity_shared(self, obj) -> bool | None:
        return obj.identity_shared if self._role(obj) == "ombudsman" else None

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_clarification_due_at(self, obj) -> str | None:
        request = selectors.open_clarification(obj)
        deadline = request.deadline if request is not None else None
        return serializers.DateTimeField().to_representation(deadline.due_at) if deadline else None

    @extend_schema_field(serializers.ChoiceField(choices=["ombudsman", "koordinator"]))
    def get_viewer_role(self, obj) -> str:
        return self._role(obj)


class ClarificationOutput(serializers.Serializer):
    question = serializers.CharField()
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(source="deadline.due_at", allow_null=True, default=None)
    answer = serializers.CharField(allow_blank=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class CorrectiveActionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    due_date = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_note = serializers.CharField(allow_blank=True)
    overdue = serializers.SerializerMethodField(
        help_text="Belum dilaksanakan dan batas waktunya sudah lewat."
    )

    def get_overdue(self, obj) -> bool:
        return obj.done_at is None and obj.due_date < self.context["today"]


class OmbudsmanReporterOutput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)


class ReportDetailOutput(ReportRowOutput):
    reason = serializers.CharField(
        source="viewer_reason",
        allow_null=True,
        help_text="Alasan pelapor; hanya untuk Ombudsman (null bagi koordinator).",
    )
    reporter = OmbudsmanReporterOutput(
        source="viewer_identity",
        allow_null=True,
        help_text="Identitas pelapor: hanya untuk Ombudsman, hanya dengan persetujuan pelapor, tidak pernah "
        "untuk aduan anonim; selain itu null.",
    )
    finding_note = serializers.CharField(allow_blank=True)
    clarifications = ClarificationOutput(many=True)
    actions = CorrectiveActionOutput(many=True)


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    ground = django_filters.ChoiceFilter(choices=Ground.choices)
    pemda = django_filters.CharFilter(
        field_name="complaint__pemda__code", lookup_expr="iexact", max_length=10
    )

    class Meta:
        model = OmbudsmanReport
        fields = ["status", "ground", "pemda"]


ROW_EXAMPLE = {
    "id": 7,
    "complaint": {
        "id": 481, "ticket_number": "BPN-2026-000481", "pemda": "BPN",
        "title": "Jalan berlubang di Jl. Sudirman",
        "status": "archived", "status_label": "Diarsipkan", "current_opd": None, "category": "Jalan rusak",
        "is_anonymous": False,
    },
    "province": "Kalimantan Timur", "ground": "archived", "ground_label": "Aduan diarsipkan",
    "status": "clarification", "status_label": "Menunggu klarifikasi Pemda",
    "submitted_at": "2026-06-08T01:00:00Z", "identity_shared": True,
    "clarification_due_at": "2026-06-22T01:00:00Z", "finding": "", "closed_at": None,
    "viewer_role": "ombudsman",
}  # fmt: skip


@extend_schema(
    tags=[TAG],
    summary="Daftar laporan ke Ombudsman",
    responses={200: ReportRowOutput(many=True), 400: STAFF_WRITE_ERRORS[400], **STAFF_READ_ERRORS},
    examples=[OpenApiExample("Satu baris", value=ROW_EXAMPLE, response_only=True)],
)
class ReportListApi(generics.ListAPIView):
    """Reports you may read, newest first: as the Ombudsman, those of your province's Pemdas; as a
    koordinator, your Pemda's once the Ombudsman asked it for clarification or closed them.
    Filters: status, ground, pemda (code)."""

    serializer_class = ReportRowOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return OmbudsmanReport.objects.none()
        return _scope(self.request.user).order_by("-submitted_at", "-pk")


@extend_schema(
    tags=[TAG],
    summary="Satu laporan ke Ombudsman",
    responses={200: ReportDetailOutput, **STAFF_READ_ERRORS},
    examples=[
        OpenApiExample(
            "Dibaca Ombudsman, pelapor setuju",
            value={
                **ROW_EXAMPLE,
                "reason": "Aduan saya diarsipkan tanpa alasan yang jelas.",
                "reporter": {"name": "Budi Santoso", "email": "budi@example.id", "phone": ""},
                "finding_note": "",
                "clarifications": [
                    {
                        "question": "Mengapa aduan diarsipkan?",
                        "requested_at": "2026-06-08T02:00:00Z",
                        "due_at": "2026-06-22T02:00:00Z",
                        "answer": "",
                        "answered_at": None,
                    }
                ],
                "actions": [],
            },
            response_only=True,
        )
    ],  # fmt: skip
)
class ReportDetailApi(APIView):
    """One report with its clarification requests and corrective actions. ``reason`` and
    ``reporter`` are for the Ombudsman only (``reporter`` only with the reporter's consent, never
    for an anonim complaint); a koordinator gets null."""

    def get(self, request, pk: int):
        report = generics.get_object_or_404(_scope(request.user), pk=pk)
        is_ombudsman = selectors.viewer_role(request.user, report) == "ombudsman"
        identity = (
            selectors.identity_for_ombudsman(user=request.user, report=report) if is_ombudsman else None
        )
        today = timezone.localtime(timezone.now(), report.complaint.pemda.zoneinfo).date()
        report.viewer_reason = report.reason if is_ombudsman else None
        report.viewer_identity = identity
        return Response(ReportDetailOutput(report, context={"request": request, "today": today}).data)
