// People (/people): the owner's faces grouped by who they are, named ones first, each a face crop; one person
// (/people/<id>): name them, merge another person into them, see their photos in search, and take out a face that
// is not them. Crops are short-lived signed URLs like every derivative.

import { api } from '../api.js';
import { h, icon, toast } from '../dom.js';
import { personPath, photoPath, searchPath } from '../routes.js';
import { pager } from './components.js';
import { confirmDialog, promptDialog } from './dialogs.js';

const PAGE_SIZE = 60;
const facesText = (n) => `${n} ${n === 1 ? 'photo' : 'photos'}`;
const nameOf = (person) => person.name || 'Unnamed';

function crop(url, alt, className) {
  return url
    ? h('img', { src: url, alt, loading: 'lazy', decoding: 'async', class: className })
    : h('div', { class: ['thumb-placeholder', className], 'aria-hidden': 'true' }, icon('photos'));
}

function personCard(person) {
  return h(
    'li',
    { class: 'person-card', testid: 'person-card', 'data-person-id': person.id },
    h(
      'a',
      { href: personPath(person.id), 'data-link': true, class: 'person-link' },
      crop(person.cover_url, '', 'person-face'),
      h('span', { class: ['person-name', !person.name && 'muted'], testid: 'person-name' }, nameOf(person)),
      h('span', { class: 'person-count muted', testid: 'person-count' }, facesText(person.face_count)),
    ),
  );
}

export async function renderPeople(main, { signal }) {
  const list = h('ul', { class: 'people', testid: 'people', 'aria-label': 'People' });
  const empty = h(
    'div',
    { class: 'empty-state card', testid: 'people-empty', hidden: true },
    h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, icon('photos')),
    h('h2', {}, 'No people yet'),
    h('p', { class: 'muted' }, 'Faces in your photos are grouped here by who they are, only ever within your own library.'),
  );
  let cursor = null;
  const more = pager(async () => {
    const page = await api.listPeople({ cursor, limit: PAGE_SIZE, signal });
    list.append(...page.items.map(personCard));
    cursor = page.cursor;
    return Boolean(cursor);
  });
  main.append(h('div', { class: 'page' }, h('div', { class: 'page-head' }, h('h1', {}, 'People')), list, empty, more.element));
  const first = await api.listPeople({ limit: PAGE_SIZE, signal });
  list.append(...first.items.map(personCard));
  cursor = first.cursor;
  more.setDone(!cursor);
  empty.hidden = first.items.length > 0;
  return () => more.disconnect();
}

async function chooseOther(person, returnFocus) {
  // The other people, as buttons in a dialog: the one chosen is merged into this person.
  const { items } = await api.listPeople({ limit: 100 });
  const others = items.filter((p) => p.id !== person.id);
  if (!others.length) {
    toast('There is nobody else to merge with.', 'info');
    return null;
  }
  const dialog = h('dialog', { class: 'dialog', testid: 'merge-dialog', 'aria-labelledby': 'merge-title' });
  const close = h('button', { type: 'button', class: 'btn btn-ghost icon-btn dialog-close', 'aria-label': 'Close' }, icon('close'));
  const choices = h(
    'ul',
    { class: 'album-choices' },
    others.map((other) => {
      const button = h(
        'button',
        { type: 'button', class: 'album-choice', testid: 'merge-choice', 'data-person-id': other.id },
        crop(other.cover_url, '', 'album-choice-cover'),
        h('span', { class: 'album-choice-name' }, nameOf(other)),
        h('span', { class: 'muted' }, facesText(other.face_count)),
      );
      button.addEventListener('click', () => dialog.close(other.id));
      return h('li', {}, button);
    }),
  );
  dialog.append(
    h('div', { class: 'dialog-head' }, h('h2', { id: 'merge-title' }, `Who else is ${nameOf(person)}?`), close),
    h('div', { class: 'dialog-body' }, h('p', { class: 'muted' }, 'Their faces move here; the other person goes away.'), choices),
  );
  close.addEventListener('click', () => dialog.close(''));
  document.body.append(dialog);
  const chosen = await new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        dialog.remove();
        if (returnFocus?.isConnected) returnFocus.focus();
        resolve(dialog.returnValue);
      },
      { once: true },
    );
    dialog.showModal();
  });
  return others.find((other) => other.id === chosen) || null;
}

