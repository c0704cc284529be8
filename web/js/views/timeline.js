// The timeline (/) and its favourites filter (/favorites): READY photos by date taken, newest first, under day
// or month headers, with infinite scroll on the API's cursor, a date scrubber (/?to=YYYY-MM-DD jumps to the photos
// up to that day, with the newer ones a button away), selection with bulk actions, and photos that finish
// processing appearing in place. Nothing that is not READY is ever here (the API's timeline holds only those).

import { api } from '../api.js';
import { h, icon } from '../dom.js';
import { Selection } from '../selection.js';
import { addDays, jumpRange, monthName, scrubberYears } from '../timeline.js';
import { addToAlbumAction, downloadAction, favoriteAction, trashAction } from './actions.js';
import { gridList, pager } from './components.js';
import { PhotoGrid } from './grid.js';
import { selectionBar } from './selection-bar.js';

const PAGE_SIZE = 60;
const GRANULARITY_KEY = 'photovault.timeline.granularity';
const MONTHS_REFRESH_MS = 1500;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function savedGranularity() {
  try {
    return localStorage.getItem(GRANULARITY_KEY) === 'month' ? 'month' : 'day';
  } catch {
    return 'day';
  }
}

function filterTabs(favorites) {
  const tab = (href, label, on, testid) => h('a', { href, 'data-link': true, class: ['tab', on && 'tab-active'], 'aria-current': on ? 'page' : null, testid }, label);
  return h('nav', { class: 'tabs', 'aria-label': 'Show' }, tab('/', 'All photos', !favorites, 'filter-all'), tab('/favorites', 'Favourites', favorites, 'filter-favorites'));
}

function granularityToggle(current, onChange) {
  const make = (value, label) => {
    const b = h('button', { type: 'button', class: ['seg', current === value && 'seg-active'], 'aria-pressed': String(current === value), testid: `granularity-${value}` }, label);
    b.addEventListener('click', () => onChange(value));
    return b;
  };
  return h('div', { class: 'segmented', role: 'group', 'aria-label': 'Group by' }, make('day', 'Days'), make('month', 'Months'));
}

