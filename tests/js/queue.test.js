// The upload queue's states as the panel shows them (web/js/queue.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isDone, itemBadge, itemDetail, queueSummary, sendingBytes, settledState } from '../../web/js/queue.js';

const item = (state, fields = {}) => ({ state, progress: 0, photo: null, message: '', ...fields });

test('the overall line counts ready photos of all, and what is still moving or needs attention', () => {
  const items = [
    ...Array.from({ length: 12 }, () => item('READY', { photo: { caption: null } })),
    item('uploading', { progress: 0.5 }),
    item('queued'),
    item('processing', { photo: { status: 'PROCESSING', retry: null } }),
    item('DUPLICATE'),
    item('failed', { message: 'The upload was interrupted.' }),
  ];
  const summary = queueSummary(items);
  assert.equal(summary.text, '12 of 17 ready · 2 uploading · 1 processing · 2 need attention');
  assert.equal(summary.ready, 12);
  assert.ok(summary.fraction > 0.7 && summary.fraction < 1);
  assert.equal(queueSummary([item('READY')]).fraction, 1);
  assert.equal(queueSummary([]).text, '0 of 0 ready');
});

test('leaving the page is only a loss while bytes are still on their way', () => {
  assert.equal(sendingBytes([item('READY'), item('uploading')]), true);
  assert.equal(sendingBytes([item('queued')]), true);
  // Stored bytes are processed on the server whether the page stays or not.
  assert.equal(sendingBytes([item('processing'), item('READY'), item('failed')]), false);
});

test('a photo the API marks as retrying says so and that nothing is needed', () => {
  const retrying = item('processing', { photo: { status: 'PROCESSING', retry: { attempts: 1, cause: 'interrupted', since: '2026-01-01T00:00:00Z' } } });
  assert.equal(itemBadge(retrying), 'retrying');
  assert.match(itemDetail(retrying), /Retrying: the last attempt was interrupted \(attempt 2 next\)/);
  assert.equal(itemBadge(item('processing', { photo: { status: 'PENDING', retry: null } })), 'processing');
});

test('failed and expired uploads are done and say why', () => {
  assert.equal(isDone(item('failed')), true);
  assert.equal(isDone(item('gone')), true);
  assert.equal(isDone(item('processing')), false);
  const failed = item('FAILED', { photo: { reason: { code: 'processing_failed', message: 'We could not process this photo after 5 attempts.' } } });
  assert.equal(itemDetail(failed), 'We could not process this photo after 5 attempts.');
  assert.match(itemDetail(item('gone')), /expired before its file arrived/);
  assert.equal(itemDetail(item('uploading', { progress: 0.42 })), 'Uploading… 42%');
});

test('an upload moved to the trash settles there: never counted ready nor sent to the timeline', () => {
  const trashed = { status: 'READY', trashed_at: '2026-12-05T01:00:00Z' };
  assert.equal(settledState(trashed), 'trashed');
  assert.equal(settledState({ status: 'PENDING', trashed_at: '2026-12-05T01:00:00Z' }), 'trashed');
  assert.equal(settledState({ status: 'READY', trashed_at: null }), 'READY');
  assert.equal(settledState({ status: 'PROCESSING', trashed_at: null }), null);
  const summary = queueSummary([item('READY'), item('trashed', { photo: trashed })]);
  assert.equal(summary.text, '1 of 2 ready · 1 in the trash');
  assert.equal(summary.fraction, 1);
  assert.equal(isDone(item('trashed')), true);
  assert.match(itemDetail(item('trashed')), /Moved to the trash/);
});
