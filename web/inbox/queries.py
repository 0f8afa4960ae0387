"""Inbox queries: plain SQL over `human_task`, never a workflow deserialized."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, or_, select

from models.process import HumanTask, HumanTaskStatus
from models.user import Role, User

TABS = {
    "mine": "Мои",
    "available": "Доступные",
    "overdue": "Просроченные",
    "all": "Все открытые",
}


def visible_to(user: User):
    """Open tasks the user may see: theirs, their role's, and escalated ones for managers."""
    if user.role == Role.admin:
        return HumanTask.status == HumanTaskStatus.open
    return and_(
        HumanTask.status == HumanTaskStatus.open,
        or_(
            HumanTask.assignee_id == user.id,
            HumanTask.role == user.role,
            and_(HumanTask.escalated_at.is_not(None), HumanTask.escalation_role == user.role),
        ),
    )


def tab_query(user: User, tab: str, now: datetime, process: str | None = None) -> Select:
    query = select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
    if tab == "mine":
        query = query.where(HumanTask.assignee_id == user.id)
    elif tab == "available":
        query = query.where(HumanTask.assignee_id.is_(None), visible_to(user))
    elif tab == "overdue":
        query = query.where(visible_to(user), HumanTask.due_at < now)
    else:
        query = query.where(visible_to(user))
    if process:
        query = query.where(HumanTask.process_name == process)
    return query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)


def can_see_all(user: User) -> bool:
    return user.role in (Role.admin, Role.head_of_sales)
