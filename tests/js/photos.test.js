// What the contract's photo and share fields mean to a person (web/js/photos.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FINAL_STATUSES, cameraText, cardLabel, faceText, isFinal, shareStateText, statusNote, trashDaysLeft, trashNotice, viewsText } from '../../web/js/photos.js';

// A PhotoSummary as docs/openapi.json documents it.
const summary = (fields = {}) => ({
  id: '01937a2e-7c4b-7d2a-9f10-3a5b6c7d8e9f',
  status: 'READY',
  filename: 'beach.jpg',
  uploaded_at: '2026-11-25T10:00:00.000Z',
  taken_at: null,
  width: 4000,
  height: 3000,
  caption: 'a dog on a beach',
  reason: null,
  duplicate_of: null,
  urls: { expires_at: 1795600800, thumb: 'https://cdn.example/t', preview: 'https://cdn.example/p', original: null },
  ...fields,
});

test('every status but PENDING and PROCESSING is final, FAILED included', () => {
  assert.deepEqual([...FINAL_STATUSES].sort(), ['DUPLICATE', 'FAILED', 'QUARANTINED', 'READY', 'REJECTED']);
  assert.equal(isFinal('PROCESSING'), false);
  assert.equal(isFinal('FAILED'), true);
});

test('a tile is named by its caption, or its file name, and says the status unless ready', () => {
  assert.equal(cardLabel(summary()), 'a dog on a beach');
  assert.equal(cardLabel(summary({ caption: null, status: 'PROCESSING' })), 'beach.jpg (Processing)');
});

test('the status note reads the reason the API gives, and has none for a ready photo', () => {
  assert.equal(statusNote(summary()), null);
  const rejected = summary({ status: 'REJECTED', reason: { code: 'corrupt_image', message: 'The file is damaged.' } });
  assert.equal(statusNote(rejected), 'The file is damaged.');
  assert.equal(statusNote(summary({ status: 'FAILED', reason: null })), 'This upload could not be processed.');
  assert.equal(statusNote(summary({ status: 'DUPLICATE', duplicate_of: 'x' })), 'You already have this photo.');
});

test('camera text joins what the file named', () => {
  assert.equal(cameraText({ make: 'Canon', model: 'EOS R5' }), 'Canon EOS R5');
  assert.equal(cameraText({ make: null, model: 'Pixel 8' }), 'Pixel 8');
  assert.equal(cameraText(null), null);
});

test('a share reads its state and views as a person would', () => {
  assert.equal(shareStateText('exhausted'), 'used up');
  assert.equal(shareStateText('active'), 'active');
  assert.equal(viewsText({ views: 2, max_views: 5 }), '2 of 5 views');
  assert.equal(viewsText({ views: 3, max_views: null }), '3 views');
});

test('a face shows the age range the analysis knows, or only which face it is, never "age unknown"', () => {
  assert.equal(faceText({ age_low: 30, age_high: 40, emotion: 'HAPPY' }, 0), 'age 30–40');
  assert.equal(faceText({ age_low: 25, age_high: null, emotion: null }, 0), 'age 25–25');
  assert.equal(faceText({ age_low: null, age_high: null, emotion: null }, 1), 'face 2');
});

test('a trashed photo says how many days it has left of the 30', () => {
  const trashedAt = '2026-03-01T10:00:00.000Z';
  const at = (iso) => new Date(iso).getTime();
  assert.equal(trashDaysLeft(trashedAt, 30, at('2026-03-01T10:00:01.000Z')), 30);
  assert.equal(trashDaysLeft(trashedAt, 30, at('2026-03-30T11:00:00.000Z')), 1);
  assert.equal(trashDaysLeft(trashedAt, 30, at('2026-04-05T00:00:00.000Z')), 0);
  assert.equal(trashNotice(30), 'Deleted in 30 days');
  assert.equal(trashNotice(1), 'Deleted tomorrow');
  assert.equal(trashNotice(0), 'Deleted within a day');
});
