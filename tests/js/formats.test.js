// The accepted formats as the web app sees them (web/js/formats.js, generated from images/formats.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ACCEPT, ACCEPTED_FORMATS, ACCEPTED_LABELS, EXTENSION_TYPES } from '../../web/js/formats.js';

test('AVIF is accepted: by the picker, by extension, and in the hint', () => {
  assert.equal(EXTENSION_TYPES.avif, 'image/avif');
  assert.ok(ACCEPT.split(',').includes('image/avif') && ACCEPT.split(',').includes('.avif'));
  assert.equal(ACCEPTED_LABELS, 'JPEG, PNG, WebP, GIF, HEIC and AVIF');
});

test('every extension of every format maps to one of its types, and the picker lists them all', () => {
  for (const format of ACCEPTED_FORMATS) {
    for (const extension of format.extensions) {
      assert.ok(format.mimeTypes.includes(EXTENSION_TYPES[extension.slice(1)]), extension);
      assert.ok(ACCEPT.split(',').includes(extension), extension);
    }
    for (const type of format.mimeTypes) assert.ok(ACCEPT.split(',').includes(type), type);
  }
});
