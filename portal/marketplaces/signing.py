"""HMAC-SHA256 signatures over a timestamp and the raw body, in both directions (docs/integrations.md).

    X-Portal-Timestamp: 1764583200
    X-Portal-Signature: sha256=<hex of HMAC-SHA256(secret, "1764583200." + raw body)>

While a secret is being rotated the header may carry several comma-separated signatures; one that matches
any accepted secret is enough.
"""
import hashlib
import hmac
import re
import secrets as _secrets
import time
from collections.abc import Iterable

TIMESTAMP_HEADER = "X-Portal-Timestamp"
SIGNATURE_HEADER = "X-Portal-Signature"
EVENT_HEADER = "X-Portal-Event-Id"
# How far a request's timestamp may be from our clock, either way.
TOLERANCE_SECONDS = 300
_SCHEME = "sha256="
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_HEX_SIGNATURE = re.compile(r"sha256=[0-9a-fA-F]{64}", re.ASCII)


def new_secret() -> str:
    """Return a fresh random signing secret."""
    return "whsec_" + _secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """Return the signature header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return _SCHEME + mac.hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """Return the timestamp and signature headers for sending `body` now."""
    timestamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def timestamp_ok(value: str | None, now: float | None = None) -> bool:
    """Tell whether the timestamp header is a whole number of seconds within the tolerance of now."""
    if not value or not _TIMESTAMP.fullmatch(value.strip()):
        return False
    moment = time.time() if now is None else now
    return abs(moment - int(value.strip())) <= TOLERANCE_SECONDS


def verify(accepted: Iterable[str], timestamp: str | None, header: str | None, body: bytes,
           now: float | None = None) -> bool:
    """Tell whether the request was signed, at an acceptable time, with one of the accepted secrets."""
    if not header or not timestamp_ok(timestamp, now):
        return False
    # Only well-formed signatures are compared (ASCII hex, so compare_digest never meets other text).
    given = [part.strip().lower() for part in header.split(",") if _HEX_SIGNATURE.fullmatch(part.strip())][:5]
    for secret in accepted:
        if not secret:
            continue
        expected = signature(secret, timestamp.strip(), body)
        if any(hmac.compare_digest(expected, candidate) for candidate in given):
            return True
    return False
