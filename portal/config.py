"""Configuration read from the environment when the app is created."""
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when the environment lacks something production cannot do without."""


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "portal.db")
    # Plain postgres:// URLs (Heroku-style) select psycopg 3 explicitly.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str) -> dict:
    """Return the pool options for a database URL: pre-ping always; recycling and a connect timeout on PostgreSQL."""
    options = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        # Recycle before firewalls and PgBouncer drop idle connections; fail fast when the server is gone.
        options["pool_recycle"] = int(os.environ.get("DATABASE_POOL_RECYCLE", "1800"))
        options["connect_args"] = {"connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))}
    return options


def _secret_key(instance_path: str, production: bool) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set in production.")
    # Development: keep one random key per instance so sessions survive restarts.
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    return key


def load_config(instance_path: str) -> dict:
    """Build the config mapping from environment variables."""
    production = os.environ.get("PORTAL_ENV", "development") == "production"
    https = os.environ.get("PORTAL_HTTPS", "1" if production else "0") == "1"
    redis_url = os.environ.get("REDIS_URL", "").strip()
    db_url = _database_url(instance_path)
    return {
        "PORTAL_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "FORCE_HTTPS": https,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "pt_BR",
        "BABEL_DEFAULT_TIMEZONE": "America/Sao_Paulo",
        "LANGUAGES": ["pt_BR", "en", "cs", "fr", "de"],
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1} if redis_url else {},
        # Redis down: the per-address limits go on in each process's memory, the per-account counters are
        # skipped (logged), and signing in keeps working (docs/configuration.md, "Login throttling").
        "RATELIMIT_SWALLOW_ERRORS": os.environ.get("RATELIMIT_SWALLOW_ERRORS", "1") == "1",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # A sliding window: a burst across a minute boundary still counts as one minute's attempts.
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Sign-in POSTs per client address from browsers without a device cookie: high enough for a shop whose
        # staff share one address (their known browsers are not counted), low enough to slow a spray of accounts.
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "30 per minute;300 per hour"),
        "RATELIMIT_RESET": os.environ.get("RATELIMIT_RESET", "5 per minute;20 per hour"),
        # Failed sign-ins per e-mail address tried and client address (and credential changes per signed-in account).
        "RATELIMIT_LOGIN_ACCOUNT": os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "10 per 15 minutes;30 per day"),
        # Failed sign-ins per e-mail address from all clients without a device cookie: a ceiling against guessing
        # from many places, far above ten so that strangers cannot lock the owner out (web/auth/throttle.py).
        "RATELIMIT_LOGIN_UNTRUSTED": os.environ.get("RATELIMIT_LOGIN_UNTRUSTED", "100 per hour"),
        # Failed sign-ins per device cookie (a browser that signed in before); past it the cookie exempts nothing.
        "RATELIMIT_LOGIN_DEVICE": os.environ.get("RATELIMIT_LOGIN_DEVICE", "10 per hour"),
        "LOGIN_DEVICE_COOKIE_DAYS": int(os.environ.get("LOGIN_DEVICE_COOKIE_DAYS", "365")),
        "RATELIMIT_RESET_ACCOUNT": os.environ.get("RATELIMIT_RESET_ACCOUNT", "5 per hour"),
        "REDIS_URL": redis_url,
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if production else "file"),
        "MAIL_DIR": os.environ.get("MAIL_DIR", "").strip() or os.path.join(instance_path, "mail"),
        "ATTACHMENTS_DIR": os.environ.get("ATTACHMENTS_DIR", "").strip() or None,
        "PROXY_FIX_HOPS": int(os.environ.get("PROXY_FIX_HOPS", "0")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Portal <no-reply@localhost>"),
        # The mailbox shoppers answer ticket e-mails to; each ticket's address is <local>+<number>.<mac>@<domain>.
        "TICKET_REPLY_ADDRESS": os.environ.get("TICKET_REPLY_ADDRESS", "").strip() or None,
        # A received e-mail larger than this is kept aside unread (docs/tickets.md).
        "INBOUND_MAIL_MAX_BYTES": int(os.environ.get("INBOUND_MAIL_MAX_BYTES", str(25 * 1024 * 1024))),
        # Inbound mail (docs/tickets.md, "Receiving mail"): an IMAP mailbox polled by one consumer when
        # INBOUND_IMAP_HOST is set; the port defaults to 993 with SSL, 143 without.
        "INBOUND_IMAP_HOST": os.environ.get("INBOUND_IMAP_HOST", "").strip(),
        "INBOUND_IMAP_PORT": int(os.environ.get("INBOUND_IMAP_PORT", "0") or 0),
        "INBOUND_IMAP_USER": os.environ.get("INBOUND_IMAP_USER", ""),
        "INBOUND_IMAP_PASSWORD": os.environ.get("INBOUND_IMAP_PASSWORD", ""),
        "INBOUND_IMAP_SSL": os.environ.get("INBOUND_IMAP_SSL", "1") == "1",
        "INBOUND_IMAP_FOLDER": os.environ.get("INBOUND_IMAP_FOLDER", "INBOX"),
        "INBOUND_IMAP_TIMEOUT": float(os.environ.get("INBOUND_IMAP_TIMEOUT", "30")),
        "INBOUND_IMAP_INTERVAL": int(os.environ.get("INBOUND_IMAP_INTERVAL", "60")),
        "LOGIN_LINK_HOURS": int(os.environ.get("LOGIN_LINK_HOURS", "24")),
        "CORREIOS_BASE_URL": os.environ.get("CORREIOS_BASE_URL", ""),
        "CORREIOS_USER": os.environ.get("CORREIOS_USER", ""),
        "CORREIOS_ACCESS_CODE": os.environ.get("CORREIOS_ACCESS_CODE", ""),
        "CORREIOS_CONTRACT_CARD": os.environ.get("CORREIOS_CONTRACT_CARD", ""),
        "CORREIOS_CACHE_MINUTES": int(os.environ.get("CORREIOS_CACHE_MINUTES", "30")),
        "CORREIOS_CONNECT_TIMEOUT": float(os.environ.get("CORREIOS_CONNECT_TIMEOUT", "3")),
        "CORREIOS_READ_TIMEOUT": float(os.environ.get("CORREIOS_READ_TIMEOUT", "6")),
        "CORREIOS_TOTAL_TIMEOUT": float(os.environ.get("CORREIOS_TOTAL_TIMEOUT", "10")),
        "MARKETPLACE_CONNECT_TIMEOUT": float(os.environ.get("MARKETPLACE_CONNECT_TIMEOUT", "3")),
        "MARKETPLACE_READ_TIMEOUT": float(os.environ.get("MARKETPLACE_READ_TIMEOUT", "10")),
        "MARKETPLACE_TOTAL_TIMEOUT": float(os.environ.get("MARKETPLACE_TOTAL_TIMEOUT", "15")),
        # Retention (core/retention.py): delivered outbox rows, and those failed for good, are removed after so
        # many days (0 keeps them), in batches of RETENTION_BATCH rows, by a daily task.
        "OUTBOX_KEEP_DAYS": int(os.environ.get("OUTBOX_KEEP_DAYS", "30")),
        "OUTBOX_FAILED_KEEP_DAYS": int(os.environ.get("OUTBOX_FAILED_KEEP_DAYS", "90")),
        "RETENTION_BATCH": int(os.environ.get("RETENTION_BATCH", "1000")),
        # An outbox row being sent is taken over by the sweep after so many seconds (its sender died mid-way);
        # keep it well above the longest delivery (MARKETPLACE_TOTAL_TIMEOUT, MAIL_TIMEOUT).
        "OUTBOX_LEASE_SECONDS": int(os.environ.get("OUTBOX_LEASE_SECONDS", "600")),
        "ORDERS_PER_PAGE": 10,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }
