"""Inbox queries: plain SQL over `human_task` and `crm_task`, never a workflow deserialized."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from models.crm.history import CrmTask
from models.process.human_task import HumanTask, HumanTaskStatus
from models.users.user import User

TABS = {
    "mine": "Мои",
    "available": "Доступные",
    "overdue": "Просроченные",
    "all": "Все открытые",
}
# Which tasks a row may be: a process's user task or a CRM task (a planned contact).
KINDS = {"process": "Процессы", "crm": "Задачи CRM"}


def tab_query(user: User, tab: str, now: datetime, process: str | None = None) -> Select:
    query = select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
    if tab == "mine":
        query = query.where(HumanTask.assignee_id == user.id)
    elif tab == "available":
        query = query.where(HumanTask.assignee_id.is_(None), HumanTask.in_inbox_of(user))
    elif tab == "overdue":
        query = query.where(HumanTask.in_inbox_of(user), HumanTask.due_at < now)
    else:
        query = query.where(HumanTask.in_inbox_of(user))
    if process:
        query = query.where(HumanTask.process_name == process)
    return query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)


def crm_tab_query(user: User, tab: str, now: datetime) -> Select | None:
    """Open CRM tasks of a tab: mine; overdue and all open also everyone's for a head of sales.
    A CRM task always has an owner, so "available" has none."""
    if tab == "available":
        return None
    query = select(CrmTask).where(CrmTask.done_at.is_(None))
    if tab == "mine" or not user.is_management:
        query = query.where(CrmTask.owner_id == user.id)
    if tab == "overdue":
        query = query.where(CrmTask.due_at < now)
    return query.order_by(CrmTask.due_at.is_(None), CrmTask.due_at, CrmTask.id)


def row_parts(user: User, tab: str, now: datetime, process: str | None, kind: str | None):
    """The (source, query of (id, due_at)) parts of a tab, each ordered like its index."""
    parts = []
    if kind != "crm":
        query = tab_query(user, tab, now, process)
        parts.append(("process", query.with_only_columns(HumanTask.id, HumanTask.due_at)))
    crm = crm_tab_query(user, tab, now) if kind != "process" and not process else None
    if crm is not None:
        parts.append(("crm", crm.with_only_columns(CrmTask.id, CrmTask.due_at)))
    return parts
