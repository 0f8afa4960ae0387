"""Who may see, take, act on and hand over an inbox task: HumanTask's rules, in memory.

No database and no app: the task and the users are plain objects. The expectations are written
out here, per assignment state, so a test fails when a rule changes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.process.human_task import HumanTask, HumanTaskStatus, TaskNotAvailable
from models.users.user import Role, User

ESCALATED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DONE_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ME, COLLEAGUE = 1, 2

# Written out, not imported: the roles that run the sales department.
MANAGEMENT_ROLES = {Role.admin, Role.head_of_sales}


def user(role: Role, user_id: int = ME, *, active: bool = True) -> User:
    return User(id=user_id, role=role, email=f"{role}{user_id}@test", is_active=active)


def other_role(role: Role) -> Role:
    return Role.lawyer if role != Role.lawyer else Role.marketer


def task(lane: Role, **fields) -> HumanTask:
    fields.setdefault("status", HumanTaskStatus.open)
    return HumanTask(
        id=7, task_name="approve_discount", title="Согласовать скидку", role=lane, **fields
    )


# Each assignment state, seen from a user of role `r`.
STATES = {
    "assigned_to_me": lambda r: task(r, assignee_id=ME),
    "taken_by_a_colleague": lambda r: task(r, assignee_id=COLLEAGUE),
    "in_my_roles_queue": lambda r: task(r),
    "in_another_roles_queue": lambda r: task(other_role(r)),
    "taken_in_another_role": lambda r: task(other_role(r), assignee_id=COLLEAGUE),
    "escalated_to_my_role": lambda r: task(
        other_role(r), escalation_role=r, escalated_at=ESCALATED_AT
    ),
    "escalation_to_my_role_not_yet_due": lambda r: task(other_role(r), escalation_role=r),
    "completed_by_me": lambda r: task(
        r, status=HumanTaskStatus.completed, assignee_id=ME, completed_by_id=ME
    ),
    "completed_by_a_colleague": lambda r: task(
        r, status=HumanTaskStatus.completed, assignee_id=COLLEAGUE, completed_by_id=COLLEAGUE
    ),
    # Outside the user's lane: handed to them, or done by them before their role changed.
    "assigned_to_me_in_another_role": lambda r: task(other_role(r), assignee_id=ME),
    "completed_by_me_in_another_role": lambda r: task(
        other_role(r), status=HumanTaskStatus.completed, assignee_id=COLLEAGUE, completed_by_id=ME
    ),
}

# Y: everyone; N: no one; M: management only; A: an administrator only.
EXPECTED = {
    #                                      see  inbox take  act release reassign
    "assigned_to_me":                     ("Y", "Y", "Y", "Y", "Y", "M"),
    "taken_by_a_colleague":               ("Y", "Y", "N", "M", "M", "M"),
    "in_my_roles_queue":                  ("Y", "Y", "Y", "Y", "M", "M"),
    "in_another_roles_queue":             ("M", "A", "M", "A", "M", "M"),
    "taken_in_another_role":              ("M", "A", "N", "A", "M", "M"),
    "escalated_to_my_role":               ("Y", "Y", "Y", "Y", "M", "M"),
    "escalation_to_my_role_not_yet_due":  ("M", "A", "M", "A", "M", "M"),
    "completed_by_me":                    ("Y", "N", "N", "N", "N", "N"),
    "completed_by_a_colleague":           ("Y", "N", "N", "N", "N", "N"),
    "assigned_to_me_in_another_role":     ("Y", "Y", "M", "A", "Y", "M"),
    "completed_by_me_in_another_role":    ("Y", "N", "N", "N", "N", "N"),
}  # fmt: skip
RULES = ("can_see", "in_inbox_of", "can_take", "can_act", "can_release", "can_reassign")


def allowed(mark: str, role: Role) -> bool:
    return {
        "Y": True,
        "N": False,
        "M": role in MANAGEMENT_ROLES,
        "A": role == Role.admin,
    }[mark]


CASES = [
    pytest.param(role, state, rule, allowed(mark, role), id=f"{role}-{state}-{rule}")
    for role in Role
    for state, marks in EXPECTED.items()
    for rule, mark in zip(RULES, marks, strict=True)
]


@pytest.mark.parametrize(("role", "state", "rule", "expected"), CASES)
def test_who_may_see_take_act_on_and_hand_over_a_task(role, state, rule, expected):
    row = STATES[state](role)
    assert getattr(row, rule)(user(role)) is expected


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_only_the_admin_and_the_head_of_sales_are_management(role):
    assert user(role).is_management is (role in MANAGEMENT_ROLES)


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("state", list(STATES))
def test_a_task_in_the_inbox_can_also_be_opened(role, state):
    row = STATES[state](role)
    if row.in_inbox_of(user(role)):
        assert row.can_see(user(role))


def test_claiming_a_queued_task_makes_it_mine():
    row = task(Role.sales_manager)
    assert row.claim(user(Role.sales_manager)) is True
    assert row.assignee_id == ME


def test_claiming_my_own_task_again_changes_nothing():
    row = task(Role.sales_manager, assignee_id=ME)
    assert row.claim(user(Role.sales_manager)) is False
    assert row.assignee_id == ME


def test_a_task_taken_by_a_colleague_cannot_be_claimed():
    row = task(Role.sales_manager, assignee_id=COLLEAGUE)
    with pytest.raises(TaskNotAvailable, match="^Задачу уже взял другой сотрудник$"):
        row.claim(user(Role.sales_manager))
    assert row.assignee_id == COLLEAGUE


def test_a_task_of_another_role_cannot_be_claimed():
    row = task(Role.lawyer)
    with pytest.raises(TaskNotAvailable, match="^Задачу этой роли взять нельзя$"):
        row.claim(user(Role.sales_manager))
    assert row.assignee_id is None


def test_a_completed_task_cannot_be_claimed_released_or_reassigned():
    head = user(Role.head_of_sales)
    row = task(Role.sales_manager, status=HumanTaskStatus.completed)
    for verb in (
        lambda: row.claim(head),
        lambda: row.release(head),
        lambda: row.reassign(head, user(Role.sales_manager, 3)),
    ):
        with pytest.raises(TaskNotAvailable, match="^Задача уже выполнена или отменена$"):
            verb()
    assert row.assignee_id is None


def test_the_assignee_releases_a_task_back_to_the_queue():
    row = task(Role.sales_manager, assignee_id=ME)
    row.release(user(Role.sales_manager))
    assert row.assignee_id is None


def test_a_colleague_cannot_release_someone_elses_task():
    row = task(Role.sales_manager, assignee_id=COLLEAGUE)
    with pytest.raises(
        TaskNotAvailable, match="^Вернуть в очередь может только исполнитель или руководитель$"
    ):
        row.release(user(Role.sales_manager))
    assert row.assignee_id == COLLEAGUE


def test_the_head_of_sales_hands_a_task_to_a_manager_of_its_role():
    row = task(Role.sales_manager, assignee_id=COLLEAGUE)
    row.reassign(user(Role.head_of_sales), user(Role.sales_manager, 3))
    assert row.assignee_id == 3


def test_a_task_can_be_handed_to_management_outside_its_role():
    row = task(Role.sales_manager)
    row.reassign(user(Role.admin), user(Role.head_of_sales, 3))
    assert row.assignee_id == 3


def test_a_sales_manager_cannot_reassign_a_task():
    row = task(Role.sales_manager, assignee_id=ME)
    with pytest.raises(
        TaskNotAvailable, match="^Переназначать задачи может руководитель отдела продаж$"
    ):
        row.reassign(user(Role.sales_manager), user(Role.sales_manager, 3))
    assert row.assignee_id == ME


@pytest.mark.parametrize(
    "to_user",
    [user(Role.lawyer, 3), user(Role.sales_manager, 3, active=False)],
    ids=["of_another_role", "inactive"],
)
def test_a_task_is_not_handed_to_someone_who_may_not_hold_it(to_user):
    row = task(Role.sales_manager, assignee_id=COLLEAGUE)
    with pytest.raises(TaskNotAvailable, match="^Сотруднику .+ эту задачу передать нельзя$"):
        row.reassign(user(Role.head_of_sales), to_user)
    assert row.assignee_id == COLLEAGUE


def test_completing_a_queued_task_records_who_did_it():
    row = task(Role.sales_manager)
    row.complete(user(Role.sales_manager), DONE_AT)
    assert (row.status, row.completed_at, row.completed_by_id, row.assignee_id) == (
        HumanTaskStatus.completed,
        DONE_AT,
        ME,
        ME,
    )


def test_completing_a_task_taken_by_someone_else_keeps_its_assignee():
    row = task(Role.head_of_sales, assignee_id=COLLEAGUE)
    row.complete(user(Role.head_of_sales), DONE_AT)
    assert (row.completed_by_id, row.assignee_id) == (ME, COLLEAGUE)


def test_a_colleague_cannot_complete_a_task_someone_else_took():
    row = task(Role.sales_manager, assignee_id=COLLEAGUE)
    with pytest.raises(
        TaskNotAvailable, match="^Это не ваша задача: её выполняет другой сотрудник или роль$"
    ):
        row.complete(user(Role.sales_manager), DONE_AT)
    assert (row.status, row.completed_by_id) == (HumanTaskStatus.open, None)


def test_a_completed_task_cannot_be_completed_again():
    row = task(Role.sales_manager, status=HumanTaskStatus.completed, completed_by_id=COLLEAGUE)
    with pytest.raises(TaskNotAvailable, match="^Задача уже выполнена или отменена$"):
        row.complete(user(Role.admin), DONE_AT)
    assert row.completed_by_id == COLLEAGUE
