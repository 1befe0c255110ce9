"""Every write of the compliance app, and the reads that assemble a score's inputs.

- ``methodology_for_year(year)``: the method that applies to an assessment year.
- ``assessment_entry_record(...)``: Ombudsman staff enter an indicator score, a dimension score or a
  reported metric value (append-only, who and when kept).
- ``evidence_record(...)``: the koordinator records a Pengaduan evidence item (file + date).
- ``score_inputs(...)``: what a score of a Pemda and year depends on right now.
- ``score_compute(...)``: make a snapshot — or return the latest one when nothing changed
  (idempotent; the Pemda row is locked so concurrent runs do not both create one).
- ``score_publish(...)``: mark a snapshot as the official result (once).
"""

import hashlib
import json
import logging
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Pemda
from aduan.core.exceptions import InvalidInput, NotFound

from .figures import OPTIONAL_METRICS
from .metrics import Period, metrics_for
from .models import AssessmentEntry, ComplianceScore, EntryKind, EvidenceItem, Methodology
from .ombudsman_followup import METRIC as FOLLOWUP_METRIC
from .ombudsman_followup import ombudsman_followup
from .scoring import HUNDRED, METRIC_LABELS, ScoreInputs, dec, indicator_points, q2, score

logger = logging.getLogger(__name__)


class NoMethodology(NotFound):
    code = "methodology_missing"
    default_message = _("Belum ada metodologi penilaian untuk tahun ini.")


def methodology_for_year(year: int) -> Methodology:
    """The method with the latest ``year_from`` not after ``year`` that still covers it."""
    for m in Methodology.objects.filter(year_from__lte=year).order_by("-year_from"):
        if m.covers(year):
            return m
        break
    raise NoMethodology(year=year)


def _codes(definition) -> tuple[set[str], set[str]]:
    dims = {d["code"] for d in definition["dimensions"]}
    indicators = {
        i["code"]
        for d in definition["dimensions"]
        for v in d.get("variables") or []
        for i in v.get("indicators") or []
    }
    return dims, indicators


def assessment_entry_record(
    *,
    pemda: Pemda,
    year: int,
    kind: str,
    code: str,
    value: Decimal | None,
    user,
    note: str = "",
    now: datetime | None = None,
) -> AssessmentEntry:
    """Record one entered value (None clears it). Refused with InvalidInput, changing nothing, when
    the code is not part of the year's method or the value is outside its scale."""
    methodology = methodology_for_year(year)
    definition = methodology.definition
    dims, indicators = _codes(definition)
    scale_max = dec(definition.get("scale_max", 3))
    if kind == EntryKind.INDICATOR:
        known, low, high = indicators, Decimal(0), scale_max
    elif kind == EntryKind.DIMENSION:
        known, low, high = dims, Decimal(0), HUNDRED
    elif kind == EntryKind.METRIC:
        known, low, high = set(METRIC_LABELS), Decimal(0), HUNDRED
    else:
        raise InvalidInput(_("Jenis isian tidak dikenal."), code="entry_kind_invalid", field="kind")
    if code not in known:
        raise InvalidInput(
            _("Kode %(code)s tidak ada dalam metodologi %(name)s.")
            % {"code": code, "name": methodology.name},
            code="entry_code_unknown",
            field="code",
        )
    if value is not None and not low <= value <= high:
        raise InvalidInput(
            _("Nilai harus antara %(low)s dan %(high)s.") % {"low": low, "high": f"{high.normalize():f}"},
            code="entry_value_out_of_range",
            field="value",
        )
    return AssessmentEntry.objects.create(
        pemda=pemda,
        year=year,
        kind=kind,
        code=code,
        value=value,
        note=note,
        entered_by=user,
        entered_at=now or timezone.now(),
    )


def evidence_record(
    *, pemda: Pemda, kind: str, title: str, document_date: date, file, user, now: datetime | None = None
) -> EvidenceItem:
    """Record a Pengaduan evidence item of ``pemda`` with its document. Evidence rows are
    append-only (no quarantine state can be updated later), so the document is scanned by the
    upload scanner hook before anything is stored: infected or unscannable → refused, nothing kept."""
    now = now or timezone.now()
    if document_date > timezone.localtime(now, pemda.zoneinfo).date():
        raise InvalidInput(
            _("Tanggal dokumen tidak boleh di masa depan."),
            code="evidence_date_future",
            field="document_date",
        )
    _evidence_scan(file)
    item = EvidenceItem(
        pemda=pemda,
        kind=kind,
        title=title,
        document_date=document_date,
        original_name=(getattr(file, "name", "") or "bukti")[:255],
        recorded_by=user,
        recorded_at=now,
    )
    item.file.save("bukti", file, save=False)
    item.save()
    return item


def _evidence_scan(file) -> None:
    from aduan.core import scanning

    file.seek(0)
    result = scanning.get_scanner().scan(file.read())
    file.seek(0)
    if result.status == scanning.INFECTED:
        logger.warning("evidence upload refused: %s", result.detail)
        raise InvalidInput(
            _("Berkas ditolak: pemindai menemukan virus."), code="evidence_infected", field="file"
        )
    if result.status != scanning.CLEAN:
        raise InvalidInput(
            _("Berkas belum dapat diperiksa pemindai virus; coba lagi beberapa menit lagi."),
            code="evidence_scan_failed",
            field="file",
        )


def current_entries(*, pemda: Pemda, year: int) -> dict[tuple[str, str], AssessmentEntry]:
    """The entry that counts per (kind, code): the latest; cleared ones are left out."""
    latest: dict[tuple[str, str], AssessmentEntry] = {}
    for entry in AssessmentEntry.objects.filter(pemda=pemda, year=year).select_related("entered_by"):
        latest[(entry.kind, entry.code)] = entry
    return {k: e for k, e in latest.items() if e.value is not None}


