// Renewing signed media URLs before they expire (web/js/renewal.js), on a clock the test controls.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { UrlRenewer, renewalMargin } from '../../web/js/renewal.js';

/** A clock and timers the test moves by hand. */
function fakeTime(start = 1000) {
  let now = start;
  let timers = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ id, at: now + ms / 1000, fn });
      return id;
    },
    clearTimer: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    async advance(seconds) {
      const until = now + seconds;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const due = timers[0];
        if (!due || due.at > until) break;
        timers.shift();
        now = due.at;
        due.fn();
        await new Promise((resolve) => setImmediate(resolve));
      }
      now = until;
      await new Promise((resolve) => setImmediate(resolve));
    },
    pending: () => timers.length,
  };
}

const urls = (id, expiresAt, n = 0) => ({ expires_at: expiresAt, thumb: `https://cdn/${id}/t?v=${n}`, preview: null, original: null });

test('the margin is a third of the lifetime, between 5 seconds and 2 minutes', () => {
  assert.equal(renewalMargin(600), 120);
  assert.equal(renewalMargin(30), 10);
  assert.equal(renewalMargin(3600), 120);
  assert.equal(renewalMargin(0), 5);
});

test('tracked URLs are renewed before they expire, in one call, and applied; renewal goes on', async () => {
  const time = fakeTime();
  const calls = [];
  let version = 0;
  const renewer = new UrlRenewer({
    ...time,
    fetchUrls: async (ids) => {
      calls.push([...ids]);
      version += 1;
      return new Map(ids.map((id) => [id, urls(id, time.now() + 30, version)]));
    },
  });
  const seen = { a: [], b: [] };
  renewer.track('a', urls('a', 1030), (u) => seen.a.push(u.thumb));
  renewer.track('b', urls('b', 1031), (u) => seen.b.push(u.thumb));
  await time.advance(19);
  assert.deepEqual(calls, []);
  await time.advance(1.5); // a is due at 1020; b (due 1021) joins the same batch
  assert.deepEqual(calls, [['a', 'b']]);
  assert.deepEqual(seen.a, ['https://cdn/a/t?v=1']);
  // The renewed URLs (valid to 1054) are renewed again before 1054, and so on while the page stays open.
  await time.advance(60);
  assert.ok(calls.length >= 3, `renewed ${calls.length} times`);
  for (const call of calls) assert.deepEqual(call, ['a', 'b']);
});

test('more than 100 photos are renewed in calls of at most 100', async () => {
  const time = fakeTime();
  const sizes = [];
  const renewer = new UrlRenewer({ ...time, fetchUrls: async (ids) => (sizes.push(ids.length), new Map(ids.map((id) => [id, urls(id, time.now() + 600)]))) });
  for (let i = 0; i < 250; i += 1) renewer.track(`p${i}`, urls(`p${i}`, 1600), () => true);
  await time.advance(481);
  assert.deepEqual(sizes, [100, 100, 50]);
});

test('a photo whose element is gone, or that the API no longer returns, stops being renewed', async () => {
  const time = fakeTime();
  const calls = [];
  const renewer = new UrlRenewer({
    ...time,
    fetchUrls: async (ids) => {
      calls.push([...ids]);
      return new Map(ids.filter((id) => id !== 'gone').map((id) => [id, urls(id, time.now() + 30)]));
    },
  });
  renewer.track('kept', urls('kept', 1030), () => true);
  renewer.track('detached', urls('detached', 1030), () => false);
  renewer.track('gone', urls('gone', 1030), () => true);
  await time.advance(21);
  await time.advance(21);
  assert.deepEqual(calls, [['kept', 'detached', 'gone'], ['kept']]);
});

test('an image that fails to load gets fresh URLs at once, failures batched, without looping', async () => {
  const time = fakeTime();
  const calls = [];
  const renewer = new UrlRenewer({ ...time, fetchUrls: async (ids) => (calls.push([...ids]), new Map(ids.map((id) => [id, urls(id, time.now() + 600)]))) });
  renewer.track('a', urls('a', 1600), () => true);
  renewer.track('b', urls('b', 1600), () => true);
  assert.equal(renewer.imageFailed('a'), true);
  assert.equal(renewer.imageFailed('b'), true);
  await time.advance(0.1);
  assert.deepEqual(calls, [['a', 'b']]);
  // A renewed URL failing again right away is not an expiry (a missing derivative): no second renewal.
  assert.equal(renewer.imageFailed('a'), false);
  assert.equal(renewer.imageFailed('untracked'), false);
});

test('a failed renewal is retried within seconds instead of letting the URLs lapse', async () => {
  const time = fakeTime();
  let fail = true;
  const errors = [];
  const calls = [];
  const renewer = new UrlRenewer({
    ...time,
    onError: (e) => errors.push(e.message),
    fetchUrls: async (ids) => {
      calls.push(time.now());
      if (fail) throw new Error('offline');
      return new Map(ids.map((id) => [id, urls(id, time.now() + 30)]));
    },
  });
  let applied = 0;
  renewer.track('a', urls('a', 1030), () => (applied += 1));
  await time.advance(20);
  assert.deepEqual(errors, ['offline']);
  fail = false;
  await time.advance(5);
  assert.equal(calls.length, 2);
  assert.equal(applied, 1);
});

test('stop cancels every timer', async () => {
  const time = fakeTime();
  const renewer = new UrlRenewer({ ...time, fetchUrls: async () => new Map() });
  renewer.track('a', urls('a', 1030), () => true);
  assert.equal(time.pending(), 1);
  renewer.stop();
  assert.equal(time.pending(), 0);
});

test("the default timers are called as plain functions (a browser's setTimeout throws when called as a method)", async () => {
  const realSet = globalThis.setTimeout;
  const calls = [];
  globalThis.setTimeout = function strictSetTimeout(fn, ms) {
    if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
    calls.push(ms);
    return 0;
  };
  try {
    const renewer = new UrlRenewer({ now: () => 1000, fetchUrls: async () => new Map() });
    renewer.track('a', urls('a', 1600), () => true);
    assert.equal(calls.length, 1);
  } finally {
    globalThis.setTimeout = realSet;
  }
});

test('a view drawn from URLs that have run out is renewed at once, even while another view holds fresh ones', async () => {
  const time = fakeTime();
  const calls = [];
  const applied = [];
  const renewer = new UrlRenewer({ ...time, fetchUrls: async (ids) => (calls.push([...ids]), new Map(ids.map((id) => [id, urls(id, time.now() + 600, 1)]))) });
  renewer.track('a', urls('a', 1600), () => true); // the grid's fresh copy
  renewer.track('a', urls('a', 990), (fresh) => (applied.push(fresh.thumb), true)); // a map marker kept since
  await time.advance(0.01);
  assert.deepEqual(calls, [['a']]);
  assert.deepEqual(applied, ['https://cdn/a/t?v=1']);
});
