"""Settings for the SEND register, read from the environment (django-environ).

Every value has a safe default: DEBUG is off unless the run target turns it on,
and SECRET_KEY must be given whenever DEBUG is off (except under the tests).
"""

import sys
from pathlib import Path

import environ
import jinja2
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789abcdef"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if (DEBUG or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "django_celery_beat",
    # Floors, lowest first (docs/architecture in ../shared/ARCHITECTURE.md).
    "send_register",
    "accounts",
    "pupils",
    "concerns",
    "support_plans",
    "support_plans.interventions",
    "reviews",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "send_register.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "send_register.middleware.SessionActivityMiddleware",
    "send_register.datacache.DataVersionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "accounts.sessions.SessionRecordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "send_register.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "send_register.context_processors.school",
            ],
        },
    },
    {
        # Jinja2 renders only the few table fragments on the busiest pages, a
        # row at a time faster than Django's templates (send_register/fragments.py).
        "NAME": "fragments",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "fragments"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": True, "undefined": jinja2.StrictUndefined, "auto_reload": DEBUG},
    },
]

WSGI_APPLICATION = "send_register.wsgi.application"

# Database: SQLite file by default (make run); PostgreSQL through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads live outside the web root and are only ever served through
# access-checked views (pupils.views.document_download and friends).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
SEND_MAX_UPLOAD_BYTES = env.int("SEND_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Every upload is scanned by ClamAV's daemon (send_register.scanning). With no
# CLAMD_HOST, or while clamd is down, uploads wait in quarantine (not served)
# until the periodic scan passes them. clamd's StreamMaxLength must be at least
# SEND_MAX_UPLOAD_BYTES.
CLAMD_HOST = env.str("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)
# Explicitly for make run and the tests only: with DEBUG (or under pytest) and
# no scanner configured, an unscanned upload counts as clean, with a warning
# in the log. Outside DEBUG this is always off whatever the environment says:
# production never skips the scan, it quarantines.
UPLOAD_SCAN_SKIP = (DEBUG or TESTING) and not CLAMD_HOST and env.bool("UPLOAD_SCAN_SKIP", default=True)

# Email: console by default, SMTP (or anything) through EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The address people use to reach the register, for links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SEND register <send-register@example.org>")

# Cache: Redis when the deployment has it (shared by the web workers), else
# each process's memory. Cached figures are keyed by the data's version
# (send_register.datacache), so either is correct; the tests use memory so
# that parallel test databases never share entries.
# CACHE_URL names a Redis that keeps nothing on disk (the cached parts of
# pupils' pages are children's data: docs/security.md); REDIS_URL otherwise.
CACHE_URL = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "send-register"}
    if TESTING or not CACHE_URL
    else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
          "KEY_PREFIX": "send", "TIMEOUT": 24 * 3600,
          # Redis down must not hang a page: datacache.cached() computes instead.
          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
}

# Celery: with no broker configured, tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not (REDIS_URL or env.str("CELERY_BROKER_URL", default="")))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang for long when the broker is down: the outbox
# keeps the work and the periodic drain sends it later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "drain-outbox": {"task": "send_register.tasks.drain_outbox", "schedule": 60.0},
    "drain-password-resets": {"task": "accounts.tasks.drain_password_resets", "schedule": 60.0},
    "drain-pdf-jobs": {"task": "send_register.tasks.drain_pdf_jobs", "schedule": 120.0},
    # A PDF whose worker died (no heartbeat for a minute) goes back in the queue.
    "requeue-stalled-pdf-jobs": {"task": "send_register.tasks.requeue_stalled_pdf_jobs", "schedule": 30.0},
    "worker-heartbeat": {"task": "send_register.tasks.heartbeat", "schedule": 60.0},
    # The daily reminder sweep is driven from the database: this asks every
    # 5 minutes whether today's is due (reviews.reminders.sweep_if_due), so a
    # run missed while the broker was down is not lost.
    "reminder-sweep": {"task": "reviews.tasks.sweep_if_due", "schedule": 300.0},
    "prune-data-changes": {"task": "send_register.tasks.prune_data_changes", "schedule": 3600.0},
    "retention": {"task": "pupils.retention.apply_retention_task", "schedule": 7 * 24 * 3600.0},
    "scan-quarantined-uploads": {"task": "send_register.scanning.scan_quarantined_uploads", "schedule": 300.0},
}
CELERY_IMPORTS = ["pupils.retention", "send_register.scanning"]

