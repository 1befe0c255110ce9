"""The compliance scoring engine: pure functions over a methodology definition and inputs.

No ORM and no clock here: ``score()`` takes a methodology *definition* (the JSON stored on a
``Methodology`` row) and ``ScoreInputs`` (what was entered, measured and evidenced) and returns
every dimension and indicator score, the total, category, opinion and zone. ``validate_definition``
is what refuses a methodology whose weights do not sum to 100 or whose bands leave a gap.

A definition looks like this (numbers as strings so no float ever touches a score)::

    {"scale_max": 3,
     "dimensions": [{"code": "input", "name": "Input", "weight": "21.85",
                     "variables": [{"code": "kompetensi", "name": "Kompetensi pelaksana",
                                    "indicators": [{"code": "in_1", "name": "...", "source": "entered"}]}]}],
     "bands": [{"min": "88.00", "max": "100.00", "category": "A", "opinion": "Kualitas Tertinggi",
                "zone": "hijau"}, ...],
     "zones": {"hijau": {"name": "Zona Hijau", "color": "#1d7a36"}, ...},
     "clean_opinion": {"suffix": "Tanpa Maladministrasi", "evidence": "tindak_lanjut_ombudsman"}}

Indicator sources: ``entered`` (Ombudsman staff enter 0..scale_max), ``metric`` (scored from a
complaint-handling metric by ``thresholds``: one point per threshold reached, ``direction``
``higher`` or ``lower`` is better; no value scores as missing, or scale_max when the indicator has
``"when_missing": "full"`` — nothing to judge, as with no Ombudsman action due in the year) and
``evidence`` (scale_max when the Pemda recorded that evidence item, dated within the assessment
year when ``within_year``; else 0). An entered indicator score always wins
over a computed one (it is how the Ombudsman's own finding is recorded).

A dimension's score is the weighted mean of its indicators as a share of scale_max, × 100; or, when
a dimension score was entered, that score. The total is Σ dimension score × weight / 100, rounded
half-up to two decimals; the band is the one whose [min, max] holds the rounded total.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SOURCES = ("entered", "metric", "evidence")
# What people read for an indicator's source (pages, reports, exports).
SOURCE_LABELS = {
    "entered": gettext_lazy("Diisi Ombudsman"),
    "metric": gettext_lazy("Dihitung dari data Aduan"),
    "evidence": gettext_lazy("Bukti dokumen"),
    "missing": gettext_lazy("Belum ada data"),
}

# Metrics the Pengaduan indicators may be scored from (names of ``metrics.Figures`` properties).
METRIC_LABELS = {
    "verified_on_time_pct": gettext_lazy("Verifikasi dan disposisi ≤ 3 hari kerja (%)"),
    "followed_up_on_time_pct": gettext_lazy("Tindak lanjut pertama ≤ 5 hari kerja (%)"),
    "resolved_on_time_pct": gettext_lazy("Selesai dalam target penyelesaian (%)"),
    "first_response_on_time_pct": gettext_lazy("Tanggapan pertama OPD ≤ 5 hari kerja (%)"),
    "promises_kept_pct": gettext_lazy("Janji tanggal rencana OPD yang ditepati (%)"),
    # Offered to a score only when its method uses it (figures.OPTIONAL_METRICS).
    "median_handled_days": gettext_lazy("Median hari kerja sampai selesai ditangani"),
    "reopen_rate_pct": gettext_lazy("Aduan dibuka kembali (%)"),
    "mean_rating": gettext_lazy("Rata-rata penilaian pelapor (1–5)"),
    "skm": gettext_lazy("Nilai SKM (25–100)"),
    "channels_count": gettext_lazy("Jumlah kanal pengaduan yang dipakai"),
    # compliance/ombudsman_followup.py: corrective actions of Ombudsman findings done on time.
    "ombudsman_actions_on_time_pct": gettext_lazy("Tindakan korektif temuan Ombudsman tepat waktu (%)"),
}

# Evidence kinds the Pemda records (EvidenceItem.kind) and methodologies refer to.
EVIDENCE_KINDS = (
    "sk_pengelola",
    "sop",
    "pelatihan",
    "kanal_publikasi",
    "laporan_berkala",
    "integrasi_lapor",
    "tindak_lanjut_ombudsman",
)


class DefinitionError(ValueError):
    """A methodology definition that cannot be scored; ``messages`` says why, in Indonesian."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def dec(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    return Decimal(str(value))


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


