"""The process editor in a real Chromium: an analyst opens a draft of `price_change`, finds our
groups in Russian in the properties panel, changes a deadline and adds a form field through the
panel, saves, breaks a service task and sees the problem listed and marked on the canvas, is
refused publication, mends the task and publishes version 2.
"""

from __future__ import annotations

import re

import pytest
from lxml import etree
from sqlalchemy import func, select

from engine.bpmn import repository
from models.process.instance import ProcessDraft, ProcessModel
from tests.e2e.browser_support import field, log_in, open_group, panel
from web.extensions import db

pytestmark = pytest.mark.e2e

ANALYST = "analyst@demo.local"
PROCESS = "price_change"
EDITOR_URL = re.compile(r"/processes/drafts/(\d+)/edit$")
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


def open_new_draft(page, base_url: str) -> int:
    page.goto(f"{base_url}/processes/{PROCESS}")
    page.get_by_role("button", name="Изменить (новый черновик)").click()
    page.wait_for_url(EDITOR_URL)
    page.locator("#process-editor[data-ready=true]").wait_for()
    return int(EDITOR_URL.search(page.url).group(1))


def shape(page, element_id: str):
    return page.locator(f'.djs-element[data-element-id="{element_id}"]')


def select_on_canvas(page, element_id: str, name: str) -> None:
    shape(page, element_id).click()
    header = page.locator(".bio-properties-panel-header-label")
    assert header.inner_text() == name


def group_titles(page) -> list[str]:
    return panel(page).locator(".bio-properties-panel-group-header-title").all_inner_texts()


def save(page) -> None:
    page.get_by_role("button", name="Сохранить черновик").click()
    status = page.get_by_test_id("editor-status")
    status.filter(has_text="Черновик сохранён в").wait_for()
    assert page.locator("#process-editor").get_attribute("data-dirty") == "false"


def stored(draft_id: int) -> tuple[etree._Element, list[dict]]:
    db.session.expire_all()
    draft = db.session.get(ProcessDraft, draft_id)
    found = etree.fromstring(draft.bpmn_xml.encode()), list(draft.problems)
    db.session.rollback()  # hold no transaction while the server writes
    return found


def versions() -> list[int]:
    db.session.expire_all()
    found = db.session.scalars(
        select(ProcessModel.version)
        .where(ProcessModel.process_id == PROCESS)
        .order_by(ProcessModel.version)
    ).all()
    db.session.rollback()
    return found


def task_property(tree, task_id: str, name: str) -> str | None:
    values = tree.xpath(
        f'//bpmn:userTask[@id="{task_id}"]//spiffworkflow:property[@name="{name}"]/@value',
        namespaces=NS,
    )
    return values[0] if values else None


