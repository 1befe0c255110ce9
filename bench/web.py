"""HTTP benchmarks against gunicorn on loopback (issue 8), on the benchmark database:

- submit: citizens file complaints through the API (full validation, ticket number, event, clocks,
  outbox) under concurrent load, beside a bare DRF create on the same server (the ceiling);
- inbox / detail: an OPD officer's inbox list and complaint page at 16 concurrent clients;
- pages: the public statistics page and the Ombudsman dashboard of one Pemda.

Each client keeps its connection alive. Citizens come from many loopback addresses (127.0.x.y):
the filing throttle (10 an hour per client) stays on, as in production, and each address files
fewer than that.
"""

import http.client
import json
import os
import random
import time

from common import LoadResult, celery_worker, gunicorn, login_cookie, peak_rss_mb, report, summary


def _env():
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
    }


def _pick(sql: str):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def submit(*, seconds: float = 60, clients: int = 16, max_requests: int = 20_000, workers: int = 4) -> dict:
    from common import django_setup

    django_setup()
    (code,) = _pick("SELECT code FROM agencies_pemda ORDER BY id LIMIT 1")
    body = {
        "pemda": code,
        "title": "Lampu jalan mati di depan sekolah",
        "chronology": "Sudah dua minggu lampu jalan di depan SD mati, anak-anak pulang les dalam gelap.",
        "name": "Warga Uji",
        "email": "warga.uji@example.id",
        "phone": "081234567890",
    }
    figures: dict = {}
    _cleanup_bare()
    run = int(time.time()) % 100_000
    with gunicorn(workers=workers, env=_env()) as (port, proc), celery_worker(env=_env()) as worker:
        bare = _run(
            port,
            lambda i: (
                "POST",
                "/bench/bare-create/",
                json.dumps({"name": f"P{run}-{i}", "code": f"B{i}"}),
                _json(),
            ),
            clients=clients,
            max_requests=max_requests,
            max_seconds=min(seconds, 20),
            pid=proc.pid,
            per_address=None,
        )
        figures.update(bare.figures("bare_drf_create"))
        filed = _run(
            port,
            lambda i: ("POST", "/api/v1/complaints/", json.dumps(body), _json()),
            clients=clients,
            max_requests=max_requests,
            max_seconds=seconds,
            pid=proc.pid,
            per_address=9,
        )
        figures.update(filed.figures("submit"))
        figures["submit_statuses"] = filed.statuses
        figures["web_worker_peak_rss_mb"] = peak_rss_mb(proc.pid)
        figures["celery_worker_peak_rss_mb"] = peak_rss_mb(worker.pid)
    if figures["bare_drf_create_rps"]:
        figures["submit_ratio_to_bare_drf"] = round(figures["submit_rps"] / figures["bare_drf_create_rps"], 3)
    _cleanup_bare()
    return report(figures, title="citizen submit (API) vs bare DRF create")


def _cleanup_bare():
    from aduan.agencies.models import Province

    Province.objects.filter(name__regex=r"^P[0-9]+-?[0-9]*$", pemdas__isnull=True).delete()


def _json():
    return {"Content-Type": "application/json", "Accept": "application/json"}


def _run(port, make_request, *, clients, max_requests, max_seconds, pid, per_address, cookie=None):
    """Like common.load, but each citizen client changes its loopback source address every
    ``per_address`` requests (so the per-client throttle sees many citizens)."""
    import threading

    from common import cpu_snapshot, rss_mb

    result = LoadResult()
    lock = threading.Lock()
    counter = iter(range(max_requests))
    stop_at = time.monotonic() + max_seconds
    # a fresh range of loopback addresses each run: throttle counters of earlier runs never matter
    first = random.randrange(1, 250**3 - 100_000)
    addresses = iter(range(first, first + 100_000))

    def connect():
        if per_address is None:
            return http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            n = next(addresses)
        source = (f"127.{n // 62_500 % 250 + 1}.{n // 250 % 250 + 1}.{n % 250 + 1}", 0)
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source)

    def worker():
        conn, used = connect(), 0
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            if per_address is not None and used >= per_address:
                conn.close()
                conn, used = connect(), 0
            method, path, body, headers = make_request(i)
            if cookie:
                headers = {**headers, "Cookie": cookie}
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn, used = connect(), 0
                status = 0
            used += 1
            elapsed = time.perf_counter() - started
            with lock:
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if 200 <= status < 300:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    result.cpu_before = cpu_snapshot()
    started = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        result.peak_rss_mb = max(result.peak_rss_mb, rss_mb(pid))
        time.sleep(0.5)
    for t in threads:
        t.join()
    result.seconds = time.monotonic() - started
    result.cpu_after = cpu_snapshot()
    return result


