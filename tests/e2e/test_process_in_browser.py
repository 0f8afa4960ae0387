"""The price-change process run end to end from the inbox in a real Chromium.

A sales manager asks for a 10 % cut on a free flat, the head of sales finds the approval in
their inbox, its 4-hour deadline passes (engine.tick is called with a clock past it) and the
admin sees the escalation, the head of sales approves, the card shows the new price and the
monitor shows the path taken on the diagram.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.core.tick import tick
from models.catalog.objects import Premise, PremiseKind, PremiseStatus
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessBusinessKey, ProcessInstance, ProcessStatus
from models.users.user import User
from tests.e2e.browser_support import log_in, nav
from web.extensions import db
from web.formatting import money, ru_datetime

pytestmark = pytest.mark.e2e

DATE_TIME = re.compile(r"\d\d\.\d\d\.\d{4} \d\d:\d\d")
INBOX_URL = re.compile(r"/inbox/(\?.*)?$")
TASK_URL = re.compile(r"/inbox/tasks/\d+$")
REASON_REQUIRED = "Объясните решение: комментарий обязателен"
TAKEN = [
    "start",
    "flow_start",
    "propose_price",
    "flow_proposed",
    "needs_approval",
    "flow_to_approval",
    "approve_price_change",
    "flow_to_decision",
    "decision",
    "flow_approved",
    "change_price",
    "flow_changed",
    "end_changed",
]
NOT_TAKEN = [
    "flow_no_approval",
    "flow_rejected",
    "end_rejected",
    "flow_returned",
    "review_failed_change",
    "end_failed",
]


def plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def free_flat() -> tuple[int, str, Decimal]:
    premise = db.session.scalars(
        select(Premise)
        .where(Premise.status == PremiseStatus.available, Premise.kind == PremiseKind.apartment)
        .order_by(Premise.id)
        .limit(1)
    ).one()
    found = premise.id, premise.number, premise.price
    db.session.rollback()  # hold no transaction while the server writes
    return found


def deep_cut(price: Decimal) -> Decimal:
    """10 % off, rounded down to a thousand roubles: well past the 3 % approval threshold."""
    return (price * Decimal("0.9")) // 1000 * 1000


def typed(price: Decimal) -> str:
    """The price as a Russian user types it: «9 000 000»."""
    return f"{int(price):,}".replace(",", " ")


def open_approval(premise_id: int) -> HumanTask:
    """The open price approval of this premise (the demo has approvals of its own waiting)."""
    db.session.expire_all()
    return db.session.scalars(
        select(HumanTask)
        .join(ProcessBusinessKey, ProcessBusinessKey.instance_id == HumanTask.instance_id)
        .where(
            HumanTask.task_name == "approve_price_change",
            HumanTask.status == HumanTaskStatus.open,
            ProcessBusinessKey.name == "premise_id",
            ProcessBusinessKey.value == str(premise_id),
        )
    ).one()


def current_price(premise_id: int) -> Decimal:
    db.session.expire_all()
    price = db.session.get(Premise, premise_id).price
    db.session.rollback()
    return price


def request_a_cut(page, base_url: str, premise_id: int, number: str, new_price: Decimal, shots):
    """As the manager: from the premise card to the inbox, via the proposal form."""
    log_in(page, base_url, "sales_manager@demo.local")
    page.goto(f"{base_url}/premises/{premise_id}")
    assert page.get_by_test_id("premise-status").inner_text().strip() == "Свободно"
    page.get_by_test_id("request-price-change").click()
    page.wait_for_url(re.compile(rf"/premises/{premise_id}/price-change$"))
    assert f"№ {number}" in page.get_by_test_id("task-title").inner_text()
    assert "больше чем на 3 %" in page.get_by_test_id("task-details").inner_text()

    page.get_by_label("Новая цена").fill(typed(new_price))
    page.get_by_label("Обоснование").fill("Акция выходного дня: покупатель готов выйти на сделку")
    if shots:
        page.screenshot(path=str(shots / "1-task-form.png"))
    page.get_by_role("button", name="Отправить запрос").click()
    page.wait_for_url(re.compile(rf"/premises/{premise_id}$"))
    page.get_by_text(f"Запрос отправлен: Согласовать цену № {number}").wait_for()


def find_approval(page, base_url: str, number: str, shots=None):
    """As the head of sales: «Входящие» → «Доступные» → the approval of this premise."""
    log_in(page, base_url, "head_of_sales@demo.local")
    nav(page, "Входящие").click()
    page.wait_for_url(INBOX_URL)
    page.get_by_test_id("tab-available").click()
    page.wait_for_url(re.compile(r"tab=available"))
    row = page.get_by_test_id("inbox").locator("tbody tr", has_text=f"№ {number}:")
    assert row.count() == 1
    assert row.get_by_text("согласование").is_visible()
    assert DATE_TIME.search(row.locator("td").nth(4).inner_text())
    if shots:
        page.screenshot(path=str(shots / "2-inbox-head-of-sales.png"))
    row.get_by_role("link").click()
    page.wait_for_url(TASK_URL)
    assert f"Согласовать цену № {number}:" in page.get_by_test_id("task-title").inner_text()


def shown(page, term: str) -> str:
    """The value of `term` in the task's description list."""
    return page.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]").inner_text()


