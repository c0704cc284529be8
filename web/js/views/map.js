// The map (/map): the owner's geotagged photos as clustered markers over Natural Earth's countries. The base layer
// ships with the app (world-atlas read by topojson-client, served from /vendor/ — web/vendor.json): no tile, font or
// any other request leaves the site. Drag or arrow keys pan, the wheel, +/− or the buttons zoom; a cluster opens its
// photos in a grid under the map, and a photo there opens the viewer over the page.

import { api } from '../api.js';
import { h, icon } from '../dom.js';
import { NOT_SIGNED_YET, photoImage } from '../media.js';
import { clampView, cluster, fitView, pathOf, project, toScreen, unproject, zoomAbout } from '../map/geo.js';
import { gridList, pager } from './components.js';
import { PhotoGrid } from './grid.js';

const ATLAS_URL = '/vendor/world-atlas/countries-50m.json';
const TOPOJSON_URL = '/vendor/topojson-client/src/index.js';
const CELL_PX = 64; // markers closer than this on screen are one cluster
const PATH_SCALE = 1000; // country paths are drawn once in a 1000-unit square; pan and zoom only transform them
const DETAILS_PAGE = 24; // photos of a cluster loaded at a time (each a GET /photos/{id})
const DETAILS_AT_ONCE = 6;
const SVG = 'http://www.w3.org/2000/svg';

let atlasPromise = null;

/** The countries as SVG path data, loaded and projected once per page load. */
function loadCountries() {
  atlasPromise ??= Promise.all([import(TOPOJSON_URL), fetch(ATLAS_URL).then((res) => {
    if (!res.ok) throw new Error(`The map's base layer did not load (${res.status}).`);
    return res.json();
  })]).then(([topojson, atlas]) => topojson.feature(atlas, atlas.objects.countries).features.map((country) => ({
    name: country.properties?.name || '',
    d: pathOf(country.geometry, PATH_SCALE),
  })));
  atlasPromise.catch(() => {
    atlasPromise = null; // a later visit tries again
  });
  return atlasPromise;
}

