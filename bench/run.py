"""Run the benchmarks: ``python bench/run.py [name ...] [--size ci]`` (names: ALL below; none: all).

``--size ci`` (default) chooses the data generated. Without names it runs them all. ``make bench``
runs this against a separate benchmark database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/aduan_bench), creating, migrating and filling it first when it
is empty. ``--smoke`` runs every benchmark at a tiny size and for a
few seconds (what ``make test`` does through tests/bench/test_smoke.py).
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, base_interpreter, django_setup

ALL = ("generate", "sweep", "web", "metrics", "pages", "profile", "sweep_load", "helpdesk", "forecast")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="any of " + ", ".join(ALL) + " (default: all)")
    parser.add_argument("--size", default="ci")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    names = args.names or list(ALL)
    for name in names:
        if name not in ALL:
            parser.error(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", "") or "")
    if not os.environ["DATABASE_URL"]:
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/aduan_bench"
    figures: dict = {"services": _production_services()}
    django_setup()
    from django.conf import settings

    figures["services"]["cache_backend"] = settings.CACHES["default"]["BACKEND"]
    print(f"cache and broker: {figures['services']['redis_url']} ({figures['services']['cache_backend']})")
    figures["machine"] = machine(smoke=args.smoke)
    started = time.monotonic()
    smoke = args.smoke
    if "generate" in names:
        figures["generate"] = generate(size="tiny" if smoke else args.size)
    if "sweep" in names:
        import sweep

        figures["sweep"] = sweep.run(**({"open_target": 2_000, "claim": 100, "sweep": 200} if smoke else {}))
    if "web" in names:
        import web

        short = {"seconds": 3, "clients": 4, "max_requests": 60, "workers": 2} if smoke else {}
        figures["submit"] = web.submit(**short)
        figures["staff"] = web.staff(**short)
    if "pages" in names:
        import web

        figures["pages"] = web.pages(**({"repeats": 2} if smoke else {}))
    if "profile" in names:
        import server_time

        figures["profile"] = server_time.run(**({"runs": 3} if smoke else {}))
    if "metrics" in names:
        import metrics

        figures["metrics"] = metrics.run(**({"repeats": 1} if smoke else {}))
    if "sweep_load" in names:
        import bench_sweep_under_load

        figures["sweep_load"] = bench_sweep_under_load.run(**({"rounds": 1, "clocks": 2} if smoke else {}))
    if "helpdesk" in names:
        import helpdesk

        short = {"rounds": 1, "seconds": 2, "clients": 2, "max_cycles": 6, "workers": 2, "smoke": True}
        figures["helpdesk"] = helpdesk.run(**(short if smoke else {}))
    if "forecast" in names:
        import forecast

        figures["forecast"] = forecast.run(**({"cutoffs": 3, "step_days": 20} if smoke else {}))
    print(f"\nall benchmarks done in {time.monotonic() - started:.0f} s")
    return figures


def _production_services() -> dict:
    """Run like production: Redis is the cache (throttles, lockout counters, cached figures) and the
    Celery broker of every process the benchmarks start. ``BENCH_REDIS_URL`` (default db 14 of the
    local Redis) names it; a Redis that does not answer stops the run with a clear message rather
    than measuring per-process caches."""
    import redis

    url = (
        os.environ.get("BENCH_REDIS_URL") or os.environ.get("BENCH_BROKER_URL") or "redis://127.0.0.1:6379/14"
    )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        message = f"bench: Redis at {url} does not answer ({exc}); start it or set BENCH_REDIS_URL"
        raise SystemExit(message) from exc
    os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = os.environ["BENCH_BROKER_URL"] = url
    return {"redis_url": url}


def machine(*, smoke: bool = False) -> dict:
    """Print what the figures depend on besides the code: the interpreter every process of the run
    uses (this one: gunicorn, Celery and the in-process benchmarks are started with it) and the
    machine's speed now. The speed probe sums 20 million integers in a loop at module level, as the
    probe run by hand in the earlier passes did (``python3 -c``; 1 million in a smoke run, scaled):
    on machines of one kind it has read 1.35 s to 3.2 s with pyenv's interpreter, and every figure
    of a run moves with it. An interpreter built with a shared libpython and without profile-guided
    optimisation (pyenv's default) ran the same pages 1.1-1.4x slower than the distribution's
    (Debian's ``python3``, which docs/deploy.md makes production's virtualenv from)."""
    loops = 1_000_000 if smoke else 20_000_000
    # the loop at module level, as `python3 -c` runs it (the probe by hand of the earlier passes)
    code = compile(f"s = 0\nfor i in range({loops}):\n    s += i\n", "<speed probe>", "exec")
    started = time.perf_counter()
    exec(code, {})  # a constant loop
    probe = (time.perf_counter() - started) * 20_000_000 / loops
    info = {
        "python": sys.executable,
        "python_version": platform.python_version(),
        "base_interpreter": base_interpreter(),
        "libpython_shared": _libpython_shared(),
        "speed_probe_s": round(probe, 2),
    }
    print("\n== machine")
    for key, value in info.items():
        print(f"{key}: {value}")
    return info


def _libpython_shared() -> bool | None:
    """Whether this process runs its interpreter from a shared libpython (Linux: its memory map);
    None where that cannot be read."""
    try:
        with open("/proc/self/maps") as maps:
            return any("libpython" in line for line in maps)
    except OSError:
        return None


def generate(*, size: str) -> dict:
    """Fill the benchmark database unless it already holds synthetic data."""
    from aduan.agencies.models import Pemda

    if Pemda.objects.filter(code__startswith="SY").exists():
        print("\n== generate\nalready_filled: true")
        return {"already_filled": True}
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "generate_synthetic", "--size", size],
        cwd=ROOT,
        check=True,
        env=os.environ,
    )
    seconds = round(time.monotonic() - started, 1)
    print(f"\n== generate\nsize: {size}\ngenerate_seconds: {seconds}")
    return {"size": size, "generate_seconds": seconds}


if __name__ == "__main__":
    main()
