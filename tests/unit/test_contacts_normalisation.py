"""Phones and emails as people type them: what is kept (E.164, lower case), what is refused with
which Russian message at which field, and how a stored phone is shown."""

from __future__ import annotations

import pytest

from models.clients.contacts import (
    InvalidClientData,
    format_phone,
    normalise_email,
    normalise_phone,
)


def refusal(check, typed) -> tuple[str | None, str]:
    with pytest.raises(InvalidClientData) as refused:
        check(typed)
    return refused.value.field, refused.value.message


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_a_missing_phone_is_asked_for(typed):
    assert refusal(normalise_phone, typed) == ("phone", "Укажите телефон")


def test_a_phone_that_is_not_a_number_is_not_recognised_and_the_message_quotes_it():
    assert refusal(normalise_phone, "телефон") == ("phone", "Телефон «телефон» не распознан")


@pytest.mark.parametrize("typed", ["8 916 123 45 6", "+7 916 123", "12345"])
def test_a_phone_of_no_real_number_does_not_exist_and_the_message_quotes_it(typed):
    assert refusal(normalise_phone, typed) == ("phone", f"Телефон «{typed}» не существует")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("8 916 123-45-67", "+79161234567"),
        ("8(495)123-45-67", "+74951234567"),
        ("+7 916 123 45 67", "+79161234567"),
        ("  916 123 45 67  ", "+79161234567"),
    ],
)
def test_a_russian_phone_is_kept_in_e164(typed, kept):
    assert normalise_phone(typed) == kept


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("+1 202 555 0143", "+12025550143"), ("+44 20 7946 0958", "+442079460958")],
)
def test_a_foreign_phone_typed_with_its_country_code_stays_foreign(typed, kept):
    assert normalise_phone(typed) == kept


def test_eleven_digits_after_an_8_are_a_russian_number_not_an_international_call():
    # Dialled from Russia, "8 10 49 30 1234" would be a call to Germany (+49 30 1234); typed in a
    # card, eleven digits starting with 8 are a Russian number, and +7 104 … does not exist.
    assert refusal(normalise_phone, "8 10 49 30 1234") == (
        "phone",
        "Телефон «8 10 49 30 1234» не существует",
    )


@pytest.mark.parametrize("typed", [None, "", "  "])
def test_no_email_is_none_not_an_error(typed):
    assert normalise_email(typed) is None


def test_an_email_is_kept_trimmed_and_in_lower_case():
    assert normalise_email("  Ivan.Petrov@Yandex.RU ") == "ivan.petrov@yandex.ru"


@pytest.mark.parametrize("typed", ["ivan@", "ivan@localhost", " a b@mail.ru"])
def test_a_wrong_email_is_refused_at_its_field_quoting_what_was_typed(typed):
    assert refusal(normalise_email, typed) == (
        "email",
        f"Адрес эл. почты «{typed}» указан неверно",
    )


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+79161234567", "+7 916 123-45-67"),
        ("+12025550143", "+1 202-555-0143"),
        ("+442079460958", "+44 20 7946 0958"),
    ],
)
def test_a_stored_phone_is_shown_grouped_the_way_its_country_writes_it(stored, shown):
    assert format_phone(stored) == shown


@pytest.mark.parametrize("stored", ["", "123", "не номер"])
def test_a_stored_value_that_is_no_phone_is_shown_as_it_is(stored):
    assert format_phone(stored) == stored