/** Every map point of the owner (the API pages them; a map wants them all): where, no URL. */
async function loadPoints(signal) {
  const points = [];
  let cursor = null;
  do {
    const page = await api.mapPoints({ cursor, limit: 1000, signal });
    points.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return points;
}

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

export async function renderMap(main, { signal, provideList }) {
  const summary = h('p', { class: 'muted', role: 'status', testid: 'map-summary' }, 'Loading the map…');
  const countriesLayer = svg('g', { class: 'map-countries' });
  const world = svg('g', { class: 'map-world' });
  world.append(countriesLayer);
  const canvas = svg('svg', { class: 'map-svg', 'aria-hidden': 'true', focusable: 'false' });
  canvas.append(svg('rect', { class: 'map-sea', x: 0, y: 0, width: '100%', height: '100%' }), world);
  const markers = h('div', { class: 'map-markers', testid: 'map-markers' });
  const zoomIn = h('button', { type: 'button', class: 'btn map-btn', 'aria-label': 'Zoom in', title: 'Zoom in', testid: 'map-zoom-in' }, icon('plus'));
  const zoomOut = h('button', { type: 'button', class: 'btn map-btn', 'aria-label': 'Zoom out', title: 'Zoom out', testid: 'map-zoom-out' }, h('span', { 'aria-hidden': 'true', class: 'map-minus' }, '−'));
  const fitBtn = h('button', { type: 'button', class: 'btn map-btn', 'aria-label': 'Show all photos', title: 'Show all photos', testid: 'map-fit' }, icon('photos'));
  const frame = h(
    'div',
    { class: 'map-frame', testid: 'map', tabindex: '0', role: 'application', 'aria-label': 'Map of your photos. Arrow keys move, plus and minus zoom.', 'aria-busy': 'true' },
    canvas,
    markers,
    h('div', { class: 'map-controls' }, zoomIn, zoomOut, fitBtn),
    h('p', { class: 'map-credit' }, 'Natural Earth · world-atlas'),
  );
  const panelTitle = h('h2', { id: 'map-photos-title' });
  const grid = new PhotoGrid({ granularity: null, label: 'Photos of the chosen place', testid: 'map-photos', variant: '' });
  let more = pager(async () => false);
  const panel = h('section', { class: 'map-panel', 'aria-labelledby': 'map-photos-title', hidden: true, testid: 'map-panel' }, h('div', { class: 'page-head' }, panelTitle), grid.element, more.element);

  main.append(h('div', { class: 'page map-page' }, h('div', { class: 'page-head' }, h('h1', {}, 'Map'), summary), frame, panel));

  let view = { cx: 0.5, cy: 0.5, zoom: 0 };
  // {id, x, y (unit square), urls}: a point's URLs are asked for when a marker first shows it (POST /media/urls,
  // a hundred at a time, by the app's renewer), then kept fresh while it is shown
  let points = [];
  const size = () => [frame.clientWidth || 1, frame.clientHeight || 1];

  function paint() {
    const [width, height] = size();
    view = clampView(view, width, height);
    const s = (width * 2 ** view.zoom) / PATH_SCALE;
    const [ox, oy] = toScreen(view, width, height, [0, 0]);
    world.setAttribute('transform', `translate(${ox} ${oy}) scale(${s})`);
    const items = points.map((point) => {
      const [x, y] = toScreen(view, width, height, [point.x, point.y]);
      return { id: point.id, x, y };
    });
    const visible = items.filter((item) => item.x > -CELL_PX && item.y > -CELL_PX && item.x < width + CELL_PX && item.y < height + CELL_PX);
    const byId = new Map(points.map((point) => [point.id, point]));
    untrackMarkers();
    markers.replaceChildren(...cluster(visible, CELL_PX, [ox, oy]).map((group) => marker(group, byId)));
  }

  /** The markers about to be replaced stop being renewed (their points keep the freshest URLs for the next ones). */
  function untrackMarkers() {
    for (const img of markers.querySelectorAll('img')) img.untrack?.();
  }

  function marker(group, byId) {
    const first = byId.get(group.ids[0]);
    const count = group.ids.length;
    const [lon, lat] = centreOf(group.ids.map((id) => byId.get(id)));
    const label = count === 1 ? 'Open 1 photo taken here' : `Open ${count} photos taken here`;
    const button = h(
      'button',
      {
        type: 'button',
        class: ['map-marker', count > 1 && 'map-marker-cluster'],
        'aria-label': label,
        title: label,
        testid: 'map-cluster',
        'data-count': String(count),
        'data-lat': lat.toFixed(5),
        'data-lon': lon.toFixed(5),
        'data-photo-ids': group.ids.join(' '),
        style: `left: ${group.x}px; top: ${group.y}px`,
      },
      photoImage(first, 'thumb', { alt: '', class: 'map-marker-img', decoding: 'async', draggable: 'false' }),
      count > 1 ? h('span', { class: 'map-marker-count' }, count > 999 ? '999+' : String(count)) : null,
    );
    button.addEventListener('click', () => openPhotos(group.ids));
    return button;
  }

  function centreOf(list) {
    const x = list.reduce((sum, p) => sum + p.x, 0) / list.length;
    const y = list.reduce((sum, p) => sum + p.y, 0) / list.length;
    return unproject(x, y);
  }

  /** A cluster's photos in the grid under the map, a page at a time (their details carry what a tile shows). */
  function openPhotos(ids) {
    grid.remove(grid.order());
    more.disconnect();
    let next = 0;
    const loadPage = async () => {
      const wanted = ids.slice(next, next + DETAILS_PAGE);
      next += wanted.length;
      const found = [];
      for (let i = 0; i < wanted.length; i += DETAILS_AT_ONCE) {
        const batch = await Promise.all(wanted.slice(i, i + DETAILS_AT_ONCE).map((id) => api.getPhoto(id, { signal }).catch(() => null)));
        found.push(...batch.filter(Boolean));
      }
      grid.append(found);
      return next < ids.length;
    };
    const fresh = pager(loadPage);
    more.element.replaceWith(fresh.element);
    more = fresh;
    panelTitle.textContent = ids.length === 1 ? '1 photo taken here' : `${ids.length} photos taken here`;
    panel.hidden = false;
    provideList(gridList(grid, more));
    more.setDone(false);
    more.trigger().then(() => {
      if (!signal.aborted) panel.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    });
  }

  function zoomBy(delta, anchor) {
    const [width, height] = size();
    view = zoomAbout(view, width, height, delta, anchor);
    paint();
  }

  function fit() {
    const [width, height] = size();
    view = fitView(points.map((p) => [p.x, p.y]), width, height, { padding: 56, maxZoom: 9 });
    paint();
  }

  // ---- pan and zoom: pointer drag, wheel, keys, buttons
  let drag = null;
  frame.addEventListener('pointerdown', (event) => {
    if (event.target.closest('.map-marker, .map-controls')) return;
    drag = { x: event.clientX, y: event.clientY, view, moved: false };
    frame.setPointerCapture(event.pointerId);
    frame.classList.add('map-dragging');
  });
  frame.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const s = size()[0] * 2 ** drag.view.zoom;
    view = { ...drag.view, cx: drag.view.cx - (event.clientX - drag.x) / s, cy: drag.view.cy - (event.clientY - drag.y) / s };
    paint();
  });
  const endDrag = () => {
    drag = null;
    frame.classList.remove('map-dragging');
  };
  frame.addEventListener('pointerup', endDrag);
  frame.addEventListener('pointercancel', endDrag);
  frame.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const rect = frame.getBoundingClientRect();
      zoomBy(-Math.sign(event.deltaY) * 0.5, [event.clientX - rect.left, event.clientY - rect.top]);
    },
    { passive: false },
  );
  frame.addEventListener('dblclick', (event) => {
    if (event.target.closest('.map-marker, .map-controls')) return;
    const rect = frame.getBoundingClientRect();
    zoomBy(1, [event.clientX - rect.left, event.clientY - rect.top]);
  });
  frame.addEventListener('keydown', (event) => {
    if (event.target !== frame) return;
    const step = 80 / (size()[0] * 2 ** view.zoom);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      view = { ...view, cx: view.cx + moves[event.key][0], cy: view.cy + moves[event.key][1] };
      paint();
    } else if (event.key === '+' || event.key === '=') zoomBy(1);
    else if (event.key === '-') zoomBy(-1);
    else return;
    event.preventDefault();
  });
  zoomIn.addEventListener('click', () => zoomBy(1));
  zoomOut.addEventListener('click', () => zoomBy(-1));
  fitBtn.addEventListener('click', fit);
  const resize = new ResizeObserver(() => paint());
  resize.observe(frame);

  // ---- data: the base layer and the points load side by side
  const [countries, loaded] = await Promise.all([loadCountries(), loadPoints(signal)]);
  if (signal.aborted) return () => resize.disconnect();
  countriesLayer.append(...countries.map((country) => svg('path', { d: country.d, class: 'map-country', 'data-country': country.name })));
  points = loaded.map((point) => {
    const [x, y] = project(point.lon, point.lat);
    return { id: point.id, x, y, urls: NOT_SIGNED_YET };
  });
  frame.setAttribute('aria-busy', 'false');
  frame.dataset.points = String(points.length);
  summary.textContent = points.length
    ? `${points.length} ${points.length === 1 ? 'photo' : 'photos'} with a location — only you can see where they were taken.`
    : 'No photo with a location yet: photos whose camera or phone recorded GPS appear here.';
  fit();

  return () => {
    resize.disconnect();
    untrackMarkers();
    more.disconnect();
    grid.destroy();
  };
}
