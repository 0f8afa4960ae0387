"""engine.tick: fire due timers, remind before task deadlines, escalate overdue tasks, and run
the periodic jobs the areas registered (engine/core/jobs.py; e.g. CRM task reminders).

Idempotent: every step looks at rows that are due and not yet handled, so running it twice, or
in two workers at once, does the work once. On PostgreSQL due rows are taken with
`FOR UPDATE SKIP LOCKED`. Each due instance runs in a savepoint of its own (one broken instance
does not stop the others); with the speed switch on they first run as one batch in one savepoint
(engine/speed/batches.py), and one by one only when anything in the batch failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from engine.core import jobs
from engine.core.events import PROCESS_TASK_DUE, PROCESS_TASK_OVERDUE
from engine.core.run import advance, describe, record, script_engine
from engine.core.workflow_io import deserialize
from engine.notifications.catalog import Event
from engine.notifications.emit import emit
from engine.speed import batches
from models.db.base import utcnow
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessEventKind, ProcessInstance, ProcessStatus
from models.users.user import User

log = logging.getLogger(__name__)
DEADLINE_TZ = ZoneInfo("Europe/Moscow")  # a task has no project; sales run on Moscow time


@dataclass
class TickResult:
    timers: int = 0
    reminders: int = 0  # process tasks, and the rows of jobs that remind (CRM tasks)
    escalations: int = 0
    errors: int = 0
    other: int = 0  # rows of jobs that do not remind
    jobs: dict[str, int] = field(default_factory=dict)  # rows each registered job handled

    @property
    def total(self) -> int:
        return self.timers + self.reminders + self.escalations + self.other

    def add(self, other: TickResult) -> None:
        self.timers += other.timers
        self.reminders += other.reminders
        self.escalations += other.escalations
        self.errors += other.errors
        self.other += other.other
        for name, count in other.jobs.items():
            self.jobs[name] = self.jobs.get(name, 0) + count


def tick(session: Session, *, now: datetime | None = None, batch_size: int = 200) -> TickResult:
    """One batch of due work; the caller commits and calls again while `total` is non-zero."""
    now = now or utcnow()
    result = TickResult()
    _fire_timers(session, now, batch_size, result)
    _remind(session, now, batch_size, result)
    _escalate(session, now, batch_size, result)
    _run_jobs(session, now, batch_size, result)
    return result


def run_until_idle(
    session: Session, *, now: datetime | None = None, batch_size: int = 200, max_rounds: int = 1000
) -> TickResult:
    """Tick in batches, committing after each, until a batch finds less than a full load."""
    total = TickResult()
    for _ in range(max_rounds):
        result = tick(session, now=now, batch_size=batch_size)
        session.commit()
        total.add(result)
        counts = [result.timers + result.errors, result.reminders, result.escalations]
        if max(counts + list(result.jobs.values())) < batch_size:
            break
    return total


_due = jobs.due


def _fire_timers(session: Session, now: datetime, batch_size: int, result: TickResult) -> None:
    instances = _due(
        session,
        select(ProcessInstance)
        .options(undefer(ProcessInstance.serialized))
        .where(ProcessInstance.status == ProcessStatus.waiting)
        .where(ProcessInstance.next_timer_at <= now)
        .order_by(ProcessInstance.next_timer_at),
        batch_size,
    )
    if not instances:
        return

    def fire(instance: ProcessInstance, **how) -> None:
        _fire(session, instance, now, **how)

    def broken(instance: ProcessInstance, error: Exception) -> None:
        log.exception("tick: instance %s", instance.id)
        session.refresh(instance)
        instance.status = ProcessStatus.error
        instance.error_message = describe(error)
        instance.next_timer_at = None
        record(session, instance, ProcessEventKind.error, message=describe(error), now=now)
        result.errors += 1

    result.timers += batches.fire_all(session, instances, fire, broken)  # as a batch, if on


def _fire(
    session: Session, instance: ProcessInstance, now: datetime, *, guarded: bool, flush: bool
) -> None:
    workflow = deserialize(instance.serialized, session)
    workflow.script_engine = script_engine(session, instance, None)
    workflow.refresh_timers()  # due timers become ready; advance then runs them
    record(session, instance, ProcessEventKind.timer_fired, now=now)
    advance(session, instance, workflow, user=None, now=now, guarded=guarded, flush=flush)


def _remind(session: Session, now: datetime, batch_size: int, result: TickResult) -> None:
    tasks = _due(
        session,
        select(HumanTask)
        .where(HumanTask.status == HumanTaskStatus.open)
        .where(HumanTask.remind_at <= now, HumanTask.reminded_at.is_(None))
        .order_by(HumanTask.remind_at),
        batch_size,
    )
    for task in tasks:
        task.reminded_at = now
        _tell(session, PROCESS_TASK_DUE, task, _recipients(session, task, [task.role]), now)
        record(
            session,
            task.instance,
            ProcessEventKind.reminded,
            task_name=task.task_name,
            task_label=task.task_label,
            now=now,
        )
        result.reminders += 1


def _escalate(session: Session, now: datetime, batch_size: int, result: TickResult) -> None:
    tasks = _due(
        session,
        select(HumanTask)
        .where(HumanTask.status == HumanTaskStatus.open)
        .where(HumanTask.due_at <= now, HumanTask.escalated_at.is_(None))
        .order_by(HumanTask.due_at),
        batch_size,
    )
    for task in tasks:
        task.escalated_at = now
        task.reminded_at = task.reminded_at or now
        roles = [task.escalation_role] if task.escalation_role else []
        recipients = _recipients(session, task, roles, everyone=True)
        _tell(session, PROCESS_TASK_OVERDUE, task, recipients, now)
        record(
            session,
            task.instance,
            ProcessEventKind.escalated,
            task_name=task.task_name,
            task_label=task.task_label,
            data={"to_role": str(task.escalation_role)},
            now=now,
        )
        result.escalations += 1


def _run_jobs(session: Session, now: datetime, batch_size: int, result: TickResult) -> None:
    """Every job the areas registered, one batch each."""
    for job in jobs.registered().values():
        done = job.func(session, now, batch_size)
        result.jobs[job.name] = result.jobs.get(job.name, 0) + done
        if job.reminders:
            result.reminders += done
        else:
            result.other += done


def _recipients(session, task: HumanTask, roles, everyone=False) -> list[int]:
    """The assignee if there is one (and, for escalations, every user of `roles`)."""
    recipients = [task.assignee_id] if task.assignee_id is not None else []
    if everyone or task.assignee_id is None:
        recipients += session.scalars(
            select(User.id).where(User.role.in_(roles), User.is_active.is_(True))
        ).all()
    return recipients


def _tell(session, event: Event, task: HumanTask, user_ids: list[int], now: datetime) -> None:
    due = task.due_at.astimezone(DEADLINE_TZ).strftime("%d.%m.%Y %H:%M") if task.due_at else "—"
    emit(
        session,
        event,
        client_id=None,
        user_ids=user_ids,
        context={"title": task.title, "process": task.process_name, "due_at_text": due},
        link=f"/inbox/tasks/{task.id}",
        now=now,
    )


__all__ = ["TickResult", "run_until_idle", "tick"]
