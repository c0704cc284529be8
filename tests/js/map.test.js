import assert from 'node:assert/strict';
import { test } from 'node:test';

import { clampView, cluster, fitView, fromScreen, pathOf, project, toScreen, unproject, zoomAbout } from '../../web/js/map/geo.js';

const ZURICH = [8.5417, 47.3769];
const GENEVA = [6.1432, 46.2044];
const TOKYO = [139.6917, 35.6895];

test('project puts the prime meridian and the equator in the middle and round-trips', () => {
  assert.deepEqual(project(0, 0), [0.5, 0.5]);
  const [x, y] = project(...ZURICH);
  const [lon, lat] = unproject(x, y);
  assert.ok(Math.abs(lon - ZURICH[0]) < 1e-9 && Math.abs(lat - ZURICH[1]) < 1e-9);
  assert.ok(project(0, 60)[1] < project(0, 30)[1], 'north is up');
  assert.deepEqual(project(0, -90), project(0, -85), 'the poles are clamped, not infinite');
});

test('a view maps its centre to the middle of the frame and back', () => {
  const view = { cx: 0.3, cy: 0.4, zoom: 3 };
  assert.deepEqual(toScreen(view, 800, 600, [0.3, 0.4]), [400, 300]);
  const point = fromScreen(view, 800, 600, toScreen(view, 800, 600, [0.31, 0.42]));
  assert.ok(Math.abs(point[0] - 0.31) < 1e-12 && Math.abs(point[1] - 0.42) < 1e-12);
});

test('zooming about a pixel keeps the point under it in place', () => {
  const view = { cx: 0.5, cy: 0.5, zoom: 2 };
  const anchor = [100, 80];
  const under = fromScreen(view, 800, 600, anchor);
  const zoomed = zoomAbout(view, 800, 600, 1.5, anchor);
  assert.equal(zoomed.zoom, 3.5);
  const still = toScreen(zoomed, 800, 600, under);
  assert.ok(Math.abs(still[0] - 100) < 1e-6 && Math.abs(still[1] - 80) < 1e-6);
  assert.equal(zoomAbout(view, 800, 600, -10).zoom, 0, 'never further out than the world');
});

test('fitting shows every point inside the padding, and one point at a city zoom, not a street', () => {
  const points = [project(...ZURICH), project(...TOKYO)];
  const view = fitView(points, 800, 500, { padding: 40 });
  for (const point of points) {
    const [px, py] = toScreen(view, 800, 500, point);
    assert.ok(px >= 39.9 && px <= 760.1 && py >= 39.9 && py <= 460.1, `${px},${py}`);
  }
  assert.equal(fitView([project(...ZURICH)], 800, 500, { maxZoom: 10 }).zoom, 10);
  assert.deepEqual(fitView([], 800, 500), { cx: 0.5, cy: 0.5, zoom: 0 });
});

test('markers close on screen form one cluster at their mean; distant ones stay apart', () => {
  const view = { cx: 0.5, cy: 0.5, zoom: 1 };
  const items = [
    ['z1', ZURICH],
    ['z2', [8.55, 47.38]],
    ['g', GENEVA],
    ['t', TOKYO],
  ].map(([id, lonlat]) => {
    const [x, y] = toScreen(view, 800, 600, project(...lonlat));
    return { id, x, y };
  });
  const clusters = cluster(items, 60);
  assert.deepEqual(clusters.map((c) => c.ids.sort()), [['g', 'z1', 'z2'], ['t']]);
  const zoomedIn = { cx: project(...ZURICH)[0], cy: project(...ZURICH)[1], zoom: 9 };
  const apart = items.map(({ id }, i) => {
    const lonlat = [ZURICH, [8.55, 47.38], GENEVA, TOKYO][i];
    const [x, y] = toScreen(zoomedIn, 800, 600, project(...lonlat));
    return { id, x, y };
  });
  assert.ok(cluster(apart, 60).length >= 3, 'zoomed in, Zürich and Geneva separate');
});

test('a polygon becomes a closed SVG path in the unit square', () => {
  const d = pathOf({ type: 'Polygon', coordinates: [[[0, 0], [90, 0], [90, 45], [0, 0]]] });
  assert.match(d, /^M500\.00 500\.00L750\.00 500\.00L750\.00 \d+\.\d+L500\.00 500\.00Z$/);
  assert.equal(pathOf({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 1], [0, 0]]], [[[2, 2], [3, 3], [2, 2]]]] }).split('Z').length, 3);
  assert.equal(pathOf(null), '');
});

test('a ring across the antimeridian is unwrapped, not drawn across the world', () => {
  const d = pathOf({ type: 'Polygon', coordinates: [[[179, 66], [-179, 66], [-179, 65], [179, 65], [179, 66]]] });
  const xs = [...d.matchAll(/[ML](-?[\d.]+) /g)].map((m) => Number(m[1]));
  assert.ok(Math.max(...xs) - Math.min(...xs) < 10, `spans ${Math.min(...xs)}..${Math.max(...xs)} of 1000`);
});

test('the world stays in the frame: centred when smaller, never panned past its edge', () => {
  assert.deepEqual(clampView({ cx: 0.2, cy: 0.9, zoom: 0 }, 400, 800), { cx: 0.5, cy: 0.5, zoom: 0 });
  const zoomed = clampView({ cx: 0.001, cy: 0.999, zoom: 3 }, 800, 600);
  const [left] = toScreen(zoomed, 800, 600, [0, 0]);
  const [, bottom] = toScreen(zoomed, 800, 600, [1, 1]);
  assert.ok(Math.abs(left) < 1e-9 && Math.abs(bottom - 600) < 1e-9, `${left}, ${bottom}`);
  assert.deepEqual(clampView({ cx: 0.4, cy: 0.45, zoom: 3 }, 800, 600), { cx: 0.4, cy: 0.45, zoom: 3 });
});
