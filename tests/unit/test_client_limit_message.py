"""What the client's limit says: online it is final, at the office it offers the approval."""

from __future__ import annotations

from models.sales.reservation import Channel, ClientLimit


def test_the_limit_message_offers_the_approval_at_the_office_only():
    limit = ClientLimit(limit=2, active=2)
    assert limit.message(Channel.online) == "У клиента уже 2 активных брони — это предел"
    assert limit.message(Channel.offline) == (
        "У клиента уже 2 активных брони — это предел; можно запросить согласование руководителя"
    )
