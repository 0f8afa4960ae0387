"""Issue 14, finding 5: the approval of a price cut cannot be sidestepped by small steps.

The threshold (max_cut_pct in processes/price_change.bpmn) applies to the cut from the
premise's reference price: the last price approved by the head of sales, or set by management
by hand or by import (at first: the premise's price when created, or when the reference price
was introduced). Cuts a manager makes alone add up against it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.core import runtime
from models.catalog.objects import Premise
from models.process.instance import ProcessStatus
from models.users.user import Role

REFERENCE = Decimal("9256000.00")


@pytest.fixture
def premise(make_building, make_premise):
    return make_premise(make_building(), number="101", price=str(REFERENCE))


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


def propose(db_session, open_tasks, instance, manager, new_price: Decimal):
    [task] = open_tasks(instance.id)
    assert task.task_name == "propose_price"
    runtime.complete(db_session, task.id, manager, {"new_price": str(new_price), "reason": "торг"})
    db_session.commit()


def cut_by(price: Decimal, pct: str) -> Decimal:
    return (price * (100 - Decimal(pct)) / 100).quantize(Decimal("0.01"))


def test_ten_small_cuts_in_a_row_stop_at_the_threshold_and_wait_for_the_head(
    db_session, premise, manager, open_tasks
):
    """The issue's case: ten requests of −2.9 % each took 9,256,000 to 6,896,288 alone."""
    waiting = []
    for _ in range(10):
        db_session.refresh(premise)
        instance = start(db_session, premise, manager)
        propose(db_session, open_tasks, instance, manager, cut_by(premise.price, "2.9"))
        if instance.status == ProcessStatus.waiting:
            [approval] = open_tasks(instance.id)
            assert approval.task_name == "approve_price_change"
            waiting.append(instance)
            runtime.cancel(db_session, instance.id, None, "тест: следующий запрос")
            db_session.commit()
    db_session.refresh(premise)
    assert premise.price == cut_by(REFERENCE, "2.9")  # the first cut alone went through
    assert premise.price >= REFERENCE * Decimal("0.97")
    assert len(waiting) == 9  # every further one needs the head of sales
    assert premise.reference_price == REFERENCE  # a cut made alone does not move it


def test_the_approval_shows_the_cut_from_the_reference_price_with_the_earlier_cuts(
    db_session, premise, manager, open_tasks
):
    first = start(db_session, premise, manager)
    propose(db_session, open_tasks, first, manager, Decimal("9000000.00"))  # −2.77 %: alone
    assert first.status == ProcessStatus.completed
    second = start(db_session, premise, manager)
    propose(db_session, open_tasks, second, manager, Decimal("8800000.00"))  # −2.2 % of 9 M

    [approval] = open_tasks(second.id)
    assert approval.title == (
        "Согласовать цену № 101: 8\u00a0800\u00a0000,00 ₽ вместо 9\u00a0000\u00a0000,00 ₽ "
        "(−4,93 % от базовой)"
    )
    assert approval.details.splitlines()[1:] == [
        "Цена сейчас: 9\u00a0000\u00a0000,00 ₽, предложено: 8\u00a0800\u00a0000,00 ₽.",
        "Базовая цена: 9\u00a0256\u00a0000,00 ₽ (цена при заведении помещения); снижение от "
        "неё: 4,93 %, с учётом прежних снижений без согласования. Без согласования цену "
        "можно снизить не больше чем на 3 % от базовой.",
    ]


def test_an_approved_price_becomes_the_reference_for_the_next_cuts(
    db_session, premise, manager, head, open_tasks
):
    instance = start(db_session, premise, manager)
    propose(db_session, open_tasks, instance, manager, Decimal("8000000.00"))
    [approval] = open_tasks(instance.id)
    runtime.complete(db_session, approval.id, head, {"decision": "approve"})
    db_session.commit()
    db_session.refresh(premise)
    assert (premise.price, premise.reference_price) == (Decimal("8000000.00"),) * 2
    assert premise.reference_source == "approval"

    alone = start(db_session, premise, manager)
    propose(db_session, open_tasks, alone, manager, Decimal("7800000.00"))  # −2.5 % of 8 M
    assert alone.status == ProcessStatus.completed
    db_session.refresh(premise)
    assert premise.reference_price == Decimal("8000000.00")


def test_a_request_sent_back_and_made_again_within_the_threshold_sets_no_reference(
    db_session, premise, manager, head, open_tasks
):
    instance = start(db_session, premise, manager)
    propose(db_session, open_tasks, instance, manager, Decimal("8000000.00"))
    [approval] = open_tasks(instance.id)
    runtime.complete(
        db_session, approval.id, head, {"decision": "return", "decision_comment": "много"}
    )
    db_session.commit()
    propose(db_session, open_tasks, instance, manager, Decimal("9000000.00"))
    assert instance.status == ProcessStatus.completed
    db_session.refresh(premise)
    assert premise.price == Decimal("9000000.00")
    assert premise.reference_price == REFERENCE


def test_two_requests_open_at_once_add_up_against_the_same_reference(
    db_session, premise, manager, open_tasks, make_user
):
    """Each −2.9 % of the price its requester saw: together −5.7 %, so the second waits."""
    other = make_user(Role.sales_manager, email="other@test.local")
    first = start(db_session, premise, manager)
    second = start(db_session, premise, other)
    propose(db_session, open_tasks, first, manager, cut_by(REFERENCE, "2.9"))
    propose(db_session, open_tasks, second, other, cut_by(cut_by(REFERENCE, "2.9"), "2.9"))
    assert first.status == ProcessStatus.completed
    assert second.status == ProcessStatus.waiting
    [approval] = open_tasks(second.id)
    assert approval.task_name == "approve_price_change"
    db_session.refresh(premise)
    assert premise.price == cut_by(REFERENCE, "2.9")


def test_a_price_set_by_management_by_hand_or_by_import_is_the_new_reference(
    db_session, premise, manager, open_tasks
):
    premise.change_price(Decimal("9000000"), by_user_id=None, source="import")
    db_session.commit()
    assert (premise.reference_price, premise.reference_source) == (Decimal("9000000.00"), "import")
    instance = start(db_session, premise, manager)
    propose(db_session, open_tasks, instance, manager, Decimal("8750000.00"))  # −2.8 % of 9 M
    assert instance.status == ProcessStatus.completed
    db_session.refresh(premise)
    assert premise.reference_price == Decimal("9000000.00")

    premise.change_price(Decimal("8600000"), by_user_id=None, source="manual")
    db_session.commit()
    db_session.refresh(premise)
    assert (premise.reference_price, premise.reference_source) == (Decimal("8600000.00"), "manual")
    assert db_session.get(Premise, premise.id).cut_pct(Decimal("8342000")) == Decimal("3.00")