def staff(*, seconds: float = 30, clients: int = 16, max_requests: int = 5_000, workers: int = 4) -> dict:
    """The inbox of the busiest OPD and the pages of its complaints, as its officer."""
    from common import django_setup

    django_setup()
    from aduan.agencies.models import StaffMembership
    from aduan.complaints.models import Complaint

    opd_id, _n = _pick(
        "SELECT current_opd_id, count(*) FROM complaints_complaint WHERE current_opd_id IS NOT NULL "
        "AND status IN ('dispatched','followed_up') GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    )
    officer = (
        StaffMembership.objects.filter(opd_id=opd_id, role="petugas_opd").select_related("user").first().user
    )
    ids = list(Complaint.objects.filter(current_opd_id=opd_id).values_list("pk", flat=True)[:500])
    password = os.environ.get("BENCH_PASSWORD", "bench-password")
    figures = {"opd_complaints_held": _n, "opd_complaints_ever": len(ids)}
    with gunicorn(workers=workers, env=_env()) as (port, proc):
        cookie = login_cookie(port, officer.email, password)
        html = {"Accept": "text/html"}
        inbox = _run(
            port,
            lambda i: ("GET", "/staf/kotak-masuk/" + ("?page=2" if i % 4 == 3 else ""), None, html),
            clients=clients,
            max_requests=max_requests,
            max_seconds=seconds,
            pid=proc.pid,
            per_address=None,
            cookie=cookie,
        )
        figures.update(inbox.figures("inbox"))
        detail = _run(
            port,
            lambda i: ("GET", f"/staf/aduan/{ids[i % len(ids)]}/", None, html),
            clients=clients,
            max_requests=max_requests,
            max_seconds=seconds,
            pid=proc.pid,
            per_address=None,
            cookie=cookie,
        )
        figures.update(detail.figures("detail"))
    return report(figures, title="staff inbox and complaint page (16 clients)")


def pages(*, repeats: int = 20) -> dict:
    """Server time of one Pemda's dashboard, the public statistics page and the home page (Django
    test client, in-process: server time without the network), all cold: the cache is emptied
    before every request and nothing warms it (no warm-up job exists; the figures come from the
    rollups). The dashboard for several periods. PostgreSQL's own buffers stay as earlier queries
    left them."""
    from common import django_setup

    django_setup()
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from aduan.agencies.models import Pemda, StaffMembership

    pemda = Pemda.objects.filter(code__startswith="SY").order_by("pk").first() or Pemda.objects.first()
    koordinator = StaffMembership.objects.filter(pemda=pemda, role="koordinator").first().user
    client = Client(HTTP_HOST="127.0.0.1")
    figures: dict = {"dashboard_pemda": pemda.code, "dashboard_complaints": pemda.complaints.count()}
    today = timezone.localdate(timezone.now(), pemda.zoneinfo)
    periods = {
        "default": "",
        "month": f"?periode={today:%Y-%m}",
        "last_year": f"?periode={today.year - 1}",
        "quarter": f"?periode={today.year}-Q{(today.month - 1) // 3 + 1}",
    }
    client.force_login(koordinator)
    for name, query in periods.items():
        timings, status = [], None
        for _ in range(repeats):
            cache.clear()
            started = time.perf_counter()
            status = client.get(f"/kepatuhan/pemda/{pemda.pk}/{query}").status_code
            timings.append(time.perf_counter() - started)
        figures[f"dashboard_cold_{name}_status"] = status
        figures.update(summary(f"dashboard_cold_{name}", timings))
    client.logout()
    for name, url in (("public_statistics", "/statistik/"), ("public_home", "/")):
        timings, status = [], None
        for _ in range(repeats):
            cache.clear()  # cold: the public figures are cached for ADUAN_PUBLIC_STATS_CACHE_SECONDS
            started = time.perf_counter()
            status = client.get(url).status_code
            timings.append(time.perf_counter() - started)
        figures[f"{name}_status"] = status
        figures.update(summary(name, timings))
    return report(figures, title="public statistics and dashboard, cold (server time)")
