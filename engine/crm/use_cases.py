"""Work with a client's history: log a contact, plan a task, finish or move it, remind of it.

Every verb loads what it needs, asks the entity (models/crm.py), and only flushes: the request
or the tick that called it commits.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.crm.events import TASK_DUE
from engine.notifications.emit import emit
from models.clients.client import Client
from models.crm.history import CrmTask, Interaction, TaskError
from models.db.base import utcnow
from models.db.errors import NotFound
from models.settings.store import get_setting
from models.users.user import User

REMINDER_SETTING = "crm.task_reminder_before"
SHOWN_TIME_ZONE = "Europe/Moscow"  # what the reminder text says; the UI shows the same zone


def find_client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"Клиент № {client_id} не найден")
    return client


def find_task(session: Session, task_id: int, *, lock: bool = False) -> CrmTask:
    task = session.get(CrmTask, task_id, with_for_update=lock or None, populate_existing=lock)
    if task is None:
        raise NotFound(f"Задача № {task_id} не найдена")
    return task


def log_interaction(
    session: Session,
    client_id: int,
    user: User,
    *,
    kind,
    direction: str | None,
    summary: str | None,
    body: str | None,
    at: datetime | None,
    now: datetime | None = None,
) -> Interaction:
    interaction = Interaction.log(
        find_client(session, client_id),
        kind=kind,
        direction=direction,
        summary=summary,
        body=body,
        at=at,
        user_id=user.id,
        now=now or utcnow(),
    )
    session.add(interaction)
    session.flush()
    return interaction


def plan_task(
    session: Session,
    client_id: int,
    user: User,
    *,
    title: str | None,
    kind,
    due_at: datetime | None,
    owner_id: int | None = None,
    allow_past: bool = False,
    now: datetime | None = None,
) -> CrmTask:
    owner = user if not owner_id or owner_id == user.id else session.get(User, owner_id)
    task = CrmTask.plan(
        find_client(session, client_id),
        owner=owner,
        by=user,
        title=title,
        kind=kind,
        due_at=due_at,
        now=now or utcnow(),
        allow_past=allow_past,
    )
    session.add(task)
    session.flush()
    return task


def complete_task(
    session: Session, task_id: int, user: User, result: str | None, now: datetime | None = None
) -> Interaction:
    """Done with a result: the contact lands on the timeline. Locked: finished once."""
    task = find_task(session, task_id, lock=True)
    if task.is_open and not task.can_complete(user):
        raise TaskError("Выполнить задачу может её исполнитель или руководитель отдела продаж")
    interaction = task.complete(result or "", now or utcnow())
    session.add(interaction)
    session.flush()
    return interaction


def reschedule_task(
    session: Session,
    task_id: int,
    user: User,
    due_at: datetime | None,
    *,
    owner_id: int | None = None,
    now: datetime | None = None,
) -> CrmTask:
    task = find_task(session, task_id, lock=True)
    if task.is_open and not task.can_reschedule(user):
        raise TaskError("Перенести задачу может её исполнитель или руководитель отдела продаж")
    owner = session.get(User, owner_id) if owner_id else None
    if owner_id and owner is None:
        raise TaskError("Такого сотрудника нет", field="owner_id")
    task.reschedule(due_at, now or utcnow(), owner=owner, by=user)
    session.flush()
    return task


def reminder_lead(session: Session):
    return get_setting(session, REMINDER_SETTING)


def tasks_to_remind(now: datetime, lead):
    """Open tasks whose reminder time (due − lead) has come and that were not reminded yet."""
    return (
        select(CrmTask)
        .where(CrmTask.done_at.is_(None), CrmTask.reminded_at.is_(None))
        .where(CrmTask.due_at <= now + lead)
        .order_by(CrmTask.due_at, CrmTask.id)
    )


def remind(session: Session, task: CrmTask, now: datetime) -> None:
    """Tell the owner once: TASK_DUE → an in-app notification (engine.notify decides how)."""
    task.reminded_at = now
    due_text = task.due_at.astimezone(ZoneInfo(SHOWN_TIME_ZONE)).strftime("%d.%m.%Y %H:%M")
    emit(
        session,
        TASK_DUE,
        client_id=task.client_id,
        user_ids=[task.owner_id],
        context={
            "title": task.title,
            "client_name": task.client.full_name,
            "due_at_text": due_text,
        },
        link=f"/crm/tasks/{task.id}",
        now=now,
    )
