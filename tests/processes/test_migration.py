"""Moving running instances to a new version: what may move, the move itself, what follows."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import bpmn
from engine.authoring import migration
from engine.bpmn import repository
from engine.core import runtime
from engine.core.workflow_io import deserialize
from engine.sales import use_cases as reservations
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessEvent, ProcessEventKind, ProcessInstance, ProcessStatus
from models.sales.reservation import Channel
from tests.factories import process


@pytest.fixture
def v1(db_session):
    return process.published(db_session, "migration_v1")


def start(db_session, user):
    instance = runtime.start(db_session, "migration_demo", user=user)
    db_session.commit()
    return instance


def open_row(db_session, instance) -> HumanTask:
    return db_session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.open
        )
    ).one()


def complete(db_session, instance, user, **values):
    row = open_row(db_session, instance)
    runtime.complete(db_session, row.id, user, values)
    db_session.commit()
    return row


def test_preview_lists_who_can_move_and_why_the_others_cannot(db_session, v1, manager):
    at_fill = start(db_session, manager)
    past_fill = start(db_session, manager)
    complete(db_session, past_fill, manager, note="готово")
    failed = start(db_session, manager)
    failed.status = ProcessStatus.error  # as engine.run leaves an instance whose action failed
    done = start(db_session, manager)
    runtime.cancel(db_session, done.id, manager)
    db_session.commit()
    v2 = process.published(db_session, "migration_v2")

    candidates = {c.instance.id: c for c in migration.preview(db_session, v2)}

    assert set(candidates) == {at_fill.id, past_fill.id, failed.id}
    assert candidates[at_fill.id].movable
    assert candidates[at_fill.id].from_version == 1
    [reason] = candidates[past_fill.id].reasons
    assert "«Заполнить заявку» уже выполнен" in reason
    assert "исходящие потоки" in reason
    assert "Ошибка" in candidates[failed.id].reasons[0]
    db_session.refresh(at_fill)
    assert at_fill.model_id == v1.id  # the preview wrote nothing


def test_a_moved_instance_keeps_its_task_with_the_new_title_and_deadline(
    db_session, v1, manager, analyst
):
    movable = start(db_session, manager)
    stuck = start(db_session, manager)
    complete(db_session, stuck, manager, note="готово")
    stuck_state = db_session.scalar(
        select(ProcessInstance.serialized).where(ProcessInstance.id == stuck.id)
    )
    row_before = open_row(db_session, movable)
    assert row_before.due_at is None
    v2 = process.published(db_session, "migration_v2")

    result = migration.move(db_session, v2, [movable.id, stuck.id], analyst)
    db_session.commit()

    assert [i.id for i in result.moved] == [movable.id]
    [(skipped_id, reason)] = result.skipped
    assert skipped_id == stuck.id and "уже выполнен" in reason
    db_session.expire_all()
    moved = db_session.get(ProcessInstance, movable.id)
    assert moved.model_id == v2.id and moved.status == ProcessStatus.waiting
    assert json.loads(moved.serialized)["spec_sha256"] == v2.sha256
    row = open_row(db_session, moved)
    assert row.id == row_before.id  # the same inbox row, re-synced
    assert row.title == "Заявка: заполните до срока"
    assert row.due_at == row.created_at + timedelta(hours=4)
    event = db_session.scalars(
        select(ProcessEvent).where(
            ProcessEvent.instance_id == moved.id, ProcessEvent.kind == ProcessEventKind.migrated
        )
    ).one()
    assert event.data == {"from_version": 1, "to_version": 2}
    assert event.user_id == analyst.id
    untouched = db_session.get(ProcessInstance, stuck.id)
    assert untouched.model_id == v1.id and untouched.serialized == stuck_state


def test_a_moved_instance_runs_to_the_end_on_the_new_version(
    db_session, v1, manager, head, analyst
):
    instance = start(db_session, manager)
    v2 = process.published(db_session, "migration_v2")
    migration.move(db_session, v2, [instance.id], analyst)
    db_session.commit()

    complete(db_session, instance, manager, note="готово")
    check = open_row(db_session, instance)
    assert check.task_name == "check"  # the step added in version 2
    assert [f["name"] for f in check.form] == ["amount", "checked"]
    complete(db_session, instance, head, amount="1 500,00", checked="on")
    assert open_row(db_session, instance).task_name == "approve"
    complete(db_session, instance, head, verdict="да")

    db_session.refresh(instance)
    assert instance.status == ProcessStatus.completed


def test_new_instances_start_on_the_new_version_and_old_ones_stay(db_session, v1, manager):
    old = start(db_session, manager)
    v2 = process.published(db_session, "migration_v2")
    new = start(db_session, manager)
    assert new.model_id == v2.id
    assert old.model_id == v1.id


def test_a_waiting_task_missing_from_the_new_version_blocks_the_move(db_session, v1, manager, head):
    process.published(db_session, "migration_v2")
    instance = start(db_session, manager)
    complete(db_session, instance, manager, note="готово")
    complete(db_session, instance, head, amount="10")
    v3 = process.published(db_session, "migration_v3")

    [candidate] = migration.preview(db_session, v3)

    assert not candidate.movable
    assert any(
        "«Утвердить заявку» ждёт выполнения, а в новой версии его нет" in r
        for r in candidate.reasons
    )
    result = migration.move(db_session, v3, [instance.id], None)
    assert result.moved == [] and result.skipped[0][0] == instance.id


def test_a_waiting_timer_keeps_its_due_time(db_session, features_process):
    instance = runtime.start(
        db_session, "engine_features", data={"mode": "timer", "amount": "1.00", "wait_for": "PT1H"}
    )
    db_session.commit()
    due = instance.next_timer_at
    renamed = (
        (process.DATA / "engine_features.bpmn")
        .read_text("utf-8")
        .replace('name="Подтвердить"', 'name="Подтвердить всё"')
    )
    v2 = repository.publish(db_session, renamed)
    db_session.commit()

    result = migration.move(db_session, v2, [instance.id], None)
    db_session.commit()

    assert [i.id for i in result.moved] == [instance.id]
    db_session.refresh(instance)
    assert instance.model_id == v2.id
    assert instance.next_timer_at == due


def test_one_bad_instance_does_not_stop_the_others(db_session, v1, manager):
    good = start(db_session, manager)
    v2 = process.published(db_session, "migration_v2")

    result = migration.move(db_session, v2, [999999, good.id], None)
    db_session.commit()

    assert [i.id for i in result.moved] == [good.id]
    assert result.skipped[0][0] == 999999 and "не найден" in result.skipped[0][1]


def test_a_reservation_waiting_inside_its_subprocess_moves_and_keeps_its_expiry(
    db_session, make_building, make_premise, make_client, manager
):
    premise = make_premise(make_building(), number="101", price="12000000.00")
    client = make_client("Иванов Иван Иванович", "+79990000001")
    reservations.reserve(db_session, premise.id, client, channel=Channel.offline, user=manager)
    db_session.commit()
    instance = db_session.scalars(select(ProcessInstance)).one()
    due = instance.next_timer_at
    relabelled = instance.model.bpmn_xml.replace(
        'name="Снять бронь по сроку"', 'name="Снять бронь"'
    ).replace('name="Закрепить помещение"', 'name="Закрепить помещение за клиентом"')
    v2 = repository.publish(db_session, relabelled)
    db_session.commit()

    [candidate] = migration.preview(db_session, v2)
    assert candidate.movable, candidate.reasons
    result = migration.move(db_session, v2, [instance.id], None)
    db_session.commit()

    assert [i.id for i in result.moved] == [instance.id]
    db_session.refresh(instance)
    assert instance.model_id == v2.id and instance.status == ProcessStatus.waiting
    assert instance.next_timer_at == due
    workflow = deserialize(instance.serialized, db_session)
    [hold] = workflow.subprocesses.values()
    assert hold.spec is bpmn.load(v2.bpmn_xml).subprocess_specs["hold"]


def test_an_instance_of_another_process_is_not_moved(db_session, v1, features_process):
    other = runtime.start(db_session, "engine_features", data={"mode": "message", "amount": "1"})
    db_session.commit()
    v2 = process.published(db_session, "migration_v2")

    result = migration.move(db_session, v2, [other.id], None)

    assert result.moved == []
    assert result.skipped == [(other.id, "Это экземпляр другого процесса («Проверка движка»)")]
    assert other.model_id == features_process.id
