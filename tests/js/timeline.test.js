// The timeline's date logic (web/js/timeline.js): sections, headers, scrubber, jump ranges.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  addDays,
  appendToSections,
  prependToSections,
  groupPhotos,
  headerLabel,
  jumpRange,
  lastDayOfMonth,
  photoDay,
  scrubberYears,
} from '../../web/js/timeline.js';

// A PhotoSummary's fields the timeline reads: `day` is the day the server files it under (contract).
const photo = (id, takenAt) => ({ id, taken_at: takenAt, day: takenAt.slice(0, 10) });

test("a photo is filed under the day the API gives it, never shifted by the viewer's time zone", () => {
  assert.equal(photoDay({ id: 'a', taken_at: '2023-07-14T23:59:59+09:00', day: '2023-07-14' }), '2023-07-14');
});

test('photos in timeline order fall into day sections, a day split across pages stays one section', () => {
  const sections = [];
  const first = appendToSections(sections, [photo('1', '2023-07-14T18:00:00'), photo('2', '2023-07-14T09:00:00'), photo('3', '2023-07-02T09:00:00')]);
  assert.deepEqual(first.map((t) => [t.key, t.created, t.items.length]), [['2023-07-14', true, 2], ['2023-07-02', true, 1]]);
  const second = appendToSections(sections, [photo('4', '2023-07-02T08:00:00'), photo('5', '2022-12-25T08:00:00')]);
  assert.deepEqual(second.map((t) => [t.key, t.created, t.items.map((p) => p.id)]), [['2023-07-02', false, ['4']], ['2022-12-25', true, ['5']]]);
  assert.deepEqual(sections.map((s) => [s.key, s.items.length]), [['2023-07-14', 2], ['2023-07-02', 2], ['2022-12-25', 1]]);
});

test('newer photos put in front join the first section when they share its day', () => {
  const sections = groupPhotos([photo('3', '2023-07-14T09:00:00'), photo('4', '2023-07-02T09:00:00')]);
  const touched = prependToSections(sections, [photo('1', '2023-08-01T10:00:00'), photo('2', '2023-07-14T20:00:00')]);
  assert.deepEqual(touched.map((t) => [t.key, t.created, t.items.map((p) => p.id)]), [['2023-08-01', true, ['1']], ['2023-07-14', false, ['2']]]);
  assert.deepEqual(sections.map((s) => [s.key, s.items.map((p) => p.id)]), [['2023-08-01', ['1']], ['2023-07-14', ['2', '3']], ['2023-07-02', ['4']]]);
});

test('month sections group a whole month under one header', () => {
  const groups = groupPhotos([photo('1', '2023-07-14T18:00:00'), photo('2', '2023-07-02T09:00:00'), photo('3', '2023-06-30T09:00:00')], 'month');
  assert.deepEqual(groups.map((g) => [g.key, g.items.length]), [['2023-07', 2], ['2023-06', 1]]);
});

test('headers read Today, Yesterday, the weekday and date, the year when it is not this one, or the month', () => {
  const today = '2026-03-10';
  assert.equal(headerLabel('2026-03-10', { today, locale: 'en-GB' }), 'Today');
  assert.equal(headerLabel('2026-03-09', { today, locale: 'en-GB' }), 'Yesterday');
  assert.equal(headerLabel('2026-01-02', { today, locale: 'en-GB' }), 'Fri 2 Jan');
  assert.equal(headerLabel('2023-07-14', { today, locale: 'en-GB' }), 'Fri, 14 Jul 2023');
  assert.equal(headerLabel('2023-07', { today, locale: 'en-GB' }), 'July 2023');
  assert.equal(headerLabel('0000-00-00', { today }), 'Unknown date');
});

test('the short header (a one-photo day) is the date without its weekday', () => {
  const today = '2026-03-10';
  assert.equal(headerLabel('2023-07-14', { today, locale: 'en-GB', weekday: false }), '14 Jul 2023');
  assert.equal(headerLabel('2026-01-02', { today, locale: 'en-GB', weekday: false }), '2 Jan');
  assert.equal(headerLabel('2026-03-09', { today, locale: 'en-GB', weekday: false }), 'Yesterday');
});

test('day arithmetic crosses months, leap days and years', () => {
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addDays('2023-12-31', 1), '2024-01-01');
  assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  assert.equal(lastDayOfMonth('2023-02'), '2023-02-28');
  assert.equal(lastDayOfMonth('2024-02'), '2024-02-29');
  assert.equal(lastDayOfMonth('2023-12'), '2023-12-31');
});

test('a jump to a month or a year asks for photos up to its last day, and newer ones from the day after', () => {
  assert.deepEqual(jumpRange('2023-07'), { to: '2023-07-31', newerFrom: '2023-08-01' });
  assert.deepEqual(jumpRange('2023-12'), { to: '2023-12-31', newerFrom: '2024-01-01' });
  assert.deepEqual(jumpRange('2021'), { to: '2021-12-31', newerFrom: '2022-01-01' });
});

test("the scrubber groups the API's months (newest first) into years with their counts", () => {
  const years = scrubberYears([
    { month: '2024-02', count: 3 },
    { month: '2023-07', count: 5 },
    { month: '2023-01', count: 1 },
    { month: '2021-12', count: 2 },
  ]);
  assert.deepEqual(years.map((y) => [y.year, y.count]), [['2024', 3], ['2023', 6], ['2021', 2]]);
  assert.deepEqual(years[1].months, [{ key: '2023-07', count: 5 }, { key: '2023-01', count: 1 }]);
  assert.deepEqual(scrubberYears([]), []);
});
