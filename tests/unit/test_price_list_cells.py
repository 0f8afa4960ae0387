"""A price list's cells read as a user types them in Excel or a CSV, each refusal in the Russian
words the import page shows; the headers a user may write; the order of an exported list."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from engine.catalog.price_list import (
    BY_KEY,
    CellError,
    header_key,
    is_empty,
    natural_key,
    normalise,
    parse_cell,
    row_values,
)
from models.catalog.objects import Finishing, Premise, PremiseKind, PremiseStatus


def refusal(key: str, raw) -> str:
    with pytest.raises(CellError) as caught:
        parse_cell(BY_KEY[key], raw)
    return caught.value.message


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Цена", "price"),
        ("Цена, ₽", "price"),
        ("  ЦЕНА ,руб", "price"),
        ("Общая\u00a0площадь, м²", "total_area"),
        ("Общая   площадь", "total_area"),
        ("Цена за м2", "price_per_m2"),
        ("Цена за м²", "price_per_m2"),
        ("корпус", "building"),
        ("Площадь кухни", "kitchen_area"),
        ("Статус", "status"),
        ("Прайс-лист", None),
        ("", None),
    ],
)
def test_a_header_names_its_column_whatever_its_case_spacing_or_unit(text, key):
    assert header_key(text) == key


@pytest.mark.parametrize(
    "text", ["Берёзовый", "березовый", "  БЕРЁЗОВЫЙ ", "Березовый", "\u00a0берЕзовый\u00a0"]
)
def test_labels_match_whatever_their_case_spacing_or_yo(text):
    assert normalise(text) == "березовый"


def test_a_label_keeps_its_inner_spaces_as_one():
    assert normalise("Не\u00a0в  продаже") == "не в продаже"


@pytest.mark.parametrize("raw", [None, "", "   ", "\t"])
def test_an_empty_or_blank_cell_is_no_value(raw):
    assert is_empty(raw)
    assert parse_cell(BY_KEY["price"], raw) is None


@pytest.mark.parametrize("raw", [0, "0", " x ", False])
def test_a_zero_or_some_text_is_not_an_empty_cell(raw):
    assert not is_empty(raw)


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (105.0, "105"),  # Excel keeps a typed 105 as a float
        (105, "105"),
        (10.5, "10.5"),
        ("  10\u00a0А ", "10 А"),
        ("Корпус   1", "Корпус 1"),
    ],
)
def test_a_number_cell_reads_as_text_without_extra_spaces_or_a_trailing_point(raw, text):
    assert parse_cell(BY_KEY["number"], raw) == text


def test_a_premise_number_of_20_characters_is_taken_and_21_refused():
    assert parse_cell(BY_KEY["number"], "1" * 20) == "1" * 20
    assert refusal("number", "1" * 21) == "Не длиннее 20 символов"


def test_a_building_name_of_100_characters_is_taken_and_101_refused():
    assert parse_cell(BY_KEY["building"], "к" * 100) == "к" * 100
    assert refusal("building", "к" * 101) == "Не длиннее 100 символов"


# --- whole numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [(3, 3), (3.0, 3), ("3", 3), (" 3 ", 3), ("3,00", 3), ("−1", -1), ("-1", -1), ("1e1", 10)],
)
def test_a_floor_reads_as_a_whole_number_however_it_is_written(raw, value):
    assert parse_cell(BY_KEY["floor"], raw) == value


@pytest.mark.parametrize(
    "raw",
    [True, False, datetime(2026, 1, 3, 0, 0), date(2026, 1, 3), time(3, 0), "2,5", "два", "1e16"],
)
def test_a_floor_that_is_not_a_whole_number_is_refused(raw):
    assert refusal("floor", raw) == "Ожидается целое число"


@pytest.mark.parametrize(
    ("key", "low", "high"), [("section", 1, 50), ("floor", -10, 150), ("rooms", 0, 20)]
)
def test_a_whole_number_is_taken_at_its_limits_and_refused_past_them(key, low, high):
    assert parse_cell(BY_KEY[key], low) == low
    assert parse_cell(BY_KEY[key], high) == high
    assert refusal(key, low - 1) == f"Допустимо от {low} до {high}"
    assert refusal(key, high + 1) == f"Допустимо от {low} до {high}"


def test_a_whole_number_as_long_as_a_price_can_be_is_read_then_refused_by_its_range():
    assert refusal("floor", "1000000000000000") == "Допустимо от -10 до 150"
    assert refusal("floor", "1000000000000001") == "Ожидается целое число"


def test_floor_zero_is_refused_with_how_floors_are_numbered():
    assert refusal("floor", "0") == "Этажа 0 нет: надземные этажи нумеруются с 1, подземные — с −1"


# --- money and areas ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("9 800 000,00", Decimal("9800000.00")),
        ("9\u00a0800\u00a0000", Decimal("9800000.00")),
        ("9800000 руб.", Decimal("9800000.00")),
        ("9800000 р.", Decimal("9800000.00")),
        ("9800000 ₽", Decimal("9800000.00")),
        (12345678.9, Decimal("12345678.90")),
        (1000, Decimal("1000.00")),
        ("100,005", Decimal("100.01")),  # rounded half up, not to even
        ("100,004", Decimal("100.00")),
        ("0", Decimal("0.00")),
    ],
)
def test_a_price_reads_as_roubles_and_kopecks(raw, value):
    parsed = parse_cell(BY_KEY["price"], raw)
    assert parsed == value and parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "raw", [True, date(2026, 1, 3), datetime(2026, 1, 3), time(3), "abc", "1.2.3"]
)
def test_a_price_that_is_not_a_number_is_refused_with_an_example(raw):
    assert refusal("price", raw) == "Ожидается число, например 12 345,50"


def test_a_price_of_ten_to_the_fifteenth_is_too_big_and_beyond_it_no_number_at_all():
    assert refusal("price", "1000000000000000") == "Слишком большая цена"
    assert refusal("price", "1000000000000001") == "Слишком большое число"
    assert refusal("price", "-1000000000000001") == "Слишком большое число"


def test_a_price_up_to_a_hundred_billion_is_taken_and_beyond_refused():
    assert parse_cell(BY_KEY["price"], "100000000000") == Decimal("100000000000.00")
    assert refusal("price", "100000000000,01") == "Слишком большая цена"


def test_a_negative_price_is_refused_and_a_zero_price_taken():
    assert refusal("price", "-0,01") == "Цена не может быть отрицательной"
    assert refusal("price", "−5") == "Цена не может быть отрицательной"
    assert parse_cell(BY_KEY["price"], "0,00") == Decimal("0.00")


def test_total_area_must_be_above_zero_from_one_hundredth_of_a_square_metre():
    assert parse_cell(BY_KEY["total_area"], "0,01") == Decimal("0.01")
    assert refusal("total_area", "0") == "Площадь должна быть больше нуля"
    assert refusal("total_area", "0,004") == "Площадь должна быть больше нуля"


@pytest.mark.parametrize("key", ["living_area", "kitchen_area"])
def test_living_and_kitchen_area_may_be_zero_but_not_negative(key):
    assert parse_cell(BY_KEY[key], "0") == Decimal("0.00")
    assert refusal(key, "-0,01") == "Площадь не может быть отрицательной"


@pytest.mark.parametrize("key", ["total_area", "living_area", "kitchen_area"])
def test_an_area_up_to_a_hundred_thousand_square_metres_is_taken(key):
    assert parse_cell(BY_KEY[key], "100000") == Decimal("100000.00")
    assert refusal(key, "100000,01") == "Слишком большая площадь"


# --- yes / no -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["да", "Да", " ДА ", "д", "yes", "Y", "true", "1", "+", True, 1])
def test_a_yes_cell_is_true(raw):
    assert parse_cell(BY_KEY["has_terrace"], raw) is True


@pytest.mark.parametrize("raw", ["нет", "НЕТ", "н", "no", "N", "false", "0", "-", False, 0])
def test_a_no_cell_is_false(raw):
    assert parse_cell(BY_KEY["has_terrace"], raw) is False


def test_a_yes_no_cell_with_another_word_is_refused_quoting_it():
    assert refusal("is_studio", "Возможно") == "Ожидается «да» или «нет», а не «Возможно»"


# --- lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("kind", "Машино-место", PremiseKind.parking),
        ("kind", "  машино-МЕСТО ", PremiseKind.parking),
        ("kind", "parking", PremiseKind.parking),
        ("kind", "Апартаменты", PremiseKind.apartments),
        ("finishing", "White box (предчистовая)", Finishing.white_box),
        ("finishing", "С  мебелью", Finishing.furnished),
        ("status", "не в продаже", PremiseStatus.not_for_sale),
        ("status", "Свободно", PremiseStatus.available),
    ],
)
def test_a_list_cell_takes_its_russian_label_in_any_case_or_its_value(key, raw, value):
    assert parse_cell(BY_KEY[key], raw) == value


def test_an_unknown_list_value_is_refused_with_every_allowed_label():
    assert refusal("finishing", "Дизайнерская") == (
        "Неизвестное значение «Дизайнерская»; допустимые: "
        "Без отделки, White box (предчистовая), Чистовая, С мебелью"
    )


# --- export ---------------------------------------------------------------------------------


def test_a_premise_exports_as_one_row_of_labels_yes_no_and_its_price_per_square_metre():
    flat = Premise(
        number="10А",
        kind=PremiseKind.apartments,
        rooms=1,
        is_studio=True,
        is_euro_layout=False,
        has_terrace=True,
        total_area=Decimal("30.00"),
        living_area=None,
        kitchen_area=Decimal("8.50"),
        price=Decimal("6000000.00"),
        finishing=Finishing.fine,
        status=PremiseStatus.not_for_sale,
    )
    assert row_values(flat, "Корпус 2", 3, -1) == [
        "Корпус 2",
        3,
        -1,
        "10А",
        "Апартаменты",
        1,
        "да",
        "нет",
        "да",
        Decimal("30.00"),
        None,
        Decimal("8.50"),
        Decimal("6000000.00"),
        Decimal("200000.00"),
        "Чистовая",
        "Не в продаже",
    ]


def test_premise_numbers_sort_as_people_count_them():
    numbers = ["10А", "2", "П-1", "10", "007", "1", "А", "100"]
    assert sorted(numbers, key=natural_key) == ["1", "2", "007", "10", "10А", "100", "А", "П-1"]
