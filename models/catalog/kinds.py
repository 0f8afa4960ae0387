"""The catalog's vocabularies: construction stages, premise kinds, finishings and statuses, with
the Russian words for each (the premise card, the chessboard, the price list, messages)."""

from __future__ import annotations

import enum


class ConstructionStage(enum.StrEnum):
    design = "design"
    foundation = "foundation"
    frame = "frame"
    facade = "facade"
    finishing = "finishing"
    commissioned = "commissioned"


class PremiseKind(enum.StrEnum):
    apartment = "apartment"
    commercial = "commercial"
    parking = "parking"
    storage = "storage"
    apartments = "apartments"


class Finishing(enum.StrEnum):
    none = "none"
    white_box = "white_box"
    fine = "fine"
    furnished = "furnished"


class PremiseStatus(enum.StrEnum):
    not_for_sale = "not_for_sale"
    available = "available"
    reserved = "reserved"
    paid_reservation = "paid_reservation"
    in_deal = "in_deal"
    sold = "sold"


# The life of a premise (DOMAIN.md). Back to `available` when a reservation is lifted
# or a contract is terminated.
STATUS_TRANSITIONS: dict[PremiseStatus, frozenset[PremiseStatus]] = {
    PremiseStatus.not_for_sale: frozenset({PremiseStatus.available}),
    PremiseStatus.available: frozenset(
        {PremiseStatus.not_for_sale, PremiseStatus.reserved, PremiseStatus.paid_reservation}
    ),
    PremiseStatus.reserved: frozenset(
        {PremiseStatus.available, PremiseStatus.paid_reservation, PremiseStatus.in_deal}
    ),
    PremiseStatus.paid_reservation: frozenset({PremiseStatus.available, PremiseStatus.in_deal}),
    PremiseStatus.in_deal: frozenset({PremiseStatus.available, PremiseStatus.sold}),
    PremiseStatus.sold: frozenset(),
}

# What an employee may set by hand on the premise card; the rest is the processes' work.
MANUAL_STATUSES = frozenset({PremiseStatus.not_for_sale, PremiseStatus.available})

# From a paid reservation on, the client has been promised this price: it no longer changes.
PRICE_FIXED_STATUSES = frozenset(
    {PremiseStatus.paid_reservation, PremiseStatus.in_deal, PremiseStatus.sold}
)


STATUS_LABELS = {
    PremiseStatus.not_for_sale: "Не в продаже",
    PremiseStatus.available: "Свободно",
    PremiseStatus.reserved: "Бронь",
    PremiseStatus.paid_reservation: "Платная бронь",
    PremiseStatus.in_deal: "Оформление",
    PremiseStatus.sold: "Продано",
}

KIND_LABELS = {
    PremiseKind.apartment: "Квартира",
    PremiseKind.commercial: "Коммерческое помещение",
    PremiseKind.parking: "Машино-место",
    PremiseKind.storage: "Кладовая",
    PremiseKind.apartments: "Апартаменты",
}

# A kind after «забронировать» / «на» (the accusative case): «на квартиру № 35» (UI.md, Words).
KIND_ACCUSATIVE = {
    PremiseKind.apartment: "квартиру",
    PremiseKind.commercial: "коммерческое помещение",
    PremiseKind.parking: "машино-место",
    PremiseKind.storage: "кладовую",
    PremiseKind.apartments: "апартаменты",
}

KIND_SHORT = {
    PremiseKind.apartment: "Кв.",
    PremiseKind.commercial: "Комм.",
    PremiseKind.parking: "М/м",
    PremiseKind.storage: "Кл.",
    PremiseKind.apartments: "Ап.",
}

FINISHING_LABELS = {
    Finishing.none: "Без отделки",
    Finishing.white_box: "White box (предчистовая)",
    Finishing.fine: "Чистовая",
    Finishing.furnished: "С мебелью",
}

STAGE_LABELS = {
    ConstructionStage.design: "Проектирование",
    ConstructionStage.foundation: "Котлован и фундамент",
    ConstructionStage.frame: "Монолитные работы",
    ConstructionStage.facade: "Фасад и кровля",
    ConstructionStage.finishing: "Отделочные работы",
    ConstructionStage.commissioned: "Введён в эксплуатацию",
}
