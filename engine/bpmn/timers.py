"""Timer texts as analysts write them, and as SpiffWorkflow runs them.

SpiffWorkflow evaluates the text of `timeDate` / `timeDuration` / `timeCycle` as an expression,
so the unquoted ISO-8601 literal Camunda Modeler writes (`PT4H`) fails in every instance that
reaches the timer. Here a literal is recognised and quoted before the spec is built, and checked
with SpiffWorkflow's own timer parsers: what the check accepts is what the runtime parses.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.names import BPMN_NS

TIMER_TAGS = ("timeDate", "timeDuration", "timeCycle")
# What an unquoted literal looks like (its value is checked by SpiffWorkflow's parser after)
_LOOKS_LIKE = {
    "timeDuration": re.compile(r"^P[0-9TYMWDHS.,]*$", re.I),
    "timeDate": re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?$", re.I),
    "timeCycle": re.compile(r"^R\d*/\S+$", re.I),
}
HINTS = {
    "timeDuration": "нужна длительность ISO 8601, например PT4H или P3D",
    "timeDate": "нужны дата и время ISO 8601, например 2026-12-01T10:00:00+03:00",
    "timeCycle": "нужен повтор ISO 8601, например R3/PT1H",
}


def literal_of(tag: str, text: str) -> str | None:
    """The ISO literal a timer text holds, quoted (`"PT4H"`) or not (`PT4H`); None for an
    expression that computes the value."""
    text = (text or "").strip()
    if _LOOKS_LIKE[tag].match(text):
        return text
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def runs(tag: str, literal: str) -> bool:
    """Whether SpiffWorkflow's runtime parses this literal for this kind of timer."""
    try:
        if tag == "timeDuration":
            TimerEventDefinition.parse_iso_duration(literal)
            return literal.strip().upper().startswith("P") and len(literal.strip()) > 1
        if tag == "timeDate":
            return isinstance(TimerEventDefinition.parse_time_or_duration(literal), datetime)
        TimerEventDefinition.parse_iso_recurring_interval(literal)
        return True
    except Exception:  # noqa: BLE001 - SpiffWorkflow's parsers raise bare Exception and others
        return False


def quote_literals(root) -> None:
    """Make every unquoted literal a Python string (`PT4H` → `"PT4H"`), in place."""
    for tag in TIMER_TAGS:
        for element in root.iter(f"{{{BPMN_NS}}}{tag}"):
            text = (element.text or "").strip()
            if text and _LOOKS_LIKE[tag].match(text):
                element.text = f'"{text}"'


CYCLE_PLACE = (
    "Повтор (timeCycle) здесь запустил бы путь после события столько раз, сколько повторов: "
    "поставьте повтор на непрерывающее граничное событие задачи или задайте длительность "
    "(timeDuration)"
)


START_CYCLE = (
    "Повтор (timeCycle) на начальном событии не поддерживается: процессы запускает система, "
    "а не расписание. Уберите таймер с начального события"
)


def cycle_problem(event) -> str | None:
    """Why a cycle may not sit on this event, or None where it may."""
    if repeats_there(event):
        return None
    return START_CYCLE if etree.QName(event).localname == "startEvent" else CYCLE_PLACE


def repeats_there(event) -> bool:
    """A cycle repeats where each firing starts a side path: a non-interrupting boundary event.
    On an intermediate event SpiffWorkflow would run the rest of the process once per cycle."""
    return (
        etree.QName(event).localname == "boundaryEvent"
        and event.get("cancelActivity", "true").lower() == "false"
    )
