"""The difference between two BPMN documents, element by element, layout ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn import BpmnRejected
from engine.bpmn.diff import diff_xml

PROCESSES = Path(__file__).parents[2] / "processes"
PRICE_CHANGE = (PROCESSES / "price_change.bpmn").read_text("utf-8")
RESERVATION = (PROCESSES / "reservation.bpmn").read_text("utf-8")


def changes_of(result, element_id: str) -> dict[str, tuple[str | None, str | None]]:
    [changed] = [c for c in result.changed if c.element.id == element_id]
    return {change.label: (change.old, change.new) for change in changed.changes}


def test_a_document_compared_with_itself_has_no_differences():
    assert diff_xml(PRICE_CHANGE, PRICE_CHANGE).is_empty


def test_moving_shapes_on_the_diagram_is_not_a_change():
    moved = PRICE_CHANGE.replace('<dc:Bounds x="', '<dc:Bounds x="1')
    assert moved != PRICE_CHANGE
    assert diff_xml(PRICE_CHANGE, moved).is_empty


def test_a_changed_deadline_and_name_are_reported_with_old_and_new_values():
    changed = PRICE_CHANGE.replace('value="PT4H"', 'value="PT8H"').replace(
        'name="Решение"', 'name="Решение руководителя"'
    )
    result = diff_xml(PRICE_CHANGE, changed)
    assert not result.added and not result.removed
    assert changes_of(result, "approve_price_change") == {"Срок": ("PT4H", "PT8H")}
    assert changes_of(result, "decision") == {"Название": ("Решение", "Решение руководителя")}


def test_an_action_and_its_parameters_are_compared():
    changed = PRICE_CHANGE.replace(
        'id="change_premise_price" resultVariable="price_change_result"',
        'id="another_action" resultVariable="price_change_result"',
    ).replace('id="new_price" type="str" value="new_price"', 'id="new_price" value="new_price * 2"')
    found = changes_of(diff_xml(PRICE_CHANGE, changed), "change_price")
    assert found["Действие"] == ("change_premise_price", "another_action")
    assert found["Параметр «new_price»"] == ("new_price", "new_price * 2")


def test_form_fields_added_and_changed_are_listed_by_field():
    field = '<camunda:formField id="comment" label="Комментарий" type="text"/>'
    changed = PRICE_CHANGE.replace(
        '<camunda:formField id="reason" label="Обоснование" type="text">',
        field + '<camunda:formField id="reason" label="Причина" type="text">',
    )
    found = changes_of(diff_xml(PRICE_CHANGE, changed), "propose_price")
    assert found["Поле формы «comment»"] == (None, "Комментарий, тип text")
    old, new = found["Поле формы «reason»"]
    assert old.startswith("Обоснование") and new.startswith("Причина")
    assert "обязательное" in new
    assert found["Поля формы"] == ("new_price, reason", "new_price, comment, reason")


def test_a_condition_a_lane_and_the_flows_of_a_moved_task_are_compared():
    changed = PRICE_CHANGE.replace(
        "* (100 - Decimal(max_cut_pct))", "* (100 - 2 * Decimal(max_cut_pct))"
    )
    # move the approval into the sales manager's lane
    changed = changed.replace(
        "<bpmn:flowNodeRef>approve_price_change</bpmn:flowNodeRef>", ""
    ).replace(
        "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>approve_price_change</bpmn:flowNodeRef>",
    )
    result = diff_xml(PRICE_CHANGE, changed)
    old, new = changes_of(result, "flow_to_approval")["Условие"]
    assert "2 *" not in old and "(100 - 2 * Decimal(max_cut_pct))" in new
    assert changes_of(result, "approve_price_change")["Дорожка (роль)"] == (
        "Руководитель отдела продаж",
        "Менеджер по продажам",
    )


def test_added_and_removed_elements_are_named_with_their_type():
    task = (
        '<bpmn:userTask id="check_documents" name="Проверить документы">'
        "<bpmn:incoming>flow_changed</bpmn:incoming></bpmn:userTask>"
    )
    changed = PRICE_CHANGE.replace(
        '<bpmn:endEvent id="end_failed" name="Не изменена">', task + '<bpmn:endEvent id="x">'
    )
    result = diff_xml(PRICE_CHANGE, changed)
    added = {e.id: e for e in result.added}
    removed = {e.id: e for e in result.removed}
    assert added["check_documents"].type_label == "Пользовательская задача"
    assert added["check_documents"].name == "Проверить документы"
    assert "x" in added and "end_failed" in removed
    assert removed["end_failed"].type_label == "Конечное событие"


def test_timers_and_messages_are_compared():
    changed = RESERVATION.replace('terms["expires_at"]', 'terms["expires_at"] + "X"').replace(
        "<spiffworkflow:messageVariable>event</spiffworkflow:messageVariable>",
        "<spiffworkflow:messageVariable>payload</spiffworkflow:messageVariable>",
    )
    result = diff_xml(RESERVATION, changed)
    assert changes_of(result, "expire_timer")["Таймер: дата"] == (
        'terms["expires_at"]',
        'terms["expires_at"] + "X"',
    )
    assert changes_of(result, "wait_event")["Переменная сообщения"] == ("event", "payload")


def test_a_renamed_message_shows_on_the_message_and_reads_by_name():
    changed = RESERVATION.replace('name="reservation_event"', 'name="reservation_news"')
    result = diff_xml(RESERVATION, changed)
    assert changes_of(result, "msg_reservation_event")["Название"] == (
        "reservation_event",
        "reservation_news",
    )
    assert changes_of(result, "wait_event")["Сообщение"] == (
        "reservation_event",
        "reservation_news",
    )


def test_hostile_xml_is_refused_before_any_comparison():
    hostile = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    with pytest.raises(BpmnRejected):
        diff_xml(PRICE_CHANGE, hostile)
