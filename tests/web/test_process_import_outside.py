"""Importing diagrams drawn in Camunda Modeler through the page: a multi-instance task or JUEL
expressions give a draft to work on, with each problem at its element, never a 500."""

from __future__ import annotations

import io

from sqlalchemy import select

from models.process.instance import ProcessDraft
from tests.factories.process import DATA

OUTSIDE = DATA / "outside"


def upload(client, name: str):
    return client.post(
        "/processes/import",
        data={"file": (io.BytesIO((OUTSIDE / f"{name}.bpmn").read_bytes()), f"{name}.bpmn")},
        content_type="multipart/form-data",
    )


def test_a_multi_instance_diagram_is_imported_as_a_draft(client, analyst, db_session):
    response = upload(client, "mi_parallel_user")
    assert response.status_code == 302
    draft = db_session.scalars(select(ProcessDraft)).one()
    assert draft.process_id == "mi_parallel_user"
    assert draft.problems == []


def test_a_juel_diagram_is_imported_as_a_draft_listing_each_expression(client, analyst, db_session):
    response = upload(client, "juel")
    assert response.status_code == 302
    draft = db_session.scalars(select(ProcessDraft)).one()
    assert [p["element_id"] for p in draft.problems] == ["f_big", "f_premium", "f_documents"]
    said = [p["message"] for p in draft.problems]
    assert "переведено с JUEL на Python: «amount > 1000 and not blocked»" in said[0]
    assert said[2].startswith("Выражение «${not empty documents}» написано на JUEL (Camunda)")
    editor = client.get(response.headers["Location"])
    assert editor.status_code == 200
    assert "f_documents" in editor.get_data(as_text=True)  # the editor lists the problems
