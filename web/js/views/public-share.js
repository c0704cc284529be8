// The public page behind a share link: no sign-in, one photo and its caption, or a clear "link is dead" message.

import { ApiError, api, captionOf } from '../api.js';
import { formatRelative, h, icon } from '../dom.js';

export async function renderPublicShare(main, { params }) {
  const [token] = params;
  let share;
  try {
    share = await api.publicShare(token);
  } catch (err) {
    const dead = err instanceof ApiError && [400, 403, 404, 410].includes(err.status);
    main.append(
      h(
        'section',
        { class: 'public-share page' },
        h(
          'div',
          { class: 'empty-state card', role: 'alert', testid: 'share-unavailable' },
          h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, icon('link')),
          h('h1', {}, dead ? 'This link has expired or was revoked' : 'This photo cannot be shown right now'),
          h('p', { class: 'muted' }, dead ? 'Ask the person who shared it for a new link.' : err.message),
        ),
      ),
    );
    return;
  }
  const caption = captionOf(share);
  const url = share.url || share.preview_url || share.urls?.preview;
  main.append(
    h(
      'section',
      { class: 'public-share page', testid: 'public-share' },
      h(
        'figure',
        { class: 'preview card' },
        url ? h('img', { src: url, alt: caption.text || 'Shared photo', testid: 'shared-image' }) : null,
        h(
          'figcaption',
          {},
          h('h1', { class: 'shared-caption', testid: 'shared-caption' }, caption.text || 'A shared photo'),
          share.expires_at ? h('p', { class: 'muted', testid: 'shared-expiry' }, `This link expires ${formatRelative(share.expires_at)}.`) : null,
        ),
      ),
      h('p', { class: 'muted center small' }, 'Shared privately with PhotoVault.'),
    ),
  );
}
