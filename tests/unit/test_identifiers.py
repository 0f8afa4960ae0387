"""Identifiers with checksums, contacts as people type them, and the card's field rules."""

from __future__ import annotations

from datetime import date

import pytest

from models.clients.card import InvalidCardData, clean_card, parse_date
from models.clients.client import ClientKind, change_text, search_key
from models.clients.contacts import InvalidClientData, normalise_email, normalise_phone
from models.clients.identifiers import (
    InvalidIdentifier,
    normalise_inn,
    normalise_kpp,
    normalise_ogrn,
    normalise_passport,
    normalise_snils,
)

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("inn", ["7707083893", "500100732259", " 7707 083 893 ", "5001-0073-2259"])
def test_a_right_inn_is_accepted_and_kept_as_digits(inn):
    assert normalise_inn(inn) == "".join(ch for ch in inn if ch.isdigit())


@pytest.mark.parametrize(
    ("inn", "message"),
    [
        ("7707083894", "контрольной суммы"),  # last digit changed
        ("500100732258", "контрольной суммы"),
        ("500100732249", "контрольной суммы"),  # 11th digit changed
        ("77070838", "10 или 12 цифр"),
        ("77070838931", "10 или 12 цифр"),
        ("77O7083893", "10 или 12 цифр"),  # a letter O
    ],
)
def test_a_wrong_inn_is_refused_with_a_reason(inn, message):
    with pytest.raises(InvalidIdentifier, match=message) as caught:
        normalise_inn(inn)
    assert caught.value.field == "inn"


def test_an_empty_identifier_is_none_not_an_error():
    assert normalise_inn("  ") is None
    assert normalise_snils("") is None
    assert normalise_ogrn(None) is None
    assert normalise_kpp("") is None
    assert normalise_passport("", " ") == (None, None)


def test_snils_is_checked_and_stored_in_the_usual_form():
    assert normalise_snils("11223344595") == "112-233-445 95"
    assert normalise_snils("112 233 445 95") == "112-233-445 95"
    with pytest.raises(InvalidIdentifier, match="контрольной суммы"):
        normalise_snils("112-233-445 96")
    with pytest.raises(InvalidIdentifier, match="11 цифр"):
        normalise_snils("112-233-445")


@pytest.mark.parametrize("snils", ["001-508-815 00", "123-498-999 00"])  # sums 100 and 201
def test_a_snils_whose_sum_leaves_100_has_the_check_number_00(snils):
    assert normalise_snils(snils) == snils
    with pytest.raises(InvalidIdentifier, match="контрольной суммы"):
        normalise_snils(snils[:-2] + "99")


def test_early_snils_numbers_have_no_meaningful_checksum():
    assert normalise_snils("001-001-998 00") == "001-001-998 00"


def test_ogrn_and_ogrnip_check_digits():
    assert normalise_ogrn("1027700132195") == "1027700132195"
    assert normalise_ogrn("304500116000157") == "304500116000157"
    with pytest.raises(InvalidIdentifier, match="контрольной суммы"):
        normalise_ogrn("1027700132196")
    with pytest.raises(InvalidIdentifier, match="13 цифр"):
        normalise_ogrn("10277001321")


@pytest.mark.parametrize(
    "ogrn",
    [
        "1027700132240",  # ОГРН whose remainder by 11 is 10: check digit 0
        "304500116000191",  # ОГРНИП: checked by 13, where 11 would give another digit
        "304500116000210",  # ОГРНИП: by 13, where 11 or 14 would give other digits
        "304500116000180",  # ОГРНИП whose remainder by 13 is 10: check digit 0
    ],
)
def test_ogrn_check_digits_at_their_edges(ogrn):
    assert normalise_ogrn(ogrn) == ogrn


@pytest.mark.parametrize(
    ("ogrn", "message"),
    [
        ("1027700132196", "ОГРН не проходит проверку контрольной суммы"),
        ("304500116000192", "ОГРН не проходит проверку контрольной суммы"),
        ("10277001321950", "ОГРН — это 13 цифр (ОГРНИП — 15)"),
    ],
)
def test_a_wrong_ogrn_is_refused_at_its_field(ogrn, message):
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_ogrn(ogrn)
    assert (refused.value.field, refused.value.message) == ("ogrn", message)


def test_kpp_by_format():
    assert normalise_kpp("7707 01 001") == "770701001"
    assert normalise_kpp("7707ab001") == "7707AB001"
    with pytest.raises(InvalidIdentifier, match="КПП") as caught:
        normalise_kpp("77070100")
    assert caught.value.field == "kpp"
    assert caught.value.message == "КПП — это 9 знаков: 4 цифры, 2 цифры или буквы, 3 цифры"


