"""Setting values: ISO-8601 durations, numbers and money typed in by people, and how they read
back in Russian. No database here."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from models.settings.store import DEFINITIONS
from models.settings.values import (
    InvalidSettingValue,
    SettingDefinition,
    SettingType,
    display_value,
    humanise_duration,
    parse_duration,
    parse_value,
    plural,
)

NBSP = "\u00a0"


def definition(type_: SettingType, minimum: int | None = None) -> SettingDefinition:
    return SettingDefinition("test.key", type_, "", "Тест", "", minimum=minimum)


def error_of(type_: SettingType, raw: str, minimum: int | None = None) -> str:
    with pytest.raises(InvalidSettingValue) as caught:
        parse_value(definition(type_, minimum), raw)
    return caught.value.message


# ---------------------------------------------------------------- Russian plurals


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "день"),
        (2, "дня"),
        (4, "дня"),
        (5, "дней"),
        (11, "дней"),
        (12, "дней"),
        (14, "дней"),
        (21, "день"),
        (22, "дня"),
        (25, "дней"),
        (101, "день"),
        (111, "дней"),
        (0, "дней"),
    ],
)
def test_days_take_the_russian_plural_form_of_their_number(n, word):
    assert plural(n, "день", "дня", "дней") == word


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("P1D", "1 день"),
        ("P3D", "3 дня"),
        ("P5D", "5 дней"),
        ("P14D", "14 дней"),
        ("PT1H", "1 час"),
        ("PT2H", "2 часа"),
        ("PT5H", "5 часов"),
        ("PT12H", "12 часов"),
        ("PT21H", "21 час"),
        ("PT1M", "1 минута"),
        ("PT3M", "3 минуты"),
        ("PT90M", "90 минут"),
        ("P1W", "1 неделя"),
        ("P2W", "2 недели"),
        ("P5W", "5 недель"),
        ("P1DT2H", "1 день 2 часа"),
        ("P1W2DT3H4M5S", "1 неделя 2 дня 3 часа 4 минуты 5 секунд"),
    ],
)
def test_a_duration_reads_in_russian_as_it_was_written(raw, text):
    assert humanise_duration(raw) == text


# ---------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("raw", "interval"),
    [
        ("P1D", timedelta(days=1)),
        ("PT12H", timedelta(hours=12)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(weeks=2)),
        ("PT30M", timedelta(minutes=30)),
        (" p3d ", timedelta(days=3)),
    ],
)
def test_iso_durations_become_intervals(raw, interval):
    assert parse_duration(raw) == interval


def test_a_duration_is_stored_upper_case_and_shown_with_its_russian_reading():
    typed, stored = parse_value(definition(SettingType.duration), " p3d ")
    assert (typed, stored) == (timedelta(days=3), "P3D")
    assert display_value(definition(SettingType.duration), "P3D") == "P3D — 3 дня"
    assert display_value(definition(SettingType.duration), "PT12H") == "PT12H — 12 часов"


@pytest.mark.parametrize("raw", ["3 дня", "P", "PT", "P1DT", "PT1.5H", "1D", "D3P", "P1H"])
def test_text_that_is_not_an_iso_duration_is_refused_with_an_example(raw):
    message = error_of(SettingType.duration, raw)
    assert message.startswith("Срок указывается в формате ISO 8601, например P3D (3 дня)")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-P1D", "Срок не может быть отрицательным"),
        ("P0D", "Срок должен быть больше нуля"),
        ("PT0H0M", "Срок должен быть больше нуля"),
        ("P1M", "Годы и месяцы не поддерживаются: укажите дни или недели"),
        ("P1Y2D", "Годы и месяцы не поддерживаются: укажите дни или недели"),
        ("P3651D", "Срок не может быть больше 10 лет"),
        ("P99999999999999999999W", "Срок не может быть больше 10 лет"),
        ("   ", "Укажите значение"),
    ],
)
def test_negative_zero_and_unmeasurable_durations_are_refused(raw, message):
    assert error_of(SettingType.duration, raw) == message


# ---------------------------------------------------------------- integers, money, flags


def test_a_limit_below_its_minimum_is_refused():
    assert error_of(SettingType.integer, "0", minimum=1) == "Значение должно быть не меньше 1"
    assert error_of(SettingType.integer, "-3", minimum=1) == "Значение должно быть не меньше 1"
    assert parse_value(definition(SettingType.integer, 1), "+3") == (3, "3")


@pytest.mark.parametrize("raw", ["два", "1.5", "2,0", "1e3"])
def test_a_limit_must_be_a_whole_number(raw):
    assert error_of(SettingType.integer, raw) == "Введите целое число, например 2"


def test_an_absurdly_large_number_is_refused():
    assert error_of(SettingType.integer, "12345678901") == "Слишком большое число"


@pytest.mark.parametrize("raw", ["50 000,00", "50000", "50000.00", f"50{NBSP}000 ₽"])
def test_money_is_read_the_way_russian_users_type_it(raw):
    assert parse_value(definition(SettingType.money), raw) == (Decimal("50000.00"), "50000.00")


def test_money_is_shown_in_roubles_with_kopecks():
    text = display_value(definition(SettingType.money), "50000.00")
    assert text == f"50{NBSP}000,00{NBSP}₽"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1", "Сумма не может быть отрицательной"),
        ("10,555", "Не больше двух знаков после запятой (копейки)"),
        ("пятьдесят", "Введите сумму в рублях, например 50 000,00"),
        ("NaN", "Введите сумму в рублях, например 50 000,00"),
        ("1000000000000", "Слишком большая сумма"),
    ],
)
def test_wrong_money_is_refused(raw, message):
    assert error_of(SettingType.money, raw) == message


@pytest.mark.parametrize(("raw", "flag"), [("да", True), ("True", True), ("нет", False)])
def test_flags_read_da_and_net(raw, flag):
    typed, stored = parse_value(definition(SettingType.boolean), raw)
    assert typed is flag
    assert display_value(definition(SettingType.boolean), stored) == ("да" if flag else "нет")


def test_a_flag_must_be_yes_or_no():
    assert error_of(SettingType.boolean, "может быть") == "Введите «да» или «нет»"


# ---------------------------------------------------------------- the registry


def test_every_default_in_the_registry_is_a_valid_value():
    for item in DEFINITIONS.values():
        parse_value(item, item.default)
        assert item.label and item.description


def test_the_registry_has_the_reservation_keys_with_their_defaults():
    expected = {
        "reservation.term.online": "P1D",
        "reservation.term.offline": "P3D",
        "reservation.term.paid": "P14D",
        "reservation.max_term": "P30D",
        "reservation.max_per_client": "2",
        "reservation.reminder_before": "PT12H",
        "queue.acceptance_window": "P1D",
        "reservation.paid_fee": "50000.00",
    }
    assert {key: DEFINITIONS[key].default for key in expected} == expected
