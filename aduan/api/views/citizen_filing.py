"""The citizen's side of the API before tracking: file a complaint (anonymous allowed, throttled),
the public list of complaints and the "+1". Following a complaint with its tracking secret is in
``citizen``.

Writes go through ``complaint_submit``, ``attachment_add`` and ``complaint_support``; reads through
``selectors.complaints_public``. Nothing here returns the reporter's identity.
"""

import re

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.models import Kelurahan, Opd, Pemda
from aduan.complaints import selectors
from aduan.complaints.attachments import MAX_FILES, attachment_add, validate_uploads
from aduan.complaints.models import Category, Channel, Classification, Status
from aduan.complaints.services import ReporterData, complaint_submit, complaint_support
from aduan.core.db_router import ReplicaListMixin
from aduan.core.throttle import client_key, limit_hit
from aduan.core.validators import TITLE_MIN_LENGTH, TITLE_TOO_SHORT_API, has_nul

from ..schema import ERRORS_404, PUBLIC_WRITE_ERRORS
from ..throttling import FileThrottle, SupportThrottle
from .citizen import TAG

PEMDA_CODE_RE = re.compile(r"^[A-Za-z0-9]{2,10}$")


# --- File ----------------------------------------------------------------------------------------


class PemdaCodeField(serializers.SlugRelatedField):
    """A Pemda by its code; a code with NUL is invalid (PostgreSQL cannot compare it: a 500)."""

    def to_internal_value(self, data):
        if has_nul(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class FileInput(serializers.Serializer):
    pemda = PemdaCodeField(slug_field="code", queryset=Pemda.objects.all())
    title = serializers.CharField(
        min_length=TITLE_MIN_LENGTH,
        max_length=200,
        error_messages={"min_length": TITLE_TOO_SHORT_API},
    )
    chronology = serializers.CharField(max_length=10000)
    classification = serializers.ChoiceField(choices=Classification.choices, default=Classification.PENGADUAN)
    incident_date = serializers.DateField(required=False, allow_null=True)
    location_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    kelurahan = serializers.PrimaryKeyRelatedField(
        queryset=Kelurahan.objects.select_related("kecamatan"),
        required=False,
        allow_null=True,
        help_text="Id dari GET /pemdas/{code}/areas/ (kecamatan mengikuti kelurahan).",
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    target_opd = serializers.PrimaryKeyRelatedField(
        queryset=Opd.objects.all(), required=False, allow_null=True
    )
    is_anonymous = serializers.BooleanField(default=False)
    is_confidential = serializers.BooleanField(default=False)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    nik = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=["id", "en"], default="id")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_FILES, default=list
    )


