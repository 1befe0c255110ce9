"""Side by side with django-helpdesk (issue 20 point 2): the same two-core machine, the same gunicorn
settings (bench/common.gunicorn: sync workers, keep-alive 5 s), the same PostgreSQL server and Redis,
the two systems measured in alternating rounds of one run.

- filing: a citizen opens the public form and files it — GET the form page, then POST it with the
  CSRF token from the page and its cookie; one cycle is both requests. Aduan: ``/aduan/?pemda=<code>``
  (``confirm_new=1``: the similar-complaints step already seen); django-helpdesk: ``/tickets/submit/``.
  Every filing comes from its own loopback address (127.x.y.z), so Aduan's filing throttle stays on.
- staff list: one page of 50 of the busiest OPD's complaints as its officer (Aduan's inbox) against one
  page of 50 open tickets of a queue holding as many tickets as that OPD holds (django-helpdesk's
  ``/tickets/`` page plus the ``datatables_ticket_list`` JSON its table loads; one cycle is both).

django-helpdesk runs from its own virtualenv (``var/bench/helpdesk-venv``, created once with the
pinned packages below, never touching Aduan's), with the tiny project in ``bench/helpdesk_project``,
on the PostgreSQL database ``<Aduan's database>_helpdesk`` on the same server.

    DATABASE_URL=<bench db> .venv/bin/python bench/run.py helpdesk
"""

import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode, urlsplit, urlunsplit

from common import ROOT, LoadResult, base_interpreter, gunicorn, login_cookie, report

VENV = ROOT / "var" / "bench" / "helpdesk-venv"
PINS = ("django-helpdesk==2.6.1", "gunicorn==27.0.1", "psycopg[binary]==3.3.9", "redis==8.2.0")
PROJECT = Path(__file__).resolve().parent / "helpdesk_project"
PAGE = 50  # rows per staff list page: Aduan's PAGE_SIZE, asked of helpdesk's table
TARGET_FILING_RATIO = 1.5
TITLE = "== django-helpdesk side by side"


