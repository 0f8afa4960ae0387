"""Issue 14, findings 1 and 13 in a real Chromium.

- The key pages (projects, chessboard, premise, client list, card and form, inbox, process
  catalogue and viewer, an instance with its diagram, the editor, the try-run) work under the
  Content-Security-Policy: no violation is reported, no script error, diagrams are drawn.
- What used to be inline script does its job from page.js: the client form switches between
  person and company, a dangerous action asks first, the inbox filter applies on choice.
- The issue's attack: a draft whose XML holds an XHTML script, stored before the check existed,
  opened by the administrator, is saved as a file and runs nothing.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select, update

from engine.authoring import modeler
from models.catalog.objects import Building, Premise
from models.clients.client import Client
from models.process.instance import ProcessDraft, ProcessInstance
from models.users.user import Role, User
from tests.e2e.browser_support import log_in
from web.extensions import db

pytestmark = pytest.mark.e2e

REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.reportViolation(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


def watched(page) -> list[str]:
    """Everything that went wrong on the page: CSP violations, script errors, console errors."""
    problems: list[str] = []
    page.expose_function("reportViolation", lambda text: problems.append(f"CSP: {text}"))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    return problems


def first_id(model, *where) -> int:
    found = db.session.scalars(select(model.id).where(*where).order_by(model.id)).first()
    db.session.rollback()  # hold no transaction while the server works
    assert found is not None, model.__name__
    return found


def new_draft_id(process_id: str = "price_change") -> int:
    admin = db.session.scalars(select(User).where(User.role == Role.admin)).first()
    draft = modeler.new_draft(db.session, process_id, admin)
    db.session.commit()
    return draft.id


def under_the_policy(response) -> None:
    """The page came with the policy: scripts from this site only, never inline."""
    policy = response.headers.get("content-security-policy", "")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives.get("script-src") == "'self'", policy


def diagram_is_drawn(page) -> None:
    page.locator("#diagram[data-ready=true]").wait_for()
    expect(page.locator("#diagram .djs-element").first).to_be_visible()


def test_the_key_pages_work_under_the_policy(new_page, live_server, demo_data):
    building = first_id(Building)
    premise = first_id(Premise)
    client = first_id(Client)
    instance = first_id(ProcessInstance)
    draft = new_draft_id()
    page = new_page()
    problems = watched(page)
    log_in(page, live_server, "admin@demo.local")

    plain_pages = [
        "/projects",
        f"/buildings/{building}/chessboard",
        f"/premises/{premise}",
        "/clients",
        f"/clients/{client}",
        "/clients/new",
        f"/clients/{client}/edit",
        "/inbox/",
        "/inbox/notifications",
        "/processes",
        "/processes/instances",
        "/processes/import",
        "/admin/users",
    ]
    for path in plain_pages:
        under_the_policy(page.goto(f"{live_server}{path}"))
        expect(page.locator("main")).to_be_visible()
    for path in ["/processes/price_change", f"/processes/instances/{instance}"]:
        under_the_policy(page.goto(f"{live_server}{path}"))
        diagram_is_drawn(page)
    page.goto(f"{live_server}/processes/drafts/{draft}/try")
    sample = '{"premise_number": "1", "current_price": "5000000"}'
    page.get_by_label("Данные для запуска (JSON-объект)").fill(sample)
    page.get_by_role("button", name="Запустить").click()
    diagram_is_drawn(page)
    under_the_policy(page.goto(f"{live_server}/processes/drafts/{draft}/edit"))
    page.locator("#process-editor[data-ready=true]").wait_for()
    page.locator('.djs-element[data-element-id="propose_price"]').click()
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("Предложить новую цену")

    assert problems == []


def test_what_was_inline_script_works_from_page_js(new_page, live_server, demo_data):
    draft = new_draft_id()
    page = new_page()
    problems = watched(page)
    log_in(page, live_server, "admin@demo.local")

    page.goto(f"{live_server}/clients/new")
    person, company = (page.locator(f'[data-for-kind="{kind}"]') for kind in ("person", "company"))
    expect(person).to_be_visible()
    expect(company).to_be_hidden()
    page.locator('input[name="kind"][value="company"]').check()
    expect(company).to_be_visible()
    expect(person).to_be_hidden()

    page.goto(f"{live_server}/inbox/")
    page.get_by_test_id("inbox-kind").select_option("crm")
    page.wait_for_url(re.compile(r"kind=crm"))

    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.goto(f"{live_server}/processes/price_change")
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    delete = page.locator(f'form[action$="/drafts/{draft}/delete"] button')
    delete.click()
    assert questions == ["Удалить черновик?"]
    assert page.url.endswith("/processes/price_change")
    assert db.session.get(ProcessDraft, draft) is not None
    db.session.rollback()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    delete.click()
    expect(page.get_by_text(f"Черновик № {draft} удалён")).to_be_visible()
    assert questions == ["Удалить черновик?", "Удалить черновик?"]

    assert problems == []


ATTACK_SCRIPT = (
    "<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert('xss ' + document.cookie)</h:script>"
)


def test_a_planted_script_in_a_stored_draft_never_runs_for_the_admin(
    new_page, live_server, demo_data
):
    draft = new_draft_id()
    stored = db.session.get(ProcessDraft, draft).bpmn_xml
    marker = "<bpmn:extensionElements>"
    assert marker in stored
    attack = stored.replace(marker, marker + ATTACK_SCRIPT, 1)
    db.session.execute(update(ProcessDraft).where(ProcessDraft.id == draft).values(bpmn_xml=attack))
    db.session.commit()

    page = new_page()
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, "admin@demo.local")
    with page.expect_download() as downloading:
        try:
            page.goto(f"{live_server}/processes/drafts/{draft}.bpmn")
        except PlaywrightError as error:  # a navigation that became a download
            assert "Download is starting" in str(error)
    assert downloading.value.suggested_filename == f"price_change_draft{draft}.bpmn"
    page.goto(f"{live_server}/projects")  # the admin goes on working: nothing ran meanwhile
    assert alerts == []
