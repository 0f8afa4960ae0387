"""The demo's buyers: client cards with consents, their contacts so far, and the CRM tasks of
the managers (some due today, some overdue, some done). Everything goes through the use cases
a manager's form calls, so the demo passes the product's own checks."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from engine.clients import card as client_card
from engine.clients import use_cases as clients
from engine.crm import use_cases as crm
from models.clients.card import clean_card
from models.clients.client import Client, ClientKind, ConsentKind
from models.users.user import User
from web.demo_time import Timeline

SALES_TZ = ZoneInfo("Europe/Moscow")

# (full name, e-mail login or None, passport given in the office)
BUYERS = [
    ("Иванов Алексей Сергеевич", "a.ivanov", True),
    ("Петрова Наталья Викторовна", "n.petrova", True),
    ("Смирнов Игорь Владимирович", None, False),
    ("Кузнецова Екатерина Андреевна", "kuznetsova.ea", True),
    ("Попов Денис Олегович", "denis.popov", False),
    ("Васильева Ирина Павловна", None, True),
    ("Соколов Максим Юрьевич", "m.sokolov", False),
    ("Михайлова Юлия Александровна", "yulia.m", True),
    ("Новиков Артём Игоревич", None, False),
    ("Фёдорова Светлана Николаевна", "s.fedorova", True),
    ("Морозов Кирилл Дмитриевич", "kmorozov", False),
    ("Волкова Анастасия Сергеевна", None, True),
    ("Алексеев Роман Евгеньевич", "r.alekseev", True),
    ("Лебедева Татьяна Михайловна", None, False),
    ("Семёнов Андрей Викторович", "semenov.av", True),
    ("Егорова Марина Олеговна", "m.egorova", False),
    ("Павлов Сергей Анатольевич", None, True),
    ("Козлова Дарья Ильинична", "dasha.kozlova", False),
    ("Степанов Николай Петрович", "n.stepanov", True),
    ("Николаева Ольга Вадимовна", None, False),
    ("Орлов Владимир Геннадьевич", "v.orlov", True),
    ("Андреева Полина Романовна", "p.andreeva", False),
    ("Макаров Евгений Борисович", None, True),
    ("Захарова Ксения Игоревна", "k.zakharova", True),
    ("Зайцев Тимур Ринатович", "t.zaitsev", False),
    ("Соловьёва Алина Денисовна", None, False),
    ("Борисов Илья Константинович", "i.borisov", True),
    ("Яковлева Вера Степановна", "vera.ya", False),
    ("Григорьев Антон Сергеевич", None, True),
    ("Романова Елизавета Андреевна", "e.romanova", True),
    ("Воробьёв Глеб Александрович", "g.vorobev", False),
    ("Сергеева Людмила Ивановна", None, True),
    ("Кириллов Павел Аркадьевич", "p.kirillov", False),
    ("Тихонова Валерия Максимовна", "v.tikhonova", True),
    ("Белов Артур Русланович", None, False),
    ("Гусева Надежда Львовна", "n.guseva", True),
]
LEADS = ["Сайт застройщика", "ЦИАН", "Авито Недвижимость", "Рекомендация", "Наружная реклама"]

# (kind, direction, summary) of contacts a manager logs
CONTACTS = [
    ("call", "in", "Звонок: интересуется двухкомнатными квартирами, спросил про ипотеку"),
    ("visit", None, "Визит в офис продаж: посмотрели шоурум и макет квартала"),
    ("meeting", None, "Показ квартиры на объекте вместе с супругом"),
    ("email", "out", "Отправлены планировки и расчёт платежа по семейной ипотеке"),
    ("message", "in", "Спросил в мессенджере про рассрочку и сроки сдачи корпуса"),
    ("call", "out", "Обсудили варианты с отделкой и парковочное место"),
]
# (kind, title) of planned contacts
TASKS = [
    ("call", "Перезвонить: решение банка по ипотеке"),
    ("meeting", "Встреча в офисе: выбор квартиры и условий оплаты"),
    ("email", "Отправить проект договора бронирования"),
    ("call", "Напомнить о сроке брони и оплате"),
    ("visit", "Показ квартиры на объекте"),
    ("message", "Прислать подборку квартир с видом на парк"),
]


def buyer_data(index: int, today: date) -> dict:
    """The card as a manager would type it, checked by the card's own rules (`clean_card`)."""
    name, login, passport = BUYERS[index]
    born = date(1962 + (index * 7) % 36, 1 + index % 12, 1 + (index * 5) % 28)
    data = {
        "full_name": name,
        "phones": [_phone(index)],
        "emails": [f"{login}@example.com"] if login else [],  # a domain kept for examples
        "birth_date": born.strftime("%d.%m.%Y"),
    }
    if passport:
        data.update(
            passport_series=f"45 {10 + index % 12:02d}",
            passport_number=f"{500000 + index * 1237:06d}",
            passport_issued_by="ГУ МВД России по г. Москве",
            passport_issued_on=date(born.year + 20, born.month, born.day).strftime("%d.%m.%Y"),
            registration_address=f"г. Москва, ул. Садовая, д. {3 + index}, кв. {20 + index * 3}",
        )
    clean = clean_card(data, kind=ClientKind.person, today=today)
    clean["lead_channel"] = LEADS[index % len(LEADS)]
    return clean


