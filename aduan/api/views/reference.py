"""Reference data, public and read-only: Pemdas, their OPDs, kelurahan and categories, SLA policies and the
working-day calendar (holidays). No personal data lives here."""

from datetime import date

from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.areas import kelurahan_of
from aduan.agencies.models import Kelurahan, Opd, Pemda
from aduan.complaints.models import Category
from aduan.core.db_router import ReplicaListMixin
from aduan.core.validators import has_nul
from aduan.sla.models import HolidayOverride, SlaPolicy
from aduan.sla.public_holidays import national_holidays

from ..schema import ERRORS_404

TAG = "Referensi"


def _pemda(code: str) -> Pemda:
    """The Pemda of a path's code, else 404 (a code with NUL too: PostgreSQL cannot compare it)."""
    if has_nul(code):
        raise Http404
    return get_object_or_404(Pemda, code=code)


class PemdaOutput(serializers.ModelSerializer):
    province = serializers.CharField(source="province.name")
    province_code = serializers.CharField(source="province.code")
    reopen_window_days = serializers.IntegerField()  # declared: the model's range depends on the database

    class Meta:
        model = Pemda
        fields = ["id", "code", "name", "kind", "province", "province_code", "timezone", "reopen_window_days"]


PEMDA_EXAMPLE = OpenApiExample(
    "Balikpapan",
    value={
        "id": 1,
        "code": "BPN",
        "name": "Pemerintah Kota Balikpapan",
        "kind": "kota",
        "province": "Kalimantan Timur",
        "province_code": "KT",
        "timezone": "Asia/Makassar",
        "reopen_window_days": 30,
    },  # fmt: skip
    response_only=True,
)


@extend_schema(
    tags=[TAG],
    summary="Daftar pemda",
    examples=[PEMDA_EXAMPLE],
    responses={200: PemdaOutput(many=True), **ERRORS_404},
)
class PemdaListApi(ReplicaListMixin, generics.ListAPIView):
    """Every local government served here."""

    permission_classes = [AllowAny]
    serializer_class = PemdaOutput
    queryset = Pemda.objects.select_related("province").order_by("name", "pk")


