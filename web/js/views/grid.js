// The photo grid every list page shares (timeline, favourites, album, search, trash): square tiles in day or month
// sections, a favourite heart and a select check on each tile, selection by click in selection mode, shift-click
// ranges and long-press on touch, and self-renewing thumbnails. It also answers the viewer's questions about the
// list (which photo comes next, load more, focus a tile on return).

import { api } from '../api.js';
import { h, icon, toast } from '../dom.js';
import { photoImage } from '../media.js';
import { photoPath } from '../routes.js';
import { appendToSections, headerLabel, localDay, prependToSections, sectionKey } from '../timeline.js';

const LONG_PRESS_MS = 500;
const LONG_PRESS_SLOP_PX = 10;

/** Sorts like the timeline (newest first by day, then time taken or uploaded, then id). */
function timelineKey(photo) {
  return `${photo.day}|${(photo.taken_at || photo.uploaded_at).slice(0, 19)}|${photo.id}`;
}

function tileLabel(photo) {
  return photo.caption || photo.filename;
}

export class PhotoGrid {
  /**
   * granularity: 'day' | 'month' | null (one flat grid, the order the API gave).
   * selection: a Selection (web/js/selection.js) or null when the page has no bulk actions.
   * tileExtra(photo): optional element under a tile (search's match reasons, trash's days left).
   * favorites: show the heart. label: the grid's accessible name.
   */
  constructor({ granularity = 'day', selection = null, tileExtra = null, favorites = true, label = 'Photos', testid = 'photo-grid', variant = '' } = {}) {
    this.granularity = granularity;
    this.selection = selection;
    this.tileExtra = tileExtra;
    this.favorites = favorites;
    this.sections = [];
    this.sectionEls = new Map(); // key -> {section, list}
    this.tiles = new Map(); // id -> li
    this.photos = new Map(); // id -> PhotoSummary
    this.today = localDay();
    this.element = h('div', { class: ['photo-grid', variant && `photo-grid-${variant}`], testid, 'aria-label': label, role: 'region' });
    this.flat = null;
    if (!granularity) {
      this.flat = h('ul', { class: 'grid', 'aria-label': label });
      this.element.append(this.flat);
    }
    this.suppressClick = null;
    if (selection) {
      this.onSelection = () => this.paintSelection();
      selection.addEventListener('change', this.onSelection);
    }
  }

  get size() {
    return this.photos.size;
  }

  /** The photo ids in display order. */
  order() {
    return [...this.element.querySelectorAll('.tile')].map((tile) => tile.dataset.photoId);
  }

  photo(id) {
    return this.photos.get(id) || null;
  }

  /** Add a page of photos after those shown (already in display order). */
  append(photos) {
    const fresh = photos.filter((p) => !this.photos.has(p.id));
    if (this.flat) {
      this.flat.append(...fresh.map((p) => this.tile(p)));
      return;
    }
    for (const touched of appendToSections(this.sections, fresh, this.granularity)) {
      const { list } = touched.created ? this.sectionEl(touched.key, 'end') : this.sectionEls.get(touched.key);
      list.append(...touched.items.map((p) => this.tile(p)));
    }
  }

  /** Put photos (in display order) in front of those shown: newer ones, after a jump into the past. */
  prepend(photos) {
    const fresh = photos.filter((p) => !this.photos.has(p.id));
    if (this.flat) {
      this.flat.prepend(...fresh.map((p) => this.tile(p)));
      return;
    }
    const touched = prependToSections(this.sections, fresh, this.granularity);
    // Created sections come first, in display order: insert them from the last one up.
    for (const each of [...touched].reverse()) {
      if (each.created) this.sectionEl(each.key, 'start').list.append(...each.items.map((p) => this.tile(p)));
      else this.sectionEls.get(each.key).list.prepend(...each.items.map((p) => this.tile(p)));
    }
  }

