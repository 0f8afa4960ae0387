"""Events of sales: a reservation made, near its end, ended; a client promoted from the queue."""

from __future__ import annotations

from engine.notifications.catalog import CLIENT_NAME, SIGNATURE, event, placeholder
from models.sales.reservation import ReservationStatus

PREMISE_NUMBER = placeholder("Номер помещения", "101")

RESERVATION = {
    "premise_number": PREMISE_NUMBER,
    "building": placeholder("ЖК и корпус", "ЖК «Северный парк», Корпус 1"),
    "client_name": CLIENT_NAME,
    "manager_name": placeholder("Ответственный менеджер", "Петрова Анна Сергеевна"),
    "expires_at_text": placeholder("Срок брони: дата и время по месту объекта", "15.06.2026 18:00"),
    "fixed_price_text": placeholder("Зафиксированная цена помещения", "10 500 000,00 ₽"),
    "reservation_id": placeholder("Номер брони в системе", "42"),
}

RESERVATION_MADE = event(
    "reservation_made",
    "Бронь поставлена",
    RESERVATION,
    timeline="Поставлена бронь: помещение № {premise_number} до {expires_at_text}",
    client_email=(
        "Помещение № {premise_number} забронировано за вами",
        "Здравствуйте, {client_name}!\n\n"
        "За вами забронировано помещение № {premise_number} ({building}).\n"
        "Бронь действует до {expires_at_text}. Цена на время брони зафиксирована: "
        "{fixed_price_text}.\n"
        "Ваш менеджер: {manager_name}." + SIGNATURE,
    ),
    client_sms="Помещение № {premise_number} забронировано за вами до {expires_at_text}.",
    staff_in_app="Бронь поставлена: № {premise_number}, {client_name}, до {expires_at_text}",
    staff_email=(
        "Бронь поставлена: № {premise_number}, {client_name}",
        "Помещение № {premise_number} ({building}) забронировано за клиентом {client_name} "
        "до {expires_at_text}.\nЦена зафиксирована: {fixed_price_text}.",
    ),
)

RESERVATION_EXPIRING = event(
    "reservation_expiring",
    "Срок брони истекает",
    RESERVATION,
    timeline="Бронь помещения № {premise_number} скоро истечёт ({expires_at_text})",
    client_email=(
        "Бронь помещения № {premise_number} скоро закончится",
        "Здравствуйте, {client_name}!\n\n"
        "Бронь помещения № {premise_number} ({building}) действует до {expires_at_text}.\n"
        "Чтобы сохранить помещение за собой, свяжитесь с вашим менеджером "
        "({manager_name})." + SIGNATURE,
    ),
    client_sms=(
        "Бронь помещения № {premise_number} заканчивается {expires_at_text}. "
        "Свяжитесь с менеджером."
    ),
    staff_in_app="Срок брони истекает {expires_at_text}: № {premise_number}, {client_name}",
    staff_email=(
        "Срок брони истекает: № {premise_number}, {client_name}",
        "Бронь помещения № {premise_number} ({building}) клиента {client_name} "
        "истекает {expires_at_text}. Свяжитесь с клиентом.",
    ),
)

RESERVATION_EXPIRED = event(
    "reservation_expired",
    "Бронь истекла",
    RESERVATION,
    timeline="Бронь помещения № {premise_number} истекла",
    client_email=(
        "Бронь помещения № {premise_number} закончилась",
        "Здравствуйте, {client_name}!\n\n"
        "Срок брони помещения № {premise_number} ({building}) истёк, помещение снова "
        "в продаже. Если вы хотите его купить, свяжитесь с вашим менеджером "
        "({manager_name})." + SIGNATURE,
    ),
    client_sms="Срок брони помещения № {premise_number} истёк.",
    staff_in_app="Истёк срок брони: № {premise_number}, {client_name}",
    staff_email=(
        "Истёк срок брони: № {premise_number}, {client_name}",
        "Срок брони помещения № {premise_number} ({building}) клиента {client_name} истёк; "
        "помещение освобождено.",
    ),
)

RESERVATION_CANCELLED = event(
    "reservation_cancelled",
    "Бронь снята",
    RESERVATION,
    timeline="Бронь помещения № {premise_number} снята",
    staff_in_app="Бронь снята: № {premise_number}, {client_name}",
)

RESERVATION_CONVERTED = event(
    "reservation_converted",
    "Бронь перешла в сделку",
    RESERVATION,
    timeline="Бронь помещения № {premise_number} перешла в сделку",
    staff_in_app="Бронь перешла в сделку: № {premise_number}, {client_name}",
)

# The event of a reservation's end, by the status it ended in.
RESERVATION_ENDED = {
    ReservationStatus.expired: RESERVATION_EXPIRED,
    ReservationStatus.cancelled: RESERVATION_CANCELLED,
    ReservationStatus.converted: RESERVATION_CONVERTED,
}

RESERVATION_REFUSED = event(
    "reservation_refused",
    "Бронь не поставлена",
    {
        "premise_number": PREMISE_NUMBER,
        "reason": placeholder("Причина", "помещение уже не свободно"),
    },
    staff_in_app="Бронь помещения № {premise_number} не поставлена: {reason}",
)

QUEUE_PROMOTED = event(
    "queue_promoted",
    "Клиент получил помещение из очереди",
    {"premise_number": PREMISE_NUMBER, "client_name": CLIENT_NAME},
    timeline="Клиент получил бронь № {premise_number} из очереди",
    client_email=(
        "Помещение № {premise_number} освободилось для вас",
        "Здравствуйте, {client_name}!\n\n"
        "Помещение № {premise_number}, которое вы ждали в очереди, освободилось и "
        "забронировано за вами. Менеджер свяжется с вами, чтобы подтвердить бронь." + SIGNATURE,
    ),
    client_sms=(
        "Помещение № {premise_number} из очереди забронировано за вами. Менеджер свяжется с вами."
    ),
    staff_in_app=(
        "Клиент {client_name} получил бронь № {premise_number} из очереди: подтвердите её"
    ),
    staff_email=(
        "Очередь: {client_name} получил № {premise_number}",
        "Помещение № {premise_number} освободилось и забронировано за клиентом "
        "{client_name} из очереди. Подтвердите бронь в системе.",
    ),
)

PREMISE_HELD_WITHOUT_PROCESS = event(
    "premise_held_without_process",
    "Помещение занято без живого процесса",
    {
        "premise_number": PREMISE_NUMBER,
        "reason": placeholder("Что найдено", "процесс брони в ошибке"),
    },
    staff_in_app="Помещение № {premise_number} занято без живого процесса: {reason}",
)
