"""The WSGI module loads the views and freezes what it loaded out of the cyclic garbage collector
(config/wsgi.py), in a fresh process as gunicorn's workers import it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wsgi_module_imports_the_views_and_freezes_what_is_loaded():
    probe = (
        "import gc, sys; import config.wsgi as w; "
        "print(gc.get_freeze_count(), 'aduan.workspace.views.staff_queues' in sys.modules, "
        "callable(w.application))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout.split()
    frozen, views_loaded, callable_app = int(out[0]), out[1], out[2]
    assert frozen > 50_000  # Django, DRF and the project's modules, not a handful
    assert views_loaded == "True"
    assert callable_app == "True"
