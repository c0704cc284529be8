// The gallery: upload panel, label facets and the photo grid with infinite scroll.

import { api } from '../api.js';
import { h } from '../dom.js';
import { labelChips, pager, photoCard } from './components.js';
import { uploader } from './uploader.js';

const PAGE_SIZE = 30;

export async function renderGallery(main, { signal }) {
  const grid = h('ul', { class: 'grid', testid: 'gallery-grid', 'aria-label': 'Your photos' });
  const facets = h('nav', { class: 'facets', 'aria-label': 'Browse by label', testid: 'facets' });
  const empty = h(
    'div',
    { class: 'empty-state', testid: 'gallery-empty', hidden: true },
    h('h2', {}, 'No photos yet'),
    h('p', { class: 'muted' }, 'Drop a few photos above. Each one is checked, labelled and captioned within seconds.'),
  );
  const seen = new Set();
  const addCards = (photos, { prepend = false } = {}) => {
    const cards = [];
    for (const photo of photos) {
      const id = photo.photo_id || photo.id;
      if (seen.has(id)) {
        grid.querySelector(`[data-photo-id="${CSS.escape(id)}"]`)?.replaceWith(photoCard(photo));
        continue;
      }
      seen.add(id);
      cards.push(photoCard(photo));
    }
    if (prepend) grid.prepend(...cards);
    else grid.append(...cards);
    empty.hidden = seen.size > 0;
  };

  const up = uploader({
    onReady(photo) {
      addCards([photo], { prepend: true });
      refreshFacets();
    },
  });

  let cursor = null;
  const more = pager(async () => {
    const result = await api.listPhotos({ cursor, limit: PAGE_SIZE, signal });
    addCards(result.items);
    cursor = result.cursor;
    return Boolean(cursor);
  });

  async function refreshFacets() {
    try {
      const labels = await api.labels({ signal });
      facets.replaceChildren(...(labels.length ? [h('span', { class: 'facets-title' }, 'Labels'), labelChips(labels.slice(0, 24))] : []));
    } catch (err) {
      if (err.name !== 'AbortError') facets.replaceChildren();
    }
  }

  main.append(
    h(
      'div',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Your photos')),
      up.element,
      facets,
      grid,
      empty,
      more.element,
    ),
  );

  const [first] = await Promise.all([api.listPhotos({ limit: PAGE_SIZE, signal }), refreshFacets()]);
  addCards(first.items);
  cursor = first.cursor;
  more.setDone(!cursor);
  empty.hidden = seen.size > 0;

  return () => {
    up.cleanup();
    more.disconnect();
  };
}
