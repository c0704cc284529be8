// Search results: each hit says why it matched; label facets narrow or start a search.

import { api, matchesOf, photoOf } from '../api.js';
import { h } from '../dom.js';
import { labelChips, matchReasons, pager, photoCard } from './components.js';

export async function renderSearch(main, { query, signal }) {
  const q = (query.get('q') || '').trim();
  document.getElementById('search-input').value = q;
  const grid = h('ul', { class: 'grid', testid: 'search-results', 'aria-label': 'Search results' });
  const facets = h('nav', { class: 'facets', 'aria-label': 'Search by label', testid: 'facets' });
  const summary = h('p', { class: 'muted', role: 'status', testid: 'search-summary' });
  const empty = h(
    'div',
    { class: 'empty-state', hidden: true, testid: 'search-empty' },
    h('h2', {}, 'No photos match'),
    h('p', { class: 'muted' }, 'Every word must match a label, the caption or text found in the photo. Try fewer or other words, or pick a label below.'),
  );
  let count = 0;
  let cursor = null;
  const addHits = (items) => {
    for (const item of items) {
      const photo = photoOf(item);
      grid.append(photoCard(photo, matchReasons(matchesOf(item))));
      count += 1;
    }
    summary.textContent = q ? `${count}${cursor ? '+' : ''} ${count === 1 ? 'photo matches' : 'photos match'} “${q}”` : '';
    empty.hidden = count > 0 || !q;
  };
  const more = pager(async () => {
    const result = await api.search({ q, cursor, signal });
    cursor = result.cursor;
    addHits(result.items);
    return Boolean(cursor);
  });

  main.append(
    h('div', { class: 'page' }, h('div', { class: 'page-head' }, h('h1', {}, q ? 'Search results' : 'Search'), summary), facets, grid, empty, more.element),
  );

  const terms = q.toLowerCase().split(/\s+/);
  const labelsPromise = api
    .labels({ signal })
    .then((labels) => {
      if (labels.length) facets.replaceChildren(h('span', { class: 'facets-title' }, 'Labels'), labelChips(labels.slice(0, 30), { activeTerms: [q, ...terms] }));
    })
    .catch(() => {});

  if (!q) {
    summary.textContent = 'Type words in the search box, or pick a label.';
    await labelsPromise;
    return () => more.disconnect();
  }
  const [first] = await Promise.all([api.search({ q, signal }), labelsPromise]);
  cursor = first.cursor;
  addHits(first.items);
  more.setDone(!cursor);
  return () => more.disconnect();
}
