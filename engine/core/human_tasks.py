"""Copying ready user tasks out of a workflow into the `human_task` index."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import role_of_lane
from engine.core.events import APPROVAL_REQUESTED
from engine.core.workflow_io import parse_duration, ready_user_tasks
from engine.notifications.emit import emit
from models.db.numbers import money_text
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance
from models.users.user import Role, User

# On expiry a task is escalated to the manager of its lane's role (unless `escalate_to` is set).
MANAGER_OF: dict[Role, Role] = {
    Role.sales_manager: Role.head_of_sales,
    Role.mortgage_broker: Role.head_of_sales,
    Role.marketer: Role.head_of_sales,
    Role.lawyer: Role.head_of_sales,
    Role.analyst: Role.admin,
    Role.head_of_sales: Role.admin,
    Role.admin: Role.admin,
}
MAX_REMINDER_LEAD = timedelta(hours=12)
# `{name}`, or `{name.key}` for a key of a dict in the data (a service task's result).
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?\}")


def sync(
    session: Session,
    instance: ProcessInstance,
    workflow,
    evaluate,
    now: datetime,
    *,
    has_rows: bool = True,
) -> None:
    """Open rows for newly ready user tasks; cancel rows whose task is no longer ready.

    `has_rows=False`: the caller knows the instance has no open rows (it was just started, or
    had no ready user task when last saved), so they are not read."""
    ready = {str(task.id): task for task in ready_user_tasks(workflow)}
    open_rows = []
    if has_rows:
        open_rows = session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.open
            )
        ).all()
    for row in open_rows:
        if row.task_guid not in ready:
            row.status = HumanTaskStatus.cancelled
    known = {row.task_guid for row in open_rows}
    for guid, task in ready.items():
        if guid not in known:
            row = new_row(instance, task, evaluate, now)
            session.add(row)
            if row.is_approval:
                _ask_for_decision(session, instance, row, now)


def _ask_for_decision(session: Session, instance: ProcessInstance, row: HumanTask, now) -> None:
    """Everyone who may decide hears of it (the assignee alone, when there is one)."""
    session.flush()
    if row.assignee_id is not None:
        deciders = [row.assignee_id]
    else:
        deciders = session.scalars(
            select(User.id).where(
                User.role == row.role,
                User.is_active.is_(True),
                User.id != (instance.started_by_id or 0),  # not the one who asked
            )
        ).all()
    emit(
        session,
        APPROVAL_REQUESTED,
        user_ids=deciders,
        context={"title": row.title, "process": instance.model.name},
        link=f"/inbox/tasks/{row.id}",
        now=now,
    )


def new_row(instance: ProcessInstance, task, evaluate, now: datetime) -> HumanTask:
    spec = task.task_spec
    properties = spec.extensions.get("properties", {})
    role = role_of_lane(spec.lane) or Role.admin
    escalation_role = role_of_lane(properties.get("escalate_to")) or MANAGER_OF[role]
    is_approval = properties.get("approval", "").lower() == "true"
    starter = instance.started_by
    if is_approval and starter is not None and starter.role == role:
        # Nobody approves their own request: one of the lane's role asked, so their own
        # manager decides (a head of sales' request: the admin). HumanTask.can_act refuses
        # the requester in any case.
        role = MANAGER_OF[role]
        escalation_role = MANAGER_OF[role]
    label = spec.bpmn_name or spec.bpmn_id
    due_at = _due_at(properties.get("deadline"), task, evaluate, now)
    row = HumanTask(
        instance_id=instance.id,
        task_guid=str(task.id),
        task_name=spec.bpmn_id,
        task_label=label,
        process_name=instance.model.name,
        title=render_title(properties.get("title"), task.data) or label,
        # what the person needs to decide, from the process (its numbers, the request's reasons)
        details=render_title(properties.get("details"), task.data, DETAILS_LIMIT) or None,
        role=role,
        escalation_role=escalation_role,
        assignee_id=_assignee(
            instance, role, properties.get("assignee"), task, evaluate, approval=is_approval
        ),
        form=spec.extensions.get("form", []),
        template=properties.get("template") or None,
        is_approval=is_approval,
        links=dict(instance.business_keys or {}),
        created_at=now,
        due_at=due_at,
    )
    if due_at is not None:
        lead = properties.get("remind_before")
        row.remind_at = due_at - (
            _safe_duration(lead) or min((due_at - now) / 4, MAX_REMINDER_LEAD)
        )
    return row


def _assignee(
    instance: ProcessInstance, role: Role, expression, task, evaluate, *, approval: bool
) -> int | None:
    """The `assignee` property (an expression giving a user id) decides; otherwise a task in
    the starter's own lane goes back to the starter (never an approval: that is their own
    request); others wait to be claimed."""
    if expression:
        value = evaluate(task, expression)
        return int(value) if value not in (None, "") else None
    starter = instance.started_by
    if approval:
        return None
    if starter is not None and starter.role == role and starter.is_active:
        return starter.id
    return None


def _due_at(deadline: str | None, task, evaluate, now: datetime) -> datetime | None:
    """A deadline is an ISO-8601 duration (`PT4H`) or an expression giving one or a datetime."""
    if not deadline:
        return None
    duration = _safe_duration(deadline)
    if duration is not None:
        return now + duration
    value = evaluate(task, deadline)
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        duration = _safe_duration(value)
        if duration is not None:
            return now + duration
        return datetime.fromisoformat(value)
    if isinstance(value, timedelta):
        return now + value
    raise ValueError(f"Срок «{deadline}» не является длительностью или датой")


def _safe_duration(text: str | None) -> timedelta | None:
    if not text:
        return None
    try:
        return parse_duration(text)
    except ValueError:
        return None


DETAILS_LIMIT = 2000


def render_title(template: str | None, data: dict, limit: int = 300) -> str:
    """Fill `{name}` and `{name.key}` placeholders from task data (a dict's key, never an
    attribute); no format mini-language."""
    if not template:
        return ""

    def value(match: re.Match) -> str:
        raw = data.get(match.group(1))
        if match.group(2) is not None:
            raw = raw.get(match.group(2)) if isinstance(raw, dict) else None
        if raw is None:
            return "—"
        return _pretty(raw)

    return _PLACEHOLDER.sub(value, template)[:limit]


def _pretty(raw) -> str:
    if isinstance(raw, str) and re.fullmatch(r"-?\d+\.\d{2}", raw):
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            return raw
        return money_text(amount)
    return str(raw)
