"""Default texts of notifications, in Russian: (event, audience, channel) → (subject, body).

An admin may override any of them (the notification_template table, page
/admin/notifications/templates); "reset" brings back the text below. SMS and in-app texts have
no subject. Placeholders are the names listed for the event in engine/notification_events.py.
"""

from __future__ import annotations

SIGNATURE = "\n\nС уважением,\nотдел продаж"

C_EMAIL, C_SMS = ("client", "email"), ("client", "sms")
S_IN_APP, S_EMAIL = ("staff", "in_app"), ("staff", "email")

_TEXTS: dict[str, dict[tuple[str, str], tuple[str, str]]] = {
    "reservation_made": {
        C_EMAIL: (
            "Помещение № {premise_number} забронировано за вами",
            "Здравствуйте, {client_name}!\n\n"
            "За вами забронировано помещение № {premise_number} ({building}).\n"
            "Бронь действует до {expires_at_text}. Цена на время брони зафиксирована: "
            "{fixed_price_text}.\n"
            "Ваш менеджер: {manager_name}." + SIGNATURE,
        ),
        C_SMS: ("", "Помещение № {premise_number} забронировано за вами до {expires_at_text}."),
        S_IN_APP: ("", "Бронь поставлена: № {premise_number}, {client_name}, до {expires_at_text}"),
        S_EMAIL: (
            "Бронь поставлена: № {premise_number}, {client_name}",
            "Помещение № {premise_number} ({building}) забронировано за клиентом {client_name} "
            "до {expires_at_text}.\nЦена зафиксирована: {fixed_price_text}.",
        ),
    },
    "reservation_expiring": {
        C_EMAIL: (
            "Бронь помещения № {premise_number} скоро закончится",
            "Здравствуйте, {client_name}!\n\n"
            "Бронь помещения № {premise_number} ({building}) действует до {expires_at_text}.\n"
            "Чтобы сохранить помещение за собой, свяжитесь с вашим менеджером "
            "({manager_name})." + SIGNATURE,
        ),
        C_SMS: (
            "",
            "Бронь помещения № {premise_number} заканчивается {expires_at_text}. "
            "Свяжитесь с менеджером.",
        ),
        S_IN_APP: (
            "",
            "Срок брони истекает {expires_at_text}: № {premise_number}, {client_name}",
        ),
        S_EMAIL: (
            "Срок брони истекает: № {premise_number}, {client_name}",
            "Бронь помещения № {premise_number} ({building}) клиента {client_name} "
            "истекает {expires_at_text}. Свяжитесь с клиентом.",
        ),
    },
    "reservation_expired": {
        C_EMAIL: (
            "Бронь помещения № {premise_number} закончилась",
            "Здравствуйте, {client_name}!\n\n"
            "Срок брони помещения № {premise_number} ({building}) истёк, помещение снова "
            "в продаже. Если вы хотите его купить, свяжитесь с вашим менеджером "
            "({manager_name})." + SIGNATURE,
        ),
        C_SMS: ("", "Срок брони помещения № {premise_number} истёк."),
        S_IN_APP: ("", "Истёк срок брони: № {premise_number}, {client_name}"),
        S_EMAIL: (
            "Истёк срок брони: № {premise_number}, {client_name}",
            "Срок брони помещения № {premise_number} ({building}) клиента {client_name} истёк; "
            "помещение освобождено.",
        ),
    },
    "reservation_cancelled": {
        S_IN_APP: ("", "Бронь снята: № {premise_number}, {client_name}"),
    },
    "reservation_converted": {
        S_IN_APP: ("", "Бронь перешла в сделку: № {premise_number}, {client_name}"),
    },
    "queue_promoted": {
        C_EMAIL: (
            "Помещение № {premise_number} освободилось для вас",
            "Здравствуйте, {client_name}!\n\n"
            "Помещение № {premise_number}, которое вы ждали в очереди, освободилось и "
            "забронировано за вами. Менеджер свяжется с вами, чтобы подтвердить бронь." + SIGNATURE,
        ),
        C_SMS: (
            "",
            "Помещение № {premise_number} из очереди забронировано за вами. "
            "Менеджер свяжется с вами.",
        ),
        S_IN_APP: (
            "",
            "Клиент {client_name} получил бронь № {premise_number} из очереди: подтвердите её",
        ),
        S_EMAIL: (
            "Очередь: {client_name} получил № {premise_number}",
            "Помещение № {premise_number} освободилось и забронировано за клиентом "
            "{client_name} из очереди. Подтвердите бронь в системе.",
        ),
    },
    "approval_requested": {
        S_IN_APP: ("", "Нужно ваше решение: {title}"),
        S_EMAIL: (
            "Нужно ваше решение: {title}",
            "Процесс «{process}» ждёт вашего решения: {title}.\n"
            "Откройте «Мои задачи» в системе продаж.",
        ),
    },
    "approval_decided": {
        S_IN_APP: ("", "{title}: {decision_text}"),
        S_EMAIL: ("{title}: {decision_text}", "По вашему запросу «{title}»: {decision_text}."),
    },
    "task_due": {
        S_IN_APP: ("", "Срок задачи {due_at_text}: {title} ({client_name})"),
        S_EMAIL: (
            "Задача: {title}, срок {due_at_text}",
            "Напоминаем о задаче «{title}» по клиенту {client_name}: срок {due_at_text}.",
        ),
    },
    "reservation_refused": {
        S_IN_APP: ("", "Бронь помещения № {premise_number} не поставлена: {reason}"),
    },
    "process_task_due": {
        S_IN_APP: ("", "Срок задачи «{title}» истекает {due_at_text}"),
        S_EMAIL: (
            "Срок задачи истекает: {title}",
            "Задача «{title}» (процесс «{process}») должна быть выполнена до {due_at_text}.",
        ),
    },
    "process_task_overdue": {
        S_IN_APP: ("", "Просрочена задача «{title}»"),
        S_EMAIL: (
            "Просрочена задача: {title}",
            "Срок задачи «{title}» (процесс «{process}») истёк {due_at_text}. "
            "Задача видна руководителю во входящих.",
        ),
    },
    "promotion_offer": {
        C_EMAIL: (
            "{offer_title}",
            "Здравствуйте, {client_name}!\n\n{offer_text}\n\n"
            "Вы получили это письмо, потому что согласились получать наши предложения. "
            "Чтобы отказаться, ответьте на него словом «Отписаться»." + SIGNATURE,
        ),
        C_SMS: ("", "{offer_title}. {offer_text} Отказаться: ответьте «СТОП»."),
    },
}

DEFAULTS: dict[tuple[str, str, str], tuple[str, str]] = {
    (event, audience, channel): text
    for event, texts in _TEXTS.items()
    for (audience, channel), text in texts.items()
}