# --- Validation -------------------------------------------------------------------------------


def validate_definition(definition) -> None:
    """Raise DefinitionError unless ``definition`` can be scored: dimensions with unique codes and
    weights summing to exactly 100, indicators with known sources, and bands covering 0–100 with
    no gap or overlap (each band's min is the previous max + 0.01)."""
    errors: list[str] = []
    if not isinstance(definition, Mapping):
        raise DefinitionError([_("Definisi metodologi harus berupa objek JSON.")])
    try:
        scale_max = dec(definition.get("scale_max", 3))
    except (InvalidOperation, TypeError):
        scale_max = Decimal(0)
    if scale_max <= 0:
        errors.append(_("Skala indikator maksimum harus lebih dari 0."))
    dimensions = definition.get("dimensions") or []
    if not dimensions:
        errors.append(_("Metodologi harus memiliki paling sedikit satu dimensi."))
    codes: set[str] = set()
    total_weight = Decimal(0)
    zones = definition.get("zones") or {}
    for dim in dimensions:
        code = dim.get("code") or ""
        if not code or code in codes:
            errors.append(_("Kode dimensi kosong atau ganda: “%(code)s”.") % {"code": code})
        codes.add(code)
        try:
            weight = dec(dim.get("weight"))
        except (InvalidOperation, TypeError):
            errors.append(_("Bobot dimensi %(code)s bukan angka.") % {"code": code})
            continue
        if weight <= 0:
            errors.append(_("Bobot dimensi %(code)s harus lebih dari 0.") % {"code": code})
        total_weight += weight
        for var in dim.get("variables") or []:
            for ind in var.get("indicators") or []:
                icode = ind.get("code") or ""
                if not icode or icode in codes:
                    errors.append(_("Kode indikator kosong atau ganda: “%(code)s”.") % {"code": icode})
                codes.add(icode)
                source = ind.get("source", "entered")
                if source not in SOURCES:
                    errors.append(
                        _("Sumber indikator %(code)s tidak dikenal: %(source)s.")
                        % {"code": icode, "source": source}
                    )
                if source == "metric":
                    if ind.get("metric") not in METRIC_LABELS:
                        errors.append(
                            _("Indikator %(code)s memakai metrik yang tidak dikenal.") % {"code": icode}
                        )
                    if ind.get("when_missing", "") not in ("", "full"):
                        errors.append(
                            _("Indikator %(code)s: when_missing hanya boleh “full”.") % {"code": icode}
                        )
                    thresholds = ind.get("thresholds") or []
                    if len(thresholds) != int(scale_max):
                        errors.append(
                            _("Indikator %(code)s harus memiliki %(n)s ambang batas.")
                            % {"code": icode, "n": int(scale_max)}
                        )
                if source == "evidence" and ind.get("evidence") not in EVIDENCE_KINDS:
                    errors.append(
                        _("Indikator %(code)s memakai jenis bukti yang tidak dikenal.") % {"code": icode}
                    )
    if dimensions and total_weight != HUNDRED:
        errors.append(
            _("Jumlah bobot dimensi harus tepat 100, bukan %(total)s.")
            % {"total": f"{total_weight.normalize():f}"}
        )
    bands = definition.get("bands") or []
    if not bands:
        errors.append(_("Metodologi harus memiliki rentang nilai (kategori atau zona)."))
    try:
        ordered = sorted(bands, key=lambda b: dec(b["min"]))
        expected = Decimal(0)
        for band in ordered:
            low, high = dec(band["min"]), dec(band["max"])
            if low != expected or high < low:
                errors.append(
                    _("Rentang nilai harus bersambung tanpa celah: %(low)s–%(high)s.")
                    % {"low": band["min"], "high": band["max"]}
                )
            if band.get("zone") and band["zone"] not in zones:
                errors.append(_("Zona %(zone)s tidak didefinisikan.") % {"zone": band["zone"]})
            expected = high + CENT
        if ordered and dec(ordered[-1]["max"]) != HUNDRED:
            errors.append(_("Rentang nilai tertinggi harus berakhir di 100."))
    except (KeyError, InvalidOperation, TypeError):
        errors.append(_("Setiap rentang nilai harus memiliki min dan max berupa angka."))
    if errors:
        raise DefinitionError(errors)


