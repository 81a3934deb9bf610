"""Brazilian electronic invoices (NF-e): the 44-digit access key ("chave de acesso")."""
import re

ACCESS_KEY_LENGTH = 44
_DIGITS = re.compile(r"[0-9]{44}", re.ASCII)


def access_key_check_digit(first_43: str) -> int:
    """Return the mod-11 check digit of the first 43 digits of an access key."""
    total = sum(int(digit) * (2 + i % 8) for i, digit in enumerate(reversed(first_43)))
    digit = 11 - total % 11
    return 0 if digit >= 10 else digit


def normalise_access_key(key: object) -> str:
    """Return the key without the spaces it is often printed with; anything else is kept."""
    return "".join(str(key).split(" ")) if isinstance(key, str) else ""


def is_valid_access_key(key: object) -> bool:
    """Tell whether the key is 44 ASCII digits ending in the right check digit."""
    if not isinstance(key, str) or not _DIGITS.fullmatch(key):
        return False
    return access_key_check_digit(key[:43]) == int(key[43])
