"""Ticket numbers: shape, Verhoeff check digit, typing mistakes caught, no sequence to guess."""
import re

import pytest

from portal.tickets.numbers import (
    is_valid_ticket_number,
    new_ticket_number,
    normalise_ticket_number,
    verhoeff_digit,
    verhoeff_ok,
)

SAMPLE = "4719205836"
NUMBER = SAMPLE + verhoeff_digit(SAMPLE)


@pytest.mark.parametrize("body, check", [
    ("236", "3"),            # the textbook example
    ("12345", "1"),
    ("142857", "0"),
    ("123456789012", "0"),
])
def test_verhoeff_known_values(body, check):
    assert verhoeff_digit(body) == check
    assert verhoeff_ok(body + check)


def test_new_numbers_have_eleven_digits_a_nonzero_start_and_a_valid_check():
    for _ in range(2000):
        number = new_ticket_number()
        assert re.fullmatch(r"[1-9][0-9]{10}", number)
        assert is_valid_ticket_number(number)


def test_numbers_are_not_sequential_or_repeated():
    numbers = [int(new_ticket_number()[:10]) for _ in range(1000)]
    assert len(set(numbers)) == len(numbers)
    gaps = [abs(b - a) for a, b in zip(numbers, numbers[1:], strict=False)]
    # Consecutive random draws from 9e9 values are almost never close; a counter would give gaps of 1.
    assert sum(gap < 1000 for gap in gaps) < 3
    first_digits = {str(n)[0] for n in numbers}
    assert first_digits == set("123456789")


def test_every_single_digit_substitution_is_caught():
    for position in range(len(NUMBER)):
        for digit in "0123456789":
            if digit == NUMBER[position]:
                continue
            typo = NUMBER[:position] + digit + NUMBER[position + 1:]
            assert not verhoeff_ok(typo), typo
            assert not is_valid_ticket_number(typo), typo


def test_every_adjacent_transposition_is_caught():
    for number in [NUMBER] + [new_ticket_number() for _ in range(200)]:
        for position in range(len(number) - 1):
            a, b = number[position], number[position + 1]
            if a == b:
                continue
            typo = number[:position] + b + a + number[position + 2:]
            assert not verhoeff_ok(typo), typo


@pytest.mark.parametrize("typed", [
    NUMBER,
    f" {NUMBER} ",
    f"{NUMBER[:3]}.{NUMBER[3:6]}.{NUMBER[6:9]}-{NUMBER[9:]}",
    f"{NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]}",
    f"{NUMBER[:5]}-{NUMBER[5:]}",
])
def test_separators_a_user_may_type_are_ignored(typed):
    assert is_valid_ticket_number(typed)
    assert normalise_ticket_number(typed) == NUMBER


@pytest.mark.parametrize("typed", [
    None,
    "",
    "   ",
    NUMBER[:-1],                                   # ten digits
    NUMBER + "0",                                  # twelve digits
    "0" + NUMBER[1:],                              # leading zero
    "0" + SAMPLE[1:] + verhoeff_digit("0" + SAMPLE[1:]),  # right check digit, but a leading zero
    NUMBER[:5] + "a" + NUMBER[6:],
    NUMBER[:5] + "/" + NUMBER[5:],
    "٤٧١٩٢٠٥٨٣٦" + NUMBER[-1],                     # Arabic-Indic digits are digits, but not ours
    "-" * 11,
])
def test_malformed_numbers_are_refused(typed):
    assert not is_valid_ticket_number(typed)
    assert normalise_ticket_number(typed) is None
