// Formatters of web/js/dom.js (pure: no DOM needed to import the module).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatBytes, titleCase } from '../../web/js/dom.js';

test('formatBytes picks the unit and keeps one decimal below ten', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(20 * 1024 * 1024), '20 MB');
  assert.equal(formatBytes(Number.NaN), '');
});

test('titleCase turns an enum word into a label', () => {
  assert.equal(titleCase('HAPPY'), 'Happy');
  assert.equal(titleCase(''), '');
});
