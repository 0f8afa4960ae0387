"""Demo data: one realistic ЖК with two buildings and about 600 premises, one user per role,
and a sales department mid-month (web/demo_people.py, web/demo_department.py): clients with
their histories and consents, reservations in every state made by the reservation process,
CRM tasks, requests for the head of sales and one process in error for the administrator.

Deterministic: the same seed and the same `now` give the same data. The demo's past is played
with the application's clock stopped at each step's moment (web/demo_time.py)."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.catalog.objects import (
    Building,
    ConstructionStage,
    Finishing,
    Premise,
    PremiseKind,
    PremiseStatus,
    Project,
)
from models.db import clock
from models.db.base import utcnow
from models.notifications.outbox import MessageStatus, OutboundMessage
from models.users.user import Role, User
from web.demo_department import Department
from web.demo_people import add_buyers
from web.demo_time import Timeline

DEMO_PASSWORD = "demo"
DEMO_PROJECT = "Северный парк"
DEMO_NAMES = {
    Role.admin: "Сергей Орлов",
    Role.head_of_sales: "Анна Соколова",
    Role.sales_manager: "Дмитрий Волков",
    Role.mortgage_broker: "Елена Морозова",
    Role.lawyer: "Павел Лебедев",
    Role.analyst: "Мария Козлова",
    Role.marketer: "Ольга Новикова",
}

# (kind of layout, rooms, area range, studio, euro) by position on a floor
APARTMENT_LAYOUTS = [
    ("studio", 1, (23, 29), True, False),
    ("one", 1, (35, 42), False, False),
    ("two_euro", 2, (44, 50), False, True),
    ("two", 2, (55, 66), False, False),
    ("three", 3, (74, 92), False, False),
]

# Held premises (reserved, paid reservation) are not drawn: the reservation process holds them
# (web/demo_department.py). Deals and sales have no process yet: they are statuses.
STATUS_WEIGHTS = [
    (PremiseStatus.sold, 34),
    (PremiseStatus.in_deal, 8),
    (PremiseStatus.available, 54),
    (PremiseStatus.not_for_sale, 4),
]


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count(Project.id)))


def demo_is_loaded(session: Session) -> bool:
    return session.scalar(select(Project.id).where(Project.name == DEMO_PROJECT)) is not None


def demo_users() -> list[tuple[str, Role]]:
    return [(f"{role.value}@demo.local", role) for role in Role]


def load(session: Session, seed: int = 2026, now: datetime | None = None) -> str:
    """Load the demo; only flushes. With `now` given the application's clock is left stopped
    at it (the caller who fixes time owns the clock); without, it runs freely again."""
    moment = (now or utcnow()).replace(microsecond=0)
    rng = random.Random(seed)
    created_users = _users(session)
    project = Project(
        name=DEMO_PROJECT,
        city="Москва",
        developer_name="ООО «СЗ Северный парк»",
        description="Жилой комплекс комфорт-класса у парка, два корпуса, подземный паркинг.",
    )
    session.add(project)
    first = Building(
        project=project,
        name="Корпус 1",
        address="г. Москва, ул. Лесная, д. 12, корп. 1",
        stage=ConstructionStage.facade,
        commissioning_date=date(2027, 12, 31),
        escrow_bank="ПАО Сбербанк",
        floors_above=17,
        floors_below=1,
    )
    second = Building(
        project=project,
        name="Корпус 2",
        address="г. Москва, ул. Лесная, д. 12, корп. 2",
        stage=ConstructionStage.frame,
        commissioning_date=date(2028, 9, 30),
        escrow_bank="Банк ВТБ (ПАО)",
        floors_above=12,
        floors_below=1,
    )
    session.add_all([first, second])
    count = _fill_building(first, rng, sections=4, per_floor=4, commercial_floor=True)
    count += _fill_building(second, rng, sections=3, per_floor=5, commercial_floor=False)
    session.flush()
    try:
        department = _department(session, moment, rng)
    finally:
        if now is None:
            clock.run_freely()
    logins = ", ".join(email for email, _ in demo_users())
    made = department.counts
    return (
        f"ЖК «{project.name}»: 2 корпуса, {count} помещений; "
        f"клиентов: {len(department.buyers)}, броней: {made.get('reservations', 0)}, "
        f"запросов руководителю: {made.get('approvals', 0)}; "
        f"сотрудников создано: {created_users}. Логины: {logins}, пароль «{DEMO_PASSWORD}»"
    )


def _department(session: Session, now: datetime, rng: random.Random) -> Department:
    staff = {
        "manager": _demo_user(session, Role.sales_manager),
        "head": _demo_user(session, Role.head_of_sales),
    }
    last_message = session.scalar(select(func.max(OutboundMessage.id))) or 0
    timeline = Timeline(session, now)
    buyers = add_buyers(session, timeline, staff, rng)
    department = Department(session, timeline, staff, buyers, rng)
    department.schedule()
    timeline.run()
    _recorded_only(session, last_message)
    session.flush()
    return department


def _recorded_only(session: Session, after_id: int) -> None:
    """The e-mails and SMS of the demo's past stay on the timelines as sent when they were
    made, and none leaves the machine: the addresses and numbers are made up, and the events
    they tell of are days old."""
    for message in session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.id > after_id, OutboundMessage.status == MessageStatus.pending
        )
    ):
        message.delivered("demo", None, message.created_at)


def _demo_user(session: Session, role: Role) -> User:
    return session.scalars(select(User).where(User.email == f"{role.value}@demo.local")).one()


def _users(session: Session) -> int:
    created = 0
    for email, role in demo_users():
        if session.scalar(select(User.id).where(User.email == email)):
            continue
        user = User(email=email, role=role, full_name=DEMO_NAMES[role])
        user.set_password(DEMO_PASSWORD)
        session.add(user)
        created += 1
    return created


def _fill_building(
    building: Building, rng: random.Random, *, sections: int, per_floor: int, commercial_floor: bool
) -> int:
    count = 0
    apartment_number = 0
    base_ppm = Decimal(rng.randint(240_000, 290_000))
    for section_number in range(1, sections + 1):
        section = building.ensure_section(section_number)
        for floor_number in range(1, building.floors_above + 1):
            floor = section.ensure_floor(floor_number)
            if commercial_floor and floor_number == 1:
                for position in range(1, 3):
                    area = Decimal(rng.randint(6000, 14000)) / 100
                    _premise(
                        floor,
                        building,
                        f"К-{section_number}.{position}",
                        PremiseKind.commercial,
                        rng,
                        area=area,
                        ppm=base_ppm * Decimal("1.35"),
                        finishing=Finishing.white_box,
                    )
                    count += 1
                continue
            for position in range(per_floor):
                apartment_number += 1
                _, rooms, (low, high), studio, euro = APARTMENT_LAYOUTS[position % 5]
                area = Decimal(rng.randint(low * 100, high * 100)) / 100
                height_bonus = Decimal(1) + Decimal(floor_number) * Decimal("0.006")
                premise = _premise(
                    floor,
                    building,
                    str(apartment_number),
                    PremiseKind.apartment,
                    rng,
                    area=area,
                    ppm=base_ppm * height_bonus * (Decimal("1.08") if studio else Decimal(1)),
                    finishing=rng.choice([Finishing.none, Finishing.white_box, Finishing.fine]),
                )
                premise.rooms = rooms
                premise.is_studio = studio
                premise.is_euro_layout = euro
                premise.has_terrace = floor_number == building.floors_above and position == 4
                premise.living_area = (area * Decimal("0.55")).quantize(Decimal("0.01"))
                premise.kitchen_area = (area * Decimal("0.17")).quantize(Decimal("0.01"))
                count += 1
        count += _underground(building, section, rng)
    return count


def _underground(building, section, rng) -> int:
    floor = section.ensure_floor(-1)
    count = 0
    for index in range(1, 16):
        area = Decimal(rng.choice([1325, 1400, 1550])) / 100
        _premise(
            floor,
            building,
            f"М-{section.number}.{index}",
            PremiseKind.parking,
            rng,
            area=area,
            ppm=Decimal(170_000),
            finishing=Finishing.none,
        )
        count += 1
    for index in range(1, 7):
        area = Decimal(rng.randint(300, 800)) / 100
        _premise(
            floor,
            building,
            f"Кл-{section.number}.{index}",
            PremiseKind.storage,
            rng,
            area=area,
            ppm=Decimal(150_000),
            finishing=Finishing.none,
        )
        count += 1
    return count


def _premise(floor, building, number, kind, rng, *, area, ppm, finishing) -> Premise:
    jitter = Decimal(rng.randint(970, 1030)) / 1000
    price = (area * ppm * jitter / 1000).quantize(Decimal("1")) * 1000
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    premise = Premise(
        building=building,
        number=number,
        kind=kind,
        rooms=0,
        total_area=area,
        price=price,
        finishing=finishing,
        status=rng.choices(statuses, weights)[0],
    )
    floor.premises.append(premise)
    return premise
