"""NF-e access keys: 44 digits with a mod-11 check digit."""
import pytest

from portal.orders.invoices import access_key_check_digit, is_valid_access_key

from . import VALID_KEY

# Left-to-right weights of the 43 digits, as printed in the NF-e manual (2..9 cycling from the right).
WEIGHTS = "4329876543298765432987654329876543298765432"


def test_constructed_key_has_the_check_digit_worked_out_by_hand():
    body = "35" "2611" "12345678000195" "55" "001" "000000123" "1" "12345678"
    assert len(body) == 43
    total = sum(int(d) * int(w) for d, w in zip(body, WEIGHTS, strict=True))
    assert total == 641 and total % 11 == 3
    assert access_key_check_digit(body) == 8
    assert body + "8" == VALID_KEY
    assert is_valid_access_key(VALID_KEY)


@pytest.mark.parametrize("first_43", ["0" * 43, "1" * 43, "9" * 43, "3" + "0" * 42, "0" * 42 + "2"])
def test_check_digit_matches_the_manual_weights(first_43):
    remainder = sum(int(d) * int(w) for d, w in zip(first_43, WEIGHTS, strict=True)) % 11
    expected = 0 if remainder in (0, 1) else 11 - remainder
    assert access_key_check_digit(first_43) == expected
    assert is_valid_access_key(first_43 + str(expected))


@pytest.mark.parametrize("key", [
    VALID_KEY[:43] + "9",          # wrong check digit
    VALID_KEY[:43],                # too short
    VALID_KEY + "0",               # too long
    "A" + VALID_KEY[1:],           # a letter
    VALID_KEY[:10] + "٣" + VALID_KEY[11:],  # a non-ASCII digit
    "", None, 35261112345678000195550010000001231123456788,
])
def test_bad_keys_are_refused(key):
    assert not is_valid_access_key(key)
