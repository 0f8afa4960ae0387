"""A reservation, the offline queue behind it and the hand-over on expiry, in a real Chromium.

The admin shortens the office reservation term to 5 seconds on the settings page. A manager
reserves a free flat from the chessboard for a new client; a second manager puts another client
in the queue for it and the chessboard cell shows «+1» (inside the cell, not clipped). The admin
puts the term back to 3 days; the first term passes and one engine tick (what Celery beat runs
every 10 s) expires the reservation and hands the flat to the queue with a new 3-day
reservation; the second manager confirms it from the inbox and its card says «из очереди
(подтверждена)»."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.core.tick import run_until_idle
from models.catalog.objects import Building, Premise, PremiseKind, PremiseStatus
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Reservation, ReservationStatus
from models.users.user import Role
from tests.e2e.browser_support import DEMO_PASSWORD, log_in, nav
from tests.factories import users
from web.extensions import db

pytestmark = pytest.mark.e2e

TERM = "PT5S"
SECOND_MANAGER = ("sales2@demo.local", "Игорь Смирнов")
FIRST_CLIENT = ("+7 916 123-45-67", "Петров Алексей Иванович")
QUEUED_CLIENT = ("8 (903) 765-43-21", "Кузнецова Мария Сергеевна")
DATE_TIME = re.compile(r"\d\d\.\d\d\.\d{4} \d\d:\d\d")
TASK_URL = re.compile(r"/inbox/tasks/\d+$")
INBOX_URL = re.compile(r"/inbox/(\?.*)?$")
RESERVATION_URL = re.compile(r"/reservations/(\d+)$")


def free_flat() -> tuple[int, str, str]:
    """A free flat of the demo data: its id, number and building name."""
    premise = db.session.scalars(
        select(Premise)
        .where(Premise.status == PremiseStatus.available, Premise.kind == PremiseKind.apartment)
        .order_by(Premise.id)
        .limit(1)
    ).one()
    found = premise.id, premise.number, db.session.get(Building, premise.building_id).name
    db.session.rollback()  # hold no transaction while the server writes
    return found


def add_second_manager() -> None:
    email, name = SECOND_MANAGER
    users.user(db.session, Role.sales_manager, email, DEMO_PASSWORD, full_name=name)
    db.session.commit()  # the live server reads it on a connection of its own


def reservations_of(premise_id: int) -> list[SimpleNamespace]:
    """Snapshots of the premise's reservations, oldest first; no transaction is left open."""
    db.session.expire_all()
    found = [
        SimpleNamespace(
            id=r.id,
            status=r.status,
            from_queue=r.from_queue,
            starts_at=r.starts_at,
            expires_at=r.expires_at,
            confirmed_at=r.confirmed_at,
            client=r.client.full_name,
            manager=r.manager.email if r.manager else None,
        )
        for r in db.session.scalars(
            select(Reservation).where(Reservation.premise_id == premise_id).order_by(Reservation.id)
        )
    ]
    db.session.rollback()
    return found


def cell_of(page, premise_id: int):
    return page.locator(f'[data-testid=chessboard] a.cell[href$="/premises/{premise_id}"]')


def client_form(page, phone: str, name: str) -> None:
    page.get_by_label("Телефон клиента").fill(phone)
    page.get_by_label("ФИО").fill(name)
    page.get_by_label("согласие на обработку персональных данных").check()


