// The map's geometry, pure (tests/js/map.test.js): Web Mercator into a unit square, a view (centre and zoom) onto a
// frame of pixels, fitting a view to points, and grid clustering of markers in screen space. No DOM here.

export const MAX_LATITUDE = 85; // Web Mercator's square world ends near ±85.05°; Antarctica is clamped to it
export const MIN_ZOOM = 0;
export const MAX_ZOOM = 14;

/** [lon, lat] in degrees → [x, y] in the unit square (x east from −180°, y south from the top edge). */
export function project(lon, lat) {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const phi = (clamped * Math.PI) / 180;
  return [(lon + 180) / 360, (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2];
}

/** The inverse of project: [x, y] in the unit square → [lon, lat] in degrees. */
export function unproject(x, y) {
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
  return [x * 360 - 180, lat];
}

/** Pixels per unit of the square at `zoom` in a frame `width` px wide: zoom 0 fits the world's width. */
export function scaleOf(width, zoom) {
  return width * 2 ** zoom;
}

/** A view {cx, cy, zoom} → the pixel position of the unit-square point [x, y] in a width × height frame. */
export function toScreen(view, width, height, [x, y]) {
  const s = scaleOf(width, view.zoom);
  return [(x - view.cx) * s + width / 2, (y - view.cy) * s + height / 2];
}

/** The unit-square point under pixel [px, py]. */
export function fromScreen(view, width, height, [px, py]) {
  const s = scaleOf(width, view.zoom);
  return [(px - width / 2) / s + view.cx, (py - height / 2) / s + view.cy];
}

export function clampZoom(zoom) {
  return Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom));
}

/**
 * The view moved (not zoomed) so the world stays in the frame: on an axis where the world is smaller than the frame
 * it is centred, elsewhere no edge of the world comes inside the frame — no panning into empty space.
 */
export function clampView(view, width, height) {
  const s = scaleOf(width, view.zoom);
  const clampAxis = (c, frame) => {
    const half = frame / 2 / s;
    return half >= 0.5 ? 0.5 : Math.max(half, Math.min(1 - half, c));
  };
  return { ...view, cx: clampAxis(view.cx, width), cy: clampAxis(view.cy, height) };
}

/** The view after zooming by `delta` steps about pixel `anchor` (the point under it stays under it). */
export function zoomAbout(view, width, height, delta, anchor = [width / 2, height / 2]) {
  const zoom = clampZoom(view.zoom + delta);
  const before = fromScreen(view, width, height, anchor);
  const next = { ...view, zoom };
  const after = fromScreen(next, width, height, anchor);
  return { cx: next.cx + before[0] - after[0], cy: next.cy + before[1] - after[1], zoom };
}

/**
 * The view showing every point (unit-square [x, y]) with `padding` px around them, no closer than `maxZoom` (one
 * photo, or all in one street, shows its city rather than a blank square of map). The world when there are none.
 */
export function fitView(points, width, height, { padding = 48, maxZoom = 10 } = {}) {
  if (!points.length) return { cx: 0.5, cy: 0.5, zoom: 0 };
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const spanX = Math.max(maxX - minX, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const fit = Math.min((width - 2 * padding) / (width * spanX), (height - 2 * padding) / (width * spanY));
  const zoom = clampZoom(Math.min(maxZoom, Math.log2(Math.max(fit, 1e-9))));
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, zoom };
}

/**
 * Grid clustering in screen space: markers whose pixels fall in the same `cell` px square become one cluster at
 * their mean position. `items` are {id, x, y} with x, y in pixels; returns [{ids, x, y}], biggest first, then by
 * position so the order is stable. Cells are aligned to the world (offset by `origin`), so panning keeps clusters.
 */
export function cluster(items, cell, origin = [0, 0]) {
  const cells = new Map();
  for (const item of items) {
    const key = `${Math.floor((item.x - origin[0]) / cell)}:${Math.floor((item.y - origin[1]) / cell)}`;
    let group = cells.get(key);
    if (!group) {
      group = { ids: [], sx: 0, sy: 0 };
      cells.set(key, group);
    }
    group.ids.push(item.id);
    group.sx += item.x;
    group.sy += item.y;
  }
  return [...cells.values()]
    .map((group) => ({ ids: group.ids, x: group.sx / group.ids.length, y: group.sy / group.ids.length }))
    .sort((a, b) => b.ids.length - a.ids.length || a.y - b.y || a.x - b.x);
}

/**
 * A GeoJSON (Multi)Polygon as an SVG path in unit-square coordinates (multiplied by `scale`, so the path keeps
 * precision as plain numbers); rings are closed. Drawn once; pan and zoom only transform it. A ring that crosses
 * the antimeridian (Chukotka, Fiji) is unwrapped past ±180° rather than drawn as a line across the whole world.
 */
export function pathOf(geometry, scale = 1000) {
  if (!geometry) return '';
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  const parts = [];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      let d = '';
      let offset = 0;
      let previous = null;
      ring.forEach(([lon, lat], i) => {
        if (previous !== null && lon + offset - previous > 180) offset -= 360;
        else if (previous !== null && lon + offset - previous < -180) offset += 360;
        previous = lon + offset;
        const [x, y] = project(previous, lat);
        d += `${i ? 'L' : 'M'}${(x * scale).toFixed(2)} ${(y * scale).toFixed(2)}`;
      });
      if (d) parts.push(`${d}Z`);
    }
  }
  return parts.join('');
}
