"""One page of the mixed inbox: ids from the union query, then the rows of each kind."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from models.crm.history import CrmTask
from models.process.human_task import HumanTask
from models.users.user import User
from web.inbox.queries import crm_tab_query, tab_query

COUNT_CAP = 1000
MAX_DUE = datetime.max.replace(tzinfo=UTC)


@dataclass
class Row:
    source: str  # process / crm
    task: HumanTask | CrmTask


@dataclass
class Page:
    """The part of flask_sqlalchemy's Pagination the template uses."""

    number: int
    per_page: int
    total: int
    items: list[Row] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.number

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def prev_num(self) -> int:
        return self.number - 1

    @property
    def next_num(self) -> int:
        return self.number + 1


def load_rows(session: Session, parts: list[tuple[str, object]], page: Page) -> list[Row]:
    """One page of the mixed list. Each kind is read in index order with a LIMIT and the two
    are merged here, so a page costs the same with 100 or 100,000 open tasks."""
    wanted = page.number * page.per_page
    keys = []
    for source, query in parts:
        for task_id, due_at in session.execute(query.limit(wanted)):
            keys.append((due_at is None, due_at or MAX_DUE, source, task_id))
    keys = heapq.nsmallest(wanted, keys)[(page.number - 1) * page.per_page :]
    ids = {source: [k[3] for k in keys if k[2] == source] for source in ("process", "crm")}
    found = {
        ("process", t.id): t
        for t in session.scalars(
            select(HumanTask)
            .where(HumanTask.id.in_(ids["process"]))
            .options(joinedload(HumanTask.assignee))
        )
    }
    found |= {
        ("crm", t.id): t
        for t in session.scalars(
            select(CrmTask)
            .where(CrmTask.id.in_(ids["crm"]))
            .options(joinedload(CrmTask.owner), joinedload(CrmTask.client))
        )
    }
    return [Row(k[2], found[(k[2], k[3])]) for k in keys if (k[2], k[3]) in found]


def counts_of(session: Session, user: User, tabs, now: datetime) -> dict[str, int]:
    """Per tab: process tasks plus CRM tasks, counted up to COUNT_CAP (shown as «999+»)."""
    counts = {}
    for name in tabs:
        total = capped_count(session, tab_query(user, name, now))
        crm = crm_tab_query(user, name, now)
        counts[name] = min(
            total + (capped_count(session, crm) if crm is not None else 0), COUNT_CAP
        )
    return counts


def capped_count(session: Session, query) -> int:
    """An exact count of 100,000 visible rows costs more than the page itself; past the cap
    the number is not worth reading."""
    return session.scalar(capped_count_statement(query))


def capped_count_statement(query):
    limited = query.with_only_columns(query.selected_columns[0]).order_by(None).limit(COUNT_CAP)
    return select(func.count()).select_from(limited.subquery())
