"""Issue 6 done, in a real Chromium: the analyst changes the `reservation` process.

A manager reserves a flat while `reservation` is at version 1. The analyst opens the catalogue,
starts a new draft of `reservation`, drops a task from the palette onto the «not from the queue»
flow (gw_queue → merge), names it, makes it a user task with an id, drags it down into the head
of sales' lane, gives it a title, two form fields and a 4-hour deadline, checks (which saves: the
lane lists the task) and publishes. The manager reserves
another flat: the head of sales finds the new task in the inbox, sees both fields and completes
it. The first reservation keeps running on version 1 and ends there when the manager cancels it.
Finally a `.bpmn` file with a hostile script is refused at the upload, naming the element, and
nothing is stored.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from lxml import etree
from playwright.sync_api import expect
from sqlalchemy import func, select

from models.catalog.objects import Building, Premise, PremiseKind, PremiseStatus
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import (
    ProcessBusinessKey,
    ProcessDraft,
    ProcessInstance,
    ProcessModel,
    ProcessStatus,
)
from models.sales.reservation import Reservation, ReservationStatus
from tests.e2e.browser_support import field, log_in, open_group, panel
from web.extensions import db

pytestmark = pytest.mark.e2e

ANALYST = "analyst@demo.local"
MANAGER = "sales_manager@demo.local"
HEAD = "head_of_sales@demo.local"
PROCESS = "reservation"
HEAD_LANE = "Руководитель отдела продаж"
TASK_ID = "head_review"
TASK_NAME = "Проверка руководителем"
TITLE = "Проверьте бронь № {premise_number}, клиент {client_name}"
FIELDS = [
    ("deal_likely", "Сделка вероятна", "boolean"),
    ("head_note", "Замечание руководителя", "text"),
]
NOTE = "Проверка новой брони руководителем отдела продаж"
BEFORE_CLIENT = ("+7 916 111-22-33", "Орлова Анна Петровна")
AFTER_CLIENT = ("+7 916 444-55-66", "Соколов Дмитрий Олегович")
EDITOR_URL = re.compile(r"/processes/drafts/(\d+)/edit$")
RESERVATION_URL = re.compile(r"/reservations/(\d+)$")
TASK_URL = re.compile(r"/inbox/tasks/(\d+)$")
INBOX_URL = re.compile(r"/inbox/(\?.*)?$")
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
HOSTILE_SCRIPT = "().__class__.__base__.__subclasses__()"
HOSTILE_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="hostile_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="discount_check" name="Проверка скидки" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc_discount" name="Посчитать скидку" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>classes = {HOSTILE_SCRIPT}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc_discount"/>
    <bpmn:sequenceFlow id="f2" sourceRef="calc_discount" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


# ------------------------------------------------------------------ helpers


def free_flats(count: int) -> tuple[list[tuple[int, str]], str]:
    """Free flats of one demo building: ids and numbers, and the building's name."""
    premises = db.session.scalars(
        select(Premise)
        .where(Premise.status == PremiseStatus.available, Premise.kind == PremiseKind.apartment)
        .order_by(Premise.id)
    ).all()
    building_id = premises[0].building_id
    found = [(p.id, p.number) for p in premises if p.building_id == building_id][:count]
    name = db.session.get(Building, building_id).name
    db.session.rollback()  # hold no transaction while the server writes
    return found, name


def reserve_in_browser(page, base_url: str, building: str, premise_id: int, client) -> int:
    """The manager reserves the flat from the chessboard and its card; the reservation's id."""
    page.goto(f"{base_url}/projects")
    page.get_by_role("link", name=f"Шахматка: {building}").click()
    page.wait_for_url(re.compile(r"/buildings/\d+/chessboard$"))
    cell = page.locator(f'[data-testid=chessboard] a.cell[href$="/premises/{premise_id}"]')
    expect(cell).to_have_attribute("data-status", "available")
    cell.click()
    page.wait_for_url(f"{base_url}/premises/{premise_id}")
    page.get_by_test_id("reserve").click()
    page.wait_for_url(f"{base_url}/premises/{premise_id}/reserve")
    page.get_by_label("Телефон клиента").fill(client[0])
    page.get_by_label("ФИО").fill(client[1])
    page.get_by_label("согласие на обработку персональных данных").check()
    page.get_by_role("button", name="Поставить бронь").click()
    page.wait_for_url(RESERVATION_URL)
    expect(page.get_by_test_id("reservation-status")).to_have_text("Действует")
    return int(RESERVATION_URL.search(page.url).group(1))


