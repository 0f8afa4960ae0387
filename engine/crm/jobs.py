"""Periodic work of the CRM: remind owners of their tasks (planned contacts) before the due time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.core.jobs import due, job
from engine.crm import use_cases as crm


@job("crm_task_reminders", "Напомнить о задачах по клиентам до их срока", reminders=True)
def remind_of_tasks(session: Session, now: datetime, batch_size: int) -> int:
    """Open CRM tasks whose due time minus the lead has come: the owner hears of it once."""
    tasks = due(session, crm.tasks_to_remind(now, crm.reminder_lead(session)), batch_size)
    for task in tasks:
        crm.remind(session, task, now)
    return len(tasks)