# --- Inputs and results -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInputs:
    """Everything a score depends on besides the methodology.

    entries: entered indicator scores and dimension scores, by code (Ombudsman staff);
    metrics: metric values by name (None: no data) — computed, or entered for years before Aduan;
    evidence: evidence kind → dates of the items the Pemda recorded; year: the assessment year.
    """

    year: int
    entries: Mapping[str, Decimal] = field(default_factory=dict)
    metrics: Mapping[str, Decimal | None] = field(default_factory=dict)
    evidence: Mapping[str, tuple[date, ...]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "year": self.year,
            "entries": {k: str(v) for k, v in sorted(self.entries.items())},
            "metrics": {k: (None if v is None else str(v)) for k, v in sorted(self.metrics.items())},
            "evidence": {k: sorted(d.isoformat() for d in v) for k, v in sorted(self.evidence.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> "ScoreInputs":
        return cls(
            year=int(data["year"]),
            entries={k: dec(v) for k, v in data.get("entries", {}).items()},
            metrics={k: (None if v is None else dec(v)) for k, v in data.get("metrics", {}).items()},
            evidence={
                k: tuple(date.fromisoformat(d) for d in v) for k, v in data.get("evidence", {}).items()
            },
        )


@dataclass
class IndicatorScore:
    code: str
    name: str
    variable: str
    source: str  # entered | metric | evidence | missing
    score: Decimal | None  # 0..scale_max (None: no data, counts as 0)
    detail: str = ""
    metric: str = ""
    metric_value: Decimal | None = None
    thresholds: list[str] = field(default_factory=list)

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, self.source))


@dataclass
class DimensionScore:
    code: str
    name: str
    weight: Decimal
    score: Decimal  # 0–100, unrounded
    entered: bool  # the dimension score itself was entered
    indicators: list[IndicatorScore]

    @property
    def contribution(self) -> Decimal:
        """Points this dimension adds to the total (unrounded)."""
        return self.score * self.weight / HUNDRED

    @property
    def score_display(self) -> Decimal:
        return q2(self.score)

    @property
    def contribution_display(self) -> Decimal:
        return q2(self.contribution)


@dataclass
class ScoreResult:
    year: int
    total: Decimal  # rounded to 2 decimals
    category: str
    opinion: str
    zone: str
    zone_name: str
    zone_color: str
    dimensions: list[DimensionScore]
    next_band_gap: Decimal | None  # points to the next better band (None: already top)
    next_band_label: str
    missing: list[str]

    def dimension(self, code: str) -> DimensionScore | None:
        return next((d for d in self.dimensions if d.code == code), None)

    def to_json(self) -> dict:
        def conv(value):
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, list):
                return [conv(v) for v in value]
            if isinstance(value, dict):
                return {k: conv(v) for k, v in value.items()}
            return value

        data = conv(asdict(self))
        for dim, raw in zip(data["dimensions"], self.dimensions, strict=True):
            dim["score_display"] = str(raw.score_display)
            dim["contribution"] = str(raw.contribution_display)
        return data


def indicator_points(*, value: Decimal | None, thresholds, direction: str = "higher") -> Decimal | None:
    """One point per threshold reached (``higher``: value ≥ t; ``lower``: value ≤ t)."""
    if value is None:
        return None
    reached = 0
    for t in thresholds:
        t = dec(t)
        if (value >= t) if direction != "lower" else (value <= t):
            reached += 1
    return Decimal(reached)


