// Selecting many photos (web/js/selection.js): toggle, shift ranges, chunks of 100 with progress.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Selection, chunk, runInChunks } from '../../web/js/selection.js';

const order = ['a', 'b', 'c', 'd', 'e', 'f'];

test('a click toggles one photo and a shift-click selects the range from the last one clicked', () => {
  const selection = new Selection();
  let changes = 0;
  selection.addEventListener('change', () => (changes += 1));
  selection.toggle('b');
  selection.extendTo('e', order);
  assert.deepEqual(selection.ordered(order), ['b', 'c', 'd', 'e']);
  // Backwards from the new anchor
  selection.extendTo('a', order);
  assert.deepEqual(selection.ordered(order), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(changes, 3);
});

test('a shift-click after unselecting one clears the range instead', () => {
  const selection = new Selection();
  selection.setMany(order);
  selection.toggle('b');
  selection.extendTo('d', order);
  assert.deepEqual(selection.ordered(order), ['a', 'e', 'f']);
});

test('a shift-click with no anchor in the list is a plain toggle; clear forgets everything', () => {
  const selection = new Selection();
  selection.extendTo('c', order);
  assert.deepEqual([...selection.ids], ['c']);
  selection.clear();
  assert.equal(selection.size, 0);
  assert.equal(selection.anchor, null);
});

test('selected ids come in list order, ids no longer listed last', () => {
  const selection = new Selection();
  selection.setMany(['zz', 'e', 'a']);
  assert.deepEqual(selection.ordered(order), ['a', 'e', 'zz']);
});

test('ids go to the API in chunks of at most 100', () => {
  const ids = Array.from({ length: 250 }, (_, i) => `p${i}`);
  assert.deepEqual(chunk(ids).map((c) => c.length), [100, 100, 50]);
  assert.deepEqual(chunk([]), []);
});

test('chunks run one after another and report progress; an error says how far it got', async () => {
  const ids = Array.from({ length: 230 }, (_, i) => i);
  const progress = [];
  const sent = [];
  const results = await runInChunks(ids, async (part) => sent.push(part.length) && part.length, { onProgress: (p) => progress.push(p.done) });
  assert.deepEqual(sent, [100, 100, 30]);
  assert.deepEqual(results, [100, 100, 30]);
  assert.deepEqual(progress, [0, 100, 200, 230]);

  let calls = 0;
  await assert.rejects(
    runInChunks(ids, async () => {
      calls += 1;
      if (calls === 2) throw new Error('throttled');
    }),
    (err) => err.message === 'throttled' && err.done === 100,
  );
});
