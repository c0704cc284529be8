// The trash (/trash): photos moved there, most recently trashed first, each saying how long it has left; restore
// or delete forever (one or a selection), or empty the whole trash.

import { api } from '../api.js';
import { h, icon, toast } from '../dom.js';
import { trashDaysLeft, trashNotice } from '../photos.js';
import { Selection } from '../selection.js';
import { deleteForeverAction, restoreAction } from './actions.js';
import { gridList, pager } from './components.js';
import { confirmDialog } from './dialogs.js';
import { PhotoGrid } from './grid.js';
import { bulkAction, selectionBar } from './selection-bar.js';

const PAGE_SIZE = 60;

export async function renderTrash(main, { signal, provideList }) {
  let retention = 30;
  const selection = new Selection();
  const grid = new PhotoGrid({
    granularity: null,
    selection,
    favorites: false,
    label: 'Photos in the trash',
    testid: 'trash-grid',
    tileExtra: (photo) => h('span', { class: 'trash-days', testid: 'trash-days' }, trashNotice(trashDaysLeft(photo.trashed_at, retention))),
  });
  const note = h('p', { class: 'muted lead', testid: 'trash-note' });
  const emptyBtn = h('button', { type: 'button', class: 'btn btn-danger-ghost', testid: 'empty-trash' }, icon('trash'), 'Empty trash');
  const progress = h('p', { class: 'muted', role: 'status', testid: 'empty-progress', hidden: true });
  const empty = h(
    'div',
    { class: 'empty-state card', testid: 'trash-empty', hidden: true },
    h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, icon('trash')),
    h('h2', {}, 'The trash is empty'),
    h('p', { class: 'muted' }, 'Photos you delete wait here before they are gone for good, so a mistake can be undone.'),
  );
  let cursor = null;
  const more = pager(async () => {
    const page = await api.listTrash({ cursor, limit: PAGE_SIZE, signal });
    grid.append(page.items);
    cursor = page.cursor;
    return Boolean(cursor);
  });
  const paintEmpty = () => {
    const none = grid.size === 0 && more.isDone();
    empty.hidden = !none;
    emptyBtn.hidden = none;
  };
  const bar = selectionBar({
    selection,
    order: () => grid.order(),
    actions: [restoreAction({ grid }), deleteForeverAction({ grid })],
  });
  selection.addEventListener('change', paintEmpty);

  emptyBtn.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: 'Empty the trash?',
      body: 'Every photo in the trash is deleted for good: originals, thumbnails and everything found in them. This cannot be undone.',
      confirmLabel: 'Empty trash',
      danger: true,
      returnFocus: emptyBtn,
    });
    if (!sure) return;
    emptyBtn.disabled = true;
    progress.hidden = false;
    let deleted = 0;
    try {
      // A page of the trash at a time, deleted in one call of up to 100: bounded calls, whatever the trash holds.
      for (;;) {
        const page = await api.listTrash({ limit: 100 });
        if (page.items.length === 0) break;
        const ids = page.items.map((p) => p.id);
        const { ok } = await bulkAction('delete_forever', ids);
        deleted += ok.length;
        grid.remove(ok);
        progress.textContent = `Deleted ${deleted} photos…`;
        if (ok.length === 0) throw new Error('Some photos could not be deleted; try again.');
      }
      toast(`The trash is empty (${deleted} photos deleted for good).`, 'success');
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      emptyBtn.disabled = false;
      progress.hidden = true;
      cursor = null;
      more.setDone(true);
      paintEmpty();
    }
  });

  main.append(
    h('div', { class: 'page' }, h('div', { class: 'page-head' }, h('h1', {}, 'Trash'), emptyBtn), note, progress, grid.element, empty, more.element),
    bar.element,
  );
  const first = await api.listTrash({ limit: PAGE_SIZE, signal });
  retention = first.retention_days;
  note.textContent = `Photos here are gone from your library, albums, search and share links. Restore them within ${retention} days; after that they are deleted for good.`;
  grid.append(first.items);
  cursor = first.cursor;
  more.setDone(!cursor);
  paintEmpty();
  const list = gridList(grid, more);
  provideList({
    ...list,
    remove(ids) {
      list.remove(ids);
      paintEmpty();
    },
  });
  return () => {
    bar.cleanup();
    more.disconnect();
    grid.destroy();
  };
}
