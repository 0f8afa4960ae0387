"""A failed reservation process never holds its premise, in a real Chromium (issue 13, § 1).

A manager reserves a free flat («Забронировать квартиру № …») and types a payment of
-5 000 ₽: the card refuses it at the field and keeps what was typed; no success message. Then a
step nobody waits on fails (as a timer's would) and the process stops in error; the monitor
lists the flat as held without a live process. The admin opens the process, cancels it with a
reason, reads what the cancel gave back, and the flat is free again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.core import runtime
from models.catalog.objects import Premise, PremiseKind, PremiseStatus
from models.process.instance import ProcessBusinessKey, ProcessInstance, ProcessStatus
from models.sales.reservation import Reservation
from tests.e2e.browser_support import log_in
from web.extensions import db

pytestmark = pytest.mark.e2e

RESERVATION_URL = re.compile(r"/reservations/(\d+)$")
INSTANCE_URL = re.compile(r"/processes/instances/\d+$")


def free_flat() -> tuple[int, str]:
    premise = db.session.scalars(
        select(Premise)
        .where(Premise.status == PremiseStatus.available, Premise.kind == PremiseKind.apartment)
        .order_by(Premise.id.desc())
        .limit(1)
    ).one()
    found = premise.id, premise.number
    db.session.rollback()
    return found


def status_of(premise_id: int) -> PremiseStatus:
    db.session.expire_all()
    status = db.session.get(Premise, premise_id).status
    db.session.rollback()
    return status


def fail_the_process(reservation_id: int) -> None:
    """A step no person waits on (a followup, a timer) that a rule refuses: the instance goes
    to `error` holding the flat — what a payment of -5 000 ₽ did before § 1."""
    runtime.send_message(
        db.session,
        "reservation_event",
        "reservation_id",
        reservation_id,
        {"outcome": "paid", "fee": "-5000"},
        refuse=False,
    )
    db.session.commit()
    instance = db.session.scalars(
        select(ProcessInstance)
        .join(ProcessBusinessKey)
        .where(
            ProcessInstance.process_id == "reservation",
            ProcessBusinessKey.name == "reservation_id",
            ProcessBusinessKey.value == str(reservation_id),
        )
    ).one()
    assert instance.status == ProcessStatus.error
    db.session.rollback()


def test_a_failed_reservation_process_is_cancelled_and_the_flat_is_free_again(
    new_page, live_server, demo_data, screenshot_dir
):
    premise_id, number = free_flat()

    manager = new_page()
    log_in(manager, live_server, "sales_manager@demo.local")
    manager.goto(f"{live_server}/premises/{premise_id}")
    manager.get_by_test_id("reserve").click()
    heading = manager.get_by_role("heading", name=f"Забронировать квартиру № {number}")
    expect(heading).to_be_visible()
    manager.get_by_label("Телефон клиента").fill("+7 916 555-44-33")
    manager.get_by_label("ФИО").fill("Фёдоров Игорь Петрович")
    manager.get_by_label("согласие на обработку персональных данных").check()
    manager.get_by_role("button", name="Поставить бронь").click()
    manager.wait_for_url(RESERVATION_URL)
    reservation_id = int(RESERVATION_URL.search(manager.url).group(1))

    manager.get_by_label("Сумма оплаты, ₽").fill("-5 000")
    manager.get_by_role("button", name="Зарегистрировать оплату").click()
    expect(manager.get_by_text("Сумма оплаты должна быть больше нуля")).to_be_visible()
    expect(manager.get_by_label("Сумма оплаты, ₽")).to_have_value("-5 000")
    expect(manager.get_by_text("Оплата зарегистрирована")).to_have_count(0)
    manager.screenshot(path=str(screenshot_dir / "failed-1-payment-refused.png"))
    db.session.expire_all()
    assert not db.session.get(Reservation, reservation_id).is_paid
    db.session.rollback()
    assert status_of(premise_id) == PremiseStatus.reserved

    fail_the_process(reservation_id)

    admin = new_page()
    admin.on("dialog", lambda dialog: dialog.accept())
    log_in(admin, live_server, "admin@demo.local")
    admin.goto(f"{live_server}/processes/instances")
    held = admin.get_by_test_id("held-premises").locator(f'tr[data-premise-id="{premise_id}"]')
    expect(held).to_contain_text(f"№ {number}")
    expect(held).to_contain_text("процесс брони: «Ошибка»")
    admin.screenshot(path=str(screenshot_dir / "failed-2-monitor-held.png"), full_page=True)

    held.locator("td").nth(3).get_by_role("link").click()
    admin.wait_for_url(INSTANCE_URL)
    expect(admin.get_by_test_id("instance-status")).to_have_text("Ошибка")
    admin.get_by_test_id("cancel-open").click()
    form = admin.get_by_test_id("cancel-form")
    expect(form).to_contain_text("При отмене: бронь снимается, помещение освобождается")
    form.get_by_label("Причина отмены").fill("ошибочная сумма оплаты")
    admin.screenshot(path=str(screenshot_dir / "failed-3-cancel-form.png"))
    form.get_by_role("button", name="Отменить процесс").click()
    expect(admin.get_by_text("Процесс отменён. Бронь снята, помещение свободно")).to_be_visible()
    expect(admin.get_by_test_id("instance-status")).to_have_text("Отменён")
    admin.screenshot(path=str(screenshot_dir / "failed-4-cancelled.png"))

    assert status_of(premise_id) == PremiseStatus.available
    admin.goto(f"{live_server}/processes/instances")
    expect(
        admin.get_by_test_id("held-premises").locator(f'tr[data-premise-id="{premise_id}"]')
    ).to_have_count(0)
