"""A deadline typed in words («2 часа») is refused with how to write one, not with Python's
«invalid syntax» (issue 13, § 3)."""

from __future__ import annotations

from pathlib import Path

from engine.bpmn.validation import check_xml

PRICE_CHANGE = (Path(__file__).parents[2] / "processes" / "price_change.bpmn").read_text("utf-8")


def test_a_deadline_in_words_is_refused_with_how_to_write_a_duration():
    xml = PRICE_CHANGE.replace('name="deadline" value="PT4H"', 'name="deadline" value="2 часа"')
    [problem] = check_xml(xml)
    assert problem.element_id == "approve_price_change"
    assert problem.message == (
        "Срок «2 часа» не распознан: укажите длительность ISO 8601 "
        "(PT2H — 2 часа, P1D — 1 день, P1DT12H — полтора дня) или выражение, дающее срок"
    )
    assert "syntax" not in problem.message


def test_a_deadline_given_by_an_expression_still_passes():
    xml = PRICE_CHANGE.replace('name="deadline" value="PT4H"', 'name="deadline" value=\'"PT2H"\'')
    assert check_xml(xml) == []