# Retention of leavers' SEND records (DOMAIN.md 8.2): date of birth + 31 years
# (IRMS), then anonymised (or deleted) by the weekly job.
SEND_RETENTION_YEARS = env.int("SEND_RETENTION_YEARS", default=31)
SEND_RETENTION_ACTION = env.str("SEND_RETENTION_ACTION", default="anonymise")

# Security.
SEND_REQUIRE_MFA = env.bool("SEND_REQUIRE_MFA", default=not DEBUG)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)  # inactivity timeout
# Not on every request: send_register.middleware.SessionActivityMiddleware
# renews the expiry at most once a minute (docs/performance.md).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "send_register.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if (DEBUG or TESTING) else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# django-axes: lock out after repeated failures, per username and IP.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A second limit per address alone, whatever the account (accounts/lockout.py).
AXES_HANDLER = "accounts.lockout.AddressLimitHandler"
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
# Proxies in front of the app that the school controls (0: none, the client is
# REMOTE_ADDR; 1: one load balancer that appends to X-Forwarded-For; ...).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
# Monitoring that sends "Authorization: Bearer <token>" reads /healthz's detail.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
AXES_CLIENT_IP_CALLABLE = "send_register.addresses.client_address"
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="SEND register")

# Step-up (accounts/stepup.py): the most sensitive actions (a subject access
# export, the register CSV, a confidential document) need an authenticator
# code checked within this many minutes.
SEND_STEPUP_MINUTES = env.int("SEND_STEPUP_MINUTES", default=5)
# Authenticator secrets are encrypted at rest (accounts/devices.py) with
# Fernet keys from the environment, newest first: the first encrypts, every
# one decrypts (rotation: add a new key in front, run `manage.py
# mfa_rotate_key`, then drop the old one). Required when DEBUG is off (a
# system check refuses to start without it); DEBUG and the tests use a fixed
# development key.
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
# Unusual access (pupils/audit.py): a member of staff who opens more pupils'
# records in an hour than the larger of this floor and this many times their
# own usual hourly number is reported to the head and the SENCo.
SEND_UNUSUAL_ACCESS_FLOOR = env.int("SEND_UNUSUAL_ACCESS_FLOOR", default=30)
SEND_UNUSUAL_ACCESS_FACTOR = env.int("SEND_UNUSUAL_ACCESS_FACTOR", default=3)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.0.0"
# crispy-forms-gds styles text, email and password inputs only: give number,
# web address, date and time inputs the GOV.UK input style too.
CRISPY_CLASS_CONVERTERS = {
    "numberinput": "govuk-input",
    "urlinput": "govuk-input",
    "dateinput": "govuk-input",
    "timeinput": "govuk-input",
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Small-number suppression for published statistics (DOMAIN.md 8.5): a design
# default, configurable.
SEND_SUPPRESSION_THRESHOLD = env.int("SEND_SUPPRESSION_THRESHOLD", default=5)
# Breakdowns (by need, year group, sex) are withheld when fewer pupils than this have SEN.
SEND_BREAKDOWN_MINIMUM = env.int("SEND_BREAKDOWN_MINIMUM", default=10)

# Logging: no personal data. Messages name ids, never names, UPNs or dates of
# birth; a filter scrubs anything that looks like one anyway (send_register/logs.py).
# LOG_FORMAT=json writes one JSON object per line for log collectors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "send_register.logs.RedactPersonalData"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "send_register.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="plain"),
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "celery": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
