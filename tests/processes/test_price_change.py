"""The price-change process (processes/price_change.bpmn) run end to end through the engine."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.bpmn import repository
from engine.core import runtime
from engine.core.errors import FormInvalid
from engine.core.tick import tick
from models.catalog.objects import PremiseStatus
from models.db.base import utcnow
from models.notifications.in_app import Notification
from models.process.human_task import HumanTaskStatus, TaskNotAvailable
from models.process.instance import ProcessEvent, ProcessEventKind, ProcessStatus
from models.users.user import Role


@pytest.fixture
def premise(make_building, make_premise):
    return make_premise(make_building(), number="101", price="10000000.00")


def start(db_session, premise, manager):
    instance = runtime.start(
        db_session,
        "price_change",
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    db_session.commit()
    return instance


def test_a_small_reduction_is_applied_without_approval(db_session, premise, manager, open_tasks):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    assert propose.task_name == "propose_price"
    assert propose.assignee_id == manager.id  # the starter's own lane comes back to them
    assert propose.title == "Новая цена помещения № 101"

    runtime.complete(
        db_session, propose.id, manager, {"new_price": "9 800 000,00", "reason": "торг"}
    )
    db_session.commit()

    db_session.refresh(premise)
    assert premise.price == Decimal("9800000.00")
    assert premise.changes[0].source == "process"
    assert instance.status == ProcessStatus.completed
    assert open_tasks(instance.id) == []


def test_a_large_reduction_waits_for_the_head_of_sales(
    db_session, premise, manager, head, open_tasks
):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    runtime.complete(db_session, propose.id, manager, {"new_price": "9000000", "reason": "акция"})
    db_session.commit()

    [approval] = open_tasks(instance.id)
    assert approval.role == Role.head_of_sales
    assert approval.is_approval
    assert "9\u00a0000\u00a0000,00" in approval.title
    assert approval.due_at is not None
    db_session.refresh(premise)
    assert premise.price == Decimal("10000000.00")

    with pytest.raises(TaskNotAvailable):
        runtime.complete(db_session, approval.id, manager, {"decision": "approve"})
    db_session.rollback()

    runtime.complete(db_session, approval.id, head, {"decision": "approve"})
    db_session.commit()
    db_session.refresh(premise)
    assert premise.price == Decimal("9000000.00")
    assert instance.status == ProcessStatus.completed


@pytest.mark.parametrize(
    ("new_price", "needs_approval"),
    [
        ("9700000.01", False),  # just under 3 %
        ("9700000.00", False),  # exactly 3 %: still the manager's own decision
        ("9699999.99", True),  # just over 3 %
    ],
)
def test_the_head_of_sales_approves_a_reduction_of_more_than_3_percent_only(
    db_session, premise, manager, open_tasks, new_price, needs_approval
):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    runtime.complete(db_session, propose.id, manager, {"new_price": new_price, "reason": "торг"})
    db_session.commit()

    db_session.refresh(premise)
    if needs_approval:
        [approval] = open_tasks(instance.id)
        assert approval.task_name == "approve_price_change"
        assert premise.price == Decimal("10000000.00")
        assert instance.status == ProcessStatus.waiting
    else:
        assert open_tasks(instance.id) == []
        assert premise.price == Decimal(new_price)
        assert instance.status == ProcessStatus.completed


def test_rejecting_needs_a_comment_and_leaves_the_price(
    db_session, premise, manager, head, open_tasks
):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    runtime.complete(db_session, propose.id, manager, {"new_price": "5000000", "reason": "срочно"})
    db_session.commit()
    [approval] = open_tasks(instance.id)

    with pytest.raises(FormInvalid) as refused:
        runtime.complete(db_session, approval.id, head, {"decision": "reject"})
    assert "decision_comment" in refused.value.errors
    db_session.rollback()
    assert open_tasks(instance.id)[0].id == approval.id

    runtime.complete(
        db_session, approval.id, head, {"decision": "reject", "decision_comment": "слишком много"}
    )
    db_session.commit()
    db_session.refresh(premise)
    assert premise.price == Decimal("10000000.00")
    assert instance.status == ProcessStatus.completed
    decision = db_session.scalars(
        select(ProcessEvent).where(
            ProcessEvent.instance_id == instance.id,
            ProcessEvent.task_name == "approve_price_change",
        )
    ).one()
    assert decision.data["decision"] == "reject"
    assert decision.data["decision_comment"] == "слишком много"
    assert decision.user_id == head.id


def test_returning_sends_the_task_back_to_the_requester(
    db_session, premise, manager, head, open_tasks
):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    runtime.complete(db_session, propose.id, manager, {"new_price": "8000000", "reason": "a"})
    [approval] = open_tasks(instance.id)
    runtime.complete(
        db_session, approval.id, head, {"decision": "return", "decision_comment": "обоснуйте"}
    )
    db_session.commit()
    [again] = open_tasks(instance.id)
    assert again.task_name == "propose_price"
    assert again.assignee_id == manager.id


@pytest.mark.parametrize(
    "fixed_status",
    [PremiseStatus.paid_reservation, PremiseStatus.in_deal, PremiseStatus.sold],
)
def test_a_fixed_price_is_refused_through_the_bpmn_error_path(
    db_session, premise, manager, open_tasks, fixed_status
):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    premise.status = fixed_status
    db_session.commit()

    runtime.complete(db_session, propose.id, manager, {"new_price": "9900000", "reason": "x"})
    db_session.commit()

    [review] = open_tasks(instance.id)
    assert review.task_name == "review_failed_change"
    assert instance.status == ProcessStatus.waiting
    db_session.refresh(premise)
    assert premise.price == Decimal("10000000.00")
    kinds = [e.kind for e in instance.events]
    assert ProcessEventKind.bpmn_error in kinds
    assert ProcessEventKind.error not in kinds


def test_wrong_form_values_get_field_errors_and_change_nothing(
    db_session, premise, manager, open_tasks
):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    with pytest.raises(FormInvalid) as refused:
        runtime.complete(db_session, propose.id, manager, {"new_price": "дорого", "reason": ""})
    assert set(refused.value.errors) == {"new_price", "reason"}
    db_session.rollback()
    assert open_tasks(instance.id)[0].status == HumanTaskStatus.open


def test_a_task_cannot_be_completed_twice(db_session, premise, manager, open_tasks):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    runtime.complete(db_session, propose.id, manager, {"new_price": "9900000", "reason": "x"})
    db_session.commit()
    with pytest.raises(TaskNotAvailable):
        runtime.complete(db_session, propose.id, manager, {"new_price": "9900000", "reason": "x"})


def test_an_overdue_approval_is_reminded_then_escalated_once(
    db_session, premise, manager, head, make_user, open_tasks
):
    admin = make_user(Role.admin)
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    runtime.complete(db_session, propose.id, manager, {"new_price": "1000000", "reason": "x"})
    db_session.commit()
    [approval] = open_tasks(instance.id)
    assert approval.due_at - approval.created_at == timedelta(hours=4)
    assert _notes(db_session, head.id, "approval_requested") == 1

    later = utcnow() + timedelta(hours=3, minutes=30)
    assert tick(db_session, now=later).reminders == 1
    db_session.commit()
    assert _notes(db_session, head.id) == 1

    much_later = utcnow() + timedelta(hours=5)
    result = tick(db_session, now=much_later)
    db_session.commit()
    assert result.escalations == 1
    db_session.refresh(approval)
    assert approval.escalated_at is not None
    assert Role.admin in approval.roles()
    assert _notes(db_session, admin.id) == 1

    again = tick(db_session, now=much_later)
    assert (again.reminders, again.escalations) == (0, 0)
    assert _notes(db_session, admin.id) == 1
    runtime.complete(db_session, approval.id, admin, {"decision": "approve"})
    db_session.commit()
    assert instance.status == ProcessStatus.completed


DEADLINE_KINDS = ("process_task_due", "process_task_overdue")


def _notes(db_session, user_id: int, kind: str | tuple[str, ...] = DEADLINE_KINDS) -> int:
    kinds = (kind,) if isinstance(kind, str) else kind
    return len(
        db_session.scalars(
            select(Notification).where(
                Notification.user_id == user_id, Notification.kind.in_(kinds)
            )
        ).all()
    )


def test_the_threshold_the_analyst_publishes_is_the_one_applied_and_shown(
    db_session, premise, manager, open_tasks
):
    shipped = (Path(__file__).parents[2] / "processes" / "price_change.bpmn").read_text("utf-8")
    assert "max_cut_pct = 3" in shipped
    repository.publish(db_session, shipped.replace("max_cut_pct = 3", "max_cut_pct = 5"))
    db_session.commit()

    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    assert propose.details == (
        "Снижение больше чем на 5 % от базовой цены уйдёт на согласование руководителю "
        "отдела продаж."
    )
    runtime.complete(db_session, propose.id, manager, {"new_price": "9 600 000", "reason": "x"})
    db_session.commit()
    db_session.refresh(premise)
    assert premise.price == Decimal("9600000.00")  # 4 %: under the new threshold, no approval
    assert instance.status == ProcessStatus.completed


def test_a_new_price_of_zero_is_refused_at_its_field(db_session, premise, manager, open_tasks):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    with pytest.raises(FormInvalid) as refused:
        runtime.complete(db_session, propose.id, manager, {"new_price": "0", "reason": "x"})
    assert refused.value.errors == {"new_price": "Сумма должна быть больше нуля"}


def test_the_head_sees_the_managers_justification_on_the_approval(
    db_session, premise, manager, open_tasks
):
    instance = start(db_session, premise, manager)
    [propose] = open_tasks(instance.id)
    runtime.complete(
        db_session, propose.id, manager, {"new_price": "9000000", "reason": "Долгая экспозиция"}
    )
    db_session.commit()
    [approval] = open_tasks(instance.id)
    assert approval.details.splitlines() == [
        "Обоснование менеджера: Долгая экспозиция",
        "Цена сейчас: 10\u00a0000\u00a0000,00 ₽, предложено: 9\u00a0000\u00a0000,00 ₽.",
        "Базовая цена: 10\u00a0000\u00a0000,00 ₽ (цена при заведении помещения); снижение от "
        "неё: 10,00 %, с учётом прежних снижений без согласования. Без согласования цену "
        "можно снизить не больше чем на 3 % от базовой.",
    ]
