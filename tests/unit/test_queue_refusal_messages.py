"""What a manager reads when the queue refuses: each rule's code and its Russian message."""

from __future__ import annotations

import pytest

from models.catalog.objects import PremiseStatus
from models.sales.queue import QueueEntry
from models.sales.reservation import ReservationError
from models.users.user import Role
from tests.unit.memory import NOW, premise, queue, user

RESERVED = premise(PremiseStatus.reserved)


def join_refused(taken=RESERVED, client_id=5, holder_id=2, waiting=()) -> tuple[str, str]:
    with pytest.raises(ReservationError) as refused:
        QueueEntry.join(
            taken, client_id, holder_id=holder_id, waiting=list(waiting), manager_id=7, now=NOW
        )
    return refused.value.code, refused.value.message


def test_a_free_premise_is_to_be_reserved_not_queued_for():
    assert join_refused(taken=premise(), holder_id=None) == (
        "premise_free",
        "Помещение свободно: поставьте бронь, а не очередь",
    )


@pytest.mark.parametrize("status", [PremiseStatus.sold, PremiseStatus.not_for_sale])
def test_a_sold_or_withdrawn_premise_has_no_queue(status):
    assert join_refused(taken=premise(status), holder_id=None) == (
        "premise_closed",
        "На это помещение очередь не ведётся",
    )


def test_the_holder_of_the_reservation_does_not_queue_for_it():
    assert join_refused(client_id=2, holder_id=2) == (
        "already_holder",
        "У клиента уже есть бронь этого помещения",
    )


def test_a_client_queues_once_per_premise():
    assert join_refused(waiting=queue(1, 4, 5)) == (
        "already_queued",
        "Клиент уже стоит в очереди на это помещение",
    )


def test_another_managers_client_is_not_taken_off_the_queue_by_a_manager():
    [entry] = queue(1, 5, manager_id=8)
    with pytest.raises(ReservationError) as refused:
        entry.remove(user(Role.sales_manager, 7), now=NOW)
    assert (refused.value.code, refused.value.message) == (
        "not_yours",
        "Убрать из очереди может свой менеджер или руководитель",
    )
    assert entry.is_waiting


def test_a_client_promoted_already_is_not_promoted_or_taken_off_again():
    [entry] = queue(1, 5)
    entry.promote(now=NOW)
    for again in (
        lambda: entry.promote(now=NOW),
        lambda: entry.remove(user(Role.head_of_sales, 9), now=NOW),
        lambda: entry.drop_as_duplicate(now=NOW),
    ):
        with pytest.raises(ReservationError) as refused:
            again()
        assert (refused.value.code, refused.value.message) == (
            "not_waiting",
            "Клиент уже не стоит в очереди",
        )
