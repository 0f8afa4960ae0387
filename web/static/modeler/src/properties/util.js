// Helpers shared by the property groups: extension elements of a business object,
// created on demand and changed through the command stack (so undo/redo works).
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export { getBusinessObject, is };

export const EMPTY = '';

export function extensionsOf(businessObject, type) {
  const extensionElements = businessObject && businessObject.get('extensionElements');
  if (!extensionElements) {
    return [];
  }
  return (extensionElements.get('values') || []).filter((value) => is(value, type));
}

export function firstExtension(businessObject, type) {
  return extensionsOf(businessObject, type)[0];
}

export function create(bpmnFactory, type, properties, parent) {
  const created = bpmnFactory.create(type, properties);
  if (parent) {
    created.$parent = parent;
  }
  return created;
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

export { update as updateCommand };

/**
 * Commands that add `extension` to the extension elements of `owner` (a business object or
 * an event definition), creating bpmn:extensionElements when it is missing.
 */
export function addExtensionCommands(element, owner, extension, bpmnFactory) {
  const commands = [];
  let extensionElements = owner.get('extensionElements');
  if (!extensionElements) {
    extensionElements = create(bpmnFactory, 'bpmn:ExtensionElements', { values: [] }, owner);
    commands.push(update(element, owner, { extensionElements }));
  }
  extension.$parent = extensionElements;
  commands.push(
    update(element, extensionElements, {
      values: [...extensionElements.get('values'), extension],
    }),
  );
  return commands;
}

/** Commands that remove `extension` from the extension elements of `owner` (and them if empty). */
export function removeExtensionCommands(element, owner, extension) {
  const extensionElements = owner.get('extensionElements');
  if (!extensionElements) {
    return [];
  }
  const values = extensionElements.get('values').filter((value) => value !== extension);
  if (!values.length) {
    return [update(element, owner, { extensionElements: undefined })];
  }
  return [update(element, extensionElements, { values })];
}

export function execute(commandStack, commands) {
  if (!commands.length) {
    return;
  }
  if (commands.length === 1) {
    commandStack.execute(commands[0].cmd, commands[0].context);
    return;
  }
  commandStack.execute('properties-panel.multi-command-executor', commands);
}

/** The role entry of the palette a lane name or an escalation target refers to. */
export function findRole(roles, text) {
  const wanted = (text || '').trim().toLowerCase();
  if (!wanted) {
    return undefined;
  }
  return roles.find(
    (role) => role.value.toLowerCase() === wanted || role.label.toLowerCase() === wanted,
  );
}
