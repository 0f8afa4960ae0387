"""Hostile input in a real browser: a NUL byte pasted into a form field is answered with a Russian
message under that field, the form kept as typed and nothing saved; a page address with an id
beyond the database's integer is the «not found» page, never a server error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.clients.client import Client
from models.db.bounds import UNSTORABLE_TEXT
from tests.e2e.browser_support import log_in
from web.extensions import db

pytestmark = pytest.mark.e2e


def clients_named(name: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Client).where(Client.full_name.like(f"{name}%"))
    )


def test_a_nul_byte_in_a_client_name_is_refused_under_the_field(page, live_server, demo_data):
    log_in(page, live_server, "sales_manager@demo.local")
    page.goto(f"{live_server}/clients/new")
    page.locator('[name="phones"]').fill("+7 916 555-44-33")
    # A NUL cannot be typed, but it can be pasted or sent by a script: set it as a paste would.
    page.locator('[name="full_name"]').evaluate("el => el.value = 'Нулёва\\u0000 Анна'")
    page.locator('[name="consent_personal_data"]').check()

    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state()

    group = page.locator(".mb-3", has=page.locator('[name="full_name"]'))
    assert group.get_by_text(UNSTORABLE_TEXT).is_visible()
    assert page.locator('[name="phones"]').input_value() == "+7 916 555-44-33"
    assert clients_named("Нулёва") == 0


def test_an_id_beyond_the_database_in_an_address_is_not_found(page, live_server, demo_data):
    log_in(page, live_server, "sales_manager@demo.local")

    answer = page.goto(f"{live_server}/clients/{2**63}")

    assert answer.status == 404
    assert page.get_by_text("Такой страницы или записи нет.").is_visible()
