"""engine.tryrun: a draft run in memory — path, forms, actions only described, timers,
messages, loops and errors stopped with a message; no reference to the draft is cached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import bpmn
from engine.authoring import tryrun
from engine.core.errors import FormInvalid

ROOT = Path(__file__).parents[2]
PRICE_CHANGE = (ROOT / "processes" / "price_change.bpmn").read_text("utf-8")
FEATURES = (Path(__file__).parent / "data" / "engine_features.bpmn").read_text("utf-8")
LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="loop_definitions" targetNamespace="http://sales.local/test">
  <bpmn:process id="endless" name="Бесконечный цикл" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="count" name="Посчитать">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f_again</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>n = n + 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="more" name="Ещё?" default="f_done">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_again</bpmn:outgoing><bpmn:outgoing>f_done</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f_done</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="count"/>
    <bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="more"/>
    <bpmn:sequenceFlow id="f_again" sourceRef="more" targetRef="count">
      <bpmn:conditionExpression>n &lt; limit</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_done" sourceRef="more" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
RESERVATION = (ROOT / "processes" / "reservation.bpmn").read_text("utf-8")
RESERVATION_SAMPLE = {
    "premise_id": 1,
    "client_id": 2,
    "over_limit": False,
    "from_queue": False,
    "channel": "offline",
    "paid": False,
    "manager_id": 3,
    "api_key_id": None,
}
SAMPLE = {"premise_id": 5, "premise_number": "7", "current_price": "1000000.00"}


def completed_ids(run: tryrun.TryRun) -> set[str]:
    from SpiffWorkflow.util.task import TaskState

    return {t.task_spec.bpmn_id for t in run.workflow.get_tasks(state=TaskState.COMPLETED)}


def test_a_draft_runs_to_its_first_user_task_with_the_sample_data():
    run = tryrun.start(PRICE_CHANGE, SAMPLE)

    assert run.error is None and not run.finished
    [task] = run.user_tasks()
    assert task.name == "Предложить новую цену"
    assert task.title == "Новая цена помещения № 7"
    assert task.role == "Менеджер по продажам"
    assert [f.name for f in task.fields] == ["new_price", "reason"]
    assert "start" in completed_ids(run)
    assert run.log[-1]["text"] == "Ждёт задачу «Предложить новую цену» (Менеджер по продажам)"


def test_forms_are_validated_like_the_inbox():
    run = tryrun.start(PRICE_CHANGE, SAMPLE)
    [task] = run.user_tasks()
    with pytest.raises(FormInvalid) as refused:
        run.complete(task.guid, {"new_price": "-5", "reason": ""})
    assert refused.value.errors == {
        "new_price": "Сумма должна быть больше нуля",
        "reason": "Обязательное поле",
    }
    assert [t.guid for t in run.user_tasks()] == [task.guid]  # nothing moved

    run.complete(task.guid, {"new_price": "500 000", "reason": "торг"})
    [approval] = run.user_tasks()
    assert approval.approval and approval.name == "Согласовать снижение цены"
    with pytest.raises(FormInvalid) as refused:
        run.complete(approval.guid, {"decision": "reject"})
    assert "decision_comment" in refused.value.errors


def test_an_action_is_described_and_answered_from_the_sample_results():
    run = tryrun.start(
        PRICE_CHANGE, {**SAMPLE, "_results": {"change_premise_price": {"changed": True}}}
    )
    run.complete(run.user_tasks()[0].guid, {"new_price": "990000", "reason": "акция"})

    assert run.finished and run.error is None
    assert {"needs_approval", "change_price", "end_changed"} <= completed_ids(run)
    described = [e["text"] for e in run.log if e["kind"] == "action"]
    assert described == [
        "Вызвал бы действие «measure_price_cut» с параметрами "
        '{"premise_id": 5, "new_price": "990000.00"}; результат: {"price": "1000000.00", '
        '"reference_price": "1000000.00", "reference_source": "пробный запуск", '
        '"cut_pct": "1.00"}',
        "Вызвал бы действие «change_premise_price» с параметрами "
        '{"premise_id": 5, "new_price": "990000.00", "user_id": null}; '
        'результат: {"changed": true}',
    ]
    assert run.data()["price_change_result"] == {"changed": True}
    assert "_results" not in run.data()


def test_the_state_round_trips_with_its_spec_embedded_and_nothing_cached():
    draft = PRICE_CHANGE.replace("</bpmn:definitions>", "<!-- черновик -->\n</bpmn:definitions>")
    run = tryrun.start(draft, SAMPLE)
    state = tryrun.dump(run)

    assert "spec_sha256" not in json.loads(state["workflow"])
    assert bpmn.known_definition(bpmn.sha256(draft)) is None
    again = tryrun.restore(json.loads(json.dumps(state)))
    assert [t.name for t in again.user_tasks()] == ["Предложить новую цену"]
    assert again.log == run.log


def test_timers_fire_at_once_and_messages_arrive_with_their_payload():
    import tests.process_support  # noqa: F401 - registers the action engine_features names

    timed = tryrun.start(FEATURES, {"mode": "timer", "amount": "1.00", "wait_for": "P7D"})
    assert [t.name for t in timed.waiting_timers()] == ["Подождать"]
    assert timed.fire_timers() == 1
    assert [t.name for t in timed.user_tasks()] == ["Подтвердить"]
    with pytest.raises(tryrun.TryRunRefused, match="не ждёт ни одного таймера"):
        timed.fire_timers()

    waiting = tryrun.start(FEATURES, {"mode": "message", "amount": "1.00"})
    assert waiting.waiting_messages() == ["payment_received"]
    waiting.send_message("payment_received", {"sum": "10.00"})
    assert waiting.data()["payment"] == {"sum": "10.00"}


def test_a_failing_script_stops_the_run_with_the_step_named():
    import tests.process_support  # noqa: F401

    run = tryrun.start(FEATURES, {"mode": "timer"})  # no `amount` for the script
    assert run.error_task == "prepare"
    assert run.error == (
        "Ошибка на шаге «Подготовить»: переменная «amount» не задана. "
        "Есть переменные: 'mode', 'started_by'."
    )
    with pytest.raises(tryrun.TryRunRefused, match="остановлен ошибкой"):
        run.fire_timers()


def test_an_endless_loop_is_stopped():
    run = tryrun.start(LOOP, {"n": 0, "limit": 10**9})
    assert (
        run.error
        == f"Ошибка: Больше {tryrun.MAX_STEPS} шагов без остановки: похоже на бесконечный цикл"
    )


def test_a_draft_with_problems_is_refused_with_them():
    broken = PRICE_CHANGE.replace('id="change_premise_price"', 'id="launch_rockets"')
    with pytest.raises(tryrun.TryRunRefused) as refused:
        tryrun.start(broken, SAMPLE)
    assert [p.element_id for p in refused.value.problems] == ["change_price"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", None),
        ("[]", "нужен JSON-объект"),
        ('"x"', "нужен JSON-объект"),
        ("{'a': 1}", "это не JSON"),
        ('{"typename": 1}', "typename"),
        ('{"a b": 1}', "«a b»"),
        ('{"имя": 1}', "«имя»"),
        ('{"a": {"b": [{"typename": "BpmnWorkflow"}]}}', "«typename»"),
        ('{"a": ' + "[" * 5000 + "]" * 5000 + "}", "глубокая вложенность"),
        ('{"a": ' + "9" * 5000 + "}", "слишком большие числа"),
        ("{" + '"a": "' + "x" * 30_000 + '"}', "не больше"),
    ],
)
def test_sample_data_must_be_a_json_object_of_plain_names(text, message):
    if message is None:
        assert tryrun.parse_json_object(text, "Данные") == {}
        return
    with pytest.raises(tryrun.TryRunRefused, match=message):
        tryrun.parse_json_object(text, "Данные")


def test_one_timer_of_several_can_fire_alone():
    terms = {
        "reservation_id": 9,
        "expires_at": "2030-01-10T00:00:00+03:00",
        "remind_at": "2030-01-09T00:00:00+03:00",
    }
    run = tryrun.start(RESERVATION, {**RESERVATION_SAMPLE, "_results": {"reserve_premise": terms}})
    assert {t.bpmn_id: t.due for t in run.waiting_timers()} == {
        "expire_timer": "2030-01-10T00:00:00+03:00",
        "remind_timer": "2030-01-09T00:00:00+03:00",
    }

    run.fire_timers("remind_timer")

    assert run.error is None
    assert [t.bpmn_id for t in run.waiting_timers()] == ["expire_timer"]
    assert any(
        e["text"] == 'Вызвал бы действие «remind_manager» с параметрами {"reservation_id": 9}; '
        "результат: {}"
        for e in run.log
    )
    assert run.waiting_messages() == ["reservation_event"]
    with pytest.raises(tryrun.TryRunRefused, match="не ждёт таймера «remind_timer»"):
        run.fire_timers("remind_timer")


def test_a_simulated_action_error_takes_the_boundary_event_path():
    refused = {"_error": "premise_unavailable", "message": "Помещение уже не свободно"}
    run = tryrun.start(
        RESERVATION, {**RESERVATION_SAMPLE, "_results": {"reserve_premise": refused}}
    )

    assert run.error is None and run.finished
    assert {"take_failed", "tell_refused", "end_refused"} <= completed_ids(run)
    texts = [e["text"] for e in run.log]
    assert "Ошибка «premise_unavailable» перехвачена событием «Не удалось»" in texts
    assert any("«notify_refused»" in t and "Помещение уже не свободно" in t for t in texts)


def test_a_simulated_error_nobody_catches_stops_the_run():
    failing = {"_results": {"change_premise_price": {"_error": "bank_down"}}}
    run = tryrun.start(PRICE_CHANGE, {**SAMPLE, **failing})
    run.complete(run.user_tasks()[0].guid, {"new_price": "990000", "reason": "акция"})

    assert run.error_task == "change_price"
    assert run.error.startswith("Ошибка на шаге «Изменить цену»: ")
    assert "ошибка «bank_down» (проба)" in run.error
