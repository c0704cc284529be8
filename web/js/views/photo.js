// One photo: preview, caption, what the analysis found, EXIF facts, and the share / delete actions.

import { TERMINAL, api, captionOf, mediaUrl } from '../api.js';
import { formatBytes, formatDate, formatPercent, h, icon, percentValue, titleCase, toast } from '../dom.js';
import { statusBadge } from './components.js';
import { confirmDialog, shareDialog } from './dialogs.js';

function section(title, testid, ...body) {
  const id = `sec-${testid}`;
  return h('section', { class: 'detail-section', testid, 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

function labelsSection(labels) {
  if (!labels?.length) return null;
  const sorted = [...labels].sort((a, b) => (b.confidence || 0) - (a.confidence || 0));
  return section(
    'Labels',
    'labels',
    h(
      'ul',
      { class: 'bars' },
      sorted.map((label) => {
        const parents = [...(label.parents || []), ...(label.categories || [])].filter((p, i, all) => p && all.indexOf(p) === i);
        return h(
          'li',
          { class: 'bar-row', testid: 'label', 'data-label': label.name },
          h(
            'div',
            { class: 'bar-head' },
            h('a', { href: `/search?q=${encodeURIComponent(label.name)}`, 'data-link': true, class: 'bar-name' }, label.name),
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

function colorsSection(props) {
  const colors = props?.dominant_colors;
  if (!colors?.length) return null;
  return section(
    'Colours',
    'colors',
    h(
      'ul',
      { class: 'swatches' },
      colors.slice(0, 8).map((c) =>
        h(
          'li',
          { class: 'swatch', testid: 'swatch', 'data-hex': c.hex, title: `${c.hex} · ${formatPercent(c.pixel_percent)}` },
          h('span', { class: 'swatch-chip', style: `background:${/^#?[0-9a-f]{3,8}$/i.test(c.hex) ? (c.hex.startsWith('#') ? c.hex : `#${c.hex}`) : 'transparent'}`, 'aria-hidden': 'true' }),
          h('span', { class: 'swatch-name' }, c.simplified ? titleCase(c.simplified) : c.hex),
          h('span', { class: 'swatch-pct muted' }, formatPercent(c.pixel_percent)),
        ),
      ),
    ),
  );
}

function textSection(lines) {
  if (!lines?.length) return null;
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

function topEmotion(face) {
  const list = (face.emotions || []).map((e) => (Array.isArray(e) ? { type: e[0], confidence: e[1] } : { type: e.type || e.name, confidence: e.confidence }));
  list.sort((a, b) => (b.confidence || 0) - (a.confidence || 0));
  return list[0] || null;
}

function facesSection(faces) {
  if (!faces?.length) return null;
  return section(
    'Faces',
    'faces',
    h('p', { testid: 'face-count' }, `${faces.length} ${faces.length === 1 ? 'face' : 'faces'}`),
    h(
      'ul',
      { class: 'faces' },
      faces.map((face, i) => {
        const emotion = topEmotion(face);
        const age = face.age_low !== null && face.age_low !== undefined ? `age ${face.age_low}–${face.age_high ?? face.age_low}` : 'age unknown';
        return h(
          'li',
          { class: 'face', testid: 'face' },
          h('span', { class: 'face-index', 'aria-hidden': 'true' }, String(i + 1)),
          h('span', {}, age),
          emotion ? h('span', { class: 'muted' }, ` · ${titleCase(emotion.type)} ${formatPercent(emotion.confidence)}`) : null,
        );
      }),
    ),
  );
}

// GPS is shown here only: this page is the owner's (another user's photo is a 404) and share pages never show it.
function factsSection(photo) {
  const f = photo.facts || {};
  const rows = [
    ['Taken', f.taken_at ? formatDate(f.taken_at) : null, 'taken-at'],
    ['Camera', [f.camera_make, f.camera_model].filter(Boolean).join(' ') || null, 'camera'],
    ['Dimensions', f.width && f.height ? `${f.width} × ${f.height}` : null, 'dimensions'],
    ['Format', f.format || null, 'format'],
    ['Size', f.size_bytes ? formatBytes(f.size_bytes) : null, 'size'],
    ['File name', photo.filename || null, 'filename'],
    ['Uploaded', photo.created_at ? formatDate(photo.created_at) : null, 'uploaded'],
  ].filter((r) => r[1]);
  const gps = f.gps;
  return section(
    'Details',
    'facts',
    h('dl', { class: 'facts' }, rows.map(([k, v, id]) => [h('dt', {}, k), h('dd', { testid: `fact-${id}` }, v)])),
    gps && Number.isFinite(Number(gps.latitude))
      ? h(
          'div',
          { class: 'gps', testid: 'gps' },
          h('span', {}, `Location ${Number(gps.latitude).toFixed(5)}, ${Number(gps.longitude).toFixed(5)}`),
          h('span', { class: 'muted gps-note' }, ' · only visible to you, never in share links'),
          ' ',
          h(
            'a',
            { href: `https://www.openstreetmap.org/?mlat=${gps.latitude}&mlon=${gps.longitude}#map=15/${gps.latitude}/${gps.longitude}`, target: '_blank', rel: 'noopener noreferrer' },
            'Open map',
          ),
        )
      : null,
  );
}

function statusPanel(photo) {
  if (photo.status === 'READY') return null;
  const text = {
    PENDING: 'Waiting for processing…',
    PROCESSING: 'Processing: labels, faces, text and caption are on their way.',
    REJECTED: photo.reason || 'This file was rejected.',
    QUARANTINED: photo.reason || 'This file was quarantined by moderation and cannot be shared.',
    DUPLICATE: 'You already have this photo.',
  }[photo.status];
  return h(
    'div',
    { class: ['notice', ['REJECTED', 'QUARANTINED'].includes(photo.status) && 'notice-bad'], role: 'status', testid: 'photo-status' },
    statusBadge(photo.status),
    h('p', { testid: 'photo-reason' }, text),
    photo.status === 'DUPLICATE' && photo.duplicate_of
      ? h('a', { href: `/photos/${encodeURIComponent(photo.duplicate_of)}`, 'data-link': true }, 'Open the original')
      : null,
  );
}

export async function renderPhoto(main, { params, signal, navigate }) {
  const [id] = params;
  let photo = await api.getPhoto(id, { signal });
  let timer = null;

  const draw = () => {
    const caption = captionOf(photo);
    const preview = mediaUrl(photo, 'preview') || mediaUrl(photo, 'thumb');
    const original = mediaUrl(photo, 'original');
    const a = photo.analysis || {};
    const canShare = photo.status === 'READY';

    const shareBtn = h('button', { type: 'button', class: 'btn btn-primary', testid: 'share-button', disabled: !canShare, title: canShare ? null : 'Only ready photos can be shared' }, icon('share'), 'Share');
    const deleteBtn = h('button', { type: 'button', class: 'btn btn-danger-ghost', testid: 'delete-button' }, icon('trash'), 'Delete');
    shareBtn.addEventListener('click', () => shareDialog(photo, shareBtn));
    deleteBtn.addEventListener('click', async () => {
      const ok = await confirmDialog({
        title: 'Delete this photo?',
        body: 'The original, its thumbnails, its search entries and every share link to it are removed. This cannot be undone.',
        confirmLabel: 'Delete photo',
        danger: true,
        returnFocus: deleteBtn,
      });
      if (!ok) return;
      deleteBtn.disabled = true;
      try {
        await api.deletePhoto(photo.photo_id || id);
        toast('Photo deleted.', 'success');
        navigate('/', { replace: true });
      } catch (err) {
        deleteBtn.disabled = false;
        toast(err.message, 'error');
      }
    });

    const figure = h(
      'figure',
      { class: 'preview card' },
      preview
        ? h('img', { src: preview, alt: caption.text || photo.filename || 'Photo', testid: 'photo-preview', decoding: 'async' })
        : h('div', { class: 'preview-placeholder', testid: 'photo-preview-missing' }, icon(photo.status === 'READY' ? 'image' : 'alert'), h('span', {}, 'No preview')),
      caption.text
        ? h(
            'figcaption',
            { testid: 'caption', 'data-fallback': String(caption.fallback) },
            h('span', {}, caption.text),
            caption.fallback
              ? h('span', { class: 'tag', testid: 'caption-fallback', title: 'The captioning model was unavailable, so this caption was composed from the labels.' }, 'basic caption')
              : null,
          )
        : null,
    );

    main.replaceChildren(
      h(
        'div',
        { class: 'page photo-page', testid: 'photo-page', 'data-photo-id': photo.photo_id || id, 'data-status': photo.status },
        h('div', { class: 'page-head' }, h('a', { href: '/', 'data-link': true, class: 'back-link' }, icon('back'), 'Gallery')),
        h(
          'div',
          { class: 'photo-layout' },
          figure,
          h(
            'aside',
            { class: 'details card' },
            h('h1', { class: 'photo-title', testid: 'photo-title' }, photo.filename || 'Photo'),
            statusPanel(photo),
            h(
              'div',
              { class: 'actions' },
              shareBtn,
              original ? h('a', { class: 'btn btn-ghost', href: original, target: '_blank', rel: 'noopener', testid: 'original-link' }, 'Original') : null,
              deleteBtn,
            ),
            labelsSection(a.labels),
            facesSection(a.faces),
            textSection(a.text),
            colorsSection(a.properties),
            factsSection(photo),
          ),
        ),
      ),
    );
  };

  draw();

  // Opened while the pipeline is still working on it: refresh until it settles.
  const poll = async (delay) => {
    if (TERMINAL.has(photo.status) || signal.aborted) return;
    timer = setTimeout(async () => {
      try {
        photo = await api.getPhoto(id, { signal });
        draw();
        poll(Math.min(delay * 1.5, 3000));
      } catch {
        /* navigation aborted or the photo went away: nothing to refresh */
      }
    }, delay);
  };
  poll(1000);

  return () => clearTimeout(timer);
}
