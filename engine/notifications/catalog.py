"""The events people are told about: who hears of each, by which channel, and what a template
may say about it.

A placeholder is a plain name from the event's context (`{premise_number}`); its description and
a sample value are shown to the admin who edits a template, and the sample fills the preview.
A `marketing` event goes to a client only with marketing consent; every other client message is
a service message and needs the consent to personal-data processing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.notifications.outbox import Audience

EMAIL, SMS, IN_APP = "email", "sms", "in_app"

CHANNEL_LABELS = {EMAIL: "Эл. почта", SMS: "SMS", IN_APP: "В системе"}
AUDIENCE_LABELS = {Audience.client.value: "Клиенту", Audience.staff.value: "Сотруднику"}


@dataclass(frozen=True)
class Placeholder:
    description: str
    sample: str


@dataclass(frozen=True)
class EventSpec:
    label: str
    placeholders: dict[str, Placeholder]
    client_channels: tuple[str, ...] = ()
    staff_channels: tuple[str, ...] = ()
    marketing: bool = False
    notes: str = ""
    # Derived from the two tuples; kept for the admin pages.
    channels: tuple[tuple[str, str], ...] = field(init=False, default=())

    def __post_init__(self):
        pairs = [(Audience.client.value, c) for c in self.client_channels]
        pairs += [(Audience.staff.value, c) for c in self.staff_channels]
        object.__setattr__(self, "channels", tuple(pairs))


def _p(description: str, sample: str) -> Placeholder:
    return Placeholder(description, sample)


CLIENT_NAME = _p("Клиент: ФИО или название организации", "Иванов Иван Иванович")
PREMISE_NUMBER = _p("Номер помещения", "101")

RESERVATION = {
    "premise_number": PREMISE_NUMBER,
    "building": _p("ЖК и корпус", "ЖК «Северный парк», Корпус 1"),
    "client_name": CLIENT_NAME,
    "manager_name": _p("Ответственный менеджер", "Петрова Анна Сергеевна"),
    "expires_at_text": _p("Срок брони: дата и время по месту объекта", "15.06.2026 18:00"),
    "fixed_price_text": _p("Зафиксированная цена помещения", "10 500 000,00 ₽"),
    "reservation_id": _p("Номер брони в системе", "42"),
}

APPROVAL = {
    "title": _p("Что согласуется", "Снижение цены № 101"),
    "process": _p("Процесс", "Изменение цены"),
}

PROCESS_TASK = {
    "title": _p("Задача", "Согласовать цену № 101"),
    "process": _p("Процесс", "Изменение цены помещения"),
    "due_at_text": _p("Срок задачи (по Москве)", "16.06.2026 11:00"),
}

BOTH = (EMAIL, SMS)
STAFF = (IN_APP, EMAIL)

EVENTS: dict[str, EventSpec] = {
    "reservation_made": EventSpec(
        "Бронь поставлена", RESERVATION, client_channels=BOTH, staff_channels=STAFF
    ),
    "reservation_expiring": EventSpec(
        "Срок брони истекает", RESERVATION, client_channels=BOTH, staff_channels=STAFF
    ),
    "reservation_expired": EventSpec(
        "Бронь истекла", RESERVATION, client_channels=BOTH, staff_channels=STAFF
    ),
    "reservation_cancelled": EventSpec("Бронь снята", RESERVATION, staff_channels=(IN_APP,)),
    "reservation_converted": EventSpec(
        "Бронь перешла в сделку", RESERVATION, staff_channels=(IN_APP,)
    ),
    "reservation_refused": EventSpec(
        "Бронь не поставлена",
        {"premise_number": PREMISE_NUMBER, "reason": _p("Причина", "помещение уже не свободно")},
        staff_channels=(IN_APP,),
    ),
    "queue_promoted": EventSpec(
        "Клиент получил помещение из очереди",
        {"premise_number": PREMISE_NUMBER, "client_name": CLIENT_NAME},
        client_channels=BOTH,
        staff_channels=STAFF,
    ),
    "approval_requested": EventSpec("Нужно согласование", APPROVAL, staff_channels=STAFF),
    "approval_decided": EventSpec(
        "Решение по согласованию",
        {
            "title": APPROVAL["title"],
            "decision_text": _p("Решение и комментарий", "согласовано — «до конца месяца»"),
        },
        staff_channels=STAFF,
    ),
    "task_due": EventSpec(
        "Срок задачи подходит",
        {
            "title": _p("Задача", "Позвонить клиенту"),
            "client_name": CLIENT_NAME,
            "due_at_text": _p("Срок задачи", "16.06.2026 11:00"),
        },
        staff_channels=STAFF,
    ),
    "process_task_due": EventSpec(
        "Срок задачи процесса подходит", PROCESS_TASK, staff_channels=STAFF
    ),
    "process_task_overdue": EventSpec(
        "Задача процесса просрочена: передана руководителю", PROCESS_TASK, staff_channels=STAFF
    ),
    "promotion_offer": EventSpec(
        "Рекламное предложение",
        {
            "client_name": CLIENT_NAME,
            "offer_title": _p("Заголовок предложения", "Скидка 5 % на кладовые"),
            "offer_text": _p("Текст предложения", "До конца месяца кладовые — со скидкой 5 %."),
        },
        client_channels=BOTH,
        marketing=True,
        notes="Рекламная рассылка: только клиентам с согласием на рекламу.",
    ),
}


def sample_context(event: str) -> dict[str, str]:
    return {name: p.sample for name, p in EVENTS[event].placeholders.items()}