export async function renderPerson(main, { params, signal, navigate }) {
  const [personId] = params;
  let person = await api.getPerson(personId, { signal });
  const title = h('h1', { testid: 'person-title' });
  const count = h('p', { class: 'muted', testid: 'person-face-count' });
  const photosLink = h('a', { class: 'btn btn-ghost btn-sm', 'data-link': true, testid: 'person-photos' }, icon('photos'), 'Photos');
  const paintHead = () => {
    title.textContent = nameOf(person);
    count.textContent = facesText(person.face_count);
    photosLink.href = searchPath('', null, person.id);
    document.title = `${nameOf(person)} · PhotoVault`;
  };
  paintHead();

  const renameBtn = h('button', { type: 'button', class: 'btn btn-primary btn-sm', testid: 'rename-person' }, icon('edit'), person.name ? 'Rename' : 'Add a name');
  const mergeBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'merge-person' }, icon('plus'), 'Merge with…');
  renameBtn.addEventListener('click', async () => {
    const name = await promptDialog({ title: 'Who is this?', label: 'Name', value: person.name, confirmLabel: 'Save', testid: 'rename-person-dialog', maxLength: 80, returnFocus: renameBtn });
    if (!name || name === person.name) return;
    try {
      person = await api.renamePerson(person.id, name);
      renameBtn.lastChild.textContent = 'Rename';
      paintHead();
      toast('Name saved.', 'success');
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  mergeBtn.addEventListener('click', async () => {
    const other = await chooseOther(person, mergeBtn);
    if (!other) return;
    const sure = await confirmDialog({
      title: `Merge ${nameOf(other)} into ${nameOf(person)}?`,
      body: `${facesText(other.face_count)} of ${nameOf(other)} become ${nameOf(person)}'s.`,
      confirmLabel: 'Merge',
      returnFocus: mergeBtn,
    });
    if (!sure) return;
    try {
      person = await api.mergePeople(person.id, other.id);
      toast('Merged.', 'success');
      navigate(personPath(person.id), { replace: true });
    } catch (err) {
      toast(err.message, 'error');
    }
  });

  const faces = h('ul', { class: 'person-faces', testid: 'person-faces', 'aria-label': `Faces of ${nameOf(person)}` });
  const faceItem = (face) => {
    const remove = h('button', { type: 'button', class: 'btn btn-ghost btn-sm person-face-remove', testid: 'remove-face', title: 'Not this person' }, icon('close'), h('span', { class: 'visually-hidden' }, 'Not this person'));
    const item = h(
      'li',
      { class: 'person-face-item', testid: 'face', 'data-face-id': face.id },
      h('a', { href: photoPath(face.photo_id), 'data-link': true, class: 'person-face-link', 'aria-label': 'Open the photo' }, crop(face.crop_url, `A face in a photo of ${nameOf(person)}`, 'person-face')),
      remove,
    );
    remove.addEventListener('click', async () => {
      try {
        person = await api.removeFace(person.id, face.id);
        item.remove();
        paintHead();
        toast('Taken out of this person.', 'success');
      } catch (err) {
        toast(err.message, 'error');
      }
    });
    return item;
  };
  let cursor = null;
  const more = pager(async () => {
    const page = await api.personFaces(person.id, { cursor, limit: PAGE_SIZE, signal });
    faces.append(...page.items.map(faceItem));
    cursor = page.cursor;
    return Boolean(cursor);
  });
  main.append(
    h(
      'div',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('div', {}, title, count), h('div', { class: 'actions' }, renameBtn, mergeBtn, photosLink)),
      faces,
      more.element,
    ),
  );
  const first = await api.personFaces(person.id, { limit: PAGE_SIZE, signal });
  faces.append(...first.items.map(faceItem));
  cursor = first.cursor;
  more.setDone(!cursor);
  return () => more.disconnect();
}
