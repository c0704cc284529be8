// What can be done to selected photos, per page: each factory returns an action for selectionBar
// (web/js/views/selection-bar.js) that calls the API in chunks of 100 and updates the grid with what succeeded.

import { api } from '../api.js';
import { runInChunks } from '../selection.js';
import { albumPicker, confirmDialog, downloadDialog } from './dialogs.js';
import { bulkAction } from './selection-bar.js';

const photos = (n) => `${n} ${n === 1 ? 'photo' : 'photos'}`;

function refusedNote(failed) {
  return failed.length ? ` (${photos(failed.length)} could not be changed)` : '';
}

export function favoriteAction({ grid, selection }) {
  return {
    id: 'favorite',
    label: 'Favourite',
    icon: 'heart',
    async run(ids, progress) {
      const { ok, failed } = await bulkAction('favorite', ids, { onProgress: progress('Adding to favourites') });
      for (const id of ok) grid.setFavorite(id, true);
      selection.clear();
      return `${photos(ok.length)} in your favourites${refusedNote(failed)}.`;
    },
  };
}

/** Add to an album chosen (or created) in a dialog; `onAdded(album, ids)` follows. */
export function addToAlbumAction({ selection, onAdded = () => {} }) {
  return {
    id: 'add-to-album',
    label: 'Add to album',
    icon: 'album',
    async run(ids, progress, button) {
      const album = await albumPicker({ returnFocus: button });
      if (!album) return null;
      const results = await runInChunks(ids, (part) => api.addToAlbum(album.id, part), { onProgress: progress(`Adding to “${album.name}”`) });
      const ok = results.reduce((n, r) => n + r.ok, 0);
      const failed = results.reduce((n, r) => n + r.failed, 0);
      selection.clear();
      onAdded(album, ids);
      return `${photos(ok)} added to “${album.name}”${failed ? ` (${photos(failed)} could not be added)` : ''}.`;
    },
  };
}

export function downloadAction() {
  return {
    id: 'download',
    label: 'Download',
    icon: 'download',
    async run(ids, _progress, button) {
      await downloadDialog(ids, { returnFocus: button });
      return null;
    },
  };
}

export function trashAction({ grid }) {
  return {
    id: 'trash',
    label: 'Move to trash',
    icon: 'trash',
    danger: true,
    async run(ids, progress) {
      const { ok, failed } = await bulkAction('trash', ids, { onProgress: progress('Moving to the trash') });
      grid.remove(ok);
      return `${photos(ok.length)} moved to the trash${refusedNote(failed)}. Restore them from Trash within 30 days.`;
    },
  };
}

export function restoreAction({ grid }) {
  return {
    id: 'restore',
    label: 'Restore',
    icon: 'restore',
    async run(ids, progress) {
      const { ok, failed } = await bulkAction('restore', ids, { onProgress: progress('Restoring') });
      grid.remove(ok);
      return `${photos(ok.length)} restored${refusedNote(failed)}.`;
    },
  };
}

export function deleteForeverAction({ grid }) {
  return {
    id: 'delete-forever',
    label: 'Delete forever',
    icon: 'trash',
    danger: true,
    async run(ids, progress, button) {
      const sure = await confirmDialog({
        title: `Delete ${photos(ids.length)} forever?`,
        body: 'The originals, thumbnails and everything found in them are deleted for good. This cannot be undone.',
        confirmLabel: 'Delete forever',
        danger: true,
        returnFocus: button,
      });
      if (!sure) return null;
      const { ok, failed } = await bulkAction('delete_forever', ids, { onProgress: progress('Deleting') });
      grid.remove(ok);
      return `${photos(ok.length)} deleted for good${refusedNote(failed)}.`;
    },
  };
}

/** `album()` is the album as the page has it now (it may have been renamed since the page opened). */
export function removeFromAlbumAction({ album: current, grid, onRemoved = () => {} }) {
  return {
    id: 'remove-from-album',
    label: 'Remove from album',
    icon: 'close',
    async run(ids, progress) {
      const album = current();
      const results = await runInChunks(ids, (part) => api.removeFromAlbum(album.id, part), { onProgress: progress('Removing') });
      const removed = results.flatMap((r) => r.results.filter((o) => o.result === 'ok').map((o) => o.id));
      grid.remove(removed);
      onRemoved(removed);
      return `${photos(removed.length)} removed from “${album.name}” (they stay in your library).`;
    },
  };
}

export function setCoverAction({ album: current, selection, onChanged = () => {} }) {
  return {
    id: 'set-cover',
    label: 'Use as cover',
    icon: 'star',
    when: (n) => n === 1,
    async run(ids) {
      const updated = await api.updateAlbum(current().id, { cover_photo_id: ids[0] });
      selection.clear();
      onChanged(updated);
      return `Cover of “${updated.name}” changed.`;
    },
  };
}
