"""Where a person's documents may not travel: the notification texts (staff emails, in-app
notices and the timeline are read by roles that must not see them)."""

from __future__ import annotations

import pytest

from engine.notifications.catalog import CLIENT_NAME, EVENTS, Event, placeholder
from models.clients.personal_data import PERSONAL_FIELDS


@pytest.mark.parametrize("name", sorted(PERSONAL_FIELDS))
def test_an_event_cannot_offer_a_persons_document_to_its_texts(name):
    with pytest.raises(ValueError, match="person's documents"):
        Event(
            "contract_ready",
            "Договор готов",
            {"client_name": CLIENT_NAME, name: placeholder("Документ клиента", "4510 123456")},
            staff_email=("Договор: {client_name}", "Данные клиента: {" + name + "}"),
        )


def test_no_declared_event_offers_one():
    assert all(not set(e.placeholders) & PERSONAL_FIELDS for e in EVENTS.values())
