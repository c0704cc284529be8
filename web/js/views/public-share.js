// The public page behind a share link: no sign-in, one photo and its caption, or a clear "link is dead" message.

import { ApiError, api } from '../api.js';
import { formatRelative, h, icon } from '../dom.js';

/** A dead or failing public link (photo or album): says so plainly, in the words a guest understands. */
export function shareUnavailable(main, err, failedTitle) {
  const dead = err instanceof ApiError && [400, 403, 404, 410].includes(err.status);
  main.append(
    h(
      'section',
      { class: 'public-share page' },
      h(
        'div',
        { class: 'empty-state card', role: 'alert', testid: 'share-unavailable' },
        h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, icon('link')),
        h('h1', {}, dead ? 'This link has expired or was revoked' : failedTitle),
        h('p', { class: 'muted' }, dead ? 'Ask the person who shared it for a new link.' : err.message),
      ),
    ),
  );
}

export async function renderPublicShare(main, { params }) {
  const [token] = params;
  let share;
  try {
    share = await api.publicShare(token);
  } catch (err) {
    shareUnavailable(main, err, 'This photo cannot be shown right now');
    return;
  }
  const { caption, preview } = share;
  main.append(
    h(
      'section',
      { class: 'public-share page', testid: 'public-share' },
      h(
        'figure',
        { class: 'preview card' },
        h('img', { src: preview.url, alt: caption || 'Shared photo', testid: 'shared-image' }),
        h(
          'figcaption',
          {},
          h('h1', { class: 'shared-caption', testid: 'shared-caption' }, caption || 'A shared photo'),
          h('p', { class: 'muted', testid: 'shared-expiry' }, `This link expires ${formatRelative(share.expires_at)}.`),
        ),
      ),
      h('p', { class: 'muted center small' }, 'Shared privately with PhotoVault.'),
    ),
  );
}