def inside(inner: dict, outer: dict) -> bool:
    """Whether box `inner` lies within box `outer` (the cell hides what overflows it)."""
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def shown(page, term: str):
    """The value of `term` in the card's description list."""
    return page.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def test_an_expired_reservation_passes_to_the_queue_and_is_confirmed_from_the_inbox(
    new_page, live_server, clock, demo_data, screenshot_dir
):
    shots = screenshot_dir
    premise_id, number, building = free_flat()
    add_second_manager()
    card_url = f"{live_server}/premises/{premise_id}"

    # 1. The admin makes the office term 5 seconds on the settings page.
    admin = new_page()
    log_in(admin, live_server, "admin@demo.local")
    nav(admin, "Настройки").click()
    admin.wait_for_url(re.compile(r"/admin/settings$"))
    term_row = admin.locator('tr[id="setting-reservation.term.offline"]')
    term_row.get_by_label("Новое значение").fill(TERM)
    term_row.get_by_role("button", name="Сохранить").click()
    admin.wait_for_url(re.compile(r"/admin/settings(\?.*)?$"))
    expect(admin.get_by_text("Сохранено: «Срок брони в офисе» = PT5S — 5 секунд")).to_be_visible()
    term_row = admin.locator('tr[id="setting-reservation.term.offline"]')
    expect(term_row).to_have_attribute("data-source", "global")
    expect(term_row.get_by_test_id("global")).to_contain_text("PT5S — 5 секунд")
    window_row = admin.locator('tr[id="setting-queue.acceptance_window"]')
    expect(window_row).to_have_attribute("data-source", "default")  # a day to confirm
    admin.screenshot(path=str(shots / "1-settings-term.png"))

    # 2. Manager 1 reserves the free flat from the chessboard for a new client.
    first = new_page()
    log_in(first, live_server, "sales_manager@demo.local")
    first.get_by_role("link", name=f"Шахматка: {building}").click()
    first.wait_for_url(re.compile(r"/buildings/\d+/chessboard$"))
    chessboard_url = first.url
    cell = cell_of(first, premise_id)
    expect(cell).to_have_attribute("data-status", "available")
    expect(cell).to_have_class(re.compile(r"\bst-available\b"))
    cell.click()
    first.wait_for_url(card_url)
    expect(first.get_by_test_id("premise-status")).to_have_text("Свободно")
    first.get_by_test_id("reserve").click()
    first.wait_for_url(f"{card_url}/reserve")
    client_form(first, *FIRST_CLIENT)
    first.screenshot(path=str(shots / "2-reserve-form.png"))
    first.get_by_role("button", name="Поставить бронь").click()
    first.wait_for_url(RESERVATION_URL)
    held_url = first.url
    expect(first.get_by_test_id("reservation-status")).to_have_text("Действует")
    expect(first.get_by_test_id("expires-at")).to_have_text(DATE_TIME)
    expect(first.get_by_text("Бронь поставлена до")).to_be_visible()
    expect(shown(first, "Клиент")).to_have_text(FIRST_CLIENT[1])
    expect(shown(first, "Канал")).to_have_text("Офис")
    first.screenshot(path=str(shots / "3-reservation-active.png"))
    [held] = reservations_of(premise_id)
    assert held.status == ReservationStatus.active and not held.from_queue
    assert held.expires_at - held.starts_at == timedelta(seconds=5)
    assert held_url.endswith(f"/reservations/{held.id}")

    first.goto(chessboard_url)
    cell = cell_of(first, premise_id)
    expect(cell).to_have_class(re.compile(r"\bst-reserved\b"))
    expect(cell).to_have_attribute("data-status", "reserved")
    expect(cell.get_by_test_id("queue-count")).to_have_count(0)

    # 3. Manager 2 queues another client for the same flat.
    second = new_page()
    log_in(second, live_server, SECOND_MANAGER[0])
    second.goto(card_url)
    expect(second.get_by_test_id("premise-status")).to_have_text("Бронь")
    expect(second.get_by_test_id("reserve")).to_have_count(0)
    expect(second.get_by_test_id("active-reservation")).to_contain_text(FIRST_CLIENT[1])
    second.get_by_test_id("enqueue").click()
    second.wait_for_url(f"{card_url}/queue")
    client_form(second, *QUEUED_CLIENT)
    second.get_by_role("button", name="Поставить в очередь").click()
    second.wait_for_url(card_url)
    expect(second.get_by_text("Клиент поставлен в очередь: место 1")).to_be_visible()
    queue_rows = second.get_by_test_id("queue").locator("tbody tr")
    expect(queue_rows).to_have_count(1)
    expect(queue_rows.first.locator("td").nth(0)).to_have_text("1")
    expect(queue_rows.first.locator("td").nth(1)).to_have_text(QUEUED_CLIENT[1])
    expect(queue_rows.first.locator("td").nth(2)).to_have_text(SECOND_MANAGER[1])
    second.screenshot(path=str(shots / "4-premise-queue.png"), full_page=True)

    first.reload()
    cell = cell_of(first, premise_id)
    badge = cell.get_by_test_id("queue-count")
    expect(badge).to_have_text("+1")
    cell.scroll_into_view_if_needed()
    assert inside(badge.bounding_box(), cell.bounding_box()), "the badge is clipped by the cell"
    first.screenshot(path=str(shots / "5-chessboard-queue-badge.png"))
    cell.screenshot(path=str(shots / "5b-cell-queue-badge.png"))

    # The admin puts the office term back to 3 days: the reservation already made keeps its
    # 5 seconds, the one the queue gets next is made with 3 days.
    admin.reload()
    term_row = admin.locator('tr[id="setting-reservation.term.offline"]')
    term_row.get_by_role("button", name="Сбросить к значению по умолчанию").click()
    admin.wait_for_url(re.compile(r"/admin/settings(\?.*)?$"))
    reset = admin.get_by_text("«Срок брони в офисе»: возвращено значение по умолчанию")
    expect(reset).to_be_visible()
    expect(admin.locator('tr[id="setting-reservation.term.offline"]')).to_have_attribute(
        "data-source", "default"
    )

    # 4. The term passes; the beat's tick expires the reservation and serves the queue.
    clock.set(held.expires_at + timedelta(seconds=1))
    result = run_until_idle(db.session)
    assert result.errors == 0
    assert result.timers >= 1
    expired, offered = reservations_of(premise_id)
    assert expired.id == held.id and expired.status == ReservationStatus.expired
    assert offered.status == ReservationStatus.active
    assert offered.from_queue and offered.confirmed_at is None
    assert offered.client == QUEUED_CLIENT[1]
    assert offered.manager == SECOND_MANAGER[0]
    assert offered.expires_at - offered.starts_at == timedelta(days=3)
    entry = db.session.scalars(select(QueueEntry).where(QueueEntry.premise_id == premise_id)).one()
    assert entry.status == QueueStatus.promoted
    db.session.rollback()

    first.goto(held_url)
    expect(first.get_by_test_id("reservation-status")).to_have_text("Истекла")
    expect(shown(first, "Причина снятия")).to_have_text("истёк срок брони")
    expect(first.get_by_role("button", name="Продлить")).to_have_count(0)
    first.screenshot(path=str(shots / "6-reservation-expired.png"), full_page=True)

    first.goto(chessboard_url)
    cell = cell_of(first, premise_id)
    expect(cell).to_have_class(re.compile(r"\bst-reserved\b"))
    expect(cell.get_by_test_id("queue-count")).to_have_count(0)
    cell.screenshot(path=str(shots / "6b-cell-reserved-again.png"))
    first.goto(card_url)
    expect(first.get_by_test_id("premise-status")).to_have_text("Бронь")
    expect(first.get_by_test_id("active-reservation")).to_contain_text(QUEUED_CLIENT[1])
    expect(first.get_by_test_id("queue")).to_have_count(0)

    # 5. Manager 2 confirms the queued reservation from the inbox.
    nav(second, "Входящие").click()
    second.wait_for_url(INBOX_URL)
    title = f"Подтвердите бронь из очереди: № {number}, клиент {QUEUED_CLIENT[1]}"
    row = second.get_by_test_id("inbox").locator("tbody tr", has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).to_have_text(SECOND_MANAGER[1])
    expect(row.locator("td").nth(4)).to_have_text(DATE_TIME)
    second.screenshot(path=str(shots / "7-inbox-confirm-offer.png"))
    row.get_by_role("link", name=title).click()
    second.wait_for_url(TASK_URL)
    expect(second.get_by_test_id("task-title")).to_have_text(title)
    expect(second.get_by_test_id("assignee")).to_have_text(SECOND_MANAGER[1])
    second.get_by_label("Клиент подтвердил бронь").check()
    second.screenshot(path=str(shots / "8-confirm-task.png"))
    second.get_by_role("button", name="Выполнить").click()
    second.wait_for_url(INBOX_URL)
    expect(second.get_by_text(f"Задача «{title}» выполнена")).to_be_visible()
    expect(second.get_by_test_id("inbox").locator("tbody tr", has_text=title)).to_have_count(0)

    second.goto(card_url)
    second.get_by_test_id("active-reservation").get_by_role("link").click()
    second.wait_for_url(f"{live_server}/reservations/{offered.id}")
    expect(shown(second, "Канал")).to_have_text("Офис, из очереди (подтверждена)")
    expect(shown(second, "Клиент")).to_have_text(QUEUED_CLIENT[1])
    expect(second.get_by_test_id("reservation-status")).to_have_text("Действует")
    second.screenshot(path=str(shots / "9-reservation-confirmed.png"), full_page=True)

    [*_, confirmed] = reservations_of(premise_id)
    assert confirmed.id == offered.id and confirmed.confirmed_at is not None
