"""Deadline sweep benchmark (issue 8): claim 1,000 due clocks among >= 250,000 open ones, and a
full sweep of 10,000 due clocks including their effect and outbox rows.

Runs inside one transaction that is rolled back at the end, so the benchmark database is left as
it was (the clocks it sets up and the effects and notifications the sweep writes all vanish).
"""

import time
from datetime import timedelta

from common import django_setup, report, summary


class _Rollback(Exception):
    pass


def run(*, open_target: int = 250_000, claim: int = 1_000, sweep: int = 10_000, repeats: int = 7) -> dict:
    django_setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from aduan.sla.models import Deadline
    from aduan.sla.services import deadlines_sweep

    now = timezone.now()
    figures: dict = {}
    try:
        with transaction.atomic():
            # Make sure enough clocks are open: re-open closed ones (inside the rolled-back transaction).
            open_qs = Deadline.objects.open().filter(paused_at__isnull=True, next_check_at__isnull=False)
            missing = open_target - open_qs.count()
            if missing > 0:
                ids = list(
                    Deadline.objects.exclude(met_at__isnull=True, cancelled_at__isnull=True)
                    .filter(stage__in=["resolution", "legal_response"])
                    .values_list("pk", flat=True)[:missing]
                )
                Deadline.objects.filter(pk__in=ids).update(
                    met_at=None, cancelled_at=None, paused_at=None, breached_at=None
                )
            # Every open clock looks later than now, except exactly ``claim`` of them.
            Deadline.objects.open().filter(paused_at__isnull=True).update(
                next_check_at=now + timedelta(days=30)
            )
            due_ids = list(open_qs.order_by("pk").values_list("pk", flat=True)[:sweep])
            Deadline.objects.filter(pk__in=due_ids[:claim]).update(
                next_check_at=now - timedelta(minutes=5), due_at=now + timedelta(days=3)
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE sla_deadline")
            figures["open_clocks"] = open_qs.count()

            def claim_query():
                return list(
                    Deadline.objects.open()
                    .filter(paused_at__isnull=True, next_check_at__lte=now)
                    .order_by("next_check_at")
                    .values_list("pk", "complaint_id")[:claim]
                )

            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                claimed = claim_query()
                timings.append(time.perf_counter() - started)
            figures["claimed"] = len(claimed)
            figures.update(summary(f"claim_{claim}", timings))
            with connection.cursor() as cursor:
                sql, params = (
                    Deadline.objects.open()
                    .filter(paused_at__isnull=True, next_check_at__lte=now)
                    .order_by("next_check_at")
                    .values_list("pk", "complaint_id")[:claim]
                    .query.sql_with_params()
                )
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
                    figures["claim_plan"] = " | ".join(row[0].strip() for row in cursor.fetchall()[:4])

            # Full sweep: ``sweep`` clocks due now; they remind (due in 3 days) or escalate.
            Deadline.objects.filter(pk__in=due_ids).update(next_check_at=now - timedelta(minutes=5))
            late = due_ids[: len(due_ids) // 2]
            Deadline.objects.filter(pk__in=late).update(due_at=now - timedelta(hours=1))
            from aduan.notifications.models import Notification
            from aduan.sla.models import DeadlineEffect

            before = (DeadlineEffect.objects.count(), Notification.objects.count())
            started = time.perf_counter()
            handled = 0
            while True:
                n = deadlines_sweep(now=now, batch_size=500)
                handled += n
                if n == 0:
                    break
            figures[f"sweep_{len(due_ids)}_seconds"] = round(time.perf_counter() - started, 2)
            figures["swept"] = handled
            figures["effects_written"] = DeadlineEffect.objects.count() - before[0]
            figures["outbox_rows_written"] = Notification.objects.count() - before[1]
            raise _Rollback
    except _Rollback:
        pass
    return report(figures, title="deadline sweep")


if __name__ == "__main__":
    run()