def ensure_venv() -> str | None:
    """Create the virtualenv once; return why it cannot be had (no registry), else None."""
    marker = VENV / "bench-pins.txt"
    # on the interpreter Aduan's side runs on (the same build runs both systems)
    wanted = "\n".join((*PINS, base_interpreter()))
    if marker.exists() and marker.read_text() == wanted:
        return None
    python = VENV / "bin" / "python"
    # pip from Aduan's own .venv when this interpreter has none (make bench's virtualenv is made
    # without pip: the distribution's python3 may lack ensurepip)
    own_pip = ROOT / ".venv" / "bin" / "python"
    pip = [str(own_pip) if own_pip.exists() else sys.executable, "-m", "pip", "--python", str(python)]
    try:
        venv = [sys.executable, "-m", "venv", "--clear", "--without-pip", str(VENV)]
        subprocess.run(venv, check=True, capture_output=True)
        subprocess.run(
            [*pip, "install", "-q", "--disable-pip-version-check", *PINS],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        tail = (getattr(exc, "stderr", b"") or b"").decode(errors="replace").strip().splitlines()[-1:]
        return f"cannot create {VENV} with pip ({exc.__class__.__name__}: {' '.join(tail) or exc})"
    marker.write_text(wanted)
    return None


def database_url(*, create: bool = True) -> str:
    """``<Aduan's database>_helpdesk`` on the same server, created when missing."""
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/") + "_helpdesk"
    if create:
        admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def _helpdesk_env(url: str) -> dict:
    return {
        "HELPDESK_DATABASE_URL": url,
        "HELPDESK_REDIS_URL": os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL", ""),
        "DJANGO_SETTINGS_MODULE": "helpdesk_settings",
        "PYTHONPATH": str(PROJECT),
    }


def _request(conn, method, path, *, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    text = response.read().decode(errors="replace")
    cookies = {"Location": response.getheader("Location", "")}  # the redirect target, beside the cookies
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
    return response.status, cookies, text


def _file(conn, path: str, fields: dict, done: str) -> bool:
    """One citizen's filing: GET the form, POST it with the CSRF token; True when it was accepted
    (redirected to the page ``done`` starts with)."""
    status, cookies, page = _request(conn, "GET", path, headers={"Accept": "text/html"})
    cookies.pop("Location")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        return False
    status, answer, _ = _request(
        conn,
        "POST",
        path,
        body=urlencode({**fields, "csrfmiddlewaretoken": token.group(1)}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Accept": "text/html",
        },
    )
    return status == 302 and urlsplit(answer["Location"]).path.startswith(done)


def _drive(port, cycle, *, clients, max_cycles, seconds, fresh_address) -> LoadResult:
    """``clients`` threads run ``cycle(conn)`` until ``max_cycles`` or ``seconds``; with
    ``fresh_address`` every cycle opens a connection from a new loopback address (a new citizen),
    otherwise each thread keeps one keep-alive connection."""
    result, lock = LoadResult(), threading.Lock()
    counter, stop_at = iter(range(max_cycles)), time.monotonic() + seconds
    first = random.randrange(1, 250**3 - 100_000)  # fresh addresses: earlier throttle counts never matter
    addresses = iter(range(first, first + 100_000))

    def connect():
        if not fresh_address:
            return http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            n = next(addresses)
        source = (f"127.{n // 62_500 % 250 + 1}.{n // 250 % 250 + 1}.{n % 250 + 1}", 0)
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source)

    def worker():
        conn = connect()
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            if fresh_address:
                conn.close()
                conn = connect()
            started = time.perf_counter()
            try:
                ok = cycle(conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn, ok = connect(), False
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.monotonic() - started
    return result


def _merge(into: LoadResult, part: LoadResult) -> None:
    into.latencies += part.latencies
    into.errors += part.errors
    into.seconds += part.seconds


def _aduan_side():
    """What Aduan's side needs from its database: a Pemda to file to, the busiest OPD's officer."""
    from django.db.models import Count

    from aduan.agencies.models import Pemda, StaffMembership
    from aduan.complaints.models import Complaint

    pemdas = Pemda.objects.order_by("pk")
    pemda = pemdas.filter(code__startswith="SY").first() or pemdas.first()
    busiest = (  # as bench/web.py's staff benchmark picks it
        Complaint.objects.filter(status__in=("dispatched", "followed_up"), current_opd__isnull=False)
        .values("current_opd_id")
        .annotate(held=Count("id"))
        .order_by("-held")
        .first()
    )
    officer = StaffMembership.objects.filter(opd_id=busiest["current_opd_id"], role="petugas_opd").first()
    return pemda.code, officer.user.email, busiest["held"]


def run(*, rounds: int = 3, seconds: float = 20, clients: int = 16, max_cycles: int = 5_000, workers: int = 4,
        smoke: bool = False) -> dict:  # fmt: skip
    from common import django_setup

    django_setup()
    reason = ensure_venv()
    if reason:
        print(f"{TITLE}\nskipped: {reason}")
        return {"skipped": reason}
    code, officer_email, held = _aduan_side()
    password = os.environ.get("BENCH_PASSWORD", "bench-password")
    url = database_url()
    env = _helpdesk_env(url)
    prepared = subprocess.run(
        [str(VENV / "bin" / "python"), str(PROJECT / "prepare.py"), "--tickets", str(held),
         "--email", "staf.helpdesk@example.id", "--password", password],
        env={**os.environ, **env}, capture_output=True, text=True,
    )  # fmt: skip
    if prepared.returncode:
        raise RuntimeError(f"preparing django-helpdesk's database failed:\n{prepared.stderr[-3000:]}")
    queues = json.loads(prepared.stdout.strip().splitlines()[-1])
    from web import _env

    aduan_form = {
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
    helpdesk_form = {
        "queue": str(queues["public_queue"]),
        "title": aduan_form["title"],
        "body": aduan_form["chronology"],
        "priority": "3",
        "submitter_email": aduan_form["email"],
    }
    figures: dict = {
        "helpdesk_database": urlsplit(url).path.lstrip("/"),
        "opd_complaints_held": held,
        "helpdesk_queue_tickets": queues["tickets"],
        "rounds": rounds,
        "clients": clients,
        "workers": workers,
    }
    totals = {key: LoadResult() for key in ("aduan_filing", "helpdesk_filing", "aduan_list", "helpdesk_list")}
    with ExitStack() as stack:
        aduan_port, _ = stack.enter_context(gunicorn(workers=workers, env=_env()))
        with mock.patch.object(sys, "executable", str(VENV / "bin" / "python")):
            helpdesk_port, _ = stack.enter_context(gunicorn(workers=workers, env=env, app="helpdesk_wsgi"))
        aduan_cookie = login_cookie(aduan_port, officer_email, password)
        helpdesk_cookie = login_cookie(helpdesk_port, "staf.helpdesk@example.id", password)
        list_url = f"/tickets/?queue={queues['list_queue']}"
        status, _, page = _request(
            http.client.HTTPConnection("127.0.0.1", helpdesk_port, timeout=30),
            "GET",
            list_url,
            headers={"Cookie": helpdesk_cookie},
        )
        table = re.search(r'"url": "(/datatables_ticket_list/[^"]+)"', page)
        if status != 200 or not table:
            raise RuntimeError(f"django-helpdesk's ticket list did not load (status {status})")
        table_url = table.group(1) + f"?draw=1&start=0&length={PAGE}"

        def aduan_list(conn):
            status, _, _ = _request(conn, "GET", "/staf/kotak-masuk/", headers={"Cookie": aduan_cookie})
            return status == 200

        def helpdesk_list(conn):
            headers = {"Cookie": helpdesk_cookie}
            if _request(conn, "GET", list_url, headers=headers)[0] != 200:
                return False
            headers["Accept"] = "application/json"
            status, _, rows = _request(conn, "GET", table_url, headers=headers)
            return status == 200 and len(json.loads(rows)["data"]) == min(PAGE, queues["tickets"])

        def aduan_filing(conn):
            return _file(conn, f"/aduan/?pemda={code}", aduan_form, "/aduan/terkirim/")

        def helpdesk_filing(conn):
            return _file(conn, "/tickets/submit/", helpdesk_form, "/view/")

        cycles = {
            "aduan_filing": (aduan_port, aduan_filing, True),
            "helpdesk_filing": (helpdesk_port, helpdesk_filing, True),
            "aduan_list": (aduan_port, aduan_list, False),
            "helpdesk_list": (helpdesk_port, helpdesk_list, False),
        }
        for _ in range(rounds):
            for key, (port, cycle, fresh) in cycles.items():
                part = _drive(port, cycle, clients=clients, max_cycles=max_cycles // rounds, seconds=seconds,
                              fresh_address=fresh)  # fmt: skip
                _merge(totals[key], part)
    for key, result in totals.items():
        figures.update({k: v for k, v in result.figures(key).items() if not k.endswith("peak_rss_mb")})
    for what in ("filing", "list"):
        ours, theirs = figures[f"aduan_{what}_rps"], figures[f"helpdesk_{what}_rps"]
        figures[f"{what}_ratio_aduan_to_helpdesk"] = round(ours / theirs, 2) if theirs else None
    figures["filing_target_ratio"] = TARGET_FILING_RATIO
    ratio = figures["filing_ratio_aduan_to_helpdesk"]
    figures["filing_target_met"] = ratio is not None and ratio >= TARGET_FILING_RATIO
    if smoke:
        drop_database(url)
    return report(figures, title=TITLE.removeprefix("== "))


if __name__ == "__main__":
    run()
