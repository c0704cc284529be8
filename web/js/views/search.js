// Search (/search?q=&label=&person=): photos matching every word (labels, caption, text, the year and month taken,
// file name, camera, the place taken, a person's name) and the label and person facets chosen, each saying why it
// matched; label and people chips narrow the words to a label or a person, place chips search a place. When nothing
// matches every word, the API answers the closest matches and the page says so. Results can be selected and acted on like the timeline.

import { api } from '../api.js';
import { h } from '../dom.js';
import { searchPath } from '../routes.js';
import { Selection } from '../selection.js';
import { addToAlbumAction, downloadAction, favoriteAction, trashAction } from './actions.js';
import { gridList, labelChips, matchReasons, pager, placeChips } from './components.js';
import { PhotoGrid } from './grid.js';
import { selectionBar } from './selection-bar.js';

const MAX_FACETS = 30;
const MAX_PEOPLE_FACETS = 12;

function peopleChips(people, { q, label, active }) {
  return h(
    'ul',
    { class: 'chips', 'aria-label': 'People' },
    people.map((person) => {
      const on = person.id === active;
      return h(
        'li',
        {},
        h(
          'a',
          {
            class: ['chip', on && 'chip-active'],
            href: searchPath(q, label, on ? null : person.id),
            'data-link': true,
            testid: 'person-facet',
            'data-person-id': person.id,
            'aria-current': on ? 'true' : null,
            title: on ? `Stop narrowing to ${person.name}` : `Photos of ${person.name}`,
          },
          person.name,
          h('span', { class: 'chip-count' }, String(person.face_count)),
        ),
      );
    }),
  );
}

export async function renderSearch(main, { query, signal, provideList }) {
  const q = (query.get('q') || '').trim();
  const label = (query.get('label') || '').trim() || null;
  const person = (query.get('person') || '').trim() || null;
  document.getElementById('search-input').value = q;
  const reasons = new Map();
  const selection = new Selection();
  const grid = new PhotoGrid({
    granularity: null,
    selection,
    label: 'Search results',
    testid: 'search-results',
    variant: 'cards',
    tileExtra: (photo) => {
      const why = reasons.get(photo.id);
      return why ? matchReasons(why.matches, why.similarity) : null;
    },
  });
  const facets = h('nav', { class: 'facets', 'aria-label': 'Narrow to a label', testid: 'facets' });
  const places = h('nav', { class: 'facets', 'aria-label': 'Search a place', testid: 'place-facets' });
  const peopleFacets = h('nav', { class: 'facets', 'aria-label': 'Narrow to a person', testid: 'people-facets' });
  const summary = h('p', { class: 'muted', role: 'status', testid: 'search-summary' });
  const partial = h('p', { class: 'notice', role: 'status', testid: 'search-partial', hidden: true }, 'No photo matches every word; showing the closest.');
  // The labels are offered only when the library has some to pick (a new library has none)
  const pickLabel = h('span', { hidden: true, testid: 'search-empty-labels' }, ' Or pick one of the labels above.');
  const empty = h(
    'div',
    { class: 'empty-state', hidden: true, testid: 'search-empty' },
    h('h2', {}, 'No photos match'),
    h('p', { class: 'muted' }, 'Words match labels, captions, text in the photo, the year or month it was taken (“2023”, “july 2023”), its file name or camera, and photos that look like what you described. Try other words.', pickLabel),
  );
  const people = await api.listPeople({ limit: 100, signal }).catch(() => ({ items: [] }));
  const chosen = people.items.find((p) => p.id === person);
  const what = [q && `“${q}”`, label && `label ${label}`, person && (chosen?.name || 'a person')].filter(Boolean).join(' with ');
  let cursor = null;
  const addHits = (hits) => {
    for (const hit of hits) reasons.set(hit.photo.id, { matches: hit.matches, similarity: hit.similarity ?? null });
    grid.append(hits.map((hit) => hit.photo));
    const n = grid.size;
    summary.textContent = what ? `${n}${cursor ? '+' : ''} ${n === 1 ? 'photo' : 'photos'} for ${what}` : '';
    empty.hidden = n > 0 || !what;
  };
  const more = pager(async () => {
    const result = await api.search({ q, label, person, cursor, signal });
    cursor = result.cursor;
    addHits(result.items);
    return Boolean(cursor);
  });
  const bar = selectionBar({
    selection,
    order: () => grid.order(),
    actions: [favoriteAction({ grid, selection }), addToAlbumAction({ selection }), downloadAction(), trashAction({ grid })],
  });

  main.append(
    h('div', { class: 'page' }, h('div', { class: 'page-head' }, h('h1', {}, what ? 'Search results' : 'Search'), summary), facets, peopleFacets, places, partial, grid.element, empty, more.element),
    bar.element,
  );

  const labelsPromise = api
    .labels({ signal })
    .then(({ items }) => {
      // The active label stays a chip even when it is not among the most common ones.
      const shown = items.slice(0, MAX_FACETS);
      if (label && !shown.some((f) => f.label.toLowerCase() === label.toLowerCase())) {
        const found = items.find((f) => f.label.toLowerCase() === label.toLowerCase());
        shown.unshift(found || { label, count: 0 });
      }
      if (shown.length) facets.replaceChildren(h('span', { class: 'facets-title' }, 'Labels'), labelChips(shown, { q, active: label }));
      pickLabel.hidden = shown.length === 0;
    })
    .catch(() => {});
  const named = people.items.filter((p) => p.name).slice(0, MAX_PEOPLE_FACETS);
  if (chosen && !named.includes(chosen)) named.unshift(chosen);
  if (named.length) peopleFacets.replaceChildren(h('span', { class: 'facets-title' }, 'People'), peopleChips(named, { q, label, active: person }));

  const placesPromise = api
    .places({ signal })
    .then(({ items }) => {
      const shown = items.slice(0, MAX_FACETS);
      if (shown.length) places.replaceChildren(h('span', { class: 'facets-title' }, 'Places'), placeChips(shown, { q }));
    })
    .catch(() => {});

  if (!what) {
    summary.textContent = 'Type words in the search box, or pick a label or a place.';
    await Promise.all([labelsPromise, placesPromise]);
    return () => {
      bar.cleanup();
      more.disconnect();
      grid.destroy();
    };
  }
  const [first] = await Promise.all([api.search({ q, label, person, signal }), labelsPromise, placesPromise]);
  cursor = first.cursor;
  partial.hidden = !first.partial;
  addHits(first.items);
  more.setDone(!cursor);
  provideList(gridList(grid, more));
  return () => {
    bar.cleanup();
    more.disconnect();
    grid.destroy();
  };
}
