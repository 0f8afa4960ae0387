"""History rows written in bulk: append-only lines nothing reads back as objects.

A process event, a line of a reservation's or a premise's history, a system entry of a client's
timeline: every engine step adds a few, and the tick adds five for each reservation it expires.
The ORM's unit of work spends about 170 µs of CPU on each (its identity, the RETURNING of its id,
the relationship bookkeeping); one executemany of Core spends about 50 µs a row.

`add()` puts such a row in the session as before, marked. At the next flush, before the unit of
work runs, the marked rows that are still plain — their parents given by foreign key values, no
relationship set — are inserted by Core, one statement per table and set of columns, and leave
the session: their ids are not read back, nothing uses them. The flush runs whenever it would
have run (autoflush before a query, commit), so a query sees the rows as it did before. A row
whose parent is itself new is left to the unit of work, which knows the order.

This is one of the engine's speed-ups: `write_in_bulk` is switched by `engine.speed.install`
(models never import the engine); off — and until the switch is installed — `add()` is a plain
`session.add()` and the unit of work writes every row.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

_MARK = "_history_row"
_BULK = {"on": False}


def write_in_bulk(enabled: bool) -> None:
    _BULK["on"] = enabled


def add(session: Session, row) -> None:
    """Add an append-only history row, to be written in bulk by the next flush (when on)."""
    if _BULK["on"]:
        row.__dict__[_MARK] = True  # outside the mapped attributes: the ORM ignores it
    session.add(row)


@event.listens_for(Session, "before_flush")
def _write_marked(session: Session, flush_context, instances) -> None:
    groups: dict[tuple, list] = defaultdict(list)
    for row in session.new:
        if not row.__dict__.get(_MARK):
            continue
        state = inspect(row)
        mapper = state.mapper
        if any(relationship.key in state.dict for relationship in mapper.relationships):
            continue  # a parent given as an object: the unit of work fills in the key
        values = {
            prop.columns[0].key: state.dict[prop.key]
            for prop in mapper.column_attrs
            if prop.key in state.dict
        }
        groups[(mapper.local_table, tuple(sorted(values)))].append((row, values))
    for (table, _columns), members in groups.items():
        session.execute(insert(table), [values for _, values in members])
        for row, _ in members:
            session.expunge(row)
