// «Срок и заголовок»: the spiffworkflow:properties of a user task the engine reads
// (title, deadline, remind_before, escalate_to, assignee, approval, template …), one entry
// per property the palette lists; an empty value removes the property.
import { CheckboxEntry, Group, SelectEntry, TextFieldEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import {
  EMPTY,
  addExtensionCommands,
  create,
  execute,
  findRole,
  firstExtension,
  getBusinessObject,
  is,
  removeExtensionCommands,
  updateCommand,
} from './util';

const PROPERTIES = 'spiffworkflow:Properties';

function propertyOf(element, name) {
  const properties = firstExtension(getBusinessObject(element), PROPERTIES);
  const list = properties ? properties.get('properties') : [];
  return { properties, list, found: list.find((p) => p.get('name') === name) };
}

function useSetProperty(element, name) {
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  return (value) => {
    const text = value === undefined || value === null ? '' : String(value).trim();
    const bo = getBusinessObject(element);
    const { properties, list, found } = propertyOf(element, name);
    if (!text) {
      if (!found) {
        return;
      }
      const rest = list.filter((p) => p !== found);
      execute(
        commandStack,
        rest.length
          ? [updateCommand(element, properties, { properties: rest })]
          : removeExtensionCommands(element, bo, properties),
      );
      return;
    }
    if (found) {
      execute(commandStack, [updateCommand(element, found, { value: text })]);
      return;
    }
    if (properties) {
      const added = create(bpmnFactory, 'spiffworkflow:Property', { name, value: text }, properties);
      execute(commandStack, [updateCommand(element, properties, { properties: [...list, added] })]);
      return;
    }
    const created = create(bpmnFactory, PROPERTIES, { properties: [] });
    created.set('properties', [
      create(bpmnFactory, 'spiffworkflow:Property', { name, value: text }, created),
    ]);
    execute(commandStack, addExtensionCommands(element, bo, created, bpmnFactory));
  };
}

function TextProperty(props) {
  const { element, id, property } = props;
  const debounce = useService('debounceInput');
  const setValue = useSetProperty(element, property.name);
  const { found } = propertyOf(element, property.name);
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label={property.label}
      description={property.description}
      getValue={() => (found ? found.get('value') || '' : '')}
      setValue={setValue}
      debounce={debounce}
    />
  );
}

function FlagProperty(props) {
  const { element, id, property } = props;
  const setValue = useSetProperty(element, property.name);
  const { found } = propertyOf(element, property.name);
  return (
    <CheckboxEntry
      element={element}
      id={id}
      label={property.label}
      description={property.description}
      getValue={() => !!found && (found.get('value') || '').toLowerCase() === 'true'}
      setValue={(checked) => setValue(checked ? 'true' : '')}
    />
  );
}

function RoleProperty(props) {
  const { element, id, property, roles } = props;
  const setValue = useSetProperty(element, property.name);
  const { found } = propertyOf(element, property.name);
  const current = found ? found.get('value') || '' : '';
  const role = findRole(roles, current);
  const getOptions = () => {
    const options = [{ value: EMPTY, label: '— по правилам (руководитель роли) —' }];
    if (current && !role) {
      options.push({ value: current, label: `«${current}» — не роль` });
    }
    return options.concat(roles.map((r) => ({ value: r.value, label: r.label })));
  };
  return (
    <SelectEntry
      element={element}
      id={id}
      label={property.label}
      description={property.description}
      getValue={() => (role ? role.value : current)}
      setValue={setValue}
      getOptions={getOptions}
    />
  );
}

const FLAGS = new Set(['approval']);
const ROLES = new Set(['escalate_to']);

export function taskPropertiesGroup(element, palette) {
  if (!is(element, 'bpmn:UserTask')) {
    return null;
  }
  const entries = palette.task_properties.map((property) => {
    let component = TextProperty;
    if (FLAGS.has(property.name)) {
      component = FlagProperty;
    } else if (ROLES.has(property.name)) {
      component = RoleProperty;
    }
    return {
      id: `sales-property-${property.name}`,
      component,
      property,
      roles: palette.roles,
    };
  });
  return { id: 'sales-task-properties', label: 'Срок и заголовок', component: Group, entries };
}
