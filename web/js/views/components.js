// Pieces several pages share: status badges, match reasons, label chips, the infinite-scroll pager, and the
// list a page hands the viewer.

import { formatPercent, h } from '../dom.js';
import { STATUS_TEXT } from '../photos.js';
import { searchPath } from '../routes.js';

export function statusBadge(status) {
  return h('span', { class: ['badge', `badge-${status.toLowerCase()}`], testid: 'status', 'data-status': status }, STATUS_TEXT[status] || status);
}

/** Why a SearchHit matched: "matched label 'dog' 97%" per word (term highlighted), and "looks like what you
 * described" with its similarity when it was found by meaning. */
export function matchReasons(matches, similarity = null) {
  if (matches.length === 0 && similarity === null) return null;
  const items = matches.map((m) =>
    h(
      'li',
      { class: 'reason', testid: 'match-reason', 'data-field': m.field, 'data-term': m.term },
      `matched ${m.field} '`,
      h('mark', {}, m.term),
      `' ${formatPercent(m.confidence)}`,
    ),
  );
  if (similarity !== null) {
    items.push(h('li', { class: 'reason', testid: 'match-reason', 'data-field': 'similar' }, `looks like what you described (${similarity.toFixed(2)})`));
  }
  return h('ul', { class: 'reasons', testid: 'match-reasons', 'aria-label': 'Why this matched' }, items);
}

/**
 * The PlaceList facets ({place, count}) as links to a search for the place (its city, region or country name):
 * the chip of the place searched for is the active one.
 */
export function placeChips(facets, { q = '' } = {}) {
  if (!facets.length) return null;
  const folded = (text) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
  return h(
    'ul',
    { class: 'chips', 'aria-label': 'Places' },
    facets.map(({ place, count }) => {
      const on = folded(q) === folded(place);
      return h(
        'li',
        {},
        h(
          'a',
          {
            class: ['chip', on && 'chip-active'],
            href: on ? searchPath('') : searchPath(place),
            'data-link': true,
            testid: 'place-facet',
            'data-place': place,
            'aria-current': on ? 'true' : null,
            title: on ? 'Clear the search' : `Photos taken in ${place}`,
          },
          place,
          h('span', { class: 'chip-count', 'aria-label': `${count} photos` }, String(count)),
        ),
      );
    }),
  );
}

/**
 * The LabelList facets ({label, count}) as links to the search page: a chip narrows the current words `q` to that
 * label (or, when it is the active one, takes it off again).
 */
export function labelChips(facets, { q = '', active = null, testid = 'facet' } = {}) {
  if (!facets.length) return null;
  return h(
    'ul',
    { class: 'chips', 'aria-label': 'Labels' },
    facets.map(({ label, count }) => {
      const on = active !== null && label.toLowerCase() === active.toLowerCase();
      return h(
        'li',
        {},
        h(
          'a',
          {
            class: ['chip', on && 'chip-active'],
            href: on ? searchPath(q) : searchPath(q, label),
            'data-link': true,
            testid,
            'data-label': label,
            'aria-current': on ? 'true' : null,
            title: on ? `Stop narrowing to ${label}` : q ? `Only “${q}” photos labelled ${label}` : `Photos labelled ${label}`,
          },
          label,
          h('span', { class: 'chip-count', 'aria-label': `${count} photos` }, String(count)),
        ),
      );
    }),
  );
}

/**
 * Infinite scroll: call `loadMore()` whenever the sentinel comes into view and more pages exist. A visible
 * "Load more" button does the same for keyboard users and browsers without IntersectionObserver.
 */
export function pager(loadMore) {
  const button = h('button', { type: 'button', class: 'btn btn-ghost', testid: 'load-more' }, 'Load more');
  const status = h('p', { class: 'muted pager-status', role: 'status' });
  const sentinel = h('div', { class: 'pager', testid: 'pager' }, status, button);
  let busy = null;
  let done = true; // nothing to load until the page says a cursor exists (setDone(false))
  let observer = null;
  button.hidden = true;

  function trigger() {
    if (busy) return busy;
    if (done) return Promise.resolve();
    busy = run();
    return busy;
  }

  async function run() {
    button.disabled = true;
    status.textContent = 'Loading…';
    try {
      const more = await loadMore();
      done = !more;
      status.textContent = '';
    } catch (err) {
      if (err.name !== 'AbortError') status.textContent = err.message || 'Could not load more photos.';
    } finally {
      busy = null;
      button.disabled = false;
      button.hidden = done;
      if (done) observer?.disconnect();
    }
    // The first pages may not fill a tall screen: keep going while the sentinel is still visible.
    if (!done && sentinel.isConnected && sentinel.getBoundingClientRect().top < window.innerHeight + 400) setTimeout(trigger, 0);
  }

  button.addEventListener('click', trigger);
  return {
    element: sentinel,
    setDone(value) {
      done = value;
      button.hidden = value;
      observer?.disconnect();
      observer = null;
      if (!value && 'IntersectionObserver' in window) {
        observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && trigger(), { rootMargin: '600px 0px' });
        observer.observe(sentinel);
      }
    },
    trigger,
    isDone: () => done,
    disconnect: () => observer?.disconnect(),
  };
}

/** What a list page offers the viewer (web/js/views/viewer.js) about its PhotoGrid and pager. */
export function gridList(grid, more) {
  return {
    order: () => grid.order(),
    photo: (id) => grid.photo(id),
    hasMore: () => !more.isDone(),
    async loadMore() {
      const before = grid.size;
      await more.trigger();
      return grid.size > before;
    },
    setFavorite: (id, on) => grid.setFavorite(id, on),
    remove: (ids) => grid.remove(ids),
    focusPhoto: (id) => grid.focusPhoto(id),
  };
}
