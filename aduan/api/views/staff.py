"""The staff side of the API: the complaint list (filters of the staff pages, paginated), one
complaint with its timeline, clocks and internal notes, every workflow move as
``POST .../transitions/``, follow-ups with files, assignment, Ombudsman flags, merging and bulk
moves.

Every complaint is reached through ``selectors.complaint_get_for`` (404 when the user may not see
it, so existence never leaks) and lists through ``selectors.complaints_visible_to``; the reporter's
identity comes only from ``selectors.reporter_identity_for``. Writes go through
``complaint_transition`` and the staff services, which check the role again under a row lock.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.models import Opd
from aduan.complaints import selectors
from aduan.complaints.attachment_names import attachment_display_name
from aduan.complaints.attachments import (
    MAX_FILES,
    attachment_add,
    attachment_is_servable,
    validate_upload,
    validate_uploads,
)
from aduan.complaints.filters import StaffComplaintFilter, with_next_due
from aduan.complaints.models import ActorRole, ArchiveReason, ComplaintFlag, ScanStatus, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import (
    complaint_assign,
    complaint_flag,
    complaint_merge,
    complaint_note_add,
    complaint_unflag,
    complaints_bulk_transition,
    officers_of,
)
from aduan.complaints.workflow import (
    NOTE_MAX_LENGTH,
    TRANSITIONS,
    Action,
    allowed_actions,
    complaint_transition,
)
from aduan.core.exceptions import InvalidInput, NotFound, PermissionDenied
from aduan.sla.models import Deadline

from ..schema import STAFF_READ_ERRORS, STAFF_WRITE_ERRORS

TAG = "Petugas"
# Who may add evidence files to a complaint: as on the staff page, the koordinator and the
# holding OPD's petugas (the same roles that write internal notes).
UPLOAD_ROLES = frozenset({ActorRole.KOORDINATOR, ActorRole.PETUGAS_OPD})
STAFF_ACTIONS = [a for a in TRANSITIONS if a != Action.AUTO_RESOLVE]


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
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    target_opd = RefOutput(allow_null=True)
    archive_reason = serializers.CharField(allow_blank=True)
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", allow_null=True)
    forwarded_to = serializers.CharField(allow_blank=True)
    channel = serializers.CharField()


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
    "supporters_count": 2, "next_due_at": "2026-06-15T16:00:00Z",
}  # fmt: skip


def named_attachments(attachments, *, identity) -> list:
    """The attachments (in the complaint's order, all of them) with the name this viewer may see."""
    attachments = list(attachments)
    for position, attachment in enumerate(attachments, start=1):
        attachment.display_name = attachment_display_name(
            attachment, identity_visible=identity is not None, position=position
        )
    return attachments


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
        "deadlines": DeadlineOutput(complaint.deadlines.order_by("started_at", "pk"), many=True).data,
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
class ComplaintListApi(generics.ListAPIView):
    """Complaints you may see (koordinator: your Pemda; OPD staff: what your OPD holds or held;
    Ombudsman: your province), with the staff pages' filters: status (repeatable), category,
    pemda, opd, due=soon|overdue, assigned=me|none, breached, flagged, submitted_from/to, q and
    sort (oldest, newest, due, status, supporters)."""

    serializer_class = ComplaintRowOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = StaffComplaintFilter

    def get_queryset(self):
        return (
            selectors.complaints_visible_to(self.request.user)
            .select_related("pemda", "category", "current_opd", "assigned_to")
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
                "latitude": "-1.267000",
                "longitude": "116.831000",
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


# --- Moves ---------------------------------------------------------------------------------------


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=STAFF_ACTIONS)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
    opd = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    reason = serializers.ChoiceField(
        choices=ArchiveReason.choices, required=False, allow_blank=True, default=""
    )
    duplicate_of = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    institution = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _opd(opd_id):
    if opd_id is None:
        return None
    opd = Opd.objects.filter(pk=opd_id).first()
    if opd is None:
        raise InvalidInput(OPD_UNKNOWN, code="opd_invalid", field="opd")
    return opd


OPD_UNKNOWN = _("OPD tujuan bukan OPD aktif pemda ini.")


def _duplicate_of(request, complaint_id):
    if complaint_id is None:
        return None
    original = selectors.complaints_visible_to(request.user).filter(pk=complaint_id).first()
    if original is None:
        raise InvalidInput(DUPLICATE_UNKNOWN, code="duplicate_of_invalid", field="duplicate_of")
    return original


DUPLICATE_UNKNOWN = _("Aduan asli harus aduan lain dari pemda yang sama.")


@extend_schema(
    tags=[TAG],
    summary="Tindakan alur kerja",
    request=TransitionInput,
    responses={200: ComplaintDetailOutput, **STAFF_WRITE_ERRORS},
    examples=[
        OpenApiExample(
            "Disposisi",
            value={"action": "dispatch", "opd": 6, "note": "Mohon segera ditangani."},
            request_only=True,
        ),
        OpenApiExample(
            "Tunda", value={"action": "hold", "note": "Mohon sebutkan alamat lengkap."}, request_only=True
        ),
        OpenApiExample(
            "Arsip duplikat",
            value={"action": "archive", "reason": "duplicate", "duplicate_of": 470},
            request_only=True,
        ),
        OpenApiExample(
            "Bukan kewenangan",
            value={"action": "forward_out", "institution": "BPJS Kesehatan"},
            request_only=True,
        ),
        OpenApiExample(
            "Tindak lanjut",
            value={"action": "follow_up", "note": "Lubang sudah ditambal 9 Juni."},
            request_only=True,
        ),
    ],
)
class TransitionApi(APIView):
    """Apply one move of the state machine (DESIGN.md §5): dispatch (opd), hold (note), complete
    (note), archive (reason, duplicate_of for duplicates), forward_out (institution), redispatch
    (opd), request_redispatch (note), follow_up (note), reopen (note). The role is checked for
    this complaint; a move the status does not allow answers 409 and changes nothing."""

    def post(self, request, pk: int):
        complaint = _visible(request, pk)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        complaint_transition(
            complaint_id=complaint.pk,
            action=d["action"],
            actor=Actor.staff(request.user),
            note=d["note"],
            opd=_opd(d.get("opd")),
            reason=d["reason"],
            duplicate_of=_duplicate_of(request, d.get("duplicate_of")),
            institution=d["institution"],
        )
        return _detail_response(request, pk)


class FollowUpInput(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_FILES, default=list
    )


@extend_schema(
    tags=[TAG],
    summary="Kirim tindak lanjut",
    request={"application/json": FollowUpInput, "multipart/form-data": FollowUpInput},
    responses={201: ComplaintDetailOutput, **STAFF_WRITE_ERRORS},
    examples=[
        OpenApiExample("Jawaban", value={"note": "Lubang sudah ditambal pada 9 Juni."}, request_only=True)
    ],
)
class FollowUpApi(APIView):
    """The OPD's answer to the reporter (the follow_up move) with optional files the reporter
    sees, in one transaction."""

    def post(self, request, pk: int):
        complaint = _visible(request, pk)
        data = FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        uploads = validate_uploads(data.validated_data["attachments"])
        with transaction.atomic():
            result = complaint_transition(
                complaint_id=complaint.pk,
                action=Action.FOLLOW_UP,
                actor=Actor.staff(request.user),
                note=data.validated_data["note"],
            )
            for clean in uploads:
                attachment_add(complaint=result.complaint, upload=clean, uploaded_by=request.user)
        return _detail_response(request, pk, status.HTTP_201_CREATED)


class EvidenceInput(serializers.Serializer):
    file = serializers.FileField()
    is_internal = serializers.BooleanField(
        default=True, help_text="true (bawaan): hanya petugas; false: terlihat juga oleh pelapor."
    )


@extend_schema(
    tags=[TAG],
    summary="Tambah bukti (lampiran petugas)",
    request={"multipart/form-data": EvidenceInput},
    responses={201: StaffAttachmentOutput, **STAFF_WRITE_ERRORS},
    examples=[
        OpenApiExample(
            "Foto lapangan",
            value={
                "id": 92, "name": "tambal.jpg", "content_type": "image/jpeg", "size": 201433,
                "is_internal": True, "created_at": "2026-06-09T04:00:00Z",
                "scan_status": "pending", "download_url": None,
            },
            response_only=True,
        )
    ],
)  # fmt: skip
class EvidenceAddApi(APIView):
    """A photo or document from staff (JPEG, PNG, WebP, PDF; images re-encoded without metadata),
    internal by default. The koordinator and the holding OPD's petugas add them, while the
    complaint is open; anyone else who may see the complaint is refused and nothing is stored."""

    def post(self, request, pk: int):
        complaint = _visible(request, pk)
        if not selectors.actor_roles(Actor.staff(request.user), complaint) & UPLOAD_ROLES:
            raise PermissionDenied(code="role_not_allowed")
        data = EvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        clean = validate_upload(data.validated_data["file"])
        attachment = attachment_add(
            complaint=complaint,
            upload=clean,
            uploaded_by=request.user,
            is_internal=data.validated_data["is_internal"],
        )
        attachment.refresh_from_db(fields=["scan_status", "purged_at"])  # scanned already when eager
        identity = selectors.reporter_identity_for(actor=Actor.staff(request.user), complaint=complaint)
        attachment.display_name = attachment_display_name(attachment, identity_visible=identity is not None)
        return Response(StaffAttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


# --- Notes, assignment, flags -------------------------------------------------------------------


class NoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    author_role = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_author(self, obj) -> str:
        return obj.author.full_name or obj.author.email


class InternalNoteInput(serializers.Serializer):
    body = serializers.CharField(max_length=NOTE_MAX_LENGTH)


NOTE_EXAMPLE = OpenApiExample(
    "Catatan",
    value={"id": 3, "author": "Agus Salim", "author_role": "petugas_opd",
           "body": "Tim lapangan dijadwalkan Kamis.",
           "created_at": "2026-06-09T02:00:00Z"},
    response_only=True,
)  # fmt: skip


class NoteListApi(APIView):
    """Internal notes: staff only, never shown to the reporter."""

    @extend_schema(
        tags=[TAG],
        summary="Catatan internal",
        responses={200: NoteOutput(many=True), **STAFF_READ_ERRORS},
        examples=[NOTE_EXAMPLE],
    )
    def get(self, request, pk: int):
        complaint = _visible(request, pk)
        return Response(
            NoteOutput(complaint.notes.select_related("author").order_by("created_at", "pk"), many=True).data
        )

    @extend_schema(
        tags=[TAG],
        summary="Tulis catatan internal",
        request=InternalNoteInput,
        responses={201: NoteOutput, **STAFF_WRITE_ERRORS},
        examples=[
            OpenApiExample("Catatan", value={"body": "Tim lapangan dijadwalkan Kamis."}, request_only=True),
            NOTE_EXAMPLE,
        ],
    )
    def post(self, request, pk: int):
        complaint = _visible(request, pk)
        data = InternalNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = complaint_note_add(
            complaint_id=complaint.pk, actor=Actor.staff(request.user), body=data.validated_data["body"]
        )
        return Response(NoteOutput(note).data, status=status.HTTP_201_CREATED)


class AssignmentInput(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=2**62, help_text="null: lepas penugasan."
    )


class OfficerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return obj.full_name or obj.email


class AssignmentApi(APIView):
    """Who of the holding OPD's officers works on the complaint."""

    @extend_schema(
        tags=[TAG], summary="Petugas yang dapat ditunjuk",
        responses={200: OfficerOutput(many=True), **STAFF_READ_ERRORS},
        examples=[OpenApiExample("Petugas", value=[{"id": 9, "name": "Agus Salim"}], response_only=True)],
    )  # fmt: skip
    def get(self, request, pk: int):
        complaint = _visible(request, pk)
        # Like the page: only the holding OPD's petugas, who assign, see the list of its officers.
        if ActorRole.PETUGAS_OPD not in selectors.actor_roles(Actor.staff(request.user), complaint):
            raise PermissionDenied(code="role_not_allowed")
        return Response(OfficerOutput(officers_of(complaint.current_opd_id), many=True).data)

    @extend_schema(
        tags=[TAG], summary="Tunjuk petugas", request=AssignmentInput,
        responses={200: ComplaintDetailOutput, **STAFF_WRITE_ERRORS},
        examples=[OpenApiExample("Tunjuk", value={"assignee": 9}, request_only=True)],
    )  # fmt: skip
    def put(self, request, pk: int):
        complaint = _visible(request, pk)
        data = AssignmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint_assign(
            complaint_id=complaint.pk,
            actor=Actor.staff(request.user),
            assignee_id=data.validated_data["assignee"],
        )
        return _detail_response(request, pk)


class FlagInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class FlagApi(APIView):
    """ "Dipantau Ombudsman": the Ombudsman marks a complaint as monitored, or clears the mark."""

    @extend_schema(
        tags=[TAG], summary="Tandai dipantau Ombudsman", request=FlagInput,
        responses={201: ComplaintDetailOutput, **STAFF_WRITE_ERRORS},
        examples=[OpenApiExample("Tandai", value={"note": "Dipantau karena berulang."}, request_only=True)],
    )  # fmt: skip
    def post(self, request, pk: int):
        complaint = _visible(request, pk)
        data = FlagInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint_flag(
            complaint_id=complaint.pk, actor=Actor.staff(request.user), note=data.validated_data["note"]
        )
        return _detail_response(request, pk, status.HTTP_201_CREATED)

    @extend_schema(
        tags=[TAG],
        summary="Cabut tanda pemantauan",
        responses={200: ComplaintDetailOutput, **STAFF_WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        complaint = _visible(request, pk)
        complaint_unflag(complaint_id=complaint.pk, actor=Actor.staff(request.user))
        return _detail_response(request, pk)


class MergeInput(serializers.Serializer):
    original = serializers.IntegerField(min_value=1, max_value=2**62, help_text="Id aduan asli.")
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


@extend_schema(
    tags=[TAG], summary="Gabungkan duplikat", request=MergeInput,
    responses={200: ComplaintDetailOutput, **STAFF_WRITE_ERRORS},
    examples=[OpenApiExample("Gabung", value={"original": 470}, request_only=True)],
)  # fmt: skip
class MergeApi(APIView):
    """Archive this complaint as a duplicate of ``original`` (koordinator); its supporters and its
    reporter count as supporters of the original."""

    def post(self, request, pk: int):
        complaint = _visible(request, pk)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        original = _duplicate_of(request, data.validated_data["original"])
        complaint_merge(
            duplicate_id=complaint.pk,
            original_id=original.pk,
            actor=Actor.staff(request.user),
            note=data.validated_data["note"],
        )
        return _detail_response(request, pk)


class BulkInput(TransitionInput):
    action = serializers.ChoiceField(
        choices=[Action.DISPATCH, Action.ARCHIVE, Action.HOLD, Action.FORWARD_OUT]
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), min_length=1, max_length=200
    )


class RefusedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class BulkOutput(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    refused = RefusedOutput(many=True)


@extend_schema(
    tags=[TAG], summary="Tindakan untuk banyak aduan", request=BulkInput,
    responses={200: BulkOutput, 400: STAFF_WRITE_ERRORS[400], 401: STAFF_WRITE_ERRORS[401]},
    examples=[
        OpenApiExample(
            "Disposisi", value={"ids": [481, 482], "action": "dispatch", "opd": 6}, request_only=True
        ),
        OpenApiExample(
            "Hasil",
            value={"done": [481], "refused": [{
                "id": 482, "code": "transition_not_allowed",
                "message": "Tindakan ini tidak dapat dilakukan pada status aduan saat ini.",
            }]},
            response_only=True,
        ),
    ],
)  # fmt: skip
class BulkTransitionApi(APIView):
    """The same move (dispatch, archive, hold, forward_out) on many complaints, each in its own
    transaction: one refusal leaves the others done. Complaints you may not see are refused as
    not_found."""

    def post(self, request):
        data = BulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        wanted = list(dict.fromkeys(d["ids"]))
        visible = set(
            selectors.complaints_visible_to(request.user).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        result = complaints_bulk_transition(
            complaint_ids=[pk for pk in wanted if pk in visible],
            action=d["action"],
            actor=Actor.staff(request.user),
            note=d["note"],
            opd=_opd(d.get("opd")),
            reason=d["reason"],
            duplicate_of=_duplicate_of(request, d.get("duplicate_of")),
            institution=d["institution"],
        )
        refused = {pk: exc for pk, exc in result.refused}
        refused.update({pk: NotFound() for pk in wanted if pk not in visible})
        body = {
            "done": result.done,
            "refused": [
                {"id": pk, "code": refused[pk].code, "message": str(refused[pk].message)}
                for pk in wanted
                if pk in refused
            ],
        }
        return Response(BulkOutput(body).data)
