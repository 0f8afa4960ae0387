"""Where the timeline's entries come from: one reader per source, newest first, with a LIMIT.

Each reader is one indexed query returning plain columns (no ORM objects to load), turned into
`Entry` rows the template shows the same way whatever their source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from models.catalog.objects import Premise
from models.crm.history import (
    DIRECTION_LABELS,
    INTERACTION_LABELS,
    CrmTask,
    Interaction,
    InteractionKind,
)
from models.notifications.outbox import MessageChannel, MessageStatus, OutboundMessage
from models.process.instance import EVENT_LABELS as PROCESS_LABELS
from models.process.instance import ProcessBusinessKey, ProcessEvent, ProcessInstance
from models.sales.reservation import EVENT_LABELS as RESERVATION_LABELS
from models.sales.reservation import Reservation, ReservationEvent
from models.users.user import User
from web.formatting import money, ru_datetime, when_or_value

KIND_LABELS = {
    **{kind.value: label for kind, label in INTERACTION_LABELS.items()},
    "task": "Задача",
    "reservation": "Бронь",
    "process": "Процесс",
    "notification": "Уведомление клиенту",
}
INTERACTION_KINDS = frozenset(k.value for k in InteractionKind)
SOURCES = ("interaction", "task", "reservation", "process", "notification")
RANK = {source: rank for rank, source in enumerate(SOURCES)}
STATUS_TEXT = {
    MessageStatus.pending: "в очереди",
    MessageStatus.sent: "отправлено",
    MessageStatus.failed: "не отправлено",
}


@dataclass(slots=True)
class Entry:
    source: str
    kind: str
    at: datetime
    id: int
    title: str
    body: str = ""
    link: str | None = None
    user: str | None = None
    state: str | None = None  # open / overdue / done · sent / pending / failed

    @property
    def key(self) -> tuple:
        return (self.at, RANK[self.source], self.id)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _name(full_name: str | None, email: str | None) -> str | None:
    return full_name or email


def _interactions(session, client_id, wanted, limit, older, now) -> list[Entry]:
    kinds = wanted & INTERACTION_KINDS
    if not kinds:
        return []
    rows = session.execute(
        select(
            Interaction.id,
            Interaction.kind,
            Interaction.direction,
            Interaction.summary,
            Interaction.body,
            Interaction.at,
            Interaction.link,
            User.full_name,
            User.email,
        )
        .outerjoin(User, User.id == Interaction.user_id)
        .where(Interaction.client_id == client_id, Interaction.kind.in_(sorted(kinds)))
        # A reservation's own history tells the same story in more detail (source "reservation").
        .where(
            or_(
                Interaction.kind != InteractionKind.system,
                Interaction.link.is_(None),
                Interaction.link.not_like("/reservations/%"),
            )
        )
        .where(older(Interaction.at, Interaction.id))
        .order_by(Interaction.at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            "interaction",
            r.kind.value,
            r.at,
            r.id,
            r.summary,
            body=r.body or "",
            link=r.link,
            user=_name(r.full_name, r.email),
            state=DIRECTION_LABELS.get(r.direction or ""),
        )
        for r in rows
    ]


def _tasks(session, client_id, wanted, limit, older, now) -> list[Entry]:
    if "task" not in wanted:
        return []
    rows = session.execute(
        select(
            CrmTask.id,
            CrmTask.title,
            CrmTask.due_at,
            CrmTask.done_at,
            CrmTask.result,
            CrmTask.created_at,
            User.full_name,
            User.email,
        )
        .outerjoin(User, User.id == CrmTask.owner_id)
        .where(CrmTask.client_id == client_id, older(CrmTask.created_at, CrmTask.id))
        .order_by(CrmTask.created_at.desc(), CrmTask.id.desc())
        .limit(limit)
    )
    entries = []
    for r in rows:
        if r.done_at is not None:
            state, body = "done", f"Выполнена {ru_datetime(r.done_at)}: {r.result or ''}"
        else:
            state = "overdue" if now and r.due_at < now else "open"
            body = f"Срок: {ru_datetime(r.due_at)}"
        entries.append(
            Entry(
                "task",
                "task",
                r.created_at,
                r.id,
                r.title,
                body=body,
                link=f"/crm/tasks/{r.id}",
                user=_name(r.full_name, r.email),
                state=state,
            )
        )
    return entries


def _reservations(session, client_id, wanted, limit, older, now) -> list[Entry]:
    if "reservation" not in wanted:
        return []
    rows = session.execute(
        select(
            ReservationEvent.id,
            ReservationEvent.kind,
            ReservationEvent.data,
            ReservationEvent.at,
            Reservation.id.label("reservation_id"),
            Premise.number,
            User.full_name,
            User.email,
        )
        .join(Reservation, Reservation.id == ReservationEvent.reservation_id)
        .join(Premise, Premise.id == Reservation.premise_id)
        .outerjoin(User, User.id == ReservationEvent.user_id)
        .where(Reservation.client_id == client_id)
        .where(older(ReservationEvent.at, ReservationEvent.id))
        .order_by(ReservationEvent.at.desc(), ReservationEvent.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            "reservation",
            "reservation",
            r.at,
            r.id,
            f"{RESERVATION_LABELS.get(r.kind, r.kind)}: помещение № {r.number}",
            body=_reservation_details(r.data or {}),
            link=f"/reservations/{r.reservation_id}",
            user=_name(r.full_name, r.email),
        )
        for r in rows
    ]


def _reservation_details(data: dict) -> str:
    parts = []
    until = data.get("expires_at") or data.get("to")
    if until:
        parts.append(f"до {when_or_value(until)}")
    if data.get("fee"):
        parts.append(f"оплата {money(data['fee'])}")
    if data.get("reason"):
        parts.append(str(data["reason"]))
    return "; ".join(parts)


def _process_steps(session, client_id, wanted, limit, older, now) -> list[Entry]:
    if "process" not in wanted:
        return []
    instances = select(ProcessBusinessKey.instance_id).where(
        ProcessBusinessKey.name == "client_id", ProcessBusinessKey.value == str(client_id)
    )
    rows = session.execute(
        select(
            ProcessEvent.id,
            ProcessEvent.kind,
            ProcessEvent.task_label,
            ProcessEvent.message,
            ProcessEvent.at,
            ProcessInstance.id.label("instance_id"),
            ProcessInstance.title,
            ProcessInstance.process_id,
            User.full_name,
            User.email,
        )
        .join(ProcessInstance, ProcessInstance.id == ProcessEvent.instance_id)
        .outerjoin(User, User.id == ProcessEvent.user_id)
        .where(ProcessEvent.instance_id.in_(instances))
        .where(older(ProcessEvent.at, ProcessEvent.id))
        .order_by(ProcessEvent.at.desc(), ProcessEvent.id.desc())
        .limit(limit)
    )
    entries = []
    for r in rows:
        title = f"{r.title or r.process_id}: {PROCESS_LABELS[r.kind]}"
        if r.task_label:
            title += f" — {r.task_label}"
        entries.append(
            Entry(
                "process",
                "process",
                r.at,
                r.id,
                title,
                body=r.message or "",
                link=f"/processes/instances/{r.instance_id}",
                user=_name(r.full_name, r.email),
            )
        )
    return entries


def _messages(session, client_id, wanted, limit, older, now) -> list[Entry]:
    if "notification" not in wanted:
        return []
    rows = session.execute(
        select(
            OutboundMessage.id,
            OutboundMessage.channel,
            OutboundMessage.to_address,
            OutboundMessage.subject,
            OutboundMessage.body,
            OutboundMessage.status,
            OutboundMessage.created_at,
            OutboundMessage.last_error,
        )
        .where(OutboundMessage.client_id == client_id)
        .where(older(OutboundMessage.created_at, OutboundMessage.id))
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
        .limit(limit)
    )
    entries = []
    for r in rows:
        channel = "Письмо" if r.channel == MessageChannel.email else "SMS"
        text = r.subject or (r.body or "")[:120]
        details = f"{r.to_address} · {STATUS_TEXT.get(r.status, r.status)}"
        if r.status == MessageStatus.failed and r.last_error:
            details += f": {r.last_error}"
        entries.append(
            Entry(
                "notification",
                "notification",
                r.created_at,
                r.id,
                f"{channel} клиенту: {text}",
                body=details,
                state=r.status.value,
            )
        )
    return entries


READERS = (
    ("interaction", _interactions),
    ("task", _tasks),
    ("reservation", _reservations),
    ("process", _process_steps),
    ("notification", _messages),
)
