"""The hash-flooding guard holds on every path analysts' code runs on: the try-run of a draft, a
published process run by the engine, and a DMN table's cells (issue 14, finding 3).

Each runs a script, a condition or a cell that builds a set of numbers sharing one hash; each
is stopped with the same Russian message, and nothing is left half-done.
"""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.authoring import tryrun
from engine.bpmn import repository
from engine.core import runtime
from engine.sandbox import SandboxScriptEngine
from models.process.instance import ProcessStatus

FLOODED = "одинаковым хеш-кодом"
FLOOD = "len({k * (2**61 - 1) for k in range(n)})"
SCRIPT = f"seen = {FLOOD}"

PROCESS = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="flood_definitions" targetNamespace="http://sales.local/test">
  <bpmn:process id="hash_flood" name="Перебор хешей" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="which" name="Сценарий или условие?" default="f_script">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f_script</bpmn:outgoing><bpmn:outgoing>f_condition</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="flood" name="Построить множество">
      <bpmn:incoming>f_script</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{SCRIPT}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="check" name="Проверить" default="f_done">
      <bpmn:incoming>f_condition</bpmn:incoming>
      <bpmn:outgoing>f_many</bpmn:outgoing><bpmn:outgoing>f_done</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f_many</bpmn:incoming>
      <bpmn:incoming>f_done</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="which"/>
    <bpmn:sequenceFlow id="f_script" sourceRef="which" targetRef="flood"/>
    <bpmn:sequenceFlow id="f_condition" sourceRef="which" targetRef="check">
      <bpmn:conditionExpression>mode == "condition"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_many" sourceRef="check" targetRef="end">
      <bpmn:conditionExpression>{FLOOD} &gt; 0</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_done" sourceRef="check" targetRef="end"/>
    <bpmn:sequenceFlow id="f2" sourceRef="flood" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

DECISION_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="decide_definitions" targetNamespace="http://sales.local/test">
  <bpmn:process id="decide_flood" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide" name="Решить">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>flood_decision</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

DECISION = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="flood_dmn"
             name="Перебор хешей" namespace="http://sales.local/test">
  <decision id="flood_decision" name="Сколько значений">
    <decisionTable id="table">
      <input id="input" label="Число значений">
        <inputExpression id="input_expression" typeRef="integer">
          <text>{FLOOD}</text>
        </inputExpression>
      </input>
      <output id="output" name="verdict" typeRef="string"/>
      <rule id="rule_many">
        <inputEntry id="entry_many"><text>&gt; 0</text></inputEntry>
        <outputEntry id="out_many"><text>"много"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_a_try_run_of_the_flooding_script_stops_with_a_russian_message():
    run = tryrun.start(PROCESS, {"n": 2000, "mode": "script"})
    assert run.error_task == "flood"
    assert FLOODED in run.error
    assert not run.finished


def test_a_try_run_of_a_flooding_condition_stops_with_the_same_message():
    run = tryrun.start(PROCESS, {"n": 2000, "mode": "condition"})
    assert FLOODED in run.error


def test_a_small_run_of_the_same_draft_goes_through():
    run = tryrun.start(PROCESS, {"n": 16, "mode": "script"})
    assert run.error is None
    assert run.finished
    assert run.data()["seen"] == 16


def test_a_published_process_running_the_flood_fails_with_the_message(db_session):
    repository.publish(db_session, PROCESS)
    db_session.commit()

    instance = runtime.start(db_session, "hash_flood", data={"n": 2000, "mode": "script"})
    db_session.commit()

    assert instance.status == ProcessStatus.error
    assert instance.error_task == "flood"
    assert FLOODED in instance.error_message


def decide(n: int) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(DECISION_PROCESS.encode())
    parser.add_dmn_str(DECISION.encode())
    workflow = BpmnWorkflow(parser.get_spec("decide_flood"), script_engine=SandboxScriptEngine())
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data["n"] = n
    workflow.do_engine_steps()
    return workflow


def test_a_dmn_cell_flooding_a_set_is_refused_by_the_same_sandbox():
    small = decide(16)
    assert small.is_completed()
    [decided] = [t for t in small.get_tasks() if t.task_spec.bpmn_id == "decide"]
    assert decided.data["verdict"] == "много"

    with pytest.raises(WorkflowException) as refused:
        decide(2000)
    assert FLOODED in str(refused.value)
