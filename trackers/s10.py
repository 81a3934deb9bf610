"""UPU S10 object codes as used by Correios (two letters, eight digits, check digit, country)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

PUBLIC_TRACKING_URL = "https://rastreamento.correios.com.br/app/index.php?objetos={code}"

# The weights are fixed by UPU standard S10 for the eight serial digits.
_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

_S10_RE = re.compile(
    r"""
    \A
    (?P<service>[A-Z]{2})   # service indicator, e.g. SS, LB, OJ
    (?P<serial>[0-9]{8})    # serial number; [0-9] rather than \d so that no Unicode digits slip in
    (?P<check>[0-9])        # check digit over the serial
    (?P<country>BR)         # only Correios codes matter to the portal
    \Z
    """,
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True)
class S10Code:
    """An S10 code, normalised to upper case, with whether its check digit is right."""

    code: str
    service: str
    serial: str
    check: int
    country: str
    valid: bool


def check_digit(serial: str) -> int:
    """Return the S10 check digit for an eight-digit serial."""
    if not (isinstance(serial, str) and len(serial) == 8 and serial.isascii() and serial.isdigit()):
        raise ValueError("serial must be exactly eight ASCII digits")
    remainder = sum(int(digit) * weight for digit, weight in zip(serial, _WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 5
    if remainder == 1:
        return 0
    return 11 - remainder


def parse_s10(value: object) -> S10Code | None:
    """Parse a Correios S10 code, or return None when the value is not shaped like one."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    match = _S10_RE.match(value.strip())
    if match is None:
        return None
    code = match.group(0).upper()
    serial = match["serial"]
    check = int(match["check"])
    return S10Code(
        code=code,
        service=match["service"].upper(),
        serial=serial,
        check=check,
        country=match["country"].upper(),
        valid=check == check_digit(serial),
    )


def public_tracking_url(code: str) -> str:
    """Return the public Correios tracking page for a code."""
    return PUBLIC_TRACKING_URL.format(code=quote(code.strip().upper(), safe=""))
