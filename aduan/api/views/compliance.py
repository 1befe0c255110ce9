"""Compliance, read-only: the complaint-handling metrics of the dashboard (per Pemda and per OPD,
for a year, month, quarter or custom span) and the Pemda's compliance score snapshots.

Access is ``aduan.compliance.selectors``' and nothing else: Ombudsman staff see the Pemdas of their
province, a koordinator their own Pemda (figures and every OPD row), kepala and petugas OPD only
their own OPD's row (no Pemda totals, no scores). A Pemda outside that scope answers 404, as if it
had no figures; a signed-in user with no compliance role at all gets 403. Figures come from
``metrics.metrics_for`` — the same numbers as the dashboard — and scores from the stored snapshots.
No figure here can name a reporter: they are aggregates.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.models import Pemda
from aduan.compliance import selectors
from aduan.compliance.channels import channel_figures
from aduan.compliance.metrics import BACKLOG_BUCKETS, metrics_for
from aduan.compliance.models import ComplianceScore
from aduan.compliance.periods import Period, PeriodInvalid
from aduan.core.db_router import replica_reads
from aduan.core.exceptions import InvalidInput, NotFound, PermissionDenied
from aduan.core.validators import has_nul

from ..schema import ERROR_400, STAFF_READ_ERRORS

TAG = "Kepatuhan"


# --- Output shapes -------------------------------------------------------------------------------


def _pct(**kwargs):
    return serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True, **kwargs)


class OpdFiguresOutput(serializers.Serializer):
    """An OPD's figures (``metrics.Figures``); what each one counts is in aduan/compliance/metrics.py."""

    received = serializers.IntegerField(help_text="Aduan yang didisposisikan ke OPD dalam periode.")
    follow_up_total = serializers.IntegerField(
        help_text="Tenggat tindak lanjut yang dipenuhi atau terlampaui."
    )
    followed_up = serializers.IntegerField()
    followed_up_on_time_pct = _pct(help_text="Tindak lanjut ≤ 5 hari kerja (%).")
    first_response_on_time_pct = _pct(
        help_text="Tanggapan pertama OPD (kabar perkembangan atau jawaban) ≤ 5 hari kerja (%)."
    )
    promise_total = serializers.IntegerField(help_text="Tanggal rencana OPD yang jatuh tempo atau dipenuhi.")
    promises_kept_pct = _pct(help_text="Janji tanggal rencana yang ditepati (%).")
    median_handled_days = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="Median hari kerja disposisi → selesai ditangani.",
    )
    resolved = serializers.IntegerField()
    resolved_on_time_pct = _pct(help_text="Selesai tepat target (%).")
    median_follow_up_days = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    p90_follow_up_days = serializers.IntegerField(allow_null=True)
    median_resolve_days = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    p90_resolve_days = serializers.IntegerField(allow_null=True)
    backlog_total = serializers.IntegerField(help_text="Aduan masih terbuka di akhir periode.")
    backlog = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Tunggakan per umur (hari kalender): " + ", ".join(b[0] for b in BACKLOG_BUCKETS) + ".",
    )
    reopen_rate_pct = _pct(help_text="Dibuka kembali ÷ selesai (%).")
    breaches_total = serializers.IntegerField()
    breaches = serializers.DictField(child=serializers.IntegerField(), help_text="Per tahap tenggat.")
    supporters = serializers.IntegerField()
    mean_rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    skm = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class PemdaFiguresOutput(OpdFiguresOutput):
    received = serializers.IntegerField(help_text="Aduan yang diajukan dalam periode.")
    verified_total = serializers.IntegerField()
    verified_on_time_pct = _pct(help_text="Verifikasi dan disposisi ≤ 3 hari kerja (%).")
    dispatched = serializers.IntegerField()


class OpdMetricsOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()
    figures = OpdFiguresOutput()


class ChannelFiguresOutput(serializers.Serializer):
    """A channel's figures (``compliance.channels.ChannelFigures``, the dashboard's *Per kanal*)."""

    channel = serializers.CharField(help_text="Kanal aduan: web, api, email, counter, phone, lapor, ...")
    label = serializers.CharField()
    received = serializers.IntegerField(help_text="Aduan dari kanal ini yang diterima dalam periode.")
    verified_total = serializers.IntegerField(help_text="Tenggat verifikasi yang dipenuhi atau terlampaui.")
    verified_on_time_pct = _pct(help_text="Verifikasi dan disposisi ≤ 3 hari kerja (%).")
    follow_up_total = serializers.IntegerField(
        help_text="Tenggat tindak lanjut yang dipenuhi atau terlampaui."
    )
    followed_up_on_time_pct = _pct(help_text="Tindak lanjut ≤ 5 hari kerja (%).")


class PemdaMetricsOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    figures = PemdaFiguresOutput(
        allow_null=True, help_text="null: Anda hanya melihat baris OPD Anda sendiri, bukan angka pemda."
    )
    channels = ChannelFiguresOutput(
        many=True,
        allow_null=True,
        help_text="Per kanal pengaduan, yang terbanyak dulu; null bila Anda hanya melihat baris OPD Anda.",
    )
    opds = OpdMetricsOutput(many=True)


