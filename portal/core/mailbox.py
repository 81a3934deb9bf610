"""Fetch the unseen messages of an IMAP mailbox and hand each to a handler; flag it \\Seen once it is handled.

A message is fetched by UID with BODY.PEEK[] (fetching alone does not mark it read). Only after the handler
returns is it flagged \\Seen, so a message whose handler failed (the database was down) stays unseen and is
fetched again by the next poll; the handler is expected to be idempotent (the ticket core dedupes by
Message-ID), so a message handled but not flagged (the connection dropped in between) is not posted twice.
Every socket operation has the timeout of the settings; a server that cannot be reached, refuses the login or
stops answering is logged in one line and the poll returns, never raising.
"""
import imaplib
import logging
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

# At most this many messages per poll: a full mailbox is worked through over several polls.
BATCH = 100
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    use_ssl: bool = True
    folder: str = "INBOX"
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping) -> "ImapSettings | None":
        """Return the settings of INBOUND_IMAP_*, or None when INBOUND_IMAP_HOST is not set."""
        host = (config.get("INBOUND_IMAP_HOST") or "").strip()
        if not host:
            return None
        use_ssl = bool(config.get("INBOUND_IMAP_SSL", True))
        return cls(host=host, port=int(config.get("INBOUND_IMAP_PORT") or (993 if use_ssl else 143)),
                   user=config.get("INBOUND_IMAP_USER", ""), password=config.get("INBOUND_IMAP_PASSWORD", ""),
                   use_ssl=use_ssl, folder=config.get("INBOUND_IMAP_FOLDER") or "INBOX",
                   timeout=float(config.get("INBOUND_IMAP_TIMEOUT") or 30))


@dataclass
class PollResult:
    fetched: int = 0
    handled: int = 0
    failed: int = 0
    error: str | None = None


def _connect(settings: ImapSettings) -> imaplib.IMAP4:
    if settings.use_ssl:
        return imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=ssl.create_default_context(),
                                 timeout=settings.timeout)
    return imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)


def _check(answer: tuple, what: str) -> list:
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {status} {data!r}"[:200])
    return data


def _raw_message(data: list) -> bytes | None:
    for part in data:
        if isinstance(part, tuple) and len(part) == 2:
            return part[1]
    return None


def poll(settings: ImapSettings, handler: Callable[[bytes], object], max_bytes: int | None = None,
         batch: int = BATCH, deadline: float | None = None) -> PollResult:
    """Hand every unseen message of the folder (up to `batch`) to `handler(raw)`; flag the handled ones \\Seen.

    A message larger than `max_bytes` is handed over as its first `max_bytes + 1` bytes, so that the handler
    sees it is too large without the poll holding it whole. No message is started after `deadline` (a
    `time.monotonic()` value); the rest wait for the next poll. Never raises: a failure is in `error` and the log.
    """
    result = PollResult()
    where = f"{settings.user}@{settings.host}:{settings.port}/{settings.folder}"
    client = None
    try:
        client = _connect(settings)
        _check(client.login(settings.user, settings.password), "login")
        _check(client.select(_quoted(settings.folder)), "select")
        uids = _check(client.uid("SEARCH", "UNSEEN"), "search")[0].split()[:batch]
        for uid in uids:
            if deadline is not None and time.monotonic() > deadline:
                break
            raw = _fetch(client, uid, max_bytes)
            if raw is None:
                continue
            result.fetched += 1
            try:
                handler(raw)
            except Exception as error:  # noqa: BLE001 - it stays unseen and is retried; one line, not a traceback
                result.failed += 1
                log.warning("inbound IMAP %s: message UID %s not handled, left unseen (%s: %s)", where,
                            uid.decode(), type(error).__name__, str(error)[:200])
                continue
            _check(client.uid("STORE", uid, "+FLAGS", r"(\Seen)"), "store")
            result.handled += 1
    except (OSError, imaplib.IMAP4.error, EOFError) as error:
        result.error = f"{type(error).__name__}: {str(error)[:200] or 'no answer'}"
        log.warning("inbound IMAP %s unavailable (%s); the next poll tries again", where, result.error)
    finally:
        if client is not None:
            _logout(client)
    if result.fetched:
        log.info("inbound IMAP %s: %s", where, result)
    return result


def _fetch(client: imaplib.IMAP4, uid: bytes, max_bytes: int | None) -> bytes | None:
    section = "BODY.PEEK[]"
    if max_bytes is not None:
        size = _SIZE.search(b" ".join(p if isinstance(p, bytes) else p[0]
                                      for p in _check(client.uid("FETCH", uid, "(RFC822.SIZE)"), "size") if p))
        if size and int(size[1]) > max_bytes:
            section = f"BODY.PEEK[]<0.{max_bytes + 1}>"
    return _raw_message(_check(client.uid("FETCH", uid, f"({section})"), "fetch"))


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (OSError, imaplib.IMAP4.error, EOFError):
        pass
