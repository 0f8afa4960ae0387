"""The stored state of an instance names its published version's spec instead of embedding it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine import bpmn
from engine.core import runtime
from engine.core.errors import InstanceStateError
from engine.core.workflow_io import deserialize, ready_user_tasks, serialize
from models.process.human_task import HumanTask
from models.process.instance import ProcessModel


@pytest.fixture
def instance(db_session, make_building, make_premise, make_user):
    from models.users.user import Role

    premise = make_premise(make_building(), number="3")
    started = runtime.start(
        db_session,
        "price_change",
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=make_user(Role.sales_manager),
    )
    db_session.commit()
    return started


def test_the_state_names_the_spec_by_the_sha_of_its_version(db_session, instance):
    state = json.loads(instance.serialized)
    assert "spec" not in state and "subprocess_specs" not in state
    assert state["spec_sha256"] == db_session.get(ProcessModel, instance.model_id).sha256


def test_a_worker_that_never_built_the_version_reads_it_from_the_database(
    db_session, instance, monkeypatch
):
    monkeypatch.setattr(bpmn, "_BY_SHA", {})
    bpmn.load.cache_clear()
    workflow = deserialize(instance.serialized, db_session)
    [task] = ready_user_tasks(workflow)
    row = db_session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
    assert str(task.id) == row.task_guid
    assert bpmn.sha_of(workflow.spec) == json.loads(instance.serialized)["spec_sha256"]


def test_a_state_whose_version_is_unknown_is_a_clear_error(instance, monkeypatch):
    monkeypatch.setattr(bpmn, "_BY_SHA", {})
    bpmn.load.cache_clear()
    with pytest.raises(InstanceStateError, match="Версия процесса .* не найдена"):
        deserialize(instance.serialized)


def test_a_state_with_the_spec_embedded_still_reads_and_runs(db_session, instance):
    workflow = deserialize(instance.serialized, db_session)
    embedded = serialize(workflow, embed_spec=True)
    assert "spec_sha256" not in json.loads(embedded)
    restored = deserialize(embedded)
    assert [t.task_spec.name for t in ready_user_tasks(restored)] == [
        t.task_spec.name for t in ready_user_tasks(workflow)
    ]
    # and the engine runs on from it
    instance.serialized = embedded
    db_session.commit()
    row = db_session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
    runtime.complete(
        db_session, row.id, instance.started_by, {"new_price": "9000000", "reason": "акция"}
    )
    db_session.commit()
    assert row.status.value == "completed"
    assert [t.task_spec.name for t in ready_user_tasks(deserialize(instance.serialized))] == [
        "approve_price_change"
    ]


def test_a_version_forgotten_by_sha_is_found_again_once_loaded(db_session, instance, monkeypatch):
    monkeypatch.setattr(bpmn, "_BY_SHA", {})  # evicted, while the built spec is still cached
    model = db_session.get(ProcessModel, instance.model_id)
    assert bpmn.known_definition(model.sha256) is None
    definition = bpmn.definition_of(model)
    assert bpmn.known_definition(model.sha256) is definition
    assert bpmn.sha_of(definition.spec) == model.sha256


@pytest.mark.speed_on_only  # engine/speed/state.py's shortcut; off, Spiff parses each id anew
def test_a_read_state_holds_one_id_object_per_task_and_writes_back_the_same(
    db_session, make_building, make_premise, make_client, manager
):
    from engine.core import workflow_io
    from engine.sales import use_cases as reservations
    from models.process.instance import ProcessBusinessKey, ProcessInstance
    from models.sales.reservation import Channel

    premise = make_premise(make_building(), number="7")
    client = make_client("Петров Пётр", phone=None)
    made = reservations.reserve(
        db_session, premise.id, client, channel=Channel.offline, user=manager
    ).reservation
    db_session.commit()
    instance_id = db_session.scalar(
        select(ProcessBusinessKey.instance_id).where(
            ProcessBusinessKey.name == "reservation_id", ProcessBusinessKey.value == str(made.id)
        )
    )
    state = db_session.get(ProcessInstance, instance_id).serialized

    workflow = deserialize(state, db_session)
    assert workflow.subprocesses  # the hold subprocess: its tasks are read the same way
    for flow in [workflow, *workflow.subprocesses.values()]:
        for key, task in flow.tasks.items():
            assert key is task.id
            if task._parent is not None:
                assert task._parent is task.parent.id
            assert all(child is flow.tasks[child].id for child in task._children)
    assert serialize(workflow) == state
    plain = workflow_io.SPIFF_SERIALIZER.deserialize_json(state)  # Spiff's own reading of it
    assert serialize(plain) == state
