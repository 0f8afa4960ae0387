"""Personal data in a real Chromium: a manager switches a demo buyer with a passport to
«Организация»; the analyst opening the card finds the change log with «скрыто» where the
passport and address were. A lawyer opening a reserved premise sees the reservation without
its client."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models.catalog.objects import Premise
from models.clients.client import Client
from models.sales.reservation import Reservation, ReservationStatus
from tests.e2e.browser_support import log_in
from web.extensions import db

pytestmark = pytest.mark.e2e

BUYER = "Иванов Алексей Сергеевич"  # the demo's first buyer: passport 45 10 500000


def _read(query):
    found = db.session.execute(query).first()
    db.session.rollback()  # hold no transaction while the server writes
    return found


def test_an_analyst_sees_hidden_documents_in_the_change_log_of_a_card_switched_to_a_company(
    new_page, live_server, demo_data, screenshot_dir
):
    (card_id,) = _read(select(Client.id).where(Client.full_name == BUYER))
    manager = new_page()
    log_in(manager, live_server, "sales_manager@demo.local")
    manager.goto(f"{live_server}/clients/{card_id}/edit")
    expect(manager.get_by_label("Номер паспорта")).to_have_value("500000")
    manager.get_by_label("Организация", exact=True).check()
    manager.get_by_role("textbox", name="ИНН").fill("7707083893")
    manager.get_by_role("button", name="Сохранить").click()
    manager.wait_for_url(re.compile(rf"/clients/{card_id}$"))

    analyst = new_page()
    log_in(analyst, live_server, "analyst@demo.local")
    analyst.goto(f"{live_server}/clients/{card_id}")
    changes = analyst.get_by_test_id("changes")
    changes.locator("summary").click()
    passport_row = changes.locator("tr", has_text="Номер паспорта")
    expect(passport_row).to_contain_text("скрыто")
    expect(analyst.locator("body")).not_to_contain_text("500000")
    expect(analyst.locator("body")).not_to_contain_text("ул. Садовая")
    expect(analyst.get_by_test_id("company-inn")).to_have_text("скрыто")
    analyst.screenshot(path=str(screenshot_dir / "changes-hidden-from-analyst.png"), full_page=True)


def test_a_lawyer_sees_a_reserved_premise_without_its_client(
    new_page, live_server, demo_data, screenshot_dir
):
    premise_id, client_name = _read(
        select(Premise.id, Client.full_name)
        .join(Reservation, Reservation.premise_id == Premise.id)
        .join(Client, Client.id == Reservation.client_id)
        .where(Reservation.status == ReservationStatus.active)
        .order_by(Reservation.id)
    )
    page = new_page()
    log_in(page, live_server, "lawyer@demo.local")
    page.goto(f"{live_server}/premises/{premise_id}")

    reservation = page.get_by_test_id("active-reservation")
    expect(reservation).to_contain_text("скрыто")
    expect(page.locator("body")).not_to_contain_text(client_name)
    page.screenshot(path=str(screenshot_dir / "premise-for-lawyer.png"), full_page=True)
