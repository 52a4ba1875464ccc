"""Django settings for Doudi, read from environment variables (every one is in .env.example)."""

from __future__ import annotations

import base64
import os
import secrets
import string
from pathlib import Path

import dj_database_url
from django.contrib.messages import constants as message_constants

from doudi import config

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

DOUDI_ENV = config.env_choice("DOUDI_ENV", "development", ("development", "production", "test"))
PRODUCTION = DOUDI_ENV == "production"
DATA_DIR = config.data_directory("DOUDI_DATA_DIR", PROJECT_DIR / "var")
if DOUDI_ENV == "test" and os.environ.get("PYTEST_XDIST_WORKER"):
    # Parallel test processes have databases of their own, so the same row ids: the files named
    # by id (exports, imports, reports) must not meet in one directory.
    DATA_DIR = DATA_DIR / os.environ["PYTEST_XDIST_WORKER"]
    DATA_DIR.mkdir(exist_ok=True)

DEBUG = config.env_bool("DOUDI_DEBUG", False)
SECRET_KEY = config.secret_key("SECRET_KEY", DATA_DIR, may_generate=not PRODUCTION)
# Personal data at rest: Fernet keys (the first encrypts, all decrypt, so keys can be rotated)
# and a separate key for the keyed hashes that equality lookups use.
# The embedded default keeps them in the data directory's key file, comma-separated as well
# (``doudi keys add`` puts a new one first).
FIELD_ENCRYPTION_KEYS = config.env_list(
    "DOUDI_FIELD_KEYS",
    config.generated_secret(
        "DOUDI_FIELD_KEYS",
        DATA_DIR,
        filename="field_key",
        make=lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),
        may_generate=not PRODUCTION,
    ).split(","),
)
config.check_fernet_keys("DOUDI_FIELD_KEYS", FIELD_ENCRYPTION_KEYS)
LOOKUP_HASH_KEY = config.generated_secret(
    "DOUDI_HASH_KEY",
    DATA_DIR,
    filename="hash_key",
    make=lambda: secrets.token_urlsafe(32),
    may_generate=not PRODUCTION,
)
ALLOWED_HOSTS = config.env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])
# The address reporters reach the public pages at (in notices and on printed receipts).
DOUDI_PUBLIC_URL = config.env_str("DOUDI_PUBLIC_URL", "http://127.0.0.1:8000")