def _phone(index: int) -> str:
    code, first = 916 + index % 9, 300 + index * 11
    return f"+7 ({code}) {first:03d}-{10 + index:02d}-{index * 37 % 90 + 10:02d}"


def manager_for(index: int, staff: dict[str, User]) -> User:
    """Who works with buyer `index`: the head of sales keeps every sixth client."""
    return staff["head"] if index % 6 == 5 else staff["manager"]


def add_buyers(
    session: Session, timeline: Timeline, staff: dict[str, User], rng: random.Random
) -> list[Client]:
    """Schedule each card (with its consents) on the day the client first came, then their
    contacts and tasks. The list returned (in BUYERS order) fills in as the timeline runs: every
    card is made at least two weeks before `now`, before any reservation."""
    made: list[Client] = [None] * len(BUYERS)  # type: ignore[list-item] - filled by the steps
    for index in range(len(BUYERS)):
        came = timeline.now - timedelta(days=40 - index % 25, hours=rng.randint(9, 18))

        def card(index=index, came=came) -> None:
            made[index] = _card(session, index, came, staff)

        timeline.at(came, card)
        _history(timeline, made, manager_for(index, staff), came, index, rng)
    return made


def _card(session: Session, index: int, came: datetime, staff: dict[str, User]) -> Client:
    manager = manager_for(index, staff)
    client = clients.create(
        session,
        buyer_data(index, came.date()),
        kind=ClientKind.person,
        manager_id=manager.id,
        user_id=manager.id,
        now=came,
    )
    for kind in (ConsentKind.personal_data, ConsentKind.marketing)[: 1 + index % 2]:
        client_card.give_consent(
            session,
            client,
            kind,
            channel="office" if index % 3 else "online",
            text_version=clients.CONSENT_TEXT_VERSION,
            user_id=manager.id,
            now=came,
        )
    return client


def _history(timeline: Timeline, made: list[Client], manager: User, came, index, rng) -> None:
    session = timeline.session
    for step in range(1 + index % 3):
        kind, direction, summary = CONTACTS[(index + step) % len(CONTACTS)]
        at = came + timedelta(days=step * 3, minutes=rng.randint(5, 300))

        def log(kind=kind, direction=direction, summary=summary, at=at) -> None:
            crm.log_interaction(
                session,
                made[index].id,
                manager,
                kind=kind,
                direction=direction,
                summary=summary,
                body=None,
                at=at,
            )

        timeline.at(at, log)
    _task(timeline, made, manager, index, rng)


def _task(timeline: Timeline, made: list[Client], manager: User, index: int, rng) -> None:
    """Every client has one task: due later today, overdue, done, or in the coming days."""
    session, now = timeline.session, timeline.now
    kind, title = TASKS[(index + index // 6) % len(TASKS)]  # the head's clients vary too
    shape = index % 4
    if shape == 0:  # due today
        planned = now - timedelta(days=2, hours=rng.randint(1, 8))
        due = _later_today(now, index)
    elif shape == 1:  # overdue
        planned = now - timedelta(days=5, hours=rng.randint(1, 8))
        due = now - timedelta(days=1 + index % 3, hours=rng.randint(1, 6))
    elif shape == 2:  # done
        planned = now - timedelta(days=6, hours=rng.randint(1, 8))
        due = planned + timedelta(days=2)
    else:  # coming
        planned = now - timedelta(days=1, hours=rng.randint(1, 8))
        due = now + timedelta(days=1 + index % 4, hours=rng.randint(0, 6))

    def plan() -> None:
        task = crm.plan_task(
            session, made[index].id, manager, title=title, kind=kind, due_at=due, now=planned
        )
        if shape == 2:
            timeline.at(
                due - timedelta(hours=1),
                lambda: crm.complete_task(
                    session, task.id, manager, "Клиент на связи, договорились о следующем шаге"
                ),
            )

    timeline.at(planned, plan)


def _later_today(now: datetime, index: int) -> datetime:
    """A moment after `now` and before midnight in Moscow (or just after now, late at night)."""
    local = now.astimezone(SALES_TZ)
    midnight = local.replace(hour=23, minute=45, second=0, microsecond=0)
    room = max((midnight - local).total_seconds(), 0)
    return now + timedelta(minutes=10) + timedelta(seconds=room * (index % 7) / 8)
