// Pieces several pages share: photo cards, status badges, label chips, the infinite-scroll pager.

import { captionOf, mediaUrl } from '../api.js';
import { formatPercent, h, icon } from '../dom.js';

export const STATUS_TEXT = {
  PENDING: 'Waiting',
  PROCESSING: 'Processing',
  READY: 'Ready',
  REJECTED: 'Rejected',
  QUARANTINED: 'Quarantined',
  DUPLICATE: 'Duplicate',
  queued: 'Queued',
  uploading: 'Uploading',
  processing: 'Processing',
  failed: 'Failed',
};

export function statusBadge(status) {
  const key = String(status || 'PENDING');
  return h('span', { class: ['badge', `badge-${key.toLowerCase()}`], testid: 'status', 'data-status': key }, STATUS_TEXT[key] || key);
}

/** A gallery/search tile linking to the photo page; `extra` renders below the image (search reasons). */
export function photoCard(photo, extra = null) {
  const id = photo.photo_id || photo.id;
  const thumb = mediaUrl(photo, 'thumb');
  const caption = captionOf(photo).text;
  const name = photo.filename || 'Photo';
  const status = photo.status || 'READY';
  const media = thumb
    ? h('img', { src: thumb, alt: caption || name, loading: 'lazy', decoding: 'async', width: 320, height: 320 })
    : h('div', { class: 'thumb-placeholder', 'aria-hidden': 'true' }, icon(status === 'READY' ? 'image' : 'alert'));
  if (thumb) {
    // A signed URL that expired while the page stayed open: show the placeholder instead of a broken image.
    media.addEventListener('error', () => media.replaceWith(h('div', { class: 'thumb-placeholder', 'aria-hidden': 'true' }, icon('image'))), { once: true });
  }
  return h(
    'li',
    { class: 'tile', testid: 'photo-card', 'data-photo-id': id, 'data-status': status },
    h(
      'a',
      { href: `/photos/${encodeURIComponent(id)}`, 'data-link': true, class: 'tile-link', 'aria-label': `${caption || name}${status !== 'READY' ? ` (${STATUS_TEXT[status] || status})` : ''}` },
      h('div', { class: 'tile-media' }, media, status !== 'READY' ? h('div', { class: 'tile-status' }, statusBadge(status)) : null),
      caption || photo.filename ? h('div', { class: 'tile-caption' }, caption || name) : null,
    ),
    extra,
  );
}

/** "matched label 'dog' 97%" with the term highlighted. */
export function matchReasons(matched) {
  if (!Array.isArray(matched) || matched.length === 0) return null;
  return h(
    'ul',
    { class: 'reasons', testid: 'match-reasons', 'aria-label': 'Why this matched' },
    matched.map((m) => {
      const field = m.field || 'label';
      const pct = m.confidence === null || m.confidence === undefined ? '' : ` ${formatPercent(m.confidence)}`;
      return h(
        'li',
        { class: 'reason', testid: 'match-reason', 'data-field': field, 'data-term': m.term },
        `matched ${field} '`,
        h('mark', {}, m.value || m.term),
        `'${pct}`,
      );
    }),
  );
}

export function labelChips(labels, { activeTerms = [], testid = 'facet' } = {}) {
  if (!labels.length) return null;
  const active = new Set(activeTerms.map((t) => t.toLowerCase()));
  return h(
    'ul',
    { class: 'chips', 'aria-label': 'Labels' },
    labels.map((label) =>
      h(
        'li',
        {},
        h(
          'a',
          {
            class: ['chip', active.has(label.name.toLowerCase()) && 'chip-active'],
            href: `/search?q=${encodeURIComponent(label.name)}`,
            'data-link': true,
            testid,
            'data-label': label.name,
            'aria-current': active.has(label.name.toLowerCase()) ? 'true' : null,
          },
          label.name,
          label.count !== null && label.count !== undefined ? h('span', { class: 'chip-count', 'aria-label': `${label.count} photos` }, String(label.count)) : null,
        ),
      ),
    ),
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
  let busy = false;
  let done = true; // nothing to load until the page says a cursor exists (setDone(false))
  let observer = null;
  button.hidden = true;

  async function trigger() {
    if (busy || done) return;
    busy = true;
    button.disabled = true;
    status.textContent = 'Loading…';
    try {
      const more = await loadMore();
      done = !more;
      status.textContent = '';
    } catch (err) {
      if (err.name !== 'AbortError') status.textContent = err.message || 'Could not load more photos.';
    } finally {
      busy = false;
      button.disabled = false;
      button.hidden = done;
      if (done) observer?.disconnect();
    }
    // The first pages may not fill a tall screen: keep going while the sentinel is still visible.
    if (!done && sentinel.isConnected && sentinel.getBoundingClientRect().top < window.innerHeight + 400) trigger();
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
    disconnect: () => observer?.disconnect(),
  };
}
