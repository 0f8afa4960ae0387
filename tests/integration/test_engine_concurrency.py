"""Two workers never advance one instance at once (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.core import runtime
from engine.core.tick import run_until_idle
from models.db.base import utcnow
from models.process.human_task import HumanTask, HumanTaskStatus, TaskNotAvailable
from models.process.instance import ProcessEvent, ProcessEventKind
from models.users.user import Role, User
from web.extensions import db


@pytest.fixture(autouse=True)
def _postgres_only(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("нужен PostgreSQL: задайте TEST_DATABASE_URL (в CI задан)")


def _run_in_threads(app, work, count: int = 2) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[index] = work()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_heads_approving_at_once_apply_the_price_once(
    app, db_session, make_building, make_premise, make_user
):
    premise = make_premise(make_building(), price="10000000.00")
    manager = make_user(Role.sales_manager)
    head_ids = [make_user(Role.head_of_sales, email=f"h{i}@test.local").id for i in range(2)]
    runtime.start(
        db_session,
        "price_change",
        data={"premise_number": premise.number, "current_price": "10000000.00"},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    [propose] = db_session.scalars(select(HumanTask)).all()
    runtime.complete(db_session, propose.id, manager, {"new_price": "8000000", "reason": "x"})
    db_session.commit()
    approval_id = db_session.scalar(
        select(HumanTask.id).where(HumanTask.status == HumanTaskStatus.open)
    )
    turn = iter(head_ids)
    lock = threading.Lock()

    def approve():
        with lock:
            head = db.session.get(User, next(turn))
        return runtime.complete(db.session, approval_id, head, {"decision": "approve"})

    results = _run_in_threads(app, approve)

    assert sum(isinstance(r, HumanTask) for r in results) == 1
    assert sum(isinstance(r, TaskNotAvailable) for r in results) == 1
    db_session.expire_all()
    completions = db_session.scalar(
        select(func.count()).where(
            ProcessEvent.kind == ProcessEventKind.task_completed,
            ProcessEvent.task_name == "approve_price_change",
        )
    )
    assert completions == 1
    assert db_session.get(type(premise), premise.id).price == Decimal("8000000.00")
    assert len(premise.changes) == 1


def test_two_ticks_at_once_fire_each_due_deadline_once(
    app, db_session, make_building, make_premise, make_user
):
    manager = make_user(Role.sales_manager)
    make_user(Role.admin)
    building = make_building()
    for number in range(6):
        premise = make_premise(building, number=str(number), price="10000000.00")
        runtime.start(
            db_session,
            "price_change",
            data={"premise_number": premise.number, "current_price": "10000000.00"},
            business_keys={"premise_id": premise.id},
            user=manager,
        )
    db_session.commit()
    for task in db_session.scalars(select(HumanTask)).all():
        runtime.complete(db_session, task.id, manager, {"new_price": "1000000", "reason": "x"})
    db_session.commit()
    later = utcnow().replace(year=utcnow().year + 1)

    results = _run_in_threads(app, lambda: run_until_idle(db.session, now=later, batch_size=2))

    assert not any(isinstance(r, Exception) for r in results), results
    assert sum(r.escalations for r in results) == 6
    escalated = db_session.scalar(
        select(func.count()).where(ProcessEvent.kind == ProcessEventKind.escalated)
    )
    assert escalated == 6
