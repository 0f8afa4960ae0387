"""Setting values at their limits: the longest term, the largest number and sum that are still
accepted and the first that is not, and which form field each refusal points at."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from models.settings.values import (
    InvalidSettingValue,
    SettingDefinition,
    SettingIsGlobalOnly,
    SettingType,
    UnknownProject,
    UnknownSetting,
    display_value,
    duration_parts,
    humanise_duration,
    parse_value,
    plural,
)


def definition(type_: SettingType, minimum: int | None = None) -> SettingDefinition:
    return SettingDefinition("test.key", type_, "", "Тест", "", minimum=minimum)


def refused(type_: SettingType, raw, minimum: int | None = None) -> str:
    with pytest.raises(InvalidSettingValue) as caught:
        parse_value(definition(type_, minimum), raw)
    return caught.value.message


def test_a_term_of_exactly_ten_years_is_accepted_and_a_day_more_is_not():
    assert parse_value(definition(SettingType.duration), "P3650D") == (
        timedelta(days=3650),
        "P3650D",
    )
    assert refused(SettingType.duration, "P3650DT1S") == "Срок не может быть больше 10 лет"


def test_a_term_in_minutes_is_not_taken_for_months():
    assert duration_parts("PT30M") == {"minutes": 30}
    assert humanise_duration("P1DT30M") == "1 день 30 минут"


def test_a_term_written_in_lower_case_reads_the_same():
    assert humanise_duration(" p2dt1h ") == "2 дня 1 час"


def test_zero_parts_are_left_out_of_the_reading():
    assert humanise_duration("P0DT5H0M") == "5 часов"


@pytest.mark.parametrize(("n", "word"), [(-1, "день"), (-3, "дня"), (-11, "дней")])
def test_a_negative_count_takes_the_plural_form_of_its_size(n, word):
    assert plural(n, "день", "дня", "дней") == word


@pytest.mark.parametrize("type_", list(SettingType))
def test_no_value_at_all_asks_for_a_value(type_):
    assert refused(type_, None) == "Укажите значение"


def test_a_number_of_nine_digits_is_accepted_and_of_ten_is_too_large():
    assert parse_value(definition(SettingType.integer), "999999999") == (999999999, "999999999")
    assert parse_value(definition(SettingType.integer), "+123456789") == (123456789, "123456789")
    assert refused(SettingType.integer, "1234567890") == "Слишком большое число"
    assert refused(SettingType.integer, "-1234567890") == "Слишком большое число"


def test_a_number_equal_to_its_minimum_is_accepted():
    assert parse_value(definition(SettingType.integer, minimum=1), "1") == (1, "1")


def test_a_number_without_a_minimum_may_be_negative():
    assert parse_value(definition(SettingType.integer), "-5") == (-5, "-5")


@pytest.mark.parametrize(("raw", "shown"), [("+7", "7"), ("007", "7"), ("-0", "0")])
def test_a_number_is_stored_and_shown_as_plain_digits(raw, shown):
    assert parse_value(definition(SettingType.integer), raw)[1] == shown
    assert display_value(definition(SettingType.integer), raw) == shown


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("0", Decimal("0.00")),
        ("0,50", Decimal("0.50")),
        ("10,55", Decimal("10.55")),
        ("999 999 999 999,99", Decimal("999999999999.99")),
        ("1500₽", Decimal("1500.00")),
    ],
)
def test_a_free_reservation_kopecks_and_the_largest_sum_are_accepted(raw, amount):
    assert parse_value(definition(SettingType.money), raw) == (amount, str(amount))


@pytest.mark.parametrize("raw", ["1 000 000 000 000", "1000000000000,00"])
def test_a_sum_of_a_trillion_roubles_or_more_is_refused(raw):
    assert refused(SettingType.money, raw) == "Слишком большая сумма"


def test_an_infinite_sum_is_not_a_sum():
    assert refused(SettingType.money, "Infinity") == "Введите сумму в рублях, например 50 000,00"


def test_a_sum_with_a_comma_and_spaces_is_shown_back_in_roubles():
    text = display_value(definition(SettingType.money), "1 234 567,5")
    assert text == "1\u00a0234\u00a0567,50\u00a0₽"


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("true", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        ("Вкл", True),
        ("НЕТ", False),
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
        ("выкл", False),
    ],
)
def test_every_spelling_of_yes_and_no_is_understood(raw, flag):
    assert parse_value(definition(SettingType.boolean), raw) == (flag, str(flag).lower())


def test_a_text_setting_is_shown_as_it_was_written():
    assert display_value(definition(SettingType.text), "  Офис продаж  ") == "Офис продаж"


@pytest.mark.parametrize(
    ("error", "field"),
    [
        (UnknownSetting("x"), "key"),
        (InvalidSettingValue("x"), "value"),
        (SettingIsGlobalOnly("x"), "project"),
        (UnknownProject("x"), "project"),
    ],
)
def test_each_refusal_points_at_the_field_it_is_about(error, field):
    assert (error.field, error.message) == (field, "x")


@pytest.mark.parametrize("raw", ["P1D1Y", "P2W1M", "XP1M"])
def test_years_or_months_out_of_iso_order_are_refused_as_a_wrong_format(raw):
    assert refused(SettingType.duration, raw).startswith("Срок указывается в формате ISO 8601")


@pytest.mark.parametrize(
    ("n", "word"), [(112, "дней"), (114, "дней"), (122, "дня"), (1011, "дней")]
)
def test_the_teens_of_each_hundred_take_the_many_form(n, word):
    assert plural(n, "день", "дня", "дней") == word
