"""The reminder of a CRM task reads its due time as people in Moscow read a clock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from engine.crm import use_cases as crm
from models.notifications.in_app import Notification

DUE = datetime(2026, 5, 10, 9, 5, tzinfo=UTC)  # 12:05 in Moscow
REMINDED = datetime(2026, 5, 10, 8, 0, tzinfo=UTC)


def test_the_reminder_names_the_task_the_client_and_the_moscow_due_time(
    db_session, clock, manager, make_client
):
    clock.set(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    buyer = make_client("Кузнецов Пётр", manager_id=manager.id)
    task = crm.plan_task(
        db_session, buyer.id, manager, title="Перезвонить", kind="call", due_at=DUE
    )

    crm.remind(db_session, task, REMINDED)
    db_session.flush()

    [note] = db_session.scalars(select(Notification).where(Notification.kind == "task_due")).all()
    assert note.user_id == manager.id
    assert note.text == "Срок задачи 10.05.2026 12:05: Перезвонить (Кузнецов Пётр)"
    assert (note.link, note.created_at) == (f"/crm/tasks/{task.id}", REMINDED)
    assert task.reminded_at == REMINDED