def test_an_analyst_edits_saves_sees_problems_and_publishes_in_the_browser(
    page, live_server, demo_data
):
    log_in(page, live_server, ANALYST)
    draft_id = open_new_draft(page, live_server)
    assert versions() == [1]

    # the modeler speaks Russian: palette, then our groups in the properties panel
    palette_entry = page.locator('.djs-palette [data-action="create.start-event"]')
    assert palette_entry.get_attribute("aria-label") == "Начальное событие"
    select_on_canvas(page, "approve_price_change", "Согласовать снижение цены")
    assert panel(page).locator(".bio-properties-panel-header-type").inner_text().lower() == (
        "пользовательская задача"
    )
    assert group_titles(page)[:3] == ["Общие", "Форма", "Срок и заголовок"]
    select_on_canvas(page, "change_price", "Изменить цену")
    assert "Действие" in group_titles(page)
    assert field(page, "sales-action-name").input_value() == "change_premise_price"

    # a longer deadline for the approval, a required date field on the proposal form
    select_on_canvas(page, "approve_price_change", "Согласовать снижение цены")
    deadline = field(page, "sales-property-deadline")
    assert deadline.input_value() == "PT4H"
    deadline.fill("PT8H")
    select_on_canvas(page, "propose_price", "Предложить новую цену")
    form = panel(page).locator('[data-group-id="group-sales-form"]')
    form.get_by_title("Добавить").click()
    prefix = "propose_price-sales-field-2"
    field(page, f"{prefix}-id").fill("valid_until")
    field(page, f"{prefix}-label").fill("Цена действует до")
    field(page, f"{prefix}-type").select_option("date")
    field(page, f"{prefix}-required").check()
    assert page.locator("#process-editor").get_attribute("data-dirty") == "true"
    save(page)

    tree, problems = stored(draft_id)
    assert problems == []
    assert task_property(tree, "approve_price_change", "deadline") == "PT8H"
    added = tree.xpath(
        '//bpmn:userTask[@id="propose_price"]//camunda:formField[@id="valid_until"]',
        namespaces=NS,
    )
    assert len(added) == 1
    assert added[0].get("label") == "Цена действует до"
    assert added[0].get("type") == "date"
    assert added[0].xpath(".//camunda:constraint[@name='required']/@config", namespaces=NS) == [
        "true"
    ]
    assert page.get_by_test_id("problems-summary").inner_text() == "Проблем не найдено."

    # a service task without an action: listed with its name and id, marked on the canvas
    select_on_canvas(page, "change_price", "Изменить цену")
    field(page, "sales-action-name").select_option("")
    save(page)
    _, problems = stored(draft_id)
    assert [p["element_id"] for p in problems] == ["change_price"]
    problem = page.get_by_test_id("problems").locator("li.problem")
    assert problem.count() == 1
    assert (
        problem.inner_text() == f"Изменить цену (change_price) — {problems[0]['message'].strip()}"
    )
    assert "Проблем: 1" in page.get_by_test_id("problems-summary").inner_text()
    assert "has-problem" in shape(page, "change_price").get_attribute("class")
    assert "has-problem" not in shape(page, "propose_price").get_attribute("class")

    # clicking the problem selects its element; the panel repeats the reason on top
    select_on_canvas(page, "propose_price", "Предложить новую цену")
    assert panel(page).get_by_test_id("element-problems").count() == 0
    problem.click()
    assert page.locator(".bio-properties-panel-header-label").inner_text() == "Изменить цену"
    assert group_titles(page)[0] == "Проблемы элемента"
    assert panel(page).get_by_test_id("element-problems").inner_text() == (
        problems[0]["message"].strip()
    )

    # the stored problems are shown and marked again when the draft is reopened
    page.reload()
    page.locator("#process-editor[data-ready=true]").wait_for()
    assert problem.count() == 1
    assert "has-problem" in shape(page, "change_price").get_attribute("class")
    select_on_canvas(page, "change_price", "Изменить цену")

    # a draft with problems is never published
    page.get_by_role("button", name="Опубликовать", exact=True).click()
    dialog = page.get_by_test_id("publish-dialog")
    dialog.get_by_label("Что изменилось").fill("Срок согласования 8 часов, дата действия цены")
    dialog.get_by_role("button", name="Опубликовать").click()
    message = page.get_by_test_id("editor-message")
    message.filter(has_text="Черновик нельзя опубликовать").wait_for()
    assert versions() == [1]

    # the action chosen again from the drop-down with its parameters, then published
    field(page, "sales-action-name").select_option("change_premise_price")
    field(page, "sales-action-param-premise_id").fill("premise_id")
    field(page, "sales-action-param-new_price").fill("new_price")
    field(page, "sales-action-param-user_id").fill("started_by")
    page.get_by_role("button", name="Проверить").click()
    page.get_by_test_id("editor-status").filter(has_text="проблем нет").wait_for()
    assert problem.count() == 0
    assert "has-problem" not in shape(page, "change_price").get_attribute("class")

    page.get_by_role("button", name="Опубликовать", exact=True).click()
    dialog.get_by_role("button", name="Опубликовать").click()
    page.wait_for_url(f"{live_server}/processes/{PROCESS}")
    assert versions() == [1, 2]
    db.session.expire_all()
    published = db.session.scalar(
        select(ProcessModel).where(ProcessModel.process_id == PROCESS, ProcessModel.version == 2)
    )
    tree = etree.fromstring(published.bpmn_xml.encode())
    assert published.note == "Срок согласования 8 часов, дата действия цены"
    db.session.rollback()
    assert task_property(tree, "approve_price_change", "deadline") == "PT8H"
    assert tree.xpath('//camunda:formField[@id="valid_until"]', namespaces=NS)
    operator = tree.xpath(
        '//bpmn:serviceTask[@id="change_price"]//spiffworkflow:serviceTaskOperator',
        namespaces=NS,
    )[0]
    assert operator.get("id") == "change_premise_price"
    parameters = {
        p.get("id"): p.get("value")
        for p in operator.xpath(".//spiffworkflow:parameter", namespaces=NS)
    }
    assert parameters == {
        "premise_id": "premise_id",
        "new_price": "new_price",
        "user_id": "started_by",
    }
    assert db.session.scalar(select(func.count()).select_from(ProcessDraft)) == 0
    db.session.rollback()


def drag_from_palette(page, action: str, target) -> None:
    """Drops a new element from the palette onto the middle of `target` (a shape or a flow)."""
    box = target.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.locator(f'.djs-palette [data-action="{action}"]').hover()
    page.mouse.down()
    page.mouse.move(x - 40, y, steps=5)
    page.mouse.move(x, y, steps=5)
    page.mouse.up()


