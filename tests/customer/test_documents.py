"""CPF and CNPJ: check digits, formatting, and what is refused."""
import pytest

from portal.accounts.documents import digits_of, format_document, is_valid_cnpj, is_valid_cpf, normalise_document


@pytest.mark.parametrize("cpf", ["52998224725", "11144477735", "39053344705", "00000000191"])
def test_valid_cpfs(cpf):
    assert is_valid_cpf(cpf) and not is_valid_cnpj(cpf)


@pytest.mark.parametrize("cpf", ["52998224724", "52998224735", "11111111111", "00000000000", "5299822472",
                                 "529982247250", "5299822472a", "５２９９８２２４７２５"])
def test_cpfs_with_a_wrong_digit_length_repetition_or_character_are_refused(cpf):
    assert not is_valid_cpf(cpf)


@pytest.mark.parametrize("cnpj", ["11222333000181", "11444777000161", "04252011000110"])
def test_valid_cnpjs(cnpj):
    assert is_valid_cnpj(cnpj) and not is_valid_cpf(cnpj)


@pytest.mark.parametrize("cnpj", ["11222333000182", "11222333000191", "22222222222222", "1122233300018",
                                  "1122233300018x"])
def test_cnpjs_with_a_wrong_digit_length_or_repetition_are_refused(cnpj):
    assert not is_valid_cnpj(cnpj)


@pytest.mark.parametrize("raw, digits", [
    ("529.982.247-25", "52998224725"), (" 529 982 247 25 ", "52998224725"), ("11.222.333/0001-81", "11222333000181"),
    ("529.982.247-26", None), ("", None), (None, None), ("abc", None), ("529.982.247-25x", None),
])
def test_normalise_keeps_digits_only_when_the_check_digits_are_right(raw, digits):
    assert normalise_document(raw) == digits


def test_digits_of_drops_only_the_usual_separators():
    assert digits_of("529.982.247-25") == "52998224725"
    assert digits_of("11.222.333/0001-81") == "11222333000181"
    assert digits_of("52a") == "52a" and digits_of(None) == ""


@pytest.mark.parametrize("digits, shown", [
    ("52998224725", "529.982.247-25"), ("11222333000181", "11.222.333/0001-81"), ("", ""), (None, ""),
    ("123", "123"),
])
def test_format_document_shows_the_brazilian_way(digits, shown):
    assert format_document(digits) == shown
