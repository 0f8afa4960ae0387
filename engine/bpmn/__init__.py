"""Reading BPMN: hardened XML parsing, SpiffWorkflow's parser with its XSD validator, and what
our engine adds to each task spec (lane role, form, title, deadline)."""

from __future__ import annotations

import copy
import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.bpmn import loops, markup, messages, timers
from engine.bpmn.names import BPMN_NS
from engine.core.forms import approval_form, parse_form
from models.db.errors import DomainError
from models.users.user import ROLE_LABELS, Role

MAX_BPMN_BYTES = 2 * 1024 * 1024
log = logging.getLogger(__name__)
_ROLE_BY_LABEL = {label.lower(): role for role, label in ROLE_LABELS.items()}


class BpmnRejected(DomainError):
    """The file cannot be used as a process; `problems` lists what is wrong."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or [Problem("", "", message)]


@dataclass(frozen=True)
class Problem:
    element_id: str
    element_name: str
    message: str

    def __str__(self) -> str:
        where = self.element_id or "—"
        if self.element_name:
            where += f" «{self.element_name}»"
        return f"{where}: {self.message}"


@dataclass
class ProcessDefinition:
    process_id: str
    name: str
    spec: BpmnProcessSpec
    subprocess_specs: dict
    tree: etree._ElementTree


def role_of_lane(lane: str | None) -> Role | None:
    """A lane names a role by its code (`head_of_sales`) or its Russian label."""
    if not lane:
        return None
    text = lane.strip()
    try:
        return Role(text)
    except ValueError:
        return _ROLE_BY_LABEL.get(text.lower())


def parse_xml(data: bytes | str, *, refuse_foreign: bool = True) -> etree._ElementTree:
    """The document as a tree, refused with a Russian reason when it is not safe BPMN.

    Markup outside the BPMN tools' namespaces is refused wherever a file comes in (import,
    editor, publish, `processes check`). A version already published is loaded to run its
    instances with `refuse_foreign=False`: an instance never stops because the rule grew
    (the file is served only as a download, so its markup is inert)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_BPMN_BYTES:
        raise BpmnRejected(
            f"Файл больше {MAX_BPMN_BYTES // (1024 * 1024)} МБ: это не похоже на BPMN"
        )
    head = raw[:4096].upper()
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in head:
        raise BpmnRejected("XML с DOCTYPE или сущностями (ENTITY) не принимается")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as error:
        raise BpmnRejected(messages.xml_syntax_message(error.lineno)) from error
    if root is None or root.tag != f"{{{BPMN_NS}}}definitions":
        raise BpmnRejected("Это не BPMN 2.0: корневой элемент должен быть bpmn:definitions")
    foreign = [Problem(*found) for found in markup.foreign_markup(root)] if refuse_foreign else []
    if foreign:
        raise BpmnRejected(
            "Файл отклонён: в нём есть разметка, которая не относится к BPMN", foreign
        )
    return etree.ElementTree(root)


def sha256(xml: str) -> str:
    return hashlib.sha256(xml.encode("utf-8")).hexdigest()