class PeriodOutput(serializers.Serializer):
    key = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()


class MetricsOutput(serializers.Serializer):
    period = PeriodOutput()
    pemdas = PemdaMetricsOutput(many=True)


class DimensionOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, source="score_display")
    contribution = serializers.DecimalField(max_digits=5, decimal_places=2)
    entered = serializers.BooleanField(help_text="Nilai dimensi diisi langsung oleh Ombudsman.")


class ScoreOutput(serializers.Serializer):
    id = serializers.IntegerField()
    pemda = serializers.CharField(source="pemda.code")
    year = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=5, decimal_places=2)
    category = serializers.CharField(allow_blank=True)
    opinion = serializers.CharField(allow_blank=True)
    zone = serializers.CharField(allow_blank=True)
    dimensions = DimensionOutput(many=True, source="result.dimensions")
    methodology = serializers.CharField(source="methodology.code", help_text="Versi metodologi penilaian.")
    computed_at = serializers.DateTimeField()
    is_published = serializers.BooleanField(help_text="Ditetapkan sebagai hasil resmi.")
    published_at = serializers.DateTimeField(allow_null=True)
    is_current = serializers.BooleanField(
        help_text="Nilai yang berlaku untuk tahun itu (yang resmi bila ada, selain itu yang terbaru)."
    )


# --- Access --------------------------------------------------------------------------------------


def _has_compliance_role(user) -> bool:
    return selectors.pemdas_visible_to(user).exists() or selectors.opds_visible_to(user).exists()


def _scope(user, code: str | None) -> list[tuple[Pemda, bool, set[int] | None]]:
    """(Pemda, whole Pemda visible, OPD ids visible or None for all) for each Pemda asked for."""
    whole = {p.pk: p for p in selectors.pemdas_visible_to(user).order_by("name", "pk")}
    own_opds: dict[int, set[int]] = {}
    for opd in selectors.opds_visible_to(user):
        own_opds.setdefault(opd.pemda_id, set()).add(opd.pk)
    if not whole and not own_opds:
        raise PermissionDenied()
    partial = {
        p.pk: p for p in Pemda.objects.filter(pk__in=set(own_opds) - set(whole)).select_related("province")
    }
    pemdas = sorted([*whole.values(), *partial.values()], key=lambda p: (p.name, p.pk))
    if code:
        pemdas = [p for p in pemdas if p.code.upper() == code.upper()]
        if not pemdas:
            raise NotFound()
    return [(p, p.pk in whole, None if p.pk in whole else own_opds[p.pk]) for p in pemdas]


def _period(raw: str | None, pemda: Pemda) -> Period:
    if raw in (None, ""):
        return Period.year(timezone.localtime(timezone.now(), pemda.zoneinfo).year)
    try:
        return Period.read(raw)
    except PeriodInvalid as error:
        raise InvalidInput(error.message, code="period_invalid", field="period") from None


# --- Metrics -------------------------------------------------------------------------------------

FIGURES_EXAMPLE = {
    "received": 120, "follow_up_total": 100, "followed_up": 96, "followed_up_on_time_pct": "78.0",
    "resolved": 80, "resolved_on_time_pct": "85.0", "median_follow_up_days": "3.0", "p90_follow_up_days": 7,
    "median_resolve_days": "9.5", "p90_resolve_days": 18, "backlog_total": 14,
    "backlog": {"0_3": 4, "4_7": 3, "8_14": 3, "15_30": 2, "31_60": 1, "60_plus": 1},
    "reopen_rate_pct": "2.5", "breaches_total": 22, "breaches": {"follow_up": 22}, "supporters": 31,
    "mean_rating": "4.10", "skm": "81.25",
}  # fmt: skip