def metrics_used(definition) -> set[str]:
    """The metrics a method's indicators are scored from."""
    return {
        i["metric"]
        for d in definition["dimensions"]
        for v in d.get("variables") or []
        for i in v.get("indicators") or []
        if i.get("source") == "metric"
    }


def score_inputs(*, pemda: Pemda, year: int, now: datetime, definition=None) -> tuple[ScoreInputs, dict]:
    """The inputs of ``pemda``'s score for ``year``: entries, the year's metrics (a reported value
    entered by the Ombudsman replaces the computed one), evidence dated up to the year's end; and
    per OPD its metrics (for the OPDs' Pengaduan performance). The optional metrics
    (``figures.OPTIONAL_METRICS``) are included when ``definition`` (default: the year's method)
    uses them."""
    if definition is None:
        try:
            definition = methodology_for_year(year).definition
        except NoMethodology:
            definition = {"dimensions": []}
    optional = sorted(metrics_used(definition) & set(OPTIONAL_METRICS))
    entries = current_entries(pemda=pemda, year=year)
    m = metrics_for(pemdas=[pemda], period=Period.year(year), now=now)
    metrics = m.by_pemda[pemda.pk].scoring_metrics(optional)
    followup = ombudsman_followup(pemda=pemda, year=year, now=now).on_time_pct
    if followup is not None:  # only when there is something to judge (older snapshots keep their hash)
        metrics[FOLLOWUP_METRIC] = followup
    for (kind, code), entry in entries.items():
        if kind == EntryKind.METRIC:
            metrics[code] = entry.value
    evidence: dict[str, list[date]] = {}
    for kind, day in EvidenceItem.objects.filter(
        pemda=pemda, document_date__lte=date(year, 12, 31)
    ).values_list("kind", "document_date"):
        evidence.setdefault(kind, []).append(day)
    inputs = ScoreInputs(
        year=year,
        entries={code: e.value for (kind, code), e in entries.items() if kind != EntryKind.METRIC},
        metrics=metrics,
        evidence={k: tuple(sorted(v)) for k, v in evidence.items()},
    )
    opds = {
        str(o.pk): {
            "name": o.name,
            "short_name": o.short_name,
            "metrics": {
                k: (None if v is None else str(v))
                for k, v in m.by_opd[o.pk].scoring_metrics(optional).items()
            },
        }
        for o in m.opds
    }
    return inputs, opds


def _opd_results(definition, opds: dict) -> dict:
    """Each OPD's share of the Pengaduan performance indicators (metric-based), 0–100."""
    scale_max = dec(definition.get("scale_max", 3))
    metric_indicators = [
        i
        for d in definition["dimensions"]
        for v in d.get("variables") or []
        for i in v.get("indicators") or []
        if i.get("source") == "metric"
    ]
    out = {}
    for opd_id, data in opds.items():
        points, counted = Decimal(0), 0
        for ind in metric_indicators:
            raw = data["metrics"].get(ind["metric"])
            if raw is None:
                continue
            got = indicator_points(
                value=dec(raw), thresholds=ind["thresholds"], direction=ind.get("direction", "higher")
            )
            points += got
            counted += 1
        out[opd_id] = {
            **data,
            "performance": str(q2(points / (counted * scale_max) * HUNDRED)) if counted else None,
            "indicators_counted": counted,
        }
    return out


def _hash(methodology: Methodology, inputs: ScoreInputs, opds: dict) -> str:
    payload = {
        "methodology": methodology.pk,
        "definition": methodology.definition,
        "inputs": inputs.to_json(),
        "opds": opds,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def score_compute(
    *, pemda_id: int, year: int, user=None, now: datetime | None = None
) -> tuple[ComplianceScore, bool]:
    """Snapshot the score of a Pemda for a year; (snapshot, created). When the inputs and method
    are those of the latest snapshot, that one is returned and nothing is written. A published
    snapshot is never changed: changed inputs always make a new one."""
    now = now or timezone.now()
    with transaction.atomic():
        pemda = Pemda.objects.select_for_update().get(pk=pemda_id)
        methodology = methodology_for_year(year)
        inputs, opds = score_inputs(pemda=pemda, year=year, now=now, definition=methodology.definition)
        digest = _hash(methodology, inputs, opds)
        latest = (
            ComplianceScore.objects.filter(pemda=pemda, year=year).order_by("-computed_at", "-pk").first()
        )
        if latest is not None and latest.input_hash == digest:
            return latest, False
        result = score(methodology.definition, inputs)
        data = result.to_json()
        data["opds"] = _opd_results(methodology.definition, opds)
        snapshot = ComplianceScore.objects.create(
            pemda=pemda,
            year=year,
            methodology=methodology,
            definition=methodology.definition,
            inputs={**inputs.to_json(), "opds": opds},
            result=data,
            input_hash=digest,
            total=result.total,
            category=result.category,
            opinion=result.opinion,
            zone=result.zone,
            computed_at=now,
            computed_by=user,
        )
    return snapshot, True


def score_reproduce(snapshot: ComplianceScore):
    """Score a snapshot's stored inputs under its stored definition again (the explanation)."""
    return score(snapshot.definition, ScoreInputs.from_json(snapshot.inputs))


def score_publish(*, snapshot_id: int, user, now: datetime | None = None) -> ComplianceScore:
    """Mark a snapshot as the official result. Publishing twice changes nothing."""
    ComplianceScore.objects.filter(pk=snapshot_id, published_at__isnull=True).update(
        published_at=now or timezone.now(), published_by=user
    )
    return ComplianceScore.objects.get(pk=snapshot_id)
