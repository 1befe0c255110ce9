"""An OPD's canned responses (jawaban siap pakai) for its own staff: list, read, add and edit,
as on the staff page /staf/jawaban/. The OPD's petugas and kepala keep them; every list and object
is scoped to the OPDs where the user holds one of those roles (anyone else: 403 on the list, 404
on another OPD's response). Writes go through ``services.canned_response_save``, which checks the
role again."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.models import Opd
from aduan.agencies.selectors import staff_roles
from aduan.complaints.models import CannedResponse
from aduan.complaints.selectors import Actor
from aduan.complaints.services import canned_response_save
from aduan.complaints.workflow import NOTE_MAX_LENGTH
from aduan.core.db_router import ReplicaListMixin
from aduan.core.exceptions import NotFound, PermissionDenied

from ..schema import STAFF_READ_ERRORS, STAFF_WRITE_ERRORS

TAG = "Petugas"


def my_opd_ids(user) -> set[int]:
    """OPDs where ``user`` is an active petugas or kepala: the ones whose responses they keep."""
    return set(staff_roles(user).opd_ids)


def _opd_ids_or_403(user) -> set[int]:
    opd_ids = my_opd_ids(user)
    if not opd_ids:
        raise PermissionDenied(code="not_opd_staff")
    return opd_ids


def _canned_for(request, pk: int) -> CannedResponse:
    canned = (
        CannedResponse.objects.filter(pk=pk, opd_id__in=_opd_ids_or_403(request.user))
        .select_related("opd")
        .first()
    )
    if canned is None:
        raise NotFound()
    return canned


class CannedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    opd = serializers.IntegerField(source="opd_id")
    title = serializers.CharField()
    body = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CannedInput(serializers.Serializer):
    opd = serializers.IntegerField(min_value=1, max_value=2**62, help_text="Salah satu OPD Anda.")
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=NOTE_MAX_LENGTH)
    is_active = serializers.BooleanField(default=True)


class CannedEditInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=NOTE_MAX_LENGTH)
    is_active = serializers.BooleanField(default=True)


EXAMPLE = {
    "id": 4, "opd": 6, "title": "Jalan sudah ditambal",
    "body": "Terima kasih. Lubang di lokasi yang Anda laporkan sudah ditambal oleh tim kami.",
    "is_active": True, "created_at": "2026-06-01T01:00:00Z", "updated_at": "2026-06-01T01:00:00Z",
}  # fmt: skip


@extend_schema(
    tags=[TAG],
    summary="Jawaban siap pakai",
    parameters=[OpenApiParameter("opd", int, description="Hanya OPD ini (salah satu OPD Anda).")],
    responses={200: CannedOutput(many=True), **STAFF_READ_ERRORS},
    examples=[OpenApiExample("Satu", value=EXAMPLE, response_only=True)],
)
class CannedListApi(ReplicaListMixin, generics.ListAPIView):
    """The canned responses of your OPDs (active and inactive), by OPD and title."""

    serializer_class = CannedOutput
    filter_backends: list = []
    queryset = CannedResponse.objects.none()  # for the schema; get_queryset scopes by the user's OPDs

    def get_queryset(self):
        rows = CannedResponse.objects.filter(opd_id__in=_opd_ids_or_403(self.request.user))
        raw = self.request.query_params.get("opd", "")
        if raw:
            rows = rows.filter(opd_id=int(raw)) if raw.isdecimal() and len(raw) <= 18 else rows.none()
        return rows.order_by("opd_id", "title", "pk")

    @extend_schema(
        tags=[TAG],
        summary="Tambah jawaban siap pakai",
        request=CannedInput,
        responses={201: CannedOutput, **STAFF_WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "Baru",
                value={"opd": 6, "title": EXAMPLE["title"], "body": EXAMPLE["body"]},
                request_only=True,
            ),
            OpenApiExample("Tersimpan", value=EXAMPLE, response_only=True),
        ],
    )
    def post(self, request):
        opd_ids = _opd_ids_or_403(request.user)
        data = CannedInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        opd = Opd.objects.filter(pk=d["opd"], pk__in=opd_ids).first()
        if opd is None:
            raise NotFound()  # not one of the user's OPDs
        canned = canned_response_save(
            actor=Actor.staff(request.user),
            opd=opd,
            title=d["title"],
            body=d["body"],
            is_active=d["is_active"],
        )
        return Response(CannedOutput(canned).data, status=status.HTTP_201_CREATED)


class CannedDetailApi(APIView):
    """One canned response of your OPDs: read it, replace it (PUT) or change some fields (PATCH)."""

    @extend_schema(
        tags=[TAG],
        summary="Satu jawaban siap pakai",
        responses={200: CannedOutput, **STAFF_READ_ERRORS},
        examples=[OpenApiExample("Satu", value=EXAMPLE, response_only=True)],
    )
    def get(self, request, pk: int):
        return Response(CannedOutput(_canned_for(request, pk)).data)

    def _save(self, request, pk: int, *, partial: bool) -> Response:
        canned = _canned_for(request, pk)
        data = CannedEditInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = {"title": canned.title, "body": canned.body, "is_active": canned.is_active}
        values.update(data.validated_data)
        saved = canned_response_save(actor=Actor.staff(request.user), opd=canned.opd, pk=canned.pk, **values)
        return Response(CannedOutput(saved).data)

    @extend_schema(
        tags=[TAG],
        summary="Ganti jawaban siap pakai",
        request=CannedEditInput,
        responses={200: CannedOutput, **STAFF_WRITE_ERRORS},
        examples=[
            OpenApiExample("Ganti", value={"title": "Jalan sudah ditambal", "body": "…"}, request_only=True)
        ],
    )
    def put(self, request, pk: int):
        return self._save(request, pk, partial=False)

    @extend_schema(
        tags=[TAG],
        summary="Ubah sebagian jawaban siap pakai",
        request=CannedEditInput,
        responses={200: CannedOutput, **STAFF_WRITE_ERRORS},
        examples=[OpenApiExample("Nonaktifkan", value={"is_active": False}, request_only=True)],
    )
    def patch(self, request, pk: int):
        return self._save(request, pk, partial=True)
