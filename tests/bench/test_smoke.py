"""Benchmark smoke (issue 8): every benchmark in bench/ runs at a tiny size and prints its figures.
It asserts that they ran and that nothing failed — never a speed (bench/README.md has the figures
of the full runs, ``make bench``)."""

import sys
from pathlib import Path

import pytest
from django.conf import settings

BENCH = Path(__file__).resolve().parents[2] / "bench"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_every_benchmark_runs_and_prints_its_figures(default_policies, monkeypatch, capsys):
    import os

    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.setenv("DATABASE_URL", _database_url())  # gunicorn serves the test database
    monkeypatch.setenv("BENCH_REDIS_URL", os.environ["REDIS_URL"])
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "BENCH_BROKER_URL"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after run.main sets them
    sys.modules.pop("run", None)
    import run

    figures = run.main(["--smoke"])
    out = capsys.readouterr().out
    titles = (
        "deadline sweep",
        "citizen submit",
        "staff inbox",
        "public statistics",
        "metrics recompute",
        "server time per request",
    )
    for title in titles:
        assert f"== {title}" in out
    # run like production: every server and worker the benchmarks start gets Redis as cache and broker
    assert figures["services"]["redis_url"] == os.environ["REDIS_URL"] == os.environ["BENCH_BROKER_URL"]
    # what the figures depend on besides the code: the interpreter and the machine's speed, printed
    assert figures["machine"]["python"] == sys.executable
    assert figures["machine"]["speed_probe_s"] > 0
    assert f"speed_probe_s: {figures['machine']['speed_probe_s']}" in out
    assert figures["machine"]["libpython_shared"] in (True, False)  # Linux: read from the memory map
    assert figures["generate"]["size"] == "tiny"
    assert figures["sweep"]["claimed"] == 100
    assert figures["sweep"]["swept"] == 200
    assert figures["submit"]["submit_errors"] == 0
    assert figures["submit"]["submit_requests"] > 0
    assert figures["submit"]["bare_drf_create_errors"] == 0
    assert 0 < figures["submit"]["celery_worker_peak_rss_mb"] < 1000  # a real worker ran beside the server
    assert 0 < figures["submit"]["web_worker_peak_rss_mb"] < 1000
    assert figures["staff"]["inbox_errors"] == figures["staff"]["detail_errors"] == 0
    # where the cores went: the web workers and PostgreSQL's backends are found and counted (60
    # filings or pages cost hundreds of milliseconds in each, many clock ticks)
    for group, name in (("submit", "submit"), ("staff", "inbox")):
        assert figures[group][f"{name}_cpu_ms_web"] > 0
        assert figures[group][f"{name}_cpu_ms_postgres"] > 0
    assert figures["pages"]["public_statistics_status"] == figures["pages"]["public_home_status"] == 200
    for period in ("default", "month", "last_year", "quarter"):
        assert figures["pages"][f"dashboard_cold_{period}_status"] == 200
    assert figures["metrics"]["opds"] >= 20
    # each page was requested and answered as expected (the bench raises on another status); the
    # filing form page runs no query once its Pemda and lists are kept, only the first time
    for page in ("file_form", "file_post", "file_api", "inbox", "detail"):
        assert figures["profile"][f"{page}_queries_first_in_process"] > 0
        assert figures["profile"][f"{page}_median_ms"] > 0
    assert figures["metrics"]["rollup_cells"] > 0  # the generator filled the rollups
    assert figures["metrics"]["opds_differing"] == 0  # rollups and full scan agree
    # a worker per queue, then one for all: each round's reminders were recorded by a real worker
    assert "== sweep delay under a compliance recompute" in out
    assert figures["sweep_load"]["split_under_recompute_max_s"] != "timeout"
    assert figures["sweep_load"]["one_worker_under_recompute_max_s"] != "timeout"
    # django-helpdesk side by side (issue 20 point 2), a few cycles of each: its own virtualenv needs
    # PyPI the first time (then var/bench/helpdesk-venv is reused); without it only this part is
    # skipped, and it says why
    helpdesk = figures["helpdesk"]
    if "skipped" in helpdesk:
        assert f"== django-helpdesk side by side\nskipped: cannot create {BENCH.parent / 'var'}" in out
    else:
        assert "== django-helpdesk side by side" in out
        for cycle in ("aduan_filing", "helpdesk_filing", "aduan_list", "helpdesk_list"):
            assert helpdesk[f"{cycle}_requests"] > 0
            assert helpdesk[f"{cycle}_errors"] == 0  # every filing redirected to its receipt, every list full
        assert helpdesk["filing_ratio_aduan_to_helpdesk"] > 0
        assert helpdesk["helpdesk_queue_tickets"] == helpdesk["opd_complaints_held"] > 0
    # the breach-forecast backtest: clocks open at past cut-offs, both Brier scores printed
    assert "== breach forecast backtest" in out
    assert figures["forecast"]["clocks"] > 0
    assert 0 <= figures["forecast"]["brier_forecast"] <= 1
    assert 0 <= figures["forecast"]["brier_baseline"] <= 1
