"""Projects, buildings and premises."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from models.catalog.objects import Building, Premise, PremiseKind, PremiseStatus, Project


def project(session: Session, name: str = "Тестовый парк", **fields) -> Project:
    built = Project(name=name, city=fields.pop("city", "Москва"), **fields)
    session.add(built)
    session.flush()
    return built


_new_project = project  # `building` takes a parameter named `project`


def building(
    session: Session,
    project: Project | None = None,
    name: str = "Корпус 1",
    floors_above: int = 10,
    floors_below: int = 0,
    sections: int = 2,
    **fields,
) -> Building:
    """A building (in a new project unless given) with `sections` sections."""
    built = Building(
        project=project or _new_project(session),
        name=name,
        address=fields.pop("address", "г. Москва, ул. Тестовая, 1"),
        floors_above=floors_above,
        floors_below=floors_below,
        **fields,
    )
    session.add(built)
    for number in range(1, sections + 1):
        built.ensure_section(number)
    session.flush()
    return built


def premise(
    session: Session,
    building: Building,
    number: str = "1",
    floor: int = 1,
    section: int = 1,
    total_area: Decimal | str = "50.00",
    price: Decimal | str = "10000000.00",
    status: PremiseStatus = PremiseStatus.available,
    kind: PremiseKind = PremiseKind.apartment,
    **fields,
) -> Premise:
    """A two-room flat for sale unless told otherwise, on `floor` of `section`."""
    built = Premise(
        building=building,
        number=number,
        kind=kind,
        rooms=fields.pop("rooms", 2),
        total_area=Decimal(total_area),
        price=Decimal(price),
        status=status,
        **fields,
    )
    built.floor = building.ensure_section(section).ensure_floor(floor)
    session.add(built)
    session.flush()
    return built
