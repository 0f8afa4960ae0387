"""The texts of a BPMN that the engine evaluates: conditions, timers, scripts, loop and
multi-instance expressions, service-task parameters, task properties. Each must pass the
sandbox, be written in a language the engine runs, and (a timer literal) parse the way
SpiffWorkflow's runtime parses it.
"""

from __future__ import annotations

from lxml import etree

from engine import bpmn, sandbox
from engine.bpmn import Problem, juel, loops, timers
from engine.bpmn.names import BPMN_NS, SPIFF_NS

# (element tag, namespace, mode) of every text an analyst writes that the engine evaluates
EXPRESSION_TAGS = [
    ("conditionExpression", BPMN_NS, "eval"),
    ("condition", BPMN_NS, "eval"),  # a conditional event's
    ("loopCondition", BPMN_NS, "eval"),
    ("loopCardinality", BPMN_NS, "eval"),
    ("completionCondition", BPMN_NS, "eval"),
    ("timeDate", BPMN_NS, "eval"),
    ("timeDuration", BPMN_NS, "eval"),
    ("timeCycle", BPMN_NS, "eval"),
    ("script", BPMN_NS, "exec"),
    ("preScript", SPIFF_NS, "exec"),
    ("postScript", SPIFF_NS, "exec"),
]


# An expression element left empty (Camunda Modeler writes one when a field is cleared): the
# engine would evaluate nothing and fail in the running instance.
MUST_NOT_BE_EMPTY = frozenset(
    {"conditionExpression", "condition", "loopCondition", "loopCardinality", "completionCondition"}
)
EMPTY = "Выражение пустое: впишите его на Python или удалите"


def problems(tree: etree._ElementTree) -> list[Problem]:
    """Every problem of the evaluated texts; the document is not built (a hostile text never
    reaches the parser's own evaluation)."""
    return (
        check_expressions(tree)
        + _check_timer_literals(tree)
        + _check_languages(tree)
        + _check_collections(tree)
    )


def _check_collections(tree: etree._ElementTree) -> list[Problem]:
    """Camunda's `camunda:collection` must name the variable holding the list."""
    found = []
    for loop in tree.getroot().iter(loops.MI_TAG):
        raw, name = loops.collection_of(loop)
        if raw is not None and name is None:
            message = (
                f"Коллекция «{raw}» многоэкземплярной задачи — не имя переменной: укажите "
                "имя переменной со списком, например banks (список готовьте скриптом до задачи)"
            )
            found.append(_at(loop, message))
    return found


def name_of(element) -> str:
    return element.get("name") or ""


def owner_of(element):
    """The nearest ancestor (or self) with an id that the diagram shows: the element to name
    in a problem (an event, not its event definition)."""
    current = element
    while current is not None and (
        current.get("id") is None or etree.QName(current).localname.endswith("EventDefinition")
    ):
        current = current.getparent()
    return current if current is not None else element


def check_expressions(tree: etree._ElementTree, *, safety_only: bool = False) -> list[Problem]:
    """Sandbox problems of every evaluated text, with empty and JUEL texts named; with
    `safety_only` only what the sandbox refuses (the import refuses a file for that alone, and
    keeps the rest as the draft's problems)."""
    found: list[Problem] = []
    for element, source, mode, _ in _evaluated(bpmn.engine_tree(tree)):
        if not source:
            if not safety_only and etree.QName(element).localname in MUST_NOT_BE_EMPTY:
                found.append(_at(element, EMPTY))
        elif juel.is_juel(source):
            if not safety_only:
                found.append(_at(element, juel_message(source)))
        elif _is_deadline(element):
            refused = _sandbox_problems(element, source, mode)
            found += [_at(element, _deadline_message(source))] if refused else []
        else:
            found += _sandbox_problems(element, source, mode)
    return found


def _is_deadline(element) -> bool:
    return etree.QName(element).localname == "property" and element.get("name") == "deadline"


def _deadline_message(source: str) -> str:
    """A deadline that is neither a duration nor an expression is most often a duration typed
    in words («2 часа»): say how to write one, not what Python's parser thinks of it."""
    return (
        f"Срок «{source}» не распознан: укажите длительность ISO 8601 "
        "(PT2H — 2 часа, P1D — 1 день, P1DT12H — полтора дня) или выражение, дающее срок"
    )


