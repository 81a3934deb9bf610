"""Random 11-digit ticket numbers with a Verhoeff check digit.

Ten random digits (the first not zero, so the number never loses a digit when read as an integer) are
followed by a Verhoeff check digit. Verhoeff, unlike Luhn, catches every single-digit substitution and
every transposition of two adjacent digits, the two mistakes people make when they type a number.
Numbers are drawn from `secrets`, so one ticket's number says nothing about another's; uniqueness is
the database's job (a unique index), and a caller retries on the rare collision in 9 x 10^9 numbers.
"""
import re
import secrets

LENGTH = 11

# Dihedral group D5 multiplication table, the permutation applied per position, and the inverses.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

# What people type between digit groups when they copy a number from an e-mail or read it aloud.
_SEPARATORS = re.compile(r"[\s.\-]+")
_SHAPE = re.compile(r"[1-9][0-9]{10}", re.ASCII)


def _checksum(digits: str, offset: int) -> int:
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _D[check][_P[(position + offset) % 8][int(char)]]
    return check


def verhoeff_digit(digits: str) -> str:
    """Return the Verhoeff check digit for a string of ASCII digits."""
    return str(_INV[_checksum(digits, 1)])


def verhoeff_ok(digits: str) -> bool:
    """Say whether a string of ASCII digits ends with a correct Verhoeff check digit."""
    return bool(digits) and _checksum(digits, 0) == 0


def new_ticket_number() -> str:
    """Return a fresh random ticket number: 10 random digits, the first not zero, and a check digit."""
    body = str(10**9 + secrets.randbelow(9 * 10**9))
    return body + verhoeff_digit(body)


def normalise_ticket_number(value: str | None) -> str | None:
    """Return the 11 digits of a typed ticket number, or None when it is not a valid one."""
    if not value:
        return None
    digits = _SEPARATORS.sub("", value)
    if not _SHAPE.fullmatch(digits) or not verhoeff_ok(digits):
        return None
    return digits


def is_valid_ticket_number(value: str | None) -> bool:
    """Say whether a typed ticket number (spaces, dots and dashes allowed) is well formed."""
    return normalise_ticket_number(value) is not None
