"""Who works on a task: claim, release, reassign (head of sales)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.core.errors import TaskNotAvailable
from engine.core.run import record
from models.db.base import utcnow
from models.process.instance import HumanTask, HumanTaskStatus, ProcessEventKind
from models.users.user import MANAGEMENT, User

MANAGERS = MANAGEMENT


def _open(session: Session, task_id: int) -> HumanTask:
    row = session.get(HumanTask, task_id, with_for_update=_for_update(session))
    if row is None:
        raise TaskNotAvailable("Задача не найдена")
    if row.status != HumanTaskStatus.open:
        raise TaskNotAvailable("Задача уже выполнена или отменена")
    return row


def claim(session: Session, task_id: int, user: User, *, now: datetime | None = None):
    row = _open(session, task_id)
    if user.role not in row.roles() and user.role not in MANAGERS:
        raise TaskNotAvailable("Задачу этой роли взять нельзя")
    if row.assignee_id == user.id:
        return row
    if row.assignee_id is not None:
        raise TaskNotAvailable("Задачу уже взял другой сотрудник")
    row.assignee_id = user.id
    _record(session, row, ProcessEventKind.claimed, user, now)
    return row


def release(session: Session, task_id: int, user: User, *, now: datetime | None = None):
    row = _open(session, task_id)
    if row.assignee_id != user.id and user.role not in MANAGERS:
        raise TaskNotAvailable("Вернуть в очередь может только исполнитель или руководитель")
    row.assignee_id = None
    _record(session, row, ProcessEventKind.released, user, now)
    return row


def reassign(
    session: Session, task_id: int, user: User, to_user: User, *, now: datetime | None = None
):
    row = _open(session, task_id)
    if user.role not in MANAGERS:
        raise TaskNotAvailable("Переназначать задачи может руководитель отдела продаж")
    if not to_user.is_active or (to_user.role not in row.roles() and to_user.role not in MANAGERS):
        raise TaskNotAvailable(f"Сотруднику {to_user.display_name} эту задачу передать нельзя")
    row.assignee_id = to_user.id
    _record(session, row, ProcessEventKind.reassigned, user, now, {"to_user": to_user.id})
    return row


def _record(session, row: HumanTask, kind, user, now, data=None) -> None:
    record(
        session,
        row.instance,
        kind,
        user=user,
        task_name=row.task_name,
        task_label=row.task_label,
        data=data,
        now=now or utcnow(),
    )
    session.flush()


def _for_update(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
