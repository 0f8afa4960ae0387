"""The modeler's use cases on a real database: drafts keep their problems, a refused save or
publication writes nothing, publishing makes the next version for new instances only."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.authoring import modeler
from engine.bpmn import BpmnRejected, repository
from engine.core import runtime
from models.process.human_task import HumanTask
from models.process.instance import ProcessDraft, ProcessModel
from models.users.audit import AuditEvent
from models.users.user import Role

PRICE_CHANGE = (Path(__file__).parents[2] / "processes" / "price_change.bpmn").read_text("utf-8")
HOSTILE = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;'
    "</bpmn:definitions>"
)
ESCAPE = "().__class__.__base__.__subclasses__()"
LONGER_PROPOSAL = PRICE_CHANGE.replace(
    '<spiffworkflow:property name="deadline" value="P1D"/>',
    '<spiffworkflow:property name="deadline" value="P2D"/>',
).replace("Новая цена помещения № {premise_number}", "Предложите цену № {premise_number}")


@pytest.fixture
def draft(db_session, analyst):
    found = modeler.new_draft(db_session, "price_change", analyst)
    db_session.commit()
    return found


def versions(db_session, process_id="price_change") -> list[int]:
    return list(
        db_session.scalars(
            select(ProcessModel.version)
            .where(ProcessModel.process_id == process_id)
            .order_by(ProcessModel.version)
        )
    )


def test_a_new_draft_copies_the_latest_version_without_problems(draft):
    assert draft.based_on.version == 1
    assert draft.bpmn_xml == draft.based_on.bpmn_xml
    assert draft.problems == []
    assert draft.created_by.role == Role.analyst


def test_a_draft_with_problems_is_saved_with_every_problem_named(db_session, draft, analyst):
    xml = PRICE_CHANGE.replace('id="change_premise_price"', 'id="launch_rockets"')
    problems = modeler.save_draft(db_session, draft, xml, analyst)
    db_session.commit()
    db_session.refresh(draft)
    assert draft.bpmn_xml == xml
    assert draft.problems == [
        {
            "element_id": "change_price",
            "element_name": "Изменить цену",
            "message": "Действие «launch_rockets» не зарегистрировано",
        }
    ]
    assert [p.element_id for p in problems] == ["change_price"]


def test_a_hostile_script_is_kept_in_the_draft_as_a_problem_never_run(db_session, draft, analyst):
    xml = PRICE_CHANGE.replace("(100 - Decimal(max_cut_pct)) / 100", ESCAPE)
    problems = modeler.save_draft(db_session, draft, xml, analyst)
    assert {p.element_id for p in problems} == {"flow_to_approval"}
    assert any("«__class__»" in p.message for p in problems)
    with pytest.raises(BpmnRejected):
        modeler.publish_draft(db_session, draft, analyst, "попытка")
    assert versions(db_session) == [1]


@pytest.mark.parametrize(
    "xml",
    [HOSTILE, "<not-xml", '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', ""],
    ids=["entities", "not-well-formed", "not-bpmn", "empty"],
)
def test_unusable_xml_is_refused_and_the_draft_keeps_its_text(db_session, draft, analyst, xml):
    before = draft.bpmn_xml
    with pytest.raises(BpmnRejected):
        modeler.save_draft(db_session, draft, xml, analyst)
    db_session.rollback()
    db_session.refresh(draft)
    assert draft.bpmn_xml == before
    assert (
        db_session.scalar(select(func.count()).where(AuditEvent.action == "process.draft_saved"))
        == 0
    )


def test_a_draft_cannot_turn_into_another_process(db_session, draft, analyst):
    xml = PRICE_CHANGE.replace('<bpmn:process id="price_change"', '<bpmn:process id="other"')
    with pytest.raises(BpmnRejected, match="идентификатор процесса менять нельзя"):
        modeler.save_draft(db_session, draft, xml, analyst)


def test_publishing_a_draft_with_problems_changes_nothing(db_session, draft, analyst):
    xml = PRICE_CHANGE.replace('name="Руководитель отдела продаж">', 'name="Бухгалтерия">')
    modeler.save_draft(db_session, draft, xml, analyst)
    db_session.commit()
    with pytest.raises(BpmnRejected) as refused:
        modeler.publish_draft(db_session, draft, analyst, "с ошибками")
    assert any(p.element_id == "lane_head_of_sales" for p in refused.value.problems)
    db_session.rollback()
    assert versions(db_session) == [1]
    assert repository.latest(db_session, "price_change").bpmn_xml == PRICE_CHANGE
    assert db_session.get(ProcessDraft, draft.id) is not None


def test_publishing_an_unchanged_draft_is_refused_as_no_changes(db_session, draft, analyst):
    with pytest.raises(BpmnRejected, match="Нет изменений"):
        modeler.publish_draft(db_session, draft, analyst, "")
    assert versions(db_session) == [1]


def test_new_instances_take_the_published_version_running_ones_keep_theirs(
    db_session, draft, analyst, make_user
):
    manager = make_user(Role.sales_manager)
    data = {"premise_number": "7", "current_price": "1000000.00"}
    old = runtime.start(db_session, "price_change", data=data, user=manager)
    db_session.commit()

    modeler.save_draft(db_session, draft, LONGER_PROPOSAL, analyst)
    model = modeler.publish_draft(db_session, draft, analyst, "срок два дня")
    db_session.commit()
    assert (model.version, model.note, model.published_by_id) == (2, "срок два дня", analyst.id)
    assert db_session.get(ProcessDraft, draft.id) is None

    new = runtime.start(db_session, "price_change", data=data, user=manager)
    db_session.commit()
    assert new.model.version == 2
    db_session.refresh(old)
    assert old.model.version == 1
    titles = dict(
        db_session.execute(
            select(HumanTask.instance_id, HumanTask.title).where(
                HumanTask.instance_id.in_([old.id, new.id])
            )
        ).all()
    )
    assert titles == {old.id: "Новая цена помещения № 7", new.id: "Предложите цену № 7"}


def test_publishing_is_recorded_in_the_audit_history(db_session, draft, analyst):
    modeler.save_draft(db_session, draft, LONGER_PROPOSAL, analyst)
    modeler.publish_draft(db_session, draft, analyst, "срок два дня")
    db_session.commit()
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "process.published")
    ).one()
    assert (event.object_type, event.object_id, event.user_id) == (
        "process",
        "price_change",
        analyst.id,
    )
    assert event.details["version"] == 2
    assert event.details["previous_version"] == 1
    assert event.details["note"] == "срок два дня"


def test_an_old_version_restored_as_a_draft_publishes_as_the_newest(db_session, draft, analyst):
    modeler.save_draft(db_session, draft, LONGER_PROPOSAL, analyst)
    modeler.publish_draft(db_session, draft, analyst, "v2")
    db_session.commit()
    first = db_session.scalars(select(ProcessModel).where(ProcessModel.version == 1)).one()
    restored = modeler.restore(db_session, first, analyst)
    assert restored.bpmn_xml == PRICE_CHANGE and restored.based_on_model_id == first.id
    model = modeler.publish_draft(db_session, restored, analyst, "назад к v1")
    db_session.commit()
    assert model.version == 3 and model.bpmn_xml == PRICE_CHANGE
    assert db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "process.restored")
    ).all() == ["process.restored"]


def test_an_imported_file_becomes_a_draft_of_its_process(db_session, analyst):
    draft = modeler.import_file(
        db_session, LONGER_PROPOSAL.encode("utf-8"), "price_change.bpmn", analyst
    )
    db_session.commit()
    assert draft.process_id == "price_change"
    assert draft.based_on.version == 1
    assert draft.problems == []
    assert db_session.scalars(select(AuditEvent.action)).all() == ["process.imported"]


def test_an_imported_new_process_keeps_its_problems_for_the_editor(db_session, analyst):
    xml = (
        PRICE_CHANGE.replace('id="price_change"', 'id="discount_request"')
        .replace('processRef="price_change"', 'processRef="discount_request"')
        .replace('id="change_premise_price"', 'id="camunda_only_action"')
    )
    draft = modeler.import_file(db_session, xml.encode("utf-8"), "discount.bpmn", analyst)
    assert draft.process_id == "discount_request" and draft.based_on_model_id is None
    assert [p["element_id"] for p in draft.problems] == ["change_price"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (HOSTILE.encode(), "evil.bpmn", "DOCTYPE"),
        (b"PK\x03\x04 zip", "process.bpmn", "XML"),
        (PRICE_CHANGE.encode(), "price_change.docx", ".bpmn"),
        (b"", "empty.bpmn", "пустой"),
        (b" " * (2 * 1024 * 1024 + 1), "big.bpmn", "2 МБ"),
        (
            PRICE_CHANGE.replace("(100 - Decimal(max_cut_pct)) / 100", ESCAPE).encode(),
            "escape.bpmn",
            "безопасности",
        ),
        (PRICE_CHANGE.encode("utf-16"), "utf16.bpmn", "UTF-8"),
    ],
    ids=["entities", "binary", "extension", "empty", "too-big", "sandbox-escape", "utf-16"],
)
def test_a_bad_file_is_refused_and_nothing_is_saved(db_session, analyst, data, filename, message):
    with pytest.raises(BpmnRejected) as refused:
        modeler.import_file(db_session, data, filename, analyst)
    assert message in refused.value.message
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ProcessDraft)) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == 0


BPMN_IO_DEFAULT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="Definitions_1"
  targetNamespace="http://bpmn.io/schema/bpmn" exporter="bpmn-js (https://demo.bpmn.io)">
  <bpmn:process id="Process_1" isExecutable="false">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_1" name="Проверить заявку">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_1"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_1" targetRef="Event_1"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_1">
      <bpmndi:BPMNShape id="_BPMNShape_StartEvent_2" bpmnElement="StartEvent_1">
        <dc:Bounds x="179" y="79" width="36" height="36"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_a_bpmn_io_diagram_imports_with_our_conventions_listed_as_problems(db_session, analyst):
    draft = modeler.import_file(db_session, BPMN_IO_DEFAULT.encode(), "diagram.bpmn", analyst)
    db_session.commit()
    assert draft.process_id == "Process_1" and draft.based_on_model_id is None
    [problem] = draft.problems
    assert problem["element_id"] == "Process_1"
    assert "не отмечен как исполняемый" in problem["message"]

    executable = BPMN_IO_DEFAULT.replace('isExecutable="false"', 'isExecutable="true"')
    problems = modeler.save_draft(db_session, draft, executable, analyst)
    assert {(p.element_id, p.element_name) for p in problems} == {
        ("Activity_1", "Проверить заявку")
    }
    with pytest.raises(BpmnRejected):
        modeler.publish_draft(db_session, draft, analyst, "")
    assert versions(db_session, "Process_1") == []


def test_a_draft_older_than_the_latest_version_is_not_published_over_it(db_session, draft, analyst):
    other = modeler.new_draft(db_session, "price_change", analyst)
    modeler.save_draft(db_session, draft, LONGER_PROPOSAL, analyst)
    modeler.publish_draft(db_session, draft, analyst, "v2")
    db_session.commit()
    modeler.save_draft(db_session, other, PRICE_CHANGE.replace("P1D", "P3D"), analyst)
    with pytest.raises(BpmnRejected, match="Черновик устарел: .* версия 2"):
        modeler.publish_draft(db_session, other, analyst, "поверх v2")
    db_session.rollback()
    assert versions(db_session) == [1, 2]
