// The editor page: loads the palette and the draft, then save / check / publish / download,
// the problem list, the unsaved-changes guard and Ctrl+S.
import { createModeler } from './modeler';
import Problems from './problems';
import { RequestFailed, getJson, getText, postJson } from './server';

// a little longer than the properties panel's input debounce (modeler.js: 300 ms)
const DEBOUNCE_MS = 400;

function formatTime(iso) {
  const date = iso ? new Date(iso) : new Date();
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  return date.toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit' });
}

class Editor {
  constructor(root) {
    this.root = root;
    this.urls = JSON.parse(root.dataset.urls);
    this.csrfToken = root.dataset.csrf;
    this.processId = root.dataset.processId || 'process';
    this.changes = 0;
    this.savedChanges = 0;
    this.busy = false;
    this.status = root.querySelector('[data-editor-status]');
    this.message = root.querySelector('[data-editor-message]');
  }

  get dirty() {
    return this.changes !== this.savedChanges;
  }

  async start() {
    let palette;
    let xml;
    try {
      [palette, xml] = await Promise.all([getJson(this.urls.palette), getText(this.urls.xml)]);
    } catch (error) {
      this.status.textContent = 'Редактор не открылся';
      this.fail(`Редактор не открылся: ${error.message}`);
      return;
    }
    this.modeler = createModeler({
      canvas: this.root.querySelector('[data-editor-canvas]'),
      properties: this.root.querySelector('[data-editor-properties]'),
      palette,
    });
    this.problems = new Problems(
      this.modeler,
      this.root.querySelector('[data-problems-list]'),
      this.root.querySelector('[data-problems-summary]'),
    );
    try {
      const { warnings } = await this.modeler.importXML(xml);
      if (warnings.length) {
        const first = String(warnings[0].message || warnings[0]).split('\n')[0];
        this.warn(
          `Схема открыта с предупреждениями (${warnings.length}): нераспознанные элементы ` +
            `не попадут в сохранённый черновик. Первое: ${first}`,
        );
      }
    } catch (error) {
      this.status.textContent = 'Схема не открыта';
      this.fail(`Схему не удалось открыть: ${error.message}`);
      return;
    }
    this.lastInput = 0;
    const panel = this.root.querySelector('[data-editor-properties]');
    ['input', 'change'].forEach((name) =>
      panel.addEventListener(name, () => {
        this.lastInput = Date.now();
      }),
    );
    this.fit();
    this.modeler.on('commandStack.changed', () => {
      this.changes += 1;
      this.showStatus();
    });
    this.problems.show(JSON.parse(this.root.dataset.problems || '[]'));
    this.bind();
    this.showStatus();
    this.root.dataset.ready = 'true';
  }

