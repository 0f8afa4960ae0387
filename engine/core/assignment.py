"""Who works on a task: claim, release, reassign. The rules are HumanTask's; this loads the
row (locked on PostgreSQL), calls its verb and records the event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.core.run import record
from models.db.base import utcnow
from models.process.human_task import HumanTask, TaskNotAvailable
from models.process.instance import ProcessEventKind
from models.users.user import User


def _task(session: Session, task_id: int) -> HumanTask:
    row = session.get(HumanTask, task_id, with_for_update=_for_update(session))
    if row is None:
        raise TaskNotAvailable("Задача не найдена")
    return row


def claim(session: Session, task_id: int, user: User, *, now: datetime | None = None):
    row = _task(session, task_id)
    if row.claim(user):
        _record(session, row, ProcessEventKind.claimed, user, now)
    return row


def release(session: Session, task_id: int, user: User, *, now: datetime | None = None):
    row = _task(session, task_id)
    row.release(user)
    _record(session, row, ProcessEventKind.released, user, now)
    return row


def reassign(
    session: Session, task_id: int, user: User, to_user: User, *, now: datetime | None = None
):
    row = _task(session, task_id)
    row.reassign(user, to_user)
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
