"""engine.tick reaches a real Celery worker through each broker we run on: kombu's SQLAlchemy
transport over SQLite (embedded mode) and Redis (production)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from engine.core import runtime
from models.db.base import utcnow
from models.process.human_task import HumanTask, HumanTaskStatus
from models.users.user import Role
from tests.conftest import REDIS_URL, service_missing
from tests.time_support import wait_until
from web.celery_app import make_celery


@pytest.fixture(params=["embedded", "redis"])
def broker_url(request, tmp_path):
    if request.param == "embedded":
        return f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        service_missing("Redis", str(error))
    return REDIS_URL


@pytest.fixture
def overdue_approval(db_session, make_building, make_premise, make_user):
    premise = make_premise(make_building(), price="10000000.00")
    manager = make_user(Role.sales_manager)
    instance = runtime.start(
        db_session,
        "price_change",
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    [propose] = _open(db_session, instance.id)
    runtime.complete(db_session, propose.id, manager, {"new_price": "1000000", "reason": "x"})
    [approval] = _open(db_session, instance.id)
    approval.due_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    return approval.id


def _open(db_session, instance_id):
    return db_session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status == HumanTaskStatus.open
        )
    ).all()


def test_the_tick_job_escalates_an_overdue_task_through_the_broker(
    app, db_session, broker_url, overdue_approval
):
    celery_app = make_celery(app, broker_url)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.send_task("engine.tick")

        def escalated_at():
            db_session.rollback()  # end the read snapshot so the worker's commit is seen
            return db_session.get(HumanTask, overdue_approval).escalated_at

        assert wait_until(escalated_at, timeout=20, every=0.2)
