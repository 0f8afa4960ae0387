"""Rescheduling a CRM task through the use case: who may, to whom it may be handed, and what is
refused with which message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.crm import use_cases as crm
from models.crm.history import TaskError
from models.users.user import Role

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def task(db_session, clock, manager, make_client):
    clock.set(NOW)
    buyer = make_client("Кузнецов Пётр", manager_id=manager.id)
    return crm.plan_task(
        db_session, buyer.id, manager, title="Перезвонить", kind="call", due_at=NOW + timedelta(1)
    )


def test_the_head_of_sales_moves_the_task_and_hands_it_to_another_manager(
    db_session, task, head, make_user
):
    other = make_user(Role.sales_manager, email="other@test.local")
    later = NOW + timedelta(days=2)

    moved = crm.reschedule_task(db_session, task.id, head, later, owner_id=other.id)

    assert moved is task
    assert (task.due_at, task.owner_id) == (later, other.id)


def test_another_manager_may_not_move_someone_elses_task(db_session, task, make_user):
    other = make_user(Role.sales_manager, email="other@test.local")
    with pytest.raises(TaskError) as refused:
        crm.reschedule_task(db_session, task.id, other, NOW + timedelta(days=2))
    assert refused.value.message == (
        "Перенести задачу может её исполнитель или руководитель отдела продаж"
    )
    assert task.due_at == NOW + timedelta(days=1)


def test_an_unknown_employee_is_refused_at_the_owner_field(db_session, task, head):
    with pytest.raises(TaskError) as refused:
        crm.reschedule_task(db_session, task.id, head, NOW + timedelta(days=2), owner_id=999999)
    assert (refused.value.field, refused.value.message) == ("owner_id", "Такого сотрудника нет")
