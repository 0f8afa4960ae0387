"""Merging two cards of one person: everything of both ends up on the kept card.

Phones and emails (without repeats), events, tasks, reservations, queue places, consents,
changes, conflicts, outgoing messages and the processes about the client move to the kept
card — every table that points at `client.id` is moved, so a table added later is not
forgotten. Where both cards hold a different value, the kept one stays and the other waits as
an open conflict. The dropped card keeps its row with `merged_into_id` (old links redirect).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, and_, delete, select, update
from sqlalchemy.orm import Session

from models.clients.card import fields_shared_by
from models.clients.client import Client, ClientChange, ClientEmail, ClientPhone, change_text
from models.db.base import Base, utcnow
from models.db.errors import DomainError
from models.process.instance import ProcessBusinessKey, ProcessInstance
from models.sales.queue import QueueEntry, QueueStatus
from models.users.user import User

OWN_ROWS = {"client", "client_phone", "client_email"}


class MergeRefused(DomainError):
    pass


def can_merge(user: User | None) -> bool:
    """Management merges cards."""
    return user is not None and user.is_management


def merge(
    session: Session, keep: Client, drop: Client, user: User | None, *, now: datetime | None = None
) -> Client:
    """Fold `drop` into `keep`; raises MergeRefused (and writes nothing) when it cannot be."""
    now = now or utcnow()
    if not can_merge(user):
        raise MergeRefused("Объединять карточки может руководитель отдела продаж")
    if keep.id == drop.id:
        raise MergeRefused("Нельзя объединить карточку саму с собой: выберите другую карточку")
    for client in sorted((keep, drop), key=lambda c: c.id):  # one lock order: no deadlock
        session.refresh(client, with_for_update=True)
    if keep.is_merged or drop.is_merged:
        raise MergeRefused("Одна из карточек уже объединена с другой")
    user_id = user.id if user else None
    _fold_fields(keep, drop, user_id, now)
    session.flush()
    _move_contacts(session, keep.id, drop.id)
    _move_queue_places(session, keep.id, drop.id, now)
    for table, column in _client_references():
        session.execute(update(table).where(column == drop.id).values({column.name: keep.id}))
    _move_process_keys(session, keep.id, drop.id)
    session.execute(
        update(Client).where(Client.merged_into_id == drop.id).values(merged_into_id=keep.id)
    )
    drop.merged_into_id = keep.id
    session.add(
        ClientChange(
            client_id=keep.id,
            field="merged",
            new_value=f"№ {drop.id} «{drop.full_name}»",
            source="merge",
            user_id=user_id,
            at=now,
        )
    )
    session.flush()
    session.expire_all()
    return keep


def _fold_fields(keep: Client, drop: Client, user_id: int | None, now: datetime) -> None:
    confirmed = list(keep.confirmed_fields or [])
    for name in fields_shared_by(keep.kind, drop.kind):
        mine, theirs = getattr(keep, name), getattr(drop, name)
        if theirs in (None, "") or change_text(mine) == change_text(theirs):
            continue
        if mine in (None, ""):
            keep.set_field(name, theirs, source="merge", user_id=user_id, at=now)
            if drop.is_confirmed(name) and name not in confirmed:
                confirmed.append(name)
        else:
            keep.flag_conflict(
                name, change_text(theirs), source="merge", current=change_text(mine), at=now
            )
    if confirmed != list(keep.confirmed_fields or []):
        keep.confirmed_fields = confirmed
    if keep.manager_id is None and drop.manager_id is not None:
        keep.set_field("manager_id", drop.manager_id, source="merge", user_id=user_id, at=now)
    _fold_touches(keep, drop)


def _fold_touches(keep: Client, drop: Client) -> None:
    """The earlier first touch and the later last touch of the two."""
    if drop.first_touch_at and (
        not keep.first_touch_at or drop.first_touch_at < keep.first_touch_at
    ):
        keep.first_touch_channel = drop.first_touch_channel
        keep.first_touch_campaign = drop.first_touch_campaign
        keep.first_touch_at = drop.first_touch_at
    if drop.last_touch_at and (not keep.last_touch_at or drop.last_touch_at > keep.last_touch_at):
        keep.last_touch_channel = drop.last_touch_channel
        keep.last_touch_campaign = drop.last_touch_campaign
        keep.last_touch_at = drop.last_touch_at
    if not keep.email and drop.email:
        keep.email = drop.email


def _move_contacts(session: Session, keep_id: int, drop_id: int) -> None:
    for model, column in ((ClientPhone, ClientPhone.phone), (ClientEmail, ClientEmail.email)):
        known = select(column).where(model.client_id == keep_id)
        session.execute(delete(model).where(model.client_id == drop_id, column.in_(known)))
        session.execute(update(model).where(model.client_id == drop_id).values(client_id=keep_id))


def _move_queue_places(session: Session, keep_id: int, drop_id: int, now: datetime) -> None:
    """Both waiting for one premise: the better place stays, the other is closed as removed."""
    waiting = session.scalars(
        select(QueueEntry).where(
            QueueEntry.client_id.in_((keep_id, drop_id)),
            QueueEntry.status == QueueStatus.waiting,
        )
    ).all()
    by_premise: dict[int, list[QueueEntry]] = {}
    for entry in waiting:
        by_premise.setdefault(entry.premise_id, []).append(entry)
    for entries in by_premise.values():
        entries.sort(key=lambda e: (e.position, e.id))
        for extra in entries[1:]:
            extra.drop_as_duplicate(now=now)
    session.flush()


def _client_references() -> list[tuple[Table, object]]:
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in OWN_ROWS:
            continue
        for key in table.foreign_keys:
            if key.column.table.name == "client" and key.column.name == "id":
                found.append((table, key.parent))
    return found


def _move_process_keys(session: Session, keep_id: int, drop_id: int) -> None:
    session.execute(
        update(ProcessBusinessKey)
        .where(
            and_(ProcessBusinessKey.name == "client_id", ProcessBusinessKey.value == str(drop_id))
        )
        .values(value=str(keep_id))
    )
    instances = session.scalars(
        select(ProcessInstance)
        .join(ProcessBusinessKey)
        .where(ProcessBusinessKey.name == "client_id", ProcessBusinessKey.value == str(keep_id))
    ).all()
    for instance in instances:
        keys = dict(instance.business_keys or {})
        if keys.get("client_id") in (drop_id, str(drop_id)):
            keys["client_id"] = keep_id
            instance.business_keys = keys
