"""The staff side of the API, the moves: every workflow move as ``POST .../transitions/``,
follow-ups with files, evidence files, merging duplicates and bulk moves (the list, one complaint
and its timeline: complaints.py; notes, assignment and flags: notes.py).

Every complaint is reached through ``selectors.complaint_get_for`` (404 when the user may not see
it); writes go through ``complaint_transition`` and the staff services, which check the role again
under a row lock.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.models import Opd
from aduan.complaints import selectors
from aduan.complaints.attachment_names import attachment_display_name
from aduan.complaints.attachments import MAX_FILES, attachment_add, validate_upload, validate_uploads
from aduan.complaints.models import ActorRole, ArchiveReason
from aduan.complaints.selectors import Actor
from aduan.complaints.services import complaint_merge, complaints_bulk_transition
from aduan.complaints.workflow import NOTE_MAX_LENGTH, TRANSITIONS, Action, complaint_transition
from aduan.core.exceptions import InvalidInput, NotFound, PermissionDenied

from ...schema import STAFF_WRITE_ERRORS
from .complaints import TAG, ComplaintDetailOutput, StaffAttachmentOutput, _detail_response, _visible

# Who may add evidence files to a complaint: as on the staff page, the koordinator and the
# holding OPD's petugas (the same roles that write internal notes).
UPLOAD_ROLES = frozenset({ActorRole.KOORDINATOR, ActorRole.PETUGAS_OPD})
STAFF_ACTIONS = [a for a in TRANSITIONS if a != Action.AUTO_RESOLVE]


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
    planned_date = serializers.DateField(
        required=False, allow_null=True, help_text="schedule: the date the OPD promises the work done by."
    )


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
        OpenApiExample(
            "Dijadwalkan",
            value={"action": "schedule", "note": "Penambalan dijadwalkan.", "planned_date": "2026-06-09"},
            request_only=True,
        ),
    ],
)
class TransitionApi(APIView):
    """Apply one move of the state machine (README: moves): dispatch (opd), hold (note), complete
    (note), archive (reason, duplicate_of for duplicates), forward_out (institution), redispatch
    (opd), request_redispatch (note), follow_up (note: "selesai ditangani"), reopen (note), the
    OPD's progress acknowledge / start_work (note), schedule (note, planned_date) and
    cannot_handle (note: the reason, for the koordinator). The role is checked for
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
            planned_date=d.get("planned_date"),
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
            complaint_transition(
                complaint_id=complaint.pk,
                action=Action.FOLLOW_UP,
                actor=Actor.staff(request.user),
                note=data.validated_data["note"],
                uploads=tuple(uploads),
            )
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


# --- Merging and bulk moves ----------------------------------------------------------------------


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
