"""Issue 14, finding 1: a BPMN file carries no markup a browser would run.

`bpmn:extensionElements` takes any element, so an XHTML script passes the XSD check; every
element and attribute must be in a namespace a BPMN tool writes, and no processing instruction is
accepted. The refusal names the BPMN element the markup sits in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import bpmn
from engine.bpmn import BpmnRejected
from engine.bpmn.diff import diff_xml
from engine.bpmn.validation import check_xml

PROCESSES = Path(__file__).parents[2] / "processes"
PRICE_CHANGE = (PROCESSES / "price_change.bpmn").read_text("utf-8")
TASK_OPENING = '<bpmn:userTask id="propose_price" name="Предложить новую цену">'
EXTENSIONS = TASK_OPENING + "\n      <bpmn:extensionElements>"


def inside_the_task(markup: str) -> str:
    xml = PRICE_CHANGE.replace(EXTENSIONS, EXTENSIONS + markup, 1)
    assert xml != PRICE_CHANGE
    return xml


def on_the_task(attributes: str) -> str:
    xml = PRICE_CHANGE.replace(TASK_OPENING, TASK_OPENING[:-1] + " " + attributes + ">", 1)
    assert xml != PRICE_CHANGE
    return xml


def refusal(xml: str) -> BpmnRejected:
    with pytest.raises(BpmnRejected) as refused:
        bpmn.parse_xml(xml)
    return refused.value


XHTML_SCRIPT = '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(document.cookie)</h:script>'
ATTACKS = {
    "xhtml-script": (inside_the_task(XHTML_SCRIPT), "h:script"),
    "xhtml-default-namespace": (
        inside_the_task('<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>'),
        "«script»",
    ),
    "svg-onload": (
        inside_the_task('<s:svg xmlns:s="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        "s:svg",
    ),
    "xhtml-iframe-deep": (
        inside_the_task(
            '<camunda:properties><x:iframe xmlns:x="http://www.w3.org/1999/xhtml" '
            'src="javascript:alert(1)"/></camunda:properties>'
        ),
        "x:iframe",
    ),
    "xinclude": (
        inside_the_task(
            '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>'
        ),
        "xi:include",
    ),
    "foreign-onload-attribute": (
        on_the_task('xmlns:h="http://www.w3.org/1999/xhtml" h:onload="alert(1)"'),
        "h:onload",
    ),
    "xlink-href-attribute": (
        on_the_task('xmlns:xl="http://www.w3.org/1999/xlink" xl:href="javascript:alert(1)"'),
        "xl:href",
    ),
    "unknown-vendor": (
        inside_the_task('<v:thing xmlns:v="http://vendor.example/bpmn">x</v:thing>'),
        "v:thing",
    ),
}


@pytest.mark.parametrize(("xml", "shown"), ATTACKS.values(), ids=ATTACKS.keys())
def test_markup_outside_the_bpmn_tools_namespaces_is_refused_at_its_task(xml, shown):
    refused = refusal(xml)
    assert "не относится к BPMN" in refused.message
    [problem] = refused.problems
    assert (problem.element_id, problem.element_name) == ("propose_price", "Предложить новую цену")
    assert shown in problem.message and "Удалите" in problem.message


def test_the_issue_attack_is_a_problem_of_the_check_the_editor_runs():
    problems = check_xml(inside_the_task(XHTML_SCRIPT))
    assert [p.element_id for p in problems] == ["propose_price"]
    assert "h:script" in problems[0].message


@pytest.mark.parametrize(
    "xml",
    [
        PRICE_CHANGE.replace(
            "?>", '?>\n<?xml-stylesheet type="text/xsl" href="data:text/xsl,evil"?>', 1
        ),
        PRICE_CHANGE.replace(EXTENSIONS, EXTENSIONS + "<?php echo 1; ?>", 1),
        PRICE_CHANGE + '<?xml-stylesheet href="evil.xsl"?>',
    ],
    ids=["stylesheet-before-the-root", "inside-a-task", "after-the-root"],
)
def test_a_processing_instruction_is_refused(xml):
    assert xml != PRICE_CHANGE
    [problem] = refusal(xml).problems
    assert "Инструкция обработки XML" in problem.message


def test_what_bpmn_tools_write_is_accepted():
    """Colours from bpmn.io, Camunda Modeler's platform marks, Zeebe's extensions, comments."""
    xml = PRICE_CHANGE.replace(
        "<bpmn:definitions ",
        '<bpmn:definitions xmlns:bioc="http://bpmn.io/schema/bpmn/biocolor/1.0" '
        'xmlns:color="http://www.omg.org/spec/BPMN/non-normative/color/1.0" '
        'xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
        'modeler:executionPlatform="Camunda Platform" ',
        1,
    )
    xml = xml.replace(
        EXTENSIONS, EXTENSIONS + "<zeebe:taskHeaders/><!-- a comment --><bpmn:documentation/>", 1
    ).replace(TASK_OPENING, TASK_OPENING[:-1] + ' bioc:stroke="#e53935" xml:lang="ru">', 1)
    assert (
        bpmn.parse_xml(xml)
        .getroot()
        .get("{http://camunda.org/schema/modeler/1.0}executionPlatform")
        == "Camunda Platform"
    )


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.bpmn")), ids=lambda p: p.name)
def test_the_shipped_processes_pass(path):
    assert check_xml(path.read_bytes()) == []


def test_a_version_published_before_the_rule_still_runs_its_instances():
    """The rule guards what comes in; a version already published keeps running (its file is
    served only as a download), and its diff still opens."""
    old = inside_the_task(XHTML_SCRIPT)
    assert bpmn.load(old).process_id == "price_change"
    assert diff_xml(old, PRICE_CHANGE) is not None
    assert check_xml(old)  # publishing it again is refused
