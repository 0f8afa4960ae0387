"""Camunda Modeler's everyday diagrams run: camelCase form fields, conditional events."""

from __future__ import annotations

import json

import pytest

from engine.bpmn import repository
from engine.core import runtime
from engine.core.errors import FormInvalid
from models.process.instance import ProcessStatus
from models.users.user import Role
from tests.factories.process import DATA


def publish(db_session, name: str) -> None:
    repository.publish(db_session, (DATA / "outside" / f"{name}.bpmn").read_text("utf-8"))
    db_session.commit()


def test_a_form_with_camel_case_field_ids_is_filled_and_stored_under_those_ids(
    db_session, open_tasks, make_user
):
    publish(db_session, "camel_case_form")
    broker = make_user(role=Role.mortgage_broker)
    instance = runtime.start(db_session, "camel_case_form")
    db_session.commit()
    [task] = open_tasks(instance.id)
    assert [f["name"] for f in task.form] == ["invoiceNumber", "invoiceAmount"]
    with pytest.raises(FormInvalid) as refused:
        runtime.complete(db_session, task.id, broker, {"invoiceAmount": "15 000"})
    assert refused.value.errors == {"invoiceNumber": "Обязательное поле"}
    db_session.rollback()

    runtime.complete(
        db_session, task.id, broker, {"invoiceNumber": "СЧ-12", "invoiceAmount": "15 000"}
    )
    db_session.commit()
    assert instance.status == ProcessStatus.completed
    data = json.loads(instance.serialized)["data"]
    assert (data["invoiceNumber"], data["invoiceAmount"]) == ("СЧ-12", 15000)


def test_a_conditional_event_passes_when_its_condition_holds(db_session):
    publish(db_session, "conditional_event")
    instance = runtime.start(
        db_session, "conditional_event", data={"documents_ready": True, "amount": 5000}
    )
    db_session.commit()
    assert instance.status == ProcessStatus.completed
    assert json.loads(instance.serialized)["data"]["noted"] is True


def test_a_conditional_event_waits_while_its_condition_does_not_hold(db_session):
    publish(db_session, "conditional_event")
    instance = runtime.start(
        db_session, "conditional_event", data={"documents_ready": False, "amount": 5000}
    )
    db_session.commit()
    assert instance.status == ProcessStatus.waiting
    assert '"noted"' not in instance.serialized
