"""Server time per request (issue 20 point 2), in-process: the Django test client against the
benchmark database, without the network, gunicorn or a load generator — what one request costs the
server. For each page: median and p95 milliseconds over its runs and the queries of one run.

    DATABASE_URL=<bench db> .venv/bin/python bench/run.py profile

Pages: the filing form (GET), a filing through the form (POST, the similar-complaints step skipped
as a citizen who already saw it does), a filing through the API, the busiest OPD officer's inbox and
one of its complaint pages. Filings are committed for real (events, clocks, outbox rows, the
Celery hand-over) and stay in the benchmark database: 2 × runs + 4 submitted complaints titled
"Lampu jalan padam di Jalan Sudirman", a drop beside its million.
"""

import random
import statistics
import time

from common import django_setup, percentile, report

TARGETS_MS = {"file_form": 8, "file_post": 15, "file_api": 15, "inbox": 25, "detail": 15}
TARGET_QUERIES = {"file_post": 12, "file_api": 12}


def _time(make_request, runs: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cold:
        make_request(-1)  # the process's first: it fills the per-process caches (policies, calendar)
    cold_count = len(cold)  # now: each request empties the connection's query log
    with CaptureQueriesContext(connection) as queries:
        make_request(0)
    first = len(queries)
    timings = []
    for i in range(1, runs + 1):
        started = time.perf_counter()
        make_request(i)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, first, cold_count


def run(*, runs: int = 50) -> dict:
    django_setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from aduan.agencies.models import Pemda, StaffMembership
    from aduan.complaints.models import Complaint

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "127.0.0.1"]
    pemdas = Pemda.objects.order_by("pk")
    pemda = pemdas.filter(code__startswith="SY").first() or pemdas.first()
    figures: dict = {"runs": runs}
    form = {
        "classification": "pengaduan",
        "title": "Lampu jalan padam di Jalan Sudirman",
        "chronology": "Sudah seminggu lampu jalan di depan pasar padam dan jalan gelap sekali.",
        "location_text": "Jl. Jenderal Sudirman depan pasar",
        "name": "Warga Uji",
        "email": "warga.uji@example.id",
        "phone": "081234567890",
        "language": "id",
        "confirm_new": "1",
    }
    api_fields = {k: form[k] for k in ("title", "chronology", "name", "email", "phone")}
    api_body = {"data": api_fields | {"pemda": pemda.code}, "content_type": "application/json"}

    # One client for every filing, as one gunicorn worker loads the middleware once (a Client per
    # filing built the handler and its middleware chain again each time: 0.5 ms of every filing).
    citizens = Client()
    # a fresh range of loopback addresses each run: throttle counters of earlier runs never matter
    first_address = random.randrange(1, 250**3 - 300_000)

    def citizen(i: int) -> tuple[Client, dict]:
        # each filing from its own address and without the last one's cookies: the filing
        # throttle stays on, as in production
        citizens.cookies.clear()
        n = first_address + i
        return citizens, {"REMOTE_ADDR": f"127.{n // 62_500 % 250 + 1}.{n // 250 % 250 + 1}.{n % 250 + 1}"}

    def post_expecting(citizen_and_address, path, status, **kwargs):
        client, address = citizen_and_address
        response = client.post(path, **kwargs, **address)
        if response.status_code != status:
            raise RuntimeError(f"{path}: {response.status_code} instead of {status}")
        return response

    def get_expecting(client, path):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} instead of 200")
        return response

    url = f"/aduan/?pemda={pemda.code}"
    api = "/api/v1/complaints/"
    measured = {
        "file_form": _time(lambda i: get_expecting(citizen(i)[0], url), runs),
        "file_post": _time(lambda i: post_expecting(citizen(i), url, 302, data=form), runs),
        "file_api": _time(lambda i: post_expecting(citizen(100_000 + i), api, 201, **api_body), runs),
    }
    busiest = (  # the busiest OPD, as bench/web.py's staff benchmark picks it
        Complaint.objects.filter(status__in=("dispatched", "followed_up"), current_opd__isnull=False)
        .values("current_opd_id")
        .annotate(held=Count("id"))
        .order_by("-held")
        .first()
    )
    opd_id = busiest["current_opd_id"]
    officer = StaffMembership.objects.filter(opd_id=opd_id, role="petugas_opd").first().user
    ids = list(Complaint.objects.filter(current_opd_id=opd_id).values_list("pk", flat=True)[: runs + 1])
    staff = Client()
    staff.force_login(officer)
    measured["inbox"] = _time(lambda i: get_expecting(staff, "/staf/kotak-masuk/"), runs)
    measured["detail"] = _time(lambda i: get_expecting(staff, f"/staf/aduan/{ids[i % len(ids)]}/"), runs)
    cold = {name: value[2] for name, value in measured.items()}
    for name, (timings, queries, _cold) in measured.items():
        figures[f"{name}_median_ms"] = round(statistics.median(timings), 2)
        figures[f"{name}_p95_ms"] = round(percentile(timings, 95), 2)
        figures[f"{name}_queries"] = queries
        figures[f"{name}_queries_first_in_process"] = cold[name]
        figures[f"{name}_target_ms"] = TARGETS_MS[name]
        if name in TARGET_QUERIES:
            figures[f"{name}_target_queries"] = TARGET_QUERIES[name]
    return report(figures, title="server time per request (in-process)")


if __name__ == "__main__":
    run()
