"""Base settings, read from the environment (one ``env`` object).

Without any environment variable the project runs "embedded": SQLite in WAL mode under ``var/``,
Celery on kombu's filesystem transport (no server), a local-memory cache and console e-mail.
Set DATABASE_URL, CELERY_BROKER_URL (or REDIS_URL) and EMAIL_URL to use real services.
Business rules (deadlines, methodologies) live in the database, not here.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django_guid.integrations import CeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = Path(env.str("ADUAN_VAR_DIR", default=str(BASE_DIR / "var")))

# --- General ---------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-development-key-change-me-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "aduan" / "locale"]
USE_I18N = True
USE_TZ = True
# Stored in UTC; shown in each Pemda's own zone (Pemda.timezone). This is only the fallback zone.
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "admin:login"

# --- Apps ------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens hashed at rest, with an expiry (aduan.users.tokens)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "aduan.core",
    "aduan.users",
    "aduan.agencies",
    "aduan.complaints",
    "aduan.sla",
    "aduan.notifications",
    "aduan.ombudsman",  # complaints taken to the Ombudsman (issue 17)
    "aduan.compliance",
    "aduan.privacy",
    "aduan.portal",
    "aduan.workspace",
    "aduan.api",
    "aduan.ops",  # /healthz, /readyz, /metrics
    "health_check",
    "django_prometheus",
    "django_guid",
    "import_export",  # the admin's import of OPDs, categories and staff (aduan/complaints/onboarding/)
    "aduan.devdata",  # demo and benchmark data: not in production (config/settings/production.py)
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times the whole request
    "aduan.core.proxy.TrustedProxyMiddleware",  # the client's address behind nginx
    "django_guid.middleware.guid_middleware",  # the request id of every log line (LOGGING)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aduan.core.middleware.NoStoreMiddleware",  # staff, compliance and tracking pages: no-store
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "aduan.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aduan.core.db_router.ReplicaPinMiddleware",  # a user who just wrote reads from the primary
    "aduan.core.history.ConfigHistoryMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "aduan.users.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last (aduan/ops/: /metrics)
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aduan.workspace.context_processors.staff_navigation",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
# Nothing here touches the disk: the directories of the embedded setup (SQLite, the filesystem
# broker, static files) are created by aduan.core.apps when that setup is in use, so production
# runs on a read-only file system.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'aduan.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web server and the worker read while the other writes;
            # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Covering indexes (INCLUDE) are PostgreSQL's; SQLite builds the same index without the extra
    # column, which only costs speed at national size (models.W040 says so on every migrate).
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica (PostgreSQL hot standby) for dashboards, exports, public statistics and the
# API's GET lists: aduan/core/db_router.py decides, views opt in. Unset: everything on the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL as DATABASE_URL.")
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"].update(
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        # Tests: no database of its own; it reads the primary's test database (a physical
        # replica mirrors every database of its cluster: tests/replica/).
        TEST={"MIRROR": "default"},
    )
    # A replica host that is down must not hold a request: the primary serves instead.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
DATABASE_ROUTERS = ["aduan.core.db_router.PrimaryReplicaRouter"]
# Reads may use the replica (0: drain it without removing the URL).
ADUAN_REPLICA_READS = env.bool("ADUAN_REPLICA_READS", default=True)
# After a write (any POST/PUT/PATCH/DELETE) the user's reads stay on the primary this long.
ADUAN_REPLICA_PIN_SECONDS = env.int("ADUAN_REPLICA_PIN_SECONDS", default=15)
# A replica further behind than this serves nothing until it catches up.
ADUAN_REPLICA_MAX_LAG_SECONDS = env.int("ADUAN_REPLICA_MAX_LAG_SECONDS", default=30)

# --- Auth ------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
SESSION_ENGINE = "aduan.core.sessions"  # Django's database sessions, read with a query compiled once
# Two-factor sign-in (TOTP, django-otp): optional for staff, required by a Pemda's switch for its
# koordinator and the province's Ombudsman (aduan/users/twofactor.py). The issuer is shown in the app.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Aduan")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin may delete a lost device, never read its secret

# --- Security headers ------------------------------------------------------------------------
# In every environment; production.py adds HTTPS (HSTS, secure cookies). docs/security.md.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (django-csp 4): only this site's own files; scripts and <style> blocks
# need the per-response nonce ({{ CSP_NONCE }}), so an injected <script> or on*= handler never runs.
# style="..." attributes stay allowed (style-src-attr): layout only, they cannot run code.
# Map tiles (ADUAN_MAP_TILE_URL) are allowed per response, only on the pages that show a map
# (aduan.core.maps.map_csp adds the tile server's origin, and its a/b/c subdomains, to img-src).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Static and media files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))  # collectstatic fills it
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads on this server's disk (MEDIA_ROOT), or in an S3-compatible bucket (MinIO, a cloud's object
# store) with ADUAN_MEDIA_STORAGE=s3 and the optional extra: pip install 'aduan[s3]'. Files stay
# private: they are only ever served through Aduan's own views, which check who asks.
ADUAN_MEDIA_STORAGE = env.str("ADUAN_MEDIA_STORAGE", default="filesystem")
if ADUAN_MEDIA_STORAGE == "filesystem":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif ADUAN_MEDIA_STORAGE == "s3":
    if not env.str("ADUAN_S3_BUCKET", default=""):
        raise ImproperlyConfigured("ADUAN_MEDIA_STORAGE=s3 needs ADUAN_S3_BUCKET (and the 'aduan[s3]' extra)")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("ADUAN_S3_BUCKET"),
            "endpoint_url": env.str("ADUAN_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ADUAN_S3_REGION", default="") or None,
            # Empty: boto3 finds credentials itself (AWS_* variables, an instance role).
            "access_key": env.str("ADUAN_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ADUAN_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("ADUAN_S3_PREFIX", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"ADUAN_MEDIA_STORAGE={ADUAN_MEDIA_STORAGE}: use 'filesystem' or 's3'.")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Cache -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The admin's Impor (django-import-export) keeps an uploaded file between preview and confirmation in
# the cache (shared by every web process in production), not in a temporary folder of one host.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# --- E-mail ----------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Aduan <noreply@aduan.localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)  # a stalled SMTP server must not hold a worker

# --- Celery ----------------------------------------------------------------------------------
# Broker: CELERY_BROKER_URL, else REDIS_URL, else kombu's filesystem transport under var/celery.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # Publishing (on commit of a filing, a move) tries the broker twice at once, never waits:
        # with Redis down a request would otherwise stall ~6 s per message. The outbox row is
        # already committed; outbox_flush (beat, every minute) sends what could not be queued.
        "max_retries": 1,
        "interval_start": 0,
        "socket_connect_timeout": 3,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker started while the broker is down waits for it (and one that loses it reconnects by
# itself); nothing is lost meanwhile: the outbox rows wait in PostgreSQL (tests/fault/).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker keeps Django's LOGGING (its handlers redact tracking secrets) instead of replacing the
# root logger with its own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
# Queues (issue 20): time-critical work never waits behind heavy work. Each queue gets its own
# worker in production (deploy/systemd/aduan-worker@.service, docs/deploy.md); `make run`'s single
# worker consumes them all. Patterns are fnmatch globs; a task no line names goes to the default
# queue "celery" (also where messages queued before the split wait), so a worker must consume it
# too — tests/integration/test_queues.py fails for any aduan task not routed here.
#   sweep:         the SLA sweep (reminders, escalations, auto-resolution), digests, heartbeat,
#                  the Ombudsman's reminders of corrective actions
#   notifications: sending the outbox (e-mail, webhooks) and its retries
#   compliance:    score recomputes, the nightly rollup check, retention and other nightly batches
#   scans:         upload virus scans, reading the Pemdas' mailboxes (complaints by e-mail), and
#                  imports/exports when they run as tasks
ADUAN_CELERY_QUEUES = ("sweep", "notifications", "compliance", "scans", "celery")
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "aduan.sla.tasks.*": {"queue": "sweep"},
    "aduan.complaints.tasks.digests": {"queue": "sweep"},
    "aduan.core.tasks.heartbeat": {"queue": "sweep"},
    "aduan.ombudsman.tasks.actions_remind": {"queue": "sweep"},  # reminders of corrective actions
    "aduan.notifications.tasks.*": {"queue": "notifications"},
    "aduan.compliance.tasks.*": {"queue": "compliance"},
    "aduan.privacy.tasks.*": {"queue": "compliance"},
    "aduan.users.tasks.*": {"queue": "compliance"},  # nightly upkeep of accounts (expired tokens)
    "aduan.complaints.tasks.attachment*": {"queue": "scans"},
    "aduan.complaints.tasks.mailboxes_poll": {"queue": "scans"},  # complaints by e-mail: an import
    "aduan.*.tasks.*import*": {"queue": "scans"},
    "aduan.*.tasks.*export*": {"queue": "scans"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- REST framework --------------------------------------------------------------------------
# Session sign-in for the browser, per-user revocable, expiring tokens ("Authorization: Token <key>")
# for integrations. Errors come out of one handler as {"code", "message", ...} (aduan/api/exceptions.py).
# API tokens (django-rest-knox, aduan/users/tokens.py): only a SHA-512 digest is stored; each token
# expires ADUAN_API_TOKEN_TTL_DAYS after it is issued; a user holds at most ADUAN_API_TOKEN_LIMIT
# unexpired tokens. The "aduan_" prefix lets secret scanners and the log filter recognise a key.
ADUAN_API_TOKEN_TTL_DAYS = env.int("ADUAN_API_TOKEN_TTL_DAYS", default=90)
ADUAN_API_TOKEN_LIMIT = env.int("ADUAN_API_TOKEN_LIMIT", default=10)
if ADUAN_API_TOKEN_TTL_DAYS < 1 or ADUAN_API_TOKEN_LIMIT < 1:
    raise ImproperlyConfigured("ADUAN_API_TOKEN_TTL_DAYS and ADUAN_API_TOKEN_LIMIT must be at least 1.")
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=ADUAN_API_TOKEN_TTL_DAYS),
    "TOKEN_PREFIX": "aduan_",
    "AUTH_HEADER_PREFIX": "Token",  # the header integrations already send: Authorization: Token <key>
    "SECURE_HASH_ALGORITHM": "hashlib.sha512",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aduan.users.twofactor.TwoFactorTokenAuthentication",
        "aduan.users.twofactor.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Per signed-in user (aduan.core.throttle.LIMITS["api-staff"]); anonymous endpoints set their own.
    "DEFAULT_THROTTLE_CLASSES": ["aduan.api.throttling.StaffUserThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "aduan.api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "aduan.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aduan API",
    "DESCRIPTION": (
        "REST API of Aduan: file and follow complaints (aduan) as a citizen, work on them as staff, "
        "read reference data. Errors: JSON {code, message, field?, errors?}; messages follow "
        "Accept-Language (id, en)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ComplaintChannelEnum": "aduan.complaints.models.Channel",
        "GatewayChannelEnum": ["whatsapp", "sms"],
        "OmbudsmanReportStatusEnum": "aduan.ombudsman.models.ReportStatus",
        "StatusEnum": "aduan.complaints.models.Status",
    },
    "DISABLE_ERRORS_AND_WARNINGS": False,
}

# --- Logging ---------------------------------------------------------------------------------
# LOG_FORMAT=json (production: deploy/aduan.env.template) writes one JSON object per line. Every
# line carries the request id (X-Request-ID from nginx, or a new one; django-guid), which also
# travels with the Celery tasks a request queues.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT}: use 'plain' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
        "json": {
            "()": "aduan.core.log_filters.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(correlation_id)s %(message)s",
        },
    },
    "filters": {
        "no_tracking_secrets": {"()": "aduan.core.log_filters.RedactTrackingSecrets"},
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
    },
    # Every handler redacts tracking-link secrets, whichever logger a record comes from (e.g.
    # django.security.csrf logs "Forbidden (CSRF cookie not set.): /lacak/<secret>/aksi/").
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "no_tracking_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's template engine logs every missing variable at DEBUG with the page's whole
        # context, and the database backend every query with its values (a reporter's name,
        # e-mail, NIK): never below INFO, whatever LOG_LEVEL says (UU 27/2022).
        "django.template": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # Django's own handlers (DEFAULT_LOGGING: console when DEBUG, mail_admins) bypass the
        # filtered handler above: drop them, so every django.* record goes to the root's handler.
        "django": {"level": "INFO", "handlers": [], "propagate": True},
        # Paths of 4xx/5xx answers and of runserver's access log: without tracking-link secrets
        # (also on the loggers, for handlers attached outside this dict, e.g. an error tracker).
        "django.request": {"filters": ["no_tracking_secrets"]},
        "django.server": {"filters": ["no_tracking_secrets"], "propagate": True},
        # Its INFO lines ("Setting task request header as ...") say nothing an operator needs.
        "django_guid": {"level": "WARNING"},
    },
}
# Server errors: Sentry when SENTRY_DSN is set (pip install 'aduan[sentry]'; aduan/core/errors.py),
# otherwise an e-mail to ADMINS ("Name <e-mail>, ..."). Both redacted like the logs.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
ADMINS = getaddresses(env.list("ADMINS", default=[]))
if ADMINS and not SENTRY_DSN:
    LOGGING["handlers"]["mail_admins"] = {
        "class": "aduan.core.errors.AdminEmailHandler",
        "level": "ERROR",
        "formatter": "plain",
        "filters": ["request_id", "no_tracking_secrets"],
    }
    LOGGING["root"]["handlers"].append("mail_admins")
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",  # nginx: proxy_set_header X-Request-ID $request_id
    "VALIDATE_GUID": True,  # anything but a UUID is replaced by a new id
    "UUID_LENGTH": 32,
    "INTEGRATIONS": [CeleryIntegration()],
}

# --- Aduan -----------------------------------------------------------------------------------
# Base URL used in links inside notifications (tracking links, staff pages).
ADUAN_SITE_URL = env.str("ADUAN_SITE_URL", default="http://127.0.0.1:8000")
# Public statistics are cached this many seconds (0: computed on every request).
ADUAN_PUBLIC_STATS_CACHE_SECONDS = env.int("ADUAN_PUBLIC_STATS_CACHE_SECONDS", default=300)
# Dashboard metrics are cached this many seconds per Pemda and period (0: computed on every request).
ADUAN_METRICS_CACHE_SECONDS = env.int("ADUAN_METRICS_CACHE_SECONDS", default=600)
# Signed webhook for an SMS / WhatsApp gateway (citizens who left only a phone number).
ADUAN_WEBHOOK_URL = env.str("ADUAN_WEBHOOK_URL", default="")
ADUAN_WEBHOOK_SECRET = env.str("ADUAN_WEBHOOK_SECRET", default="")
# The SMS/WhatsApp gateway signs what it sends in (POST /api/v1/gateway/inbound/) with this key;
# empty: every inbound message is refused.
ADUAN_GATEWAY_INBOUND_SECRET = env.str("ADUAN_GATEWAY_INBOUND_SECRET", default="")
# Inbound e-mail (aduan/complaints/mailbox.py): a message above this size is not downloaded; its
# headers are kept for the koordinator and it stays in the mailbox. Each mailbox's password is in the
# environment variable its settings name (ADUAN_MAIL_…).
ADUAN_MAIL_MAX_MESSAGE_BYTES = env.int("ADUAN_MAIL_MAX_MESSAGE_BYTES", default=100 * 1024 * 1024)
ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = env.bool("ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK", default=False)
# Filing allowance per client address and hour (aduan.core.throttle.LIMITS): complaints filed, and
# posts of the form or the API (mistakes included). Raise them when many citizens share one address
# (phone carriers' CGNAT, warnets, a kelurahan's front desk).
ADUAN_FILED_PER_HOUR = env.int("ADUAN_FILED_PER_HOUR", default=10)
ADUAN_FILING_POSTS_PER_HOUR = env.int("ADUAN_FILING_POSTS_PER_HOUR", default=60)
# Map tiles (Leaflet, vendored) for the maps of the filing form, the staff complaint page and the
# OPD's map (aduan/core/maps.py): an OpenStreetMap-compatible tile server of the Pemda, e.g.
# https://tiles.example.id/{z}/{x}/{y}.png ({s} for a/b/c subdomains). Empty: the pin is drawn on a
# plain grid with its coordinates and a link to openstreetmap.org; the pages load nothing external.
ADUAN_MAP_TILE_URL = env.str("ADUAN_MAP_TILE_URL", default="")
ADUAN_MAP_TILE_ATTRIBUTION = env.str("ADUAN_MAP_TILE_ATTRIBUTION", default="© OpenStreetMap contributors")
# Where a map without a pin opens (the filing form before the citizen places one): "lat,lon,zoom".
ADUAN_MAP_CENTER = env.str("ADUAN_MAP_CENTER", default="-2.5,118.0,5")
# Retention of personal data per data class (UU 27/2022), in days counted from the complaint's
# closing; the daily job aduan.privacy.tasks.retention_apply acts on closed complaints only.
RETENTION_MIN_DAYS = 90  # above any Pemda's reopen window: a reopened complaint keeps its reporter


def _retention_days(var: str, default: int) -> int:
    days = env.int(var, default=default)
    if days < RETENTION_MIN_DAYS:
        raise ImproperlyConfigured(f"{var}={days}: retention must be at least {RETENTION_MIN_DAYS} days")
    return days


ADUAN_RETENTION_DAYS = {
    "reporter_identity": _retention_days("ADUAN_RETENTION_IDENTITY_DAYS", 5 * 365),
    "attachments": _retention_days("ADUAN_RETENTION_ATTACHMENTS_DAYS", 2 * 365),
    "outbox": _retention_days("ADUAN_RETENTION_OUTBOX_DAYS", 365),
}
# Reverse proxies (nginx on this host: 127.0.0.1) whose X-Real-IP header names the client
# (aduan/core/proxy.py); empty: REMOTE_ADDR as the server saw it.
ADUAN_TRUSTED_PROXIES = env.list("ADUAN_TRUSTED_PROXIES", default=[])
# Operations (aduan/ops/): /readyz and /metrics answer these addresses or networks without sign-in
# (anyone else: a signed-in superuser only). Readiness fails above these limits.
ADUAN_OPS_ALLOWED_IPS = env.list("ADUAN_OPS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
ADUAN_READINESS = {
    "heartbeat_max_age_seconds": env.int("ADUAN_READY_HEARTBEAT_MAX_AGE", default=300),
    "grace_minutes": env.int("ADUAN_READY_GRACE_MINUTES", default=15),
    "outbox_pending_max": env.int("ADUAN_READY_OUTBOX_PENDING_MAX", default=100),
    "outbox_failed_max": env.int("ADUAN_READY_OUTBOX_FAILED_MAX", default=50),
    "quarantine_max": env.int("ADUAN_READY_QUARANTINE_MAX", default=50),
}
# Upload virus scanning (aduan/core/scanning.py): files are quarantined until the scanner calls them
# clean. ClamAV's clamd is used when ADUAN_CLAMD_HOST or ADUAN_CLAMD_SOCKET is set; otherwise
# nothing is scanned (files pass, marked "tidak dipindai"). ADUAN_UPLOAD_SCANNER overrides the choice.
ADUAN_CLAMD_HOST = env.str("ADUAN_CLAMD_HOST", default="")
ADUAN_CLAMD_PORT = env.int("ADUAN_CLAMD_PORT", default=3310)
ADUAN_CLAMD_SOCKET = env.str("ADUAN_CLAMD_SOCKET", default="")
ADUAN_CLAMD_TIMEOUT = env.float("ADUAN_CLAMD_TIMEOUT", default=30.0)
ADUAN_UPLOAD_SCANNER = env.str(
    "ADUAN_UPLOAD_SCANNER",
    default="aduan.core.scanning."
    + ("ClamdScanner" if ADUAN_CLAMD_HOST or ADUAN_CLAMD_SOCKET else "NoScanner"),
)