def test_an_analyst_inserts_an_approval_task_for_the_head_of_sales_and_publishes(
    page, live_server, demo_data
):
    log_in(page, live_server, ANALYST)
    open_new_draft(page, live_server)

    # a task dropped on the flow from the approval to the decision splits it in two
    drag_from_palette(page, "create.task", shape(page, "flow_to_decision"))
    header = page.locator(".bio-properties-panel-header-type")
    assert header.inner_text().lower() == "задача"
    # the new task's label is being edited on the canvas: type its name
    page.keyboard.type("Проверить обоснование")
    page.keyboard.press("Enter")
    assert page.locator(".bio-properties-panel-header-label").inner_text() == (
        "Проверить обоснование"
    )
    page.locator('.djs-context-pad [data-action="replace"]').click()
    page.locator(".djs-popup").get_by_text("Пользовательская задача", exact=True).click()
    assert header.inner_text().lower() == "пользовательская задача"
    open_group(page, "general")
    field(page, "id").fill("check_reason")
    form = panel(page).locator('[data-group-id="group-sales-form"]')
    for index, (name, label, kind) in enumerate(
        [("reason_ok", "Обоснование убедительно", "boolean"), ("remark", "Замечание", "text")]
    ):
        form.get_by_title("Добавить").click()
        prefix = f"check_reason-sales-field-{index}"
        field(page, f"{prefix}-id").fill(name)
        field(page, f"{prefix}-label").fill(label)
        field(page, f"{prefix}-type").select_option(kind)
    form.get_by_title("Добавить").click()
    prefix = "check_reason-sales-field-2"
    field(page, f"{prefix}-id").fill("verdict")
    field(page, f"{prefix}-label").fill("Вывод")
    field(page, f"{prefix}-type").select_option("choice")
    choices = panel(page).locator(f'[data-entry-id="{prefix}-choices"]')
    for index, (value, label) in enumerate([("agree", "Согласен"), ("disagree", "Не согласен")]):
        choices.locator(".bio-properties-panel-add-entry").click()
        field(page, f"{prefix}-choices-{index}-id").fill(value)
        field(page, f"{prefix}-choices-{index}-name").fill(label)
    field(page, "sales-property-title").fill("Проверить обоснование цены № {premise_number}")
    field(page, "sales-property-deadline").fill("PT2H")

    page.get_by_role("button", name="Проверить").click()
    page.get_by_test_id("editor-status").filter(has_text="проблем нет").wait_for()
    page.get_by_role("button", name="Опубликовать", exact=True).click()
    dialog = page.get_by_test_id("publish-dialog")
    dialog.get_by_label("Что изменилось").fill("Проверка обоснования руководителем")
    dialog.get_by_role("button", name="Опубликовать").click()
    page.wait_for_url(f"{live_server}/processes/{PROCESS}")
    assert versions() == [1, 2]

    db.session.expire_all()
    xml = db.session.scalar(
        select(ProcessModel.bpmn_xml).where(
            ProcessModel.process_id == PROCESS, ProcessModel.version == 2
        )
    )
    db.session.rollback()
    tree = etree.fromstring(xml.encode())
    lane = tree.xpath('//bpmn:lane[bpmn:flowNodeRef="check_reason"]', namespaces=NS)
    assert [element.get("name") for element in lane] == ["Руководитель отдела продаж"]
    flows = {
        (f.get("sourceRef"), f.get("targetRef"))
        for f in tree.xpath("//bpmn:sequenceFlow", namespaces=NS)
    }
    assert ("approve_price_change", "check_reason") in flows
    assert ("check_reason", "decision") in flows
    assert ("approve_price_change", "decision") not in flows
    fields = tree.xpath('//bpmn:userTask[@id="check_reason"]//camunda:formField', namespaces=NS)
    assert [(f.get("id"), f.get("label"), f.get("type")) for f in fields] == [
        ("reason_ok", "Обоснование убедительно", "boolean"),
        ("remark", "Замечание", "text"),
        ("verdict", "Вывод", "choice"),
    ]
    values = fields[2].xpath("camunda:value", namespaces=NS)
    assert [(v.get("id"), v.get("name")) for v in values] == [
        ("agree", "Согласен"),
        ("disagree", "Не согласен"),
    ]
    assert task_property(tree, "check_reason", "deadline") == "PT2H"


