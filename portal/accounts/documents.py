"""Brazilian tax ids: CPF (people, 11 digits) and CNPJ (companies, 14 digits), checked by their check digits."""
import re

NON_DIGITS = re.compile(r"[\s./-]")
DIGITS = re.compile(r"\A[0-9]+\Z")


def digits_of(raw: str | None) -> str:
    """Drop the dots, dashes, slashes and spaces of a formatted CPF/CNPJ; other characters are kept."""
    return NON_DIGITS.sub("", raw or "")


def _check_digit(digits: str, weights: list[int]) -> str:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "0" if remainder < 2 else str(11 - remainder)


def is_valid_cpf(digits: str) -> bool:
    if len(digits) != 11 or not DIGITS.match(digits) or digits == digits[0] * 11:
        return False
    first = _check_digit(digits[:9], list(range(10, 1, -1)))
    second = _check_digit(digits[:10], list(range(11, 1, -1)))
    return digits[9:] == first + second


def is_valid_cnpj(digits: str) -> bool:
    if len(digits) != 14 or not DIGITS.match(digits) or digits == digits[0] * 14:
        return False
    weights = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    first = _check_digit(digits[:12], weights)
    second = _check_digit(digits[:13], [6, *weights])
    return digits[12:] == first + second


def normalise_document(raw: str | None) -> str | None:
    """Return the CPF/CNPJ as digits when its check digits are right, else None."""
    digits = digits_of(raw)
    return digits if is_valid_cpf(digits) or is_valid_cnpj(digits) else None


def format_document(digits: str | None) -> str:
    """Show stored digits the Brazilian way: 123.456.789-09 or 12.345.678/0001-95."""
    if not digits:
        return ""
    if len(digits) == 11:
        return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
    if len(digits) == 14:
        return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
    return digits
