// The viewer's zoom, pan and swipe arithmetic. Pure (no DOM), so node --test covers it (tests/js/gestures.test.js).
// A view is {scale, x, y}: the image, fitted to the stage at scale 1 and centred, is scaled about its centre and
// moved by (x, y) CSS pixels.

export const MIN_SCALE = 1;
export const MAX_SCALE = 6;
export const DOUBLE_TAP_SCALE = 2.5;
const SWIPE_MIN_PX = 50;
const SWIPE_MAX_MS = 800;

export const IDENTITY = Object.freeze({ scale: 1, x: 0, y: 0 });

/** The size of an image of natural size `natural` fitted (contain) inside `stage` ({w, h}). */
export function fitSize(natural, stage) {
  if (!natural.w || !natural.h) return { w: stage.w, h: stage.h };
  const ratio = Math.min(stage.w / natural.w, stage.h / natural.h);
  return { w: natural.w * ratio, h: natural.h * ratio };
}

/** Keep the zoomed image covering the stage where it can: no empty margin can be dragged in. */
export function clampView(view, stage, fitted) {
  const scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, view.scale));
  const maxX = Math.max(0, (fitted.w * scale - stage.w) / 2);
  const maxY = Math.max(0, (fitted.h * scale - stage.h) / 2);
  // `|| 0` turns the -0 of a clamped negative pan into 0.
  return { scale, x: Math.max(-maxX, Math.min(maxX, view.x)) || 0, y: Math.max(-maxY, Math.min(maxY, view.y)) || 0 };
}

/**
 * Zoom by `factor` about `point` (stage coordinates relative to the stage's centre): the spot under the pointer
 * stays under it.
 */
export function zoomAt(view, factor, point, stage, fitted) {
  const scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, view.scale * factor));
  const k = scale / view.scale;
  const next = { scale, x: point.x - (point.x - view.x) * k, y: point.y - (point.y - view.y) * k };
  return scale === MIN_SCALE ? { ...IDENTITY } : clampView(next, stage, fitted);
}

/** Double-tap / double-click: zoom in on the spot, or back out when zoomed. */
export function toggleZoom(view, point, stage, fitted) {
  if (view.scale > MIN_SCALE) return { ...IDENTITY };
  return zoomAt(view, DOUBLE_TAP_SCALE, point, stage, fitted);
}

/** A wheel event's zoom factor (deltaY < 0 zooms in); smooth for trackpads, bounded for mouse wheels. */
export function wheelFactor(deltaY) {
  return Math.exp(-Math.max(-100, Math.min(100, deltaY)) / 300);
}

/** Distance between two pointers (pinch). */
export function distance(a, b) {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * A finished one-finger gesture on an unzoomed photo: 'next' (swiped left), 'previous' (swiped right),
 * 'close' (swiped down far), or null (a tap or a scroll-ish drag).
 */
export function swipeAction({ dx, dy, ms }) {
  if (ms > SWIPE_MAX_MS) return null;
  if (Math.abs(dx) >= SWIPE_MIN_PX && Math.abs(dx) > Math.abs(dy) * 1.5) return dx < 0 ? 'next' : 'previous';
  if (dy >= SWIPE_MIN_PX * 2 && dy > Math.abs(dx) * 1.5) return 'close';
  return null;
}
