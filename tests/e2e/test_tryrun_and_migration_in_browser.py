"""Trying a draft and moving running instances, in a real Chromium.

An analyst tries a draft of `price_change` with sample data: the path is highlighted on the
diagram, the proposal form refuses a wrong price, the approval is completed from the page, the
log says which action would have been called, and the flat's price has not changed. Then a new
version is published and a running instance is moved to it from the preview page.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.authoring import modeler
from engine.bpmn import repository
from engine.core import runtime
from models.catalog.objects import Premise
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance
from models.users.user import User
from tests.e2e.browser_support import log_in
from web.extensions import db

pytestmark = pytest.mark.e2e

ANALYST = "analyst@demo.local"


def markers(page) -> dict[str, str]:
    page.locator("[data-testid=diagram][data-ready=true]").wait_for()
    return page.eval_on_selector_all(
        "[data-testid=diagram] .djs-element[data-element-id]",
        "els => Object.fromEntries(els.map(e => [e.dataset.elementId, e.getAttribute('class')]))",
    )


def test_an_analyst_tries_a_draft_and_nothing_real_changes(
    page, live_server, demo_data, screenshot_dir
):
    analyst = db.session.scalars(select(User).where(User.email == ANALYST)).one()
    premise = db.session.scalars(select(Premise).order_by(Premise.id).limit(1)).one()
    premise_id, price = premise.id, premise.price
    draft = modeler.new_draft(db.session, "price_change", analyst)
    db.session.commit()
    draft_id = draft.id
    sample = {
        "premise_id": premise_id,
        "premise_number": premise.number,
        "current_price": str(price),
    }
    db.session.rollback()

    log_in(page, live_server, ANALYST)
    page.goto(f"{live_server}/processes/drafts/{draft_id}/try")
    page.get_by_label("Данные для запуска (JSON-объект)").fill(json.dumps(sample))
    page.get_by_role("button", name="Запустить").click()

    marked = markers(page)
    assert "path-done" in marked["start"] and "path-done" in marked["flow_start"]
    assert "path-current" in marked["propose_price"]
    task = page.get_by_test_id("tryrun-task")
    assert f"Новая цена помещения № {sample['premise_number']}" in task.inner_text()

    task.get_by_label("Новая цена, ₽").fill("дёшево")
    task.get_by_role("button", name="Выполнить").click()
    assert "Введите сумму, например 12 345,50" in page.get_by_test_id("tryrun-task").inner_text()

    task = page.get_by_test_id("tryrun-task")
    task.get_by_label("Новая цена, ₽").fill(str(int(price) // 2))
    task.get_by_label("Обоснование").fill("проверка черновика")
    task.get_by_role("button", name="Выполнить").click()
    approval = page.get_by_test_id("tryrun-task")
    assert "Согласовать цену" in approval.inner_text()
    approval.get_by_label("Решение").select_option("approve")
    approval.get_by_role("button", name="Отправить решение").click()

    assert page.get_by_test_id("tryrun-status").inner_text().strip() == "Завершён"
    marked = markers(page)
    for element in ("approve_price_change", "flow_to_decision", "change_price", "end_changed"):
        assert "path-done" in marked[element], element
    assert "path-done" not in marked["end_rejected"]
    log = page.get_by_test_id("tryrun-log").inner_text()
    assert "Вызвал бы действие «change_premise_price»" in log
    page.screenshot(path=str(screenshot_dir / "tryrun-finished.png"), full_page=True)

    db.session.expire_all()
    assert db.session.get(Premise, premise_id).price == price
    db.session.rollback()


def test_an_analyst_moves_a_running_instance_to_the_new_version(
    page, live_server, demo_data, screenshot_dir
):
    manager = db.session.scalars(select(User).where(User.email == "sales_manager@demo.local")).one()
    premise = db.session.scalars(select(Premise).order_by(Premise.id).limit(1)).one()
    instance = runtime.start(
        db.session,
        "price_change",
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    db.session.commit()
    old = repository.latest(db.session, "price_change")
    longer = old.bpmn_xml.replace(
        '<spiffworkflow:property name="deadline" value="P1D"/>',
        '<spiffworkflow:property name="deadline" value="P2D"/>',
    )
    target = repository.publish(db.session, longer, note="срок 2 дня")
    db.session.commit()
    instance_id, version = instance.id, target.version
    db.session.rollback()

    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server, ANALYST)
    page.goto(f"{live_server}/processes/price_change/versions/{version}/migrate")
    row = page.locator(f"tr[data-instance='{instance_id}']")
    assert row.get_by_role("checkbox").is_checked()
    page.get_by_role("button", name=f"Перенести отмеченные на версию {version}").click()

    result = page.get_by_test_id("migration-result")
    assert f"№ {instance_id}" in result.inner_text()
    page.screenshot(path=str(screenshot_dir / "migration-done.png"), full_page=True)
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance_id).model.version == version
    row = db.session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status == HumanTaskStatus.open
        )
    ).one()
    assert (row.due_at - row.created_at).days == 2
    db.session.rollback()