  /**
   * Put one photo where the timeline's order puts it (newest first): a photo that just finished processing. A
   * photo older than everything loaded is left for the pages still to come (`hasMore`). Returns true if shown.
   */
  insert(photo, { hasMore = false } = {}) {
    if (this.photos.has(photo.id)) return false;
    const key = timelineKey(photo);
    const before = this.order().find((id) => timelineKey(this.photos.get(id)) < key) || null;
    if (!before && hasMore) return false;
    const tile = this.tile(photo);
    const beforeTile = before ? this.tiles.get(before) : null;
    if (this.flat) {
      this.flat.insertBefore(tile, beforeTile);
      return true;
    }
    const day = sectionKey(photo, this.granularity);
    let entry = this.sectionEls.get(day);
    if (!entry) {
      const nextSection = beforeTile ? beforeTile.closest('.grid-section') : null;
      entry = this.sectionEl(day, 'end');
      this.element.insertBefore(entry.section, nextSection);
      const at = nextSection ? this.sections.findIndex((s) => s.key === nextSection.dataset.key) : this.sections.length;
      this.sections.splice(at, 0, { key: day, items: [] });
    }
    const model = this.sections.find((s) => s.key === day);
    const sameSection = beforeTile && beforeTile.closest('.grid-section') === entry.section;
    entry.list.insertBefore(tile, sameSection ? beforeTile : null);
    model.items.splice(sameSection ? model.items.findIndex((p) => p.id === before) : model.items.length, 0, photo);
    return true;
  }

  sectionEl(key, where) {
    const id = `sec-${key}`;
    const list = h('ul', { class: 'grid', 'aria-labelledby': id });
    const full = headerLabel(key, { today: this.today });
    const short = headerLabel(key, { today: this.today, weekday: false });
    // A day with one photo is one tile wide: its header drops the weekday there (styles.css) rather than be cut.
    const label = full === short ? full : [h('span', { class: 'head-full' }, full), h('span', { class: 'head-short' }, short)];
    const header = h('h2', { class: 'section-head', id, testid: 'section-header', 'data-key': key, title: full }, label);
    const section = h('section', { class: 'grid-section', 'data-key': key }, header, list);
    if (where === 'start') this.element.prepend(section);
    else this.element.append(section);
    const entry = { section, list };
    this.sectionEls.set(key, entry);
    return entry;
  }

  /** Take photos off the grid (trashed, restored, removed from the album). */
  remove(ids) {
    for (const id of ids) {
      const tile = this.tiles.get(id);
      if (!tile) continue;
      tile.querySelector('img')?.untrack?.();
      tile.remove();
      this.tiles.delete(id);
      this.photos.delete(id);
      for (const section of this.sections) {
        const at = section.items.findIndex((p) => p.id === id);
        if (at >= 0) section.items.splice(at, 1);
      }
    }
    for (const [key, { section }] of this.sectionEls) {
      if (!section.querySelector('.tile')) {
        section.remove();
        this.sectionEls.delete(key);
        this.sections = this.sections.filter((s) => s.key !== key);
      }
    }
    this.selection?.setMany(ids, false);
  }

  clear() {
    this.remove([...this.tiles.keys()]);
    this.element.replaceChildren(...(this.flat ? [this.flat] : []));
    this.sections = [];
    this.sectionEls.clear();
  }

  /** The photo's tile, or null. */
  tileOf(id) {
    return this.tiles.get(id) || null;
  }

  /** Scroll a tile into view if it is not, and focus it (return from the viewer). */
  focusPhoto(id) {
    const tile = this.tiles.get(id);
    if (!tile) return false;
    const box = tile.getBoundingClientRect();
    const topbar = document.querySelector('.topbar')?.getBoundingClientRect().bottom || 0;
    if (box.top < topbar || box.bottom > window.innerHeight) tile.scrollIntoView({ block: 'center' });
    tile.querySelector('.tile-link').focus({ preventScroll: true });
    return true;
  }

  /** Reflect a changed favourite (from the viewer or a bulk action). */
  setFavorite(id, on) {
    const photo = this.photos.get(id);
    if (photo) photo.favorite = on;
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.dataset.favorite = String(on);
    const heart = tile.querySelector('.tile-fav');
    if (heart) {
      heart.setAttribute('aria-pressed', String(on));
      heart.setAttribute('aria-label', on ? `Remove ${tileLabel(photo)} from favourites` : `Add ${tileLabel(photo)} to favourites`);
    }
  }

  paintSelection() {
    const on = this.selection.active;
    this.element.classList.toggle('selecting', on);
    for (const [id, tile] of this.tiles) {
      const selected = this.selection.has(id);
      tile.classList.toggle('tile-selected', selected);
      tile.querySelector('.tile-check')?.setAttribute('aria-checked', String(selected));
    }
  }

