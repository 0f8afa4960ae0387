"""Diagrams drawn in Camunda Modeler with multi-instance and loop tasks pass the check and run:
one mortgage application goes to several banks at once, or to one bank after another."""

from __future__ import annotations

import json

import pytest

from engine.bpmn import repository
from engine.core import runtime
from engine.core.workflow_io import deserialize, ready_user_tasks
from models.process.instance import ProcessStatus
from models.users.user import Role
from tests.factories.process import DATA

OUTSIDE = DATA / "outside"
BANKS = ["sber", "vtb"]


@pytest.fixture
def publish(db_session):
    def publish(name: str):
        model = repository.publish(db_session, (OUTSIDE / f"{name}.bpmn").read_text("utf-8"))
        db_session.commit()
        return model

    return publish


def start(db_session, process_id: str, **data):
    instance = runtime.start(db_session, process_id, data=data)
    db_session.commit()
    return instance


def data_of(instance) -> dict:
    """The data of a completed instance (what its last task left)."""
    return json.loads(instance.serialized)["data"]


def complete_all(db_session, open_tasks, instance, user, form) -> list[str]:
    """Complete the instance's open tasks one by one; the labels in the order they were done."""
    done = []
    while rows := open_tasks(instance.id):
        runtime.complete(db_session, rows[0].id, user, form)
        db_session.commit()
        done.append(rows[0].task_name)
    return done


def test_a_parallel_multi_instance_user_task_opens_one_task_per_bank(
    db_session, publish, open_tasks, make_user
):
    publish("mi_parallel_user")
    broker = make_user(role=Role.mortgage_broker)
    instance = start(db_session, "mi_parallel_user", banks=BANKS)
    rows = open_tasks(instance.id)
    assert [row.task_name for row in rows] == ["ask_bank", "ask_bank"]
    assert {row.role for row in rows} == {Role.mortgage_broker}
    assert [f["name"] for f in rows[0].form] == ["answer"]

    assert complete_all(db_session, open_tasks, instance, broker, {"answer": "approved"}) == [
        "ask_bank",
        "ask_bank",
    ]
    assert instance.status == ProcessStatus.completed
    assert data_of(instance)["answers"] == ["approved", "approved"]


def test_a_parallel_multi_instance_service_task_runs_its_cardinality(db_session, publish):
    publish("mi_parallel_service_cardinality")
    instance = start(db_session, "mi_parallel_service_cardinality")
    assert instance.status == ProcessStatus.completed
    replies = data_of(instance)["replies"]
    assert sorted(reply["bank"] for reply in replies) == ["0", "1", "2"]


def test_a_parallel_multi_instance_call_activity_calls_the_process_once_per_bank(
    db_session, publish
):
    publish("mi_parallel_call")
    instance = start(db_session, "mi_parallel_call", banks=["sber", "alfabank"])
    assert instance.status == ProcessStatus.completed
    assert data_of(instance)["scores"] == [4, 8]


def test_sequential_multi_instance_user_service_and_call_activity_take_banks_in_turn(
    db_session, publish, open_tasks, make_user
):
    publish("mi_sequential")
    broker = make_user(role=Role.mortgage_broker)
    instance = start(db_session, "mi_sequential", banks=BANKS)
    [first] = open_tasks(instance.id)  # one bank at a time
    assert first.task_name == "check_bank"
    assert complete_all(db_session, open_tasks, instance, broker, {"rate": "9,5"}) == [
        "check_bank",
        "check_bank",
    ]
    assert instance.status == ProcessStatus.completed
    data = data_of(instance)
    assert data["rates"] == ["9,5", "9,5"]
    assert [reply["bank"] for reply in data["replies"]] == BANKS
    assert data["scores"] == [4, 3]


def test_standard_loops_repeat_a_service_task_a_call_activity_and_a_user_task(
    db_session, publish, open_tasks, make_user
):
    publish("loops")
    manager = make_user(role=Role.sales_manager)
    instance = start(db_session, "loops", bank="sber")
    [call] = open_tasks(instance.id)
    runtime.complete(db_session, call.id, manager, {})  # not agreed: call again
    db_session.commit()
    [again] = open_tasks(instance.id)
    assert again.task_name == "call_client" and again.id != call.id
    runtime.complete(db_session, again.id, manager, {"agreed": "on"})
    db_session.commit()
    assert instance.status == ProcessStatus.completed
    assert data_of(instance)["agreed"] is True


def test_camunda_collection_and_element_variable_send_the_application_to_every_bank(
    db_session, publish, open_tasks, make_user
):
    publish("mi_camunda_collection")
    broker = make_user(role=Role.mortgage_broker)
    instance = start(db_session, "mi_camunda_collection", banks=BANKS)
    workflow = deserialize(instance.serialized, db_session)
    assert [task.data["bank"] for task in ready_user_tasks(workflow)] == BANKS
    assert [task.data["reply"] for task in ready_user_tasks(workflow)] == [
        {"bank": "vtb", "answer": "approved"}
    ] * 2  # the sequential service task asked sber, then vtb
    assert complete_all(db_session, open_tasks, instance, broker, {"bankDecision": "да"}) == [
        "enter_decision",
        "enter_decision",
    ]
    assert instance.status == ProcessStatus.completed


def test_two_camunda_rounds_over_the_same_element_variable_each_give_every_bank_a_task(
    db_session, publish, open_tasks, make_user
):
    publish("mi_camunda_two_rounds")
    broker = make_user(role=Role.mortgage_broker)
    instance = start(db_session, "mi_camunda_two_rounds", banks=BANKS)
    form = {"sentAt": "01.12.2026", "bankDecision": "да"}
    assert complete_all(db_session, open_tasks, instance, broker, form) == [
        "send_to_bank",
        "send_to_bank",
        "enter_decision",
        "enter_decision",
    ]
    assert instance.status == ProcessStatus.completed
    assert "bank" not in data_of(instance)  # an instance's item stays its own
