"""Issue 14, finding 1: an analyst cannot plant a script for the administrator in a diagram.

The attack file holds an XHTML `<h:script>` in a task's extensionElements. Importing it, saving
it from the editor or publishing it is refused with the task named, and nothing is written. A
diagram already stored (from before the check) is served as a download the browser saves, never
as a page it renders: `attachment`, `nosniff` and a policy under which nothing runs.
"""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select, update

from engine.core import runtime
from models.process.instance import ProcessDraft, ProcessModel
from models.users.audit import AuditEvent
from models.users.user import Role

PRICE_CHANGE = (Path(__file__).parents[2] / "processes" / "price_change.bpmn").read_text("utf-8")
EXTENSIONS = (
    '<bpmn:userTask id="propose_price" name="Предложить новую цену">\n'
    "      <bpmn:extensionElements>"
)
ATTACK = PRICE_CHANGE.replace(
    EXTENSIONS,
    EXTENSIONS + '<h:script xmlns:h="http://www.w3.org/1999/xhtml">'
    "fetch('/admin/users').then(r => r.text()).then(t => alert(t))</h:script>",
    1,
)


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def versions(db_session) -> list[int]:
    return list(
        db_session.scalars(
            select(ProcessModel.version).where(ProcessModel.process_id == "price_change")
        )
    )


def test_the_attack_file_is_refused_at_import_with_the_task_named(client, analyst, db_session):
    assert ATTACK != PRICE_CHANGE
    response = client.post(
        "/processes/import",
        data={"file": (io.BytesIO(ATTACK.encode()), "price_change.bpmn")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "не относится к BPMN" in page and "h:script" in page
    assert "propose_price" in page and "Предложить новую цену" in page
    assert count(db_session, ProcessDraft) == 0


def test_the_attack_is_refused_when_the_editor_saves_it(client, analyst, db_session, draft):
    response = client.post(f"/processes/drafts/{draft.id}", json={"xml": ATTACK})
    assert response.status_code == 422
    assert response.json["ok"] is False
    [problem] = response.json["problems"]
    assert problem["element_id"] == "propose_price" and "h:script" in problem["message"]
    db_session.refresh(draft)
    assert draft.bpmn_xml == PRICE_CHANGE
    saved = select(func.count()).where(AuditEvent.action == "process.draft_saved")
    assert db_session.scalar(saved) == 0


def test_the_attack_is_refused_when_published(client, analyst, db_session, draft):
    response = client.post(f"/processes/drafts/{draft.id}/publish", json={"xml": ATTACK})
    assert response.status_code == 422
    assert "h:script" in response.json["problems"][0]["message"]
    assert versions(db_session) == [1]
    db_session.refresh(draft)
    assert draft.bpmn_xml == PRICE_CHANGE


def assert_served_as_a_download(response, filename: str) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy


def test_a_draft_stored_before_the_check_is_served_as_a_download(
    client, login_as, db_session, draft
):
    db_session.execute(
        update(ProcessDraft).where(ProcessDraft.id == draft.id).values(bpmn_xml=ATTACK)
    )
    db_session.commit()
    login_as(Role.admin)
    response = client.get(f"/processes/drafts/{draft.id}.bpmn")
    assert_served_as_a_download(response, f"price_change_draft{draft.id}.bpmn")
    assert response.get_data(as_text=True) == ATTACK  # the editor still loads it as it is


def test_an_instance_diagram_is_served_as_a_download(
    client, login_as, db_session, make_building, make_premise, make_user
):
    premise = make_premise(make_building())
    instance = runtime.start(
        db_session,
        "price_change",
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=make_user(Role.sales_manager),
    )
    db_session.commit()
    # a version published before the check: its text is what an attacker left there
    db_session.execute(
        update(ProcessModel).where(ProcessModel.id == instance.model_id).values(bpmn_xml=ATTACK)
    )
    db_session.commit()
    login_as(Role.admin)
    response = client.get(f"/processes/instances/{instance.id}/diagram.bpmn")
    assert_served_as_a_download(response, "price_change_v1.bpmn")
    assert response.get_data(as_text=True) == ATTACK


def test_a_version_is_served_as_a_download(client, login_as):
    login_as(Role.marketer)
    response = client.get("/processes/price_change/versions/1.bpmn")
    assert_served_as_a_download(response, "price_change_v1.bpmn")