def test_passport_series_and_number():
    assert normalise_passport("45 10", "123456") == ("4510", "123456")
    with pytest.raises(InvalidIdentifier, match="Серия"):
        normalise_passport("451", "123456")
    with pytest.raises(InvalidIdentifier, match="Номер"):
        normalise_passport("4510", "")


@pytest.mark.parametrize(
    "typed", ["8 916 123-45-67", "+7 (916) 1234567", "89161234567", "9161234567", "7-916-123-45-67"]
)
def test_a_phone_typed_any_way_becomes_e164(typed):
    assert normalise_phone(typed) == "+79161234567"


@pytest.mark.parametrize("typed", ["12345", "телефон", "+7 916 123", "8 800"])
def test_an_unparseable_phone_is_refused(typed):
    with pytest.raises(InvalidClientData) as caught:
        normalise_phone(typed)
    assert caught.value.field == "phone"


@pytest.mark.parametrize("typed", ["ivan@", "ivan", "ivan@localhost", "@mail.ru", "a b@mail.ru"])
def test_an_email_without_a_domain_is_refused(typed):
    with pytest.raises(InvalidClientData, match="эл. почты"):
        normalise_email(typed)


def test_an_email_is_kept_in_lower_case():
    assert normalise_email(" Olga.Smirnova@Mail.RU ") == "olga.smirnova@mail.ru"


def test_search_key_folds_case_yo_and_spaces():
    assert search_key("  СЕМЁНОВА   Алёна ") == "семенова алена"


def test_change_text_writes_dates_as_iso_and_lists_joined():
    assert change_text(date(1985, 3, 5)) == "1985-03-05"
    assert change_text(["inn", "snils"]) == "inn, snils"
    assert change_text("") is None


def test_dates_are_read_the_russian_way_or_iso():
    assert parse_date("05.03.1985", "birth_date") == date(1985, 3, 5)
    assert parse_date("1985-03-05", "birth_date") == date(1985, 3, 5)
    with pytest.raises(InvalidClientData, match="дд.мм.гггг"):
        parse_date("5 марта", "birth_date")


def test_clean_card_lists_every_problem_at_once():
    with pytest.raises(InvalidCardData) as caught:
        clean_card(
            {
                "full_name": "Иванов Иван",
                "birth_date": "01.01.2030",
                "inn": "500100732258",
                "snils": "112-233-445 96",
                "phones": ["+7 916 123-45-67", "12345"],
                "emails": ["ivan@"],
            },
            kind=ClientKind.person,
            today=TODAY,
        )
    errors = caught.value.errors
    assert set(errors) == {"birth_date", "inn", "snils", "phones", "emails"}
    assert errors["birth_date"] == "Дата рождения не может быть в будущем"


def test_clean_card_normalises_good_values():
    clean = clean_card(
        {
            "full_name": "  Смирнова   Ольга ",
            "birth_date": "05.03.1985",
            "passport_series": "45 10",
            "passport_number": "123456",
            "passport_issued_on": "2005-04-01",
            "inn": "5001 0073 2259",
            "phones": ["8 916 123-45-67", "+7 (916) 1234567"],
            "email": "Olga@Mail.ru",
        },
        kind=ClientKind.person,
        today=TODAY,
    )
    assert clean["full_name"] == "Смирнова Ольга"
    assert clean["passport_series"] == "4510"
    assert clean["inn"] == "500100732259"
    assert clean["phones"] == ["+79161234567"]  # the same number typed twice
    assert clean["emails"] == ["olga@mail.ru"]


def test_a_person_has_a_twelve_digit_inn_and_a_company_a_ten_digit_one():
    with pytest.raises(InvalidCardData, match="физического лица — 12 цифр"):
        clean_card({"inn": "7707083893"}, kind=ClientKind.person, today=TODAY)
    with pytest.raises(InvalidCardData, match="организации — 10 цифр"):
        clean_card({"inn": "500100732259"}, kind=ClientKind.company, today=TODAY)


def test_a_passport_cannot_be_issued_in_the_future_or_before_birth():
    with pytest.raises(InvalidCardData, match="в будущем"):
        clean_card({"passport_issued_on": "2027-01-01"}, kind=ClientKind.person, today=TODAY)
    with pytest.raises(InvalidCardData, match="до рождения"):
        clean_card(
            {"birth_date": "1990-01-01", "passport_issued_on": "1980-01-01"},
            kind=ClientKind.person,
            today=TODAY,
        )
