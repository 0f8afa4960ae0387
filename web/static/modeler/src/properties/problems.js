// «Проблемы элемента»: what the last check found wrong with the selected element, on top of
// the panel, so the analyst reads the reason right where they fix it.
import { Group } from '@bpmn-io/properties-panel';

function ProblemList(props) {
  const { messages } = props;
  return (
    <ul class="sales-element-problems" data-testid="element-problems">
      {messages.map((message, index) => (
        <li key={index}>{message}</li>
      ))}
    </ul>
  );
}

export function problemsGroup(element, problemsById) {
  const messages = problemsById.get(element.id);
  if (!messages || !messages.length) {
    return null;
  }
  return {
    id: 'sales-problems',
    label: 'Проблемы элемента',
    component: Group,
    entries: [{ id: 'sales-problems-list', component: ProblemList, messages }],
  };
}
