"""The staff side of the API around a complaint's handling: internal notes, who of the holding
OPD works on it (assignment) and the Ombudsman's "dipantau" flag (the list, one complaint and its
timeline: complaints.py; the moves: moves.py).
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.complaints import selectors
from aduan.complaints.models import ActorRole
from aduan.complaints.selectors import Actor
from aduan.complaints.services import (
    complaint_assign,
    complaint_flag,
    complaint_note_add,
    complaint_unflag,
    officers_of,
)
from aduan.complaints.workflow import NOTE_MAX_LENGTH
from aduan.core.exceptions import PermissionDenied

from ...schema import STAFF_READ_ERRORS, STAFF_WRITE_ERRORS
from .complaints import TAG, ComplaintDetailOutput, _detail_response, _visible

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