if PRODUCTION:
    if DEBUG:
        raise config.ConfigError("DOUDI_DEBUG must be off when DOUDI_ENV=production")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise config.ConfigError("SECRET_KEY is too weak for production: use 50+ random characters")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise config.ConfigError("ALLOWED_HOSTS must list the site's host names in production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "axes",
    "ninja",
    "doudi.core",
    "doudi.directory",
    "doudi.accounts",
    "doudi.audit",
    "doudi.workcal",
    "doudi.cases",
    "doudi.deadlines",
    "doudi.triage",
    "doudi.workorders",
    "doudi.feedback",
    "doudi.accountability",
    "doudi.analytics",
    "doudi.exports",
    "doudi.imports",
    "doudi.reports",
    "doudi.notify",
    "doudi.policy",
    "doudi.search",
    "doudi.api",
    "doudi.open311",
    # Last: its own "import" and "export" commands give way to doudi's (doudi import FILE).
    "import_export",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "doudi.urls"
WSGI_APPLICATION = "doudi.wsgi.application"

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
                "doudi.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASE_URL = config.database_url("DATABASE_URL", DATA_DIR)
# Connections are kept between requests (one per server thread), SQLite's too: opening one
# and running its PRAGMAs again cost more than a small case insert (docs/benchmarks.md, API).
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # that two writers queue on the busy timeout instead of failing with "database is locked".
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": config.env_int("DOUDI_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
    }
    if config.env_bool("DOUDI_TEST_SQLITE_FILE", False):
        # Browser tests: Django's in-memory test database is shared-cache SQLite, whose table
        # locks ignore the busy timeout, so two concurrent requests to the live server can fail
        # with "database table is locked". A file database behaves as production does.
        _db["TEST"] = {"NAME": str(DATA_DIR / "test-browser.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Plan for SSD storage (PostgreSQL's default random_page_cost of 4 assumes spinning
    # disks): the dashboard's joins of a period's cases then use their indexes instead of
    # hashing whole tables. An operator who has tuned the server sets DOUDI_PG_OPTIONS=none.
    _pg_options = config.env_str("DOUDI_PG_OPTIONS", "-c random_page_cost=1.1")
    if _pg_options.lower() != "none":
        _db["OPTIONS"] = {"options": _pg_options}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (Huey): SQLite file in the embedded default, Redis in scale-out ----------------
REDIS_URL = config.redis_url("REDIS_URL")
_huey_common = {
    "name": "doudi",
    "immediate": config.env_bool("DOUDI_HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {
        "workers": config.env_int("DOUDI_WORKERS", 2, minimum=1),
        "worker_type": "thread",
        "periodic": True,
        "check_worker_health": True,
    },
}
if REDIS_URL:
    HUEY = {**_huey_common, "huey_class": "huey.PriorityRedisHuey", "url": REDIS_URL}
else:
    HUEY = {
        **_huey_common,
        "huey_class": "huey.SqliteHuey",
        "filename": str(DATA_DIR / "queue.sqlite3"),
    }

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Notifications to reporters (doudi.notify): SMS and e-mail backends ------------------------
# console logs one line per message (number masked); file writes a dev outbox under
# DATA_DIR/outbox (full addresses: never in production); http/smtp reach real providers.
NOTIFY_SMS_BACKEND = config.env_choice("DOUDI_SMS_BACKEND", "console", ("console", "file", "http"))
NOTIFY_SMS_URL = config.env_str("DOUDI_SMS_URL", "")
NOTIFY_SMS_BODY_TEMPLATE = config.env_str(
    "DOUDI_SMS_BODY_TEMPLATE", '{"phone": "$phone", "text": "$text"}'
)
NOTIFY_SMS_CONTENT_TYPE = config.env_str("DOUDI_SMS_CONTENT_TYPE", "application/json")
NOTIFY_SMS_TOKEN = config.env_str("DOUDI_SMS_TOKEN", "")
NOTIFY_SMS_SIGN = config.env_str("DOUDI_SMS_SIGN", "【兜底】")
if NOTIFY_SMS_BACKEND == "http" and not NOTIFY_SMS_URL.startswith(("http://", "https://")):
    raise config.ConfigError("DOUDI_SMS_URL must be an http(s):// URL when DOUDI_SMS_BACKEND=http")
_sms_template = string.Template(NOTIFY_SMS_BODY_TEMPLATE)
_sms_variables = {"phone", "text", "sign", "body"}
if not _sms_template.is_valid() or not set(_sms_template.get_identifiers()) <= _sms_variables:
    raise config.ConfigError("DOUDI_SMS_BODY_TEMPLATE may use only $phone, $text, $sign, $body")
NOTIFY_EMAIL_BACKEND = config.env_choice(
    "DOUDI_EMAIL_BACKEND", "console", ("console", "file", "smtp")
)
EMAIL_HOST = config.env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = config.env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = config.env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = config.env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = config.env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = config.env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = config.env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
NOTIFY_MAX_ATTEMPTS = config.env_int("DOUDI_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
# How long the outbox rows a process commits wait to be handed to the worker together
# (doudi/notify/actions.py, _kick_delivery): one task per that time, not one per message; the
# tests queue one per commit, at once.
NOTIFY_KICK_SECONDS = (
    config.env_int("DOUDI_NOTIFY_KICK_MS", 0 if DOUDI_ENV == "test" else 500, minimum=0) / 1000
)
# How often a process seals the audit log after commits (doudi/audit/actions.py, seal_soon);
# the tests seal after every commit.
DOUDI_AUDIT_SEAL_SECONDS = (
    config.env_int("DOUDI_AUDIT_SEAL_MS", 0 if DOUDI_ENV == "test" else 1000, minimum=0) / 1000
)
# How long a process keeps the search term counts' changes before writing them together
# (doudi/search/actions.py, queue_terms); the tests write them at once.
DOUDI_SEARCH_TERMS_SECONDS = (
    config.env_int("DOUDI_SEARCH_TERMS_MS", 0 if DOUDI_ENV == "test" else 1000, minimum=0) / 1000
)
# How long a process keeps a bearer token it has checked (doudi/api/access.py, token_for): a
# token revoked in another process works that much longer; the tests keep none.
DOUDI_TOKEN_CACHE_SECONDS = (
    config.env_int("DOUDI_TOKEN_CACHE_MS", 0 if DOUDI_ENV == "test" else 2000, minimum=0) / 1000
)
# How long a process keeps the centres and service items it looked up by code
# (doudi/directory/selectors.py): a change made in another process is seen that much later.
DOUDI_DIRECTORY_CACHE_SECONDS = (
    config.env_int("DOUDI_DIRECTORY_CACHE_MS", 0 if DOUDI_ENV == "test" else 30000, minimum=0)
    / 1000
)
# Every message template gets these; a caller may pass its own (the case's centre, say).
NOTIFY_CENTRE_NAME = config.env_str("DOUDI_NOTIFY_CENTRE_NAME", "政务服务中心")
NOTIFY_TRACK_URL = f"{DOUDI_PUBLIC_URL.rstrip('/')}/track/"
NOTIFY_OUTBOX_DIR = DATA_DIR / "outbox"

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if DOUDI_ENV == "test":  # the same algorithm at its smallest cost (doudi/accounts/hashers.py)
    PASSWORD_HASHERS.insert(0, "doudi.accounts.hashers.QuickArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: after AXES_FAILURE_LIMIT failures for one user name from one address, that pair is
# locked for AXES_COOLOFF_TIME; a successful login resets the count.
AXES_FAILURE_LIMIT = config.env_int("DOUDI_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = config.env_int("DOUDI_LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_ENABLED = config.env_bool("DOUDI_LOGIN_LOCKOUT", True)

# Sessions end after SESSION_COOKIE_AGE of inactivity (saved on every request) and at browser close.
# Bootstrap names the alert colour of an error "danger": without this, error messages were
# drawn as plain text (alert-error has no style).
MESSAGE_TAGS = {message_constants.ERROR: "danger"}

SESSION_COOKIE_AGE = config.env_int("DOUDI_SESSION_MINUTES", 30, minimum=5) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers -------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = config.env_bool("DOUDI_HTTPS", PRODUCTION)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = config.env_bool("DOUDI_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = config.env_int("DOUDI_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content Security Policy (django-csp): scripts, styles, fonts and images come from this site
# only (the front-end libraries are served from static files), no inline script runs, and no
# page may be framed. Inline style attributes stay allowed (style-src-attr): charts and
# progress bars set widths with them; <style> elements are not. A response that set its own
# policy (an attachment: sandboxed) keeps it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation: Simplified Chinese first, English through i18n --------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = config.env_str("DOUDI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files: built from npm packages at set-up, served by whitenoise --------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [("vendor", PROJECT_DIR / "build" / "vendor")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DOUDI_ENV == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DOUDI_IMPORT_MAX_BYTES = config.env_int("DOUDI_IMPORT_MAX_MB", 10, minimum=1) * 1024 * 1024

# Retention: the reporter's personal data in a case settled longer ago than this many days is
# removed by a nightly task (cases_anonymise_expired); the case itself and its figures stay.
DOUDI_RETENTION_DAYS = config.env_int("DOUDI_RETENTION_DAYS", 3 * 365, minimum=30)

# Routing suggestions (doudi.triage.routing): the newest settled cases a training reads per
# target, and how many newly answered cases make the nightly task train a new version.
DOUDI_ROUTING_MAX_EXAMPLES = config.env_int("DOUDI_ROUTING_MAX_EXAMPLES", 50000, minimum=100)
DOUDI_ROUTING_RETRAIN_AFTER = config.env_int("DOUDI_ROUTING_RETRAIN_AFTER", 50, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": config.env_str("DOUDI_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Huey's consumer installs its own handler; the task-by-task lines are noise.
        "huey": {"level": "WARNING", "propagate": False},
        "huey.consumer": {"level": "INFO"},
    },
}