def _indicator(ind: Mapping, variable: str, inputs: ScoreInputs, scale_max: Decimal) -> IndicatorScore:
    code, source = ind["code"], ind.get("source", "entered")
    out = IndicatorScore(code=code, name=ind.get("name", code), variable=variable, source=source, score=None)
    if source == "metric":
        out.metric = ind["metric"]
        out.metric_value = inputs.metrics.get(out.metric)
        out.thresholds = [str(t) for t in ind.get("thresholds", [])]
    if code in inputs.entries:
        out.source, out.score = "entered", min(max(inputs.entries[code], Decimal(0)), scale_max)
        return out
    if source == "metric":
        out.score = indicator_points(
            value=out.metric_value, thresholds=ind["thresholds"], direction=ind.get("direction", "higher")
        )
        if out.score is None and ind.get("when_missing") == "full":
            out.score, out.detail = scale_max, _("tidak ada yang perlu dinilai tahun ini")
        elif out.score is None:
            out.source, out.detail = "missing", _("belum ada data")
    elif source == "evidence":
        dates = inputs.evidence.get(ind["evidence"], ())
        if ind.get("within_year"):
            dates = tuple(d for d in dates if d.year == inputs.year)
        else:
            dates = tuple(d for d in dates if d.year <= inputs.year)
        out.score = scale_max if dates else Decimal(0)
        out.detail = max(dates).isoformat() if dates else _("belum ada bukti")
    else:
        out.source, out.detail = "missing", _("belum diisi")
    return out


def _band_for(definition: Mapping, total: Decimal) -> tuple[dict, dict | None]:
    bands = sorted(definition["bands"], key=lambda b: dec(b["min"]))
    for i, band in enumerate(bands):
        if dec(band["min"]) <= total <= dec(band["max"]):
            better = bands[i + 1] if i + 1 < len(bands) else None
            return band, better
    return bands[0], None


def _band_label(band: Mapping, definition: Mapping) -> str:
    if band.get("category"):
        return band["category"]
    zone = (definition.get("zones") or {}).get(band.get("zone"), {})
    return zone.get("name", band.get("zone", ""))


def score(definition: Mapping, inputs: ScoreInputs) -> ScoreResult:
    """Score ``inputs`` under ``definition`` (which must pass ``validate_definition``)."""
    scale_max = dec(definition.get("scale_max", 3))
    dimensions, missing = [], []
    for dim in definition["dimensions"]:
        indicators = [
            _indicator(ind, var.get("name", var.get("code", "")), inputs, scale_max)
            for var in dim.get("variables") or []
            for ind in var.get("indicators") or []
        ]
        weights = {
            ind["code"]: dec(ind.get("weight", 1))
            for var in dim.get("variables") or []
            for ind in var.get("indicators") or []
        }
        entered = dim["code"] in inputs.entries
        if entered:
            value = min(max(inputs.entries[dim["code"]], Decimal(0)), HUNDRED)
        elif indicators:
            total_weight = sum(weights.values(), Decimal(0))
            points = sum((weights[i.code] * (i.score or 0) for i in indicators), Decimal(0))
            value = points / (total_weight * scale_max) * HUNDRED
            missing += [i.code for i in indicators if i.source == "missing"]
        else:
            value = Decimal(0)
            missing.append(dim["code"])
        dimensions.append(
            DimensionScore(
                code=dim["code"],
                name=dim.get("name", dim["code"]),
                weight=dec(dim["weight"]),
                score=value,
                entered=entered,
                indicators=indicators,
            )
        )
    total = q2(sum((d.contribution for d in dimensions), Decimal(0)))
    band, better = _band_for(definition, total)
    zone = (definition.get("zones") or {}).get(band.get("zone"), {})
    opinion = band.get("opinion", "")
    clean = definition.get("clean_opinion")
    if clean and any(d.year == inputs.year for d in inputs.evidence.get(clean["evidence"], ())):
        opinion = f"{opinion} {clean['suffix']}".strip()
    return ScoreResult(
        year=inputs.year,
        total=total,
        category=band.get("category", ""),
        opinion=opinion,
        zone=band.get("zone", ""),
        zone_name=zone.get("name", ""),
        zone_color=zone.get("color", "#666666"),
        dimensions=dimensions,
        next_band_gap=(dec(better["min"]) - total) if better else None,
        next_band_label=_band_label(better, definition) if better else "",
        missing=missing,
    )


# --- Explanations -----------------------------------------------------------------------------


@dataclass
class Movement:
    """How much one dimension or indicator moved the total from one year to the next (points)."""

    code: str
    name: str
    points: Decimal  # unrounded; the rows of one decomposition sum exactly to the total's change
    before: Decimal | None  # the dimension/indicator score last year (0–100 scale), if comparable
    after: Decimal
    children: list["Movement"] = field(default_factory=list)

    @property
    def points_display(self) -> Decimal:
        return q2(self.points)


