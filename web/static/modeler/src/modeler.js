// The bpmn-js Modeler with our properties panel, moddle extensions and Russian texts.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';

import SalesPropertiesProvider from './properties/index';
import spiffworkflowModdle from './spiffworkflow.json';
import translateModule from './translate';

const salesPropertiesModule = {
  __init__: ['salesPropertiesProvider'],
  salesPropertiesProvider: ['type', SalesPropertiesProvider],
};

export function createModeler({ canvas, properties, palette }) {
  return new BpmnModeler({
    container: canvas,
    propertiesPanel: { parent: properties, layout: { groups: { general: { open: true } } } },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      salesPropertiesModule,
      translateModule,
    ],
    moddleExtensions: { camunda: camundaModdle, spiffworkflow: spiffworkflowModdle },
    salesPalette: palette,
    debounceInput: 300,
  });
}
