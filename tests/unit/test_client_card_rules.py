"""The one gate for card data (models/clients/card.clean_card): each field's normalised value,
each refusal's message at its field, every problem at once, and the dates' edges."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from models.clients.card import (
    InvalidCardData,
    clean_card,
    confirmed_columns,
    confirmed_groups,
    parse_date,
)
from models.clients.client import ClientKind, InvalidClientData

TODAY = date(2026, 11, 27)


def clean(data, kind=ClientKind.person):
    return clean_card(data, kind=kind, today=TODAY)


def problems(data, kind=ClientKind.person) -> dict[str, str]:
    with pytest.raises(InvalidCardData) as refused:
        clean_card(data, kind=kind, today=TODAY)
    return refused.value.errors


def test_only_the_fields_sent_come_back():
    assert clean({}) == {}
    assert clean({"full_name": "Иванов Иван"}) == {"full_name": "Иванов Иван"}


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("full_name", 300),
        ("passport_issued_by", 300),
        ("registration_address", 500),
        ("representative", 300),
    ],
)
def test_a_text_field_is_trimmed_and_refused_past_its_limit(field, limit):
    assert clean({field: "  ул.   Ленина,\n 5 "}) == {field: "ул. Ленина, 5"}
    assert clean({field: "я" * limit}) == {field: "я" * limit}
    assert problems({field: "я" * (limit + 1)}) == {field: f"Не длиннее {limit} символов"}


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_an_empty_text_field_comes_back_as_none(empty):
    assert clean({"representative": empty}) == {"representative": None}


def test_dates_come_back_as_dates_and_empty_ones_as_none():
    assert clean({"birth_date": "05.03.1985", "passport_issued_on": "2005-04-01"}) == {
        "birth_date": date(1985, 3, 5),
        "passport_issued_on": date(2005, 4, 1),
    }
    assert clean({"birth_date": " ", "passport_issued_on": None}) == {
        "birth_date": None,
        "passport_issued_on": None,
    }


@pytest.mark.parametrize("field", ["birth_date", "passport_issued_on"])
def test_an_unreadable_date_is_refused_at_its_field_with_an_example(field):
    assert problems({field: "5 марта 1985"}) == {
        field: "Дата в виде дд.мм.гггг, например 05.03.1985"
    }


def test_a_date_or_a_moment_given_as_such_is_taken_as_its_day():
    assert parse_date(date(1985, 3, 5), "birth_date") == date(1985, 3, 5)
    assert parse_date(datetime(1985, 3, 5, 23, 59), "birth_date") == date(1985, 3, 5)
    assert parse_date(None, "birth_date") is None
    assert parse_date(" 05.03.1985 ", "birth_date") == date(1985, 3, 5)


def test_a_wrong_date_names_the_field_it_was_typed_in():
    with pytest.raises(InvalidClientData) as refused:
        parse_date("31.02.2000", "passport_issued_on")
    assert refused.value.field == "passport_issued_on"


def test_identifiers_come_back_normalised():
    assert clean(
        {
            "inn": "5001 0073 2259",
            "snils": "11223344595",
            "kpp": "7707 ab 001",
            "ogrn": "1027700132195",
        }
    ) == {
        "inn": "500100732259",
        "snils": "112-233-445 95",
        "kpp": "7707AB001",
        "ogrn": "1027700132195",
    }


def test_an_inn_given_as_a_number_is_read_as_its_digits():
    assert clean({"inn": 500100732259}) == {"inn": "500100732259"}
    assert clean({"inn": 7707083893}, kind=ClientKind.company) == {"inn": "7707083893"}
    assert clean({"inn": None}) == {"inn": None}


def test_each_wrong_identifier_is_refused_at_its_field_all_at_once():
    assert problems(
        {
            "inn": "500100732258",
            "snils": "112-233-445 96",
            "kpp": "77070100",
            "ogrn": "1027700132196",
        }
    ) == {
        "inn": "ИНН не проходит проверку контрольной суммы",
        "snils": "СНИЛС не проходит проверку контрольной суммы",
        "kpp": "КПП — это 9 знаков: 4 цифры, 2 цифры или буквы, 3 цифры",
        "ogrn": "ОГРН не проходит проверку контрольной суммы",
    }


def test_a_person_has_a_twelve_digit_inn_and_a_company_a_ten_digit_one():
    assert problems({"inn": "7707083893"}) == {"inn": "ИНН физического лица — 12 цифр"}
    assert problems({"inn": "500100732259"}, kind=ClientKind.company) == {
        "inn": "ИНН организации — 10 цифр"
    }
    assert clean({"inn": ""}, kind=ClientKind.company) == {"inn": None}


def test_a_passport_comes_back_as_its_two_parts():
    assert clean({"passport_series": "45 10", "passport_number": "123 456"}) == {
        "passport_series": "4510",
        "passport_number": "123456",
    }
    assert clean({"passport_series": "", "passport_number": None}) == {
        "passport_series": None,
        "passport_number": None,
    }


def test_half_a_passport_is_refused_at_the_missing_part():
    assert problems({"passport_series": "4510"}) == {"passport_number": "Номер паспорта — 6 цифр"}
    assert problems({"passport_number": "123456"}) == {
        "passport_series": "Серия паспорта — 4 цифры"
    }


def test_phones_and_emails_come_back_as_lists_without_blanks_or_repeats():
    assert clean(
        {
            "phones": ["8 916 123-45-67", "", "+7 916 123 45 67", "8 903 000-00-01"],
            "emails": ["Olga@Mail.ru", None, "olga@mail.ru", "work@firm.ru"],
        }
    ) == {
        "phones": ["+79161234567", "+79030000001"],
        "emails": ["olga@mail.ru", "work@firm.ru"],
    }


def test_a_single_phone_or_email_is_taken_as_a_list_of_one():
    assert clean({"phone": "8 916 123-45-67", "email": "Olga@Mail.ru"}) == {
        "phones": ["+79161234567"],
        "emails": ["olga@mail.ru"],
    }
    assert clean({"phone": None, "email": "  "}) == {"phones": [], "emails": []}


def test_a_list_of_phones_wins_over_a_single_phone():
    assert clean({"phones": ["8 903 000-00-01"], "phone": "8 916 123-45-67"}) == {
        "phones": ["+79030000001"]
    }


def test_wrong_contacts_are_refused_under_their_list_with_the_first_problem():
    assert problems(
        {"phones": ["12345", "телефон", "8 916 123-45-67"], "emails": ["ivan@", "olga@"]}
    ) == {
        "phones": "Телефон «12345» не существует",
        "emails": "Адрес эл. почты «ivan@» указан неверно",
    }


def test_the_refusal_names_the_first_problem_and_keeps_them_all():
    with pytest.raises(InvalidCardData) as refused:
        clean({"full_name": "я" * 301, "snils": "1"})
    assert (refused.value.field, refused.value.message) == ("full_name", "Не длиннее 300 символов")
    assert refused.value.errors == {
        "full_name": "Не длиннее 300 символов",
        "snils": "СНИЛС — это 11 цифр",
    }


def test_a_client_born_today_is_accepted_and_one_born_tomorrow_is_not():
    assert clean({"birth_date": TODAY}) == {"birth_date": TODAY}
    assert problems({"birth_date": date(2026, 11, 28)}) == {
        "birth_date": "Дата рождения не может быть в будущем"
    }


def test_a_birth_year_before_1900_is_questioned():
    assert clean({"birth_date": "01.01.1900"}) == {"birth_date": date(1900, 1, 1)}
    assert problems({"birth_date": "31.12.1899"}) == {"birth_date": "Проверьте год рождения"}


def test_a_passport_issued_today_or_on_the_birthday_is_accepted():
    assert clean({"passport_issued_on": TODAY}) == {"passport_issued_on": TODAY}
    born = date(2006, 5, 1)
    assert clean({"birth_date": born, "passport_issued_on": born}) == {
        "birth_date": born,
        "passport_issued_on": born,
    }


def test_a_passport_issued_tomorrow_is_refused_even_with_a_birth_date():
    assert problems({"birth_date": "01.01.1990", "passport_issued_on": "28.11.2026"}) == {
        "passport_issued_on": "Дата выдачи не может быть в будущем"
    }


def test_a_future_birth_and_an_issue_before_it_are_both_reported():
    assert problems({"birth_date": "01.01.2030", "passport_issued_on": "01.01.2020"}) == {
        "birth_date": "Дата рождения не может быть в будущем",
        "passport_issued_on": "Паспорт не может быть выдан до рождения",
    }


def test_a_passport_issued_the_day_before_birth_is_refused():
    assert problems({"birth_date": "02.05.2006", "passport_issued_on": "01.05.2006"}) == {
        "passport_issued_on": "Паспорт не может быть выдан до рождения"
    }


def test_an_unreadable_birth_date_does_not_also_question_the_passport_date():
    assert problems({"birth_date": "вчера", "passport_issued_on": "01.05.2006"}) == {
        "birth_date": "Дата в виде дд.мм.гггг, например 05.03.1985"
    }


def test_confirmed_groups_of_a_card_without_columns_are_none():
    assert confirmed_groups(()) == []
    assert confirmed_columns([]) == []
    assert confirmed_columns(["kpp", "nonsense", "ogrn"]) == ["kpp", "ogrn"]
    assert confirmed_groups(["snils", "kpp", "passport_issued_by"]) == [
        "passport",
        "snils",
        "kpp",
    ]


def test_emails_sent_without_phones_are_checked_and_no_phones_come_back():
    assert clean({"emails": ["Olga@Mail.ru"]}) == {"emails": ["olga@mail.ru"]}
    assert problems({"email": "olga@"}) == {"emails": "Адрес эл. почты «olga@» указан неверно"}
