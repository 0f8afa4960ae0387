"""`processes check`: everything that must hold before a BPMN may run.

XSD and the full spec build, then our own rules: every service task names a registered action
with the parameters it takes, every user task sits in a lane that names a role and has a form
(or is an approval, or names a template), every expression and script passes the sandbox.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine import bpmn
from engine.bpmn import BPMN_NS, BpmnRejected, Problem, loops, role_of_lane, texts
from engine.bpmn.names import SPIFF_NS
from engine.core import actions
from engine.core.forms import parse_form

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
_name, _owner = texts.name_of, texts.owner_of


def check_xml(xml: str | bytes) -> list[Problem]:
    try:
        tree = bpmn.parse_xml(xml)
        problems = (
            _duplicate_ids(tree) + _engine_names(tree) + _event_refs(tree) + texts.problems(tree)
        )
        if problems:  # never hand a hostile script to the parser's own evaluation
            return problems
        definition = bpmn.build(tree)
    except BpmnRejected as error:
        return error.problems
    problems += _check_tasks(definition)
    return problems


def check_file(path: Path) -> list[Problem]:
    return check_xml(path.read_bytes())


def _duplicate_ids(tree: etree._ElementTree) -> list[Problem]:
    """BPMN ids are unique, and no action is named like an element: SpiffWorkflow's parser
    looks elements up by id anywhere in the document."""
    root = tree.getroot()
    seen: dict[str, int] = {}
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        if element.get("id"):
            seen[element.get("id")] = seen.get(element.get("id"), 0) + 1
    problems = [
        Problem(element_id, "", f"Идентификатор «{element_id}» повторяется {count} раза")
        for element_id, count in seen.items()
        if count > 1
    ]
    for operator in root.iter(f"{{{SPIFF_NS}}}serviceTaskOperator"):
        if operator.get("id") in seen:
            owner = _owner(operator.getparent())
            problems.append(
                Problem(
                    owner.get("id"),
                    _name(owner),
                    f"Действие «{operator.get('id')}» называется как элемент схемы: "
                    "переименуйте элемент",
                )
            )
    return problems


# (element, its reference attribute, the element it must name, what the problem says)
EVENT_REFS = (
    ("messageEventDefinition", "messageRef", "message", "У события не выбрано сообщение"),
    ("signalEventDefinition", "signalRef", "signal", "У события не выбран сигнал"),
    ("receiveTask", "messageRef", "message", "У задачи получения не выбрано сообщение"),
    ("sendTask", "messageRef", "message", "У задачи отправки не выбрано сообщение"),
)


def _event_refs(tree: etree._ElementTree) -> list[Problem]:
    """A message or signal event names a message or signal of the file: without one it would
    wait for (or send) nothing, and SpiffWorkflow's parser fails on a name it cannot find."""
    root = tree.getroot()
    problems = []
    for tag, attribute, target, message in EVENT_REFS:
        known = {e.get("id") for e in root.iter(f"{{{BPMN_NS}}}{target}")}
        for element in root.iter(f"{{{BPMN_NS}}}{tag}"):
            if element.get(attribute) not in known:
                owner = _owner(element)
                problems.append(Problem(owner.get("id"), _name(owner), message + ": выберите его"))
    return problems


# Task names SpiffWorkflow gives its own parts of every process spec
ENGINE_NAMES = frozenset({"Start", "End", "Root"})
ENGINE_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")


def _engine_names(tree: etree._ElementTree) -> list[Problem]:
    """An element may not take a name SpiffWorkflow uses for its own tasks (`Start`, `End`):
    its spec would replace the engine's, and the process would not start or end as drawn."""
    problems = []
    for element in tree.getroot().iter(f"{{{BPMN_NS}}}*"):
        element_id = element.get("id") or ""
        if element_id in ENGINE_NAMES or element_id.endswith(ENGINE_SUFFIXES):
            message = (
                f"Идентификатор «{element_id}» занят движком (так называются его служебные "
                f"шаги): переименуйте элемент, например в «{element_id.lower()}_event»"
                if element_id in ENGINE_NAMES
                else f"Идентификатор «{element_id}» оканчивается как служебные шаги движка: "
                "переименуйте элемент"
            )
            problems.append(Problem(element_id, _name(element), message))
    return problems


