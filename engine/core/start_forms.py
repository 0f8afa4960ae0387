"""Processes that begin with a form for the person who starts them (a request: a new price,
a change of terms). The form is shown before anything exists, and the process starts only when
the form is sent and valid, so an abandoned request leaves no task in anyone's inbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import runtime
from engine.core.errors import InstanceStateError
from engine.core.forms import FormField
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance
from models.users.user import User


@dataclass(frozen=True)
class FirstForm:
    """What a process asks of its starter first: the first task's title, details and fields."""

    title: str
    details: str
    fields: list[FormField]


def first_form(
    session: Session,
    process_id: str,
    data: Mapping[str, Any] | None,
    business_keys: Mapping[str, Any] | None,
    user: User,
) -> FirstForm | None:
    """The form the starter would get first, found by running the start in a savepoint that is
    then undone: nothing is kept (a request form shown but never sent leaves no task behind).
    None when the process does not begin with a task for its starter."""
    savepoint = session.begin_nested()
    try:
        instance = runtime.start(session, process_id, data, business_keys, user)
        row = _starters_task(session, instance, user)
        found = (
            FirstForm(row.title, row.details or "", [FormField.from_json(f) for f in row.form])
            if row is not None
            else None
        )
    finally:
        savepoint.rollback()
    return found


def start_with_first_form(
    session: Session,
    process_id: str,
    data: Mapping[str, Any] | None,
    business_keys: Mapping[str, Any] | None,
    user: User,
    values: Mapping[str, Any],
    *,
    title: str | None = None,
    now: datetime | None = None,
) -> ProcessInstance:
    """Start a process and complete its starter's first task with `values` in one step: a
    request is created only once its form is valid (`FormInvalid` otherwise, for the caller's
    edge to roll back)."""
    instance = runtime.start(session, process_id, data, business_keys, user, title=title, now=now)
    row = _starters_task(session, instance, user)
    if row is None:
        raise InstanceStateError("Процесс не начинается с формы для того, кто его запускает")
    runtime.complete(session, row.id, user, values, now=now)
    return instance


def _starters_task(session: Session, instance: ProcessInstance, user: User) -> HumanTask | None:
    """The first open task of the new instance that its starter may complete."""
    rows = session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.open)
        .order_by(HumanTask.id)
    ).all()
    return next((row for row in rows if row.can_act(user)), None)
