"""Events of the CRM: a planned contact with a client is near its due time."""

from __future__ import annotations

from engine.notifications.catalog import CLIENT_NAME, event, placeholder

TASK_DUE = event(
    "task_due",
    "Срок задачи подходит",
    {
        "title": placeholder("Задача", "Позвонить клиенту"),
        "client_name": CLIENT_NAME,
        "due_at_text": placeholder("Срок задачи", "16.06.2026 11:00"),
    },
    staff_in_app="Срок задачи {due_at_text}: {title} ({client_name})",
    staff_email=(
        "Задача: {title}, срок {due_at_text}",
        "Напоминаем о задаче «{title}» по клиенту {client_name}: срок {due_at_text}.",
    ),
)
