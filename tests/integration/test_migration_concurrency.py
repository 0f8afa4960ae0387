"""Moving an instance waits for its row lock and checks it again (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.authoring import migration
from engine.core import runtime
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance, ProcessModel
from models.users.user import Role, User
from tests.factories import process
from tests.time_support import lock_waits, wait_until
from web.extensions import db


@pytest.fixture(autouse=True)
def _postgres_only(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("нужен PostgreSQL: задайте TEST_DATABASE_URL (в CI задан)")


def test_an_instance_advanced_while_the_move_waited_is_checked_again(app, db_session, make_user):
    manager_id = make_user(Role.sales_manager).id
    analyst_id = make_user(Role.analyst).id
    process.published(db_session, "migration_v1")
    instance_id = runtime.start(
        db_session, "migration_demo", user=db_session.get(User, manager_id)
    ).id
    target = process.published(db_session, "migration_v2")
    db_session.commit()
    [candidate] = migration.preview(db_session, target)
    assert candidate.movable  # before the manager completes the task
    target_id = target.id
    db_session.rollback()

    worker = Session(db.engine)
    runtime.lock(worker, instance_id)  # the manager's request holds the row
    outcome = {}

    def move() -> None:
        with app.app_context():
            try:
                outcome["result"] = migration.move(
                    db.session,
                    db.session.get(ProcessModel, target_id),
                    [instance_id],
                    db.session.get(User, analyst_id),
                )
                db.session.commit()
            finally:
                db.session.remove()

    mover = threading.Thread(target=move)
    mover.start()
    wait_until(lambda: lock_waits(db.engine) == 1, failure=lambda: "the move never waited")
    assert mover.is_alive()  # waiting for the lock
    task = worker.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status == HumanTaskStatus.open
        )
    ).one()
    runtime.complete(worker, task.id, worker.get(User, manager_id), {"note": "готово"})
    worker.commit()
    worker.close()
    mover.join(30)

    result = outcome["result"]
    assert result.moved == []
    [(skipped, reason)] = result.skipped
    assert skipped == instance_id and "«Заполнить заявку» уже выполнен" in reason
    db_session.expire_all()
    assert db_session.get(ProcessInstance, instance_id).model.version == 1
