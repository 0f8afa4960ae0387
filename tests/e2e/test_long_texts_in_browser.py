"""Long texts a real user pastes, in a real Chromium (issue 13, § 3): an unbroken name as long
as a card takes (300 characters; a 6,000-character paste is refused by the card's form) wraps
inside the client list instead of pushing the page sideways; 6,000 characters pasted into the
search box are cut to what a search needs, so the server never answers with its own English
«URI Too Long»."""

from __future__ import annotations

import pytest

from tests.e2e.browser_support import log_in
from tests.factories import clients
from web.extensions import db

pytestmark = pytest.mark.e2e

LONG = "Ы" * 6000
LONGEST_NAME = "Ы" * 300  # Client.full_name's limit


def test_the_longest_unbroken_name_stays_inside_the_page(
    page, live_server, demo_data, screenshot_dir
):
    clients.client(db.session, LONGEST_NAME, "+7 916 000-11-22")
    db.session.commit()
    log_in(page, live_server, "sales_manager@demo.local")
    page.goto(f"{live_server}/clients?q=ЫЫЫ")
    page.get_by_role("link", name=LONGEST_NAME[:50], exact=False).first.wait_for()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.screenshot(path=str(screenshot_dir / "long-name-client-list.png"))


def test_a_pasted_six_thousand_characters_in_the_search_are_cut_not_refused(
    page, live_server, demo_data
):
    log_in(page, live_server, "sales_manager@demo.local")
    search = page.get_by_role("searchbox", name="Поиск клиентов")
    search.fill(LONG)
    assert len(search.input_value()) == 100
    search.press("Enter")
    page.wait_for_load_state()
    assert "/clients?q=" in page.url
    assert "URI Too Long" not in page.content()
    assert page.get_by_role("heading", name="Клиенты").first.is_visible()
