"""The citizen's side of the API after filing: follow a complaint with the tracking secret only —
read it, add files, complete, reply, accept, reject, re-open, rate and answer the SKM survey.
Filing, the public list and the "+1" are in ``citizen_filing``.

Writes go through ``attachment_add``, ``complaint_transition`` and the rating services; reads
through ``selectors.complaint_by_secret``.
Nothing here returns the reporter's identity or a staff member's name.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.complaints import selectors
from aduan.complaints.attachments import (
    attachment_add,
    attachment_is_servable,
    validate_upload,
)
from aduan.complaints.citizen_view import (
    CITIZEN_MOVES,
    CITIZEN_STAGES,
    REJECT_PREFIX,
    STATUS_SENTENCES,
    citizen_moves,
    public_events,
)
from aduan.complaints.models import (
    SKM_ELEMENTS,
    ComplaintRating,
    ScanStatus,
    SkmResponse,
    Status,
)
from aduan.complaints.selectors import Actor
from aduan.complaints.services import (
    complaint_rate,
    complaint_skm_submit,
)
from aduan.complaints.workflow import NOTE_MAX_LENGTH, complaint_transition
from aduan.core.exceptions import InvalidInput, NotFound
from aduan.core.validators import has_nul
from aduan.sla.display import due_text
from aduan.sla.models import Deadline
from aduan.sla.services import calendar_for

from ..schema import ERRORS_404, PUBLIC_WRITE_ERRORS
from ..throttling import TrackPostThrottle, TrackThrottle

TAG = "Pelapor"

REJECT_REASON_REQUIRED = _("Tuliskan alasan Anda menolak jawaban.")


# --- Track ---------------------------------------------------------------------------------------


class CitizenEventOutput(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    status = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class CitizenClockOutput(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    due_at = serializers.DateTimeField()
    due_label = serializers.CharField(help_text="The due moment as people read it, in the Pemda's zone.")
    is_paused = serializers.BooleanField()


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    scan_status = serializers.ChoiceField(
        choices=ScanStatus.choices,
        help_text="Pemindaian virus: berkas hanya dapat diunduh bila clean (pending/error: sedang diperiksa; "
        "infected: diblokir dan dihapus).",
    )
    download_url = serializers.CharField(allow_null=True, help_text="null sampai berkas dinyatakan bersih.")


def _citizen_download_url(secret: str, a) -> str | None:
    if not attachment_is_servable(a):
        return None
    return reverse("complaints:citizen-attachment", args=[secret, a.pk])


class RatingOutput(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField(allow_blank=True)


class TrackOutput(serializers.Serializer):
    ticket_number = serializers.CharField()
    pemda = serializers.CharField()
    title = serializers.CharField()
    classification = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    opd = serializers.CharField(allow_null=True, help_text="OPD yang menangani (bila sudah didisposisikan).")
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    status_sentence = serializers.CharField()
    is_anonymous = serializers.BooleanField()
    is_confidential = serializers.BooleanField()
    submitted_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    forwarded_to = serializers.CharField(allow_blank=True)
    actions = serializers.ListField(
        child=serializers.CharField(),
        help_text="Tindakan yang dapat Anda lakukan sekarang: complete, reply, reject, accept, reopen.",
    )
    events = CitizenEventOutput(many=True)
    clocks = CitizenClockOutput(many=True)
    attachments = AttachmentOutput(many=True)
    rating = RatingOutput(allow_null=True)
    skm_answered = serializers.BooleanField()


def _citizen_events(complaint) -> list[dict]:
    return [vars(seen) for _event, seen in public_events(complaint)]


def track_body(complaint, secret: str) -> dict:
    """What the reporter sees of their complaint: no staff names, no internal notes or files."""
    actions = citizen_moves(complaint, secret)
    open_clocks = list(
        Deadline.objects.open()
        .filter(complaint=complaint, stage__in=list(CITIZEN_STAGES))
        .order_by("due_at", "pk")
    )
    cal = calendar_for(complaint.pemda, around=timezone.now()) if open_clocks else None
    clocks = [
        {
            "stage": d.stage,
            "label": str(CITIZEN_STAGES[d.stage]),
            "due_at": d.due_at,
            "due_label": due_text(d.due_at, cal, long=True),
            "is_paused": d.paused_at is not None,
        }
        for d in open_clocks
    ]
    attachments = [
        {
            "id": a.pk,
            "name": a.original_name,
            "content_type": a.content_type,
            "size": a.size,
            "created_at": a.created_at,
            "scan_status": a.scan_status,
            "download_url": _citizen_download_url(secret, a),
        }  # fmt: skip
        for a in complaint.attachments.filter(is_internal=False).order_by("created_at", "pk")
    ]
    rating = ComplaintRating.objects.filter(complaint=complaint).first()
    return {
        "ticket_number": complaint.ticket_number,
        "pemda": complaint.pemda.code,
        "title": complaint.title,
        "classification": complaint.classification,
        "category": complaint.category.name if complaint.category_id else None,
        "opd": str(complaint.current_opd) if complaint.current_opd_id else None,
        "status": complaint.status,
        "status_label": str(complaint.get_status_display()),
        "status_sentence": str(STATUS_SENTENCES.get(complaint.status, "")),
        "is_anonymous": complaint.is_anonymous,
        "is_confidential": complaint.is_confidential,
        "submitted_at": complaint.submitted_at,
        "closed_at": complaint.closed_at,
        "forwarded_to": complaint.forwarded_to,
        "actions": actions,
        "events": _citizen_events(complaint),
        "clocks": clocks,
        "attachments": attachments,
        "rating": {"score": rating.score, "comment": rating.comment} if rating else None,
        "skm_answered": SkmResponse.objects.filter(complaint=complaint).exists(),
    }


def _tracked(secret: str):
    if has_nul(secret):
        raise NotFound()
    return selectors.complaint_by_secret(secret)


def _tracked_response(secret: str, code=status.HTTP_200_OK) -> Response:
    complaint = _tracked(secret)  # read again: the move changed it
    return Response(TrackOutput(track_body(complaint, secret)).data, status=code)


SECRET_PARAM = OpenApiParameter("secret", str, OpenApiParameter.PATH, description="Kode pelacakan rahasia.")


@extend_schema(
    tags=[TAG],
    summary="Lacak aduan",
    parameters=[SECRET_PARAM],
    responses={200: TrackOutput, **ERRORS_404},
    examples=[
        OpenApiExample(
            "Ditindaklanjuti",
            value={
                "ticket_number": "BPN-2026-000481",
                "pemda": "BPN",
                "title": "Jalan berlubang di Jl. Sudirman",
                "classification": "pengaduan",
                "category": "Jalan rusak",
                "opd": "DPU",
                "status": "followed_up",
                "status_label": "Ditindaklanjuti",
                "status_sentence": "OPD sudah menjawab aduan Anda. …",
                "is_anonymous": True,
                "is_confidential": False,
                "submitted_at": "2026-06-08T01:00:00Z",
                "closed_at": None,
                "forwarded_to": "",
                "actions": ["reply", "reject", "accept"],
                "events": [
                    {
                        "action": "follow_up",
                        "label": "Jawaban OPD",
                        "status": "followed_up",
                        "note": "Lubang sudah ditambal.",
                        "created_at": "2026-06-10T02:00:00Z",
                    }
                ],
                "clocks": [],
                "attachments": [],
                "rating": None,
                "skm_answered": False,
            },  # fmt: skip
            response_only=True,
        )
    ],
)
class TrackApi(APIView):
    """The complaint behind a tracking secret, as its reporter sees it: status, public timeline,
    running clocks, files and the moves open to the reporter now."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackThrottle]

    def get(self, request, secret: str):
        return _tracked_response(secret)


