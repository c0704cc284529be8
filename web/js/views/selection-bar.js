// The bulk action bar shown while photos are selected: a count, the page's actions, and progress while a large
// selection goes to the API in chunks of 100 (POST /photos/actions answers per photo, so a chunk that failed can
// be sent again without doing anything twice). Escape clears the selection.

import { api } from '../api.js';
import { h, icon, toast } from '../dom.js';
import { runInChunks } from '../selection.js';

/**
 * Run a POST /photos/actions `action` over `ids` in chunks of 100; `onProgress({done, total})`. Resolves
 * {ok: ids done, failed: ids the API refused}; a network or server error stops it (thrown, with `done`).
 */
export async function bulkAction(action, ids, { albumId, onProgress } = {}) {
  const results = await runInChunks(ids, (part) => api.act(action, part, albumId), { onProgress });
  const ok = [];
  const failed = [];
  for (const result of results) {
    for (const outcome of result.results) (outcome.result === 'ok' ? ok : failed).push(outcome.id);
  }
  return { ok, failed };
}

/**
 * actions: [{id, label, icon, danger?, when?(count) → bool, run(ids, progress) → Promise<string|void>}] — `run`
 * returns the sentence to show when done; `progress(verb)` returns the {done, total} callback for runInChunks.
 */
export function selectionBar({ selection, order, actions }) {
  const count = h('span', { class: 'selbar-count', testid: 'selection-count', 'aria-live': 'polite' });
  const clear = h('button', { type: 'button', class: 'btn btn-ghost icon-btn', 'aria-label': 'Clear selection', testid: 'selection-clear' }, icon('close'));
  const buttons = actions.map((action) => {
    const button = h(
      'button',
      { type: 'button', class: ['btn', 'btn-sm', action.danger ? 'btn-danger-ghost' : 'btn-ghost'], testid: `bulk-${action.id}`, title: action.label },
      icon(action.icon),
      h('span', { class: 'selbar-label' }, action.label),
    );
    button.addEventListener('click', () => run(action, button));
    return { action, button };
  });
  const fill = h('div', { class: 'progress-fill' });
  const progressBar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Progress', 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill);
  const progressText = h('span', { class: 'small', testid: 'bulk-progress-text' });
  const progress = h('div', { class: 'selbar-progress', hidden: true, testid: 'bulk-progress' }, progressText, progressBar);
  const bar = h(
    'div',
    { class: 'selbar', role: 'toolbar', 'aria-label': 'Selected photos', testid: 'selection-bar', hidden: true },
    h('div', { class: 'selbar-row' }, clear, count, h('div', { class: 'selbar-actions' }, buttons.map((b) => b.button))),
    progress,
  );
  let busy = false;

  const paint = () => {
    const n = selection.size;
    bar.hidden = n === 0;
    count.textContent = `${n} selected`;
    for (const { action, button } of buttons) button.hidden = action.when ? !action.when(n) : false;
    document.documentElement.classList.toggle('has-selbar', n > 0);
  };

  const progressFor = (verb) => ({ done, total }) => {
    progress.hidden = false;
    progressText.textContent = `${verb} ${done} of ${total}…`;
    const pct = total ? Math.round((100 * done) / total) : 0;
    progressBar.setAttribute('aria-valuenow', String(pct));
    fill.style.width = `${pct}%`;
  };

  async function run(action, button) {
    if (busy) return;
    const ids = selection.ordered(order());
    busy = true;
    for (const b of buttons) b.button.disabled = true;
    try {
      const message = await action.run(ids, progressFor, button);
      if (message) toast(message, 'success');
    } catch (err) {
      toast(err.done ? `${err.message} (${err.done} of ${ids.length} were done)` : err.message, 'error');
    } finally {
      busy = false;
      for (const b of buttons) b.button.disabled = false;
      progress.hidden = true;
      paint();
    }
  }

  const onKey = (event) => {
    if (event.key !== 'Escape' || selection.size === 0 || event.defaultPrevented) return;
    if (document.querySelector('dialog[open]') || document.documentElement.classList.contains('viewer-open')) return;
    selection.clear();
  };
  clear.addEventListener('click', () => selection.clear());
  selection.addEventListener('change', paint);
  document.addEventListener('keydown', onKey);
  paint();
  return {
    element: bar,
    cleanup() {
      selection.removeEventListener('change', paint);
      document.removeEventListener('keydown', onKey);
      document.documentElement.classList.remove('has-selbar');
    },
  };
}
