// Signed media URLs expire (MediaUrls.expires_at, epoch seconds). A page left open must keep every image working,
// so each shown photo's URLs are tracked here and renewed — in batches of at most 100 ids — a margin before they
// expire, and at once when an image fails to load (a URL that expired while the tab slept, or a clock that is
// off). No DOM and no network here: `fetchUrls(ids)` answers a Map of id → MediaUrls, and each tracked photo's
// `apply(urls)` puts the new ones in place (false when its element is gone, which untracks it). The clock and the
// timers are injected, so node --test drives time (tests/js/renewal.test.js).

export const MAX_IDS_PER_CALL = 100;
const MIN_MARGIN_S = 5;
const MAX_MARGIN_S = 120;
const RETRY_AFTER_S = 5;
const ERROR_BATCH_MS = 50;
const ERROR_RENEW_COOLDOWN_S = 10;

/**
 * How long before `expiresAt` to renew: a third of the URL's lifetime, between 5 s and 2 min (a 600 s URL is
 * renewed 2 min early; a 30 s one 10 s early — room for a slow network or a busy tab).
 */
export function renewalMargin(lifetimeSeconds) {
  return Math.max(MIN_MARGIN_S, Math.min(MAX_MARGIN_S, Math.round(lifetimeSeconds / 3)));
}

export class UrlRenewer {
  // The timers are wrapped: a browser's setTimeout called as this object's method throws "Illegal invocation".
  constructor({ fetchUrls, now = () => Date.now() / 1000, setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (id) => clearTimeout(id), onError = () => {} }) {
    this.fetchUrls = fetchUrls;
    this.now = now;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.onError = onError;
    this.tracked = new Map(); // id -> {expiresAt, margin, renewAt, appliers}
    this.timer = null;
    this.timerAt = null;
    this.inflight = null;
    this.errorIds = new Set();
    this.errorTimer = null;
    this.lastErrorRenewal = new Map(); // id -> when it was last renewed because an image failed
    this.stopped = false;
  }

  /** Keep `urls` (a MediaUrls) of photo `id` fresh; `apply(urls)` receives each renewal. Returns an untrack function. */
  track(id, urls, apply) {
    if (!urls || !urls.expires_at) return () => {};
    let entry = this.tracked.get(id);
    if (!entry) {
      entry = { appliers: new Set() };
      this.tracked.set(id, entry);
    }
    entry.appliers.add(apply);
    // Several views of the same photo may hold URLs of different ages: renew by the oldest one.
    if (entry.expiresAt === undefined || urls.expires_at < entry.expiresAt) this.setExpiry(entry, urls.expires_at);
    this.schedule();
    return () => this.untrack(id, apply);
  }

  untrack(id, apply) {
    const entry = this.tracked.get(id);
    if (!entry) return;
    if (apply) entry.appliers.delete(apply);
    if (!apply || entry.appliers.size === 0) this.tracked.delete(id);
  }

  setExpiry(entry, expiresAt) {
    entry.expiresAt = expiresAt;
    entry.margin = renewalMargin(Math.max(0, expiresAt - this.now()));
    entry.renewAt = expiresAt - entry.margin;
  }

  /** The ids whose URLs should be renewed at `now`: those due, and those due within half a margin (one batch). */
  due(now = this.now()) {
    const out = [];
    for (const [id, entry] of this.tracked) {
      if (entry.renewAt - entry.margin / 2 <= now) out.push(id);
    }
    return out;
  }

  /** An image of photo `id` failed to load: renew its URLs soon (batched with other failures). */
  imageFailed(id) {
    if (this.stopped || !this.tracked.has(id)) return false;
    const last = this.lastErrorRenewal.get(id);
    // A URL renewed seconds ago that fails again is not an expiry: do not loop.
    if (last !== undefined && this.now() - last < ERROR_RENEW_COOLDOWN_S) return false;
    this.errorIds.add(id);
    if (!this.errorTimer) {
      this.errorTimer = this.setTimer(() => {
        this.errorTimer = null;
        const ids = [...this.errorIds];
        this.errorIds.clear();
        const now = this.now();
        for (const each of ids) this.lastErrorRenewal.set(each, now);
        this.renew(ids);
      }, ERROR_BATCH_MS);
    }
    return true;
  }

  schedule() {
    if (this.stopped) return;
    let next = Infinity;
    for (const entry of this.tracked.values()) next = Math.min(next, entry.renewAt);
    if (next === Infinity) return;
    if (this.timer !== null && this.timerAt <= next) return;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timerAt = next;
    const delayMs = Math.max(0, (next - this.now()) * 1000);
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.timerAt = null;
      this.renew(this.due());
    }, delayMs);
  }

  /** Renew the URLs of `ids` now, in calls of at most 100 ids. */
  async renew(ids) {
    const wanted = ids.filter((id) => this.tracked.has(id));
    if (wanted.length === 0 || this.stopped) {
      this.schedule();
      return;
    }
    const run = (async () => {
      for (let i = 0; i < wanted.length; i += MAX_IDS_PER_CALL) {
        const part = wanted.slice(i, i + MAX_IDS_PER_CALL);
        let fresh;
        try {
          fresh = await this.fetchUrls(part);
        } catch (err) {
          this.onError(err);
          // Try again shortly rather than letting the URLs run out.
          const retryAt = this.now() + RETRY_AFTER_S;
          for (const id of part) {
            const entry = this.tracked.get(id);
            if (entry) entry.renewAt = retryAt;
          }
          continue;
        }
        if (this.stopped) return;
        for (const id of part) {
          const entry = this.tracked.get(id);
          if (!entry) continue;
          const urls = fresh.get(id);
          if (!urls) {
            // The photo is gone (trashed, deleted): nothing left to renew.
            this.tracked.delete(id);
            continue;
          }
          this.setExpiry(entry, urls.expires_at);
          for (const apply of [...entry.appliers]) {
            if (apply(urls) === false) entry.appliers.delete(apply);
          }
          if (entry.appliers.size === 0) this.tracked.delete(id);
        }
      }
    })();
    this.inflight = run;
    try {
      await run;
    } finally {
      if (this.inflight === run) this.inflight = null;
      this.schedule();
    }
  }

  /** Forget every tracked photo (signed out); the renewer stays usable. */
  reset() {
    if (this.timer !== null) this.clearTimer(this.timer);
    if (this.errorTimer !== null) this.clearTimer(this.errorTimer);
    this.timer = null;
    this.timerAt = null;
    this.errorTimer = null;
    this.errorIds.clear();
    this.tracked.clear();
  }

  stop() {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    if (this.errorTimer !== null) this.clearTimer(this.errorTimer);
    this.timer = null;
    this.errorTimer = null;
    this.tracked.clear();
  }
}
