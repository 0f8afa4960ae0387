"""ИНН, СНИЛС, ОГРН, КПП and passport: each refusal names its field and says in Russian what is
wrong, and each checksum is right at its edges (one check digit right and the other wrong, the
remainders that wrap to 0, the first numbers issued without a checksum)."""

from __future__ import annotations

import pytest

from models.clients.identifiers import (
    InvalidIdentifier,
    normalise_inn,
    normalise_kpp,
    normalise_ogrn,
    normalise_passport,
    normalise_snils,
)


def refusal(check, *args) -> tuple[str | None, str]:
    with pytest.raises(InvalidIdentifier) as refused:
        check(*args)
    return refused.value.field, refused.value.message


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("7707083893", "7707083893"),
        ("\t7707-083-893\n", "7707083893"),
        ("500100732259", "500100732259"),
        ("5001 0073 2259", "500100732259"),
    ],
)
def test_a_right_inn_is_kept_as_its_digits_whatever_spaces_and_dashes_were_typed(typed, kept):
    assert normalise_inn(typed) == kept


@pytest.mark.parametrize(
    "inn",
    [
        "7707083893",  # Сбербанк: a company
        "7736207543",  # Яндекс: a company
        "500100732259",  # a person
        "773370857141",  # a person
    ],
)
def test_real_inns_pass_their_checksum(inn):
    assert normalise_inn(inn) == inn


@pytest.mark.parametrize(
    "inn",
    [
        "500100732202",  # the first check digit wrong (0 instead of 5), the second right
        "500100732258",  # the first right, the second wrong
        "7707083890",  # a company's check digit wrong
        "7736207540",
    ],
)
def test_an_inn_with_either_check_digit_wrong_is_refused(inn):
    assert refusal(normalise_inn, inn) == ("inn", "ИНН не проходит проверку контрольной суммы")


@pytest.mark.parametrize("inn", ["770708389", "77070838931", "5001007322590", "77O7083893", "-"])
def test_an_inn_of_the_wrong_length_or_with_letters_is_refused_with_what_it_should_be(inn):
    expected = ("inn", "ИНН — это 10 или 12 цифр")
    if inn == "-":  # only a dash: nothing typed at all
        assert normalise_inn(inn) is None
    else:
        assert refusal(normalise_inn, inn) == expected


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("11223344595", "112-233-445 95"),
        ("112-233-445 95", "112-233-445 95"),
        (" 112 233 445-95 ", "112-233-445 95"),
        ("087-654-321 02", "087-654-321 02"),  # a leading zero is kept
    ],
)
def test_a_right_snils_is_stored_as_three_groups_and_its_check_number(typed, kept):
    assert normalise_snils(typed) == kept


def test_snils_check_numbers_up_to_99_are_the_sum_itself():
    # 1·9 + 2·8 + 3·7 + 4·6 + 5·5 + 6·4 + 7·3 + 8·2 + 9·1 = 165; 165 mod 101 = 64
    assert normalise_snils("123-456-789 64") == "123-456-789 64"
    assert refusal(normalise_snils, "123-456-789 65") == (
        "snils",
        "СНИЛС не проходит проверку контрольной суммы",
    )


def test_a_snils_whose_sum_is_101_has_the_check_number_00():
    # 9·9 + 2·8 + 4·1 = 101 → 0
    assert normalise_snils("920-000-004 00") == "920-000-004 00"
    assert refusal(normalise_snils, "920-000-004 01")[0] == "snils"


@pytest.mark.parametrize("snils", ["11223344", "112233445950", "112-233-44A 95"])
def test_a_snils_that_is_not_eleven_digits_is_refused_at_its_field(snils):
    assert refusal(normalise_snils, snils) == ("snils", "СНИЛС — это 11 цифр")


def test_the_first_snils_without_a_checksum_is_001_001_998_and_the_next_is_checked():
    assert normalise_snils("001-001-998 17") == "001-001-998 17"  # any check number
    assert refusal(normalise_snils, "001-001-999 00") == (
        "snils",
        "СНИЛС не проходит проверку контрольной суммы",
    )
    assert normalise_snils("001-001-999 65") == "001-001-999 65"  # its sum is 65


@pytest.mark.parametrize(
    ("ogrn", "message"),
    [
        ("102770013219", "ОГРН — это 13 цифр (ОГРНИП — 15)"),
        ("30450011600015", "ОГРН — это 13 цифр (ОГРНИП — 15)"),
        ("1027700I32195", "ОГРН — это 13 цифр (ОГРНИП — 15)"),
        ("1027700132196", "ОГРН не проходит проверку контрольной суммы"),
        ("304500116000158", "ОГРН не проходит проверку контрольной суммы"),
    ],
)
def test_each_wrong_ogrn_is_refused_at_its_field_with_its_reason(ogrn, message):
    assert refusal(normalise_ogrn, ogrn) == ("ogrn", message)


def test_an_ogrn_typed_with_spaces_is_kept_as_digits():
    assert normalise_ogrn(" 1027700-132195 ") == "1027700132195"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("770701001", "770701001"), ("7707 AB 001", "7707AB001"), ("7707-ab-001", "7707AB001")],
)
def test_a_kpp_has_four_digits_two_digits_or_latin_letters_and_three_digits(typed, kept):
    assert normalise_kpp(typed) == kept


@pytest.mark.parametrize("kpp", ["77070100", "7707010011", "77A701001", "770701A01", "7707ЖЖ001"])
def test_a_kpp_of_another_shape_is_refused_at_its_field(kpp):
    assert refusal(normalise_kpp, kpp) == (
        "kpp",
        "КПП — это 9 знаков: 4 цифры, 2 цифры или буквы, 3 цифры",
    )


def test_a_passport_is_kept_as_series_and_number_without_spaces():
    assert normalise_passport("45 10", "123 456") == ("4510", "123456")
    assert normalise_passport(None, None) == (None, None)


@pytest.mark.parametrize(
    ("series", "number", "refused"),
    [
        ("451", "123456", ("passport_series", "Серия паспорта — 4 цифры")),
        ("", "123456", ("passport_series", "Серия паспорта — 4 цифры")),
        ("45А0", "123456", ("passport_series", "Серия паспорта — 4 цифры")),
        ("4510", "12345", ("passport_number", "Номер паспорта — 6 цифр")),
        ("4510", None, ("passport_number", "Номер паспорта — 6 цифр")),
        ("4510", "1234567", ("passport_number", "Номер паспорта — 6 цифр")),
    ],
)
def test_a_half_or_misshapen_passport_is_refused_at_the_wrong_part(series, number, refused):
    assert refusal(normalise_passport, series, number) == refused


@pytest.mark.parametrize(
    "inn",
    [
        "7707083090",  # a company's weighted sum leaves 10 by 11: the check digit is 0
        "500100730004",  # a person's first check digit the same way
        "500100730950",  # and the second
    ],
)
def test_an_inn_whose_weighted_sum_leaves_ten_has_the_check_digit_zero(inn):
    assert normalise_inn(inn) == inn
    assert refusal(normalise_inn, inn[:-1] + "1")[0] == "inn"
