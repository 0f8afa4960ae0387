// «Форма»: the fields of a user task's form, as camunda:formData (what engine/forms.py reads):
//
//   <camunda:formData>
//     <camunda:formField id="new_price" label="Новая цена, ₽" type="money">
//       <camunda:validation><camunda:constraint name="required" config="true"/></camunda:validation>
//       <camunda:value id="yes" name="Да"/>   (choices of a "choice"/"enum" field)
import { CheckboxEntry, ListGroup, SelectEntry, TextFieldEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { FieldChoices } from './form-choices';
import {
  addExtensionCommands,
  create,
  execute,
  firstExtension,
  getBusinessObject,
  is,
  removeExtensionCommands,
  updateCommand,
} from './util';

const FORM_DATA = 'camunda:FormData';
const CHOICE_TYPES = ['choice', 'enum'];
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,49}$/; // as engine/core/forms.py: camelCase too

function formDataOf(element) {
  return firstExtension(getBusinessObject(element), FORM_DATA);
}

function isRequired(field) {
  const validation = field.get('validation');
  const constraints = validation ? validation.get('constraints') : [];
  return constraints.some(
    (c) => c.get('name') === 'required' && (c.get('config') || 'true').toLowerCase() !== 'false',
  );
}

function FieldName(props) {
  const { element, id, field } = props;
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const validate = (value) => {
    if (!FIELD_NAME.test(value || '')) {
      return 'Латинские буквы, цифры и _, с буквы';
    }
    return null;
  };
  return (
    <TextFieldEntry
      element={field}
      id={id}
      label="Имя поля"
      description="Под этим именем значение попадёт в данные процесса."
      getValue={() => field.get('id') || ''}
      setValue={(value) =>
        execute(commandStack, [updateCommand(element, field, { id: (value || '').trim() })])
      }
      validate={validate}
      debounce={debounce}
    />
  );
}

// A plain text attribute of a form field (its label, its default value).
function fieldText(attribute, label) {
  return function FieldText(props) {
    const { element, id, field } = props;
    const commandStack = useService('commandStack');
    const debounce = useService('debounceInput');
    return (
      <TextFieldEntry
        element={field}
        id={id}
        label={label}
        getValue={() => field.get(attribute) || ''}
        setValue={(value) =>
          execute(commandStack, [updateCommand(element, field, { [attribute]: value || undefined })])
        }
        debounce={debounce}
      />
    );
  };
}

const FieldLabel = fieldText('label', 'Подпись');

function FieldType(props) {
  const { element, id, field, fieldTypes } = props;
  const commandStack = useService('commandStack');
  const current = field.get('type') || '';
  const getOptions = () => {
    const options = fieldTypes.map((type) => ({ value: type.value, label: type.label }));
    if (current && !fieldTypes.some((type) => type.value === current)) {
      options.unshift({ value: current, label: `${current} (как в файле)` });
    }
    return options;
  };
  return (
    <SelectEntry
      element={field}
      id={id}
      label="Тип"
      getValue={() => current}
      setValue={(value) => execute(commandStack, [updateCommand(element, field, { type: value })])}
      getOptions={getOptions}
    />
  );
}

function FieldRequired(props) {
  const { element, id, field } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const setValue = (checked) => {
    const validation = field.get('validation');
    const others = validation
      ? validation.get('constraints').filter((c) => c.get('name') !== 'required')
      : [];
    if (!checked) {
      if (validation && others.length) {
        execute(commandStack, [updateCommand(element, validation, { constraints: others })]);
      } else if (validation) {
        execute(commandStack, [updateCommand(element, field, { validation: undefined })]);
      }
      return;
    }
    const target = validation || create(bpmnFactory, 'camunda:Validation', { constraints: [] }, field);
    const constraint = create(
      bpmnFactory,
      'camunda:Constraint',
      { name: 'required', config: 'true' },
      target,
    );
    const commands = [];
    if (!validation) {
      commands.push(updateCommand(element, field, { validation: target }));
    }
    commands.push(updateCommand(element, target, { constraints: [...others, constraint] }));
    execute(commandStack, commands);
  };
  return (
    <CheckboxEntry
      element={field}
      id={id}
      label="Обязательное"
      getValue={() => isRequired(field)}
      setValue={setValue}
    />
  );
}

const FieldDefault = fieldText('defaultValue', 'Значение по умолчанию');

function fieldEntries(idPrefix, field, palette) {
  const entries = [
    { id: `${idPrefix}-id`, component: FieldName, field },
    { id: `${idPrefix}-label`, component: FieldLabel, field },
    { id: `${idPrefix}-type`, component: FieldType, field, fieldTypes: palette.field_types },
    { id: `${idPrefix}-required`, component: FieldRequired, field },
  ];
  if (CHOICE_TYPES.includes((field.get('type') || '').toLowerCase())) {
    entries.push({ id: `${idPrefix}-choices`, component: FieldChoices, field });
  }
  entries.push({ id: `${idPrefix}-default`, component: FieldDefault, field });
  return entries;
}

function nextFieldName(fields) {
  const taken = new Set(fields.map((field) => field.get('id')));
  let index = fields.length + 1;
  while (taken.has(`field_${index}`)) {
    index += 1;
  }
  return `field_${index}`;
}

/**
 * Opens a just added field once the panel shows it: the list opens new items by itself only
 * when a render sees the add click and the new item together, which a first field (created
 * with its camunda:formData) misses.
 */
function openWhenRendered(itemId) {
  setTimeout(() => {
    const item = document.querySelector(`[data-entry-id="${itemId}"]`);
    if (item && !item.classList.contains('open')) {
      item.querySelector('.bio-properties-panel-collapsible-entry-header').click();
    }
  }, 50);
}

export function formGroup(element, palette, injector) {
  if (!is(element, 'bpmn:UserTask')) {
    return null;
  }
  const bpmnFactory = injector.get('bpmnFactory');
  const commandStack = injector.get('commandStack');
  const formData = formDataOf(element);
  const fields = formData ? formData.get('fields') : [];

  const add = (event) => {
    event.stopPropagation();
    openWhenRendered(`${element.id}-sales-field-${fields.length}`);
    const name = nextFieldName(fields);
    const defaultType = palette.field_types.length ? palette.field_types[0].value : 'text';
    const field = create(bpmnFactory, 'camunda:FormField', {
      id: name,
      label: 'Новое поле',
      type: defaultType,
    });
    if (formData) {
      field.$parent = formData;
      execute(commandStack, [updateCommand(element, formData, { fields: [...fields, field] })]);
      return;
    }
    const created = create(bpmnFactory, FORM_DATA, { fields: [field] });
    field.$parent = created;
    execute(
      commandStack,
      addExtensionCommands(element, getBusinessObject(element), created, bpmnFactory),
    );
  };
  const removeFactory = (field) => (event) => {
    event.stopPropagation();
    const rest = fields.filter((candidate) => candidate !== field);
    if (rest.length) {
      execute(commandStack, [updateCommand(element, formData, { fields: rest })]);
    } else {
      execute(
        commandStack,
        removeExtensionCommands(element, getBusinessObject(element), formData),
      );
    }
  };
  const items = fields.map((field, index) => {
    const id = `${element.id}-sales-field-${index}`;
    return {
      id,
      label: field.get('label') || field.get('id') || '<пусто>',
      entries: fieldEntries(id, field, palette),
      autoFocusEntry: `${id}-label`,
      remove: removeFactory(field),
    };
  });
  return {
    id: 'sales-form',
    label: 'Форма',
    component: ListGroup,
    add,
    items,
  };
}
