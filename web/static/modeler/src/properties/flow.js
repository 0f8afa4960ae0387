// «Условие перехода»: the condition of a sequence flow leaving a gateway (or a task), a
// sandboxed Python expression over the task data (`decision == "approve"`), or the gateway's
// default flow.
import { CheckboxEntry, Group, TextAreaEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { create, getBusinessObject, is } from './util';

const CONDITIONAL_SOURCES = ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:Activity'];

function sourceOf(element) {
  return getBusinessObject(element).get('sourceRef');
}

function isDefault(element) {
  const source = sourceOf(element);
  return !!source && source.get('default') === getBusinessObject(element);
}

function Condition(props) {
  const { element, id } = props;
  const bpmnFactory = useService('bpmnFactory');
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  const expression = getBusinessObject(element).get('conditionExpression');
  const setValue = (value) => {
    const text = (value || '').trim();
    modeling.updateProperties(element, {
      conditionExpression: text
        ? create(bpmnFactory, 'bpmn:FormalExpression', { body: text })
        : undefined,
    });
  };
  return (
    <TextAreaEntry
      element={element}
      id={id}
      label="Условие (выражение)"
      description='Выражение Python над данными процесса, например decision == "approve". Импорт, файлы и атрибуты с __ запрещены.'
      getValue={() => (expression ? expression.get('body') || '' : '')}
      setValue={setValue}
      debounce={debounce}
      monospace
      rows={2}
    />
  );
}

function DefaultFlow(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  const elementRegistry = useService('elementRegistry');
  const setValue = (checked) => {
    const source = elementRegistry.get(sourceOf(element).get('id'));
    if (checked) {
      modeling.updateProperties(element, { conditionExpression: undefined });
    }
    modeling.updateProperties(source, {
      default: checked ? getBusinessObject(element) : undefined,
    });
  };
  return (
    <CheckboxEntry
      element={element}
      id={id}
      label="Переход по умолчанию"
      description="Выбирается, когда ни одно условие не выполнилось."
      getValue={() => isDefault(element)}
      setValue={setValue}
    />
  );
}

export function conditionGroup(element) {
  if (!is(element, 'bpmn:SequenceFlow')) {
    return null;
  }
  const source = sourceOf(element);
  if (!source || !CONDITIONAL_SOURCES.some((type) => is(source, type))) {
    return null;
  }
  const entries = [];
  if (is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway')) {
    entries.push({ id: 'sales-flow-default', component: DefaultFlow });
  }
  if (!isDefault(element)) {
    entries.push({ id: 'sales-flow-condition', component: Condition });
  }
  return { id: 'sales-condition', label: 'Условие перехода', component: Group, entries };
}
