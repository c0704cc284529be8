// A selection of photos across a list (timeline, album, search results, trash): toggle one, extend a range with
// shift from the last one touched, clear. Pure (no DOM), so node --test covers it (tests/js/selection.test.js).
// The list's order is passed in at each range so pages loaded later take part.

export class Selection extends EventTarget {
  constructor() {
    super();
    this.ids = new Set();
    this.anchor = null;
  }

  get size() {
    return this.ids.size;
  }

  get active() {
    return this.ids.size > 0;
  }

  has(id) {
    return this.ids.has(id);
  }

  /** The selected ids in list order (ids no longer in the list go last). */
  ordered(order = []) {
    const inList = order.filter((id) => this.ids.has(id));
    const seen = new Set(inList);
    return [...inList, ...[...this.ids].filter((id) => !seen.has(id))];
  }

  toggle(id) {
    if (this.ids.has(id)) this.ids.delete(id);
    else this.ids.add(id);
    this.anchor = id;
    this.changed();
  }

  /**
   * Shift-click: every photo between the anchor (the last one toggled) and `id`, in `order`, takes the anchor's
   * state — selected if the anchor is selected (the usual case), cleared if it was just unselected. Without an
   * anchor in the list, it is a plain toggle.
   */
  extendTo(id, order) {
    const from = this.anchor === null ? -1 : order.indexOf(this.anchor);
    const to = order.indexOf(id);
    if (from < 0 || to < 0) {
      this.toggle(id);
      return;
    }
    const select = this.ids.has(this.anchor);
    const [lo, hi] = from < to ? [from, to] : [to, from];
    for (const each of order.slice(lo, hi + 1)) {
      if (select) this.ids.add(each);
      else this.ids.delete(each);
    }
    this.anchor = id;
    this.changed();
  }

  setMany(ids, selected = true) {
    for (const id of ids) {
      if (selected) this.ids.add(id);
      else this.ids.delete(id);
    }
    this.changed();
  }

  clear() {
    if (this.ids.size === 0 && this.anchor === null) return;
    this.ids.clear();
    this.anchor = null;
    this.changed();
  }

  changed() {
    this.dispatchEvent(new Event('change'));
  }
}

/** Split a list into chunks of at most `size` (the API takes at most 100 ids per call). */
export function chunk(items, size = 100) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Run `fn(chunk)` over the chunks one after another (each call is bounded and idempotent per photo, so a failed
 * chunk can simply be sent again), reporting progress as {done, total} ids. Returns the results in order. Stops at
 * the first error, which is re-thrown with `done` (how many ids were finished) attached.
 */
export async function runInChunks(items, fn, { size = 100, onProgress = () => {} } = {}) {
  const results = [];
  let done = 0;
  onProgress({ done, total: items.length });
  for (const part of chunk(items, size)) {
    try {
      results.push(await fn(part));
    } catch (err) {
      err.done = done;
      throw err;
    }
    done += part.length;
    onProgress({ done, total: items.length });
  }
  return results;
}
