"""Periodic work of sales: the consistency check of held premises."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.jobs import job
from engine.notifications.emit import emit
from engine.sales import consistency
from engine.sales.events import PREMISE_HELD_WITHOUT_PROCESS
from models.users.user import Role, User

# The tick goes round every few seconds; the check reads every held premise, so each worker
# runs it at most this often (by the application's clock).
CHECK_EVERY = timedelta(minutes=5)
_last_check: dict[str, datetime] = {}


@job("held_premises_check", "Найти помещения, занятые без живого процесса брони")
def check_held_premises(session: Session, now: datetime, batch_size: int) -> int:
    """At most every CHECK_EVERY: `record_and_tell`. Returns 0: the check has no rows of its
    own to take, and never makes the tick go round again."""
    last = _last_check.get("at")
    if last is not None and last <= now < last + CHECK_EVERY:
        return 0
    _last_check["at"] = now
    record_and_tell(session, now)
    return 0


def record_and_tell(session: Session, now: datetime) -> None:
    """Record what the check finds; the administrators hear of each premise once. It finds, it
    does not repair: an administrator decides (the process monitor)."""
    new = consistency.record_findings(session, now)
    if not new:
        return
    admins = session.scalars(
        select(User.id).where(User.role == Role.admin, User.is_active.is_(True))
    ).all()
    for item in new:
        emit(
            session,
            PREMISE_HELD_WITHOUT_PROCESS,
            user_ids=admins,
            context={"premise_number": item.premise_number, "reason": item.reason},
            link="/processes/instances#held",
            now=now,
        )
