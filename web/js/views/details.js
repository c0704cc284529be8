// The photo's details as the viewer's side panel shows them (a PhotoDetail): what the analysis found (labels,
// faces, text, colours), the EXIF facts and place, and a notice for a photo that is not READY.

import { formatBytes, formatDate, formatPercent, h, percentValue, titleCase } from '../dom.js';
import { BAD_STATUSES, cameraText, faceText, mapLink, statusNote } from '../photos.js';
import { photoPath, searchPath } from '../routes.js';
import { statusBadge } from './components.js';

function section(title, testid, ...body) {
  const id = `sec-${testid}`;
  return h('section', { class: 'detail-section', testid, 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

// The labels search finds the photo by (the contract's PhotoDetail.labels), strongest first.
export function labelsSection(labels) {
  if (!labels.length) return null;
  const sorted = [...labels].sort((a, b) => b.confidence - a.confidence);
  return section(
    'Labels',
    'labels',
    h(
      'ul',
      { class: 'bars' },
      sorted.map((label) => {
        const { parents } = label;
        return h(
          'li',
          { class: 'bar-row', testid: 'label', 'data-label': label.name },
          h(
            'div',
            { class: 'bar-head' },
            h('a', { href: searchPath('', label.name), 'data-link': true, class: 'bar-name', testid: 'label-link' }, label.name),
            parents.length ? h('span', { class: 'bar-parents muted' }, parents.slice(0, 2).join(' · ')) : null,
            h('span', { class: 'bar-value' }, formatPercent(label.confidence)),
          ),
          h(
            'div',
            { class: 'meter', role: 'meter', 'aria-label': `${label.name} confidence`, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(percentValue(label.confidence))) },
            h('div', { class: 'meter-fill', style: `width:${percentValue(label.confidence).toFixed(1)}%` }),
          ),
        );
      }),
    ),
  );
}

export function colorsSection(colors) {
  if (!colors.length) return null;
  return section(
    'Colours',
    'colors',
    h(
      'ul',
      { class: 'swatches' },
      colors.slice(0, 8).map((c) =>
        h(
          'li',
          { class: 'swatch', testid: 'swatch', 'data-hex': c.hex, title: `${c.hex} · ${formatPercent(c.percent)}` },
          // Only a well-formed hex colour reaches the style (the CSP allows CSSOM styles, not arbitrary text).
          h('span', { class: 'swatch-chip', style: `background:${/^#[0-9a-f]{3,8}$/i.test(c.hex) ? c.hex : 'transparent'}`, 'aria-hidden': 'true' }),
          h('span', { class: 'swatch-name' }, c.name ? titleCase(c.name) : c.hex),
          h('span', { class: 'swatch-pct muted' }, formatPercent(c.percent)),
        ),
      ),
    ),
  );
}

export function textSection(lines) {
  if (!lines.length) return null;
  return section(
    'Text found',
    'text-found',
    h(
      'ul',
      { class: 'text-lines' },
      lines.map((line) => h('li', { testid: 'text-line' }, h('q', {}, line.text), h('span', { class: 'muted' }, ` ${formatPercent(line.confidence)}`))),
    ),
  );
}

export function facesSection(faces) {
  if (!faces.length) return null;
  return section(
    'Faces',
    'faces',
    h('p', { testid: 'face-count' }, `${faces.length} ${faces.length === 1 ? 'face' : 'faces'}`),
    h(
      'ul',
      { class: 'faces' },
      faces.map((face, i) => {
        return h(
          'li',
          { class: 'face', testid: 'face' },
          h('span', { class: 'face-index', 'aria-hidden': 'true' }, String(i + 1)),
          h('span', {}, faceText(face, i)),
          face.emotion ? h('span', { class: 'muted' }, ` · ${titleCase(face.emotion)}`) : null,
        );
      }),
    ),
  );
}

// GPS is shown here only: this page is the owner's (another user's photo is a 404) and share pages never show it.
/** A PlaceName as people write it: city, region, country, each once, accents aside (Zürich, canton "Zurich",
 * Switzerland → "Zürich, Switzerland"). */
function placeText(place) {
  if (!place) return null;
  const fold = (name) => name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const names = [place.city, place.region, place.country].filter(Boolean);
  return names.filter((name, i) => names.findIndex((other) => fold(other) === fold(name)) === i).join(', ') || null;
}

export function factsSection(photo) {
  const rows = [
    ['Taken', photo.taken_at ? formatDate(photo.taken_at) : null, 'taken-at'],
    ['Place', placeText(photo.place), 'place'],
    ['Camera', cameraText(photo.camera), 'camera'],
    ['Dimensions', photo.width && photo.height ? `${photo.width} × ${photo.height}` : null, 'dimensions'],
    ['Format', photo.format, 'format'],
    ['Size', photo.size_bytes ? formatBytes(photo.size_bytes) : null, 'size'],
    ['File name', photo.filename, 'filename'],
    ['Uploaded', formatDate(photo.uploaded_at), 'uploaded'],
  ].filter((r) => r[1]);
  const { location } = photo;
  return section(
    'Details',
    'facts',
    h('dl', { class: 'facts' }, rows.map(([k, v, id]) => [h('dt', {}, k), h('dd', { testid: `fact-${id}` }, v)])),
    location
      ? h(
          'div',
          { class: 'gps', testid: 'gps' },
          h('span', {}, `Location ${location.latitude.toFixed(5)}, ${location.longitude.toFixed(5)}`),
          h('span', { class: 'muted gps-note' }, ' · only visible to you, never in share links'),
          ' ',
          h('a', { href: mapLink(location), target: '_blank', rel: 'noopener noreferrer' }, 'Open map'),
        )
      : null,
  );
}

export function statusPanel(photo) {
  const note = statusNote(photo);
  if (note === null) return null;
  return h(
    'div',
    { class: ['notice', BAD_STATUSES.has(photo.status) && 'notice-bad'], role: 'status', testid: 'photo-status' },
    statusBadge(photo.status),
    h('p', { testid: 'photo-reason' }, note),
    photo.status === 'DUPLICATE' && photo.duplicate_of
      ? h('a', { href: photoPath(photo.duplicate_of), 'data-link': true, testid: 'duplicate-of' }, 'Open the original')
      : null,
  );
}