  tile(photo) {
    const { id } = photo;
    this.photos.set(id, photo);
    const label = tileLabel(photo);
    const img = photo.urls.thumb
      ? photoImage(photo, 'thumb', { alt: label, loading: 'lazy', decoding: 'async', class: 'tile-img', draggable: 'false' })
      : h('div', { class: 'thumb-placeholder', role: 'img', 'aria-label': label }, icon('alert'));
    const link = h('a', { href: photoPath(id), 'data-link': true, class: 'tile-link', 'aria-label': label, draggable: 'false' }, img);
    const tile = h('li', { class: 'tile', testid: 'photo-card', 'data-photo-id': id, 'data-favorite': String(Boolean(photo.favorite)) }, link);
    if (this.selection) {
      const check = h(
        'button',
        { type: 'button', class: 'tile-check', role: 'checkbox', 'aria-checked': String(this.selection.has(id)), 'aria-label': `Select ${label}`, testid: 'select-photo' },
        icon('check'),
      );
      check.addEventListener('click', (event) => {
        event.preventDefault();
        if (event.shiftKey) this.selection.extendTo(id, this.order());
        else this.selection.toggle(id);
      });
      tile.append(check);
      link.addEventListener('click', (event) => {
        if (this.suppressClick === id) {
          this.suppressClick = null;
          event.preventDefault();
          event.stopPropagation();
          return;
        }
        if (!this.selection.active) return;
        // In selection mode a click on a tile selects it instead of opening it.
        event.preventDefault();
        event.stopPropagation();
        if (event.shiftKey) this.selection.extendTo(id, this.order());
        else this.selection.toggle(id);
      });
      this.longPress(link, id);
      if (this.selection.has(id)) tile.classList.add('tile-selected');
    }
    if (this.favorites) {
      const heart = h('button', { type: 'button', class: 'tile-fav', 'aria-pressed': 'false', testid: 'favorite-toggle' }, icon('heart'));
      heart.addEventListener('click', (event) => {
        event.preventDefault();
        this.toggleFavorite(id);
      });
      tile.append(heart);
    }
    const extra = this.tileExtra?.(photo);
    if (extra) tile.append(h('div', { class: 'tile-extra' }, extra));
    this.tiles.set(id, tile);
    if (this.favorites) this.setFavorite(id, Boolean(photo.favorite));
    if (this.selection?.has(id)) tile.querySelector('.tile-check').setAttribute('aria-checked', 'true');
    return tile;
  }

  async toggleFavorite(id) {
    const photo = this.photos.get(id);
    const on = !photo.favorite;
    this.setFavorite(id, on);
    try {
      await api.setFavorite(id, on);
      this.element.dispatchEvent(new CustomEvent('pv:favorite', { detail: { id, favorite: on } }));
    } catch (err) {
      this.setFavorite(id, !on);
      toast(err.message, 'error');
    }
  }

  /** Touch: holding a tile starts selection with it (the click that follows the press is swallowed). */
  longPress(link, id) {
    let timer = null;
    let start = null;
    const cancel = () => {
      clearTimeout(timer);
      timer = null;
    };
    link.addEventListener('pointerdown', (event) => {
      if (event.pointerType !== 'touch') return;
      start = { x: event.clientX, y: event.clientY };
      timer = setTimeout(() => {
        timer = null;
        this.suppressClick = id;
        if (!this.selection.has(id)) this.selection.toggle(id);
        navigator.vibrate?.(20);
      }, LONG_PRESS_MS);
    });
    link.addEventListener('pointermove', (event) => {
      if (timer && Math.hypot(event.clientX - start.x, event.clientY - start.y) > LONG_PRESS_SLOP_PX) cancel();
    });
    link.addEventListener('pointerup', cancel);
    link.addEventListener('pointercancel', cancel);
    // The long press's own context menu (image menu on Android) would hide the selection.
    link.addEventListener('contextmenu', (event) => {
      if (this.suppressClick === id || timer) event.preventDefault();
    });
  }

  destroy() {
    for (const tile of this.tiles.values()) tile.querySelector('img')?.untrack?.();
    if (this.selection) this.selection.removeEventListener('change', this.onSelection);
  }
}
