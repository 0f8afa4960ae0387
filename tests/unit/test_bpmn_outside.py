"""Diagrams from other tools (Camunda Modeler, hand-written files): what the check accepts runs,
and what the runtime would refuse the check refuses first, in Russian, naming the element."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.validation import check_xml

ROOT = Path(__file__).parents[2]
RESERVATION = (ROOT / "processes" / "reservation.bpmn").read_text("utf-8")
EXPIRY_TIMER = '<bpmn:timeDate>terms["expires_at"]</bpmn:timeDate>'


def problems_of(xml: str) -> list[str]:
    return [str(p) for p in check_xml(xml)]


@pytest.mark.parametrize(
    "timer",
    [
        "<bpmn:timeDuration>PT4H</bpmn:timeDuration>",
        "<bpmn:timeDuration> P1DT12H </bpmn:timeDuration>",
        "<bpmn:timeDate>2026-12-01T10:00:00+03:00</bpmn:timeDate>",
        "<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>",
    ],
)
def test_an_unquoted_iso_timer_as_camunda_writes_it_passes(timer):
    assert problems_of(RESERVATION.replace(EXPIRY_TIMER, timer)) == []


@pytest.mark.parametrize(
    ("timer", "shown"),
    [
        ("<bpmn:timeDuration>P1W2D</bpmn:timeDuration>", "«P1W2D» не разбирается"),
        ('<bpmn:timeDate>"PT4H"</bpmn:timeDate>', "«PT4H» не разбирается: нужны дата и время"),
        ("<bpmn:timeCycle>R3/каждый</bpmn:timeCycle>", "«R3/каждый» не разбирается"),
        ("<bpmn:timeDuration/>", "Таймер не задан: нужна длительность ISO 8601"),
        ("<bpmn:timeDate>  </bpmn:timeDate>", "Таймер не задан: нужны дата и время"),
    ],
)
def test_a_timer_the_runtime_would_not_parse_is_refused_at_its_event(timer, shown):
    [problem] = problems_of(RESERVATION.replace(EXPIRY_TIMER, timer))
    assert problem.startswith("expire_timer «Срок истёк»: ")
    assert shown in problem
