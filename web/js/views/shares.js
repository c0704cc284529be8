// Every share link I have handed out, with copy and revoke.

import { api } from '../api.js';
import { h } from '../dom.js';
import { shareRow } from './dialogs.js';

export async function renderShares(main, { signal }) {
  const list = h('ul', { class: 'share-list', testid: 'shares-page-list' });
  const empty = h(
    'div',
    { class: 'empty-state', hidden: true, testid: 'shares-empty' },
    h('h2', {}, 'No shared links'),
    h('p', { class: 'muted' }, 'Open a photo and choose Share to create a link that expires on its own.'),
  );
  main.append(
    h(
      'div',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Shared links')),
      h('p', { class: 'muted lead' }, 'Anyone with an active link can see that one photo and its caption — never its location or file name. Revoke a link to end it at once.'),
      h('section', { class: 'card' }, list, empty),
    ),
  );
  const load = async () => {
    const { items } = await api.listShares({ signal });
    list.replaceChildren(...items.map((share) => shareRow(share, { showPhoto: true, onRevoked: load })));
    empty.hidden = items.length > 0;
  };
  await load();
}
