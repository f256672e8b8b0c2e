"""Settings for Blue Ledger, read from the environment.

With nothing set, Blue Ledger runs on SQLite under ``var/`` with locally generated secrets: a
laptop or a demo. Production sets ``BLUELEDGER_PRODUCTION=true`` and the system checks in
``blueledger.core.checks`` refuse to start with debug on, a default secret or a missing key
file.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from blueledger.env import env_bool, env_int, env_list, env_secret

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


PRODUCTION = env_bool("BLUELEDGER_PRODUCTION")
DEBUG = env_bool("BLUELEDGER_DEBUG")
TESTING = env_bool("BLUELEDGER_TESTING")

DATA_DIR = Path(os.environ.get("BLUELEDGER_DATA_DIR") or PROJECT_DIR / "var").resolve()


def _local_secret(path: Path) -> str:
    """Generate a secret key once for a laptop or demo and keep it beside the database."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


DEFAULT_SECRET_KEY = "insecure-default-do-not-use"  # noqa: S105  (refused by check E002)
SECRET_KEY = env_secret("BLUELEDGER_SECRET_KEY") or (
    DEFAULT_SECRET_KEY if PRODUCTION else _local_secret(DATA_DIR / "secret_key")
)
# The keyring (DESIGN.md section 5); generated on first use outside production.
KEYS_FILE = Path(os.environ.get("BLUELEDGER_KEYS_FILE") or DATA_DIR / "keys.json")

ALLOWED_HOSTS = env_list("BLUELEDGER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("BLUELEDGER_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("BLUELEDGER_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "ninja",
    "blueledger.core",
    "blueledger.crypto",
    "blueledger.accounts",
    "blueledger.memberstates",
    "blueledger.audit",
    "blueledger.cases",
    "blueledger.intake",
    "blueledger.support",
    "blueledger.notes",
    "blueledger.liaison",
    "blueledger.transparency",
    "blueledger.deadlines",
    "blueledger.worker",
]

MIDDLEWARE = [
    # First, so that nothing after it sees who a public reporter is.
    "blueledger.intake.anonymity.ReporterAnonymityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "blueledger.accounts.middleware.TwoFactorEnrolmentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "blueledger.urls"
WSGI_APPLICATION = "blueledger.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blueledger.core.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ by default; PostgreSQL (or anything dj-database-url reads) from DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "blueledger.sqlite3"),
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
                # instead of failing with "database is locked" halfway through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins: at most this many per account and per client in the window, then a pause.
LOGIN_FAILURES_PER_ACCOUNT = env_int("BLUELEDGER_LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_CLIENT = env_int("BLUELEDGER_LOGIN_FAILURES_PER_CLIENT", 20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("BLUELEDGER_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)

# The public reporting channel (issue 4, docs/decisions/0005-public-reporting.md).
# Organisation that receives web reports naming no mission (its code); empty: the first one.
PUBLIC_ORGANISATION = os.environ.get("BLUELEDGER_PUBLIC_ORGANISATION", "").strip()
PUBLIC_REPORTS_PER_CLIENT_HOUR = env_int("BLUELEDGER_PUBLIC_REPORTS_PER_CLIENT_HOUR", 10)
# All public submissions together: a flood waits its turn and staff keep working.
PUBLIC_REPORTS_PER_MINUTE = env_int("BLUELEDGER_PUBLIC_REPORTS_PER_MINUTE", 600)
RECEIPT_GUESSES_PER_CLIENT = env_int("BLUELEDGER_RECEIPT_GUESSES_PER_CLIENT", 10)
RECEIPT_GUESSES_PER_HOUR = env_int("BLUELEDGER_RECEIPT_GUESSES_PER_HOUR", 2000)
RECEIPT_GUESS_WINDOW_SECONDS = 15 * 60
ATTACHMENT_MAX_MB = env_int("BLUELEDGER_ATTACHMENT_MAX_MB", 20)
ATTACHMENTS_PER_SUBMISSION = 5

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
# Arabic ships for public pages later; staff pages are complete in English and French.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves collected files; a laptop serves them straight from the apps (the finders).
STATIC_ROOT = DATA_DIR / "static" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = DATA_DIR / "uploads"

# Cookies and transport. Secure cookies need HTTPS, which production has behind its TLS proxy.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("BLUELEDGER_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Email: the console in a demo; SMTP when BLUELEDGER_EMAIL_HOST is set.
_EMAIL_HOST = os.environ.get("BLUELEDGER_EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("BLUELEDGER_EMAIL_PORT", 587),
                "username": os.environ.get("BLUELEDGER_EMAIL_USER", ""),
                "password": env_secret("BLUELEDGER_EMAIL_PASSWORD") or "",
                "use_tls": env_bool("BLUELEDGER_EMAIL_USE_TLS", True),
                "timeout": 30,
            },
        }
        if _EMAIL_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = os.environ.get("BLUELEDGER_EMAIL_FROM", "Blue Ledger <no-reply@localhost>")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# The worker beats at least this often; /healthz calls it stale after WORKER_STALE_SECONDS.
WORKER_POLL_SECONDS = 1.0
WORKER_STALE_SECONDS = env_int("BLUELEDGER_WORKER_STALE_SECONDS", 120)
# How often the worker rebuilds the public statistics from the live records (issue 7).
TRANSPARENCY_REBUILD_HOURS = env_int("BLUELEDGER_TRANSPARENCY_REBUILD_HOURS", 24)
# The first year public statistics cover; the differential-privacy mode releases every year from it.
TRANSPARENCY_FIRST_YEAR = env_int("BLUELEDGER_TRANSPARENCY_FIRST_YEAR", 2010)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "blueledger.core.logging.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("BLUELEDGER_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints the path and, on errors, request details; ours says less.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
