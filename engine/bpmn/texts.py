"""The texts of a BPMN that the engine evaluates: conditions, timers, scripts, loop and
multi-instance expressions, service-task parameters, task properties. Each must pass the
sandbox, be written in a language the engine runs, and (a timer literal) parse the way
SpiffWorkflow's runtime parses it.
"""

from __future__ import annotations

from lxml import etree

from engine import bpmn, sandbox
from engine.bpmn import Problem, timers
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


def problems(tree: etree._ElementTree) -> list[Problem]:
    """Every problem of the evaluated texts; the document is not built (a hostile text never
    reaches the parser's own evaluation)."""
    return check_expressions(tree) + _check_timer_literals(tree) + _check_languages(tree)


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


def check_expressions(tree: etree._ElementTree) -> list[Problem]:
    tree = bpmn.engine_tree(tree)  # the texts as the engine will evaluate them
    problems: list[Problem] = []
    for tag, namespace, mode in EXPRESSION_TAGS:
        for element in tree.getroot().iter(f"{{{namespace}}}{tag}"):
            problems += _sandbox_problems(element, (element.text or "").strip(), mode)
    for parameter in tree.getroot().iter(f"{{{SPIFF_NS}}}parameter"):
        problems += _sandbox_problems(parameter, parameter.get("value") or "", "eval")
    for prop in tree.getroot().iter(f"{{{SPIFF_NS}}}property"):
        deadline = prop.get("name") == "deadline" and not _is_duration(prop.get("value"))
        if deadline or prop.get("name") == "assignee":
            problems += _sandbox_problems(prop, prop.get("value") or "", "eval")
    return problems


def _check_timer_literals(tree: etree._ElementTree) -> list[Problem]:
    """A timer is an ISO-8601 literal (quoted or not: `PT4H`, `"2026-12-01T10:00:00+03:00"`,
    `R3/PT1H`) that SpiffWorkflow's timer parser reads now, or an expression computing one.
    An empty timer, or a literal the runtime would not parse, is refused here."""
    problems: list[Problem] = []
    for tag in timers.TIMER_TAGS:
        for element in tree.getroot().iter(f"{{{BPMN_NS}}}{tag}"):
            text = (element.text or "").strip()
            literal = timers.literal_of(tag, text)
            if text and (literal is None or timers.runs(tag, literal)):
                continue
            owner = owner_of(element)
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