@dataclass
class Decomposition:
    before_year: int
    after_year: int
    before_total: Decimal
    after_total: Decimal
    same_method: bool
    rows: list[Movement]
    rounding: Decimal  # rounded totals' change minus the sum of rounded rows

    @property
    def change(self) -> Decimal:
        return self.after_total - self.before_total


def _indicator_percent(ind: IndicatorScore, scale_max: Decimal) -> Decimal:
    return (ind.score or Decimal(0)) / scale_max * HUNDRED


def decompose(
    *, before_definition: Mapping, before: ScoreResult, after_definition: Mapping, after: ScoreResult
) -> Decomposition:
    """Year-over-year decomposition of the change in total into dimensions and indicators.

    Same methodology both years: each row is the change of its contribution (weight × score / 100).
    Methodology changed (e.g. 2021 → 2022, one dimension → four): each dimension of the new year is
    measured against last year's total — weight × (score − last total) / 100 — so a new dimension
    that scores below last year's total shows how much it pulled the total down. Either way the rows
    sum exactly to the change of the unrounded totals.
    """
    same = [d["code"] for d in before_definition["dimensions"]] == [
        d["code"] for d in after_definition["dimensions"]
    ] and all(
        dec(a["weight"]) == dec(b["weight"])
        for a, b in zip(before_definition["dimensions"], after_definition["dimensions"], strict=True)
    )
    scale_before = dec(before_definition.get("scale_max", 3))
    scale_after = dec(after_definition.get("scale_max", 3))
    before_total = sum((d.contribution for d in before.dimensions), Decimal(0))
    rows = []
    for dim in after.dimensions:
        old = before.dimension(dim.code)
        children = []
        n = len(dim.indicators)
        if same and old is not None:
            points = dim.contribution - old.contribution
            if not dim.entered and not old.entered and n:
                old_by_code = {i.code: i for i in old.indicators}
                for ind in dim.indicators:
                    prev = old_by_code.get(ind.code)
                    prev_pct = _indicator_percent(prev, scale_before) if prev else Decimal(0)
                    now_pct = _indicator_percent(ind, scale_after)
                    children.append(
                        Movement(
                            code=ind.code,
                            name=ind.name,
                            points=dim.weight / HUNDRED * (now_pct - prev_pct) / n,
                            before=prev_pct if prev else None,
                            after=now_pct,
                        )
                    )
        else:
            points = dim.weight * (dim.score - before_total) / HUNDRED
            if not dim.entered and n:
                for ind in dim.indicators:
                    now_pct = _indicator_percent(ind, scale_after)
                    children.append(
                        Movement(
                            code=ind.code,
                            name=ind.name,
                            points=dim.weight / HUNDRED * (now_pct - before_total) / n,
                            before=None,
                            after=now_pct,
                        )
                    )
        rows.append(
            Movement(
                code=dim.code,
                name=dim.name,
                points=points,
                before=old.score if old is not None else None,
                after=dim.score,
                children=children,
            )
        )
    rounding = (after.total - before.total) - sum((r.points_display for r in rows), Decimal(0))
    return Decomposition(
        before_year=before.year,
        after_year=after.year,
        before_total=before.total,
        after_total=after.total,
        same_method=same,
        rows=rows,
        rounding=rounding,
    )


def what_if(
    definition: Mapping,
    inputs: ScoreInputs,
    *,
    metrics: Mapping[str, Decimal] | None = None,
    entries: Mapping[str, Decimal] | None = None,
) -> ScoreResult:
    """Score the same inputs with some metric values or entries changed (an estimate only)."""
    changed = replace(
        inputs,
        metrics={**inputs.metrics, **(metrics or {})},
        entries={**inputs.entries, **(entries or {})},
    )
    # A what-if on a metric must move the indicator even where its score had been entered.
    if metrics:
        metric_codes = {
            ind["code"]
            for dim in definition["dimensions"]
            for var in dim.get("variables") or []
            for ind in var.get("indicators") or []
            if ind.get("source") == "metric" and ind.get("metric") in metrics
        }
        changed = replace(
            changed, entries={k: v for k, v in changed.entries.items() if k not in metric_codes}
        )
    return score(definition, changed)
