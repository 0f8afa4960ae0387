"""The sandbox runs what analysts write: conditions, dates, money, scripts, and whole workflows."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine import sandbox
from engine.sandbox import (
    SAFE_NAMES,
    Limits,
    SandboxEnvironment,
    SandboxError,
    SandboxLimitError,
    SandboxScriptEngine,
    SandboxTaskError,
    check,
    ensure_safe,
    evaluate,
    execute,
)

# Conditions and expressions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ("amount > 100 and status == 'new'", {"amount": 150, "status": "new"}, True),
        ("discount_pct > max_discount_pct", {"discount_pct": 3, "max_discount_pct": 5}, False),
        ("decision in ('approve', 'approve_with_changes')", {"decision": "approve"}, True),
        ("Decimal(price) > Decimal('100')", {"price": "100.50"}, True),
        ("Decimal(new) < Decimal(old) * Decimal('0.97')", {"new": "96", "old": "100"}, True),
        ("money(price) == Decimal('12.35')", {"price": "12.345"}, True),
        ("Decimal(0.1) + Decimal(0.2) == Decimal('0.3')", {}, True),
        ("sum(Decimal(p) for p in prices)", {"prices": ["1.10", "2.20"]}, Decimal("3.30")),
        ("[x * 2 for x in items if x > 1]", {"items": [1, 2, 3]}, [4, 6]),
        ("{k: len(v) for k, v in groups.items()}", {"groups": {"a": [1, 2]}}, {"a": 2}),
        ("sorted(rows, key=lambda r: -r['n'])[0]", {"rows": [{"n": 1}, {"n": 5}]}, {"n": 5}),
        ("f'{amount:,.2f} ₽'", {"amount": Decimal("1234.5")}, "1,234.50 ₽"),
        ("max(len(s) for s in names)", {"names": ["Иван", "Ольга"]}, 5),
        ("isinstance(x, (int, Decimal))", {"x": 5}, True),
        ("math.ceil(area / 10) * 10", {"area": 41.2}, 50),
    ],
)  # fmt: skip
def test_gateway_condition_sees_task_data(expression, data, expected):
    assert check(expression) == []
    assert evaluate(expression, data) == expected


def test_date_arithmetic():
    data = {"signed": "31.01.2024", "reserved_at": "2024-05-01T12:00:00+03:00"}

    assert evaluate("add_months(parse_date(signed), 1)", data) == date(2024, 2, 29)
    assert evaluate("parse_date(signed) + timedelta(days=30)", data) == date(2024, 3, 1)
    assert evaluate("parse_datetime(reserved_at) + parse_duration('P1DT2H')", data) == datetime(
        2024, 5, 2, 11, 0, tzinfo=UTC
    )
    assert evaluate("(now() - parse_datetime('2020-01-01')).days > 365") is True
    assert evaluate("today() <= (now() + timedelta(hours=3)).date()") is True
    assert evaluate("parse_datetime('2024-01-01T00:00').tzinfo == UTC") is True


def test_timer_expression_returns_an_iso_string():
    data = {"reserved_at": "2024-05-01T12:00:00+03:00", "days": 3}

    expires = evaluate("(parse_datetime(reserved_at) + timedelta(days=days)).isoformat()", data)

    assert expires == "2024-05-04T12:00:00+03:00"
    assert evaluate("iso_duration(timedelta(days=days, hours=4))", data) == "P3DT4H"
    assert evaluate("iso_duration(parse_duration('PT1.5S'))") == "PT1.5S"


@pytest.mark.parametrize("text", ["P1M", "P2Y", "3 days", "P"])
def test_durations_with_months_or_garbage_are_refused(text):
    with pytest.raises(ValueError, match="длительност|месяц"):
        evaluate(f"parse_duration('{text}')")


def test_syntax_error_is_a_problem_not_an_exception():
    problems = check("amount >")

    assert len(problems) == 1
    assert problems[0].message.startswith("Синтаксическая ошибка")
    with pytest.raises(SandboxError, match="Синтаксическая ошибка"):
        ensure_safe("amount >")


def test_task_data_cannot_replace_the_guards_or_the_builtins():
    data = {
        "items": [1, 2],
        "_sb_call": lambda *args: "hijacked",
        "__builtins__": {"len": lambda x: "hijacked"},
    }

    assert evaluate("len(items)", data) == 2


def test_missing_names_stay_ordinary_python_errors():
    with pytest.raises(NameError):
        evaluate("unknown > 1", {})
    with pytest.raises(ZeroDivisionError):
        evaluate("1 / zero", {"zero": 0})


# Scripts ------------------------------------------------------------------------------------


def test_script_writes_its_variables_back_into_task_data():
    data = {"price": "400.50", "quantity": 3, "obsolete": 1, "_internal": "kept"}
    script = (
        "total = Decimal(price) * quantity\n"
        "lines = [f'{n}: {price}' for n in range(1, quantity + 1)]\n"
        "signed = date(2024, 5, 31)\n"
        "def helper(x):\n"
        "    return x\n"
        "seen = {1, 2}\n"
        "del obsolete\n"
    )

    execute(script, data)

    assert data == {
        "price": "400.50",
        "quantity": 3,
        "_internal": "kept",
        "total": "1201.50",
        "lines": ["1: 400.50", "2: 400.50", "3: 400.50"],
        "signed": "2024-05-31",
    }


def test_script_keeps_datetimes_and_converts_nested_values():
    data: dict = {}

    execute(
        "when = datetime(2024, 1, 1, tzinfo=UTC)\nrow = {'sum': Decimal('1.5'), 't': (1,)}", data
    )

    assert data == {"when": datetime(2024, 1, 1, tzinfo=UTC), "row": {"sum": "1.5", "t": [1]}}


@pytest.mark.parametrize(
    ("script", "fragment"),
    [
        ("bad = {'ids': {1, 2}}", "тип set"),
        ("bad = {'typename': 'x'}", "«typename» зарезервировано"),
        ("typename = 'x'", "«typename» зарезервировано"),
        ("bad = {(1, 2): 'x'}", "Ключ словаря"),
    ],
)
def test_script_cannot_leave_unsaveable_task_data(script, fragment):
    with pytest.raises(SandboxError, match=fragment):
        execute(script, {})


def test_script_with_a_loop_and_a_recursive_function():
    data = {"items": [{"price": "10.00", "qty": 2}, {"price": "5.50", "qty": 1}]}
    script = (
        "def fact(n):\n"
        "    return 1 if n < 2 else n * fact(n - 1)\n"
        "total = Decimal('0')\n"
        "for item in items:\n"
        "    total += Decimal(item['price']) * item['qty']\n"
        "count = 0\n"
        "while count < 10:\n"
        "    count += 1\n"
        "f10 = fact(10)\n"
    )

    execute(script, data)

    assert (data["total"], data["count"], data["f10"]) == ("25.50", 10, 3628800)


def test_text_built_with_plus_equals_in_a_loop_is_charged_for_the_added_part_only():
    data: dict = {}
    script = (
        "report = ''\n"
        "for i in range(3000):\n"
        "    report += f'Помещение № {i}: свободно' + ' ' * 20\n"
    )

    execute(script, data)

    assert len(data["report"]) > 100_000


def test_time_limit_holds_in_a_worker_thread_without_signals(budget_clock):
    limits = Limits(seconds=0.2, max_steps=10**12)
    errors: list[Exception] = []

    def worker():
        try:
            execute("while True:\n    pass", {}, limits=limits)
        except SandboxLimitError as err:
            errors.append(err)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(5)

    assert not thread.is_alive()
    assert [str(e) for e in errors] == ["Превышено время выполнения сценария (0.2 с)"]
    # Stopped by the clock as soon as 0.2 s had passed on it, not by the step limit.
    assert 1000.2 < next(budget_clock) < 1000.21


def test_expression_time_limit_message(budget_clock):
    with pytest.raises(SandboxLimitError, match=r"выражения \(0.1 с\)"):
        evaluate("[1 for a in range(10**6) for b in range(10**6)]", limits=Limits(seconds=0.1))


def test_short_condition_costs_a_handful_of_guarded_steps(budget_clock):
    data = {"amount": 150, "status": "new", "price": "100.50"}
    expression = "amount > 100 and status == 'new' and Decimal(price) > Decimal('100')"
    evaluate(expression, data)  # first run compiles and caches

    before = next(budget_clock)
    for _ in range(1000):
        evaluate(expression, data)
    readings_per_call = (next(budget_clock) - before) / 0.001 / 1000

    # The budget's clock is read once per run and once per guarded step (six times today); the
    # speed in milliseconds is measured by make bench.
    assert readings_per_call < 8


def test_source_is_checked_and_compiled_once(monkeypatch):
    calls = []
    real_parse = sandbox.parse_checked
    monkeypatch.setattr(
        sandbox, "parse_checked", lambda *args: calls.append(args) or real_parse(*args)
    )
    expression = f"amount > {time.monotonic_ns()}"  # a text no other test has compiled

    results = {evaluate(expression, {"amount": 1}) for _ in range(100)}

    assert results == {False}
    assert len(calls) == 1


def test_safe_names_are_the_documented_ones():
    assert set(SAFE_NAMES) == {
        "len", "min", "max", "sum", "abs", "round", "sorted", "reversed", "divmod", "str",
        "int", "float", "bool", "list", "dict", "set", "tuple", "range", "enumerate", "zip",
        "any", "all", "isinstance", "date", "datetime", "timedelta", "timezone", "UTC", "MSK",
        "now", "today", "parse_datetime", "parse_date", "parse_duration", "iso_duration",
        "add_months", "Decimal", "ROUND_HALF_UP", "money", "math",
    }  # fmt: skip


# SpiffWorkflow ------------------------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="http://sales.local/bpmn">
  <bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:serviceTask id="reserve"><bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="reserve_premise" resultVariable="reservation">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="premise_id" type="int" value="premise_id"/>
            <spiffworkflow:parameter id="amount" type="str" value="total"/>
          </spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:exclusiveGateway id="big_order" default="to_small">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>to_big</bpmn:outgoing>
      <bpmn:outgoing>to_small</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="mark_big"><bpmn:incoming>to_big</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:script>route = "big"</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="mark_small"><bpmn:incoming>to_small</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing><bpmn:script>route = "small"</bpmn:script></bpmn:scriptTask>
    <bpmn:intermediateCatchEvent id="wait_payment"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:timerEventDefinition id="timer"><bpmn:timeDate
        >(parse_datetime(ordered_at) + timedelta(days=3)).isoformat()</bpmn:timeDate>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute"/>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="reserve"/>
    <bpmn:sequenceFlow id="f3" sourceRef="reserve" targetRef="big_order"/>
    <bpmn:sequenceFlow id="to_big" sourceRef="big_order" targetRef="mark_big">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="big_order" targetRef="mark_small"/>
    <bpmn:sequenceFlow id="f4" sourceRef="mark_big" targetRef="wait_payment"/>
    <bpmn:sequenceFlow id="f5" sourceRef="mark_small" targetRef="wait_payment"/>
    <bpmn:sequenceFlow id="f6" sourceRef="wait_payment" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""

COMPUTE = "total = Decimal(price) * quantity\nlabel = f'{quantity} шт.'"
BIG = 'Decimal(total) &gt; Decimal("1000")'
START_DATA = {"price": "400.50", "premise_id": 42, "ordered_at": "2030-01-01T10:00:00+03:00"}


def start_workflow(engine, script=COMPUTE, condition=BIG, **data) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.format(script=script, condition=condition).encode("utf-8"))
    workflow = BpmnWorkflow(parser.get_spec("order"), script_engine=engine)
    workflow.get_next_task().data.update(START_DATA | data)
    return workflow


def data_at(workflow: BpmnWorkflow, spec_name: str) -> dict:
    return next(t for t in workflow.get_tasks() if t.task_spec.name == spec_name).data


@pytest.mark.parametrize(("quantity", "route"), [(3, "big"), (2, "small")])
def test_workflow_runs_gateway_script_timer_and_service_task_in_the_sandbox(quantity, route):
    calls = []

    def handler(name, params, task_data):
        calls.append((name, {key: spec["value"] for key, spec in params.items()}))
        return {"reservation_id": 7, "amount": Decimal(params["amount"]["value"])}

    workflow = start_workflow(SandboxScriptEngine(service_handler=handler), quantity=quantity)
    workflow.do_engine_steps()

    total = str(Decimal("400.50") * quantity)
    assert calls == [("reserve_premise", {"premise_id": 42, "amount": total})]
    data = data_at(workflow, "wait_payment")
    assert data["route"] == route
    assert data["reservation"] == {"reservation_id": 7, "amount": total}
    assert data["label"] == f"{quantity} шт."
    assert [e.value for e in workflow.waiting_events()] == ["2030-01-04T10:00:00+03:00"]
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    restored = serializer.deserialize_json(serializer.serialize_json(workflow))
    assert data_at(restored, "wait_payment")["total"] == total


def test_workflow_with_an_escaping_script_fails_with_the_sandbox_error(tmp_path):
    marker = tmp_path / "pwned"
    script = f"total = 1\n__import__('os').system('touch {marker}')"
    workflow = start_workflow(SandboxScriptEngine(service_handler=lambda *a: "{}"), script=script)

    with pytest.raises(SandboxTaskError) as failed:
        workflow.do_engine_steps()

    assert str(failed.value).startswith("Импорт запрещён")
    assert isinstance(failed.value.sandbox_error, SandboxError)
    assert failed.value.line_number == 2
    assert not marker.exists()


def test_workflow_with_a_runaway_condition_fails_with_the_limit_error():
    workflow = start_workflow(
        SandboxScriptEngine(service_handler=lambda *a: "{}"), condition="10**10**10", quantity=1
    )

    with pytest.raises(SandboxTaskError, match="Слишком большое число") as failed:
        workflow.do_engine_steps()

    assert isinstance(failed.value.sandbox_error, SandboxLimitError)


def test_service_task_without_a_handler_is_a_clear_error():
    workflow = start_workflow(SandboxScriptEngine(), quantity=1)

    with pytest.raises(WorkflowTaskException, match="Не задан обработчик сервисных задач"):
        workflow.do_engine_steps()


def test_failing_service_handler_is_reported_with_its_cause():
    def handler(name, params, task_data):
        raise RuntimeError("сервис банка недоступен")

    workflow = start_workflow(SandboxScriptEngine(service_handler=handler), quantity=1)

    with pytest.raises(WorkflowTaskException, match="сервис банка недоступен") as failed:
        workflow.do_engine_steps()

    assert isinstance(failed.value.__cause__, RuntimeError)


def test_service_handler_may_return_json_text():
    workflow = start_workflow(
        SandboxScriptEngine(service_handler=lambda *a: '{"ok": true}'), quantity=1
    )

    workflow.do_engine_steps()

    assert data_at(workflow, "wait_payment")["reservation"] == {"ok": True}


def test_engine_validate_keeps_syntax_errors_and_refuses_escapes():
    engine = SandboxScriptEngine()

    engine.validate("amount > 5")
    with pytest.raises(SyntaxError):
        engine.validate("> 5")
    with pytest.raises(SandboxError, match="«__class__»"):
        engine.validate("x.__class__")


def test_environment_keeps_data_objects_out_of_task_data():
    environment = SandboxEnvironment(environment_globals={"vat_rate": Decimal("0.2")})
    context = {"amount": "100", "shared": "task"}
    external = {"shared": "object", "limit": 50}

    assert environment.evaluate("shared", context, external) == "task"
    assert environment.execute("vat = Decimal(amount) * vat_rate\nx = limit", context, external)
    assert context == {"amount": "100", "shared": "task", "vat": "20.0", "x": 50}


def test_environment_refuses_helper_names_starting_with_underscore():
    with pytest.raises(ValueError, match="must not start with '_'"):
        SandboxEnvironment(environment_globals={"_sb_call": print})
