"""The Celery app and the whole beat schedule (one place for every periodic job).

Each entry says why it runs and carries an expiry so a backlog never piles up stale runs.
Time-driven work (deadlines, reminders) lives in database columns that these sweeps read;
nothing here relies on long ETA/countdown tasks. Which queue each task goes to (sweep,
notifications, compliance, scans) is CELERY_TASK_ROUTES in config/settings/base.py: beat's entries
are routed like any other call.
"""

import os

from celery import Celery
from celery.schedules import crontab

# Like WSGI: production unless told otherwise (make run and the tests set the module explicitly).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("aduan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker's consumer reconnects after a broker restart instead of dying (config/celery_worker.py).
app.conf.worker_consumer = "config.celery_worker:Consumer"
# Database sessions: Celery's Django fixup closes the connection before and after every task, so
# each task opened a new PostgreSQL session (a backend forked and its caches filled: 1,581 sessions
# in 30 s of filings, most of PostgreSQL's CPU). The fixup now closes them only every 1,000 tasks
# and the worker treats them as a web worker does (config/celery_worker.py: CONN_MAX_AGE and the
# health check before reuse).
app.conf.CELERY_DB_REUSE_MAX = 1000

app.conf.beat_schedule = {
    # Reminders, breaches, escalations and auto-resolution of every clock that is due.
    "sla-sweep": {
        "task": "aduan.sla.tasks.sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Retries of notifications that failed, and any whose send task was lost.
    "outbox-flush": {
        "task": "aduan.notifications.tasks.outbox_flush",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Daily digest per OPD: runs every 15 minutes, sends once per local day after 07:00.
    "digests": {
        "task": "aduan.complaints.tasks.digests",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
    # Compliance scores of every Pemda for its current year, nightly (02:30 WITA); a no-op when
    # nothing changed (aduan/compliance/services.py: score_compute).
    "compliance-recompute": {
        "task": "aduan.compliance.tasks.recompute_all",
        "schedule": crontab(hour=18, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # The compliance rollups compared with a full scan for a sample of Pemdas, nightly (03:30 WITA);
    # a difference is logged as an error and shown by /metrics (aduan.compliance.tasks.metrics_check).
    "compliance-metrics-check": {
        "task": "aduan.compliance.tasks.metrics_check",
        "schedule": crontab(hour=19, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # Virus scans of attachments still in quarantine (scan task lost, or the scanner was down).
    "attachments-rescan": {
        "task": "aduan.complaints.tasks.attachments_rescan",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    # Complaints by e-mail: each Pemda's IMAP mailbox, read every 2 minutes (aduan/complaints/mailbox.py).
    "mailboxes-poll": {
        "task": "aduan.complaints.tasks.mailboxes_poll",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    # Retention of personal data (UU 27/2022): anonymise identities, purge files and scrub outbox
    # addresses of complaints closed longer than ADUAN_RETENTION_DAYS; nightly, 03:00 WITA.
    "privacy-retention": {
        "task": "aduan.privacy.tasks.retention_apply",
        "schedule": crontab(hour=19, minute=0),
        "options": {"expires": 6 * 3600},
    },
    # API tokens expired for more than 30 days are deleted, nightly (03:15 WITA).
    "users-tokens-purge": {
        "task": "aduan.users.tasks.tokens_purge",
        "schedule": crontab(hour=19, minute=15),
        "options": {"expires": 6 * 3600},
    },
    # Corrective actions of the Ombudsman's findings: reminders before the due date, notices after.
    "ombudsman-actions-remind": {
        "task": "aduan.ombudsman.tasks.actions_remind",
        "schedule": 60 * 60.0,
        "options": {"expires": 55 * 60},
    },
    # Liveness: proves beat and a worker are alive; the healthcheck page reads its timestamp.
    "heartbeat": {
        "task": "aduan.core.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}


def routes_flush(celery=app) -> None:
    """Make Celery read ``task_routes`` again after it was changed at run time (the test harnesses
    send every task to their own queue): the router is built once and cached."""
    celery.amqp.flush_routes()
    celery.amqp.__dict__.pop("router", None)