def test_lane_role_and_timer_are_edited_and_failed_saves_say_why_in_russian(
    page, live_server, demo_data
):
    log_in(page, live_server, ANALYST)
    page.goto(f"{live_server}/processes/reservation")
    page.get_by_role("button", name="Изменить (новый черновик)").click()
    page.wait_for_url(EDITOR_URL)
    page.locator("#process-editor[data-ready=true]").wait_for()
    draft_id = int(EDITOR_URL.search(page.url).group(1))

    # the lane's role from the drop-down renames the lane with the role's label
    lane = shape(page, "lane_head")
    box = lane.bounding_box()
    page.mouse.click(box["x"] + 8, box["y"] + box["height"] / 2)
    assert page.locator(".bio-properties-panel-header-label").inner_text() == (
        "Руководитель отдела продаж"
    )
    assert "Роль дорожки" in group_titles(page)
    field(page, "sales-lane-role-select").select_option("admin")
    assert page.locator(".bio-properties-panel-header-label").inner_text() == "Администратор"

    # the expiry timer becomes a duration
    select_on_canvas(page, "expire_timer", "Срок истёк")
    assert field(page, "sales-timer-value").input_value() == 'terms["expires_at"]'
    field(page, "sales-timer-kind").select_option("timeDuration")
    field(page, "sales-timer-value").fill('"P3D"')

    # a lost connection and a server error are explained, and the changes stay unsaved
    message = page.get_by_test_id("editor-message")
    editor = page.locator("#process-editor")
    failures = ["no connection", "server error"]

    def fail_twice(route):
        failure = failures.pop(0) if failures else None
        if failure == "no connection":
            route.abort()
        elif failure == "server error":
            route.fulfill(status=500, body="boom")
        else:
            route.continue_()

    page.route(f"**/processes/drafts/{draft_id}", fail_twice)
    save_button = page.get_by_role("button", name="Сохранить черновик")
    save_button.click()
    message.filter(has_text="Нет связи с сервером").wait_for()
    assert editor.get_attribute("data-dirty") == "true"
    save_button.click()
    message.filter(has_text="Ошибка на сервере (500)").wait_for()
    assert editor.get_attribute("data-dirty") == "true"
    assert failures == []

    # Ctrl+S saves for real
    page.keyboard.press("Control+S")
    page.get_by_test_id("editor-status").filter(has_text="Черновик сохранён в").wait_for()
    assert message.is_hidden()
    tree, problems = stored(draft_id)
    assert problems == []
    assert tree.xpath('//bpmn:lane[@id="lane_head"]/@name', namespaces=NS) == ["Администратор"]
    timer = tree.xpath(
        '//bpmn:boundaryEvent[@id="expire_timer"]//bpmn:timerEventDefinition/*', namespaces=NS
    )
    assert [(etree.QName(t).localname, t.text) for t in timer] == [("timeDuration", '"P3D"')]

    # the diagram as it is on the screen downloads as a .bpmn file
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Скачать .bpmn").click()
    download = download_info.value
    assert download.suggested_filename == "reservation.bpmn"
    downloaded = etree.parse(download.path()).getroot()
    assert downloaded.xpath('//bpmn:lane[@id="lane_head"]/@name', namespaces=NS) == [
        "Администратор"
    ]

    # leaving with unsaved changes asks first
    field(page, "sales-timer-value").fill('"P5D"')
    page.get_by_test_id("editor-status").filter(has_text="несохранённые").wait_for()
    asked = []

    def dismiss(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    with page.expect_event("dialog"):
        page.get_by_role("link", name="Процессы", exact=True).first.click()
    assert asked == ["beforeunload"]
    assert EDITOR_URL.search(page.url)


def canonical(xml: bytes) -> tuple[list[tuple], list[tuple]]:
    """The process part element by element in document order, with attributes and text
    (whitespace ignored); the diagram (DI) part as a sorted list, its order being layout."""
    root = etree.fromstring(xml)
    di_namespace = "{http://www.omg.org/spec/BPMN/20100524/DI}"
    semantic, diagram = [], []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        described = (
            element.tag,
            tuple(sorted(element.attrib.items())),
            (element.text or "").strip(),
        )
        in_diagram = any(
            str(ancestor.tag).startswith(di_namespace) for ancestor in element.iterancestors()
        )
        if in_diagram or element.tag.startswith(di_namespace):
            parent = element.getparent()
            diagram.append((parent.get("bpmnElement") or parent.get("id") or "", described))
        else:
            semantic.append(described)
    return semantic, sorted(diagram)


@pytest.mark.parametrize("process_id", [path.stem for path in repository.shipped_files()])
def test_the_editor_keeps_every_element_and_extension_of_a_shipped_process(
    page, live_server, demo_data, process_id
):
    log_in(page, live_server, ANALYST)
    page.goto(f"{live_server}/processes/{process_id}")
    page.get_by_role("button", name="Изменить (новый черновик)").click()
    page.wait_for_url(EDITOR_URL)
    page.locator("#process-editor[data-ready=true]").wait_for()
    exported = page.evaluate(
        "window.processEditor.modeler.saveXML({ format: true }).then((result) => result.xml)"
    )
    shipped = (repository.PROCESSES_DIR / f"{process_id}.bpmn").read_bytes()
    assert canonical(exported.encode()) == canonical(shipped)
