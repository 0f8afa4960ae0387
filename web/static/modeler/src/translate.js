// bpmn-js `translate` override: our Russian dictionary, English when a text is missing.
import RU from './ru';

function translate(template, replacements) {
  const values = replacements || {};
  const text = Object.prototype.hasOwnProperty.call(RU, template) ? RU[template] : template;
  return text.replace(/{([^}]+)}/g, (match, key) => (key in values ? values[key] : match));
}

export default { translate: ['value', translate] };
