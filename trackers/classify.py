"""Decide how the portal may offer an order's tracking value: Correios code, embedded page, new tab or nothing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, urlsplit

from trackers.s10 import parse_s10, public_tracking_url

MAX_LENGTH = 2048

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Unicode categories that a browser strips, ignores or renders invisibly: controls, format characters
# (bidi overrides, zero-width joiners), lone surrogates and every kind of separator.
_REJECTED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})

_URL_RE = re.compile(
    r"""
    \A
    (?P<scheme>https?)          # only web links; any other scheme is not a tracking link
    ://                         # exactly two slashes: WHATWG repairs "https:/x" and "https:///x" its own way
    (?P<host>[^/?#:]*)          # the host; userinfo and IP literals fail the label check below
    (?::(?P<port>[^/?#]*))?     # optional port, checked as a decimal number below
    (?P<path>/[^?#]*)?          # path, if any
    (?:\?(?P<query>[^#]*))?     # query, kept
    (?:\#(?P<fragment>.*))?     # fragment, kept (carrier pages route on it); never read for the host
    \Z
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)

_LABEL_RE = re.compile(
    r"""
    \A
    [a-z0-9]                    # letters-digits-hyphen label: starts with a letter or digit,
    (?:[a-z0-9-]{0,61}          # has at most 63 characters,
    [a-z0-9])?                  # and does not end with a hyphen
    \Z
    """,
    re.VERBOSE | re.ASCII,
)

_NUMERIC_LABEL_RE = re.compile(
    r"""
    \A
    (?:
        [0-9]+                  # decimal or octal: WHATWG would parse the host as IPv4
      | 0x[0-9a-f]*             # hexadecimal, even "0x" alone, is IPv4 to WHATWG too
    )
    \Z
    """,
    re.VERBOSE | re.ASCII,
)

# Characters a browser leaves alone in paths and queries; everything else is percent-encoded so that
# quotes, angle brackets, backslashes and non-ASCII text never reach an attribute raw.
_PATH_SAFE = "/:@!$&()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
# A second "#" is encoded too, so that the canonical URL has exactly one fragment delimiter.
_FRAGMENT_SAFE = _QUERY_SAFE


class TrackingKind(StrEnum):
    """How the portal offers a tracking value."""

    correios = "correios"
    embed = "embed"
    new_tab = "new_tab"
    none = "none"


@dataclass(frozen=True)
class TrackingLink:
    """A classified tracking value: its kind, the canonical URL to open and the normalised Correios code."""

    kind: TrackingKind
    url: str | None = None
    code: str | None = None


_NONE = TrackingLink(TrackingKind.none)


def classify(value: str, trusted_hosts: Iterable[str]) -> TrackingLink:
    """Classify a tracking value against the trusted hosts; never raise."""
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        return _NONE
    value = value.strip(" ")
    s10 = parse_s10(value)
    if s10 is not None:
        if s10.valid:
            return TrackingLink(TrackingKind.correios, public_tracking_url(s10.code), s10.code)
        return _NONE
    return _classify_url(value, _normalise_hosts(trusted_hosts))


def _normalise_hosts(trusted_hosts: Iterable[str]) -> frozenset[str]:
    """Lower-case the trusted hosts and drop a trailing dot, skipping anything that is not a string."""
    if isinstance(trusted_hosts, str):
        trusted_hosts = [trusted_hosts]
    try:
        return frozenset(h.strip().lower().rstrip(".") for h in trusted_hosts if isinstance(h, str))
    except TypeError:
        return frozenset()


def _classify_url(value: str, trusted: frozenset[str]) -> TrackingLink:
    """Classify a value that is not a Correios code as an embeddable, new-tab or unusable link."""
    if not value or not _is_clean(value):
        return _NONE
    match = _URL_RE.match(value)
    if match is None:
        return _NONE
    scheme = match["scheme"].lower()
    host = _check_host(match["host"])
    port = _check_port(match["port"])
    path, query, fragment = match["path"] or "/", match["query"], match["fragment"]
    # A backslash before the query is a slash to WHATWG but not to Python.
    if host is None or port is None or "\\" in path:
        return _NONE
    if not _python_agrees(value, host):
        return _NONE
    default_port = _DEFAULT_PORTS[scheme]
    netloc = host if port in (0, default_port) else f"{host}:{port}"
    url = f"{scheme}://{netloc}{quote(path, safe=_PATH_SAFE)}"
    if query is not None:
        url += "?" + quote(query, safe=_QUERY_SAFE)
    if fragment is not None:
        url += "#" + quote(fragment, safe=_FRAGMENT_SAFE)
    if scheme == "https" and port in (0, default_port) and host in trusted:
        return TrackingLink(TrackingKind.embed, url)
    return TrackingLink(TrackingKind.new_tab, url)


def _is_clean(value: str) -> bool:
    """Tell whether the value has no controls, whitespace, invisible characters or unencodable surrogates."""
    if value.isascii():
        return value.isprintable() and " " not in value
    return not any(ch.isspace() or unicodedata.category(ch) in _REJECTED_CATEGORIES for ch in value)


def _check_host(raw: str) -> str | None:
    """Return the lower-cased host when it is a plain LDH DNS name, else None."""
    host = raw.lower().removesuffix(".")
    if not host or len(host) > 253:
        return None
    labels = host.split(".")
    if not all(_LABEL_RE.match(label) for label in labels):
        return None
    # Punycode labels can spell look-alikes of trusted names; a last label WHATWG reads as a number is IPv4.
    if any(label.startswith("xn--") for label in labels) or _NUMERIC_LABEL_RE.match(labels[-1]):
        return None
    return host


def _check_port(raw: str | None) -> int | None:
    """Return the port (0 when absent) when it is a decimal 1-65535 without leading zeros, else None."""
    if raw is None:
        return 0
    if not (raw.isascii() and raw.isdigit()) or raw.startswith("0") or len(raw) > 5:
        return None
    port = int(raw)
    return port if port <= 65535 else None


def _python_agrees(value: str, host: str) -> bool:
    """Tell whether urllib reads the same host from the value, as a guard against regex slips."""
    try:
        parts = urlsplit(value)
        return (parts.hostname or "").rstrip(".") == host and parts.username is None
    except ValueError:
        return False
