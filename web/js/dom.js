// Small DOM and formatting helpers. Every piece of user or server text goes through text nodes, never innerHTML.

/**
 * Create an element: h('a', {href: '/', class: 'x', dataset: {testid: 'y'}, on: {click: fn}}, 'text', child…)
 * Attributes whose value is false/null/undefined are left out; `true` sets an empty attribute.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === 'style') el.style.cssText = value; // CSSOM, allowed by the CSP (not an inline style attribute)
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled') el[key] = value;
    else if (key === 'testid') el.dataset.testid = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** An inline SVG icon from a small set (paths drawn on a 24-unit grid, stroked with currentColor). */
const ICONS = {
  upload: 'M12 16V4M7 9l5-5 5 5M4 16v2.5A1.5 1.5 0 0 0 5.5 20h13a1.5 1.5 0 0 0 1.5-1.5V16',
  share: 'M8.6 13.5l6.8 4M15.4 6.5l-6.8 4M18 5a2.5 2.5 0 1 1-.01 0M6 9.5a2.5 2.5 0 1 1-.01 0M18 16a2.5 2.5 0 1 1-.01 0',
  trash: 'M4 7h16M9 7V4.5h6V7M6.5 7l1 12.5h9l1-12.5M10 11v5M14 11v5',
  back: 'M15 5l-7 7 7 7',
  copy: 'M9 9h10v11H9zM5 15V4h10',
  close: 'M6 6l12 12M18 6L6 18',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  image: 'M4 5.5h16v13H4zM8.5 10a1.5 1.5 0 1 1-.01 0M5 17l5-4.5 3.5 3 2.5-2 3.5 3.5',
  alert: 'M12 4l9 16H3zM12 10v4.5M12 17.5v.01',
  heart: 'M12 20s-7.5-4.6-7.5-10.2A4.3 4.3 0 0 1 12 7.3a4.3 4.3 0 0 1 7.5 2.5C19.5 15.4 12 20 12 20z',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  album: 'M4 6.5h16v12H4zM7 4h10M9 15l2.5-3 2 2 1.5-1.5L17 15',
  plus: 'M12 5v14M5 12h14',
  download: 'M12 4v11M7 10l5 5 5-5M5 19.5h14',
  restore: 'M4.5 12a7.5 7.5 0 1 0 2.2-5.3M4.5 4.5v4h4',
  info: 'M12 3.5a8.5 8.5 0 1 1-.01 0M12 11v5.5M12 7.8v.01',
  left: 'M15 5l-7 7 7 7',
  right: 'M9 5l7 7-7 7',
  calendar: 'M4.5 6.5h15v13h-15zM4.5 10.5h15M8.5 4v4M15.5 4v4',
  photos: 'M4 5.5h16v13H4zM8.5 10a1.5 1.5 0 1 1-.01 0M5 17l5-4.5 3.5 3 2.5-2 3.5 3.5',
  attention: 'M12 3.5a8.5 8.5 0 1 1-.01 0M12 8v5M12 16v.01',
  logout: 'M14 4.5h4.5v15H14M10 8l-4 4 4 4M6 12h9',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  edit: 'M4.5 19.5l1-4L15.5 5.5l3 3-10 10zM13.5 7.5l3 3',
  star: 'M12 4l2.4 5 5.4.6-4 3.7 1.1 5.4L12 16l-4.9 2.7 1.1-5.4-4-3.7 5.4-.6z',
};
export function icon(name, label) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] || '');
  svg.append(path);
  return svg;
}

// ---- formatting -------------------------------------------------------------------------------------------------

export function formatBytes(n) {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toFixed(i === 0 || n >= 10 ? 0 : 1)} ${units[i]}`;
}

/** The contract's confidences and shares are percentages (0–100): "97%". */
export function formatPercent(percent) {
  return `${Math.round(percent)}%`;
}

/** A percentage clamped to 0–100 (a meter's width). */
export function percentValue(percent) {
  return Math.max(0, Math.min(100, percent));
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** An ISO 8601 timestamp (uploaded_at, taken_at) or epoch seconds (expires_at), as a local date and time. */
export function formatDate(value) {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateFmt.format(date);
}

export function formatRelative(value) {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  const ms = date.getTime() - Date.now();
  if (Number.isNaN(ms)) return '';
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const abs = Math.abs(ms);
  const table = [
    [60_000, 1000, 'second'],
    [3_600_000, 60_000, 'minute'],
    [86_400_000, 3_600_000, 'hour'],
    [Infinity, 86_400_000, 'day'],
  ];
  for (const [limit, unit, name] of table) {
    if (abs < limit) return rtf.format(Math.round(ms / unit), name);
  }
  return '';
}

/** Title-case an enum-ish word: "HAPPY" → "Happy". */
export function titleCase(word) {
  const s = String(word || '').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Announce a short sentence to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById('live-region');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick makes repeated identical messages announce again.
  setTimeout(() => {
    region.textContent = message;
  }, 30);
}

export function toast(message, kind = 'info') {
  const box = document.querySelector('.toasts');
  if (!box) return;
  const item = h('div', { class: ['toast', `toast-${kind}`], role: kind === 'error' ? 'alert' : 'status', testid: 'toast' }, message);
  box.append(item);
  setTimeout(() => item.classList.add('toast-leave'), 4200);
  setTimeout(() => item.remove(), 4600);
}
