// «Действие»: the registered Python action a service task calls, its parameters (sandboxed
// expressions over the task data) and the variable its result lands in.
//
//   <spiffworkflow:serviceTaskOperator id="ACTION" resultVariable="...">
//     <spiffworkflow:parameters>
//       <spiffworkflow:parameter id="p" type="any" value="expression"/>
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

const OPERATOR = 'spiffworkflow:ServiceTaskOperator';

function operatorOf(element) {
  return firstExtension(getBusinessObject(element), OPERATOR);
}

function parametersOf(operator) {
  const list = operator && operator.get('parameterList');
  return list ? list.get('parameters') : [];
}

/** Parameter elements for `action`, keeping the expressions of parameters it still takes. */
function parametersFor(action, operator, list, bpmnFactory) {
  const old = new Map(parametersOf(operator).map((p) => [p.get('id'), p.get('value')]));
  return action.params
    .filter((param) => old.get(param.name))
    .map((param) =>
      create(
        bpmnFactory,
        'spiffworkflow:Parameter',
        { id: param.name, type: param.type || 'any', value: old.get(param.name) },
        list,
      ),
    );
}

function ActionSelect(props) {
  const { element, id, actions } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const operator = operatorOf(element);
  const current = operator ? operator.get('id') || EMPTY : EMPTY;
  const action = actions.find((candidate) => candidate.name === current);

  const setValue = (value) => {
    const bo = getBusinessObject(element);
    const chosen = actions.find((candidate) => candidate.name === value);
    if (!chosen) {
      execute(commandStack, operator ? removeExtensionCommands(element, bo, operator) : []);
      return;
    }
    if (operator) {
      const list = create(bpmnFactory, 'spiffworkflow:Parameters', {}, operator);
      list.set('parameters', parametersFor(chosen, operator, list, bpmnFactory));
      execute(commandStack, [
        updateCommand(element, operator, { id: chosen.name, parameterList: list }),
      ]);
      return;
    }
    const created = create(bpmnFactory, OPERATOR, { id: chosen.name });
    const list = create(bpmnFactory, 'spiffworkflow:Parameters', { parameters: [] }, created);
    created.set('parameterList', list);
    execute(commandStack, addExtensionCommands(element, bo, created, bpmnFactory));
  };
  const getOptions = () => {
    const options = [{ value: EMPTY, label: '— не выбрано —' }];
    if (current && !action) {
      options.push({ value: current, label: `${current} (не зарегистрировано)` });
    }
    return options.concat(
      actions.map((candidate) => ({ value: candidate.name, label: candidate.name })),
    );
  };
  let description = 'Сервисная задача вызывает зарегистрированное действие.';
  if (action) {
    description = action.description;
    if (action.error_codes && action.error_codes.length) {
      description += ` Коды ошибок для граничного события: ${action.error_codes.join(', ')}.`;
    }
  } else if (current) {
    description = `Действие «${current}» не зарегистрировано: выберите другое.`;
  }
  return (
    <SelectEntry
      element={element}
      id={id}
      label="Действие"
      description={description}
      getValue={() => current}
      setValue={setValue}
      getOptions={getOptions}
    />
  );
}

function ParameterField(props) {
  const { element, id, param, declared } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const operator = operatorOf(element);
  const found = parametersOf(operator).find((p) => p.get('id') === param.name);

  const setValue = (value) => {
    const text = (value || '').trim();
    let list = operator.get('parameterList');
    const commands = [];
    if (!list) {
      list = create(bpmnFactory, 'spiffworkflow:Parameters', { parameters: [] }, operator);
      commands.push(updateCommand(element, operator, { parameterList: list }));
    }
    const parameters = list.get('parameters');
    if (!text) {
      if (found) {
        commands.push(updateCommand(element, list, { parameters: parameters.filter((p) => p !== found) }));
      }
    } else if (found) {
      commands.push(updateCommand(element, found, { value: text }));
    } else {
      const added = create(
        bpmnFactory,
        'spiffworkflow:Parameter',
        { id: param.name, type: param.type || 'any', value: text },
        list,
      );
      commands.push(updateCommand(element, list, { parameters: [...parameters, added] }));
    }
    execute(commandStack, commands);
  };
  let description = param.description || '';
  if (!declared) {
    description = 'Действие не принимает этот параметр: очистите поле, чтобы удалить его.';
  } else if (param.required) {
    description = description ? `${description} (обязательный)` : 'Обязательный';
  }
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label={`${param.name} (выражение)`}
      description={description}
      getValue={() => (found ? found.get('value') || '' : '')}
      setValue={setValue}
      debounce={debounce}
    />
  );
}

function ResultVariable(props) {
  const { element, id } = props;
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const operator = operatorOf(element);
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label="Переменная результата"
      description="Имя в данных процесса, куда попадёт результат действия (необязательно)."
      getValue={() => operator.get('resultVariable') || ''}
      setValue={(value) =>
        execute(commandStack, [
          updateCommand(element, operator, { resultVariable: (value || '').trim() || undefined }),
        ])
      }
      debounce={debounce}
    />
  );
}

export function actionGroup(element, palette) {
  if (!is(element, 'bpmn:ServiceTask')) {
    return null;
  }
  const actions = palette.actions;
  const entries = [{ id: 'sales-action-name', component: ActionSelect, actions }];
  const operator = operatorOf(element);
  if (operator) {
    const action = actions.find((candidate) => candidate.name === operator.get('id'));
    const declared = action ? action.params : [];
    declared.forEach((param) => {
      entries.push({
        id: `sales-action-param-${param.name}`,
        component: ParameterField,
        param,
        declared: true,
      });
    });
    parametersOf(operator)
      .filter((p) => !declared.some((param) => param.name === p.get('id')))
      .forEach((p) => {
        entries.push({
          id: `sales-action-param-${p.get('id')}`,
          component: ParameterField,
          param: { name: p.get('id'), type: p.get('type'), description: '' },
          declared: false,
        });
      });
    entries.push({ id: 'sales-action-result', component: ResultVariable });
  }
  return { id: 'sales-action', label: 'Действие', component: Group, entries };
}