def _evaluated(tree: etree._ElementTree):
    """(element, text, mode, setter) of every text an analyst writes that the engine evaluates."""
    root = tree.getroot()
    for tag, namespace, mode in EXPRESSION_TAGS:
        for element in root.iter(f"{{{namespace}}}{tag}"):
            yield element, (element.text or "").strip(), mode, _text_setter(element)
    for parameter in root.iter(f"{{{SPIFF_NS}}}parameter"):
        yield parameter, parameter.get("value") or "", "eval", _value_setter(parameter)
    for prop in root.iter(f"{{{SPIFF_NS}}}property"):
        deadline = prop.get("name") == "deadline" and not _is_duration(prop.get("value"))
        if deadline or prop.get("name") == "assignee":
            yield prop, prop.get("value") or "", "eval", _value_setter(prop)


def _text_setter(element):
    def set_text(text: str) -> None:
        element.text = text

    return set_text


def _value_setter(element):
    def set_value(text: str) -> None:
        element.set("value", text)

    return set_value


def juel_message(source: str) -> str:
    python = juel.translate(source)
    head = f"Выражение «{source}» написано на JUEL (Camunda), а движок понимает Python: "
    if python is not None:
        return head + f"замените его на «{python}»"
    return head + "перепишите его на Python, например «amount > 1000 and approved»"


def translate_juel(tree: etree._ElementTree) -> list[Problem]:
    """Translate, in place, the JUEL texts simple enough to translate; one note for each, at
    its element, saying what it became. Texts that need a person are left as they are."""
    notes: list[Problem] = []
    for element, source, _, set_source in _evaluated(tree):
        python = juel.translate(source) if juel.is_juel(source) else None
        if python is not None:
            set_source(python)
            notes.append(
                _at(element, f"Выражение «{source}» переведено с JUEL на Python: «{python}». "
                    "Проверьте, что оно означает то же")
            )  # fmt: skip
    return notes


def _at(element, message: str) -> Problem:
    owner = owner_of(element)
    return Problem(owner.get("id"), name_of(owner), message)


def _check_timer_literals(tree: etree._ElementTree) -> list[Problem]:
    """A timer is an ISO-8601 literal (quoted or not: `PT4H`, `"2026-12-01T10:00:00+03:00"`,
    `R3/PT1H`) that SpiffWorkflow's timer parser reads now, or an expression computing one.
    An empty timer, or a literal the runtime would not parse, is refused here."""
    problems: list[Problem] = []
    for tag in timers.TIMER_TAGS:
        for element in tree.getroot().iter(f"{{{BPMN_NS}}}{tag}"):
            text = (element.text or "").strip()
            literal = timers.literal_of(tag, text)
            owner = owner_of(element)
            if text and (literal is None or timers.runs(tag, literal)):
                misplaced = timers.cycle_problem(owner) if tag == "timeCycle" else None
                if misplaced:
                    problems.append(_at(owner, misplaced))
                continue
            if not text:
                message = "Таймер не задан: " + timers.HINTS[tag] + ", или выражение"
            else:
                message = f"Таймер «{literal}» не разбирается: " + timers.HINTS[tag]
            problems.append(Problem(owner.get("id"), name_of(owner), message))
    return problems


def _sandbox_problems(element, source: str, mode: str) -> list[Problem]:
    if not source:
        return []
    owner = owner_of(element)
    messages = sandbox.check(source, mode)
    return [Problem(owner.get("id"), name_of(owner), message) for message in messages]


def _is_duration(text: str | None) -> bool:
    from engine.core.workflow_io import parse_duration

    try:
        parse_duration(text or "")
    except ValueError:
        return False
    return True


# What SpiffWorkflow's script engine runs: Python, whatever the diagram says
PYTHON = frozenset({"", "python", "python3", "py", "text/x-python", "text/python"})
SCRIPT_FIX = "Перепишите скрипт на Python и укажите формат скрипта python"
EXPRESSION_FIX = "Перепишите выражение на Python и уберите у него язык (атрибут language)"


def _check_languages(tree: etree._ElementTree) -> list[Problem]:
    """A script or condition declared in another language (Groovy, JavaScript, JUEL) would be
    run as Python: refuse it here, rather than fail or misbehave in a running instance."""
    found: list[Problem] = []
    root = tree.getroot()
    for element in root.iter(f"{{{BPMN_NS}}}scriptTask"):
        language = (element.get("scriptFormat") or "").strip()
        if language.lower() not in PYTHON:
            found.append(_not_python(element, f"Скрипт на «{language}»", SCRIPT_FIX))
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        language = (element.get("language") or "").strip()
        if (element.text or "").strip() and language.lower() not in PYTHON:
            owner = owner_of(element)
            found.append(_not_python(owner, f"Выражение на «{language}»", EXPRESSION_FIX))
    return found


def _not_python(element, what: str, fix: str) -> Problem:
    message = f"{what} движок не выполнит: он понимает только Python. {fix}"
    return Problem(element.get("id"), name_of(element), message)
