"""Who is offered to create a client card: those who create and edit cards, nobody else."""

from __future__ import annotations

import pytest

from models.users.user import Role

# Written out, not imported: the roles that create and edit client cards.
CARD_EDITORS = {Role.admin, Role.head_of_sales, Role.sales_manager}
CLIENT_READERS = CARD_EDITORS | {Role.mortgage_broker, Role.analyst, Role.marketer}


@pytest.mark.parametrize("role", sorted(CLIENT_READERS), ids=str)
def test_the_client_list_offers_a_new_card_to_card_editors_only(client, login_as, role):
    login_as(role)
    page = client.get("/clients")
    assert page.status_code == 200
    offered = "Новый клиент" in page.get_data(as_text=True)
    assert offered is (role in CARD_EDITORS)
