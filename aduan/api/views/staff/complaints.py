"""The staff side of the API: the complaint list (filters of the staff pages, paginated), one
complaint with its timeline, clocks and files, and the output shapes the other staff modules
answer with (the moves: moves.py; notes, assignment and flags: notes.py).

Every complaint is reached through ``selectors.complaint_get_for`` (404 when the user may not see
it, so existence never leaks) and lists through ``selectors.complaints_visible_to``; the reporter's
identity comes only from ``selectors.reporter_identity_for``. Writes go through
``complaint_transition`` and the staff services, which check the role again under a row lock.
"""

from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.complaints import selectors
from aduan.complaints.attachment_names import attachment_display_name
from aduan.complaints.attachments import attachment_is_servable
from aduan.complaints.filters import StaffComplaintFilter, with_next_due
from aduan.complaints.models import ActorRole, Channel, ComplaintFlag, ScanStatus, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import allowed_actions
from aduan.core.db_router import ReplicaListMixin
from aduan.sla.display import due_text
from aduan.sla.models import Deadline
from aduan.sla.services import calendar_for

from ...schema import STAFF_READ_ERRORS, STAFF_WRITE_ERRORS

TAG = "Petugas"


def _visible(request, pk: int):
    return selectors.complaint_get_for(user=request.user, pk=pk)


# --- Output shapes -------------------------------------------------------------------------------


class RefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ComplaintRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    pemda = serializers.CharField(source="pemda.code")
    title = serializers.CharField()
    classification = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    category = RefOutput(allow_null=True)
    current_opd = RefOutput(allow_null=True)
    assigned_to = serializers.SerializerMethodField()
    is_anonymous = serializers.BooleanField()
    is_confidential = serializers.BooleanField()
    submitted_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    supporters_count = serializers.IntegerField()
    next_due_at = serializers.DateTimeField(allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=Channel.choices, help_text="Kanal penerimaan aduan.")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    kelurahan = RefOutput(allow_null=True, help_text="Dari daftar pemda (GET /pemdas/{code}/areas/).")
    kecamatan = RefOutput(source="kelurahan.kecamatan", allow_null=True, default=None)

    def get_assigned_to(self, obj) -> dict | None:
        user = obj.assigned_to
        return {"id": user.pk, "name": user.full_name or user.email} if user else None


class ReporterOutput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    nik = serializers.CharField(allow_blank=True)
    language = serializers.CharField()


class DeadlineOutput(serializers.Serializer):
    stage = serializers.CharField()
    opd = serializers.IntegerField(source="opd_id", allow_null=True)
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    due_label = serializers.CharField(
        help_text="The due moment as people read it, in the Pemda's zone and the request's language "
        '(a clock running out at 00:00 reads "akhir hari kerja <the last working day>").'
    )
    met_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    paused_at = serializers.DateTimeField(allow_null=True)


class StaffAttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")  # set by named_attachments()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    is_internal = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    scan_status = serializers.ChoiceField(
        choices=ScanStatus.choices,
        help_text="Pemindaian virus: berkas hanya dapat diunduh bila clean (pending/error: sedang diperiksa; "
        "infected: diblokir dan dihapus).",
    )
    download_url = serializers.SerializerMethodField(help_text="null sampai berkas dinyatakan bersih.")

    def get_download_url(self, obj) -> str | None:
        return reverse("complaints:staff-attachment", args=[obj.pk]) if attachment_is_servable(obj) else None


class FlagOutput(serializers.Serializer):
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ComplaintFactsOutput(ComplaintRowOutput):
    chronology = serializers.CharField()
    incident_date = serializers.DateField(allow_null=True)
    location_text = serializers.CharField(allow_blank=True)
    target_opd = RefOutput(allow_null=True)
    archive_reason = serializers.CharField(allow_blank=True)
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", allow_null=True)
    forwarded_to = serializers.CharField(allow_blank=True)


class ComplaintDetailOutput(ComplaintFactsOutput):
    reporter = ReporterOutput(allow_null=True, help_text="null: identitas dirahasiakan (anonim) bagi Anda.")
    allowed_actions = serializers.ListField(
        child=serializers.CharField(), help_text="Tindakan alur kerja yang terbuka bagi Anda sekarang."
    )
    deadlines = DeadlineOutput(many=True)
    attachments = StaffAttachmentOutput(many=True)
    flag = FlagOutput(allow_null=True)


ROW_EXAMPLE = {
    "id": 481, "ticket_number": "BPN-2026-000481", "pemda": "BPN", "title": "Jalan berlubang di Jl. Sudirman",
    "classification": "pengaduan", "status": "dispatched", "status_label": "Didisposisikan ke OPD",
    "category": {"id": 12, "name": "Jalan rusak"}, "current_opd": {"id": 6, "name": "Dinas Pekerjaan Umum"},
    "assigned_to": {"id": 9, "name": "Agus Salim"}, "is_anonymous": True, "is_confidential": False,
    "submitted_at": "2026-06-08T01:00:00Z", "status_changed_at": "2026-06-08T03:00:00Z", "closed_at": None,
    "supporters_count": 2, "next_due_at": "2026-06-15T16:00:00Z", "channel": "phone",
    "latitude": "-1.267000", "longitude": "116.831000", "kelurahan": {"id": 3, "name": "Klandasan Ilir"},
    "kecamatan": {"id": 2, "name": "Balikpapan Kota"},
}  # fmt: skip


