// The problem list under the canvas and the red markers on the problem elements.
const MARKER = 'has-problem';

export default class Problems {
  constructor(modeler, list, summary) {
    this._modeler = modeler;
    this._list = list;
    this._summary = summary;
    this._marked = [];
  }

  show(problems) {
    const canvas = this._modeler.get('canvas');
    const registry = this._modeler.get('elementRegistry');
    this._marked.forEach((id) => registry.get(id) && canvas.removeMarker(id, MARKER));
    this._marked = [];
    this._list.replaceChildren();
    (problems || []).forEach((problem) => {
      const element = problem.element_id ? registry.get(problem.element_id) : null;
      if (element && !this._marked.includes(element.id)) {
        canvas.addMarker(element.id, MARKER);
        this._marked.push(element.id);
      }
      this._list.append(this._item(problem, element));
    });
    this._modeler.get('eventBus').fire('sales.problems.changed', { problems: problems || [] });
    const count = (problems || []).length;
    this._summary.textContent = count
      ? `Проблем: ${count}. Черновик можно сохранять, но опубликовать нельзя.`
      : 'Проблем не найдено.';
    this._summary.className = count ? 'text-danger small' : 'text-success small';
    this._list.closest('[data-problems]').dataset.count = String(count);
  }

  _item(problem, element) {
    const item = document.createElement('li');
    item.className = 'list-group-item list-group-item-action problem';
    item.dataset.elementId = problem.element_id || '';
    const where = document.createElement('strong');
    const name = problem.element_name || (element && element.businessObject.name) || '';
    where.textContent = problem.element_id
      ? `${name || 'Без названия'} (${problem.element_id})`
      : 'Схема целиком';
    const reason = document.createElement('span');
    reason.className = 'problem-message';
    reason.textContent = (problem.message || '').trim();
    item.append(where, document.createTextNode(' — '), reason);
    if (element) {
      item.tabIndex = 0;
      item.setAttribute('role', 'button');
      item.title = 'Показать на схеме';
      const reveal = () => this.reveal(element.id);
      item.addEventListener('click', reveal);
      item.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          reveal();
        }
      });
    } else if (problem.element_id) {
      item.title = 'Элемента нет на схеме';
    }
    return item;
  }

  reveal(id) {
    const element = this._modeler.get('elementRegistry').get(id);
    if (!element) {
      return;
    }
    const canvas = this._modeler.get('canvas');
    const root = canvas.findRoot(element);
    if (root && root !== canvas.getRootElement()) {
      canvas.setRootElement(root);
    }
    canvas.scrollToElement(element, { top: 120, bottom: 120, left: 200, right: 200 });
    this._modeler.get('selection').select(element);
  }
}