def test_a_price_cut_is_approved_after_escalation_and_shown_on_the_diagram(
    new_page, live_server, demo_data, screenshot_dir
):
    premise_id, number, old_price = free_flat()
    new_price = deep_cut(old_price)
    manager = new_page()
    request_a_cut(manager, live_server, premise_id, number, new_price, screenshot_dir)
    manager.screenshot(path=str(screenshot_dir / "3-inbox-manager.png"))

    head = new_page()
    find_approval(head, live_server, number, screenshot_dir)
    approval = open_approval(premise_id)
    assert approval.due_at - approval.created_at == timedelta(hours=4)
    assert approval.escalated_at is None
    due_at, instance_id = approval.due_at, approval.instance_id
    db.session.rollback()
    assert ru_datetime(due_at) in shown(head, "Срок")
    assert "просрочена" not in shown(head, "Срок")
    head.get_by_label("Решение").wait_for()
    head.screenshot(path=str(screenshot_dir / "4-approval-form.png"))

    # Four hours pass: one tick with the clock a minute past the deadline.
    result = tick(db.session, now=due_at + timedelta(minutes=1))
    db.session.commit()
    assert result.escalations >= 1  # ours, and any of the demo's own that fell due
    assert open_approval(premise_id).escalated_at is not None
    db.session.rollback()

    admin = new_page()
    log_in(admin, live_server, "admin@demo.local")
    counter = admin.get_by_test_id("notifications").locator(".badge")
    assert int(counter.inner_text().strip()) >= 1
    admin.get_by_test_id("notifications").click()
    admin.wait_for_url(re.compile(r"/inbox/notifications$"))
    overdue = re.compile(re.escape(f"Просрочена задача «Согласовать цену № {number}:"))
    admin.get_by_role("link", name=overdue).click()
    admin.wait_for_url(TASK_URL)
    assert "эскалация" in admin.locator("p.text-muted .badge").inner_text()
    nav(admin, "Входящие").click()
    admin.get_by_test_id("tab-all").click()
    admin.wait_for_url(re.compile(r"tab=all"))
    row = admin.get_by_test_id("inbox").locator("tbody tr", has_text=f"№ {number}:")
    assert row.locator(".badge", has_text="эскалация").is_visible()
    admin.screenshot(path=str(screenshot_dir / "5-inbox-admin-escalated.png"))

    head.reload()
    assert "эскалация" in head.locator("p.text-muted").inner_text()
    head.get_by_label("Решение").select_option(label="Согласовать")
    head.get_by_label("Комментарий").fill("Согласовано на время акции")
    head.get_by_role("button", name="Отправить решение").click()
    head.wait_for_url(INBOX_URL)
    head.get_by_text("выполнена").wait_for()
    assert head.get_by_test_id("inbox").get_by_text(f"№ {number}:").count() == 0

    manager.goto(f"{live_server}/premises/{premise_id}")
    assert plain(manager.get_by_test_id("premise-price").inner_text()) == plain(money(new_price))
    rows = [plain(text) for text in manager.locator("table tbody tr").all_inner_texts()]
    [row_text] = [text for text in rows if plain(money(new_price)) in text]
    requester = db.session.scalars(
        select(User.full_name).where(User.email == "sales_manager@demo.local")
    ).one()
    db.session.rollback()
    assert plain(money(old_price)) in row_text
    assert requester in row_text
    assert row_text.endswith("процесс")
    manager.screenshot(path=str(screenshot_dir / "6-premise-card.png"), full_page=True)

    nav(admin, "Процессы").click()
    admin.wait_for_url(re.compile(r"/processes$"))
    admin.get_by_role("link", name="Монитор процессов").click()
    admin.wait_for_url(re.compile(r"/processes/instances$"))
    admin.get_by_role("link", name=str(instance_id), exact=True).click()
    admin.wait_for_url(re.compile(rf"/processes/instances/{instance_id}$"))
    diagram = admin.locator("[data-testid=diagram][data-ready=true]")
    diagram.wait_for()
    assert admin.get_by_test_id("instance-status").inner_text().strip() == "Завершён"
    marked = admin.eval_on_selector_all(
        "[data-testid=diagram] .djs-element[data-element-id]",
        "els => Object.fromEntries(els.map(e => [e.dataset.elementId, [...e.classList]]))",
    )
    assert [e for e in TAKEN if "path-done" not in marked[e]] == []
    assert [e for e in NOT_TAKEN if "path-done" in marked[e]] == []
    assert not any("path-current" in classes for classes in marked.values())
    fill = admin.eval_on_selector(
        '.djs-element[data-element-id="approve_price_change"] .djs-visual > :first-child',
        "e => getComputedStyle(e).fill",
    )
    assert fill == "rgb(178, 242, 187)"  # #b2f2bb, «пройдено» in the legend
    admin.screenshot(path=str(screenshot_dir / "7-monitor-diagram.png"))

    instance = db.session.get(ProcessInstance, instance_id)
    assert instance.status == ProcessStatus.completed
    db.session.rollback()


