"""What the catalog's views call: a premise created or edited by hand.

The price list's import is `engine.catalog.price_list_import`; a price changed by a process is
the `change_premise_price` action. All three change a price through `Premise.change_price`, so a
fixed price is refused on every path.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.catalog.kinds import MANUAL_STATUSES
from models.catalog.objects import Building, Finishing, Premise, PremiseKind, PremiseStatus
from models.db.errors import InvalidPremiseData


@dataclass(frozen=True)
class PremiseValues:
    """What a manager typed on the premise form (already read as numbers by the form)."""

    number: str
    section: int
    floor: int
    kind: str
    rooms: int | None
    total_area: Decimal | None
    living_area: Decimal | None
    kitchen_area: Decimal | None
    finishing: str
    is_studio: bool
    is_euro_layout: bool
    has_terrace: bool
    price: Decimal | None
    status: str


def save_premise(
    session: Session, premise: Premise, building: Building, values: PremiseValues, *, by_user_id
) -> Premise:
    """Create (`premise` new) or edit a premise by hand. A broken rule raises a DomainError
    naming its field, before anything is flushed."""
    number = values.number.strip()
    duplicate = session.scalar(
        select(func.count()).where(
            Premise.building_id == building.id,
            Premise.number == number,
            Premise.id != (premise.id or 0),
        )
    )
    if duplicate:
        raise InvalidPremiseData(f"В корпусе уже есть помещение № {number}", field="number")
    with session.no_autoflush:
        _apply(premise, building, values, number, by_user_id)
        premise.validate()
    session.add(premise)
    return premise


def _apply(
    premise: Premise, building: Building, values: PremiseValues, number: str, by_user_id
) -> None:
    section = building.ensure_section(values.section)
    premise.floor = section.ensure_floor(values.floor)
    premise.number = number
    premise.kind = PremiseKind(values.kind)
    premise.rooms = values.rooms or 0
    premise.total_area = values.total_area
    premise.living_area = values.living_area
    premise.kitchen_area = values.kitchen_area
    premise.finishing = Finishing(values.finishing)
    premise.is_studio = values.is_studio
    premise.is_euro_layout = values.is_euro_layout
    premise.has_terrace = values.has_terrace
    premise.change_price(values.price, by_user_id=by_user_id, source="manual")
    if premise.status is None:
        premise.status = PremiseStatus(values.status)
    elif premise.status in MANUAL_STATUSES:
        premise.change_status(PremiseStatus(values.status), by_user_id=by_user_id, source="manual")
