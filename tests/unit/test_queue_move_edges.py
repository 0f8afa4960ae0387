"""Reordering a queue from a list read a moment ago: a place that left meanwhile is refused with
the reason, whichever way the list is stale; a manager is told who may reorder."""

from __future__ import annotations

import pytest

from models.sales.queue import QueueStatus
from models.sales.reservation import ReservationError
from models.users.user import Role
from tests.unit.memory import queue, user

HEAD, MANAGER = user(Role.head_of_sales, user_id=9), user(Role.sales_manager)
GONE = "Клиент уже не стоит в очереди"


def test_a_place_that_left_but_is_still_in_the_list_is_not_moved():
    waiting = queue(1, 3, 4)
    waiting[1].status = QueueStatus.removed  # the list was read before it left
    with pytest.raises(ReservationError) as refused:
        waiting[1].move(waiting, -1, HEAD)
    assert (refused.value.code, refused.value.message) == ("not_waiting", GONE)
    assert [e.position for e in waiting] == [1, 2]


def test_a_waiting_place_missing_from_the_list_is_refused_not_moved():
    waiting = queue(1, 3, 4)
    missing = waiting.pop()
    with pytest.raises(ReservationError) as refused:
        missing.move(waiting, -1, HEAD)
    assert (refused.value.code, refused.value.message) == ("not_waiting", GONE)


def test_a_manager_is_told_who_reorders_the_queue():
    waiting = queue(1, 3, 4)
    with pytest.raises(ReservationError) as refused:
        waiting[1].move(waiting, -1, MANAGER)
    assert refused.value.message == "Менять порядок очереди может руководитель отдела продаж"
