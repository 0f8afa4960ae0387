"""`processes check`: what a BPMN must satisfy before it may run, and hostile input refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.bpmn.repository import shipped_files
from engine.bpmn.validation import check_xml

PRICE_CHANGE = (Path(__file__).parents[2] / "processes" / "price_change.bpmn").read_text("utf-8")


def problems_of(xml: str) -> list[str]:
    return [str(p) for p in check_xml(xml)]


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.name)
def test_every_shipped_process_passes_the_check(path):
    assert problems_of(path.read_text("utf-8")) == []


def test_an_unknown_action_is_named_with_its_element():
    xml = PRICE_CHANGE.replace('id="change_premise_price"', 'id="launch_rockets"')
    [problem] = problems_of(xml)
    assert problem.startswith("change_price «Изменить цену»")
    assert "«launch_rockets» не зарегистрировано" in problem


def test_a_parameter_the_action_does_not_take_is_refused():
    xml = PRICE_CHANGE.replace('id="user_id" type="int"', 'id="discount" type="int"')
    found = problems_of(xml)
    assert any("не принимает параметры: discount" in p for p in found)
    assert any("не переданы параметры: user_id" in p for p in found)


def test_a_lane_must_name_a_role():
    xml = PRICE_CHANGE.replace('name="Руководитель отдела продаж">', 'name="Бухгалтерия">')
    found = problems_of(xml)
    assert any(p.startswith("lane_head_of_sales") and "ролью" in p for p in found)


def test_a_lane_may_name_the_role_by_its_code_or_in_russian():
    assert 'name="Руководитель отдела продаж">' in PRICE_CHANGE
    assert problems_of(PRICE_CHANGE) == []
    xml = PRICE_CHANGE.replace('name="Руководитель отдела продаж">', 'name="head_of_sales">')
    assert problems_of(xml) == []


def test_a_user_task_needs_a_form():
    start = PRICE_CHANGE.index(
        "<camunda:formData>", PRICE_CHANGE.index('id="review_failed_change"')
    )
    end = PRICE_CHANGE.index("</camunda:formData>", start) + len("</camunda:formData>")
    xml = PRICE_CHANGE[:start] + PRICE_CHANGE[end:]
    [problem] = problems_of(xml)
    assert problem.startswith("review_failed_change") and "нет формы" in problem


def test_a_form_field_of_unknown_type_is_refused():
    xml = PRICE_CHANGE.replace('type="boolean"', 'type="hologram"')
    assert any("неизвестный тип «hologram»" in p for p in problems_of(xml))


@pytest.mark.parametrize(
    "condition",
    [
        "__import__('os').system('id')",
        "().__class__.__base__.__subclasses__()",
        "open('/etc/passwd').read()",
        "decision.__class__",
    ],
)
def test_a_gateway_condition_that_escapes_the_sandbox_is_refused(condition):
    xml = PRICE_CHANGE.replace('decision == "approve"', condition.replace("'", "&apos;"))
    found = problems_of(xml)
    assert found and all(p.startswith("flow_approved") for p in found)


def test_a_timer_or_deadline_expression_that_does_not_parse_is_refused():
    xml = PRICE_CHANGE.replace('name="deadline" value="PT4H"', 'name="deadline" value="PT4H +"')
    found = problems_of(xml)
    assert found and found[0].startswith("approve_price_change")


def test_a_billion_laughs_document_is_refused_before_parsing():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;'
        "</bpmn:definitions>"
    )
    [problem] = problems_of(bomb)
    assert "DOCTYPE" in problem


def test_an_external_entity_is_refused():
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;'
        "</bpmn:definitions>"
    )
    [problem] = problems_of(xxe)
    assert "DOCTYPE" in problem


def test_malformed_xml_is_refused_with_a_message():
    [problem] = problems_of("<bpmn:definitions")
    assert "не является корректным XML" in problem


def test_xml_that_is_not_bpmn_is_refused():
    [problem] = problems_of("<html><body>hi</body></html>")
    assert "не BPMN" in problem


def test_a_huge_document_is_refused():
    [problem] = problems_of("<a>" + "x" * (3 * 1024 * 1024) + "</a>")
    assert "больше" in problem


def test_an_element_the_xsd_does_not_allow_is_refused():
    xml = PRICE_CHANGE.replace("<bpmn:incoming>flow_start</bpmn:incoming>", "<bpmn:bogus/>", 1)
    [problem] = problems_of(xml)
    assert "XSD" in problem or "схем" in problem


def test_a_repeated_element_id_is_refused():
    xml = PRICE_CHANGE.replace('id="change_premise_price"', 'id="change_price"')
    found = problems_of(xml)
    assert any("«change_price» называется как элемент" in p for p in found)


def test_a_repeated_bpmn_id_is_refused():
    xml = PRICE_CHANGE.replace('id="end_rejected"', 'id="end_failed"')
    assert any("«end_failed» повторяется 2 раза" in p for p in problems_of(xml))


RESERVATION = (Path(__file__).parents[2] / "processes" / "reservation.bpmn").read_text("utf-8")
EXPIRY_TIMER = '<bpmn:timeDate>terms["expires_at"]</bpmn:timeDate>'


@pytest.mark.parametrize(
    "timer",
    [
        '<bpmn:timeDuration>"P1X"</bpmn:timeDuration>',
        '<bpmn:timeDuration>"4 часа"</bpmn:timeDuration>',
        '<bpmn:timeDate>"завтра в 10"</bpmn:timeDate>',
        '<bpmn:timeCycle>"R3/каждый час"</bpmn:timeCycle>',
    ],
)
def test_a_literal_timer_that_does_not_parse_names_its_event(timer):
    found = problems_of(RESERVATION.replace(EXPIRY_TIMER, timer))
    assert len(found) == 1
    assert found[0].startswith("expire_timer «Срок истёк»")
    assert "не разбирается" in found[0]


@pytest.mark.parametrize(
    "timer",
    [
        '<bpmn:timeDuration>"PT4H"</bpmn:timeDuration>',
        '<bpmn:timeDuration>"P1DT12H"</bpmn:timeDuration>',
        '<bpmn:timeDate>"2026-12-01T10:00:00+03:00"</bpmn:timeDate>',
        "<bpmn:timeDuration>wait_for</bpmn:timeDuration>",
    ],
)
def test_a_timer_that_parses_or_is_an_expression_passes(timer):
    assert problems_of(RESERVATION.replace(EXPIRY_TIMER, timer)) == []


def test_a_service_task_without_an_action_is_explained_in_russian():
    xml = re.sub(
        r"<spiffworkflow:serviceTaskOperator .*?</spiffworkflow:serviceTaskOperator>",
        "",
        PRICE_CHANGE,
        flags=re.S,
    )
    found = problems_of(xml)
    assert found == [  # the first service task of the path
        "measure_cut «Снижение от базовой цены»: Сервисная задача не называет действие: "
        "выберите его в группе «Действие»"
    ]
