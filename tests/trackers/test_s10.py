"""Tests for UPU S10 code parsing and check digits."""

import pytest

from trackers import check_digit, parse_s10, public_tracking_url
from trackers.s10 import S10Code


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        ("12345678", 5),  # the classic SS123456785BR: sum 204, remainder 6 -> 5
        ("47312482", 9),  # sum 200, remainder 2 -> 9
        ("87654321", 6),  # sum 192, remainder 5 -> 6
        ("00000001", 4),  # sum 7, remainder 7 -> 4
        ("00000000", 5),  # sum 0, remainder 0 -> 5
        ("11111111", 5),  # sum 44, remainder 0 -> 5
        ("00000015", 5),  # sum 44, remainder 0 -> 5
        ("00000008", 0),  # sum 56, remainder 1 -> 0
        ("00000012", 0),  # sum 23, remainder 1 -> 0
        ("00000027", 0),  # sum 67, remainder 1 -> 0
    ],
)
def test_check_digit(serial, expected):
    assert check_digit(serial) == expected


@pytest.mark.parametrize("serial", ["1234567", "123456789", "1234567a", "", "١٢٣٤٥٦٧٨", None, 12345678])
def test_check_digit_rejects_non_serials(serial):
    with pytest.raises(ValueError):
        check_digit(serial)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("SS123456785BR", "SS123456785BR"),
        ("ss123456785br", "SS123456785BR"),
        ("Ss123456785bR", "SS123456785BR"),
        ("  SS123456785BR\t\n", "SS123456785BR"),
        ("LB000000080BR", "LB000000080BR"),
        ("OJ000000120BR", "OJ000000120BR"),
        ("QB473124829BR", "QB473124829BR"),
    ],
)
def test_parse_valid_codes(value, code):
    parsed = parse_s10(value)
    assert parsed is not None
    assert parsed.code == code
    assert parsed.valid
    assert parsed.country == "BR"
    assert parsed.service == code[:2]
    assert parsed.serial == code[2:10]
    assert parsed.check == int(code[10])


def test_parse_returns_all_fields():
    assert parse_s10("ss123456785br") == S10Code(
        code="SS123456785BR", service="SS", serial="12345678", check=5, country="BR", valid=True
    )


@pytest.mark.parametrize("value", ["SS123456784BR", "SS123456780BR", "LB000000085BR", "OJ000000125BR"])
def test_parse_wrong_check_digit_is_invalid(value):
    parsed = parse_s10(value)
    assert parsed is not None
    assert parsed.code == value
    assert not parsed.valid


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "SS12345678BR",  # missing check digit
        "SS1234567855BR",  # one digit too many
        "S123456785BR",  # one letter
        "SSS123456785BR",
        "SS123456785US",  # not Correios
        "SS123456785B",
        "SS 123456785 BR",  # inner spaces
        "SS-123456785-BR",
        "12123456785BR",
        "SS12345678XBR",
        "SS١٢٣٤٥٦٧٨٥BR",  # Arabic-Indic digits
        "ＳＳ123456785BR",  # fullwidth letters
        "ÇS123456785BR",
        "SS123456785BR\x00",
        "xSS123456785BR",
        "SS123456785BRx",
        "https://rastreamento.correios.com.br/app/index.php?objetos=SS123456785BR",
        "SS123456785BR" * 10,
    ],
)
def test_parse_rejects_other_shapes(value):
    assert parse_s10(value) is None


@pytest.mark.parametrize("value", [None, 123, b"SS123456785BR", ["SS123456785BR"], object()])
def test_parse_rejects_non_strings(value):
    assert parse_s10(value) is None


def test_public_tracking_url():
    assert (
        public_tracking_url("ss123456785br")
        == "https://rastreamento.correios.com.br/app/index.php?objetos=SS123456785BR"
    )
