"""gunicorn's settings for Aduan (deploy/systemd/aduan-web.service; tests/ops/test_deploy_stack.py
starts gunicorn with this file). Values from the environment file (deploy/aduan.env.template)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # nginx on the same host proxies to it
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle each worker now and then, as a guard against slow leaks (none seen: 120-125 MB after
# hours of benchmark load). A new worker spends ~0.75 s of CPU importing Django and the project, so
# every 2,000 requests (the first setting) cost a busy server 6-8% of its CPU; every ~10,000, ~1.5%
# (bench/README.md, ninth pass).
max_requests = 10000
max_requests_jitter = 1000
# Only nginx (same host) may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No access log here: its lines hold full paths (tracking secrets) and query strings. nginx keeps
# the access log, with secrets masked (deploy/nginx/aduan.conf.template).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set, /metrics sums every worker: forget a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
