"""One page of the mixed inbox: ids from the union query, then the rows of each kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from models.crm import CrmTask
from models.process import HumanTask
from models.user import User
from web.inbox.queries import crm_tab_query, tab_query


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


def load_rows(session: Session, rows, page: Page) -> list[Row]:
    keys = session.execute(
        select(rows.c.source, rows.c.id)
        .order_by(rows.c.due_at.is_(None), rows.c.due_at, rows.c.source, rows.c.id)
        .limit(page.per_page)
        .offset((page.number - 1) * page.per_page)
    ).all()
    wanted = {source: [k.id for k in keys if k.source == source] for source in ("process", "crm")}
    found = {
        ("process", t.id): t
        for t in session.scalars(
            select(HumanTask)
            .where(HumanTask.id.in_(wanted["process"]))
            .options(joinedload(HumanTask.assignee))
        )
    }
    found |= {
        ("crm", t.id): t
        for t in session.scalars(
            select(CrmTask)
            .where(CrmTask.id.in_(wanted["crm"]))
            .options(joinedload(CrmTask.owner), joinedload(CrmTask.client))
        )
    }
    return [Row(k.source, found[(k.source, k.id)]) for k in keys if (k.source, k.id) in found]


def counts_of(session: Session, user: User, tabs, now: datetime) -> dict[str, int]:
    """Per tab: process tasks plus CRM tasks."""
    counts = {}
    for name in tabs:
        total = _count(session, tab_query(user, name, now))
        crm = crm_tab_query(user, name, now)
        counts[name] = total + (_count(session, crm) if crm is not None else 0)
    return counts


def _count(session: Session, query) -> int:
    return session.scalar(query.with_only_columns(func.count()).order_by(None))
