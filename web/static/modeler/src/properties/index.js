// Our properties provider: the groups the engine understands, in Russian, placed after the
// standard «Общие» group. The palette (roles, actions, field types, task properties) comes
// from the server as the `salesPalette` option of the modeler.
import { actionGroup } from './action';
import { extendMessageGroup, timerGroup } from './events';
import { conditionGroup } from './flow';
import { formGroup } from './form';
import { laneGroup } from './lane';
import { problemsGroup } from './problems';
import { scriptGroup } from './script';
import { taskPropertiesGroup } from './task-properties';
import { is } from './util';

const EMPTY_PALETTE = { roles: [], actions: [], field_types: [], task_properties: [] };
// Standard groups our engine does not use or that we replace with our own.
const DROPPED = new Set(['timer', 'adHocCompletion']);
// Standard groups that hold what our engine reads: shown open.
const OPENED = new Set(['message', 'error', 'signal', 'escalation']);

export default class SalesPropertiesProvider {
  constructor(propertiesPanel, injector, translate, config, eventBus) {
    this._injector = injector;
    this._translate = translate;
    this._palette = { ...EMPTY_PALETTE, ...((config && config.salesPalette) || {}) };
    this._problems = new Map();
    propertiesPanel.registerProvider(400, this);
    // the page reports the problems of the last check: [{element_id, message}]
    eventBus.on('sales.problems.changed', ({ problems }) => {
      this._problems = new Map();
      problems.forEach((problem) => {
        if (!problem.element_id) {
          return;
        }
        const messages = this._problems.get(problem.element_id) || [];
        messages.push((problem.message || '').trim());
        this._problems.set(problem.element_id, messages);
      });
      eventBus.fire('propertiesPanel.providersChanged');
    });
  }

  getGroups(element) {
    return (groups) => {
      const palette = this._palette;
      const ours = [
        laneGroup(element, palette),
        actionGroup(element, palette),
        formGroup(element, palette, this._injector),
        taskPropertiesGroup(element, palette),
        conditionGroup(element),
        timerGroup(element),
        scriptGroup(element),
      ].filter(Boolean);
      ours.forEach((group) => {
        // open, except the rarely used scripts around a task
        group.shouldOpen = group.id !== 'sales-script' || is(element, 'bpmn:ScriptTask');
      });
      const kept = groups.filter((group) => !DROPPED.has(group.id));
      extendMessageGroup(element, kept);
      kept.forEach((group) => {
        if (OPENED.has(group.id)) {
          group.shouldOpen = true;
        }
      });
      const generalAt = kept.findIndex((group) => group.id === 'general');
      kept.splice(generalAt + 1, 0, ...ours);
      const problems = problemsGroup(element, this._problems);
      if (problems) {
        problems.shouldOpen = true;
        kept.unshift(problems);
      }
      // the free-text description last, after everything the engine reads
      const documentationAt = kept.findIndex((group) => group.id === 'documentation');
      if (documentationAt >= 0) {
        kept.push(...kept.splice(documentationAt, 1));
      }
      kept.forEach((group) => {
        group.translate = group.translate || this._translate;
      });
      return kept;
    };
  }
}

SalesPropertiesProvider.$inject = ['propertiesPanel', 'injector', 'translate', 'config', 'eventBus'];
