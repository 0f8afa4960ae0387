"""All configuration is read here, once, from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{INSTANCE / name}"


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _production() -> bool:
    return _flag("PRODUCTION") or os.environ.get("FLASK_ENV", "").strip().lower() == "production"


def _url_scheme() -> str:
    return os.environ.get("PREFERRED_URL_SCHEME", "").strip().lower() or "http"


class Config:
    # Production mode: no start without SECRET_KEY (web/secret_key.py).
    PRODUCTION = _production()
    # Empty: a random key kept in SECRET_KEY_FILE, made on the first start (web/secret_key.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE") or str(INSTANCE / "secret_key")
    # Served over HTTPS (PREFERRED_URL_SCHEME=https, or SECURE_COOKIES=1 behind a TLS proxy):
    # the session and remember-me cookies are sent over HTTPS only.
    PREFERRED_URL_SCHEME = _url_scheme()
    SECURE_COOKIES = _flag("SECURE_COOKIES", default=PREFERRED_URL_SCHEME == "https")
    SESSION_COOKIE_SECURE = SECURE_COOKIES
    REMEMBER_COOKIE_SECURE = SECURE_COOKIES
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Each login's remember-me cookie lives as the setting `login.remember_for` says
    # (engine/users/login.py); this is only the fallback of Flask-Login (its own is a year).
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    # Proxies in front of gunicorn that set X-Forwarded-For/-Proto (0: none). The login lock
    # counts failures per client address; behind an uncounted proxy every client is the proxy.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES") or 0)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_url("sales.sqlite")
    BROKER_URL = os.environ.get("BROKER_URL") or "sqla+" + _sqlite_url("broker.sqlite")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Embedded mode: how long a writer waits for SQLite's write lock (web/sqlite_locking.py);
    # a request kept waiting longer is answered 503 «Сервер занят».
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS") or 10_000)
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "Europe/Moscow"
    LANGUAGES = ("ru", "en")
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # uploads above 20 MB are refused with a message
    UPLOAD_FOLDER = str(INSTANCE / "uploads")
    PER_PAGE = 50
    # Settings and notification texts are kept this many seconds per worker process
    # (models/shared_cache.py): an admin's change reaches the other workers within this time.
    SHARED_CACHE_SECONDS = float(os.environ.get("SHARED_CACHE_SECONDS") or 5)
    # engine/speed/: SpiffWorkflow's and the tick's speed-ups, all on or all off (`SPEED=0`: the
    # engine does the same work the slow way, e.g. to rule them out when hunting a bug).
    SPEED = _flag("SPEED", default=True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Which sites may show our pages in a frame (CSP frame-ancestors, web/headers.py): `'self'`
    # or `'none'`, or a list of origins. A view meant to be embedded (the booking widget on the
    # developer's site) loosens it for itself alone with @headers.frame_ancestors(...).
    FRAME_ANCESTORS = os.environ.get("FRAME_ANCESTORS") or "'self'"
    # Email over SMTP (engine/delivery.py). MAIL_USE_TLS = STARTTLS, MAIL_USE_SSL = SMTPS.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 25)
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Отдел продаж <noreply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT") or 10)
    # SMS: "dev" only records (the outbox row is marked sent by sms-dev), "http" posts JSON
    # to SMS_HTTP_URL (engine/sms_http.py documents the request).
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "dev")
    SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
    SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
    SMS_HTTP_SENDER = os.environ.get("SMS_HTTP_SENDER", "")
    SMS_HTTP_TIMEOUT = float(os.environ.get("SMS_HTTP_TIMEOUT") or 10)
    # Attempts per outbox message before it is marked failed (back-off 1, 2, 4… min, ≤ 1 h).
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS") or 8)

    @staticmethod
    def normalise_database_url(url: str) -> str:
        """Accept postgres:// and postgresql:// and run them on psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


DELIVERY_KEYS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "MAIL_TIMEOUT",
    "SMS_GATEWAY",
    "SMS_HTTP_URL",
    "SMS_HTTP_TOKEN",
    "SMS_HTTP_SENDER",
    "SMS_HTTP_TIMEOUT",
    "OUTBOX_MAX_ATTEMPTS",
)


def delivery_settings(config) -> dict:
    """The plain settings the engine's send pass needs (it never reads Flask's config)."""
    return {key: config.get(key) for key in DELIVERY_KEYS}


class TestConfig(Config):
    TESTING = True
    SHARED_CACHE_SECONDS = 0  # tests change settings between requests and reuse databases
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "test"