def _check_tasks(definition: bpmn.ProcessDefinition) -> list[Problem]:
    problems: list[Problem] = []
    root = definition.tree.getroot()
    registry = actions.registered()
    for element in root.iter(f"{{{BPMN_NS}}}serviceTask"):
        problems += _check_service_task(element, registry)
    for element in root.iter(f"{{{BPMN_NS}}}userTask"):
        problems += _check_user_task(element, definition)
    for loop in root.iter(loops.MI_TAG):
        problems += _check_output_item(loop)
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        if role_of_lane(lane.get("name")) is None:
            problems.append(
                Problem(lane.get("id"), _name(lane), "Дорожка должна называться ролью сотрудника")
            )
    return problems


def _check_output_item(loop) -> list[Problem]:
    """What a multi-instance task collects, each instance must set: a user task's form field,
    a service task's result variable (otherwise every instance fails when it completes)."""
    item, output = (
        loop.find(f"{{{BPMN_NS}}}outputDataItem"),
        loop.find(f"{{{BPMN_NS}}}loopDataOutputRef"),
    )
    task = loop.getparent()
    if item is None or output is None:
        return []
    name = item.get("name") if (item.get("name") or "").isidentifier() else item.get("id")
    tag = etree.QName(task).localname
    if tag == "userTask":
        fields, _ = parse_form(task)
        given = {f.name for f in fields} | {"decision", "decision_comment", "approved"}
        fix = f"добавьте в форму поле «{name}» или соберите другое поле"
    elif tag == "serviceTask":
        operator = task.find(f".//{{{SPIFF_NS}}}serviceTaskOperator")
        given = {operator.get("resultVariable")} if operator is not None else set()
        fix = f"назовите результат действия «{name}» или соберите результат действия"
    else:
        return []
    if name in given:
        return []
    message = (
        f"Задача собирает «{name}» каждого экземпляра в «{output.text}», но экземпляр "
        f"«{name}» не задаёт: {fix}"
    )
    return [Problem(task.get("id"), _name(task), message)]


def _check_service_task(element, registry) -> list[Problem]:
    where = (element.get("id"), _name(element))
    operator = element.find(f".//{{{SPIFF_NS}}}serviceTaskOperator")
    if operator is None:
        return [Problem(*where, "Сервисная задача не называет действие (serviceTaskOperator)")]
    name = operator.get("id") or ""
    action = registry.get(name)
    if action is None:
        return [Problem(*where, f"Действие «{name}» не зарегистрировано")]
    given = {p.get("id") for p in operator.iter(f"{{{SPIFF_NS}}}parameter")}
    expected = {p.name for p in action.params}
    problems = []
    if given - expected:
        unknown = ", ".join(sorted(given - expected))
        problems.append(Problem(*where, f"Действие «{name}» не принимает параметры: {unknown}"))
    required = {p.name for p in action.params if p.required}
    if required - given:
        missing = ", ".join(sorted(required - given))
        problems.append(Problem(*where, f"Действию «{name}» не переданы параметры: {missing}"))
    return problems


def _check_user_task(element, definition: bpmn.ProcessDefinition) -> list[Problem]:
    where = (element.get("id"), _name(element))
    spec = bpmn.element_spec(definition.spec, element.get("id"))
    problems = []
    if spec is None or role_of_lane(spec.lane) is None:
        problems.append(Problem(*where, "Пользовательская задача должна лежать в дорожке роли"))
    properties = spec.extensions.get("properties", {}) if spec is not None else {}
    fields, form_problems = parse_form(element)
    problems += [Problem(*where, message) for message in form_problems]
    template = properties.get("template")
    if template and not _template_exists(template):
        problems.append(Problem(*where, f"Шаблон «{template}» не найден в templates/tasks/"))
    approval = properties.get("approval", "").lower() == "true"
    if not fields and not approval and not template and not form_problems:
        problems.append(Problem(*where, "У пользовательской задачи нет формы"))
    escalate_to = properties.get("escalate_to")
    if escalate_to and role_of_lane(escalate_to) is None:
        problems.append(Problem(*where, f"Эскалация на неизвестную роль «{escalate_to}»"))
    return problems


def _template_exists(name: str) -> bool:
    if not name.startswith("tasks/") or ".." in name:
        return False
    return (TEMPLATES_DIR / name).is_file()
