"""Breach-forecast backtest (issue 20 point 6): ``python bench/run.py forecast``.

At cut-off dates in the past (every ``step_days`` back from now), take the follow-up and
resolution clocks that were running and not yet late at the cut-off and whose outcome is known
now; predict each with histograms built only from the rollup cells dated before the cut-off
(aduan.compliance.forecast: clocks that finished, or breached, before it), then compare with what
happened (``breached_at`` set or not). Prints the Brier score (mean of (p − outcome)²; lower is
better) of

- the forecast (the OPD's histogram for the complaint's category, shrunk towards the OPD's, shrunk
  towards the Pemda's, conditioned on elapsed working days), and the same without the category;
- the naive baseline: the overall breach rate of the stage before the cut-off, every Pemda;
- the stage-wide histogram conditioned on elapsed time alone (no OPD, no Pemda, no category): the
  forecast's gain over it is what the OPD and the category add (the generator makes first
  follow-ups depend on both since 2026-12-07);

and the ratio forecast / baseline. Approximations: a clock's due time is read as stored now (a
pause after the cut-off would have moved it); a resolution clock's OPD is the one holding the
complaint now.
"""

from datetime import timedelta
from types import SimpleNamespace

from common import django_setup, report


def _brier(pairs) -> float | None:
    return round(sum((p - y) ** 2 for p, y in pairs) / len(pairs), 5) if pairs else None


def run(*, cutoffs: int = 12, step_days: int = 30) -> dict:
    django_setup()
    from django.db.models import Q
    from django.utils import timezone

    from aduan.agencies.models import Pemda
    from aduan.compliance.forecast import (
        FORECAST_STAGES,
        breach_probability,
        clock_days,
        histograms_for,
    )
    from aduan.sla.models import Deadline
    from aduan.sla.services import calendar_for

    now = timezone.now()
    pemdas = {p.pk: p for p in Pemda.objects.all()}
    calendars = {pk: calendar_for(p, around=now) for pk, p in pemdas.items()}
    forecast, opd_only, baseline, elapsed_only = [], [], [], []
    per_stage: dict = {}
    fields = ("stage", "opd_id", "started_at", "due_at", "paused_working_days", "breached_at")
    fields += ("complaint__pemda_id", "complaint__current_opd_id", "complaint__category_id")
    for i in range(1, cutoffs + 1):
        cut = now - timedelta(days=step_days * i)
        hists = histograms_for(list(pemdas), today=cut.date())
        running = (
            Deadline.objects.filter(stage__in=FORECAST_STAGES, started_at__lt=cut, due_at__gt=cut)
            .filter(Q(met_at__isnull=True) | Q(met_at__gt=cut))
            .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=cut))
            .filter(Q(breached_at__isnull=True) | Q(breached_at__gt=cut))
            # the outcome is known: the clock stopped, breached, or its due time has passed
            .filter(
                Q(met_at__isnull=False)
                | Q(cancelled_at__isnull=False)
                | Q(breached_at__isnull=False)
                | Q(due_at__lte=now)
            )
            .values_list(*fields)
        )
        for row in running.iterator():
            stage, opd_id, started, due, paused, breached, pemda_id, current_opd, category = row
            d = SimpleNamespace(started_at=started, due_at=due, paused_working_days=paused)
            elapsed, allowance = clock_days(d, cut, calendars[pemda_id])
            outcome = 1.0 if breached is not None else 0.0
            local, parent = hists.pair(pemda_id, opd_id or current_opd, stage, category, allowance)
            p = breach_probability(elapsed=elapsed, allowance=allowance, local=local, parent=parent)
            opd_local, opd_parent = hists.pair(pemda_id, opd_id or current_opd, stage)
            p_opd = breach_probability(
                elapsed=elapsed, allowance=allowance, local=opd_local, parent=opd_parent
            )
            everyone = hists.by_stage.get(stage)
            size = everyone.total(allowance) if everyone else 0
            p0 = everyone.tail(allowance, allowance) / size if size else 0.5
            pe = breach_probability(
                elapsed=elapsed, allowance=allowance, local=everyone or local, parent=None
            )
            forecast.append((p, outcome))
            opd_only.append((p_opd, outcome))
            baseline.append((p0, outcome))
            elapsed_only.append((pe, outcome))
            s = per_stage.setdefault(stage, {"f": [], "b": [], "o": [], "e": []})
            s["f"].append((p, outcome))
            s["o"].append((p_opd, outcome))
            s["e"].append((pe, outcome))
            s["b"].append((p0, outcome))
    figures = {
        "cutoffs": cutoffs,
        "step_days": step_days,
        "clocks": len(forecast),
        "breached": int(sum(y for _, y in forecast)),
        "brier_forecast": _brier(forecast),
        "brier_baseline": _brier(baseline),
        "brier_elapsed_only": _brier(elapsed_only),
        "brier_without_category": _brier(opd_only),
    }
    if forecast and figures["brier_baseline"]:
        figures["ratio_forecast_to_baseline"] = round(
            figures["brier_forecast"] / figures["brier_baseline"], 3
        )
    for stage, s in sorted(per_stage.items()):
        figures[f"{stage}_clocks"] = len(s["f"])
        figures[f"{stage}_brier_forecast"] = _brier(s["f"])
        figures[f"{stage}_brier_baseline"] = _brier(s["b"])
        figures[f"{stage}_brier_without_category"] = _brier(s["o"])
        figures[f"{stage}_brier_elapsed_only"] = _brier(s["e"])
    return report(figures, title="breach forecast backtest")


if __name__ == "__main__":
    run()
