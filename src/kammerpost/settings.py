"""Kammerpost settings: every value from an environment variable with a safe embedded default.

The embedded defaults (SQLite under ``var/``, no scanner, outbox on disk) make
``make run`` work on a fresh machine; production sets the variables listed in
the README. Security numbers carry a one-line reason.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from kammerpost.inspection.policy import MAIL_LIMITS

PACKAGE_DIR = Path(__file__).resolve().parent
# Embedded default: the repository's var/ (src layout: two levels above the package).
VAR_DIR = Path(os.environ.get("KAMMERPOST_VAR_DIR", PACKAGE_DIR.parents[1] / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = _env_bool("KAMMERPOST_PRODUCTION", False)
DEBUG = _env_bool("KAMMERPOST_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("KAMMERPOST_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("KAMMERPOST_SECRET_KEY must be set in production.")
    # Embedded default: a random key kept in var/, never in the repository.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _env_list("KAMMERPOST_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

CHAMBER_NAME = os.environ.get("KAMMERPOST_CHAMBER_NAME", "Handwerkskammer Musterstadt")
CHAMBER_DOMAIN = os.environ.get("KAMMERPOST_CHAMBER_DOMAIN", "hwk-musterstadt.example")
CLAMD_URL = os.environ.get("KAMMERPOST_CLAMD", "")
# clamd answers a 25 MB scan in about a second; a minute means it is stuck.
CLAMD_TIMEOUT = float(os.environ.get("KAMMERPOST_CLAMD_TIMEOUT", "60"))
# clamd's StreamMaxLength (the run command's clamd: 300M; clamd goes to 4000M at most).
# Larger files are not sent but held with av.too_large: never accepted unscanned.
CLAMD_STREAM_MAX_BYTES = int(
    os.environ.get("KAMMERPOST_CLAMD_STREAM_MAX_BYTES", str(300 * 1024 * 1024))
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "kammerpost.accounts",
    "kammerpost.chamber",
    "kammerpost.intake",
    "kammerpost.privacy",
    "kammerpost.correspondence",
    "kammerpost.mailgate",
    "kammerpost.pages",
    "kammerpost.portal",
    "kammerpost.backoffice",
    "kammerpost.exchange",
    "kammerpost.demo",
    "kammerpost.operations",
    "django_tasks_db",
    # After our apps: kammerpost.accounts' templates override allauth's.
    "allauth",
    "allauth.account",
    "allauth.mfa",
]
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # First: every later log line of the request carries its id (docs/operations.md).
    "kammerpost.operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kammerpost.pages.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Oversized uploads refused from Content-Length before CSRF reads the body (security.md 12).
    "kammerpost.portal.middleware.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages are never cached (security.md 19).
    "kammerpost.pages.middleware.NoStoreForSignedInMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without an activated second factor reach only its setup (security.md 5).
    "kammerpost.accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kammerpost.urls"
WSGI_APPLICATION = "kammerpost.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kammerpost.pages.context.chamber",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KAMMERPOST_DATABASE_URL", f"sqlite:///{VAR_DIR / 'kammerpost.sqlite3'}"),
        conn_max_age=60,
        # A kept connection is checked before a request reuses it: after a database
        # restart the first request on each instance gets a new one instead of an error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and sweeper share the file: WAL lets readers go on while one
    # writes, IMMEDIATE transactions queue writers instead of failing them.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    # Worker processes started by the tests must see the test database: a file.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(DATABASES["default"]["NAME"]).with_suffix(".test.sqlite3"))
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Length over composition rules (ASVS 6.2, NIST 800-63B).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    # Breach-derived common passwords plus German ones, also decorated with digits.
    {"NAME": "kammerpost.accounts.validators.CommonPasswordsValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# --- accounts (security.md 1-7, 21; django-allauth) --------------------------
# Only allauth's backend: people sign in with their e-mail address, and the
# admin's own login form (username, no second factor) is routed to allauth's.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "kammerpost.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "kammerpost.accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The model keeps a username: an opaque handle the adapter derives, never shown.
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming is a POST: mail scanners that follow links confirm nothing.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
# A confirmation link is good for one day (security.md 3).
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 1
# Registration and reset answer the same whether an address exists (security.md 2).
ACCOUNT_PREVENT_ENUMERATION = True
# No "remember me": a session ends with the idle timeout below.
ACCOUNT_SESSION_REMEMBER = False
# Changing e-mail, password or second factor needs a password entered in the
# last five minutes (security.md 7).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_REAUTHENTICATION_REQUIRED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Kammerpost: "
# Bots fill every field; people never see this one (security.md 21).
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "website"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_RATE_LIMITS = {
    # The 11th failed login per address within 15 minutes is refused; an office
    # behind one address gets 30 (security.md 4). TOTP codes count here too.
    "login_failed": "30/15m/ip,10/15m/key",
    "login": "60/m/ip",
    # Registration: a person registers once; 10 an hour per address is generous (security.md 21).
    "signup": "10/h/ip",
    # Reset mails: 5 an hour per address to stop mail bombing, 20 per IP.
    "reset_password": "20/h/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    # Resending the confirmation mail: once every three minutes per address.
    "confirm_email": "1/180s/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Reset links live one hour (security.md 3).
PASSWORD_RESET_TIMEOUT = 3600
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "pages:start"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = CHAMBER_NAME
# One period either side forgives a phone clock 30 s off; a used code stays used
# for the whole window (allauth keeps it in the shared cache).
MFA_TOTP_TOLERANCE = 1
# Invitations to a business are good for seven days (security.md 3).
ACCOUNTS_INVITATION_DAYS = int(os.environ.get("KAMMERPOST_INVITATION_DAYS", "7"))
# An activation code travels by post: 90 days leave time for holidays.
ACCOUNTS_ACTIVATION_CODE_DAYS = int(os.environ.get("KAMMERPOST_ACTIVATION_CODE_DAYS", "90"))
# Activation attempts per business and per IP: 5 an hour, then a pause (the
# code has ~60 bits; this keeps guessing hopeless even without them).
ACCOUNTS_ACTIVATION_ATTEMPTS = 5
ACCOUNTS_ACTIVATION_WINDOW_SECONDS = 3600
# Invitations: an administrator sends at most 20 an hour (security.md 21).
ACCOUNTS_INVITATION_ATTEMPTS = 20

# Rate limits and used TOTP codes must be shared by all web processes: the
# database by default (table created by a migration), Redis if configured.
CACHE_URL = os.environ.get("KAMMERPOST_CACHE_URL", "").strip()
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kammerpost_cache",
        }
    )
}

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("KAMMERPOST_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

# --- background work ----------------------------------------------------------
# "database" (embedded default: django-tasks-db, worker `kammerpost db_worker`) or
# "rq" (Redis, worker `kammerpost rqworker`), the same task code on both.
TASKS_BACKEND = os.environ.get("KAMMERPOST_TASKS_BACKEND", "database")
REDIS_URL = os.environ.get("KAMMERPOST_REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("KAMMERPOST_TASKS_BACKEND must be 'database' or 'rq'.")

# A worker holds a document this long; longer than the slowest inspection
# (parse limit 60 s + scanner timeout), short enough that a crash is noticed.
INTAKE_LEASE_SECONDS = int(os.environ.get("KAMMERPOST_INTAKE_LEASE_SECONDS", "600"))
# A queued inspection that has not started after this long is queued again.
INTAKE_REQUEUE_SECONDS = int(os.environ.get("KAMMERPOST_INTAKE_REQUEUE_SECONDS", "600"))
# Held documents (scanner down) are retried after 1, 2, 4, ... minutes, at most hourly.
INTAKE_RETRY_BASE_SECONDS = int(os.environ.get("KAMMERPOST_INTAKE_RETRY_BASE_SECONDS", "60"))
INTAKE_RETRY_MAX_SECONDS = int(os.environ.get("KAMMERPOST_INTAKE_RETRY_MAX_SECONDS", "3600"))
# Blobs without a document are removed only after this long: a receive may still be writing.
INTAKE_ORPHAN_GRACE_SECONDS = int(os.environ.get("KAMMERPOST_INTAKE_ORPHAN_GRACE_SECONDS", "3600"))
# The receive hands the plaintext it stored to a worker on the same host, which
# then skips reading the blob back (intake/handover.py). "off" disables it; the
# default is the private temp place a read-back uses as well.
_HANDOVER = os.environ.get(
    "KAMMERPOST_INTAKE_HANDOVER_DIR",
    str(Path(tempfile.gettempdir()) / f"kammerpost-handover-{os.getuid()}"),
).strip()
INTAKE_HANDOVER_DIR = "" if _HANDOVER in {"", "off"} else _HANDOVER
# Nobody took it by then (the worker runs elsewhere): the plaintext goes, the worker reads back.
INTAKE_HANDOVER_MAX_AGE_SECONDS = int(
    os.environ.get("KAMMERPOST_INTAKE_HANDOVER_MAX_AGE_SECONDS", "300")
)

# Portal drafts (files waiting for "send") are deleted after this long: a day.
PORTAL_DRAFT_MAX_AGE_SECONDS = int(
    os.environ.get("KAMMERPOST_PORTAL_DRAFT_MAX_AGE_SECONDS", "86400")
)

# --- cloud area (kammerpost.exchange; requirements.md 1.3, security.md 3-4) ---
# An arrangement lasts two weeks unless the clerk says otherwise: long enough for
# a person to gather large files, short enough that nothing lingers.
EXCHANGE_DEFAULT_DAYS = 14
# A quarter of a year at most: longer exchanges become a second inbox nobody watches.
EXCHANGE_MAX_DAYS = 90
# 10 GB: several scanned files of a master's examination or building plans.
EXCHANGE_DEFAULT_QUOTA_BYTES = 10 * 1000**3
# 50 GB at most: what one arrangement may bind of the vault's storage.
EXCHANGE_MAX_QUOTA_BYTES = 50 * 1000**3
# After closing, an exchange's files stay this long (a department may set its own,
# chamber.Department.exchange_retention_days), then they are crypto-shredded.
EXCHANGE_RETENTION_DAYS = int(os.environ.get("KAMMERPOST_EXCHANGE_RETENTION_DAYS", "30"))
# One-time codes live 10 minutes (security.md 3); 6 digits with the limits below.
EXCHANGE_CODE_SECONDS = 600
EXCHANGE_CODE_DIGITS = 6
# Wrong codes: 5 per exchange in 15 minutes, 20 per IP in an hour (security.md 4);
# at 10^6 codes that leaves a guesser odds of about 1 in 40,000 per day.
EXCHANGE_CODE_ATTEMPTS_PER_EXCHANGE = 5
EXCHANGE_CODE_ATTEMPTS_PER_IP = 20
EXCHANGE_CODE_WINDOW_SECONDS = 900
EXCHANGE_CODE_IP_WINDOW_SECONDS = 3600
# Code mails: 5 an hour per exchange, so the invited address cannot be mail-bombed.
EXCHANGE_CODE_MAILS_PER_HOUR = 5
# Upload notices to the clerk: at most one per exchange in this window (a batch of files).
EXCHANGE_NOTIFY_INTERVAL_SECONDS = 900
# The plain form (no JavaScript) is for small files; large ones go through tus.
EXCHANGE_FORM_UPLOAD_MAX_BYTES = 100 * 1024 * 1024

# --- mail (policy.md 2; security.md 22-24) -----------------------------------
# The gateway `kammerpost mailgate`: standalone on localhost, behind Postfix in
# production (docs/operations-mail.md).
MAILGATE_LISTEN = os.environ.get("KAMMERPOST_MAILGATE_LISTEN", "127.0.0.1:2525")
MAILGATE_HOSTNAME = os.environ.get("KAMMERPOST_MAILGATE_HOSTNAME", f"mail.{CHAMBER_DOMAIN}")
# Named in every refusal and acknowledgement: where senders go instead.
PORTAL_URL = os.environ.get("KAMMERPOST_PORTAL_URL", "http://127.0.0.1:8000/")
DEFAULT_FROM_EMAIL = os.environ.get("KAMMERPOST_MAIL_FROM", f"noreply@{CHAMBER_DOMAIN}")
# Raw messages, encrypted with the vault's keys; default: <vault URL>/mail-archive.
MAIL_ARCHIVE_URL = os.environ.get("KAMMERPOST_MAIL_ARCHIVE_URL", "")
MAIL_OUTBOX_DIR = VAR_DIR / "outbox"
# The published limits of a message (size, depth, parts, header, recipients, parse memory)
# live once in the policy table, kammerpost.inspection.policy.MailLimits; only the parse
# time may be tuned here.
MAILGATE_PARSE_TIMEOUT = float(
    os.environ.get("KAMMERPOST_MAILGATE_PARSE_TIMEOUT", MAIL_LIMITS.parse_timeout_s)
)
# Parser processes: each hostile message ties up at most one for the timeout above.
MAILGATE_PARSERS = int(os.environ.get("KAMMERPOST_MAILGATE_PARSERS", "2"))
# Gateway processes sharing the listen address (SO_REUSEPORT): one per core is the most.
MAILGATE_PROCESSES = int(os.environ.get("KAMMERPOST_MAILGATE_PROCESSES", "1"))
# Threads for blocking work (database, vault, virus scan) behind the SMTP sessions.
MAILGATE_THREADS = int(os.environ.get("KAMMERPOST_MAILGATE_THREADS", "8"))
# aiosmtpd holds each message in memory (up to the message limit): this bounds the total.
MAILGATE_MAX_CONNECTIONS = int(os.environ.get("KAMMERPOST_MAILGATE_MAX_CONNECTIONS", "40"))
# RFC 5321 4.5.3.2: servers should wait 5 minutes for a command.
MAILGATE_SESSION_TIMEOUT = float(os.environ.get("KAMMERPOST_MAILGATE_SESSION_TIMEOUT", "300"))
# S/MIME signatures of mail are checked against the CA certificates (PEM or DER) in this
# directory; empty: signatures are shown as "not checkable".
MAIL_SMIME_TRUST_DIR = os.environ.get("KAMMERPOST_MAIL_SMIME_TRUST_DIR", "")
# Sender authentication (SPF, DKIM, DMARC): the DNS resolver the gateway asks ("host" or
# "host:port"; empty: the system's). Behind Postfix, set the authserv-id of the MTA whose
# Authentication-Results header alone is then trusted (the gateway does not look itself).
MAIL_DNS_RESOLVER = os.environ.get("KAMMERPOST_MAIL_DNS_RESOLVER", "")
MAIL_TRUSTED_AUTHSERV_ID = os.environ.get("KAMMERPOST_MAIL_TRUSTED_AUTHSERV_ID", "")
MAIL_DNS_TIMEOUT = float(os.environ.get("KAMMERPOST_MAIL_DNS_TIMEOUT", "5"))


def _mailers(relay: str) -> dict[str, dict[str, object]]:
    """Outgoing mail: the relay KAMMERPOST_SMTP_RELAY names, else one .eml file per message."""
    if not relay:
        return {
            "default": {
                "BACKEND": "kammerpost.correspondence.outbox.OutboxEmailBackend",
                "OPTIONS": {"directory": str(MAIL_OUTBOX_DIR)},
            }
        }
    parts = urlsplit(relay)
    if parts.scheme not in {"smtp", "smtp+starttls", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            "KAMMERPOST_SMTP_RELAY must look like smtp://host:25, smtp+starttls://host:587 "
            "or smtps://host:465"
        )
    options: dict[str, object] = {
        "host": parts.hostname,
        "port": parts.port or {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[parts.scheme],
        "use_tls": parts.scheme == "smtp+starttls",
        "use_ssl": parts.scheme == "smtps",
        # A relay that does not answer within a minute is down; the caller logs it.
        "timeout": 60,
    }
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }


MAILERS = _mailers(os.environ.get("KAMMERPOST_SMTP_RELAY", "").strip())

# The ways a clerk can answer a sender, in the order offered; a new way is one more line
# (kammerpost.correspondence.replies.ReplyBackend).
CORRESPONDENCE_REPLY_BACKENDS = [
    "kammerpost.correspondence.replies.PortalThreadReply",
    "kammerpost.correspondence.replies.PortalInvitationReply",
    "kammerpost.correspondence.replies.EmailReply",
]

# --- public pages and privacy (requirements 1.4; security.md 21) --------------
# Contact form: a person asks a question or two; 5 an hour per IP and 3 per
# address stop a bot or a mail bomb without hindering an office behind one IP.
PAGES_CONTACT_ATTEMPTS_PER_IP = int(os.environ.get("KAMMERPOST_CONTACT_PER_IP", "5"))
PAGES_CONTACT_ATTEMPTS_PER_ADDRESS = 3
PAGES_CONTACT_WINDOW_SECONDS = 3600
# A question, not a letter with enclosures: 5,000 characters (documents go to the portal).
PAGES_CONTACT_MESSAGE_MAX_CHARS = 5000
# The opt-out link in a notification mail works once, for a year: people read
# old mail late, and saying "no more e-mail" must stay easy.
PRIVACY_OPT_OUT_LINK_DAYS = int(os.environ.get("KAMMERPOST_OPT_OUT_LINK_DAYS", "365"))
# A deletion request from the portal becomes an item of this department (its
# staff handle data protection); the person's own words are a note, not a letter.
PRIVACY_REQUEST_DEPARTMENT = os.environ.get("KAMMERPOST_PRIVACY_DEPARTMENT", "verwaltung")
PRIVACY_REQUEST_TEXT_MAX_CHARS = 2000
# Retention periods are rows of privacy.RetentionRule (admin), not settings:
# administrators change them without a deployment, and the privacy notice
# and the deletion read the same rows.

# --- web security (security.md 17-20) ---------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page of ours uses; a smuggled script gets none of them either.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in ("camera", "microphone", "geolocation", "payment", "usb")
}
X_FRAME_OPTIONS = "DENY"
# Uploads above 2.5 MB go to a temporary file, never into memory; form fields other than
# files may total 2.5 MB. Per-view limits by policy: kammerpost.portal.middleware.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_PERMISSIONS = 0o600
# Resumable uploads (kammerpost.exchange.tus): an unfinished upload with no new chunk
# for a day is removed with its vault segments - long enough for a night's pause.
TUS_UPLOAD_EXPIRY_SECONDS = int(os.environ.get("KAMMERPOST_TUS_UPLOAD_EXPIRY_SECONDS", "86400"))
# Upload-Metadata (file name, type): a header, not a place for payloads.
TUS_METADATA_MAX_BYTES = 4096
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Idle timeout: a forgotten session on a shared office PC ends after 30 minutes.
SESSION_COOKIE_AGE = int(os.environ.get("KAMMERPOST_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
if PRODUCTION:
    # TLS ends at the reverse proxy (docs/operations.md), which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load balancers and Prometheus ask the instances directly over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 31_536_000  # one year, as BSI TR-02102-2 recommends
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- operations (docs/operations.md) -------------------------------------------
# /metrics answers only with this bearer token (unset: /metrics is not there at all) ...
OPERATIONS_METRICS_TOKEN = os.environ.get("KAMMERPOST_METRICS_TOKEN", "")
# ... and, if set, only to these addresses or networks (e.g. the Prometheus host).
OPERATIONS_METRICS_ALLOW = _env_list("KAMMERPOST_METRICS_ALLOW", "")
# Readiness checks that do not take an instance out of the load balancer when down.
OPERATIONS_READY_OPTIONAL = _env_list("KAMMERPOST_READY_OPTIONAL", "")
# freshclam updates several times a day; signatures older than two days miss current malware.
OPERATIONS_SIGNATURES_MAX_AGE_SECONDS = int(
    os.environ.get("KAMMERPOST_SIGNATURES_MAX_AGE_SECONDS", str(2 * 86400))
)
# One JSON object per line with the request id ("json"), or plain text for a terminal.
LOG_FORMAT = os.environ.get("KAMMERPOST_LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("KAMMERPOST_LOG_FORMAT must be 'json' or 'plain'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "kammerpost.operations.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("KAMMERPOST_LOG_LEVEL", "INFO")},
    "loggers": {
        # aiosmtpd logs every SMTP command at INFO (addresses too); the gateway logs its decisions.
        "mail.log": {"level": "WARNING"},
        # Django's request logger repeats the path of every 4xx (tokens, personal data):
        # kammerpost.request logs each request by its URL pattern instead.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    },
}