def instance_of(reservation_id: int) -> SimpleNamespace:
    """The `reservation` process instance behind a reservation: its model version and status."""
    db.session.expire_all()
    instance = db.session.scalars(
        select(ProcessInstance)
        .join(ProcessBusinessKey)
        .where(
            ProcessInstance.process_id == PROCESS,
            ProcessBusinessKey.name == "reservation_id",
            ProcessBusinessKey.value == str(reservation_id),
        )
    ).one()
    found = SimpleNamespace(
        id=instance.id,
        version=instance.model.version,
        status=instance.status,
        tasks=[
            (t.task_name, t.status)
            for t in db.session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance.id)
            )
        ],
    )
    db.session.rollback()
    return found


def task_term(instance_id: int) -> timedelta:
    """How long the instance's user task was given: from its creation to its due time."""
    db.session.expire_all()
    task = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
    term = task.due_at - task.created_at
    db.session.rollback()
    return term


def reservation_status(reservation_id: int) -> ReservationStatus:
    db.session.expire_all()
    status = db.session.get(Reservation, reservation_id).status
    db.session.rollback()
    return status


def versions() -> list[int]:
    db.session.expire_all()
    found = db.session.scalars(
        select(ProcessModel.version)
        .where(ProcessModel.process_id == PROCESS)
        .order_by(ProcessModel.version)
    ).all()
    db.session.rollback()
    return list(found)


def published_xml(version: int) -> tuple[etree._Element, str | None]:
    db.session.expire_all()
    model = db.session.scalars(
        select(ProcessModel).where(
            ProcessModel.process_id == PROCESS, ProcessModel.version == version
        )
    ).one()
    found = etree.fromstring(model.bpmn_xml.encode()), model.note
    db.session.rollback()
    return found


def draft_xml(draft_id: int) -> tuple[etree._Element, list]:
    db.session.expire_all()
    draft = db.session.get(ProcessDraft, draft_id)
    found = etree.fromstring(draft.bpmn_xml.encode()), list(draft.problems)
    db.session.rollback()
    return found


def draft_count() -> int:
    db.session.expire_all()
    count = db.session.scalar(select(func.count()).select_from(ProcessDraft))
    db.session.rollback()
    return count


def shape(page, element_id: str):
    return page.locator(f'.djs-element.djs-shape[data-element-id="{element_id}"]')


def connection(page, element_id: str):
    return page.locator(f'.djs-element.djs-connection[data-element-id="{element_id}"]')


def centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Presses at `start`, moves in steps (bpmn-js needs moves to start a drag), releases."""
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 10, start[1] + 10, steps=3)
    page.mouse.move(*end, steps=10)
    page.mouse.up()


def header_label(page):
    return page.locator(".bio-properties-panel-header-label")


def live_reservation_processes() -> int:
    count = db.session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .where(
            ProcessInstance.process_id == PROCESS,
            ProcessInstance.status.in_((ProcessStatus.running, ProcessStatus.waiting)),
        )
    )
    db.session.rollback()
    return count


# ------------------------------------------------------------------ the test


def test_the_analyst_adds_a_head_of_sales_task_to_reservation_and_publishes(
    new_page, live_server, demo_data, screenshot_dir
):
    shots = screenshot_dir
    flats, building = free_flats(2)
    (before_flat, _), (after_flat, after_number) = flats

    # 1. Before the change: a reservation whose process runs on version 1.
    manager = new_page()
    log_in(manager, live_server, MANAGER)
    before_id = reserve_in_browser(manager, live_server, building, before_flat, BEFORE_CLIENT)
    before = instance_of(before_id)
    assert (before.version, before.status) == (1, ProcessStatus.waiting)
    assert versions() == [1]

    # 2. The analyst opens `reservation` from the catalogue and starts a new draft.
    analyst = new_page()
    log_in(analyst, live_server, ANALYST)
    analyst.goto(f"{live_server}/processes")
    row = analyst.get_by_test_id("catalogue").locator(f'tr[data-process="{PROCESS}"]')
    live = live_reservation_processes()  # ours and the demo's
    expect(row.get_by_test_id("active-counts")).to_contain_text(f"v1: {live}")
    row.get_by_role("link", name="Бронирование помещения").click()
    analyst.wait_for_url(f"{live_server}/processes/{PROCESS}")
    analyst.get_by_role("button", name="Изменить (новый черновик)").click()
    analyst.wait_for_url(EDITOR_URL)
    analyst.locator("#process-editor[data-ready=true]").wait_for()
    draft_id = int(EDITOR_URL.search(analyst.url).group(1))

    # a task from the palette dropped on the flow gw_queue → merge splits it in two
    target = centre(connection(analyst, "f_not_queue"))
    analyst.locator('.djs-palette [data-action="create.task"]').hover()
    analyst.mouse.down()
    analyst.mouse.move(target[0] - 40, target[1], steps=5)
    analyst.mouse.move(*target, steps=5)
    analyst.mouse.up()
    kind = analyst.locator(".bio-properties-panel-header-type")
    expect(kind).to_have_text(re.compile("^задача$", re.IGNORECASE))
    # its label is being edited on the canvas: type the name
    analyst.keyboard.type(TASK_NAME)
    analyst.keyboard.press("Enter")
    expect(header_label(analyst)).to_have_text(TASK_NAME)
    analyst.locator('.djs-context-pad [data-action="replace"]').click()
    analyst.locator(".djs-popup").get_by_text("Пользовательская задача", exact=True).click()
    expect(kind).to_have_text(re.compile("^пользовательская задача$", re.IGNORECASE))
    open_group(analyst, "general")
    field(analyst, "id").fill(TASK_ID)
    field(analyst, "id").press("Tab")
    new_task = shape(analyst, TASK_ID)
    expect(new_task).to_have_count(1)

    # moved down into the head of sales' lane by dragging it on the canvas
    lane_box = shape(analyst, "lane_head").bounding_box()
    start = centre(new_task)
    drag(analyst, start, (start[0], lane_box["y"] + lane_box["height"] / 2))
    task_box = new_task.bounding_box()
    assert (
        lane_box["y"]
        <= task_box["y"]
        < task_box["y"] + task_box["height"]
        <= (lane_box["y"] + lane_box["height"])
    ), "the task is not inside the head of sales' lane"
    expect(header_label(analyst)).to_have_text(TASK_NAME)  # still selected after the move

    # two form fields, a title and a 4-hour deadline through the properties panel
    form = panel(analyst).locator('[data-group-id="group-sales-form"]')
    for index, (name, label, kind_of_field) in enumerate(FIELDS):
        form.get_by_title("Добавить").click()
        prefix = f"{TASK_ID}-sales-field-{index}"
        field(analyst, f"{prefix}-id").fill(name)
        field(analyst, f"{prefix}-label").fill(label)
        field(analyst, f"{prefix}-type").select_option(kind_of_field)
    field(analyst, "sales-property-title").fill(TITLE)
    field(analyst, "sales-property-deadline").fill("PT4H")
    analyst.screenshot(path=str(shots / "1-editor-new-task.png"))

    analyst.get_by_role("button", name="Проверить").click()
    analyst.get_by_test_id("editor-status").filter(has_text="проблем нет").wait_for()
    expect(analyst.get_by_test_id("problems").locator("li.problem")).to_have_count(0)
    saved, problems = draft_xml(draft_id)  # the check saved the draft first
    assert problems == []
    assert saved.xpath(f'//bpmn:lane[bpmn:flowNodeRef="{TASK_ID}"]/@id', namespaces=NS) == [
        "lane_head"
    ]
    analyst.get_by_role("button", name="Опубликовать", exact=True).click()
    dialog = analyst.get_by_test_id("publish-dialog")
    dialog.get_by_label("Что изменилось").fill(NOTE)
    dialog.get_by_role("button", name="Опубликовать").click()
    analyst.wait_for_url(f"{live_server}/processes/{PROCESS}")
    analyst.screenshot(path=str(shots / "2-published.png"), full_page=True)
    assert versions() == [1, 2]
    assert draft_count() == 0, f"draft {draft_id} should be gone after publication"

    tree, note = published_xml(2)
    assert note == NOTE
    lanes = tree.xpath(f'//bpmn:lane[bpmn:flowNodeRef="{TASK_ID}"]/@name', namespaces=NS)
    assert lanes == [HEAD_LANE]
    flows = {
        f.get("id"): (f.get("sourceRef"), f.get("targetRef"))
        for f in tree.xpath("//bpmn:sequenceFlow", namespaces=NS)
    }
    assert flows["f_not_queue"] == ("gw_queue", TASK_ID)
    assert (TASK_ID, "merge") in flows.values()
    assert ("gw_queue", "merge") not in flows.values()
    assert tree.xpath('//bpmn:exclusiveGateway[@id="gw_queue"]/@default', namespaces=NS) == [
        "f_not_queue"
    ]
    [task] = tree.xpath(f'//bpmn:userTask[@id="{TASK_ID}"]', namespaces=NS)
    assert task.get("name") == TASK_NAME
    fields = task.xpath(".//camunda:formField", namespaces=NS)
    assert [(f.get("id"), f.get("label"), f.get("type")) for f in fields] == FIELDS
    properties = {
        p.get("name"): p.get("value")
        for p in task.xpath(".//spiffworkflow:property", namespaces=NS)
    }
    assert properties["deadline"] == "PT4H"
    assert properties["title"] == TITLE
    old_tree, _ = published_xml(1)
    assert not old_tree.xpath(f'//*[@id="{TASK_ID}"]')

    # 3. A new reservation runs on version 2: the head of sales gets the task with the form.
    after_id = reserve_in_browser(manager, live_server, building, after_flat, AFTER_CLIENT)
    after = instance_of(after_id)
    assert (after.version, after.status) == (2, ProcessStatus.waiting)
    assert after.tasks == [(TASK_ID, HumanTaskStatus.open)]
    assert task_term(after.id) == timedelta(hours=4)

    head = new_page()
    log_in(head, live_server, HEAD)
    head.goto(f"{live_server}/inbox/?tab=available")
    title = f"Проверьте бронь № {after_number}, клиент {AFTER_CLIENT[1]}"
    inbox_row = head.get_by_test_id("inbox").locator("tbody tr", has_text=title)
    expect(inbox_row).to_have_count(1)
    expect(inbox_row).to_contain_text(HEAD_LANE)
    head.screenshot(path=str(shots / "3-head-inbox.png"))
    inbox_row.get_by_role("link", name=title).click()
    head.wait_for_url(TASK_URL)
    expect(head.get_by_test_id("task-title")).to_have_text(title)
    task_form = head.get_by_test_id("task-form")
    for name, label, _ in FIELDS:
        expect(task_form.get_by_label(label)).to_be_visible()
        expect(task_form.locator(f'[name="{name}"]')).to_have_count(1)
    expect(task_form.get_by_label(FIELDS[0][1])).to_have_attribute("type", "checkbox")
    head.screenshot(path=str(shots / "4-head-task-form.png"), full_page=True)
    task_form.get_by_label(FIELDS[0][1]).check()
    task_form.get_by_label(FIELDS[1][1]).fill("Клиент готов к сделке на этой неделе")
    task_form.get_by_role("button", name="Выполнить").click()
    head.wait_for_url(INBOX_URL)
    expect(head.get_by_text(f"Задача «{title}» выполнена")).to_be_visible()
    after = instance_of(after_id)
    assert after.version == 2 and after.status == ProcessStatus.waiting  # holding the flat
    assert after.tasks == [(TASK_ID, HumanTaskStatus.completed)]
    assert reservation_status(after_id) == ReservationStatus.active

    # 4. The reservation made before the change is still on version 1 and ends on it.
    before = instance_of(before_id)
    assert (before.version, before.status, before.tasks) == (1, ProcessStatus.waiting, [])
    manager.goto(f"{live_server}/reservations/{before_id}")
    manager.get_by_label("Причина").fill("Клиент передумал")
    manager.get_by_role("button", name="Снять бронь").click()
    manager.wait_for_url(f"{live_server}/reservations/{before_id}")
    expect(manager.locator(".alert", has_text="Бронь снята")).to_be_visible()
    expect(manager.get_by_test_id("reservation-status")).to_have_text("Снята")
    manager.screenshot(path=str(shots / "5-old-reservation-cancelled.png"), full_page=True)
    before = instance_of(before_id)
    assert (before.version, before.status, before.tasks) == (1, ProcessStatus.completed, [])
    assert reservation_status(before_id) == ReservationStatus.cancelled

    # 5. A BPMN file with a hostile script is refused, naming the element; nothing is stored.
    analyst.goto(f"{live_server}/processes")
    analyst.get_by_test_id("import").click()
    analyst.wait_for_url(f"{live_server}/processes/import")
    analyst.locator('input[type="file"]').set_input_files(
        {
            "name": "discount_check.bpmn",
            "mimeType": "application/xml",
            "buffer": HOSTILE_BPMN.encode(),
        }
    )
    analyst.get_by_role("button", name="Загрузить").click()
    refusal = analyst.get_by_test_id("import-error")
    expect(refusal).to_contain_text("нарушают правила безопасности")
    expect(refusal).to_contain_text("calc_discount")
    expect(refusal).to_contain_text("Посчитать скидку")
    expect(refusal).to_contain_text("__subclasses__")
    analyst.screenshot(path=str(shots / "6-hostile-import-refused.png"), full_page=True)
    assert draft_count() == 0
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ProcessModel)
            .where(ProcessModel.process_id == "discount_check")
        )
        == 0
    )
    db.session.rollback()