def executable_process_id(tree: etree._ElementTree) -> tuple[str, str]:
    """The process the file is about: the one process, or the one executable process that no
    call activity of the file calls (the processes it calls may sit beside it)."""
    root = tree.getroot()
    called = {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")}
    processes = [p for p in root.findall(f"{{{BPMN_NS}}}process") if p.get("id") not in called]
    executable = [p for p in processes if p.get("isExecutable", "true").lower() == "true"]
    chosen = executable or processes
    if len(chosen) != 1:
        raise BpmnRejected(
            "В файле должен быть ровно один исполняемый процесс (bpmn:process); процессы, "
            "которые он вызывает (callActivity), могут лежать рядом. Снимите отметку "
            "«Исполняемый» с лишних процессов или вынесите их в отдельные файлы"
        )
    return chosen[0].get("id"), chosen[0].get("name") or chosen[0].get("id")


def build(tree: etree._ElementTree, filename: str = "process.bpmn") -> ProcessDefinition:
    """XSD validation and the full spec build; raises BpmnRejected with the element named."""
    process_id, name = executable_process_id(tree)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(engine_tree(tree), filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as error:
        raise _rejected(error, tree) from error
    except RecursionError as error:
        raise BpmnRejected(messages.LONG_CHAIN) from error
    except Exception as error:  # noqa: BLE001 - the parser raises many kinds; all mean "rejected"
        log.warning("BPMN parser failed on %s", process_id, exc_info=error)
        raise BpmnRejected(messages.UNKNOWN) from error
    loops.name_instance_variables(tree, [spec, *subprocess_specs.values()])
    _attach_engine_extensions(tree, spec)
    return ProcessDefinition(process_id, name, spec, subprocess_specs, tree)


def engine_tree(tree: etree._ElementTree) -> etree._ElementTree:
    """A copy of the document as SpiffWorkflow must read it to run what the analyst drew:
    timer literals written unquoted, the way Camunda Modeler writes them, quoted; Camunda's
    multi-instance collections as SpiffWorkflow's loop input."""
    copied = copy.deepcopy(tree)
    timers.quote_literals(copied.getroot())
    loops.add_camunda_collections(copied.getroot())
    return copied


def _rejected(error: ValidationException, tree: etree._ElementTree) -> BpmnRejected:
    """The parser's refusal in Russian, at the element it names (or at the line libxml gives)."""
    text = str(getattr(error, "message", "") or error).split("\n")[0].strip()
    element_id = getattr(error, "id", "") or ""
    element_name = getattr(error, "name", "") or ""
    line = getattr(error, "line_number", None) or None
    if text.startswith("Element '"):
        message = messages.schema_message(text, line)
        element = _element_at_line(tree, line)
        if element is not None and not element_id:
            element_id, element_name = element.get("id") or "", element.get("name") or ""
    else:
        message = messages.parser_message(text)
        if not element_id:
            element = _element_named_in(tree, text)
            if element is not None:
                element_id, element_name = element.get("id") or "", element.get("name") or ""
    if message == messages.UNKNOWN:
        log.warning("BPMN parser refusal without a translation: %s", text)
    return BpmnRejected(message, [Problem(element_id, element_name, message)])


def _element_named_in(tree: etree._ElementTree, text: str):
    """The call activity that calls the process a parser message names, if one does."""
    for call in tree.getroot().iter(f"{{{BPMN_NS}}}callActivity"):
        if call.get("calledElement") and f"'{call.get('calledElement')}'" in text:
            return call
    return None


def _element_at_line(tree: etree._ElementTree, line: int | None):
    """The element with an id that holds the first element starting on `line`."""
    if not isinstance(line, int):
        return None
    for element in tree.getroot().iter():
        if isinstance(element.tag, str) and element.sourceline == line:
            while element is not None and not element.get("id"):
                element = element.getparent()
            return element
    return None


def element_spec(spec: BpmnProcessSpec, element_id: str):
    """The task spec an element became: for a multi-instance or loop task, the inner task its
    instances run (the wrapper SpiffWorkflow puts in its place has no lane, form or properties)."""
    task_spec = spec.task_specs.get(element_id)
    if isinstance(task_spec, LoopTask):
        return spec.task_specs.get(task_spec.task_spec)
    return task_spec


def _attach_engine_extensions(tree: etree._ElementTree, spec: BpmnProcessSpec) -> None:
    """Copy each user task's form into its spec, so it travels with the serialized workflow."""
    for element in tree.getroot().iter(f"{{{BPMN_NS}}}userTask"):
        task_spec = element_spec(spec, element.get("id"))
        if task_spec is None:
            continue
        properties = task_spec.extensions.setdefault("properties", {})
        if properties.get("approval", "").lower() == "true":
            fields = approval_form()
        else:
            fields, _ = parse_form(element)
        task_spec.extensions["form"] = [f.to_json() for f in fields]


_SPEC_SHA = "_sales_bpmn_sha256"  # set on the spec objects load() builds


def load(xml: str) -> ProcessDefinition:
    """Parse and build once per distinct text (the BPMN of a published version never changes).

    The spec remembers the SHA-256 of its text, so a workflow's stored state can name its spec
    instead of embedding it (engine/workflow_io.py), and the definition can be found by it.
    """
    definition = _built(xml)
    digest = sha_of(definition.spec)
    if digest not in _BY_SHA:
        _BY_SHA[digest] = definition
        while len(_BY_SHA) > 64:  # the oldest go; another thread may be trimming too
            try:
                _BY_SHA.pop(next(iter(_BY_SHA)), None)
            except (RuntimeError, StopIteration):
                break
    return definition


@lru_cache(maxsize=64)
def _built(xml: str) -> ProcessDefinition:
    definition = build(parse_xml(xml, refuse_foreign=False))
    setattr(definition.spec, _SPEC_SHA, sha256(xml))
    return definition


load.cache_clear = _built.cache_clear  # tests start a worker afresh


_BY_SHA: dict[str, ProcessDefinition] = {}


def sha_of(spec) -> str | None:
    """The SHA-256 of the BPMN text `spec` was built from by load(), if it was."""
    return getattr(spec, _SPEC_SHA, None)


def known_definition(digest: str) -> ProcessDefinition | None:
    return _BY_SHA.get(digest)


def definition_of(model) -> ProcessDefinition:
    """The built spec of a published version (a ProcessModel), its BPMN read only when this
    worker has not built it yet."""
    return known_definition(model.sha256) or load(model.bpmn_xml)
