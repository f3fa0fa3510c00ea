"""Settings for Safer Communities: one file, driven by environment variables.

Modes (``SAFER_MODE``):

* ``demo`` (default): SQLite in ``var/``, e-mail written to ``var/mail``, DEBUG off but
  HTTP allowed on 127.0.0.1. Safe defaults; nothing to configure.
* ``production``: ``SECRET_KEY`` and ``ALLOWED_HOSTS`` must be set; HTTPS-only cookies, HSTS.
* ``test``: used by the test suite.

Every variable that is read is typed; a bad value stops start-up with a message that names the
variable and says what to do.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string variable; ``NAME_FILE`` (a path) is read instead when set (Docker secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points at {file_path!r}, which cannot be read ({exc.strerror}). "
                f"Fix the path or set {name} directly."
            ) from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}). Use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {value}).")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_trusted_proxies(name: str) -> int | tuple[str, ...]:
    """How many proxies stand in front (a whole number), or their addresses and networks (a comma-separated list)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return 0
    if raw.isdigit():
        return int(raw)
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name} must be the number of proxies in front of the service (like 1) or a comma-separated list "
                f"of their addresses or networks (like 10.0.0.5,10.1.0.0/16); {item!r} is neither."
            ) from exc
    return tuple(networks)


def database_from_url(url: str) -> dict[str, Any]:
    """Parse ``DATABASE_URL`` with a message that says exactly what is wrong."""
    import dj_database_url

    example = "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////absolute/path/db.sqlite3"
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has an unsupported scheme {parts.scheme!r}. Use {example}, or unset DATABASE_URL "
            "to use the embedded SQLite database."
        )
    if parts.scheme != "sqlite" and (not parts.hostname or not parts.path.strip("/")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must name a host and a database, like {example} (the host or database name is missing)."
        )
    try:
        # Tests close connections after each request, so the live server's threads leave none open at teardown.
        max_age = 0 if MODE == "test" else 60
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=max_age, conn_health_checks=True))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL could not be read ({exc}). Use {example}.") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = SQLITE_OPTIONS
        name = str(config.get("NAME") or "")
        if name and name != ":memory:" and not name.startswith("file:") and not Path(name).parent.is_dir():
            raise ImproperlyConfigured(
                f"DATABASE_URL names the SQLite file {name}, but its folder {Path(name).parent} does not exist. "
                f"Create the folder (mkdir -p {Path(name).parent}) or fix the path, like {example}."
            )
    elif "postgresql" in config["ENGINE"]:
        # No just-in-time compilation: for the short queries of a web page it costs far more than it saves (a
        # filtered case list over 100,000 cases spent 665 of its 851 ms compiling).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return config


# Under pytest the default is "test", so running pytest directly is as safe as `make test`.
MODE = env_str("SAFER_MODE", "test" if "pytest" in sys.modules else "demo")
if MODE not in {"demo", "production", "test"}:
    raise ImproperlyConfigured(f"SAFER_MODE must be demo, production or test (got {MODE!r}).")
PRODUCTION = MODE == "production"
TESTING = MODE == "test"

