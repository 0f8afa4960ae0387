"""What a BPMN file may hold besides BPMN itself: only what the tools that draw and run
diagrams write, so a diagram can never carry markup that a browser would run.

A BPMN file is an XML document, and `bpmn:extensionElements` takes any element: an XHTML
`<h:script>` or an SVG `<svg:svg onload=…>` there passes the XSD check, and a browser that shows
the file as XML runs it. So every element and attribute must be in a namespace listed here;
anything else (XHTML, SVG, MathML, XSLT, XLink, XInclude, a vendor we do not know) is refused
with the element named, and so is any processing instruction (`<?xml-stylesheet …?>` makes a
browser run an XSLT stylesheet).

Why refuse rather than strip: the file is the analyst's; silently dropping parts of it would
store something other than what was drawn or uploaded, and a save from the editor would not
match what the editor shows. A refusal says what to remove. The list below is what bpmn.io,
Camunda Modeler (7 and 8) and SpiffWorkflow's editor write; a new tool's namespace is added here.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from engine.bpmn.names import BPMN_NS, CAMUNDA_NS, SPIFF_NS

KNOWN_NAMESPACES = {
    BPMN_NS: "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://www.w3.org/2001/XMLSchema": "xsd",
    "http://www.w3.org/XML/1998/namespace": "xml",
    SPIFF_NS: "spiffworkflow",
    CAMUNDA_NS: "camunda",
    "http://camunda.org/schema/modeler/1.0": "modeler",
    "http://camunda.org/schema/zeebe/1.0": "zeebe",
    "http://bpmn.io/schema/bpmn/biocolor/1.0": "bioc",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0": "color",
}


def foreign_markup(root: etree._Element) -> Iterator[tuple[str, str, str]]:
    """(element id, element name, message) for each element, attribute or processing
    instruction that no BPMN tool writes; the id and name are of the BPMN element it sits in."""
    for node in [*root.itersiblings(preceding=True), *root.itersiblings()]:
        if isinstance(node, etree._ProcessingInstruction):
            yield "", "", _instruction(node)
    for element in root.iter():
        if isinstance(element, etree._ProcessingInstruction):
            yield *_owner(element), _instruction(element)
        elif isinstance(element.tag, str):  # not a comment
            for message in _foreign_names(element):
                yield *_owner(element), message


def _foreign_names(element: etree._Element) -> Iterator[str]:
    name = etree.QName(element)
    if name.namespace not in KNOWN_NAMESPACES:
        yield (
            f"Элемент «{_shown(element, name)}» не относится к BPMN (пространство имён "
            f"«{name.namespace or 'без имени'}»): такие элементы не принимаются, в них может "
            "быть код для браузера. Удалите его"
        )
    for attribute in element.attrib:
        name = etree.QName(attribute)
        if name.namespace is not None and name.namespace not in KNOWN_NAMESPACES:
            yield (
                f"Атрибут «{_shown(element, name)}» не относится к BPMN (пространство имён "
                f"«{name.namespace}»): такие атрибуты не принимаются. Удалите его"
            )


def _instruction(node: etree._ProcessingInstruction) -> str:
    return f"Инструкция обработки XML «<?{node.target} …?>» не принимается: уберите её из файла"


def _shown(element: etree._Element, name: etree.QName) -> str:
    """The name as the file writes it (`h:script`), not with the namespace spelled out."""
    prefixes = {uri: prefix for prefix, uri in (element.nsmap or {}).items()}
    prefix = prefixes.get(name.namespace)
    return f"{prefix}:{name.localname}" if prefix else name.localname


def _owner(element: etree._Element) -> tuple[str, str]:
    """The id and name of the nearest BPMN element with an id: `element`, or one around it."""
    current = element
    while current is not None and not (
        isinstance(current.tag, str)
        and etree.QName(current).namespace == BPMN_NS
        and current.get("id")
    ):
        current = current.getparent()
    if current is None:
        return "", ""
    return current.get("id"), current.get("name") or ""