class FiledOutput(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    tracking_secret = serializers.CharField(
        help_text="Simpan baik-baik: satu-satunya kunci untuk mengikuti aduan."
    )
    tracking_url = serializers.CharField(help_text="Halaman pelacakan di portal.")
    api_url = serializers.CharField(help_text="Alamat aduan ini di API (GET).")
    status = serializers.CharField()


FILE_EXAMPLE = OpenApiExample(
    "Aduan anonim",
    value={
        "pemda": "BPN",
        "title": "Jalan berlubang di Jl. Sudirman",
        "chronology": "Lubang besar di depan kantor pos sejak dua minggu, membahayakan pengendara.",
        "category": 12,
        "latitude": "-1.267000",
        "longitude": "116.831000",
        "is_anonymous": True,
    },  # fmt: skip
    request_only=True,
)
FILED_EXAMPLE = OpenApiExample(
    "Tercatat",
    value={
        "id": 481,
        "ticket_number": "BPN-2026-000481",
        "tracking_secret": "q3V…",
        "tracking_url": "http://127.0.0.1:8000/lacak/q3V…/",
        "api_url": "/api/v1/track/q3V…/",
        "status": "submitted",
    },  # fmt: skip
    response_only=True,
)


@extend_schema(
    tags=[TAG],
    summary="Ajukan aduan",
    request={"application/json": FileInput, "multipart/form-data": FileInput},
    responses={201: FiledOutput, **PUBLIC_WRITE_ERRORS},
    examples=[FILE_EXAMPLE, FILED_EXAMPLE],
)
class ComplaintFileApi(APIView):
    """File a complaint, signed in or not (anonymous allowed). Files (JPEG, PNG, WebP, PDF, at most
    five) may come along as multipart ``attachments``. Answers the ticket number and the tracking
    secret, the only key to follow the complaint. Ten filed complaints per client and hour (sixty
    posts, refused ones included)."""

    permission_classes = [AllowAny]
    throttle_classes = [FileThrottle]

    def post(self, request):
        data = FileInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        uploads = validate_uploads(d["attachments"])
        if wait := limit_hit("filed", client_key(request)):  # only complaints filed count here
            raise Throttled(wait)
        with transaction.atomic():
            complaint = complaint_submit(
                pemda=d["pemda"],
                title=d["title"],
                chronology=d["chronology"],
                reporter=ReporterData(
                    name=d["name"], email=d["email"], phone=d["phone"], nik=d["nik"], language=d["language"]
                ),
                classification=d["classification"],
                incident_date=d.get("incident_date"),
                location_text=d["location_text"],
                latitude=d.get("latitude"),
                longitude=d.get("longitude"),
                kelurahan=d.get("kelurahan"),
                category=d.get("category"),
                target_opd=d.get("target_opd"),
                is_anonymous=d["is_anonymous"],
                is_confidential=d["is_confidential"],
                reporter_user=request.user,
                channel=Channel.API,
            )
            for clean in uploads:
                attachment_add(complaint=complaint, upload=clean)
        secret = complaint.tracking_secret
        body = {
            "id": complaint.pk,
            "ticket_number": complaint.ticket_number,
            "tracking_secret": secret,
            "tracking_url": request.build_absolute_uri(reverse("complaints:track", args=[secret])),
            "api_url": reverse("api:track", args=[secret]),
            "status": complaint.status,
        }
        return Response(FiledOutput(body).data, status=status.HTTP_201_CREATED)


# --- Public list and support -----------------------------------------------------------------


class PublicComplaintOutput(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    pemda = serializers.CharField(source="pemda.code")
    title = serializers.CharField()
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    opd = serializers.CharField(source="current_opd.name", allow_null=True, default=None)
    status = serializers.ChoiceField(choices=Status.choices)
    submitted_at = serializers.DateTimeField()
    supporters_count = serializers.IntegerField()


@extend_schema(
    tags=[TAG],
    summary="Daftar aduan publik",
    responses={200: PublicComplaintOutput(many=True), **ERRORS_404},
    parameters=[
        OpenApiParameter("pemda", str, description="Kode pemda, mis. BPN."),
        OpenApiParameter("status", str, enum=Status.values),
        OpenApiParameter("opd", int),
        OpenApiParameter("category", int),
    ],
    examples=[
        OpenApiExample(
            "Satu aduan",
            value={
                "id": 481,
                "ticket_number": "BPN-2026-000481",
                "pemda": "BPN",
                "title": "Jalan berlubang",
                "category": "Jalan rusak",
                "opd": "Dinas Pekerjaan Umum",
                "status": "dispatched",
                "submitted_at": "2026-06-08T01:00:00Z",
                "supporters_count": 3,
            },
            response_only=True,
        )
    ],  # fmt: skip
)
class PublicComplaintListApi(ReplicaListMixin, generics.ListAPIView):
    """Complaints that are not rahasia, newest first, without any personal data or chronology.
    Filters that do not fit are ignored, as on the portal's public list."""

    permission_classes = [AllowAny]
    serializer_class = PublicComplaintOutput
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        code = params.get("pemda", "")
        pemda = Pemda.objects.filter(code=code.upper()).first() if PEMDA_CODE_RE.match(code) else None
        queryset = selectors.complaints_public(pemda=pemda)
        if code and pemda is None:
            queryset = queryset.none()
        if (value := params.get("status", "")) in Status.values:
            queryset = queryset.filter(status=value)
        for param, column in (("opd", "current_opd_id"), ("category", "category_id")):
            raw = params.get(param, "")
            if raw.isdecimal() and len(raw) <= 18:  # isdigit() also takes "¹", which int() refuses
                queryset = queryset.filter(**{column: int(raw)})
        return (
            queryset.select_related("pemda", "category", "current_opd")
            .only(
                "pk",
                "ticket_number",
                "pemda__code",
                "title",
                "category__name",
                "current_opd__name",
                "status",
                "submitted_at",
                "supporters_count",
            )  # fmt: skip
            .order_by("-submitted_at", "-pk")
        )


class SupportOutput(serializers.Serializer):
    counted = serializers.BooleanField(help_text="false: dukungan Anda sudah tercatat sebelumnya.")


@extend_schema(
    tags=[TAG],
    summary="Dukung aduan (+1)",
    request=None,
    responses={200: SupportOutput, **PUBLIC_WRITE_ERRORS},
    examples=[OpenApiExample("Tercatat", value={"counted": True}, response_only=True)],
)
class SupportApi(APIView):
    """A "+1" on an open, public complaint instead of filing the same problem again; counted once
    per client."""

    permission_classes = [AllowAny]
    throttle_classes = [SupportThrottle]

    def post(self, request, pk: int):
        counted = complaint_support(complaint_id=pk, supporter_key=f"api:{client_key(request)}")
        return Response(SupportOutput({"counted": counted}).data)
