// «Скрипт»: the Python code of a script task, and the scripts any task may run before and
// after itself (spiffworkflow:preScript / postScript), all run in our sandbox.
import { Group, TextAreaEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

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

const SANDBOX =
  'Python в песочнице: без импорта, файлов и атрибутов с __; переменные — данные процесса.';

function Script(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  return (
    <TextAreaEntry
      element={element}
      id={id}
      label="Код"
      description={SANDBOX}
      getValue={() => getBusinessObject(element).get('script') || ''}
      setValue={(value) =>
        modeling.updateProperties(element, { script: value || undefined, scriptFormat: 'python' })
      }
      debounce={debounce}
      monospace
      rows={6}
    />
  );
}

function ExtensionScript(props) {
  const { element, id, type, label, description } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const bo = getBusinessObject(element);
  const found = firstExtension(bo, type);
  const setValue = (value) => {
    const text = (value || '').trim();
    if (!text) {
      execute(commandStack, found ? removeExtensionCommands(element, bo, found) : []);
    } else if (found) {
      execute(commandStack, [updateCommand(element, found, { value: text })]);
    } else {
      const created = create(bpmnFactory, type, { value: text });
      execute(commandStack, addExtensionCommands(element, bo, created, bpmnFactory));
    }
  };
  return (
    <TextAreaEntry
      element={element}
      id={id}
      label={label}
      description={description}
      getValue={() => (found ? found.get('value') || '' : '')}
      setValue={setValue}
      debounce={debounce}
      monospace
      rows={3}
    />
  );
}

export function scriptGroup(element) {
  if (!is(element, 'bpmn:Task')) {
    return null;
  }
  const entries = [];
  if (is(element, 'bpmn:ScriptTask')) {
    entries.push({ id: 'sales-script-code', component: Script });
  }
  entries.push(
    {
      id: 'sales-script-pre',
      component: ExtensionScript,
      type: 'spiffworkflow:PreScript',
      label: 'Скрипт до задачи',
      description: `Выполняется перед задачей. ${SANDBOX}`,
    },
    {
      id: 'sales-script-post',
      component: ExtensionScript,
      type: 'spiffworkflow:PostScript',
      label: 'Скрипт после задачи',
      description: 'Выполняется после завершения задачи.',
    },
  );
  return {
    id: 'sales-script',
    label: is(element, 'bpmn:ScriptTask') ? 'Скрипт' : 'Скрипты до и после',
    component: Group,
    entries,
  };
}
