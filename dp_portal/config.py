"""Configuration from the environment.

Production is the default: the development settings (a known secret key, a sample council,
sample Bacs originator details) apply only when `DP_ENV=development` is set explicitly, and a
production app refuses to start while any setting is missing or still the sample one
(`production_problems`). shared/design.md 2.7: production fails closed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DEV_SECRET = "dev-only-secret-not-for-production"  # noqa: S105 - refused in production
MIN_SECRET_BYTES = 32

# What a development or test app uses when the environment says nothing. Production gets
# none of them: each must come from the environment, and the sample values are refused.
SAMPLE_SETTINGS: dict[str, str] = {
    "COUNCIL_NAME": "Glenarden Council",
    "COUNCIL_ADDRESS": "Council Offices, 1 High Street, Glenarden",
    "COUNCIL_EMAIL": "directpayments@glenarden.example",
    "COUNCIL_PHONE": "01234 567890",
    "LETTER_SIGNATORY": "Morven Douglas",
    "LETTER_SIGNATORY_TITLE": "Self-directed Support Finance Manager",
    "MAIL_FROM": "directpayments@glenarden.example",
    "BACS_ORIGINATOR_SORT_CODE": "309634",
    "BACS_ORIGINATOR_ACCOUNT": "12345678",
    "BACS_ORIGINATOR_NAME": "GLENARDEN COUNCIL",
}


def database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL") or default
    # Heroku-style and bare postgresql URLs get the psycopg 3 driver.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def development_base_url(environ: Mapping[str, str]) -> str:
    """Where a developer's portal answers: PUBLIC_BASE_URL if set (`make run` sets it from
    HOST and PORT), else the address `flask run` listens on (FLASK_RUN_HOST, FLASK_RUN_PORT),
    so links in emails reach the running portal whatever port it was given."""
    if environ.get("PUBLIC_BASE_URL"):
        return environ["PUBLIC_BASE_URL"]
    host = environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    if host == "0.0.0.0":  # noqa: S104 - listening everywhere; this machine is 127.0.0.1
        host = "127.0.0.1"
    return f"http://{host}:{environ.get('FLASK_RUN_PORT') or '5000'}"


def _flag(name: str, default: str = "false") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes")


class Config:
    """Production settings: everything people's money depends on comes from the environment."""

    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    INSTANCE_DIR = Path(os.environ.get("DP_INSTANCE_DIR", Path.cwd() / "instance"))
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'dp_portal.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A small council may choose the embedded database on purpose; it must say so.
    ALLOW_SQLITE_IN_PRODUCTION = _flag("ALLOW_SQLITE_IN_PRODUCTION")

    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "")
    COUNCIL_ADDRESS = os.environ.get("COUNCIL_ADDRESS", "")
    COUNCIL_EMAIL = os.environ.get("COUNCIL_EMAIL", "")
    COUNCIL_PHONE = os.environ.get("COUNCIL_PHONE", "")
    SERVICE_NAME = "Direct payments"
    LETTER_SIGNATORY = os.environ.get("LETTER_SIGNATORY", "")
    LETTER_SIGNATORY_TITLE = os.environ.get("LETTER_SIGNATORY_TITLE", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024

    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_LOCK_MINUTES = 15
    # Invitations (an administrator's set-password link) and self-service reset links.
    PASSWORD_LINK_MAX_AGE = timedelta(days=7)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)

    # Rate limits in Flask-Limiter's notation ("10 per minute;100 per hour"), each counted per
    # client address and per account name (the email typed) or signed-in user. Counted in
    # memory per worker unless RATELIMIT_STORAGE_URI names a shared store (redis://host:6379/0).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "fixed-window"
    # If the shared store is down, count in memory rather than refuse every sign-in.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SIGN_IN_PER_ADDRESS = os.environ.get(
        "RATELIMIT_SIGN_IN_PER_ADDRESS", "30 per minute;300 per hour"
    )
    RATELIMIT_SIGN_IN_PER_ACCOUNT = os.environ.get(
        "RATELIMIT_SIGN_IN_PER_ACCOUNT", "10 per 15 minutes"
    )
    RATELIMIT_RESET_PER_ADDRESS = os.environ.get("RATELIMIT_RESET_PER_ADDRESS", "20 per hour")
    RATELIMIT_RESET_PER_ACCOUNT = os.environ.get("RATELIMIT_RESET_PER_ACCOUNT", "5 per hour")
    # Setting a password from an invitation or reset link.
    RATELIMIT_LINK_PER_ADDRESS = os.environ.get("RATELIMIT_LINK_PER_ADDRESS", "20 per hour")
    RATELIMIT_LINK_PER_ACCOUNT = os.environ.get("RATELIMIT_LINK_PER_ACCOUNT", "10 per hour")
    RATELIMIT_UPLOAD_PER_ADDRESS = os.environ.get("RATELIMIT_UPLOAD_PER_ADDRESS", "300 per hour")
    RATELIMIT_UPLOAD_PER_USER = os.environ.get("RATELIMIT_UPLOAD_PER_USER", "100 per hour")
    # Integration clients of the API (dp_portal/api): each client's calls, counted per client
    # across every endpoint, and calls without a valid token, counted per client address.
    RATELIMIT_API_PER_CLIENT = os.environ.get("RATELIMIT_API_PER_CLIENT", "600 per minute")
    RATELIMIT_API_PER_ADDRESS = os.environ.get("RATELIMIT_API_PER_ADDRESS", "60 per minute")
    # How many reverse proxies in front of the app add X-Forwarded-For (behind nginx: 1).
    # 0 ignores the header, so a client cannot pick its own address to dodge the limits.
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", "true")
    # Implicit TLS from the first byte (usually port 465) instead of STARTTLS.
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")
    MAIL_FROM = os.environ.get("MAIL_FROM", "")
    # With no MAIL_SERVER (development and tests only), emails are written here as .eml files.
    MAIL_OUTBOX_DIR = Path(os.environ.get("MAIL_OUTBOX_DIR", INSTANCE_DIR / "outbox"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Files the portal keeps (evidence, statements, consent forms, letters, bank files):
    # outside the web root, under random names (core/storage.py). On local disk under
    # EVIDENCE_DIR, unless STORAGE_URL=s3://bucket/prefix names S3-compatible object storage
    # (needed for more than one web server); STORAGE_ENDPOINT_URL for MinIO and the like,
    # STORAGE_SSE=AES256 or aws:kms (with STORAGE_SSE_KMS_KEY_ID) to encrypt each write.
    EVIDENCE_DIR = Path(os.environ.get("EVIDENCE_DIR", INSTANCE_DIR / "evidence"))
    STORAGE_URL = os.environ.get("STORAGE_URL", "")
    STORAGE_ENDPOINT_URL = os.environ.get("STORAGE_ENDPOINT_URL", "")
    STORAGE_SSE = os.environ.get("STORAGE_SSE", "")
    STORAGE_SSE_KMS_KEY_ID = os.environ.get("STORAGE_SSE_KMS_KEY_ID", "")
    # How many evidence files one return may carry, and their total size.
    EVIDENCE_MAX_FILES = int(os.environ.get("EVIDENCE_MAX_FILES", "20"))
    # An import with at most this many rows is applied as the officer presses Apply (a few
    # seconds under load); a larger one by the scheduler's imports job, within a minute
    # (docs/benchmarks.md, "Bulk import", has the figures).
    IMPORT_ROWS_IN_REQUEST = int(os.environ.get("IMPORT_ROWS_IN_REQUEST", "200"))
    # An import nobody finished (applied or cancelled) in this many days is cancelled by the
    # scheduler and the rows read from its file deleted (imports/expiry.py says why).
    IMPORT_KEPT_DAYS = int(os.environ.get("IMPORT_KEPT_DAYS", "30"))
    EVIDENCE_MAX_TOTAL_MB = int(os.environ.get("EVIDENCE_MAX_TOTAL_MB", "50"))

    # Payments every 4 weeks (four_weekly, the Scottish norm) or monthly; period 0 contains
    # the anchor (for monthly, its month). Chosen once, at go-live.
    PAYMENT_CYCLE = os.environ.get("PAYMENT_CYCLE", "four_weekly")
    PAYMENT_CYCLE_ANCHOR = date.fromisoformat(os.environ.get("PAYMENT_CYCLE_ANCHOR", "2026-04-06"))
    # Bacs originator (the council's bank account) for payment files.
    BACS_ORIGINATOR_SORT_CODE = os.environ.get("BACS_ORIGINATOR_SORT_CODE", "")
    BACS_ORIGINATOR_ACCOUNT = os.environ.get("BACS_ORIGINATOR_ACCOUNT", "")
    BACS_ORIGINATOR_NAME = os.environ.get("BACS_ORIGINATOR_NAME", "")
    # The balance forecast warns of an underspend when the balance forecast for 31 March is
    # more than this many weeks of the budget: by default the contingency a person may keep
    # (8 weeks, monitoring/reconcile.py; shared/design.md 2.3: councils use 4 to 10), above
    # which a return shows a surplus the council may ask back.
    FORECAST_UNDERSPEND_WEEKS = int(os.environ.get("FORECAST_UNDERSPEND_WEEKS", "8"))
    # The council's code in the Source social care data collection (the quarterly SDS return's
    # sending_location, given by Public Health Scotland); blank until it is set.
    SOURCE_SENDING_LOCATION = os.environ.get("SOURCE_SENDING_LOCATION", "")
    # Team leaders approve budgets up to this many pounds a week; above it, finance officers.
    TEAM_LEADER_WEEKLY_CEILING = os.environ.get("TEAM_LEADER_WEEKLY_CEILING", "1500.00")
    # Pay.UK modulus weight tables (valacdos.txt, scsubtab.txt), if installed on disk.
    MODULUS_TABLE_DIR = os.environ.get("MODULUS_TABLE_DIR", "")
    CHARTER_MARK_YEARS = int(os.environ.get("CHARTER_MARK_YEARS", "2"))
    CHARTER_RENEWAL_REMINDER_DAYS = os.environ.get("CHARTER_RENEWAL_REMINDER_DAYS", "90,30")
    # After a mandate ends, the organisation reads the history it created for this many days
    # (the council keeps it all). A council policy: two years by default, the period a
    # monitoring query about the last return can still arrive in.
    MANDATE_HISTORY_DAYS = int(os.environ.get("MANDATE_HISTORY_DAYS", "730"))


ProductionConfig = Config


class DevelopmentConfig(Config):
    """`make run`: a sample council on this machine, emails to the outbox folder."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PUBLIC_BASE_URL = development_base_url(os.environ)


for _name, _sample in SAMPLE_SETTINGS.items():
    setattr(DevelopmentConfig, _name, os.environ.get(_name) or _sample)


class TestConfig(DevelopmentConfig):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    MAIL_SERVER = ""  # never send real mail from tests
    STORAGE_URL = ""  # files on local disk unless a test says otherwise
    PUBLIC_BASE_URL = "http://localhost"
    RATELIMIT_STORAGE_URI = "memory://"
    # Generous, so the suite (which signs in from one address, often as one user) never trips
    # them; the rate-limit tests set their own low values.
    RATELIMIT_SIGN_IN_PER_ADDRESS = "10000 per minute"
    RATELIMIT_SIGN_IN_PER_ACCOUNT = "10000 per minute"
    RATELIMIT_RESET_PER_ADDRESS = "10000 per minute"
    RATELIMIT_RESET_PER_ACCOUNT = "10000 per minute"
    RATELIMIT_LINK_PER_ADDRESS = "10000 per minute"
    RATELIMIT_LINK_PER_ACCOUNT = "10000 per minute"
    RATELIMIT_UPLOAD_PER_ADDRESS = "10000 per minute"
    RATELIMIT_UPLOAD_PER_USER = "10000 per minute"
    RATELIMIT_API_PER_CLIENT = "10000 per minute"
    RATELIMIT_API_PER_ADDRESS = "10000 per minute"
    TRUSTED_PROXY_COUNT = 0


for _name, _sample in SAMPLE_SETTINGS.items():
    setattr(TestConfig, _name, _sample)  # tests never depend on the machine's environment

CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


class ConfigurationError(RuntimeError):
    """The app must not start: the message names every problem."""


def config_from_env() -> type[Config]:
    name = os.environ.get("DP_ENV", "production").strip().lower() or "production"
    if name not in CONFIGS:
        raise ConfigurationError(
            f"DP_ENV is {name!r}: set it to production (the default) or development"
        )
    return CONFIGS[name]


def production_problems(config: Mapping[str, Any]) -> list[str]:
    """Why a production app must not start with these settings (an empty list: it may)."""
    problems = []
    secret = config.get("SECRET_KEY") or ""
    if not secret:
        problems.append("SECRET_KEY is not set")
    elif secret == DEV_SECRET:
        problems.append("SECRET_KEY is the development secret")
    elif len(secret.encode()) < MIN_SECRET_BYTES:
        problems.append(f"SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes")
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if uri.startswith("sqlite") and not config.get("ALLOW_SQLITE_IN_PRODUCTION"):
        problems.append(
            "DATABASE_URL is SQLite: use PostgreSQL, or set ALLOW_SQLITE_IN_PRODUCTION=true"
        )
    if not config.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER is not set")
    if not str(config.get("PUBLIC_BASE_URL") or "").startswith("https://"):
        problems.append("PUBLIC_BASE_URL must be an https:// address")
    for name, sample in SAMPLE_SETTINGS.items():
        value = config.get(name) or ""
        if not value:
            problems.append(f"{name} is not set")
        elif value == sample:
            problems.append(f"{name} is the sample value {sample!r}")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must stay on")
    return problems