def named_attachments(attachments, *, identity) -> list:
    """The attachments (in the complaint's order, all of them) with the name this viewer may see."""
    attachments = list(attachments)
    for position, attachment in enumerate(attachments, start=1):
        attachment.display_name = attachment_display_name(
            attachment, identity_visible=identity is not None, position=position
        )
    return attachments


def _labelled_deadlines(complaint) -> list[Deadline]:
    deadlines = list(complaint.deadlines.order_by("started_at", "pk"))
    cal = calendar_for(complaint.pemda, around=timezone.now()) if deadlines else None
    for d in deadlines:
        d.due_label = due_text(d.due_at, cal)
    return deadlines


def detail_body(request, complaint) -> dict:
    actor = Actor.staff(request.user)
    identity = selectors.reporter_identity_for(actor=actor, complaint=complaint)
    flag = ComplaintFlag.objects.filter(complaint=complaint, cleared_at__isnull=True).first()
    complaint.next_due_at = (
        Deadline.objects.open()
        .filter(complaint=complaint, paused_at__isnull=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    return {
        **ComplaintFactsOutput(complaint).data,
        "reporter": ReporterOutput(identity).data if identity else None,
        "allowed_actions": allowed_actions(actor=actor, complaint=complaint),
        "deadlines": DeadlineOutput(_labelled_deadlines(complaint), many=True).data,
        "attachments": StaffAttachmentOutput(
            named_attachments(complaint.attachments.order_by("created_at", "pk"), identity=identity),
            many=True,
        ).data,
        "flag": FlagOutput(flag).data if flag else None,
    }


def _detail_response(request, pk: int, code=status.HTTP_200_OK) -> Response:
    complaint = selectors.complaint_get_for(user=request.user, pk=pk)
    return Response(detail_body(request, complaint), status=code)


# --- List and detail -----------------------------------------------------------------------------


@extend_schema(
    tags=[TAG],
    summary="Daftar aduan",
    responses={200: ComplaintRowOutput(many=True), 400: STAFF_WRITE_ERRORS[400], **STAFF_READ_ERRORS},
    examples=[OpenApiExample("Satu baris", value=ROW_EXAMPLE, response_only=True)],
)
class ComplaintListApi(ReplicaListMixin, generics.ListAPIView):
    """Complaints you may see (koordinator: your Pemda; OPD staff: what your OPD holds or held;
    Ombudsman: your province), with the staff pages' filters: status (repeatable), category,
    pemda, opd, kecamatan, kelurahan (ids of the Pemda's areas), due=soon|overdue, assigned=me|none,
    breached, flagged, submitted_from/to, channel,
    q and sort (oldest, newest, due, status, supporters)."""

    serializer_class = ComplaintRowOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = StaffComplaintFilter

    def get_queryset(self):
        return (
            selectors.complaints_visible_to(self.request.user)
            .select_related("pemda", "category", "current_opd", "assigned_to", "kelurahan__kecamatan")
            .order_by("-submitted_at", "-pk")
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if "next_due_at" not in queryset.query.annotations:
            queryset = with_next_due(queryset)
        return queryset


@extend_schema(
    tags=[TAG],
    summary="Satu aduan",
    responses={200: ComplaintDetailOutput, **STAFF_READ_ERRORS},
    examples=[
        OpenApiExample(
            "Anonim, dilihat petugas OPD",
            value={
                **ROW_EXAMPLE,
                "chronology": "Lubang besar …",
                "incident_date": None,
                "location_text": "Jl. Sudirman",
                "target_opd": None,
                "archive_reason": "",
                "duplicate_of": None,
                "forwarded_to": "",
                "channel": "api",
                "reporter": None,
                "allowed_actions": ["request_redispatch", "follow_up"],
                "deadlines": [],
                "attachments": [],
                "flag": None,
            },
            response_only=True,
        )
    ],  # fmt: skip
)
class ComplaintDetailApi(APIView):
    """One complaint with its clocks, files and the moves open to you now. ``reporter`` is null
    when the complaint is anonim and you are not its Pemda's koordinator."""

    def get(self, request, pk: int):
        return _detail_response(request, pk)


class StaffEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField()
    actor_role = serializers.CharField()
    actor = serializers.SerializerMethodField(help_text="Nama petugas; kosong untuk pelapor dan sistem.")
    opd = serializers.IntegerField(source="opd_id", allow_null=True)
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()

    def get_actor(self, obj) -> str:
        if obj.actor_role in (ActorRole.CITIZEN, ActorRole.SYSTEM) or obj.actor is None:
            return ""  # never the reporter's account name
        return obj.actor.full_name or obj.actor.email


@extend_schema(
    tags=[TAG],
    summary="Riwayat aduan",
    responses={200: StaffEventOutput(many=True), **STAFF_READ_ERRORS},
    examples=[
        OpenApiExample(
            "Disposisi",
            value=[
                {
                    "id": 1,
                    "action": "dispatch",
                    "from_status": "submitted",
                    "to_status": "dispatched",
                    "actor_role": "koordinator",
                    "actor": "Rina Marlina",
                    "opd": 6,
                    "note": "",
                    "created_at": "2026-06-08T03:00:00Z",
                }
            ],
            response_only=True,
        )
    ],  # fmt: skip
)
class EventListApi(APIView):
    """The complaint's timeline, oldest first (every move and recorded step)."""

    def get(self, request, pk: int):
        complaint = _visible(request, pk)
        events = complaint.events.select_related("actor").order_by("created_at", "pk")
        return Response(StaffEventOutput(events, many=True).data)
