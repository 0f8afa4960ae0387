"""Trying a draft from the browser: the path on the diagram, forms, timers, messages, and
nothing in the database changes; bad input gets a Russian message, never a 500."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

import tests.process_support  # noqa: F401 - registers the test action engine_features calls
from models.process.instance import ProcessDraft
from models.users.user import Role
from web.extensions import db

ROOT = Path(__file__).parents[2]
FEATURES = (ROOT / "tests" / "processes" / "data" / "engine_features.bpmn").read_text("utf-8")
NOT_EDITORS = [r for r in Role if r not in (Role.admin, Role.analyst)]
SAMPLE = {
    "premise_id": 1,
    "premise_number": "12",
    "current_price": "1000000.00",
    "_results": {"change_premise_price": {"changed": True}},
}


@pytest.fixture
def features_draft(db_session):
    found = ProcessDraft(process_id="engine_features", name="Проверка движка", bpmn_xml=FEATURES)
    db_session.add(found)
    db_session.commit()
    return found


def url(draft) -> str:
    return f"/processes/drafts/{draft.id}/try"


def state_of(page: str) -> str:
    return html.unescape(re.search(r'name="state" value="([^"]+)"', page).group(1))


def task_of(page: str) -> str:
    return re.search(r'name="task" value="([^"]+)"', page).group(1)


def attribute(page: str, name: str):
    return json.loads(html.unescape(re.search(rf'{name}="([^"]*)"', page).group(1)))


def snapshot() -> dict:
    """Every row of every table: what must not change."""
    return {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
    }


def test_a_draft_runs_along_its_path_and_nothing_is_written(client, analyst, draft, db_session):
    before = snapshot()

    response = client.post(url(draft), data={"action": "start", "sample": json.dumps(SAMPLE)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Новая цена помещения № 12" in page  # the task title from the sample data
    assert "start" in attribute(page, "data-completed")
    assert attribute(page, "data-current") == ["propose_price"]

    response = client.post(
        url(draft),
        data={
            "action": "complete",
            "state": state_of(page),
            "task": task_of(page),
            "new_price": "990 000,00",
            "reason": "акция",
        },
    )
    raw = response.get_data(as_text=True)
    page = html.unescape(raw)
    assert response.status_code == 200
    assert "Завершён" in page
    assert (
        "Вызвал бы действие «change_premise_price» с параметрами "
        '{"premise_id": 1, "new_price": "990000.00", "user_id": null}' in page
    )
    assert '"price_change_result": {\n    "changed": true\n  }' in page
    assert ["propose_price", "measure_cut"] in attribute(raw, "data-taken")
    assert ["measure_cut", "needs_approval"] in attribute(raw, "data-taken")
    db_session.rollback()
    assert snapshot() == before


def test_a_form_with_wrong_values_is_refused_and_the_run_goes_on(client, analyst, draft):
    page = client.post(url(draft), data={"action": "start", "sample": json.dumps(SAMPLE)})
    page = page.get_data(as_text=True)
    form = {"action": "complete", "state": state_of(page), "task": task_of(page)}

    refused = client.post(url(draft), data={**form, "new_price": "дорого", "reason": ""})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Введите сумму, например 12 345,50" in text
    assert "Обязательное поле" in text
    assert 'value="дорого"' in text  # what was typed stays in the form

    accepted = client.post(url(draft), data={**form, "new_price": "500000", "reason": "торг"})
    assert accepted.status_code == 200
    assert "Согласовать цену № 12" in accepted.get_data(as_text=True)  # more than 3 % off


def test_timers_fire_on_request(client, analyst, features_draft):
    sample = {"mode": "timer", "amount": "1.00", "wait_for": "P3D"}
    page = client.post(url(features_draft), data={"action": "start", "sample": json.dumps(sample)})
    page = page.get_data(as_text=True)
    assert "Сработать таймерам" in page
    assert attribute(page, "data-current") == ["wait_timer"]

    fired = client.post(url(features_draft), data={"action": "timers", "state": state_of(page)})
    page = fired.get_data(as_text=True)
    assert "Сработали таймеры: «Подождать»" in page
    assert attribute(page, "data-current") == ["confirm"]


def test_a_message_is_delivered_with_its_payload(client, analyst, features_draft):
    sample = {"mode": "message", "amount": "1.00"}
    page = client.post(url(features_draft), data={"action": "start", "sample": json.dumps(sample)})
    state = state_of(page.get_data(as_text=True))

    unknown = client.post(
        url(features_draft),
        data={"action": "message", "state": state, "message": "nope", "payload": "{}"},
    )
    assert unknown.status_code == 422
    assert "Процесс не ждёт сообщения «nope»" in unknown.get_data(as_text=True)
    not_object = client.post(
        url(features_draft),
        data={"action": "message", "state": state, "message": "payment_received", "payload": "7"},
    )
    assert "Данные сообщения: нужен JSON-объект" in not_object.get_data(as_text=True)

    sent = client.post(
        url(features_draft),
        data={
            "action": "message",
            "state": state,
            "message": "payment_received",
            "payload": '{"sum": "100.00"}',
        },
    )
    raw = sent.get_data(as_text=True)
    assert sent.status_code == 200
    assert '"payment": {\n    "sum": "100.00"\n  }' in html.unescape(raw)
    assert attribute(raw, "data-current") == ["confirm"]


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("[1, 2]", "нужен JSON-объект"),
        ("{premise_id: 1}", "это не JSON"),
        ('{"__class__": 1}', "имена данных"),
        ('{"_results": 5}', "«_results»: нужен объект"),
        ('{"a": {"typename": "BpmnWorkflow"}}', "«typename»"),
        ('{"a": ' + "[" * 5000 + "]" * 5000 + "}", "слишком глубокая вложенность"),
    ],
)
def test_sample_data_that_is_not_a_json_object_is_refused(client, analyst, draft, sample, message):
    response = client.post(url(draft), data={"action": "start", "sample": sample})
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))


def test_a_tampered_state_is_refused(client, analyst, draft):
    page = client.post(url(draft), data={"action": "start", "sample": json.dumps(SAMPLE)})
    page = page.get_data(as_text=True)
    state = state_of(page)
    forged = state[:-3] + ("AAA" if not state.endswith("AAA") else "BBB")
    for bad in (forged, "", "not-a-state"):
        response = client.post(
            url(draft),
            data={"action": "complete", "state": bad, "task": task_of(page), "reason": "x"},
        )
        assert response.status_code == 422
        assert "повреждено или подделано" in response.get_data(as_text=True)


def test_a_state_of_a_changed_draft_is_refused(client, analyst, draft, db_session):
    page = client.post(url(draft), data={"action": "start", "sample": json.dumps(SAMPLE)})
    page = page.get_data(as_text=True)
    draft.bpmn_xml = draft.bpmn_xml.replace("Нужна новая цена", "Нужна другая цена")
    db_session.commit()
    response = client.post(url(draft), data={"action": "timers", "state": state_of(page)})
    assert response.status_code == 422
    assert "Черновик изменился" in response.get_data(as_text=True)


def test_a_draft_with_a_hostile_condition_is_not_run(client, analyst, draft, db_session):
    hostile = re.sub(
        r"(<bpmn:conditionExpression[^>]*>)[^<]*(</bpmn:conditionExpression>)",
        r"\1().__class__.__base__.__subclasses__()\2",
        draft.bpmn_xml,
        count=1,
    )
    draft.bpmn_xml = hostile
    db_session.commit()

    page = client.get(url(draft)).get_data(as_text=True)
    assert "В черновике есть ошибки" in page
    response = client.post(url(draft), data={"action": "start", "sample": "{}"})
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert "исправьте их перед пробным запуском" in text
    assert "flow_to_approval «да»: строка 1: Запрещено обращение к атрибуту «__class__»" in text


def test_an_unknown_action_is_refused(client, analyst, draft):
    response = client.post(url(draft), data={"action": "launch", "state": "x"})
    assert response.status_code == 422


@pytest.mark.parametrize("role", NOT_EDITORS, ids=lambda r: r.value)
def test_only_analysts_and_admins_may_try(client, login_as, draft, role):
    login_as(role)
    assert client.get(url(draft)).status_code == 403
    response = client.post(url(draft), data={"action": "start", "sample": "{}"})
    assert response.status_code == 403


def test_an_unknown_draft_is_not_found(client, analyst):
    assert client.get("/processes/drafts/999999/try").status_code == 404