  bind() {
    const on = (action, handler) => {
      this.root.querySelectorAll(`[data-action="${action}"]`).forEach((button) => {
        button.addEventListener('click', (event) => {
          event.preventDefault();
          handler.call(this);
        });
      });
    };
    on('save', this.save);
    on('validate', this.validate);
    on('publish', this.askPublish);
    on('publish-confirm', this.publish);
    on('publish-cancel', () => {
      this.root.querySelector('[data-publish-dialog]').hidden = true;
    });
    on('download', this.download);
    on('fit', this.fit);
    document.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        event.preventDefault();
        this.save();
      }
    });
    window.addEventListener('beforeunload', (event) => {
      if (this.dirty) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
  }

  /** The whole diagram in view, to the right of the palette that floats over the canvas. */
  fit() {
    const canvas = this.modeler.get('canvas');
    const container = this.root.querySelector('[data-editor-canvas]');
    const palette = container.querySelector('.djs-palette');
    const left = palette
      ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left + 16
      : 16;
    const inner = canvas.viewbox().inner;
    const width = container.clientWidth;
    const height = container.clientHeight;
    if (!inner.width || !inner.height || width <= left + 32) {
      canvas.zoom('fit-viewport', 'auto');
      return;
    }
    const scale = Math.min((width - left - 16) / inner.width, (height - 32) / inner.height, 1);
    canvas.viewbox({
      x: inner.x - left / scale,
      y: inner.y - 16 / scale,
      width: width / scale,
      height: height / scale,
    });
  }

  async currentXml() {
    // the panel applies typed text after a short pause: let a pending edit land first
    const pause = DEBOUNCE_MS - (Date.now() - this.lastInput);
    if (pause > 0) {
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  async run(label, work) {
    if (this.busy) {
      return;
    }
    this.busy = true;
    this.root.querySelectorAll('[data-action]').forEach((button) => (button.disabled = true));
    this.clearMessage();
    this.status.textContent = label;
    try {
      await work();
    } catch (error) {
      if (error instanceof RequestFailed) {
        if (error.problems) {
          this.problems.show(error.problems);
        }
        this.fail(error.message);
      } else {
        this.fail(`Не получилось: ${error.message}`);
      }
      this.showStatus();
    } finally {
      this.busy = false;
      this.root.querySelectorAll('[data-action]').forEach((button) => (button.disabled = false));
    }
  }

  save() {
    return this.run('Сохраняем…', async () => {
      const changes = this.changes;
      const data = await postJson(this.urls.save, { xml: await this.currentXml() }, this.csrfToken);
      this.savedChanges = changes;
      this.problems.show(data.problems);
      this.showStatus(`Черновик сохранён в ${formatTime(data.saved_at)}`);
    });
  }

  validate() {
    const url = this.urls.validate || this.urls.save;
    return this.run('Проверяем…', async () => {
      const changes = this.changes;
      const data = await postJson(url, { xml: await this.currentXml() }, this.csrfToken);
      if (!this.urls.validate) {
        this.savedChanges = changes;
      }
      this.problems.show(data.problems);
      const count = (data.problems || []).length;
      this.showStatus(count ? `Проверено: проблем ${count}` : 'Проверено: проблем нет, можно публиковать');
      this.root.querySelector('[data-problems]').scrollIntoView({ block: 'nearest' });
    });
  }

  askPublish() {
    const dialog = this.root.querySelector('[data-publish-dialog]');
    dialog.hidden = false;
    dialog.querySelector('textarea').focus();
  }

  publish() {
    const dialog = this.root.querySelector('[data-publish-dialog]');
    const note = dialog.querySelector('textarea').value.trim();
    if (!note) {
      dialog.querySelector('[data-publish-error]').textContent = 'Напишите, что изменилось: это увидят в истории версий.';
      return undefined;
    }
    dialog.querySelector('[data-publish-error]').textContent = '';
    dialog.hidden = true;
    return this.run('Публикуем…', async () => {
      const changes = this.changes;
      const data = await postJson(
        this.urls.publish,
        { xml: await this.currentXml(), note },
        this.csrfToken,
      );
      this.savedChanges = changes;
      this.showStatus(`Опубликована версия ${data.version}`);
      if (data.redirect) {
        window.location.assign(data.redirect);
      }
    });
  }

  async download() {
    try {
      const xml = await this.currentXml();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
      link.download = `${this.processId}.bpmn`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (error) {
      this.fail(`Файл не получилось собрать: ${error.message}`);
    }
  }

  showStatus(text) {
    if (text) {
      this.lastStatus = text;
    }
    const unsaved = this.dirty ? ' · есть несохранённые изменения' : '';
    this.status.textContent = `${this.lastStatus || 'Черновик открыт'}${unsaved}`;
    this.root.dataset.dirty = String(this.dirty);
  }

  fail(text) {
    this.message.className = 'alert alert-danger py-2 mb-2';
    this.message.textContent = text;
    this.message.hidden = false;
  }

  warn(text) {
    this.message.className = 'alert alert-warning py-2 mb-2';
    this.message.textContent = text;
    this.message.hidden = false;
  }

  clearMessage() {
    this.message.hidden = true;
    this.message.textContent = '';
  }
}

export function startEditor(root) {
  const editor = new Editor(root);
  editor.start();
  return editor;
}
