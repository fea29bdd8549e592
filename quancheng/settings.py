"""Django settings for Quancheng, read from the environment (see ``.env.example``)."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from quancheng.env import (
    env_bool,
    env_int,
    env_list,
    env_path,
    env_proxy_ssl_header,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("QUANCHENG_DATA_DIR", Path.cwd() / "var")


def _secret_key() -> str:
    """The key from QUANCHENG_SECRET_KEY, else one generated once into DATA_DIR/secret_key."""
    key = env_str("QUANCHENG_SECRET_KEY", "")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("QUANCHENG_DEBUG", False)
ALLOWED_HOSTS = env_list("QUANCHENG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("QUANCHENG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "axes",
    "quancheng.agencies",
    "quancheng.policies",
    "quancheng.ledger",
    "quancheng.devices",
    "quancheng.cases",
    "quancheng.media",
    "quancheng.uploads",
    "quancheng.documents",
    "quancheng.casefile",
    "quancheng.api",
    "quancheng.web",
    "quancheng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "quancheng.web.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "quancheng.urls"
WSGI_APPLICATION = "quancheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'quancheng.sqlite3'}"),
        conn_max_age=env_int("QUANCHENG_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer appends; IMMEDIATE takes the write lock at the
    # start of a transaction, so concurrent writers queue instead of failing mid-way, for up
    # to QUANCHENG_SQLITE_TIMEOUT seconds; then "database is locked" (a background task that
    # meets it is queued again, see docs/media-processing.md). The backend queues the
    # writers of one process on a lock of its own (quancheng/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "quancheng.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("QUANCHENG_SQLITE_TIMEOUT", 30),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # In memory unless a file is named (":memory:" said outright: pytest-django recognizes
    # an in-memory test database by name, or else by Django's own engine path).
    DATABASES["default"]["TEST"] = {"NAME": env_str("QUANCHENG_TEST_SQLITE", "") or ":memory:"}
# PostgreSQL: the ledger's hot statements (append, lock and head, insert) are prepared once per
# connection. Set 0 behind a pooler that cannot keep prepared statements (PgBouncer before
# 1.21, or without max_prepared_statements, in transaction mode).
QUANCHENG_DB_PREPARE = env_bool("QUANCHENG_DB_PREPARE", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "agencies.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:list"
LOGOUT_REDIRECT_URL = "login"

# Passwords (docs/web.md, "Accounts"): checked wherever one is set (``quancheng user``, the
# password-change page). 12 characters: longer than Django's 8, which with the list of common
# passwords still lets short guessable ones through; shorter than the 15 NIST SP 800-63B asks
# of a password used alone, so an officer can still type it on a phone.
QUANCHENG_PASSWORD_MIN_LENGTH = env_int("QUANCHENG_PASSWORD_MIN_LENGTH", 12)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {
        "NAME": "quancheng.agencies.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": QUANCHENG_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes, its tables in the database so every gunicorn worker sees the
# same counts). A lock falls on an account after 5 wrong passwords, or on an address after 30
# (one office behind one NAT address holds many officers), counted while failures keep coming
# less than 15 minutes apart; it lasts 15 minutes (attempts during it do not prolong it), or
# until ``quancheng user unlock``. axes has one limit for all its parameters, so the handler
# counts each against its own (agencies/throttle.py). API tokens are not throttled: they are
# 256 random bits, nothing to guess.
AUTHENTICATION_BACKENDS = [
    "quancheng.agencies.throttle.SignInGate",  # axes: refuses while locked
    "django.contrib.auth.backends.ModelBackend",
]
QUANCHENG_SIGN_IN_LIMITS = {
    "username": env_int("QUANCHENG_SIGN_IN_FAILURES_PER_ACCOUNT", 5),
    "ip_address": env_int("QUANCHENG_SIGN_IN_FAILURES_PER_ADDRESS", 30),
}
QUANCHENG_SIGN_IN_LOCK_MINUTES = env_int("QUANCHENG_SIGN_IN_LOCK_MINUTES", 15)
if min(*QUANCHENG_SIGN_IN_LIMITS.values(), QUANCHENG_SIGN_IN_LOCK_MINUTES) < 1:
    raise ImproperlyConfigured(
        "QUANCHENG_SIGN_IN_FAILURES_PER_* and QUANCHENG_SIGN_IN_LOCK_MINUTES must be 1 or more."
    )
AXES_HANDLER = "quancheng.agencies.throttle.SignInThrottle"
AXES_LOCKOUT_PARAMETERS = list(QUANCHENG_SIGN_IN_LIMITS)
AXES_FAILURE_LIMIT = 1  # the handler's count is how many of the limits above are reached
AXES_COOLOFF_TIME = dt.timedelta(minutes=QUANCHENG_SIGN_IN_LOCK_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "quancheng.web.accounts.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # the ledger records every sign-in; axes keeps only the counts
AXES_ENABLE_ADMIN = False  # unlock with ``quancheng user unlock``, which the ledger records
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, unless a reverse proxy sets a header (docs/web.md), e.g.
# QUANCHENG_CLIENT_IP_HEADERS=HTTP_X_FORWARDED_FOR,REMOTE_ADDR with QUANCHENG_PROXY_COUNT=1
# behind one nginx that appends to X-Forwarded-For: the right-most entry the proxies added.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(env_list("QUANCHENG_CLIENT_IP_HEADERS", ["REMOTE_ADDR"]))
AXES_IPWARE_PROXY_COUNT = env_int("QUANCHENG_PROXY_COUNT", 0) or None
AXES_IPWARE_PROXY_ORDER = "right-most"

LANGUAGE_CODE = env_str("QUANCHENG_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("QUANCHENG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {"BACKEND": env_str("QUANCHENG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}
}

# Transport, cookies and what a browser may run (docs/web.md, "Security headers").
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("QUANCHENG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # the pages' scripts take the token from the page, not the cookie
SESSION_COOKIE_AGE = env_int("QUANCHENG_SESSION_HOURS", 8) * 3600
if SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("QUANCHENG_SESSION_HOURS must be 1 or more hours.")
# HSTS with secure cookies (sent on https requests only): a year, by default for this host.
SECURE_HSTS_SECONDS = (
    env_int("QUANCHENG_HSTS_SECONDS", 365 * 24 * 3600) if SESSION_COOKIE_SECURE else 0
)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("QUANCHENG_HSTS_SECONDS must be 0 (off) or more seconds.")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("QUANCHENG_HSTS_INCLUDE_SUBDOMAINS", False)
# The header a TLS-terminating proxy sets for https requests, e.g. X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("QUANCHENG_PROXY_SSL_HEADER")
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response that does not set its own (media responses
# send "sandbox", quancheng.media.serving): scripts and styles from our static files only.
MIDDLEWARE.append("csp.middleware.CSPMiddleware")
# Inside CSP's, so the lockout page it makes of a refused sign-in carries the policy too.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refusal (403) is one line (method, path, user, reason), not a traceback.
    "filters": {"one_line_refusals": {"()": "quancheng.web.refusals.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": env_str("QUANCHENG_LOG_LEVEL", "WARNING")},
}

# Policy packs: the bundled ones, plus an optional directory of an agency's own.
QUANCHENG_PACK_DIRS = [PACKAGE_DIR / "policies" / "packs"] + [
    Path(p) for p in env_list("QUANCHENG_EXTRA_PACK_DIRS", [])
]

# Media store (docs/media-storage.md): originals under their digest, locally or in S3.
QUANCHENG_MEDIA_STORAGE = env_str("QUANCHENG_MEDIA_STORAGE", "local")
QUANCHENG_MEDIA_DIR = env_path("QUANCHENG_MEDIA_DIR", DATA_DIR / "media")
QUANCHENG_GUOMI = env_bool("QUANCHENG_GUOMI", False)  # 国密 mode: SM3 digests as well
QUANCHENG_S3_BUCKET = env_str("QUANCHENG_S3_BUCKET", "")
QUANCHENG_S3_ENDPOINT_URL = env_str("QUANCHENG_S3_ENDPOINT_URL", "")
QUANCHENG_S3_REGION = env_str("QUANCHENG_S3_REGION", "")
QUANCHENG_S3_PREFIX = env_str("QUANCHENG_S3_PREFIX", "")
QUANCHENG_S3_RETENTION_DAYS = env_int("QUANCHENG_S3_RETENTION_DAYS", 3650)

# Resumable (tus) uploads: the largest file accepted, and how long an unfinished upload
# lives after its last bytes arrived (``quancheng uploads expire`` removes it then).
QUANCHENG_UPLOAD_MAX_SIZE = env_int("QUANCHENG_UPLOAD_MAX_SIZE", 64 * 1024**3)
QUANCHENG_UPLOAD_EXPIRY_HOURS = env_int("QUANCHENG_UPLOAD_EXPIRY_HOURS", 72)

# Input bounds (docs/api.md, "Ranges and bounds"): the most characters of a text without a
# column length (a TextField, a record's long-text field), and the largest case exchange file
# ``quancheng check`` / ``import`` read (docs/exchange.md).
QUANCHENG_MAX_TEXT = env_int("QUANCHENG_MAX_TEXT", 65_536)
QUANCHENG_EXCHANGE_MAX_BYTES = env_int("QUANCHENG_EXCHANGE_MAX_BYTES", 64 * 1024**2)
if QUANCHENG_MAX_TEXT < 1 or QUANCHENG_EXCHANGE_MAX_BYTES < 1:
    raise ImproperlyConfigured("QUANCHENG_MAX_TEXT and QUANCHENG_EXCHANGE_MAX_BYTES must be > 0.")

# Requests of one server process that run at once (quancheng/web/admission.py); the rest
# wait their turn, their small bodies already read. 0 admits every thread at once.
QUANCHENG_WEB_SLOTS = env_int("QUANCHENG_WEB_SLOTS", 4)
# A case's engine snapshot is kept between views until the case changes
# (casefile/snapshot_cache.py), up to this many MiB per process; 0 keeps none.
QUANCHENG_SNAPSHOT_CACHE_MB = env_int("QUANCHENG_SNAPSHOT_CACHE_MB", 32)

# Media processing (docs/media-processing.md): time limits for ffprobe and ffmpeg, seconds.
QUANCHENG_FFPROBE_TIMEOUT = env_int("QUANCHENG_FFPROBE_TIMEOUT", 120)
QUANCHENG_THUMBNAIL_TIMEOUT = env_int("QUANCHENG_THUMBNAIL_TIMEOUT", 120)
QUANCHENG_PROXY_TIMEOUT = env_int("QUANCHENG_PROXY_TIMEOUT", 6 * 3600)

# Ledger (docs/ledger.md): the file holding the Ed25519 key that signs checkpoints, encrypted
# with the passphrase in QUANCHENG_LEDGER_KEY_PASSPHRASE (read only when signing); the origin
# naming this installation's logs in checkpoints; and the key's name in signatures.
QUANCHENG_LEDGER_KEY_FILE = env_path(
    "QUANCHENG_LEDGER_KEY_FILE", DATA_DIR / "ledger" / "signing-key.pem"
)
QUANCHENG_LEDGER_ORIGIN = env_str("QUANCHENG_LEDGER_ORIGIN", "quancheng.local")
QUANCHENG_LEDGER_KEY_NAME = env_str("QUANCHENG_LEDGER_KEY_NAME", "") or QUANCHENG_LEDGER_ORIGIN
# Seconds between the checkpoints ``quancheng serve`` signs on its own (0: none).
QUANCHENG_CHECKPOINT_INTERVAL = env_int("QUANCHENG_CHECKPOINT_INTERVAL", 3600)
if QUANCHENG_CHECKPOINT_INTERVAL < 0:
    raise ImproperlyConfigured("QUANCHENG_CHECKPOINT_INTERVAL must be 0 (off) or more seconds.")

# Witnessing (docs/ledger.md, "Witnesses"): the key file of this installation's witness key
# (same passphrase variable as the ledger key) and its name in cosignatures.
QUANCHENG_WITNESS_KEY_FILE = env_path(
    "QUANCHENG_WITNESS_KEY_FILE", DATA_DIR / "ledger" / "witness-key.pem"
)
QUANCHENG_WITNESS_NAME = env_str("QUANCHENG_WITNESS_NAME", "") or (
    QUANCHENG_LEDGER_ORIGIN.rstrip("/") + "/witness"
)
