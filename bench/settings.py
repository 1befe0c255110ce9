"""Settings for benchmark servers: the project's base settings plus the bare-DRF baseline URL
(bench/baseline.py). Everything else — middleware, throttles, templates — is as shipped."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.baseline"