/** The scrubber: every year and month that has photos (GET /photos/dates), each a link that jumps there. */
function scrubber(months, activeTo) {
  const years = scrubberYears(months);
  const toggle = h('button', { type: 'button', class: 'btn btn-ghost btn-sm scrubber-toggle', 'aria-expanded': 'false', 'aria-controls': 'scrubber-list', testid: 'scrubber-toggle' }, icon('calendar'), h('span', {}, 'Jump to date'));
  const list = h(
    'ol',
    { class: 'scrubber-years', id: 'scrubber-list' },
    years.map((year) =>
      h(
        'li',
        { class: 'scrubber-year', 'data-year': year.year },
        h('a', { href: `/?to=${jumpRange(year.year).to}`, 'data-link': true, class: 'scrubber-year-link', testid: 'scrubber-year', 'aria-label': `${year.year}, ${year.count} ${year.count === 1 ? 'photo' : 'photos'}` }, year.year),
        h(
          'ol',
          { class: 'scrubber-months' },
          year.months.map((month) =>
            h(
              'li',
              {},
              h(
                'a',
                {
                  href: `/?to=${jumpRange(month.key).to}`,
                  'data-link': true,
                  class: 'scrubber-month',
                  testid: 'scrubber-month',
                  'data-month': month.key,
                  'aria-label': `${monthName(month.key, { style: 'long' })} ${year.year}, ${month.count} ${month.count === 1 ? 'photo' : 'photos'}`,
                  'aria-current': activeTo && jumpRange(month.key).to === activeTo ? 'true' : null,
                },
                monthName(month.key),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  const element = h('nav', { class: 'scrubber', 'aria-label': 'Jump to a date', testid: 'scrubber' }, toggle, list);
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    element.classList.toggle('scrubber-open', open);
    if (open) list.querySelector('a')?.focus();
  });
  element.addEventListener('keydown', (event) => {
    // Up/down walk the months like a list; Escape folds the phone popover.
    const links = [...list.querySelectorAll('a')];
    const at = links.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (at < 0) return;
      event.preventDefault();
      links[Math.max(0, Math.min(links.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)))].focus();
    } else if (event.key === 'Escape' && element.classList.contains('scrubber-open')) {
      event.preventDefault();
      toggle.click();
      toggle.focus();
    }
  });
  /** Light the month of the photos at the top of the screen. */
  const mark = (month) => {
    for (const link of list.querySelectorAll('.scrubber-month')) link.classList.toggle('scrubber-here', link.dataset.month === month);
  };
  return { element, mark };
}

/** The note above the grid: uploads that are not in the timeline and not moving any more (refused, duplicates, failures). */
function showAttention(note, page) {
  const stuck = page ? page.items.filter((p) => p.status !== 'PENDING' && p.status !== 'PROCESSING').length : 0;
  if (!stuck) return;
  note.hidden = false;
  note.replaceChildren(icon('attention'), `${stuck}${page.cursor ? '+' : ''} ${stuck === 1 ? 'upload needs' : 'uploads need'} your attention — duplicates, refused or failed files`);
}

export async function renderTimeline(main, { favorites, query, signal, provideList, navigate }) {
  const to = !favorites && DAY.test(query.get('to') || '') ? query.get('to') : null;
  const granularity = savedGranularity();
  const selection = new Selection();
  const grid = new PhotoGrid({ granularity, selection, label: favorites ? 'Favourite photos' : 'Your photos', testid: 'timeline' });
  const empty = h(
    'div',
    { class: 'empty-state card', testid: 'gallery-empty', hidden: true },
    h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, icon(favorites ? 'heart' : 'upload')),
    h('h2', {}, favorites ? 'No favourites yet' : 'No photos yet'),
    h('p', { class: 'muted' }, favorites ? 'Tap the heart on a photo to keep it here.' : 'Choose Upload or drop photos anywhere on this page. Each one is checked, labelled and captioned within seconds.'),
    favorites ? null : h('button', { type: 'button', class: 'btn btn-primary', testid: 'empty-upload', on: { click: () => document.getElementById('file-input').click() } }, icon('upload'), 'Upload photos'),
  );
  const attention = h('a', { href: '/attention', 'data-link': true, class: 'attention-note', testid: 'attention-note', hidden: true });

  let cursor = null;
  const more = pager(async () => {
    const result = await api.listPhotos({ cursor, limit: PAGE_SIZE, to, favorite: favorites, signal });
    grid.append(result.items);
    cursor = result.cursor;
    return Boolean(cursor);
  });

  // After a jump, the newer photos above come a page at a time, oldest first.
  let newerCursor = null;
  let newerDone = !to;
  const newerBtn = h('button', { type: 'button', class: 'btn btn-ghost newer', testid: 'load-newer', hidden: !to }, 'Show newer photos');
  newerBtn.addEventListener('click', async () => {
    newerBtn.disabled = true;
    try {
      const page = await api.listPhotos({ order: 'taken_asc', from: addDays(to, 1), cursor: newerCursor, limit: PAGE_SIZE, signal });
      grid.prepend([...page.items].reverse());
      newerCursor = page.cursor;
      newerDone = !page.cursor;
      newerBtn.hidden = newerDone;
    } finally {
      newerBtn.disabled = false;
    }
  });

  const bar = selectionBar({
    selection,
    order: () => grid.order(),
    actions: [favoriteAction({ grid, selection }), addToAlbumAction({ selection }), downloadAction(), trashAction({ grid })],
  });

  const head = h(
    'div',
    { class: 'page-head' },
    h('h1', {}, favorites ? 'Favourites' : 'Photos'),
    h('div', { class: 'head-tools' }, filterTabs(favorites), granularityToggle(granularity, (value) => {
      try {
        localStorage.setItem(GRANULARITY_KEY, value);
      } catch {
        /* the choice lasts this page only */
      }
      navigate(location.pathname + location.search, { replace: true });
    })),
  );
  const jumpNote = to
    ? h('p', { class: 'jump-note muted', testid: 'jump-note' }, `Photos up to ${new Date(`${to}T12:00:00`).toLocaleDateString(undefined, { dateStyle: 'long' })} · `, h('a', { href: '/', 'data-link': true }, 'Back to the newest'))
    : null;
  const content = h('div', { class: 'timeline-main' }, jumpNote, newerBtn, grid.element, empty, more.element);
  const layout = h('div', { class: 'timeline-layout' }, content);
  main.append(h('div', { class: 'page' }, head, attention, layout), bar.element);

  // The attention note is asked for with the first page and shown with it: arriving later, it pushed the grid down
  // under a finger about to tap a photo.
  const [first, months, waiting] = await Promise.all([
    api.listPhotos({ limit: PAGE_SIZE, to, favorite: favorites, signal }),
    favorites ? null : api.months({ signal }),
    api.attention({ limit: 100, signal }).catch(() => null),
  ]);
  showAttention(attention, waiting);
  grid.append(first.items);
  cursor = first.cursor;
  more.setDone(!cursor);
  empty.hidden = grid.size > 0 || Boolean(to);
  provideList(gridList(grid, more));

  let scrub = null;
  const onScroll = () => {
    if (!scrub || onScroll.ticking) return;
    onScroll.ticking = true;
    requestAnimationFrame(() => {
      onScroll.ticking = false;
      const top = document.querySelector('.topbar')?.getBoundingClientRect().bottom || 0;
      const section = [...grid.element.querySelectorAll('.grid-section')].find((s) => s.getBoundingClientRect().bottom > top + 8);
      if (section) scrub?.mark(section.dataset.key.slice(0, 7));
    });
  };
  const paintScrubber = (items) => {
    scrub?.element.remove();
    scrub = items.length > 1 ? scrubber(items, to) : null;
    if (scrub) layout.append(scrub.element);
    onScroll();
  };
  if (months) {
    paintScrubber(months.items);
    window.addEventListener('scroll', onScroll, { passive: true });
  }
  // Photos arriving while the page is open (uploads finishing) may bring new months: asked again once they settle.
  let monthsTimer = null;
  const refreshMonths = () => {
    clearTimeout(monthsTimer);
    monthsTimer = setTimeout(() => {
      api
        .months({ signal })
        .then((fresh) => paintScrubber(fresh.items))
        .catch(() => {});
    }, MONTHS_REFRESH_MS);
  };

  // A photo that finishes processing while the page is open takes its place in the timeline.
  const onReady = (event) => {
    if (to || favorites) return;
    const photo = { ...event.detail, urls: { ...event.detail.urls, original: null } };
    if (grid.insert(photo, { hasMore: Boolean(cursor) })) empty.hidden = true;
    if (months) refreshMonths();
  };
  window.addEventListener('pv:photo-ready', onReady);

  return () => {
    window.removeEventListener('pv:photo-ready', onReady);
    clearTimeout(monthsTimer);
    window.removeEventListener('scroll', onScroll);
    bar.cleanup();
    more.disconnect();
    grid.destroy();
  };
}
