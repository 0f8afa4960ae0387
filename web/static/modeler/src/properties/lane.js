// «Роль дорожки»: a lane's name is the Russian label of the role whose inbox its tasks reach.
import { Group, SelectEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { EMPTY, findRole, getBusinessObject, is } from './util';

function LaneRole(props) {
  const { element, id, roles } = props;
  const modeling = useService('modeling');
  const name = getBusinessObject(element).get('name') || '';
  const role = findRole(roles, name);

  const getValue = () => (role ? role.value : EMPTY);
  const setValue = (value) => {
    const chosen = roles.find((candidate) => candidate.value === value);
    modeling.updateProperties(element, { name: chosen ? chosen.label : undefined });
  };
  const getOptions = () => [
    { value: EMPTY, label: name && !role ? `«${name}» — не роль` : '— выберите роль —' },
    ...roles.map((candidate) => ({ value: candidate.value, label: candidate.label })),
  ];
  const description = role
    ? 'Задачи этой дорожки попадают во входящие сотрудников с этой ролью.'
    : 'Дорожка должна называться ролью сотрудника, иначе процесс не опубликовать.';

  return (
    <SelectEntry
      element={element}
      id={id}
      label="Роль"
      description={description}
      getValue={getValue}
      setValue={setValue}
      getOptions={getOptions}
    />
  );
}

export function laneGroup(element, palette) {
  if (!is(element, 'bpmn:Lane')) {
    return null;
  }
  return {
    id: 'sales-lane-role',
    label: 'Роль дорожки',
    component: Group,
    entries: [{ id: 'sales-lane-role-select', component: LaneRole, roles: palette.roles }],
  };
}
