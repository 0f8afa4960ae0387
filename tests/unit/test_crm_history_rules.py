"""A client's history in memory: what a logged contact and a planned task accept and refuse, at
their limits, with the message and the field the form shows; finishing a task; who may finish it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.crm.history import (
    CrmTask,
    Interaction,
    InteractionError,
    InteractionKind,
    TaskError,
)
from models.users.user import Role
from tests.unit.memory import NOW, client, user

MANAGER = user(Role.sales_manager, user_id=7)
OTHER_MANAGER = user(Role.sales_manager, user_id=8)
HEAD = user(Role.head_of_sales, user_id=9)
ADMIN = user(Role.admin, user_id=10)
BROKER = user(Role.mortgage_broker, user_id=11)
LAWYER = user(Role.lawyer, user_id=12)
GONE = user(Role.sales_manager, user_id=13)
for employee in (MANAGER, OTHER_MANAGER, HEAD, ADMIN, BROKER, LAWYER):
    employee.is_active = True  # a column default, not set on an object never flushed
GONE.is_active = False

BUYER = client(client_id=3)
SKEW = timedelta(minutes=5)
SECOND = timedelta(seconds=1)


def log(**fields) -> Interaction:
    given = {
        "kind": "call",
        "direction": "out",
        "summary": "Позвонил",
        "body": "",
        "at": None,
        "user_id": MANAGER.id,
        "now": NOW,
        **fields,
    }
    return Interaction.log(BUYER, **given)


def plan(**fields) -> CrmTask:
    given = {
        "owner": MANAGER,
        "by": MANAGER,
        "title": "Перезвонить",
        "kind": "call",
        "due_at": NOW + timedelta(hours=1),
        "now": NOW,
        **fields,
    }
    return CrmTask.plan(BUYER, **given)


def refusal(error) -> tuple[str | None, str]:
    return error.value.field, error.value.message


# ------------------------------------------------------------------ logging a contact


def test_a_logged_call_keeps_everything_the_manager_typed():
    call = log(
        kind="meeting",
        direction=" in ",
        summary="  Обсудили ипотеку  ",
        body="  Нужна 2-комнатная  ",
        at=NOW - timedelta(hours=2),
    )
    assert (
        call.client_id,
        call.kind,
        call.direction,
        call.summary,
        call.body,
        call.at,
        call.user_id,
    ) == (
        BUYER.id,
        InteractionKind.meeting,
        "in",
        "Обсудили ипотеку",
        "Нужна 2-комнатная",
        NOW - timedelta(hours=2),
        MANAGER.id,
    )
    assert call.kind_label == "Встреча"


def test_a_contact_without_a_time_happened_now_and_without_a_direction_has_none():
    call = log(direction="  ", body=None, at=None)
    assert (call.at, call.direction, call.body) == (NOW, None, "")


@pytest.mark.parametrize("direction", [None, ""])
def test_a_missing_direction_is_no_direction(direction):
    assert log(direction=direction).direction is None


def test_an_unknown_direction_is_refused_at_its_field():
    with pytest.raises(InteractionError) as refused:
        log(direction="sideways")
    assert refusal(refused) == ("direction", "Направление: входящий или исходящий")


@pytest.mark.parametrize("kind", ["fax", "system", None])
def test_a_kind_a_manager_may_not_log_is_refused_at_its_field(kind):
    with pytest.raises(InteractionError) as refused:
        log(kind=kind)
    assert refusal(refused) == (
        "kind",
        "Выберите вид: звонок, встреча, визит в офис, письмо или сообщение",
    )


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("call", "Звонок"),
        ("meeting", "Встреча"),
        ("visit", "Визит в офис"),
        ("email", "Письмо"),
        ("message", "Сообщение"),
    ],
)
def test_every_manual_kind_is_logged_under_its_russian_name(kind, label):
    logged = log(kind=kind)
    assert (logged.kind, logged.kind_label) == (InteractionKind(kind), label)


def test_a_system_event_reads_as_an_event_of_the_system():
    assert Interaction(kind=InteractionKind.system).kind_label == "Событие системы"


@pytest.mark.parametrize("summary", [None, "", "   "])
def test_a_contact_without_a_summary_is_refused(summary):
    with pytest.raises(InteractionError) as refused:
        log(summary=summary)
    assert refusal(refused) == ("summary", "Кратко опишите, о чём был контакт")


def test_a_summary_of_exactly_300_characters_is_kept_and_301_is_refused():
    assert log(summary="я" * 300).summary == "я" * 300
    with pytest.raises(InteractionError) as refused:
        log(summary="я" * 301)
    assert refusal(refused) == ("summary", "Не длиннее 300 символов")


def test_a_body_of_exactly_5000_characters_is_kept_and_5001_is_refused():
    assert log(body="я" * 5000).body == "я" * 5000
    with pytest.raises(InteractionError) as refused:
        log(body="я" * 5001)
    assert refusal(refused) == ("body", "Не длиннее 5000 символов")


def test_a_contact_five_minutes_ahead_is_a_slow_clock_but_a_second_more_is_the_future():
    assert log(at=NOW + SKEW).at == NOW + SKEW
    with pytest.raises(InteractionError) as refused:
        log(at=NOW + SKEW + SECOND)
    assert refusal(refused) == (
        "at",
        "Событие не может быть в будущем: будущий контакт — это задача",
    )


def test_nothing_is_logged_on_a_card_merged_into_another():
    merged = client(client_id=4)
    merged.full_name = "Соколова Анна"
    merged.merged_into_id = 3
    with pytest.raises(InteractionError) as refused:
        Interaction.log(
            merged,
            kind="call",
            direction=None,
            summary="Позвонил",
            body=None,
            at=None,
            user_id=MANAGER.id,
            now=NOW,
        )
    assert refusal(refused) == (
        "client",
        "Карточка «Соколова Анна» объединена с карточкой № 3: события и задачи ведутся там",
    )


# ------------------------------------------------------------------ planning a task


def test_a_planned_task_belongs_to_its_author_and_waits_for_its_reminder():
    task = plan(title="  Перезвонить по ипотеке ", kind="visit")
    assert (
        task.client_id,
        task.owner_id,
        task.created_by_id,
        task.title,
        task.kind,
        task.due_at,
        task.created_at,
        task.reminded_at,
    ) == (
        BUYER.id,
        MANAGER.id,
        MANAGER.id,
        "Перезвонить по ипотеке",
        InteractionKind.visit,
        NOW + timedelta(hours=1),
        NOW,
        None,
    )
    assert task.kind_label == "Визит в офис"


def test_a_task_due_right_now_is_late_already_and_is_not_reminded():
    assert plan(due_at=NOW).reminded_at == NOW


def test_a_task_written_after_the_fact_is_marked_as_reminded_when_written():
    task = plan(due_at=NOW - timedelta(days=1), allow_past=True)
    assert (task.due_at, task.reminded_at) == (NOW - timedelta(days=1), NOW)


def test_a_due_time_five_minutes_ago_is_a_slow_clock_but_a_second_more_is_the_past():
    assert plan(due_at=NOW - SKEW).due_at == NOW - SKEW
    with pytest.raises(TaskError) as refused:
        plan(due_at=NOW - SKEW - SECOND)
    assert refusal(refused) == (
        "due_at",
        "Срок уже прошёл. Если задача записывается задним числом, отметьте «срок в прошлом»",
    )


def test_a_task_without_a_due_time_is_refused_even_after_the_fact():
    with pytest.raises(TaskError) as refused:
        plan(due_at=None, allow_past=True)
    assert refusal(refused) == ("due_at", "Укажите срок: дату и время")


@pytest.mark.parametrize("title", [None, "  "])
def test_a_task_without_a_title_is_refused(title):
    with pytest.raises(InteractionError) as refused:
        plan(title=title)
    assert refusal(refused) == ("title", "Напишите, что нужно сделать")


def test_a_title_longer_than_300_characters_is_refused():
    assert plan(title="я" * 300).title == "я" * 300
    with pytest.raises(InteractionError) as refused:
        plan(title="я" * 301)
    assert refusal(refused) == ("title", "Не длиннее 300 символов")


def test_a_task_of_the_system_kind_is_not_planned_by_hand():
    with pytest.raises(InteractionError) as refused:
        plan(kind="system")
    assert refused.value.field == "kind"


@pytest.mark.parametrize("by", [HEAD, ADMIN])
def test_management_hands_a_task_to_a_mortgage_broker(by):
    task = plan(owner=BROKER, by=by)
    assert (task.owner_id, task.created_by_id) == (BROKER.id, by.id)


@pytest.mark.parametrize("owner", [None, GONE, LAWYER])
def test_a_task_goes_only_to_an_active_employee_of_the_sales_department(owner):
    with pytest.raises(TaskError) as refused:
        plan(owner=owner, by=HEAD)
    assert refusal(refused) == ("owner_id", "Задачу можно поручить только сотруднику отдела продаж")


def test_a_manager_cannot_hand_a_task_to_a_colleague():
    with pytest.raises(TaskError) as refused:
        plan(owner=OTHER_MANAGER, by=MANAGER)
    assert refusal(refused) == (
        "owner_id",
        "Поручить задачу другому сотруднику может только руководитель отдела продаж",
    )


def test_a_task_is_not_planned_on_a_merged_card():
    merged = client(client_id=4)
    merged.merged_into_id = 3
    with pytest.raises(InteractionError) as refused:
        CrmTask.plan(
            merged,
            owner=MANAGER,
            by=MANAGER,
            title="Перезвонить",
            kind="call",
            due_at=NOW + timedelta(hours=1),
            now=NOW,
        )
    assert refused.value.field == "client"


@pytest.mark.parametrize(
    ("employee", "hands_out"),
    [(MANAGER, False), (BROKER, False), (HEAD, True), (ADMIN, True)],
)
def test_only_management_hands_tasks_out(employee, hands_out):
    assert CrmTask.can_hand_out(employee) is hands_out


# ------------------------------------------------------------------ finishing a task


def open_task(**fields) -> CrmTask:
    made = CrmTask(
        id=41,
        client_id=BUYER.id,
        owner_id=MANAGER.id,
        title="Перезвонить",
        kind=InteractionKind.meeting,
        due_at=NOW + timedelta(hours=1),
        done_at=None,
    )
    for name, value in fields.items():
        setattr(made, name, value)
    return made


@pytest.mark.parametrize(
    ("employee", "may"),
    [(MANAGER, True), (OTHER_MANAGER, False), (BROKER, False), (HEAD, True), (ADMIN, True)],
)
def test_the_owner_or_management_finishes_or_moves_an_open_task(employee, may):
    task = open_task()
    assert (task.can_complete(employee), task.can_reschedule(employee)) == (may, may)


@pytest.mark.parametrize("employee", [MANAGER, HEAD])
def test_nobody_finishes_a_task_that_is_done(employee):
    assert open_task(done_at=NOW).can_complete(employee) is False


def test_a_task_is_overdue_only_once_its_due_time_has_passed_and_while_it_is_open():
    task = open_task(due_at=NOW)
    assert task.is_overdue(NOW) is False
    assert task.is_overdue(NOW + SECOND) is True
    assert open_task(due_at=NOW, done_at=NOW).is_overdue(NOW + SECOND) is False


def test_a_finished_task_becomes_a_contact_on_the_timeline_with_its_result():
    task = open_task()
    event = task.complete("  Записал на показ  ", NOW)
    assert (task.done_at, task.result, task.is_open) == (NOW, "Записал на показ", False)
    assert (
        event.client_id,
        event.kind,
        event.summary,
        event.body,
        event.at,
        event.user_id,
        event.link,
    ) == (
        BUYER.id,
        InteractionKind.meeting,
        "Перезвонить",
        "Записал на показ",
        NOW,
        MANAGER.id,
        "/crm/tasks/41",
    )


@pytest.mark.parametrize("result", ["", "   ", None])
def test_a_task_is_not_finished_without_a_result(result):
    task = open_task()
    with pytest.raises(TaskError) as refused:
        task.complete(result, NOW)
    assert refusal(refused) == ("result", "Опишите результат")
    assert task.is_open


def test_a_task_is_finished_only_once():
    task = open_task(done_at=NOW, result="Записал на показ")
    with pytest.raises(TaskError) as refused:
        task.complete("Ещё раз", NOW + SECOND)
    assert refused.value.message == "Задача уже выполнена"
    assert (task.done_at, task.result) == (NOW, "Записал на показ")