@extend_schema(
    tags=[TAG],
    summary="Angka penanganan aduan",
    parameters=[
        OpenApiParameter(
            "pemda", str, description="Kode pemda, mis. BPN (bawaan: semua yang boleh Anda lihat).",
        ),
        OpenApiParameter(
            "period", str,
            description="2026, 2026-11, 2026-Q2 atau 2026-01-01..2026-03-15 (bawaan: tahun ini).",
        ),
    ],
    responses={200: MetricsOutput, 400: ERROR_400, **STAFF_READ_ERRORS},
    examples=[
        OpenApiExample(
            "Satu pemda",
            value={
                "period": {"key": "2026-Q2", "first": "2026-04-01", "last": "2026-06-30"},
                "pemdas": [{
                    "code": "BPN", "name": "Pemerintah Kota Balikpapan",
                    "figures": {**FIGURES_EXAMPLE, "verified_total": 118, "verified_on_time_pct": "91.5",
                                "dispatched": 101},
                    "channels": [{"channel": "web", "label": "Situs web", "received": 90,
                                  "verified_total": 88, "verified_on_time_pct": "92.0", "follow_up_total": 70,
                                  "followed_up_on_time_pct": "80.0"}],
                    "opds": [{"id": 6, "name": "Dinas Pekerjaan Umum", "short_name": "DPU", "is_active": True,
                              "figures": FIGURES_EXAMPLE}],
                }],
            },
            response_only=True,
        )
    ],
)  # fmt: skip
class MetricsApi(APIView):
    """The dashboard's complaint-handling figures for a period, per Pemda and per OPD. Ombudsman:
    the Pemdas of your province; koordinator: your Pemda; kepala and petugas OPD: your own OPD's
    row only (the Pemda's ``figures`` and ``channels`` are then null). ``channels``: received,
    verified ≤ 3 HK % and followed up ≤ 5 HK % per intake channel (web, e-mail, loket, ...)."""

    def get(self, request):
        scope = _scope(request.user, request.query_params.get("pemda"))
        period = _period(request.query_params.get("period"), scope[0][0])
        with replica_reads(request):  # the dashboard's aggregates (and channels): the replica may serve them
            metrics = metrics_for(pemdas=[p for p, _w, _o in scope], period=period, now=timezone.now())
            body = {
                "period": {"key": period.key, "first": period.first, "last": period.last},
                "pemdas": [
                    {
                        "code": pemda.code,
                        "name": pemda.name,
                        "figures": metrics.by_pemda[pemda.pk] if whole else None,
                        "channels": channel_figures(pemda=pemda, period=period) if whole else None,
                        "opds": [
                            {
                                "id": o.pk,
                                "name": o.name,
                                "short_name": o.short_name,
                                "is_active": o.is_active,
                                "figures": metrics.by_opd[o.pk],
                            }  # fmt: skip
                            for o in metrics.opds_of(pemda)
                            if opd_ids is None or o.pk in opd_ids
                        ],
                    }
                    for pemda, whole, opd_ids in scope
                ],
            }
        return Response(MetricsOutput(body).data)


# --- Scores --------------------------------------------------------------------------------------

SCORE_EXAMPLE = {
    "id": 12, "pemda": "BPN", "year": 2025, "total": "84.37", "category": "B", "opinion": "Kualitas Tinggi",
    "zone": "hijau",
    "dimensions": [{"code": "input", "name": "Input", "weight": "21.85", "score": "90.00",
                    "contribution": "19.67", "entered": True}],
    "methodology": "2025", "computed_at": "2026-01-15T01:00:00Z", "is_published": True,
    "published_at": "2026-02-01T03:00:00Z", "is_current": True,
}  # fmt: skip


def _visible_pemda(request, code: str) -> Pemda:
    """A Pemda whose scores the user may see (ombudsman: province; koordinator: own), else 404."""
    if not _has_compliance_role(request.user):
        raise PermissionDenied()
    pemda = (
        None if has_nul(code) else selectors.pemdas_visible_to(request.user).filter(code__iexact=code).first()
    )
    if pemda is None:
        raise NotFound()
    return pemda


class _ScoreListApi(generics.ListAPIView):
    serializer_class = ScoreOutput
    queryset = ComplianceScore.objects.none()  # for the schema; get_queryset scopes by the Pemda

    def get_queryset(self):
        pemda = _visible_pemda(self.request, self.kwargs["code"])
        rows = ComplianceScore.objects.filter(pemda=pemda).defer("inputs", "definition")
        if "year" in self.kwargs:
            year = self.kwargs["year"]
            rows = rows.filter(year=year) if 2000 <= year <= 2100 else rows.none()
        self.current = {s.pk for s in selectors.latest_scores(pemdas=[pemda]).values()}
        return rows.select_related("pemda", "methodology").order_by("-year", "-computed_at", "-pk")

    def list(self, request, *args, **kwargs):
        with replica_reads(request):
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            for snapshot in page:
                snapshot.is_current = snapshot.pk in self.current
            return self.get_paginated_response(self.get_serializer(page, many=True).data)


SCORE_SCHEMA = {
    "tags": [TAG],
    "responses": {200: ScoreOutput(many=True), **STAFF_READ_ERRORS},
    "examples": [OpenApiExample("Resmi", value=SCORE_EXAMPLE, response_only=True)],
}


@extend_schema(summary="Nilai kepatuhan sebuah pemda", **SCORE_SCHEMA)
class ScoreListApi(_ScoreListApi):
    """Every compliance score snapshot of the Pemda, newest year first (each recomputation with
    changed inputs is a new snapshot; ``is_current`` marks the one that counts for its year).
    Ombudsman: Pemdas of your province; koordinator: your own Pemda."""


@extend_schema_view(
    get=extend_schema(
        summary="Nilai kepatuhan sebuah pemda untuk satu tahun",
        operation_id="pemdas_scores_year_list",
        **SCORE_SCHEMA,
    )
)
class ScoreYearListApi(_ScoreListApi):
    """The Pemda's snapshots of one assessment year, newest first."""
