"""The engine's own events: a decision asked for and taken, a process task near or past its
deadline. They belong to no area: every process with an approval or a deadline emits them."""

from __future__ import annotations

from engine.notifications.catalog import event, placeholder

TITLE = placeholder("Что согласуется", "Снижение цены № 101")

APPROVAL_REQUESTED = event(
    "approval_requested",
    "Нужно согласование",
    {"title": TITLE, "process": placeholder("Процесс", "Изменение цены")},
    staff_in_app="Нужно ваше решение: {title}",
    staff_email=(
        "Нужно ваше решение: {title}",
        "Процесс «{process}» ждёт вашего решения: {title}.\n"
        "Откройте «Мои задачи» в системе продаж.",
    ),
)

APPROVAL_DECIDED = event(
    "approval_decided",
    "Решение по согласованию",
    {
        "title": TITLE,
        "decision_text": placeholder("Решение и комментарий", "согласовано — «до конца месяца»"),
    },
    timeline="{title}: {decision_text}",
    staff_in_app="{title}: {decision_text}",
    staff_email=("{title}: {decision_text}", "По вашему запросу «{title}»: {decision_text}."),
)

PROCESS_TASK = {
    "title": placeholder("Задача", "Согласовать цену № 101"),
    "process": placeholder("Процесс", "Изменение цены помещения"),
    "due_at_text": placeholder("Срок задачи (по Москве)", "16.06.2026 11:00"),
}

PROCESS_TASK_DUE = event(
    "process_task_due",
    "Срок задачи процесса подходит",
    PROCESS_TASK,
    staff_in_app="Срок задачи «{title}» истекает {due_at_text}",
    staff_email=(
        "Срок задачи истекает: {title}",
        "Задача «{title}» (процесс «{process}») должна быть выполнена до {due_at_text}.",
    ),
)

PROCESS_TASK_OVERDUE = event(
    "process_task_overdue",
    "Задача процесса просрочена: передана руководителю",
    PROCESS_TASK,
    staff_in_app="Просрочена задача «{title}»",
    staff_email=(
        "Просрочена задача: {title}",
        "Срок задачи «{title}» (процесс «{process}») истёк {due_at_text}. "
        "Задача видна руководителю во входящих.",
    ),
)