def test_rejecting_without_a_comment_shows_the_field_error_and_changes_nothing(
    new_page, live_server, demo_data, screenshot_dir
):
    premise_id, number, old_price = free_flat()
    request_a_cut(new_page(), live_server, premise_id, number, deep_cut(old_price), None)
    head = new_page()
    find_approval(head, live_server, number)
    task_url = head.url

    head.get_by_label("Решение").select_option(label="Отказать")
    head.get_by_role("button", name="Отправить решение").click()
    head.get_by_text(REASON_REQUIRED).wait_for()
    assert head.locator(".invalid-feedback").all_inner_texts() == [REASON_REQUIRED]
    assert head.get_by_label("Комментарий").evaluate("e => e.classList.contains('is-invalid')")
    assert head.get_by_label("Решение").evaluate("e => e.selectedOptions[0].text") == "Отказать"
    head.screenshot(path=str(screenshot_dir / "8-approval-error.png"))

    approval = open_approval(premise_id)
    assert approval.status == HumanTaskStatus.open
    assert approval.instance.status == ProcessStatus.waiting
    db.session.rollback()
    assert current_price(premise_id) == old_price
    head.goto(task_url)
    assert shown(head, "Статус").strip() == "ждёт выполнения"
    assert head.get_by_role("button", name="Отправить решение").is_visible()
    head.goto(f"{live_server}/premises/{premise_id}")
    assert plain(head.get_by_test_id("premise-price").inner_text()) == plain(money(old_price))