# --- The reporter's moves --------------------------------------------------------------------


class MoveInput(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class _MoveApi(APIView):
    """One move of the reporter through ``complaint_transition``."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackPostThrottle]
    move = ""

    def post(self, request, secret: str):
        complaint = _tracked(secret)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data["note"]
        if self.move == "reject":
            if not note.strip():
                raise InvalidInput(REJECT_REASON_REQUIRED, code="reason_required", field="note")
            note = REJECT_PREFIX + note.strip()
        complaint_transition(
            complaint_id=complaint.pk, action=CITIZEN_MOVES[self.move], actor=Actor.citizen(secret), note=note
        )
        return _tracked_response(secret)


def _move_schema(move: str, summary: str, note_example: str | None):
    examples = [OpenApiExample(move, value={"note": note_example} if note_example else {}, request_only=True)]
    return extend_schema(
        tags=[TAG],
        summary=summary,
        parameters=[SECRET_PARAM],
        request=MoveInput,
        responses={200: TrackOutput, **PUBLIC_WRITE_ERRORS},
        examples=examples,
    )


@_move_schema("complete", "Lengkapi aduan yang ditunda", "Lokasinya di depan kantor pos Jl. Sudirman No. 5.")
class CompleteApi(_MoveApi):
    """Send the details the koordinator asked for; the complaint is verified again (note required)."""

    move = "complete"


@_move_schema("reply", "Tanggapi jawaban OPD", "Lubang di sisi kiri jalan belum ditambal.")
class ReplyApi(_MoveApi):
    """Answer the OPD's follow-up; the complaint goes back to the OPD with a new clock (note required)."""

    move = "reply"


@_move_schema("reject", "Tolak jawaban OPD", "Jawaban tidak sesuai dengan masalah saya.")
class RejectApi(_MoveApi):
    """Turn the OPD's answer down with a reason; the complaint goes back to the OPD."""

    move = "reject"


@_move_schema("accept", "Terima jawaban OPD", None)
class AcceptApi(_MoveApi):
    """Accept the OPD's answer: the complaint is resolved."""

    move = "accept"


@_move_schema("reopen", "Buka kembali aduan", "Jalan berlubang lagi setelah hujan.")
class ReopenApi(_MoveApi):
    """Re-open a resolved complaint within the Pemda's window (note required)."""

    move = "reopen"


# --- Rating and SKM ------------------------------------------------------------------------------


class RatingInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


@extend_schema(
    tags=[TAG],
    summary="Nilai penanganan",
    parameters=[SECRET_PARAM],
    request=RatingInput,
    responses={201: TrackOutput, **PUBLIC_WRITE_ERRORS},
    examples=[OpenApiExample("Puas", value={"score": 4, "comment": "Cepat ditangani."}, request_only=True)],
)
class RateApi(APIView):
    """Rate the handling 1–5 with a comment, once, after the complaint is resolved."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackPostThrottle]

    def post(self, request, secret: str):
        complaint = _tracked(secret)
        data = RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint_rate(complaint_id=complaint.pk, actor=Actor.citizen(secret), **data.validated_data)
        return _tracked_response(secret, status.HTTP_201_CREATED)


SkmInput = type(
    "SkmInput",
    (serializers.Serializer,),
    {
        name: serializers.IntegerField(min_value=1, max_value=4, help_text=str(label))
        for name, label in SKM_ELEMENTS
    },
)


@extend_schema(
    tags=[TAG],
    summary="Isi Survei Kepuasan Masyarakat",
    parameters=[SECRET_PARAM],
    request=SkmInput,
    responses={201: TrackOutput, **PUBLIC_WRITE_ERRORS},
    examples=[OpenApiExample("Baik", value={n: 3 for n, _l in SKM_ELEMENTS}, request_only=True)],
)
class SkmApi(APIView):
    """The SKM survey (PermenPANRB 14/2017): nine elements, 1–4 each, once, after resolution."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackPostThrottle]

    def post(self, request, secret: str):
        complaint = _tracked(secret)
        data = SkmInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint_skm_submit(
            complaint_id=complaint.pk, actor=Actor.citizen(secret), answers=dict(data.validated_data)
        )
        return _tracked_response(secret, status.HTTP_201_CREATED)


# --- Files ---------------------------------------------------------------------------------------


class UploadInput(serializers.Serializer):
    file = serializers.FileField()


@extend_schema(
    tags=[TAG],
    summary="Tambah lampiran",
    parameters=[SECRET_PARAM],
    request={"multipart/form-data": UploadInput},
    responses={201: AttachmentOutput, **PUBLIC_WRITE_ERRORS},
    examples=[
        OpenApiExample(
            "Foto",
            value={
                "id": 91,
                "name": "lubang.jpg",
                "content_type": "image/jpeg",
                "size": 183044,
                "created_at": "2026-06-08T01:05:00Z",
                "scan_status": "pending",
                "download_url": None,
            },
            response_only=True,
        )
    ],  # fmt: skip
)
class AttachmentAddApi(APIView):
    """Add a photo or document (JPEG, PNG, WebP, PDF; at most five per complaint) while the
    complaint is open. Images are re-encoded without their metadata."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackPostThrottle]

    def post(self, request, secret: str):
        complaint = _tracked(secret)
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        clean = validate_upload(data.validated_data["file"])
        a = attachment_add(complaint=complaint, upload=clean)
        a.refresh_from_db(fields=["scan_status", "purged_at"])  # scanned already when tasks run eagerly
        body = {
            "id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size,
            "created_at": a.created_at, "scan_status": a.scan_status,
            "download_url": _citizen_download_url(secret, a),
        }  # fmt: skip
        return Response(AttachmentOutput(body).data, status=status.HTTP_201_CREATED)
