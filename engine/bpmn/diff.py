"""What changed between two BPMN documents, element by element (matched by id).

Each element is described by the properties an analyst cares about — name, type, lane (role),
action and its parameters, form fields, task properties (title, deadline…), conditions,
scripts, timers, messages, errors, incoming and outgoing flows — and two descriptions are
compared. Diagram layout (BPMN DI) is ignored: moving a shape is not a change of the process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine import bpmn
from engine.bpmn import BPMN_NS
from engine.core.forms import CAMUNDA_NS

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

# Elements whose children are elements of their own; anything deeper belongs to its owner.
CONTAINERS = frozenset(
    {
        "definitions",
        "process",
        "subProcess",
        "transaction",
        "adHocSubProcess",
        "collaboration",
        "laneSet",
        "childLaneSet",
    }
)
NOT_ELEMENTS = frozenset(
    {"laneSet", "childLaneSet", "collaboration", "extensionElements", "documentation"}
)
TYPE_LABELS = {
    "process": "Процесс",
    "participant": "Пул",
    "lane": "Дорожка",
    "startEvent": "Начальное событие",
    "endEvent": "Конечное событие",
    "intermediateCatchEvent": "Промежуточное событие (ожидание)",
    "intermediateThrowEvent": "Промежуточное событие (отправка)",
    "boundaryEvent": "Граничное событие",
    "task": "Задача",
    "userTask": "Пользовательская задача",
    "manualTask": "Ручная задача",
    "serviceTask": "Сервисная задача",
    "scriptTask": "Задача-скрипт",
    "businessRuleTask": "Задача бизнес-правила",
    "sendTask": "Задача отправки",
    "receiveTask": "Задача получения",
    "callActivity": "Вызов процесса",
    "subProcess": "Подпроцесс",
    "transaction": "Транзакция",
    "adHocSubProcess": "Подпроцесс ad hoc",
    "exclusiveGateway": "Исключающий шлюз",
    "inclusiveGateway": "Включающий шлюз",
    "parallelGateway": "Параллельный шлюз",
    "eventBasedGateway": "Шлюз по событиям",
    "complexGateway": "Сложный шлюз",
    "sequenceFlow": "Поток управления",
    "messageFlow": "Поток сообщений",
    "message": "Сообщение",
    "error": "Ошибка",
    "signal": "Сигнал",
    "escalation": "Эскалация",
    "textAnnotation": "Комментарий",
    "association": "Связь",
    "dataObject": "Объект данных",
    "dataObjectReference": "Ссылка на объект данных",
    "dataStoreReference": "Хранилище данных",
}
EVENT_LABELS = {
    "timerEventDefinition": "Таймер",
    "messageEventDefinition": "Сообщение",
    "errorEventDefinition": "Ошибка",
    "signalEventDefinition": "Сигнал",
    "escalationEventDefinition": "Эскалация",
    "terminateEventDefinition": "Прекращение",
    "cancelEventDefinition": "Отмена",
    "compensateEventDefinition": "Компенсация",
    "conditionalEventDefinition": "Условие",
    "linkEventDefinition": "Ссылка",
}
TIMER_LABELS = {
    "timeDate": "Таймер: дата",
    "timeDuration": "Таймер: длительность",
    "timeCycle": "Таймер: цикл",
}
ATTRIBUTE_LABELS = {
    "default": "Поток по умолчанию",
    "attachedToRef": "Прикреплено к",
    "cancelActivity": "Прерывает задачу",
    "sourceRef": "Откуда",
    "targetRef": "Куда",
    "isExecutable": "Исполняемый",
    "processRef": "Процесс пула",
    "errorCode": "Код ошибки",
    "escalationCode": "Код эскалации",
    "calledElement": "Вызываемый процесс",
    "scriptFormat": "Язык скрипта",
    "isInterrupting": "Прерывающее",
    "triggeredByEvent": "Событийный подпроцесс",
    "messageRef": "Сообщение",
}
PROPERTY_LABELS = {
    "title": "Заголовок задачи",
    "deadline": "Срок",
    "remind_before": "Напомнить за",
    "escalate_to": "Эскалация на роль",
    "template": "Шаблон страницы",
    "approval": "Согласование",
    "assignee": "Исполнитель",
}
# extension elements described on their own; any other extension is compared as text
_KNOWN_EXTENSIONS = {
    f"{{{SPIFF_NS}}}properties",
    f"{{{SPIFF_NS}}}serviceTaskOperator",
    f"{{{SPIFF_NS}}}preScript",
    f"{{{SPIFF_NS}}}postScript",
    f"{{{SPIFF_NS}}}messageVariable",
    f"{{{CAMUNDA_NS}}}formData",
}


@dataclass(frozen=True)
class Element:
    id: str
    type: str
    name: str

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)


@dataclass(frozen=True)
class PropertyChange:
    key: str
    label: str
    old: str | None  # None: the property was not there
    new: str | None


@dataclass(frozen=True)
class ChangedElement:
    element: Element
    changes: tuple[PropertyChange, ...]


@dataclass
class BpmnDiff:
    added: list[Element] = field(default_factory=list)
    removed: list[Element] = field(default_factory=list)
    changed: list[ChangedElement] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


Description = dict[str, tuple[str, str]]  # key -> (label, value)


def diff_xml(old: str | bytes, new: str | bytes) -> BpmnDiff:
    """Parse both documents with the hardened parser and compare them."""
    return diff_trees(
        bpmn.parse_xml(old, refuse_foreign=False), bpmn.parse_xml(new, refuse_foreign=False)
    )


def diff_trees(old: etree._ElementTree, new: etree._ElementTree) -> BpmnDiff:
    before, after = describe(old), describe(new)
    result = BpmnDiff()
    for element_id, (element, _) in after.items():
        if element_id not in before:
            result.added.append(element)
    for element_id, (element, _) in before.items():
        if element_id not in after:
            result.removed.append(element)
    for element_id, (element, properties) in after.items():
        if element_id not in before:
            continue
        old_properties = before[element_id][1]
        changes = tuple(
            PropertyChange(
                key,
                (properties.get(key) or old_properties.get(key))[0],
                old_properties[key][1] if key in old_properties else None,
                properties[key][1] if key in properties else None,
            )
            for key in sorted(set(properties) | set(old_properties), key=_order)
            if properties.get(key) != old_properties.get(key)
        )
        if changes:
            result.changed.append(ChangedElement(element, changes))
    return result


def describe(tree: etree._ElementTree) -> dict[str, tuple[Element, Description]]:
    """Every element of the process (not of its layout) with its described properties."""
    root = tree.getroot()
    lookup = _names_by_id(root)
    lanes = _lane_of_nodes(root)
    found: dict[str, tuple[Element, Description]] = {}
    for node in root.iter(f"{{{BPMN_NS}}}*"):
        if not _is_element(node):
            continue
        element = Element(node.get("id"), _local(node.tag), node.get("name") or "")
        found[element.id] = (element, _properties(node, element, lanes, lookup))
    return found


def _is_element(node) -> bool:
    parent = node.getparent()
    return (
        bool(node.get("id"))
        and _local(node.tag) not in NOT_ELEMENTS
        and (parent is None or _local(parent.tag) in CONTAINERS)
        and _local(node.tag) != "definitions"
    )


def _properties(node, element: Element, lanes: dict[str, str], lookup) -> Description:
    props: Description = {"type": ("Тип", element.type_label)}
    if element.name:
        props["name"] = ("Название", element.name)
    for attribute, value in sorted(node.attrib.items()):
        local = _local(attribute)
        if local in ("id", "name"):
            continue
        label = ATTRIBUTE_LABELS.get(local, f"Атрибут «{local}»")
        props[f"attr:{local}"] = (label, _resolve(local, value, lookup))
    if element.id in lanes:
        props["lane"] = ("Дорожка (роль)", lanes[element.id])
    for tag, key, label in (("incoming", "incoming", "Входящие потоки"),
                            ("outgoing", "outgoing", "Исходящие потоки")):  # fmt: skip
        refs = sorted((child.text or "").strip() for child in node.findall(f"{{{BPMN_NS}}}{tag}"))
        if refs:
            props[key] = (label, ", ".join(refs))
    _text_child(node, "documentation", "documentation", "Описание", props)
    _text_child(node, "conditionExpression", "condition", "Условие", props)
    _text_child(node, "script", "script", "Скрипт", props)
    _text_child(node, "text", "text", "Текст", props)
    _event_definitions(node, lookup, props)
    _loop(node, props)
    extensions = node.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is not None:
        _extensions(extensions, props)
    return props


def _text_child(node, tag: str, key: str, label: str, props: Description) -> None:
    child = node.find(f"{{{BPMN_NS}}}{tag}")
    if child is not None and (child.text or "").strip():
        props[key] = (label, child.text.strip())


def _event_definitions(node, lookup, props: Description) -> None:
    definitions = [child for child in node if _local(child.tag).endswith("EventDefinition")]
    if definitions:
        kinds = [EVENT_LABELS.get(_local(d.tag), _local(d.tag)) for d in definitions]
        props["event"] = ("Событие", ", ".join(kinds))
    for definition in definitions:
        for tag, label in TIMER_LABELS.items():
            timer = definition.find(f"{{{BPMN_NS}}}{tag}")
            if timer is not None:
                props[f"timer:{tag}"] = (label, (timer.text or "").strip())
        for ref, label in (("messageRef", "Сообщение"), ("errorRef", "Ошибка"),
                           ("signalRef", "Сигнал"), ("escalationRef", "Эскалация")):  # fmt: skip
            if definition.get(ref):
                props[f"event:{ref}"] = (label, _resolve(ref, definition.get(ref), lookup))
        variable = definition.find(f".//{{{SPIFF_NS}}}messageVariable")
        if variable is not None:
            props["message_variable"] = ("Переменная сообщения", (variable.text or "").strip())
        condition = definition.find(f"{{{BPMN_NS}}}condition")
        if condition is not None:
            props["event_condition"] = ("Условие события", (condition.text or "").strip())


def _loop(node, props: Description) -> None:
    for tag in ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics"):
        loop = node.find(f"{{{BPMN_NS}}}{tag}")
        if loop is not None:
            props["loop"] = ("Повторение", _canonical(loop))


def _extensions(extensions, props: Description) -> None:
    operator = extensions.find(f"{{{SPIFF_NS}}}serviceTaskOperator")
    if operator is not None:
        props["action"] = ("Действие", operator.get("id") or "")
        if operator.get("resultVariable"):
            props["result_variable"] = ("Результат в переменную", operator.get("resultVariable"))
        for parameter in operator.iter(f"{{{SPIFF_NS}}}parameter"):
            name = parameter.get("id") or ""
            props[f"param:{name}"] = (f"Параметр «{name}»", parameter.get("value") or "")
    for prop in extensions.iter(f"{{{SPIFF_NS}}}property"):
        name = prop.get("name") or ""
        label = PROPERTY_LABELS.get(name, f"Свойство «{name}»")
        props[f"property:{name}"] = (label, prop.get("value") or "")
    for tag, label in (("preScript", "Скрипт до"), ("postScript", "Скрипт после")):
        script = extensions.find(f"{{{SPIFF_NS}}}{tag}")
        if script is not None:
            props[f"spiff:{tag}"] = (label, (script.text or "").strip())
    form_fields = list(extensions.iter(f"{{{CAMUNDA_NS}}}formField"))
    if form_fields:
        props["form_order"] = ("Поля формы", ", ".join(f.get("id") or "" for f in form_fields))
    for form_field in form_fields:
        name = form_field.get("id") or ""
        props[f"form:{name}"] = (f"Поле формы «{name}»", _describe_field(form_field))
    for index, child in enumerate(extensions):
        if isinstance(child.tag, str) and child.tag not in _KNOWN_EXTENSIONS:
            props[f"ext:{_local(child.tag)}:{index}"] = (
                f"Расширение «{_local(child.tag)}»",
                _canonical(child),
            )


def _describe_field(form_field) -> str:
    parts = [form_field.get("label") or "", f"тип {form_field.get('type') or '—'}"]
    constraints = {
        c.get("name"): c.get("config") for c in form_field.iter(f"{{{CAMUNDA_NS}}}constraint")
    }
    if constraints.pop("required", "false") not in ("false", None):
        parts.append("обязательное")
    parts += [f"{name}={config}" for name, config in sorted(constraints.items())]
    values = [
        f"{v.get('id')}: {v.get('name') or ''}" for v in form_field.iter(f"{{{CAMUNDA_NS}}}value")
    ]
    if values:
        parts.append("значения: " + "; ".join(values))
    if form_field.get("defaultValue"):
        parts.append(f"по умолчанию {form_field.get('defaultValue')}")
    return ", ".join(part for part in parts if part)


def _lane_of_nodes(root) -> dict[str, str]:
    lanes: dict[str, str] = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
            # the innermost lane wins: child lanes come later in document order
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    return lanes


def _names_by_id(root) -> dict[str, etree._Element]:
    return {node.get("id"): node for node in root.iter(f"{{{BPMN_NS}}}*") if node.get("id")}


def _resolve(attribute: str, value: str, lookup) -> str:
    """A reference to a message or error reads as its name (and code), not its id."""
    if attribute not in ("messageRef", "errorRef", "signalRef", "escalationRef"):
        return value
    target = lookup.get(value)
    if target is None:
        return value
    name = target.get("name") or value
    code = target.get("errorCode") or target.get("escalationCode")
    return f"{name} ({code})" if code else name


def _canonical(node) -> str:
    """A stable text form of an XML fragment, without the namespace noise."""
    text = etree.tostring(node, method="c14n", exclusive=True, with_comments=False).decode()
    return " ".join(text.split())


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _order(key: str) -> tuple[int, str]:
    first = ["type", "name", "lane", "action", "form_order", "condition", "event"]
    return (first.index(key), key) if key in first else (len(first), key)
