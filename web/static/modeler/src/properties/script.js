// «Скрипт»: the Python code of a script task, run in our sandbox.
import { Group, TextAreaEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { getBusinessObject, is } from './util';

function Script(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  return (
    <TextAreaEntry
      element={element}
      id={id}
      label="Код"
      description="Python в песочнице: без импорта, файлов и атрибутов с __; переменные — данные процесса."
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

export function scriptGroup(element) {
  if (!is(element, 'bpmn:ScriptTask')) {
    return null;
  }
  return {
    id: 'sales-script',
    label: 'Скрипт',
    component: Group,
    entries: [{ id: 'sales-script-code', component: Script }],
  };
}
