// The single-page app's routes (web/js/routes.js): share links are real paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { legacySharePath, matchRoute, personPath, photoPath, searchPath } from '../../web/js/routes.js';

test('a share link /s/<token> opens the public share page without sign-in', () => {
  const { route, params } = matchRoute('/s/Qm9vdHN0cmFwVG9rZW4wMDAwMDAwMDAw');
  assert.equal(route.name, 'share');
  assert.equal(route.public, true);
  assert.deepEqual(params, ['Qm9vdHN0cmFwVG9rZW4wMDAwMDAwMDAw']);
});

test('private pages and their parameters', () => {
  assert.equal(matchRoute('/').route.name, 'timeline');
  assert.equal(matchRoute('/favorites').route.name, 'favorites');
  assert.deepEqual(matchRoute('/albums/01J0ALBUM').params, ['01J0ALBUM']);
  assert.equal(matchRoute('/albums').route.name, 'albums');
  assert.equal(matchRoute('/trash').route.name, 'trash');
  assert.equal(matchRoute('/attention').route.name, 'attention');
  assert.equal(matchRoute('/photos/%E0%A4%A'), null);
  assert.deepEqual(matchRoute('/photos/a%2Fb').params, ['a/b']);
  assert.equal(matchRoute('/photos/abc').route.public, undefined);
  assert.equal(matchRoute('/shares/').route.name, 'shares');
  assert.equal(matchRoute('/nope'), null);
  assert.equal(matchRoute('/s/'), null);
});

test('the viewer opens over the page it came from; an album link opens without sign-in', () => {
  assert.equal(matchRoute('/photos/abc').route.overlay, true);
  assert.equal(matchRoute('/').route.overlay, undefined);
  const album = matchRoute('/a/QWxidW1Ub2tlbg');
  assert.equal(album.route.name, 'publicAlbum');
  assert.equal(album.route.public, true);
  assert.equal(album.route.bare, true);
});

test('search paths carry the words and the label facet', () => {
  assert.equal(searchPath('beach dog'), '/search?q=beach+dog');
  assert.equal(searchPath('beach', 'Ping-pong Ball'), '/search?q=beach&label=Ping-pong+Ball');
  assert.equal(searchPath('', 'Dog'), '/search?label=Dog');
  assert.equal(photoPath('a/b'), '/photos/a%2Fb');
});

test('links handed out as /#/s/<token> lead to the real path', () => {
  assert.equal(legacySharePath('#/s/abc_DEF-123'), '/s/abc_DEF-123');
  assert.equal(legacySharePath('#s/abc'), '/s/abc');
  assert.equal(legacySharePath('#/photos/abc'), null);
  assert.equal(legacySharePath(''), null);
});

test('the people page, a person, and a search narrowed to a person', () => {
  assert.equal(matchRoute('/people').route.name, 'people');
  assert.deepEqual(matchRoute('/people/0123abcd').params, ['0123abcd']);
  assert.equal(matchRoute('/people/0123abcd').route.nav, 'people');
  assert.equal(personPath('a/b'), '/people/a%2Fb');
  assert.equal(searchPath('beach', null, 'p1'), '/search?q=beach&person=p1');
  assert.equal(searchPath('', 'Dog', 'p1'), '/search?label=Dog&person=p1');
});
