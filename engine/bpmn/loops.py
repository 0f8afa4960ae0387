"""Multi-instance tasks as other tools write them, made into what SpiffWorkflow runs.

Camunda Modeler names the list and the variable of each instance in attributes
(`camunda:collection="${banks}" camunda:elementVariable="bank"`), which SpiffWorkflow's parser
does not read; and SpiffWorkflow names an instance's variable by the `id` of `inputDataItem`
and `outputDataItem`, while modelers show and edit their `name`. Before the build the collection
becomes a `loopDataInputRef`; after it, each instance's variables are the names the analyst
gave (an id is unique in a file, a variable name need not be).
"""

from __future__ import annotations

import re

from lxml import etree
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from engine.bpmn.names import BPMN_NS, CAMUNDA_NS

MI_TAG = f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"
_NAME = re.compile(r"^\s*(?:[$#]\{\s*)?([A-Za-z_][A-Za-z0-9_]*)(?:\s*\})?\s*$")


def collection_of(loop) -> tuple[str | None, str | None]:
    """(the raw camunda:collection, the variable name it holds or None if it is not a name)."""
    raw = loop.get(f"{{{CAMUNDA_NS}}}collection")
    if raw is None:
        return None, None
    found = _NAME.match(raw)
    return raw, found.group(1) if found else None


def add_camunda_collections(root) -> None:
    """In place: a `camunda:collection` naming a variable becomes the `loopDataInputRef`."""
    for loop in root.iter(MI_TAG):
        _, name = collection_of(loop)
        has_input = any(
            loop.find(f"{{{BPMN_NS}}}{tag}") is not None
            for tag in ("loopCardinality", "loopDataInputRef")
        )
        if name is None or has_input:
            continue
        reference = etree.Element(f"{{{BPMN_NS}}}loopDataInputRef")
        reference.text = name
        loop.insert(0, reference)


def name_instance_variables(tree: etree._ElementTree, specs) -> None:
    """Point each multi-instance spec's item variables at the names the analyst chose."""
    by_id = {}
    for loop in tree.getroot().iter(MI_TAG):
        task = loop.getparent()
        items = {}
        for tag in ("inputDataItem", "outputDataItem"):
            item = loop.find(f"{{{BPMN_NS}}}{tag}")
            if item is not None and (item.get("name") or "").isidentifier():
                items[tag] = item.get("name")
        element_variable = loop.get(f"{{{CAMUNDA_NS}}}elementVariable")
        if "inputDataItem" not in items and (element_variable or "").isidentifier():
            items["inputDataItem"] = element_variable
        by_id[task.get("id")] = items
    for spec in specs:
        for task_spec in spec.task_specs.values():
            items = by_id.get(getattr(task_spec, "bpmn_id", None))
            if not items or not isinstance(task_spec, MultiInstanceTask):
                continue
            if "inputDataItem" in items:
                task_spec.input_item = TaskDataReference(items["inputDataItem"])
            if "outputDataItem" in items:
                task_spec.output_item = TaskDataReference(items["outputDataItem"])
    keep_items_local(specs)


def keep_items_local(specs) -> None:
    """Connect `_keep_local` to the instances of every multi-instance task without an output
    collection (once; a spec read back from a stored state needs it again)."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if not isinstance(task_spec, MultiInstanceTask):
                continue
            if task_spec.input_item is None or task_spec.data_output is not None:
                continue
            event = spec.task_specs[task_spec.task_spec].completed_event
            if event.is_connected(_keep_local):
                continue
            merging = event.is_connected(task_spec.merge_child)
            if merging:  # a restored spec has it already: ours must run first
                event.disconnect(task_spec.merge_child)
            event.connect(_keep_local, task_spec.input_item.bpmn_id)
            if merging:
                event.connect(task_spec.merge_child)


def _keep_local(workflow, task, variable: str) -> None:
    """An instance's item is its own: without an output collection SpiffWorkflow merges each
    instance's data into the process, and the next multi-instance task over the same variable
    would refuse to start ("input item already exists"). Connected before that merge."""
    task.data.pop(variable, None)
