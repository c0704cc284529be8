// The viewer's zoom, pan and swipe arithmetic (web/js/gestures.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IDENTITY, MAX_SCALE, clampView, fitSize, swipeAction, toggleZoom, wheelFactor, zoomAt } from '../../web/js/gestures.js';

const stage = { w: 1000, h: 800 };
const fitted = fitSize({ w: 4000, h: 2000 }, stage); // 1000 × 500

test('a photo is fitted inside the stage keeping its shape', () => {
  assert.deepEqual(fitted, { w: 1000, h: 500 });
  assert.deepEqual(fitSize({ w: 500, h: 1000 }, stage), { w: 400, h: 800 });
});

test('zooming keeps the point under the pointer where it was', () => {
  const view = zoomAt(IDENTITY, 2, { x: 200, y: 0 }, stage, fitted);
  assert.equal(view.scale, 2);
  // The image point under x=200 was 200 px right of centre; at 2× it would be at 400: the pan brings it back.
  assert.equal(view.x, -200);
  assert.equal(view.y, 0);
});

test('panning stops at the image edges, and nothing pans when the image fits', () => {
  assert.deepEqual(clampView({ scale: 2, x: 5000, y: 5000 }, stage, fitted), { scale: 2, x: 500, y: 100 });
  assert.deepEqual(clampView({ scale: 1, x: 40, y: -40 }, stage, fitted), { scale: 1, x: 0, y: 0 });
  assert.equal(clampView({ scale: 50, x: 0, y: 0 }, stage, fitted).scale, MAX_SCALE);
});

test('zooming back out to 1 recentres; double-tap zooms in, and out again', () => {
  const zoomed = zoomAt(IDENTITY, 3, { x: 100, y: 100 }, stage, fitted);
  assert.deepEqual(zoomAt(zoomed, 0.1, { x: 0, y: 0 }, stage, fitted), { scale: 1, x: 0, y: 0 });
  const tapped = toggleZoom(IDENTITY, { x: 0, y: 0 }, stage, fitted);
  assert.ok(tapped.scale > 1);
  assert.deepEqual(toggleZoom(tapped, { x: 0, y: 0 }, stage, fitted), { scale: 1, x: 0, y: 0 });
});

test('the wheel zooms in when scrolled up, by a bounded step', () => {
  assert.ok(wheelFactor(-100) > 1);
  assert.ok(wheelFactor(100) < 1);
  assert.equal(wheelFactor(-10000), wheelFactor(-100));
});

test('a quick horizontal swipe goes to the next or previous photo; a long or diagonal one does nothing', () => {
  assert.equal(swipeAction({ dx: -120, dy: 10, ms: 200 }), 'next');
  assert.equal(swipeAction({ dx: 120, dy: -10, ms: 200 }), 'previous');
  assert.equal(swipeAction({ dx: 10, dy: 200, ms: 200 }), 'close');
  assert.equal(swipeAction({ dx: -120, dy: 100, ms: 200 }), null);
  assert.equal(swipeAction({ dx: -120, dy: 0, ms: 2000 }), null);
  assert.equal(swipeAction({ dx: 5, dy: 3, ms: 100 }), null);
});
