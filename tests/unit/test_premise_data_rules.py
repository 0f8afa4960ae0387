"""The figures a premise must keep (Premise.validate), in memory, each at its boundary: the
refusal names its field and says what is wrong in the words the form shows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.catalog.objects import Premise
from models.db.errors import InvalidPremiseData


def premise(**figures) -> Premise:
    fields = {
        "number": "101",
        "total_area": Decimal("50.00"),
        "living_area": Decimal("30.00"),
        "kitchen_area": Decimal("10.00"),
        "price": Decimal("10000000.00"),
        "rooms": 2,
        "is_studio": False,
    }
    return Premise(**(fields | figures))


@pytest.mark.parametrize(
    "figures",
    [
        {},
        {"total_area": Decimal("0.01"), "living_area": None, "kitchen_area": None},
        {"living_area": Decimal("50.00"), "kitchen_area": Decimal("50.00")},  # as large as total
        {"living_area": Decimal("0"), "kitchen_area": Decimal("0")},
        {"living_area": None, "kitchen_area": None},
        {"price": Decimal("0")},
        {"rooms": 0},
        {"is_studio": True, "rooms": 1},
        {"is_studio": True, "rooms": 0},
        {"rooms": 7},
    ],
)
def test_figures_within_the_rules_are_accepted(figures):
    assert premise(**figures).validate() is None


@pytest.mark.parametrize(
    ("figures", "field", "message"),
    [
        ({"total_area": Decimal("0")}, "total_area", "Общая площадь должна быть больше нуля"),
        ({"total_area": Decimal("-1")}, "total_area", "Общая площадь должна быть больше нуля"),
        ({"total_area": None}, "total_area", "Общая площадь должна быть больше нуля"),
        (
            {"living_area": Decimal("-0.01")},
            "living_area",
            "Жилая площадь не может быть отрицательной",
        ),
        (
            {"living_area": Decimal("50.01")},
            "living_area",
            "Жилая площадь не может быть больше общей",
        ),
        (
            {"kitchen_area": Decimal("-0.01")},
            "kitchen_area",
            "Площадь кухни не может быть отрицательной",
        ),
        (
            {"kitchen_area": Decimal("50.01")},
            "kitchen_area",
            "Площадь кухни не может быть больше общей",
        ),
        ({"price": Decimal("-0.01")}, "price", "Цена не может быть отрицательной"),
        ({"price": None}, "price", "Цена не может быть отрицательной"),
        ({"rooms": -1}, "rooms", "Число комнат не может быть отрицательным"),
        ({"rooms": None}, "rooms", "Число комнат не может быть отрицательным"),
        (
            {"is_studio": True, "rooms": 2},
            "rooms",
            "Студия не может иметь больше одной комнаты",
        ),
    ],
)
def test_figures_out_of_the_rules_are_refused_at_their_field(figures, field, message):
    with pytest.raises(InvalidPremiseData) as refused:
        premise(**figures).validate()
    assert (refused.value.field, refused.value.message) == (field, message)
