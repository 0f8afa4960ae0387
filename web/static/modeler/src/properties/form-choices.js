// The choices of a "choice" (or "enum") form field: camunda:value children with the stored
// value (id) and the label shown (name).
import { CollapsibleEntry, ListEntry, TextFieldEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { create, execute, updateCommand } from './util';

function ChoiceAttribute(props) {
  const { element, id, choice, name, label, description } = props;
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  return (
    <TextFieldEntry
      element={choice}
      id={id}
      label={label}
      description={description}
      getValue={() => choice.get(name) || ''}
      setValue={(value) =>
        execute(commandStack, [updateCommand(element, choice, { [name]: value || undefined })])
      }
      debounce={debounce}
    />
  );
}

function Choice(props) {
  const { element, id: listId, index, item: choice, open } = props;
  const id = `${listId}-${index}`;
  const entries = [
    {
      id: `${id}-id`,
      component: ChoiceAttribute,
      choice,
      name: 'id',
      label: 'Значение',
      description: 'Что попадёт в данные процесса',
    },
    { id: `${id}-name`, component: ChoiceAttribute, choice, name: 'name', label: 'Надпись' },
  ];
  return (
    <CollapsibleEntry
      id={id}
      element={element}
      entries={entries}
      label={choice.get('name') || choice.get('id') || '<пусто>'}
      open={open}
    />
  );
}

export function FieldChoices(props) {
  const { element, id, field } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const values = field.get('values') || [];
  const onAdd = () => {
    const added = create(
      bpmnFactory,
      'camunda:Value',
      { id: `value_${values.length + 1}`, name: `Вариант ${values.length + 1}` },
      field,
    );
    execute(commandStack, [updateCommand(element, field, { values: [...values, added] })]);
  };
  const onRemove = (choice) => {
    execute(commandStack, [
      updateCommand(element, field, { values: values.filter((value) => value !== choice) }),
    ]);
  };
  return (
    <ListEntry
      element={element}
      id={id}
      label="Варианты выбора"
      items={values}
      component={Choice}
      onAdd={onAdd}
      onRemove={onRemove}
      autoFocusEntry={`[data-entry-id="${id}-${values.length - 1}-id"] input`}
    />
  );
}
