"""The client card in a real Chromium: a manager creates a card, is stopped by a wrong ИНН
(the message under the field, nothing saved), fixes it, then finds the client from the search
box in the header by typing the phone another way; the head of sales merges a duplicate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from engine.clients import use_cases as clients
from models.clients.client import Client
from tests.e2e.browser_support import log_in, nav
from web.extensions import db

pytestmark = pytest.mark.e2e

CARD_URL = re.compile(r"/clients/(\d+)$")


def client_count() -> int:
    count = db.session.scalar(select(func.count()).select_from(Client))
    db.session.rollback()  # hold no transaction while the server writes
    return count


def test_a_manager_creates_a_card_and_finds_it_by_a_phone_typed_another_way(
    new_page, live_server, demo_data, screenshot_dir
):
    before = client_count()  # the demo's own clients
    page = new_page()
    log_in(page, live_server, "sales_manager@demo.local")
    nav(page, "Клиенты").click()
    page.get_by_role("link", name="Новый клиент").click()

    page.get_by_label("ФИО / наименование организации").fill("Петрова Анна Сергеевна")
    page.get_by_label("Телефоны").fill("8 916 123-45-67")
    page.get_by_label("Эл. почта", exact=True).fill("anna.petrova@mail.ru")
    page.get_by_label("ИНН").fill("500100732258")
    page.get_by_label("Дата рождения").fill("17.05.1990")
    page.get_by_label("согласие на обработку персональных данных").check()
    page.get_by_role("button", name="Сохранить").click()

    inn = page.get_by_label("ИНН")
    expect(inn).to_have_class(re.compile("is-invalid"))
    error = inn.locator("xpath=following-sibling::div[contains(@class,'invalid-feedback')][1]")
    expect(error).to_have_text("ИНН не проходит проверку контрольной суммы")
    page.screenshot(path=str(screenshot_dir / "client-form-error.png"), full_page=True)
    assert client_count() == before  # refused: nothing written

    inn.fill("500100732259")
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url(CARD_URL)
    expect(page.get_by_test_id("client-name")).to_have_text("Петрова Анна Сергеевна")
    expect(page.get_by_test_id("phones")).to_have_text("+7 916 123-45-67")
    expect(page.get_by_test_id("no-consent")).to_have_count(0)

    search = page.get_by_test_id("client-search").get_by_role("searchbox")
    search.fill("+7 (916) 1234567")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/clients\?q="))
    page.get_by_test_id("clients").get_by_role("link", name="Петрова Анна Сергеевна").click()
    page.wait_for_url(CARD_URL)
    page.screenshot(path=str(screenshot_dir / "client-card.png"), full_page=True)


def test_the_head_of_sales_merges_a_duplicate_and_keeps_both_phones(
    new_page, live_server, demo_data, screenshot_dir
):
    keep = clients.create(
        db.session,
        {"full_name": "Сидоров Пётр", "phones": ["+79161112233"], "emails": ["petr@mail.ru"]},
        kind="person",
        manager_id=None,
        user_id=None,
    )
    drop = clients.create(
        db.session,
        {"full_name": "Сидоров П.", "phones": ["+79035554433"], "emails": ["petr@mail.ru"]},
        kind="person",
        manager_id=None,
        user_id=None,
    )
    db.session.commit()
    keep_id, drop_id = keep.id, drop.id
    page = new_page()
    log_in(page, live_server, "head_of_sales@demo.local")

    page.goto(f"{live_server}/clients/{keep_id}")
    expect(page.get_by_test_id("duplicates")).to_contain_text("Сидоров П.")
    page.get_by_test_id("duplicates").get_by_role("link", name="объединить").click()
    page.screenshot(path=str(screenshot_dir / "client-merge.png"), full_page=True)
    page.get_by_role("button", name="Объединить").click()

    page.wait_for_url(re.compile(rf"/clients/{keep_id}$"))
    expect(page.get_by_test_id("phones")).to_contain_text("+7 903 555-44-33")
    page.goto(f"{live_server}/clients/{drop_id}")
    page.wait_for_url(re.compile(rf"/clients/{keep_id}$"))
