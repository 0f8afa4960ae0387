// «Таймер» and the message variable: timer values and message payload names as our engine
// evaluates them. A timer value is an expression (a quoted ISO 8601 string or an expression
// over the task data); a caught message's payload lands in the task data under
// spiffworkflow:messageVariable.
import { Group, SelectEntry, TextFieldEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import {
  EMPTY,
  addExtensionCommands,
  create,
  execute,
  firstExtension,
  getBusinessObject,
  is,
  removeExtensionCommands,
  updateCommand,
} from './util';

const TIMER_KINDS = [
  {
    value: 'timeDuration',
    label: 'Через (длительность)',
    hint: 'Например "PT4H" (через 4 часа) или "P1D" — строка в кавычках.',
  },
  {
    value: 'timeDate',
    label: 'В момент (дата и время)',
    hint: 'Например terms["expires_at"] или "2026-12-31T18:00:00+03:00".',
  },
  {
    value: 'timeCycle',
    label: 'Повторять (цикл)',
    hint: 'Например "R3/PT1H" — три раза с интервалом в час.',
  },
];

function definitionOf(element, type) {
  const bo = getBusinessObject(element);
  return (bo.get('eventDefinitions') || []).find((definition) => is(definition, type));
}

function timerKind(definition) {
  return TIMER_KINDS.find((kind) => definition.get(kind.value));
}

function TimerKind(props) {
  const { element, id } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const definition = definitionOf(element, 'bpmn:TimerEventDefinition');
  const kind = timerKind(definition);
  const setValue = (value) => {
    const old = kind ? definition.get(kind.value) : undefined;
    const properties = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
    if (value) {
      properties[value] = create(
        bpmnFactory,
        'bpmn:FormalExpression',
        { body: old ? old.get('body') : '' },
        definition,
      );
    }
    execute(commandStack, [updateCommand(element, definition, properties)]);
  };
  return (
    <SelectEntry
      element={element}
      id={id}
      label="Когда срабатывает"
      getValue={() => (kind ? kind.value : EMPTY)}
      setValue={setValue}
      getOptions={() => [
        { value: EMPTY, label: '— не задано —' },
        ...TIMER_KINDS.map((k) => ({ value: k.value, label: k.label })),
      ]}
    />
  );
}

function TimerValue(props) {
  const { element, id } = props;
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const definition = definitionOf(element, 'bpmn:TimerEventDefinition');
  const kind = timerKind(definition);
  const expression = definition.get(kind.value);
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label="Выражение"
      description={`${kind.hint} Значение — выражение: строку пишите в кавычках.`}
      getValue={() => expression.get('body') || ''}
      setValue={(value) =>
        execute(commandStack, [updateCommand(element, expression, { body: (value || '').trim() })])
      }
      debounce={debounce}
    />
  );
}

export function timerGroup(element) {
  const definition = definitionOf(element, 'bpmn:TimerEventDefinition');
  if (!definition) {
    return null;
  }
  const entries = [{ id: 'sales-timer-kind', component: TimerKind }];
  if (timerKind(definition)) {
    entries.push({ id: 'sales-timer-value', component: TimerValue });
  }
  return { id: 'timer', label: 'Таймер', component: Group, entries };
}

function MessageVariable(props) {
  const { element, id } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const definition = definitionOf(element, 'bpmn:MessageEventDefinition');
  const variable = firstExtension(definition, 'spiffworkflow:MessageVariable');
  const setValue = (value) => {
    const text = (value || '').trim();
    if (!text) {
      execute(commandStack, variable ? removeExtensionCommands(element, definition, variable) : []);
    } else if (variable) {
      execute(commandStack, [updateCommand(element, variable, { value: text })]);
    } else {
      const created = create(bpmnFactory, 'spiffworkflow:MessageVariable', { value: text });
      execute(commandStack, addExtensionCommands(element, definition, created, bpmnFactory));
    }
  };
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label="Переменная с данными сообщения"
      description="Имя в данных процесса, куда попадут данные пришедшего сообщения."
      getValue={() => (variable ? variable.get('value') || '' : '')}
      setValue={setValue}
      debounce={debounce}
    />
  );
}

/** Adds the message variable to the standard «Сообщение» group of a catching message event. */
export function extendMessageGroup(element, groups) {
  const definition = definitionOf(element, 'bpmn:MessageEventDefinition');
  const catching = is(element, 'bpmn:CatchEvent');
  const group = groups.find((candidate) => candidate.id === 'message');
  if (!definition || !catching || !group) {
    return;
  }
  group.entries = [
    ...group.entries,
    { id: 'sales-message-variable', component: MessageVariable },
  ];
}
