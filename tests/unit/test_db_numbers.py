"""Numbers as Russian users type them (models.db.numbers.parse_decimal): spaces between the
thousands, a comma before the kopecks, a currency or area sign at the end."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.db.numbers import parse_decimal


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12 345,50", Decimal("12345.50")),
        ("12\u00a0345\u00a0000,00", Decimal("12345000.00")),  # no-break spaces, as we print
        ("  7,5  ", Decimal("7.5")),
        ("10500000.00", Decimal("10500000.00")),
        ("10 500 000,00 ₽", Decimal("10500000.00")),
        ("45,5 м²", Decimal("45.5")),
        ("-3", Decimal("-3")),
        (1250, Decimal("1250")),  # a number read from a spreadsheet cell
    ],
)
def test_a_number_typed_the_russian_way_is_read_as_its_value(typed, value):
    assert parse_decimal(typed) == value


@pytest.mark.parametrize("typed", [None, "", "   ", "\u00a0", "₽", "м²"])
def test_an_empty_cell_or_field_is_no_value(typed):
    assert parse_decimal(typed) is None


@pytest.mark.parametrize("typed", ["абв", "12,5,5", "₽ 100", "м² 45", "1 2 3 руб"])
def test_garbage_is_refused_with_the_text_as_typed(typed):
    with pytest.raises(ValueError) as refused:
        parse_decimal(typed)
    assert refused.value.args == (typed,)


@pytest.mark.parametrize("typed", ["Infinity", "-inf", "NaN", "snan"])
def test_an_infinite_or_not_a_number_value_is_refused(typed):
    with pytest.raises(ValueError) as refused:
        parse_decimal(typed)
    assert refused.value.args == (typed,)
