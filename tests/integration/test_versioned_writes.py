"""models/versioned_writes.py: versioned rows changed together are written in one statement, each
still conditioned on its version, and the ORM's flush then has nothing left to write for them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm.exc import StaleDataError

from models.db.base import utcnow
from models.db.versioned_writes import write_changed
from models.process.instance import ProcessInstance, ProcessModel, ProcessStatus
from models.users.user import Role
from web.extensions import db


@pytest.fixture
def instances(db_session):
    model = ProcessModel(
        process_id="p", name="P", version=1, bpmn_xml="<x/>", sha256="0" * 64, published_at=utcnow()
    )
    rows = [
        ProcessInstance(
            model=model, process_id="p", status=ProcessStatus.waiting, serialized=f"state {n}"
        )
        for n in range(3)
    ]
    db_session.add_all(rows)
    db_session.commit()
    return rows


@pytest.fixture
def statements(db_session):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE"):
            seen.append((statement, executemany))

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def test_rows_changing_the_same_columns_go_in_one_statement_with_their_versions(
    db_session, instances, statements
):
    later = utcnow() + timedelta(hours=1)
    versions = [row.lock_version for row in instances]
    for n, row in enumerate(instances):
        row.serialized = f"new state {n}"
        row.next_timer_at = later
        row.updated_at = later
    instances[2].status = ProcessStatus.completed  # another set of columns: its own statement

    assert write_changed(db_session, instances) == 3
    assert len(statements) == 2
    db_session.flush()
    assert len(statements) == 2  # the ORM found nothing more to write
    db_session.commit()

    db_session.expire_all()
    stored = db_session.scalars(select(ProcessInstance).order_by(ProcessInstance.id)).all()
    assert [row.serialized for row in stored] == ["new state 0", "new state 1", "new state 2"]
    assert [row.lock_version for row in stored] == [v + 1 for v in versions]
    assert [row.status for row in stored] == [ProcessStatus.waiting] * 2 + [ProcessStatus.completed]
    assert all(row.next_timer_at == later for row in stored)


def test_a_row_changed_behind_the_sessions_back_is_stale_data(db_session, instances):
    table = ProcessInstance.__table__  # Core: the session's objects keep their versions
    db_session.execute(update(table).where(table.c.id == instances[1].id).values(lock_version=5))
    for row in instances:
        row.serialized = "mine"
        row.updated_at = utcnow()
    with pytest.raises(StaleDataError, match="expected to update 3 row"):
        write_changed(db_session, instances)
    db_session.rollback()


def test_what_only_the_orm_can_write_is_left_to_its_flush(
    db_session, instances, statements, make_user
):
    unchanged, new_reference, no_updated_at = instances
    new_reference.started_by = make_user(Role.sales_manager)
    new_reference.serialized = "with a new starter"
    no_updated_at.serialized = "updated_at left to the onupdate default"
    statements.clear()

    assert write_changed(db_session, instances) == 0
    assert statements == []
    db_session.commit()  # the ORM writes both, each with its version and updated_at
    assert len(statements) == 2
    db_session.expire_all()
    assert db_session.get(ProcessInstance, new_reference.id).started_by_id is not None
    assert db_session.get(ProcessInstance, unchanged.id).lock_version == 1


def test_a_savepoint_rolled_back_after_the_write_leaves_the_objects_as_stored(
    db_session, instances
):
    row = instances[0]
    version = row.lock_version
    with pytest.raises(RuntimeError), db_session.begin_nested():
        row.serialized = "written, then undone"
        row.updated_at = utcnow()
        assert write_changed(db_session, [row]) == 1
        raise RuntimeError("a later write of the batch failed")
    db_session.expire(row)  # as the tick does before running the batch again
    assert (row.serialized, row.lock_version) == ("state 0", version)


def test_a_stale_row_is_named_with_its_table_and_the_counts(db_session, instances):
    table = ProcessInstance.__table__
    db_session.execute(update(table).where(table.c.id == instances[1].id).values(lock_version=5))
    for row in instances:
        row.serialized = "mine"
        row.updated_at = utcnow()
    with pytest.raises(StaleDataError) as stale:
        write_changed(db_session, instances)
    assert str(stale.value) == (
        "UPDATE statement on table 'process_instance' expected to update 3 row(s); 2 were matched."
    )
    db_session.rollback()


def test_rows_of_another_or_an_unversioned_mapper_are_refused(db_session, instances, make_user):
    with pytest.raises(ValueError, match="^write_changed takes objects of one versioned mapper$"):
        write_changed(db_session, [instances[0], instances[0].model])
    with pytest.raises(ValueError, match="^write_changed takes objects of one versioned mapper$"):
        write_changed(db_session, [make_user(Role.sales_manager)])


def test_new_and_deleted_rows_are_left_to_the_orm(db_session, instances, statements):
    new = ProcessInstance(
        model=instances[0].model, process_id="p", status=ProcessStatus.waiting, serialized="new"
    )
    db_session.add(new)
    db_session.delete(instances[0])
    statements.clear()

    assert write_changed(db_session, [new, instances[0]]) == 0
    assert statements == []
    db_session.commit()
    assert db_session.get(ProcessInstance, new.id).serialized == "new"