@extend_schema(
    tags=[TAG], summary="Satu pemda", examples=[PEMDA_EXAMPLE], responses={200: PemdaOutput, **ERRORS_404}
)
class PemdaDetailApi(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = PemdaOutput
    queryset = Pemda.objects.select_related("province")
    lookup_field = "code"
    lookup_url_kwarg = "code"

    def get_object(self):
        if has_nul(self.kwargs["code"]):
            raise Http404
        return super().get_object()


class OpdOutput(serializers.ModelSerializer):
    pemda = serializers.CharField(source="pemda.code")

    class Meta:
        model = Opd
        fields = ["id", "pemda", "name", "short_name", "is_active"]


@extend_schema(
    tags=[TAG],
    summary="OPD sebuah pemda",
    responses={200: OpdOutput(many=True), **ERRORS_404},
    examples=[
        OpenApiExample(
            "DPU",
            value=[
                {
                    "id": 6,
                    "pemda": "BPN",
                    "name": "Dinas Pekerjaan Umum",
                    "short_name": "DPU",
                    "is_active": True,
                }
            ],
            response_only=True,
        )
    ],
)
class OpdListApi(ReplicaListMixin, generics.ListAPIView):
    """The agencies (OPD) of one Pemda, active ones first."""

    permission_classes = [AllowAny]
    serializer_class = OpdOutput
    queryset = Opd.objects.none()  # for the schema; get_queryset scopes by the Pemda

    def get_queryset(self):
        pemda = _pemda(self.kwargs["code"])
        return Opd.objects.filter(pemda=pemda).select_related("pemda").order_by("-is_active", "name", "pk")


class KelurahanOutput(serializers.ModelSerializer):
    kecamatan = serializers.CharField(source="kecamatan.name")
    kecamatan_id = serializers.IntegerField()

    class Meta:
        model = Kelurahan
        fields = ["id", "name", "kecamatan_id", "kecamatan"]


@extend_schema(
    tags=[TAG],
    summary="Kelurahan sebuah pemda",
    responses={200: KelurahanOutput(many=True), **ERRORS_404},
    examples=[
        OpenApiExample(
            "Balikpapan Selatan",
            value=[{"id": 14, "name": "Damai Baru", "kecamatan_id": 3, "kecamatan": "Balikpapan Selatan"}],
            response_only=True,
        )
    ],
)
class KelurahanListApi(generics.ListAPIView):
    """The Pemda's kelurahan with their kecamatan: the ``kelurahan`` a complaint may be filed in
    (``POST /complaints/``) and the staff lists' ``kelurahan`` / ``kecamatan`` filters."""

    permission_classes = [AllowAny]
    serializer_class = KelurahanOutput
    queryset = Kelurahan.objects.none()  # for the schema; get_queryset scopes by the Pemda

    def get_queryset(self):
        return kelurahan_of(_pemda(self.kwargs["code"]))


class CategoryOutput(serializers.ModelSerializer):
    pemda = serializers.CharField(source="pemda.code", allow_null=True, default=None)
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    default_opd = serializers.IntegerField(source="default_opd_id", allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "pemda", "parent", "name", "default_opd"]


@extend_schema(
    tags=[TAG],
    summary="Kategori aduan sebuah pemda",
    responses={200: CategoryOutput(many=True), **ERRORS_404},
    examples=[
        OpenApiExample(
            "Jalan rusak",
            value=[{"id": 12, "pemda": "BPN", "parent": 3, "name": "Jalan rusak", "default_opd": 6}],
            response_only=True,
        )
    ],
)
class CategoryListApi(ReplicaListMixin, generics.ListAPIView):
    """Active categories a citizen may choose for this Pemda (its own and the shared ones)."""

    permission_classes = [AllowAny]
    serializer_class = CategoryOutput
    queryset = Category.objects.none()  # for the schema; get_queryset scopes by the Pemda

    def get_queryset(self):
        pemda = _pemda(self.kwargs["code"])
        return (
            Category.objects.filter(Q(pemda=pemda) | Q(pemda__isnull=True), is_active=True)
            .select_related("pemda")
            .order_by("name", "pk")
        )


class SlaPolicyOutput(serializers.ModelSerializer):
    category = serializers.IntegerField(source="category_id", allow_null=True)
    amount = serializers.IntegerField()  # declared: the model's range depends on the database

    class Meta:
        model = SlaPolicy
        fields = ["id", "stage", "amount", "unit", "effective_from", "classification", "category", "note"]


@extend_schema(
    tags=[TAG],
    summary="Kebijakan tenggat (SLA)",
    responses={200: SlaPolicyOutput(many=True), **ERRORS_404},
    examples=[
        OpenApiExample(
            "Verifikasi 3 hari kerja",
            value=[
                {
                    "id": 1,
                    "stage": "verification",
                    "amount": 3,
                    "unit": "working",
                    "effective_from": "2020-01-01",
                    "classification": "",
                    "category": None,
                    "note": "SP4N-LAPOR!",
                }
            ],  # fmt: skip
            response_only=True,
        )
    ],
)
class SlaPolicyListApi(ReplicaListMixin, generics.ListAPIView):
    """Every version of every deadline policy (the latest version effective on a day applies)."""

    permission_classes = [AllowAny]
    serializer_class = SlaPolicyOutput
    queryset = SlaPolicy.objects.order_by("stage", "-effective_from", "pk")


class HolidayOutput(serializers.Serializer):
    date = serializers.DateField()
    is_holiday = serializers.BooleanField()
    name = serializers.CharField()
    source = serializers.ChoiceField(choices=["national", "override"])
    decree_number = serializers.CharField(allow_blank=True)


@extend_schema(
    tags=[TAG],
    summary="Hari libur sebuah pemda",
    parameters=[OpenApiParameter("year", int, description="Tahun (bawaan: tahun ini), 2000–2100.")],
    responses={200: HolidayOutput(many=True), **ERRORS_404},
    examples=[
        OpenApiExample(
            "Tahun Baru",
            value=[
                {
                    "date": "2026-01-01",
                    "is_holiday": True,
                    "name": "Tahun Baru Masehi",
                    "source": "national",
                    "decree_number": "",
                }
            ],
            response_only=True,
        )
    ],
)
class HolidayListApi(APIView):
    """The national holidays and cuti bersama of a year with the overrides that apply to this
    Pemda (a date made a holiday or a working day, with its decree). Overrides win."""

    permission_classes = [AllowAny]

    def get(self, request, code: str):
        pemda = _pemda(code)
        raw = request.query_params.get("year", "")
        year = int(raw) if raw.isdecimal() and 2000 <= int(raw) <= 2100 else timezone.localdate().year
        rows: dict[date, dict] = {
            day: {"date": day, "is_holiday": True, "name": name, "source": "national", "decree_number": ""}
            for day, name in national_holidays(year).items()
        }
        overrides = HolidayOverride.objects.filter(
            Q(pemda=pemda) | Q(pemda__isnull=True), date__year=year
        ).order_by(F("pemda_id").asc(nulls_first=True), "date")  # national first, the Pemda's own wins
        for o in overrides:
            rows[o.date] = {
                "date": o.date, "is_holiday": o.is_holiday, "name": o.reason, "source": "override",
                "decree_number": o.decree_number,
            }  # fmt: skip
        return Response(HolidayOutput([rows[d] for d in sorted(rows)], many=True).data)
