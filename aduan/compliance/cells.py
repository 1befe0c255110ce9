"""The reading side of the rollup cells shared by the dashboards (``metrics``) and the backlog
(``backlog``): which cells add up to a run of days, the Pemdas grouped by time zone, date
arithmetic in SQL and the one-query-per-Pemdas reading on PostgreSQL. Kept apart so that neither
module reaches into the other."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connections, router
from django.db.models import DateField, Func, Q

from aduan.complaints.models import CLOSED_STATUSES, Status
from aduan.sla.models import MetricRollup
from aduan.sla.rollups import span_runs

from .periods import Period

OPEN_STATUSES = sorted(s for s in Status.values if s not in CLOSED_STATUSES)


class Zones:
    """The Pemdas of a query grouped by time zone, to build one condition per zone."""

    def __init__(self, pemdas: Iterable, period: Period):
        self.by_zone: dict[str, list[int]] = defaultdict(list)
        for p in pemdas:
            self.by_zone[p.timezone].append(p.pk)
        self.period = period

    def within(self, field_name: str, pemda_field: str) -> Q:
        """``field_name`` inside the period, in the zone of the row's Pemda."""
        q = Q(pk__in=[])
        for zone, ids in self.by_zone.items():
            start, end = self.period.bounds(ZoneInfo(zone))
            q |= Q(**{f"{pemda_field}__in": ids, f"{field_name}__gte": start, f"{field_name}__lt": end})
        return q

    def scope(self, pemda_field: str) -> Q:
        return Q(**{f"{pemda_field}__in": [pk for ids in self.by_zone.values() for pk in ids]})

    def as_of(self, zone: str, now: datetime) -> datetime:
        return min(self.period.bounds(ZoneInfo(zone))[1], now)


class DaysBefore(Func):
    """``day - value`` (a date minus a number of days) in SQL."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = DateField()
    sqlite_sign = "-"

    def as_sqlite(self, compiler, connection, **extra):
        day, days = self.get_source_expressions()
        sql_day, params_day = compiler.compile(day)
        sql_days, params_days = compiler.compile(days)
        sql = f"date({sql_day}, printf('%%+d days', {self.sqlite_sign}{sql_days}))"
        return sql, [*params_day, *params_days]


class DaysAfter(DaysBefore):
    """``day + value`` (a date plus a number of days) in SQL."""

    arg_joiner = " + "
    sqlite_sign = ""


def span_cells(first: date, last: date) -> Q:
    """The cells that add up to the days ``[first, last]`` once: the fewest whole years, quarters,
    months, dekads and days that cover them (aduan.sla.rollups.span_runs; ``DAY_ONLY`` metrics:
    see ``rollup_rows``)."""
    q = Q(pk__in=[])
    for span, start, end in span_runs(first, last):
        q |= Q(span=span, day__gte=start, day__lte=end)
    return q


def cells_through(last: date) -> Q:
    """The cells that add up to every day up to ``last`` (a running total): the years before its
    year, then the spans of its year."""
    return Q(span=MetricRollup.YEAR, day__lt=date(last.year, 1, 1)) | span_cells(date(last.year, 1, 1), last)


def cells_db():
    """The database the rollup cells are read from (the replica inside ``replica_reads()``,
    aduan.core.db_router), for the queries written in SQL."""
    return connections[router.db_for_read(MetricRollup) or "default"]


def per_pemda(
    pemda_ids: list[int], columns: str, group: list[str], branches: list, group_params=(), arrays=False
) -> list:
    """One query on PostgreSQL: for each Pemda apart (a lateral subquery: small hash tables that
    stay in memory), the ``columns`` and ``n`` of the cells of every branch (``(condition,
    parameters, sign)``, sign −1 to subtract them: each an index-only range scan), summed per
    ``group`` (expressions on those columns, with ``group_params``); rows ``(pemda_id, *group,
    total)``, or with ``arrays`` ``(pemda_id, *group[:-1], [last group column], [total])``."""
    if not branches or not pemda_ids:
        return []
    table = MetricRollup._meta.db_table
    parts, params = [], []
    for condition, values, sign in branches:
        n = "n" if sign > 0 else "-n"
        parts.append(f"SELECT {columns}, {n} AS n FROM {table} WHERE pemda_id = p.id AND {condition}")  # noqa: S608 (the model's table)
        params += values
    positions = ", ".join(str(i + 1) for i in range(len(group)))
    summed = (
        f"SELECT {', '.join(group)}, sum(n)::bigint AS total "  # noqa: S608 (the model's table)
        f"FROM ({' UNION ALL '.join(parts)}) AS c GROUP BY {positions}"
    )
    if arrays:
        keys = ", ".join(f"s.{name}" for name in group[:-1])
        summed = (
            f"SELECT {keys}, array_agg(s.{group[-1]}), array_agg(s.total) FROM ({summed}) AS s "  # noqa: S608
            f"GROUP BY {', '.join(str(i + 1) for i in range(len(group) - 1))}"
        )
    sql = f"SELECT p.id, x.* FROM unnest(%s::int[]) AS p(id) CROSS JOIN LATERAL ({summed}) AS x"  # noqa: S608
    with cells_db().cursor() as cursor:
        cursor.execute(sql, [pemda_ids, *group_params, *params])
        return cursor.fetchall()
