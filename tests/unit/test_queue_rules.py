"""Queue rules in memory: who may join, be removed, be moved, be promoted."""

from __future__ import annotations

import pytest

from models.catalog.objects import PremiseStatus
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import ReservationError
from models.users.user import Role
from tests.unit.memory import NOW, premise, queue, user

MANAGER, OTHER = user(Role.sales_manager, 7), user(Role.sales_manager, 8)
HEAD = user(Role.head_of_sales, 9)
RESERVED = premise(PremiseStatus.reserved)


def join(taken=RESERVED, client_id=5, holder_id=2, waiting=()):
    return QueueEntry.join(
        taken, client_id, holder_id=holder_id, waiting=list(waiting), manager_id=7, now=NOW
    )


def refusal(**kwargs) -> str:
    with pytest.raises(ReservationError) as refused:
        join(**kwargs)
    return refused.value.code


@pytest.mark.parametrize(
    "status", [PremiseStatus.reserved, PremiseStatus.paid_reservation, PremiseStatus.in_deal]
)
def test_a_client_joins_the_end_of_the_queue_of_a_taken_premise(status):
    waiting = queue(1, 3, 4)
    assert QueueEntry.can_join(premise(status), 5, holder_id=2, waiting=waiting)
    entry = join(premise(status), waiting=waiting)
    assert (entry.client_id, entry.position, entry.manager_id) == (5, 3, 7)
    assert entry.created_at == NOW  # the place is taken at the moment given


def test_a_new_place_follows_the_last_one_even_after_a_gap():
    first, _, third = queue(1, 3, 4, 6)
    assert join(waiting=[first, third]).position == 4  # the second was removed


def test_the_first_client_in_a_queue_gets_place_one():
    assert join().position == 1


def test_a_free_premise_is_reserved_not_queued_for():
    assert not QueueEntry.can_join(premise(), 5, holder_id=None, waiting=[])
    assert refusal(taken=premise(), holder_id=None) == "premise_free"


@pytest.mark.parametrize("status", [PremiseStatus.sold, PremiseStatus.not_for_sale])
def test_no_queue_is_kept_for_a_premise_sold_or_not_for_sale(status):
    assert not QueueEntry.can_join(premise(status), 5, holder_id=None, waiting=[])
    assert refusal(taken=premise(status), holder_id=None) == "premise_closed"


def test_the_holder_of_the_reservation_cannot_queue_for_it():
    assert not QueueEntry.can_join(RESERVED, 2, holder_id=2, waiting=[])
    assert refusal(client_id=2, holder_id=2) == "already_holder"


def test_a_client_queues_only_once_for_a_premise():
    waiting = queue(1, 3, 5)
    assert not QueueEntry.can_join(RESERVED, 5, holder_id=2, waiting=waiting)
    assert refusal(waiting=waiting) == "already_queued"


def test_the_own_manager_or_the_head_removes_a_client_and_no_other_manager():
    [entry] = queue(1, 3, manager_id=MANAGER.id)
    assert entry.can_remove(MANAGER)
    assert entry.can_remove(HEAD)
    assert not entry.can_remove(OTHER)
    with pytest.raises(ReservationError) as refused:
        entry.remove(OTHER, now=NOW)
    assert refused.value.code == "not_yours"
    assert entry.status == QueueStatus.waiting
    entry.remove(MANAGER, now=NOW)
    assert (entry.status, entry.ended_at) == (QueueStatus.removed, NOW)


def test_a_client_no_longer_waiting_is_not_removed_again():
    [entry] = queue(1, 3)
    entry.remove(HEAD, now=NOW)
    assert not entry.can_remove(HEAD)
    with pytest.raises(ReservationError) as refused:
        entry.remove(HEAD, now=NOW)
    assert refused.value.code == "not_waiting"


def test_only_the_head_of_sales_reorders_the_queue():
    waiting = queue(1, 3, 4)
    second = waiting[1]
    assert not second.can_move(MANAGER)
    with pytest.raises(ReservationError) as refused:
        second.move(waiting, -1, MANAGER)
    assert refused.value.code == "forbidden"
    assert [e.position for e in waiting] == [1, 2]
    assert second.can_move(HEAD)
    second.move(waiting, -1, HEAD)
    assert [(e.client_id, e.position) for e in waiting] == [(3, 2), (4, 1)]


def test_a_move_past_either_end_changes_nothing():
    waiting = queue(1, 3, 4)
    waiting[0].move(waiting, -1, HEAD)
    waiting[1].move(waiting, 1, HEAD)
    assert [e.position for e in waiting] == [1, 2]


def test_a_client_no_longer_waiting_is_not_moved():
    waiting = queue(1, 3, 4)
    gone = waiting.pop(0)
    gone.remove(HEAD, now=NOW)
    assert not gone.can_move(HEAD)
    with pytest.raises(ReservationError) as refused:
        gone.move(waiting, 1, HEAD)
    assert refused.value.code == "not_waiting"


def test_a_duplicate_place_is_closed_as_removed_once():
    [entry] = queue(1, 3)
    entry.drop_as_duplicate(now=NOW)
    assert (entry.status, entry.ended_at) == (QueueStatus.removed, NOW)
    with pytest.raises(ReservationError):
        entry.drop_as_duplicate(now=NOW)


def test_a_waiting_client_is_promoted_once():
    [entry] = queue(1, 3)
    assert entry.can_promote()
    entry.promote(now=NOW)
    assert (entry.status, entry.ended_at) == (QueueStatus.promoted, NOW)
    assert not entry.can_promote()
    with pytest.raises(ReservationError):
        entry.promote(now=NOW)
