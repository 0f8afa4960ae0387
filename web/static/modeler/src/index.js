// Bundle entry (esbuild → web/static/vendor/modeler/modeler.js and modeler.css).
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import './editor.css';

import { startEditor } from './editor';

const root = document.getElementById('process-editor');
if (root) {
  window.processEditor = startEditor(root);
}
