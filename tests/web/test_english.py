"""The daily sales pages render in English with `?lang=en` and stay Russian with `?lang=ru`."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

from models.users.user import Role

CATALOG = Path(__file__).resolve().parents[2] / "web" / "translations" / "en" / "LC_MESSAGES"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalog():
    """Compile the English catalog if `make translations` has not (or the .po is newer)."""
    po, mo = CATALOG / "messages.po", CATALOG / "messages.mo"
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source:
            catalog = read_po(source, locale="en")
        with mo.open("wb") as target:
            write_mo(target, catalog)


@pytest.fixture
def premise(make_building, make_premise):
    return make_premise(make_building(), number="42", price="10000000.00")


def page(client, url: str, lang: str) -> str:
    # Requests share the test's app context, where Flask-Babel caches the locale.
    refresh()
    response = client.get(url, query_string={"lang": lang})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_daily_pages_switch_to_english_and_back(client, login_as, premise):
    login_as(Role.sales_manager)
    building = premise.building

    chessboard = page(client, f"/buildings/{building.id}/chessboard", "en")
    assert "Chessboard" in chessboard
    assert "Matching 1 of 1" in chessboard
    assert "Шахматка" not in chessboard

    card = page(client, f"/premises/{premise.id}", "en")
    assert "Price and status history" in card
    assert "Reserve" in card

    assert "Construction projects" in page(client, "/projects", "en")
    assert "Inbox" in page(client, "/inbox/", "en")
    assert "Reservations" in page(client, "/reservations", "en")
    assert "New client" in page(client, "/clients", "en")

    russian = page(client, f"/buildings/{building.id}/chessboard", "ru")
    assert "Шахматка" in russian
    assert "Подходит 1 из 1" in russian
    assert "Chessboard" not in russian
    assert "Входящие задачи" in page(client, "/inbox/", "ru")
