"""Settings for the platform, read from the environment (see README: Configuration).

One file for every environment: development, tests and production differ only in the
environment variables they set, never in code paths that exist in one of them alone.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_guid.integrations import CeleryIntegration

from config.env import env_bool, env_choice, env_int, env_list, env_str
from config.storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SITE_NAME = env_str("SITE_NAME", "Chorus")
DEBUG = env_bool("DEBUG", False)

if DEBUG:
    # A fixed key is fine for a developer's machine and nowhere else.
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-" + "x" * 40)
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the site is served on")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The development server's port (`make run`, Procfile.dev); unset SITE_URL follows it.
WEB_PORT = env_int("WEB_PORT", 8000, minimum=1)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{WEB_PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_guid",
    "health_check",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "social_django",
    "advocacy",
    "employees",
    "employees.scim",
    "content",
    "analytics",
    "notifications",
]

MIDDLEWARE = [
    # First: the container's own liveness probe is answered before host validation
    # and the https redirect, which it cannot satisfy (see config/health.py).
    "config.health.LivenessProbeMiddleware",
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Tracked links (`/l/<code>`) are answered here, without the rest of the stack.
    "advocacy.fastpath.TrackedLinkMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "employees.middleware.MembershipMiddleware",
]

FORM_RENDERER = "config.forms.FormRenderer"
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.navigation",
                "employees.profiles.context_processors.reconnect_banner",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI, an SQLite file under var/ by default.
_database_url = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL this platform understands: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A connection kept across requests is tested before it is reused: after a
    # PostgreSQL restart the first request gets a new one instead of an error.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://")

# The cache (sessions' rate limits, later dashboard fragments) may live in its own Redis
# database so that flushing it never touches the task queue.
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r} must start with redis://, rediss:// or unix://")
if CACHE_URL:
    CACHES = {
        "default": {
            # Losing the cache makes pages slower, never broken (config/cache.py); short
            # timeouts so that an unreachable cache costs a request milliseconds, not seconds.
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered fragments whose key is a digest of everything they show (feed cards): such a
# key never goes stale, so each process may keep its own copy, with no network hop.
CACHES["fragments"] = {
    "BACKEND": "config.cache.ByteBoundedLocMemCache",
    "LOCATION": "fragments",
    # A card holds a post's body, which is unbounded text: bounded by bytes too.
    "OPTIONS": {"MAX_ENTRIES": 2000, "MAX_BYTES": 8 * 1024 * 1024},
}

# People and login.
AUTH_USER_MODEL = "employees.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "employees.sso.backends.OrganizationOIDC",
    "employees.sso.backends.OrganizationSAML",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "advocacy:home"

ACCOUNT_ADAPTER = "employees.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# How many proxies in front of the platform append to X-Forwarded-For (the compose
# file's one: 1). allauth then reads the client's address from the entry that proxy
# wrote, so the per-address login limit applies per visitor, not to the whole site,
# and entries a client wrote itself are ignored. 0: the header is not read at all.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# Company single sign-on (python-social-auth). Each organization's identity provider is
# read from the database by the backends in employees/sso/backends.py; these are the
# settings every organization shares.
SOCIAL_AUTH_USER_MODEL = AUTH_USER_MODEL
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "employees.sso.pipeline.email_in_verified_domain",
    "social_core.pipeline.social_auth.social_user",
    "employees.sso.pipeline.user_link_or_provision",
    "social_core.pipeline.social_auth.associate_user",
    "employees.sso.pipeline.membership_login_audit",
)
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/"
SOCIAL_AUTH_REQUESTS_TIMEOUT = env_int("SSO_TIMEOUT", 10, minimum=1)
SOCIAL_AUTH_SANITIZE_REDIRECTS = True
CONTENT_FETCH_MAX_BYTES = env_int("CONTENT_FETCH_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
MAX_IMAGE_BYTES = env_int("MAX_IMAGE_BYTES", 5 * 1024 * 1024, minimum=1024)

# Network apps (a NetworkApp row set by an organization's admins overrides these).
LINKEDIN_CLIENT_ID = env_str("LINKEDIN_CLIENT_ID", "")
LINKEDIN_CLIENT_SECRET = env_str("LINKEDIN_CLIENT_SECRET", "")
LINKEDIN_API_VERSION = env_str("LINKEDIN_API_VERSION", "")
LINKEDIN_EXTRA_SCOPES = env_str("LINKEDIN_EXTRA_SCOPES", "")
# Where LinkedIn's REST API and its OAuth pages are; another value only points the
# browser journeys at their LinkedIn stand-in (e2e/standins/linkedin.py).
LINKEDIN_API_BASE = env_str("LINKEDIN_API_BASE", "https://api.linkedin.com").rstrip("/")
LINKEDIN_OAUTH_BASE = env_str("LINKEDIN_OAUTH_BASE", "https://www.linkedin.com/oauth/v2").rstrip("/")
for _name, _value in (("LINKEDIN_API_BASE", LINKEDIN_API_BASE), ("LINKEDIN_OAUTH_BASE", LINKEDIN_OAUTH_BASE)):
    if not _value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{_name}={_value!r} must be an http(s) URL")
X_CLIENT_ID = env_str("X_CLIENT_ID", "")
X_CLIENT_SECRET = env_str("X_CLIENT_SECRET", "")
# Where X's API v2 is: posting, metrics and token refresh. Another value only points a
# deployment at an X-compatible test double (the fault scenarios in chaos/).
X_API_BASE = env_str("X_API_BASE", "https://api.x.com").rstrip("/")
if not X_API_BASE.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"X_API_BASE={X_API_BASE!r} must be an http(s) URL")
# Where people allow posting; another value only for the browser journeys' X stand-in.
X_AUTHORIZE_URL = env_str("X_AUTHORIZE_URL", "https://x.com/i/oauth2/authorize")
if not X_AUTHORIZE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"X_AUTHORIZE_URL={X_AUTHORIZE_URL!r} must be an http(s) URL")
# The egress guard (networks/egress.py) refuses private, loopback and reserved
# addresses for every host a user typed or a remote document named: link previews,
# feeds, Mastodon servers, Bluesky PDSes, sign-in endpoints. This lets them point at
# a private network (and use plain http): for a network run inside the company, and
# for local tests. CONTENT_FETCH_ALLOW_PRIVATE is its older name for previews and feeds.
NETWORKS_ALLOW_PRIVATE_HOSTS = env_bool("NETWORKS_ALLOW_PRIVATE_HOSTS", False) or env_bool(
    "CONTENT_FETCH_ALLOW_PRIVATE", False
)

# Web push (VAPID, RFC 8292): `python manage.py vapid_keys` makes a pair. The public
# key is the browser's applicationServerKey; the subject is how a push service can
# reach the sender (a mailto: or https: address). Without keys web push is off.
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:noreply@localhost")
if bool(VAPID_PUBLIC_KEY) != bool(VAPID_PRIVATE_KEY):
    raise ImproperlyConfigured("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are set together, or neither")
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured(f"VAPID_SUBJECT={VAPID_SUBJECT!r} must be a mailto: or https: address")

# Slack (one Slack app for the deployment; each organization's admin connects its
# workspace). The signing secret checks every request Slack sends to the platform.
SLACK_CLIENT_ID = env_str("SLACK_CLIENT_ID", "")
SLACK_CLIENT_SECRET = env_str("SLACK_CLIENT_SECRET", "")
SLACK_SIGNING_SECRET = env_str("SLACK_SIGNING_SECRET", "")
SLACK_API_URL = env_str("SLACK_API_URL", "https://slack.com/api/")
SLACK_AUTHORIZE_URL = env_str("SLACK_AUTHORIZE_URL", "https://slack.com/oauth/v2/authorize")
if not SLACK_API_URL.endswith("/"):
    SLACK_API_URL += "/"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14, minimum=300)
INVITATION_DAYS = env_int("INVITATION_DAYS", 14, minimum=1)

# Internationalization: English and Danish; an organization sets its default.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("da", _("Danish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English with other regions' dates and numbers (en-dk, en-gb): an organization setting.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Static and uploaded files.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# MEDIA_STORAGE_URL: the local disk by default, or an S3-compatible bucket (config/storage.py).
_media_storage, _media_origin = media_storage()
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email: printed to the console in development, SMTP otherwise.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _encryption_keys() -> list[str]:
    keys = env_list("FIELD_ENCRYPTION_KEYS")
    if not keys:
        if not DEBUG:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must hold at least one Fernet key (make one with: python -c "
                "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
            )
        # Development only: a key derived from the development SECRET_KEY.
        return [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a valid Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
    return keys


# Newest key first: it encrypts; all of them decrypt (rotation).
FIELD_ENCRYPTION_KEYS = _encryption_keys()

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under
# var/, so worker and beat still run as separate processes on a bare machine.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _processed_dir.mkdir(parents=True, exist_ok=True)
    _control_dir = VAR_DIR / "celery" / "control"
    _control_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        "control_folder": str(_control_dir),
    }
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat touches this file on every tick (config/heartbeat.py); its age tells a
# container healthcheck whether beat still runs.
BEAT_HEARTBEAT_FILE = Path(env_str("BEAT_HEARTBEAT_FILE", str(VAR_DIR / "celerybeat-heartbeat")))

# Security. Production defaults are strict; DEBUG relaxes only what breaks plain http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# form-action 'self' also covers every redirect that follows a form submission
# (Chromium enforces it), so no form may end on another origin. Connecting an OAuth
# network therefore never answers the form with a redirect to the network: the POST
# (and a reconnect) ends with a 303 on our own page (`profile_authorize`), which
# carries the authorize URL as a plain link; static/js/app.js follows it with
# `location.replace`, a navigation that is no form submission and so outside
# form-action (without scripts the person follows the link). State and PKCE live in
# the session as before; the callback comes back by GET. No inline script is needed,
# so script-src stays 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # An S3-compatible store on plain http (a local one) serves images from its own origin.
        "img-src": ["'self'", "data:", "https:", *([_media_origin] if _media_origin else [])],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
# json: one JSON object per line, for a log collector; plain: for people.
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", {"plain", "json"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.logs.RequestIdFilter"},
        "without_traceback": {"()": "config.logs.WithoutTraceback"},
        "routine_tasks": {"()": "config.logs.RoutineTasksAtDebug"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_guid": {"level": "WARNING"},
        # Requests refused for the client's own error: one line each, no stack trace.
        **{
            f"django.security.{name}": {"filters": ["without_traceback"]}
            for name in ("DisallowedHost", "RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent")
        },
        # Beat's every-minute tasks at DEBUG (config/logs.py): a quiet terminal.
        **{
            name: {"filters": ["routine_tasks"]}
            for name in ("celery.beat", "celery.worker.strategy", "celery.app.trace")
        },
    },
}

# A request id for every request (taken from a valid incoming Correlation-ID header,
# else made), in every log line, and carried into the tasks the request queues.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "RETURN_HEADER": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=False)],
}

# Optional error reporting; nothing is sent when SENTRY_DSN is unset.
SENTRY_DSN = env_str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)
