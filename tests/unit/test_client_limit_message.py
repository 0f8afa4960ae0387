"""What the reservation rules say: the client's limit (final online, with the approval at the
office) and a new term that is not later."""

from __future__ import annotations

import pytest

from models.sales.reservation import Channel, ClientLimit, ReservationError
from tests.unit.memory import reservation


def test_the_limit_message_offers_the_approval_at_the_office_only():
    limit = ClientLimit(limit=2, active=2)
    assert limit.message(Channel.online) == "У клиента уже 2 активных брони — это предел"
    assert limit.message(Channel.offline) == (
        "У клиента уже 2 активных брони — это предел; можно запросить согласование руководителя"
    )


def test_an_extension_to_a_term_not_later_says_why():
    made = reservation()
    with pytest.raises(ReservationError) as refused:
        made.require_extendable(made.expires_at)
    assert refused.value.message == "Новый срок должен быть позже текущего"
