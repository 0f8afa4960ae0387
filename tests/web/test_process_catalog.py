"""The process catalogue and the editor's server side through HTTP: everyone reads, analysts and
administrators edit; a refused save or publication never changes the published version."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.core import runtime
from models.process.instance import ProcessDraft, ProcessModel, ProcessStatus
from models.users.audit import AuditEvent
from models.users.user import Role

PRICE_CHANGE = (Path(__file__).parents[2] / "processes" / "price_change.bpmn").read_text("utf-8")
LONGER_PROPOSAL = PRICE_CHANGE.replace(
    '<spiffworkflow:property name="deadline" value="P1D"/>',
    '<spiffworkflow:property name="deadline" value="P2D"/>',
)
UNKNOWN_ACTION = PRICE_CHANGE.replace('id="change_premise_price"', 'id="launch_rockets"')
HOSTILE = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;'
    "</bpmn:definitions>"
)
NOT_EDITORS = [r for r in Role if r not in (Role.admin, Role.analyst)]


def versions(db_session) -> list[int]:
    return list(
        db_session.scalars(
            select(ProcessModel.version)
            .where(ProcessModel.process_id == "price_change")
            .order_by(ProcessModel.version)
        )
    )


def latest_xml(db_session) -> str:
    return db_session.scalars(
        select(ProcessModel.bpmn_xml)
        .where(ProcessModel.process_id == "price_change")
        .order_by(ProcessModel.version.desc())
    ).first()


def test_catalogue_lists_shipped_processes_with_active_instances_per_version(
    client, login_as, db_session, make_user
):
    manager = make_user(Role.sales_manager)
    data = {"premise_number": "7", "current_price": "1000000.00"}
    runtime.start(db_session, "price_change", data=data, user=manager)
    runtime.start(db_session, "price_change", data=data, user=manager)
    cancelled = runtime.start(db_session, "price_change", data=data, user=manager)
    cancelled.status = ProcessStatus.cancelled
    db_session.commit()
    login_as(Role.lawyer)
    page = client.get("/processes").get_data(as_text=True)
    assert "Изменение цены помещения" in page and "reservation" in page
    row = page[page.index('data-process="price_change"') :]
    row = row[: row.index("</tr>")]
    assert "v1: <strong>2</strong>" in row
    assert "Изменить" not in page  # a lawyer reads only
    assert "Монитор процессов" not in page


def test_catalogue_shows_drafts_with_who_changed_them_and_their_problems(
    client, analyst, db_session, draft
):
    client.post(f"/processes/drafts/{draft.id}", json={"xml": UNKNOWN_ACTION})
    page = client.get("/processes").get_data(as_text=True)
    assert f"черновик № {draft.id}" in page
    assert analyst.display_name in page
    assert "проблем: 1" in page
    assert "Монитор процессов" in page


def test_an_analyst_creates_a_draft_from_the_latest_version(client, analyst, db_session):
    response = client.post("/processes/price_change/drafts")
    draft = db_session.scalars(select(ProcessDraft)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/processes/drafts/{draft.id}/edit")
    assert draft.created_by_id == analyst.id and draft.based_on.version == 1
    editor = client.get(f"/processes/drafts/{draft.id}/edit")
    assert editor.status_code == 200
    assert f'href="/processes/drafts/{draft.id}/try"' in editor.get_data(as_text=True)
    assert client.get(f"/processes/drafts/{draft.id}.bpmn").get_data(as_text=True) == PRICE_CHANGE


def test_saving_a_draft_with_problems_answers_them_and_keeps_the_text(
    client, analyst, db_session, draft
):
    response = client.post(f"/processes/drafts/{draft.id}", json={"xml": UNKNOWN_ACTION})
    assert response.status_code == 200
    assert response.json["ok"] is True
    assert response.json["problems"] == [
        {
            "element_id": "change_price",
            "element_name": "Изменить цену",
            "message": "Действие «launch_rockets» не зарегистрировано",
        }
    ]
    assert response.json["saved_at"]
    db_session.refresh(draft)
    assert draft.bpmn_xml == UNKNOWN_ACTION and draft.updated_by_id == analyst.id


@pytest.mark.parametrize(
    "payload",
    [{"xml": HOSTILE}, {"xml": "<oops"}, {"xml": 5}, {"text": PRICE_CHANGE}, ["x"]],
    ids=["entities", "not-xml", "not-text", "no-xml", "not-an-object"],
)
def test_an_unusable_save_is_refused_in_json_and_nothing_is_saved(
    client, analyst, db_session, draft, payload
):
    response = client.post(f"/processes/drafts/{draft.id}", json=payload)
    assert response.status_code == 422
    assert response.json["ok"] is False and response.json["message"]
    assert isinstance(response.json["problems"], list)
    db_session.refresh(draft)
    assert draft.bpmn_xml == PRICE_CHANGE
    assert (
        db_session.scalar(select(func.count()).where(AuditEvent.action == "process.draft_saved"))
        == 0
    )


def test_publishing_with_problems_is_refused_and_the_version_unchanged(
    client, analyst, db_session, draft
):
    response = client.post(
        f"/processes/drafts/{draft.id}/publish", json={"xml": UNKNOWN_ACTION, "note": "x"}
    )
    assert response.status_code == 422
    assert response.json["ok"] is False
    assert [p["element_id"] for p in response.json["problems"]] == ["change_price"]
    assert versions(db_session) == [1]
    assert latest_xml(db_session) == PRICE_CHANGE
    db_session.refresh(draft)
    assert draft.bpmn_xml == UNKNOWN_ACTION  # the work is kept as a draft


def test_publishing_hostile_xml_is_refused_and_nothing_is_written(
    client, analyst, db_session, draft
):
    response = client.post(f"/processes/drafts/{draft.id}/publish", json={"xml": HOSTILE})
    assert response.status_code == 422
    assert "DOCTYPE" in response.json["message"]
    assert versions(db_session) == [1]
    db_session.refresh(draft)
    assert draft.bpmn_xml == PRICE_CHANGE


def test_publishing_an_unchanged_draft_says_there_are_no_changes(client, analyst, draft):
    response = client.post(f"/processes/drafts/{draft.id}/publish", json={"note": ""})
    assert response.status_code == 422
    assert "Нет изменений" in response.json["message"]


def test_publishing_makes_the_next_version_that_new_instances_use(
    client, analyst, db_session, draft, make_user
):
    manager = make_user(Role.sales_manager)
    data = {"premise_number": "7", "current_price": "1000000.00"}
    before = runtime.start(db_session, "price_change", data=data, user=manager)
    db_session.commit()
    response = client.post(
        f"/processes/drafts/{draft.id}/publish",
        json={"xml": LONGER_PROPOSAL, "note": "срок два дня"},
    )
    assert response.status_code == 200
    assert response.json == {"ok": True, "version": 2, "redirect": "/processes/price_change"}
    assert versions(db_session) == [1, 2]
    assert db_session.get(ProcessDraft, draft.id) is None
    after = runtime.start(db_session, "price_change", data=data, user=manager)
    db_session.commit()
    db_session.refresh(before)
    assert (before.model.version, after.model.version) == (1, 2)
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "process.published")
    ).one()
    assert event.user_id == analyst.id and event.details["version"] == 2
    page = client.get("/processes/price_change").get_data(as_text=True)
    assert "срок два дня" in page and "Опубликована версия" in page
    assert "/processes/price_change/versions/2/migrate" in page


def test_a_version_restored_as_a_draft_opens_in_the_editor(client, analyst, db_session):
    response = client.post("/processes/price_change/versions/1/restore")
    draft = db_session.scalars(select(ProcessDraft)).one()
    assert response.headers["Location"].endswith(f"/processes/drafts/{draft.id}/edit")
    assert draft.bpmn_xml == PRICE_CHANGE
    assert client.post("/processes/price_change/versions/9/restore").status_code == 404


def test_a_draft_can_be_discarded(client, analyst, db_session, draft):
    response = client.post(f"/processes/drafts/{draft.id}/delete")
    assert response.status_code == 302
    assert db_session.get(ProcessDraft, draft.id) is None
    assert "process.draft_deleted" in db_session.scalars(select(AuditEvent.action)).all()


def test_a_good_bpmn_file_is_imported_as_a_draft(client, analyst, db_session):
    response = client.post(
        "/processes/import",
        data={"file": (io.BytesIO(LONGER_PROPOSAL.encode()), "price_change.bpmn")},
        content_type="multipart/form-data",
    )
    draft = db_session.scalars(select(ProcessDraft)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/processes/drafts/{draft.id}/edit")
    assert draft.bpmn_xml == LONGER_PROPOSAL
    assert versions(db_session) == [1]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (HOSTILE.encode(), "evil.bpmn", "DOCTYPE"),
        (b"\x89PNG\r\n", "picture.bpmn", "XML"),
        (
            PRICE_CHANGE.replace("(100 - Decimal(max_cut_pct)) / 100", "__import__('os')").encode(),
            "script.bpmn",
            "безопасности",
        ),
    ],
    ids=["entities", "binary", "hostile-script"],
)
def test_a_bad_file_shows_the_problems_and_saves_nothing(
    client, analyst, db_session, data, filename, message
):
    response = client.post(
        "/processes/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ProcessDraft)) == 0


def test_a_missing_file_is_asked_for(client, analyst):
    response = client.post("/processes/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Выберите файл" in response.get_data(as_text=True)


def test_a_version_downloads_as_a_bpmn_attachment(client, login_as, db_session):
    login_as(Role.marketer)
    response = client.get("/processes/price_change/versions/1.bpmn")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="price_change_v1.bpmn"'
    assert response.get_data(as_text=True) == PRICE_CHANGE
    assert client.get("/processes/price_change/versions/2.bpmn").status_code == 404


def test_the_diff_page_lists_changed_properties_between_versions(
    client, analyst, db_session, draft
):
    client.post(f"/processes/drafts/{draft.id}/publish", json={"xml": LONGER_PROPOSAL})
    page = client.get("/processes/price_change/diff?from=1&to=2").get_data(as_text=True)
    assert "Предложить новую цену" in page
    assert "Срок" in page and "P1D" in page and "P2D" in page
    default = client.get("/processes/price_change/diff").get_data(as_text=True)
    assert "версия 1 → версия 2" in default


def test_the_diff_page_compares_a_draft_for_editors_only(client, login_as, db_session, draft):
    login_as(Role.analyst)
    client.post(f"/processes/drafts/{draft.id}", json={"xml": UNKNOWN_ACTION})
    page = client.get(f"/processes/price_change/diff?from=1&to=draft:{draft.id}")
    assert page.status_code == 200
    assert "launch_rockets" in page.get_data(as_text=True)
    login_as(Role.sales_manager)
    assert client.get(f"/processes/price_change/diff?to=draft:{draft.id}").status_code == 404
    assert client.get("/processes/price_change/diff?from=abc").status_code == 404


def test_palette_offers_roles_actions_field_types_and_task_properties(client, analyst):
    palette = client.get("/processes/api/palette").json
    assert {"value": "head_of_sales", "label": "Руководитель отдела продаж"} in palette["roles"]
    action = next(a for a in palette["actions"] if a["name"] == "change_premise_price")
    assert action["description"]
    assert {p["name"] for p in action["params"]} >= {"premise_id", "new_price"}
    assert {"value", "label"} <= set(palette["field_types"][0])
    names = {p["name"] for p in palette["task_properties"]}
    assert {"title", "deadline", "remind_before", "escalate_to", "approval"} <= names


@pytest.mark.parametrize("role", NOT_EDITORS, ids=lambda r: r.value)
def test_other_roles_cannot_change_processes(client, login_as, db_session, draft, role):
    login_as(role)
    upload = {"file": (io.BytesIO(PRICE_CHANGE.encode()), "price_change.bpmn")}
    posts = [
        ("/processes/price_change/drafts", None, None),
        ("/processes/price_change/versions/1/restore", None, None),
        (f"/processes/drafts/{draft.id}", {"xml": LONGER_PROPOSAL}, None),
        (f"/processes/drafts/{draft.id}/publish", {"xml": LONGER_PROPOSAL}, None),
        (f"/processes/drafts/{draft.id}/delete", None, None),
        ("/processes/import", None, upload),
    ]
    for url, payload, data in posts:
        response = client.post(url, json=payload, data=data)
        assert response.status_code == 403, url
    assert versions(db_session) == [1]
    assert db_session.scalar(select(func.count()).select_from(ProcessDraft)) == 1


def test_an_imported_new_process_is_listed_as_unpublished_with_its_draft(
    client, analyst, db_session
):
    xml = (
        PRICE_CHANGE.replace('id="price_change"', 'id="discount_request"')
        .replace('processRef="price_change"', 'processRef="discount_request"')
        .replace('name="Изменение цены помещения"', 'name="Запрос скидки"')
    )
    client.post(
        "/processes/import",
        data={"file": (io.BytesIO(xml.encode()), "discount.bpmn")},
        content_type="multipart/form-data",
    )
    draft = db_session.scalars(select(ProcessDraft)).one()
    catalogue = client.get("/processes").get_data(as_text=True)
    row = catalogue[catalogue.index('data-process="discount_request"') :]
    assert "Запрос скидки" in row[: row.index("</tr>")]
    assert "не опубликован" in row[: row.index("</tr>")]
    page = client.get("/processes/discount_request")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Процесс ещё не опубликован" in text and "загруженный файл" in text
    assert "Загружен файл BPMN" in text
    published = client.post(f"/processes/drafts/{draft.id}/publish", json={"note": "новый"})
    assert published.json["version"] == 1
    assert client.get("/processes/unknown_process").status_code == 404