VAR_DIR = Path(env_str("SAFER_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production set SECRET_KEY (or SECRET_KEY_FILE) to a long random value, "
            "for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "demo-only-insecure-key-" + "x" * 40

DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must not be on when SAFER_MODE=production. Unset DEBUG.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. In production set ALLOWED_HOSTS to the site's host names, comma-separated, "
        "for example ALLOWED_HOSTS=csp.example.gov.uk"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The address people use to reach the site; used in invitation e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

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
    "axes",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "safer.core",
    "safer.geography",
    "safer.intelligence",
    "safer.cases",
    "safer.interventions",
    "safer.plans",
    "safer.delivery",
    "safer.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safer.core.middleware.SessionLifetimeMiddleware",
    "safer.core.middleware.RequireTwoFactorMiddleware",
    "safer.core.middleware.CurrentPartnershipMiddleware",
    "safer.core.refusals.RefusalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "safer.documents.middleware.ErasedCaseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.messages.context_processors.messages",
                "safer.core.context_processors.site",
            ],
        },
    },
    {
        # The Django admin keeps the Django template language.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SQLITE_OPTIONS: dict[str, Any] = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "safer.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing cost is irrelevant to what the tests check; Argon2 itself is covered by a dedicated test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "core:home"

# Two-factor authentication. Only an explicit SAFER_MFA_DISABLED=true outside production turns it off,
# and then every page carries a banner saying so.
MFA_DISABLED = env_bool("SAFER_MFA_DISABLED", False)
if PRODUCTION and MFA_DISABLED:
    raise ImproperlyConfigured("SAFER_MFA_DISABLED cannot be set in production. Unset it.")
OTP_TOTP_ISSUER = env_str("SAFER_TOTP_ISSUER", "Safer Communities")

# Lockout: by username and IP address together, so nobody can lock another person out from elsewhere.
AXES_FAILURE_LIMIT = env_int("SAFER_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SAFER_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "safer.core.views.auth.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client's address, for the lockout and the access log: REMOTE_ADDR, or X-Forwarded-For as written by trusted
# proxies when SAFER_TRUSTED_PROXIES is set (a number of proxies, or their addresses). django-ipware is not installed,
# so axes' AXES_IPWARE_* settings would be ignored: axes asks safer.core.addresses instead.
SAFER_TRUSTED_PROXIES = env_trusted_proxies("SAFER_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "safer.core.addresses.client_address"

# Sessions: inactivity timeout (the cookie age, renewed on every request) and an absolute limit.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SAFER_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_ABSOLUTE_SECONDS = env_int("SAFER_SESSION_ABSOLUTE_HOURS", 10, minimum=1) * 3600
# The idle limit is renewed by safer.core.middleware.SessionLifetimeMiddleware at most once a minute, not on every
# request: a session write per page made concurrent users queue for the database (SQLite's single writer).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "safer_session"
CSRF_COOKIE_HTTPONLY = True

# Security headers.
SILENCED_SYSTEM_CHECKS: list[str] = []
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds every subdomain of the council's domain to HTTPS for good: the domain's owner decides, so it is
    # off unless asked for, and `check --deploy` is not told to warn about it.
    SECURE_HSTS_PRELOAD = env_bool("SAFER_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Built front-end assets (GOV.UK Frontend, app CSS/JS), committed; `make assets` rebuilds them.
STATICFILES_DIRS = [BASE_DIR / "safer" / "static"]
# Only production collects static files; elsewhere WhiteNoise serves them from the apps (see below).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))) if PRODUCTION else None
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "files", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise serves straight from the apps' static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = False

# E-mail (Django 6.1 mailers): files in var/mail for the demo; SMTP in production; memory in tests.
if PRODUCTION or env_str("EMAIL_HOST"):
    MAILERS: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            },
        }
    }
elif TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Safer Communities <no-reply@localhost>")

INVITATION_DAYS = env_int("SAFER_INVITATION_DAYS", 7, minimum=1)

# Refused requests for personal data: the partnership's DPOs are warned (page banner and e-mail) when one person is
# refused this many times within this many minutes.
SAFER_REFUSAL_ALERT_COUNT = env_int("SAFER_REFUSAL_ALERT_COUNT", 20, minimum=1)
SAFER_REFUSAL_ALERT_MINUTES = env_int("SAFER_REFUSAL_ALERT_MINUTES", 60, minimum=1)

# Background work: django.tasks with the database backend (`manage.py db_worker`).
TASKS = {
    "default": {
        "BACKEND": env_str(
            "SAFER_TASKS_BACKEND",
            "django.tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        ),
    }
}
# Work under way (an import, a report build, an export) whose process was killed is marked failed and tidied
# (core.jobs.recover_interrupted). On the machine that ran it, as soon as its process has gone; from any machine, once
# nothing has been heard from it for this long. The longest silent step today (drawing a large PDF, making a month
# live) takes seconds to a minute or two, and work reports progress at least every few seconds otherwise.
SAFER_INTERRUPTED_AFTER_MINUTES = env_int("SAFER_INTERRUPTED_AFTER_MINUTES", 10, minimum=1)

# Logs never carry personal data: they name users by id only.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

CSRF_FAILURE_VIEW = "safer.core.views.pages.csrf_failure"

# The largest file a person may upload through a page; bigger loads use the management commands.
SAFER_MAX_UPLOAD_MB = env_int("SAFER_MAX_UPLOAD_MB", 2048, minimum=1)
# Archives (a police.uk .zip or .gz, and a partner's .xlsx, itself a zip) are checked before any row is read, from
# the zip's directory and again while they are read, so a "zip bomb" (a small file that expands to gigabytes) is
# refused in seconds, naming the limit it broke, instead of tying up the worker. A national police.uk month (every
# force's street, outcomes and stop-and-search files) is about 1,000 files and 1 GB of text, which zips to ~200 MB
# (police.uk CSV compresses about 5:1: its 64-character crime IDs are random); each default leaves a real month
# several times that room.
# The largest .zip or .gz read (MB): five times a national month zipped.
SAFER_MAX_ARCHIVE_MB = env_int("SAFER_MAX_ARCHIVE_MB", 1024, minimum=1)
# The most files one archive may hold: five times a national month's ~1,000.
SAFER_MAX_ARCHIVE_MEMBERS = env_int("SAFER_MAX_ARCHIVE_MEMBERS", 5000, minimum=1)
# The most one archive (all its files together) or one .gz may expand to (MB): four times a national month's ~1 GB.
SAFER_MAX_EXPANDED_MB = env_int("SAFER_MAX_EXPANDED_MB", 4096, minimum=1)
# How many times its compressed size a file may expand to: police.uk CSV compresses about 5:1 and an Excel sheet's
# XML 10-30:1, while a bomb of one repeated byte reaches ~1,000:1. Files expanding to under 1 MB are not held to it.
SAFER_MAX_COMPRESSION_RATIO = env_int("SAFER_MAX_COMPRESSION_RATIO", 100, minimum=2)
# Rejected rows kept for an import's report (it counts them all, and says how many more were not kept): enough to
# show every kind of problem a file has; a file with more than a tenth of its rows rejected is refused anyway.
SAFER_MAX_REJECTIONS_KEPT = env_int("SAFER_MAX_REJECTIONS_KEPT", 1000, minimum=1)
# Largest document a caseworker may attach to a case (MB).
SAFER_MAX_DOCUMENT_MB = env_int("SAFER_MAX_DOCUMENT_MB", 20, minimum=1)
