"""The client's timeline: every source read newest first with a LIMIT, merged in Python.

Sources: interactions (calls, meetings… and system events), CRM tasks, reservation events,
steps of the processes whose business key is the client, messages sent to the client. Each is
one indexed query of at most `limit + 1` rows, so a card costs the same with 20 or 20,000
entries. Paging is a keyset cursor (time, source, id): "показать ещё" continues after the last
entry shown, without offsets and without losing entries that share a timestamp.

Documents are not on the timeline yet: there is no documents model.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session, joinedload

from models.crm.history import CrmTask
from web.crm.timeline_sources import KIND_LABELS, RANK, READERS, Entry

__all__ = ["FILTER_LABELS", "KIND_LABELS", "Entry", "Timeline", "build", "open_tasks"]
MAX_LIMIT = 500
# The kinds a reader may filter by (query argument `tl`, repeated).
FILTER_LABELS = {
    "call": "Звонки",
    "meeting": "Встречи",
    "visit": "Визиты",
    "email": "Письма",
    "message": "Сообщения",
    "system": "События системы",
    "task": "Задачи",
    "reservation": "Брони",
    "process": "Процессы",
    "notification": "Уведомления",
}


@dataclass
class Timeline:
    entries: list[Entry]
    kinds: list[str]  # the filter; empty means everything
    has_more: bool = False
    cursor: str | None = None
    open_tasks: list[CrmTask] = field(default_factory=list)
    now: datetime | None = None


def build(
    session: Session,
    client_id: int,
    kinds=None,
    limit: int = 200,
    before: str | None = None,
    now: datetime | None = None,
) -> Timeline:
    chosen = [k for k in dict.fromkeys(kinds or []) if k in FILTER_LABELS]
    wanted = set(chosen or FILTER_LABELS)
    limit = max(1, min(int(limit or 200), MAX_LIMIT))
    cursor = parse_cursor(before)
    streams = [
        read(session, client_id, wanted, limit + 1, _older_than(cursor, source), now)
        for source, read in READERS
    ]
    merged = list(islice(heapq.merge(*streams, key=lambda e: e.key, reverse=True), limit + 1))
    shown = merged[:limit]
    return Timeline(
        entries=shown,
        kinds=chosen,
        has_more=len(merged) > limit,
        cursor=format_cursor(shown[-1]) if len(merged) > limit else None,
        open_tasks=open_tasks(session, client_id) if cursor is None else [],
        now=now,
    )


def open_tasks(session: Session, client_id: int) -> list[CrmTask]:
    return list(
        session.scalars(
            select(CrmTask)
            .where(CrmTask.client_id == client_id, CrmTask.done_at.is_(None))
            .options(joinedload(CrmTask.owner))
            .order_by(CrmTask.due_at, CrmTask.id)
            .limit(50)
        )
    )


def format_cursor(entry: Entry) -> str:
    return f"{entry.at.isoformat()}|{RANK[entry.source]}|{entry.id}"


def parse_cursor(text: str | None) -> tuple[datetime, int, int] | None:
    try:
        at, rank, ident = (text or "").split("|")
        moment = datetime.fromisoformat(at)
        return (moment, int(rank), int(ident)) if moment.tzinfo else None
    except ValueError:
        return None


def _older_than(cursor, source: str):
    """Rows of `source` that come after the cursor in (time, source, id) descending order."""

    def condition(at_column, id_column):
        if cursor is None:
            return true()
        at, rank, ident = cursor
        if RANK[source] < rank:
            return at_column <= at
        if RANK[source] > rank:
            return at_column < at
        return or_(at_column < at, and_(at_column == at, id_column < ident))

    return condition
