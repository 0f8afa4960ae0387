"""models/history_rows.py: append-only history lines of known parents are written by one Core
INSERT per table at the flush, and leave the session; the rest is written as before."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from engine import speed
from engine.core.run import record
from models.catalog.objects import PremiseChange, PremiseStatus
from models.db.base import utcnow
from models.process.instance import (
    ProcessEvent,
    ProcessEventKind,
    ProcessInstance,
    ProcessModel,
    ProcessStatus,
)
from web.extensions import db


@pytest.fixture
def statements(db_session):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            seen.append((" ".join(statement.split()), executemany))

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def instance(db_session):
    model = ProcessModel(
        process_id="p", name="P", version=1, bpmn_xml="<x/>", sha256="0" * 64, published_at=utcnow()
    )
    row = ProcessInstance(model=model, process_id="p", status=ProcessStatus.waiting, serialized="")
    db_session.add(row)
    db_session.commit()
    return row


def _into(table: str, seen) -> list:
    return [(sql, many) for sql, many in seen if sql.startswith(f"INSERT INTO {table} ")]


def test_lines_of_known_parents_go_in_one_insert_and_leave_the_session(
    db_session, instance, statements, make_building, make_premise
):
    premise = make_premise(make_building())
    assert premise.status == PremiseStatus.available  # loaded now: no autoflush below
    statements.clear()
    for _ in range(4):
        record(db_session, instance, ProcessEventKind.reminded, now=utcnow())
    premise.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    lines = [row for row in db_session.new if isinstance(row, ProcessEvent | PremiseChange)]
    assert len(lines) == 5

    db_session.flush()
    [(sql, executemany)] = _into("process_event", statements)
    assert executemany and "RETURNING" not in sql  # one statement, no ids read back
    assert len(_into("premise_change", statements)) == 1
    assert not any(row in db_session for row in lines)
    db_session.commit()

    stored = db_session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id == instance.id))
    assert [(e.kind, e.data, e.message) for e in stored] == [
        (ProcessEventKind.reminded, {}, "")
    ] * 4
    change = db_session.scalars(select(PremiseChange).where(PremiseChange.premise_id == premise.id))
    assert [(c.field, c.old_value, c.new_value, c.source) for c in change] == [
        ("status", "available", "reserved", "test")
    ]


def test_a_history_already_loaded_receives_its_line_through_the_orm(
    db_session, make_building, make_premise
):
    premise = make_premise(make_building())
    assert premise.changes == []  # loaded
    premise.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    [line] = premise.changes
    db_session.commit()
    assert line in db_session  # written by the unit of work, which read its id back
    assert line.id is not None and line.premise_id == premise.id


def test_a_line_of_a_parent_written_in_the_same_flush_follows_it(db_session, make_building):
    from models.catalog.objects import Premise, PremiseKind

    building = make_building()
    premise = Premise(
        building=building,
        floor=building.ensure_section(1).ensure_floor(1),
        number="99",
        kind=PremiseKind.apartment,
        rooms=1,
        total_area=30,
        price=1000000,
        status=PremiseStatus.available,
    )
    db_session.add(premise)
    premise.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    db_session.commit()
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(PremiseChange)
            .where(PremiseChange.premise_id == premise.id)
        )
        == 1
    )


def test_a_rollback_before_the_flush_writes_no_line(db_session, instance):
    record(db_session, instance, ProcessEventKind.reminded, now=utcnow())
    db_session.rollback()
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(ProcessEvent)) == 0


def test_with_the_speed_switch_off_every_line_is_written_by_the_unit_of_work(
    db_session, instance, statements
):
    speed.install(False)
    try:
        statements.clear()
        for _ in range(2):
            record(db_session, instance, ProcessEventKind.reminded, now=utcnow())
        lines = [row for row in db_session.new if isinstance(row, ProcessEvent)]
        db_session.flush()
    finally:
        speed.install(True)
    assert len(_into("process_event", statements)) >= 1
    assert all(row in db_session and row.id is not None for row in lines)  # ids read back
    db_session.commit()
    stored = db_session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id == instance.id))
    assert [e.kind for e in stored] == [ProcessEventKind.reminded] * 2
