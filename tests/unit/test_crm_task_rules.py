"""Rescheduling a CRM task, in memory: a new due time in the future, a done task stays done, and
only the head of sales hands the task to another employee."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.crm.history import CrmTask, InteractionKind, TaskError
from models.users.user import Role
from tests.unit.memory import NOW, user

MANAGER = user(Role.sales_manager, user_id=7)
OTHER_MANAGER = user(Role.sales_manager, user_id=8)
HEAD = user(Role.head_of_sales, user_id=9)
for employee in (MANAGER, OTHER_MANAGER, HEAD):
    employee.is_active = True  # a column default, not set on an object never flushed


def task(**fields) -> CrmTask:
    made = CrmTask(
        client_id=3,
        owner_id=MANAGER.id,
        title="Перезвонить",
        kind=InteractionKind.call,
        due_at=NOW + timedelta(hours=1),
        reminded_at=NOW,
        done_at=None,
    )
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def test_a_task_moves_to_a_later_time_and_will_be_reminded_again():
    planned = task()
    planned.reschedule(NOW + timedelta(seconds=1), NOW, by=MANAGER)
    assert planned.due_at == NOW + timedelta(seconds=1)
    assert planned.reminded_at is None
    assert planned.owner_id == MANAGER.id


@pytest.mark.parametrize("due_at", [NOW, NOW - timedelta(minutes=1), None])
def test_a_due_time_not_in_the_future_is_refused_at_its_field(due_at):
    planned = task()
    with pytest.raises(TaskError) as refused:
        planned.reschedule(due_at, NOW, by=MANAGER)
    assert (refused.value.field, refused.value.message) == (
        "due_at",
        "Новый срок должен быть в будущем",
    )
    assert planned.due_at == NOW + timedelta(hours=1)


def test_a_done_task_is_not_rescheduled():
    done = task(done_at=NOW)
    with pytest.raises(TaskError) as refused:
        done.reschedule(NOW + timedelta(days=1), NOW, by=HEAD)
    assert refused.value.message == "Задача уже выполнена: перенести её нельзя"


def test_the_head_of_sales_hands_the_task_to_another_manager():
    planned = task()
    planned.reschedule(NOW + timedelta(days=1), NOW, owner=OTHER_MANAGER, by=HEAD)
    assert planned.owner_id == OTHER_MANAGER.id


def test_a_manager_does_not_hand_their_task_to_another():
    planned = task()
    with pytest.raises(TaskError) as refused:
        planned.reschedule(NOW + timedelta(days=1), NOW, owner=OTHER_MANAGER, by=MANAGER)
    assert refused.value.field == "owner_id"
    assert planned.owner_id == MANAGER.id


def test_naming_the_same_owner_again_is_no_hand_over():
    planned = task()
    planned.reschedule(NOW + timedelta(days=1), NOW, owner=MANAGER, by=MANAGER)
    assert planned.owner_id == MANAGER.id
