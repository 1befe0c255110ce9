"""What every compliance page shares: access (``staff_view``), the period asked for, the
columns of the tables, sorting and the drill-down links to the staff complaint list."""

import re
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan.core.exceptions import PermissionDenied

from .. import selectors
from ..metrics import metrics_cached
from ..models import ComplianceScore
from ..periods import Period, PeriodInvalid

LOGIN_URL = "complaints:staff-login"
HEAT_MONTHS = 6  # the heat map shows the last six months (the charts twelve): readable on a phone
OPEN_STATUSES = ("submitted", "on_hold", "dispatched", "followed_up")


def staff_view(view):
    """Signed-in users only; domain PermissionDenied becomes 403; a ``periode`` that is not a period
    answers 400 with the period form and the reason."""

    @login_required(login_url=LOGIN_URL)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            raise DjangoPermissionDenied() from None
        except PeriodInvalid as error:
            context = {"period_error": error.message, "period_text": request.GET.get("periode", "")}
            return render(request, "compliance/period_invalid.html", context, status=400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- Helpers ----------------------------------------------------------------------------------


def _now():
    return timezone.now()


def _period(request, zone) -> Period:
    """The ``periode`` asked for (``PeriodInvalid`` if it is not one), else the current local year."""
    text = request.GET.get("periode", "").strip()
    return Period.read(text) if text else Period.year(timezone.localtime(_now(), zone).year)


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*\Z")  # what urlencode leaves as it is


def drill(**params) -> str:
    """The staff complaint list filtered by ``params`` (lists repeat the parameter): the query
    ``urlencode`` makes, without quoting what needs none (ids, dates, statuses: a dashboard draws
    about two hundred of these links)."""
    query = []
    for key, value in params.items():
        if value in (None, "", []):
            continue
        for v in value if isinstance(value, list | tuple) else [value]:
            text = str(v)
            plain = _PLAIN.match(text) and _PLAIN.match(key)
            query.append(f"{key}={text}" if plain else urlencode([(key, text)]))
    return f"{_staff_list_url()}?{'&'.join(query)}"


_STAFF_LIST: dict[str, str] = {}


def _staff_list_url() -> str:
    """``reverse('complaints:staff-list')``, kept per script prefix (a dashboard asks for it in
    every drill link: about a hundred per page)."""
    prefix = get_script_prefix()
    url = _STAFF_LIST.get(prefix)
    if url is None:
        url = _STAFF_LIST[prefix] = reverse("complaints:staff-list")
    return url


def _span(period: Period) -> dict:
    return {"submitted_from": period.first.isoformat(), "submitted_to": period.last.isoformat()}


COLUMNS = [
    # (key, label, attribute on Figures, number format)
    ("received", "Diterima", "received"),
    ("verified", "Verifikasi ≤ 3 HK (%)", "verified_on_time_pct"),
    ("dispatched", "Didisposisikan", "dispatched"),
    ("followed_up", "Ditindaklanjuti", "followed_up"),
    ("follow_up_pct", "Tindak lanjut ≤ 5 HK (%)", "followed_up_on_time_pct"),
    ("resolved", "Selesai", "resolved"),
    ("resolved_pct", "Selesai tepat target (%)", "resolved_on_time_pct"),
    ("median_fu", "Median HK ke tindak lanjut", "median_follow_up_days"),
    ("p90_fu", "p90 HK ke tindak lanjut", "p90_follow_up_days"),
    ("median_res", "Median HK ke selesai", "median_resolve_days"),
    ("p90_res", "p90 HK ke selesai", "p90_resolve_days"),
    ("backlog", "Tunggakan", "backlog_total"),
    ("reopen", "Dibuka kembali (%)", "reopen_rate_pct"),
    ("breaches", "Tenggat terlampaui", "breaches_total"),
    ("supporters", "Dukungan warga", "supporters"),
    ("rating", "Rata-rata penilaian", "mean_rating"),
    ("skm", "SKM", "skm"),
]
OPD_COLUMNS = [c for c in COLUMNS if c[0] not in ("verified", "dispatched")]


def _columns(columns):
    return [(key, _(label), attr) for key, label, attr in columns]


def _sorted(rows: list[dict], request, columns, default="follow_up_pct"):
    keys = {c[0] for c in columns} | {"name", "score"}
    key = request.GET.get("urut") if request.GET.get("urut") in keys else default
    descending = request.GET.get("arah", "desc") != "asc"

    present = [r for r in rows if r["sort"].get(key) is not None]
    absent = [r for r in rows if r["sort"].get(key) is None]
    present.sort(key=lambda r: r["sort"][key], reverse=descending)
    return present + absent, key, descending


def _sort_links(request, columns, current, descending) -> dict:
    links = {}
    for key in [c[0] for c in columns] + ["name", "score"]:
        params = request.GET.copy()
        params["urut"] = key
        params["arah"] = "asc" if (key == current and descending) else "desc"
        links[key] = "?" + params.urlencode()
    return links


def _row(name, figures, columns, extra=None) -> dict:
    values = {key: getattr(figures, attr) for key, _label, attr in columns}
    return {
        "name": name,
        "figures": figures,
        "values": values,
        "sort": {**values, "name": name, **(extra or {})},
    }


# --- League table of Pemdas ------------------------------------------------------------------


def _league(request, pemdas, period):
    m = metrics_cached(pemdas=pemdas, period=period, now=_now())
    scores = selectors.latest_scores(pemdas=pemdas)
    rows = []
    for p in pemdas:
        latest = max(
            (s for (pid, _y), s in scores.items() if pid == p.pk), key=lambda s: s.year, default=None
        )
        row = _row(p.name, m.by_pemda[p.pk], COLUMNS, {"score": latest.total if latest else None})
        row.update(
            pemda=p, score=latest, url=reverse("compliance:pemda", args=[p.pk]) + f"?periode={period.key}"
        )
        row["drill"] = drill(pemda=p.pk, **_span(period))
        rows.append(row)
    return m, rows


# --- One Pemda ---------------------------------------------------------------------------------


def _snapshot_for(pemda, year) -> ComplianceScore | None:
    return selectors.latest_scores(pemdas=[pemda], year=year).get((pemda.pk, year))


def _explain(snapshot):
    from ..services import score_reproduce

    return score_reproduce(snapshot) if snapshot else None
