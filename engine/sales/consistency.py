"""The consistency check: no premise is held (reserved, paid reservation) without a live
reservation process behind it.

A reservation's process owns its premise: it expires it, hands it to the queue, records its
payment. A premise held by a reservation whose process is in `error`, cancelled or gone would
stay held forever. The check finds such premises; the periodic job (engine/sales/jobs.py)
records what it finds and tells the administrators once; the process monitor lists them, and
`release` lets an administrator give such a premise back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, and_, cast, delete, select
from sqlalchemy.orm import Session, aliased

from engine.core.actions import ActionContext
from engine.core.run import run_followups
from engine.sales.actions import RESERVATION_PROCESS
from engine.sales.compensations import give_back, hand_on
from models.catalog.objects import STATUS_LABELS, Premise, PremiseStatus
from models.db.base import utcnow
from models.db.errors import DomainError, NotFound
from models.process.instance import (
    PROCESS_STATUS_LABELS,
    ProcessBusinessKey,
    ProcessInstance,
    ProcessStatus,
)
from models.sales.consistency import HeldPremiseFinding
from models.sales.reservation import Reservation, ReservationStatus

HELD = (PremiseStatus.reserved, PremiseStatus.paid_reservation)
LIVE = (ProcessStatus.running, ProcessStatus.waiting)


@dataclass(frozen=True)
class HeldWithoutProcess:
    premise_id: int
    premise_number: str
    premise_status: str  # its label
    reservation_id: int | None
    instance_id: int | None  # the reservation's latest process, if any
    reason: str


def held_without_process(session: Session, limit: int = 500) -> list[HeldWithoutProcess]:
    """Held premises with no active reservation, or whose active reservation has no live
    process: at most `limit`, by premise id."""
    key = aliased(ProcessBusinessKey)
    live = (
        select(ProcessInstance.id)
        .join(key, key.instance_id == ProcessInstance.id)
        .where(
            ProcessInstance.process_id == RESERVATION_PROCESS,
            ProcessInstance.status.in_(LIVE),
            key.name == "reservation_id",
            key.value == cast(Reservation.id, String),
        )
        .exists()
    )
    rows = session.execute(
        select(Premise.id, Premise.number, Premise.status, Reservation.id)
        .outerjoin(
            Reservation,
            and_(
                Reservation.premise_id == Premise.id,
                Reservation.status == ReservationStatus.active,
            ),
        )
        .where(Premise.status.in_(HELD), (Reservation.id.is_(None)) | ~live)
        .order_by(Premise.id)
        .limit(limit)
    ).all()
    return [
        _explain(session, premise_id, number, status, reservation_id)
        for premise_id, number, status, reservation_id in rows
    ]


def _explain(session, premise_id, number, status, reservation_id) -> HeldWithoutProcess:
    instance = None
    if reservation_id is not None:
        instance = session.scalars(
            select(ProcessInstance)
            .join(ProcessBusinessKey)
            .where(
                ProcessInstance.process_id == RESERVATION_PROCESS,
                ProcessBusinessKey.name == "reservation_id",
                ProcessBusinessKey.value == str(reservation_id),
            )
            .order_by(ProcessInstance.id.desc())
            .limit(1)
        ).first()
    if reservation_id is None:
        reason = "нет действующей брони"
    elif instance is None:
        reason = "у брони нет процесса"
    else:
        reason = f"процесс брони: «{PROCESS_STATUS_LABELS[instance.status]}»"
        if instance.status == ProcessStatus.error and instance.error_message:
            reason += f" — {instance.error_message.strip()}"
    return HeldWithoutProcess(
        premise_id,
        number,
        STATUS_LABELS[status],
        reservation_id,
        instance.id if instance else None,
        reason[:300],
    )


def record_findings(session: Session, now: datetime) -> list[HeldWithoutProcess]:
    """Keep what the check finds now: new findings are added (and returned, to be told once),
    findings no longer true are deleted."""
    found = held_without_process(session)
    known = set(session.scalars(select(HeldPremiseFinding.premise_id)))
    current = {item.premise_id for item in found}
    if known - current:
        session.execute(
            delete(HeldPremiseFinding).where(HeldPremiseFinding.premise_id.in_(known - current))
        )
    new = [item for item in found if item.premise_id not in known]
    session.add_all(
        HeldPremiseFinding(premise_id=item.premise_id, reason=item.reason, found_at=now)
        for item in new
    )
    session.flush()
    return new


def release(session: Session, premise_id: int, user, reason: str) -> str:
    """An administrator gives back a premise the check found: its active reservation (if any)
    is cancelled, the premise is free or goes to the first client in the queue. Refused when
    the premise is consistent (held by a live process, or not held)."""
    if not reason.strip():
        raise DomainError("Укажите причину", field="reason")
    if not any(item.premise_id == premise_id for item in held_without_process(session)):
        premise = session.get(Premise, premise_id)
        if premise is None:
            raise NotFound("Помещение не найдено")
        raise DomainError(
            f"Помещение № {premise.number} не нужно освобождать: "
            "оно свободно или его держит живой процесс"
        )
    ctx = ActionContext(session, None, user.id)
    why = f"Освобождено администратором: {reason.strip()}"
    reservation_id = session.scalar(
        select(Reservation.id).where(
            Reservation.premise_id == premise_id, Reservation.status == ReservationStatus.active
        )
    )
    if reservation_id is not None:
        done = give_back(ctx, reservation_id, why)
    else:
        premise = session.get(Premise, premise_id, with_for_update=True)
        premise.change_status(PremiseStatus.available, by_user_id=user.id, source="consistency")
        done = "Помещение освобождено, " + hand_on(ctx, premise_id)
    run_followups(session, ctx.followups, user, utcnow())
    session.execute(delete(HeldPremiseFinding).where(HeldPremiseFinding.premise_id == premise_id))
    session.flush()
    return done
