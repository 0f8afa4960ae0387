"""Data of bench_clients: 100,000 clients with phones, 1,000,000 timeline events, bulk inserted.

One client (the "target") gets a timeline of exactly 2,000 entries of every source; the other
998,000 events are calls spread over the other clients. Bulk rows go through Core
`insert()` executemany in chunks (SQLAlchemy batches them into multi-row VALUES).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from models.catalog.objects import Building, Premise, PremiseKind, PremiseStatus, Project
from models.clients.client import Client, ClientPhone
from models.crm.history import CrmTask, Interaction, InteractionKind
from models.notifications.outbox import MessageChannel, MessageStatus, OutboundMessage
from models.process.instance import (
    ProcessBusinessKey,
    ProcessEvent,
    ProcessEventKind,
    ProcessInstance,
    ProcessModel,
    ProcessStatus,
)
from models.sales.reservation import Channel, Reservation, ReservationEvent, ReservationStatus
from models.users.user import Role, User
from web.extensions import db

CLIENTS = 100_000
EVENTS = 1_000_000
TARGET = {"interaction": 1_400, "task": 200, "reservation": 100, "process": 200, "outbox": 100}
CHUNK = 20_000
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 2 * 365 * 24 * 60

_SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков "
    "Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров "
    "Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов "
    "Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов "
    "Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин "
    "Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв "
    "Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев "
    "Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов "
    "Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов "
    "Еремеев Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов"
)
_MEN = "Александр Дмитрий Максим Сергей Андрей Алексей Артём Илья Кирилл Михаил Никита Иван"
_WOMEN = "Анна Мария Елена Ольга Наталья Татьяна Ирина Екатерина Светлана Юлия Дарья"
_FATHERS = "Александров Дмитриев Сергеев Андреев Алексеев Михайлов Иванов Петров Николаев"
SURNAMES, MEN, WOMEN, FATHERS = (w.split() for w in (_SURNAMES, _MEN, _WOMEN, _FATHERS))


def person(rng: random.Random) -> str:
    surname, father = rng.choice(SURNAMES), rng.choice(FATHERS)
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(MEN)} {father}ич"
    return f"{surname}а {rng.choice(WOMEN)} {father}на"


def minutes(n: int) -> datetime:
    return START + timedelta(minutes=n)


def generate(rng: random.Random) -> dict:
    """Everything the benchmark measures; returns ids and the phone it searches for."""
    user = User(email="bench@bench.local", role=Role.head_of_sales, full_name="Бенчмарк")
    user.set_password("bench")
    db.session.add(user)
    db.session.commit()
    phones = rng.sample(range(10**9), CLIENTS)
    has_search_name = hasattr(Client, "search_name")  # the search's normalised name column
    for first in range(0, CLIENTS, CHUNK):
        rows = []
        for n in range(first, min(first + CHUNK, CLIENTS)):
            name = "Целевой Клиент Тестович" if n == 0 else person(rng)
            row = {"full_name": name, "created_at": minutes(n), "confirmed_fields": []}
            if has_search_name:
                row["search_name"] = " ".join(name.casefold().replace("ё", "е").split())
            rows.append(row)
        db.session.execute(insert(Client), rows)
    client_ids = db.session.scalars(text("SELECT id FROM client ORDER BY id")).all()
    _bulk(
        ClientPhone,
        ({"client_id": cid, "phone": f"+79{phones[i]:09d}"} for i, cid in enumerate(client_ids)),
    )
    target = client_ids[0]
    _bulk(Interaction, _spread_events(rng, client_ids[1:], EVENTS - sum(TARGET.values())))
    _target_timeline(rng, target, user)
    db.session.commit()
    return {"target": target, "user_id": user.id, "phone": f"+79{phones[CLIENTS // 2]:09d}"}


def _bulk(model, rows) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            db.session.execute(insert(model), batch)
            batch = []
    if batch:
        db.session.execute(insert(model), batch)


def _spread_events(rng: random.Random, client_ids, count: int):
    kinds = [InteractionKind.call, InteractionKind.email, InteractionKind.visit]
    for n in range(count):
        yield {
            "client_id": rng.choice(client_ids),
            "kind": rng.choice(kinds),
            "direction": "out",
            "summary": f"Контакт {n}",
            "body": "",
            "at": minutes(rng.randrange(SPAN_MINUTES)),
        }


def _target_timeline(rng: random.Random, client_id: int, user: User) -> None:
    """2,000 entries: calls, tasks, reservation events, process steps, messages sent."""
    when = sorted(rng.sample(range(SPAN_MINUTES), sum(TARGET.values())))
    moments = iter(minutes(m) for m in when)
    _bulk(
        Interaction,
        (
            {
                "client_id": client_id,
                "kind": InteractionKind.call,
                "direction": "in",
                "summary": f"Звонок клиента {n}",
                "body": "Обсудили планировки и ипотеку",
                "at": next(moments),
                "user_id": user.id,
            }
            for n in range(TARGET["interaction"])
        ),
    )
    for n in range(TARGET["task"]):
        at = next(moments)
        done = n % 4 != 0
        db.session.add(
            CrmTask(
                client_id=client_id,
                owner_id=user.id,
                title=f"Перезвонить {n}",
                due_at=at + timedelta(days=1),
                created_at=at,
                reminded_at=at,
                done_at=at + timedelta(hours=20) if done else None,
                result="Дозвонились" if done else None,
            )
        )
    project = Project(name="Бенчмарк", city="Москва")
    building = Building(
        project=project, name="Корпус 1", address="Москва", floors_above=10, floors_below=0
    )
    floor = building.ensure_section(1).ensure_floor(1)
    db.session.add_all([project, building])
    for n in range(TARGET["reservation"] // 5):
        premise = Premise(
            building=building,
            number=str(n + 1),
            kind=PremiseKind.apartment,
            rooms=2,
            total_area=Decimal("50.00"),
            price=Decimal("10000000.00"),
            status=PremiseStatus.available,
        )
        premise.floor = floor
        at = next(moments)
        reservation = Reservation(
            premise=premise,
            client_id=client_id,
            manager_id=user.id,
            channel=Channel.offline,
            status=ReservationStatus.expired,
            starts_at=at,
            expires_at=at + timedelta(days=3),
            fixed_price=Decimal("10000000.00"),
            fixed_price_per_m2=Decimal("200000.00"),
            fixed_discounts=[],
            created_at=at,
        )
        db.session.add(reservation)
        for kind in ("created", "extended", "reminded", "paid", "expired"):
            at = at if kind == "created" else next(moments)
            reservation.events.append(ReservationEvent(kind=kind, user_id=user.id, data={}, at=at))
    model = ProcessModel(
        process_id="reservation", version=1, name="Бронь", bpmn_xml="<bpmn/>", sha256="0" * 64
    )
    for n in range(TARGET["process"] // 20):
        instance = ProcessInstance(
            model=model,
            process_id="reservation",
            status=ProcessStatus.completed,
            serialized="{}",
            title=f"Бронь № {n + 1}",
            business_keys={"client_id": client_id},
            keys=[ProcessBusinessKey(name="client_id", value=str(client_id))],
        )
        db.session.add(instance)
        for _ in range(20):
            instance.events.append(
                ProcessEvent(kind=ProcessEventKind.timer_fired, data={}, at=next(moments))
            )
    for n in range(TARGET["outbox"]):
        at = next(moments)
        db.session.add(
            OutboundMessage(
                channel=MessageChannel.email,
                event="reservation_made",
                to_address="target@example.ru",
                subject=f"Бронь поставлена {n}",
                body="…",
                status=MessageStatus.sent,
                sent_at=at,
                next_attempt_at=at,
                created_at=at,
                client_id=client_id,
            )
        )
