// Shows a process diagram with the path taken: completed, current and failed elements.
(function () {
  const container = document.getElementById('diagram');
  if (!container || !window.BpmnJS) { return; }
  const viewer = new window.BpmnJS({ container: container });
  const completed = JSON.parse(container.dataset.completed || '[]');
  const current = JSON.parse(container.dataset.current || '[]');
  const failed = container.dataset.error;
  const taken = new Set(JSON.parse(container.dataset.taken || '[]').map((pair) => pair.join(' ')));
  fetch(container.dataset.url, { credentials: 'same-origin' })
    .then((response) => response.text())
    .then((xml) => viewer.importXML(xml))
    .then(() => {
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport');
      const mark = (id, marker) => { if (registry.get(id)) { canvas.addMarker(id, marker); } };
      completed.forEach((id) => mark(id, 'path-done'));
      current.forEach((id) => mark(id, 'path-current'));
      if (failed) { mark(failed, 'path-error'); }
      registry.filter((e) => e.type === 'bpmn:SequenceFlow').forEach((flow) => {
        const source = flow.businessObject.sourceRef.id;
        const target = flow.businessObject.targetRef.id;
        if (taken.has(source + ' ' + target)) { canvas.addMarker(flow.id, 'path-done'); }
      });
      container.dataset.ready = 'true';
    })
    .catch((error) => {
      container.textContent = 'Схему не удалось показать: ' + error.message;
    });
})();
