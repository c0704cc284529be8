// The timeline's date logic: which day or month a photo belongs to, the headers between them, the scrubber's
// years and months, and the date range a jump asks the API for. Pure (no DOM), so node --test covers it
// (tests/js/timeline.test.js).
//
// A photo's date is the contract's PhotoSummary.day ("YYYY-MM-DD"): the day the server files it under in the
// timeline (taken, in the camera's own local time, else the upload day), so headers always agree with the order.

/** "YYYY-MM-DD" of a PhotoSummary: the day the timeline files it under. */
export function photoDay(photo) {
  return photo.day;
}

/** The section key of a photo: its day ("2023-07-14") or month ("2023-07"). */
export function sectionKey(photo, granularity = 'day') {
  const day = photoDay(photo);
  return granularity === 'month' ? day.slice(0, 7) : day;
}

/**
 * Add a page of photos (already in timeline order) to the sections shown so far: photos of the section the page
 * continues join it, the rest open new sections. Returns the sections touched, in order, each
 * {key, items, created}: `created` ones need a header; the others only get more tiles.
 */
export function appendToSections(sections, photos, granularity = 'day') {
  const touched = [];
  for (const photo of photos) {
    const key = sectionKey(photo, granularity);
    let last = sections[sections.length - 1];
    if (!last || last.key !== key) {
      last = { key, items: [] };
      sections.push(last);
      touched.push({ key, items: [], created: true, section: last });
    } else if (!touched.length || touched[touched.length - 1].key !== key) {
      touched.push({ key, items: [], created: false, section: last });
    }
    last.items.push(photo);
    touched[touched.length - 1].items.push(photo);
  }
  return touched;
}

/**
 * Put photos that come before everything shown (newer ones, loaded after a jump into the past), given in display
 * order, in front of the sections: the mirror of appendToSections. Returns the touched sections in display order;
 * for one that is not `created`, its `items` go in front of its existing tiles.
 */
export function prependToSections(sections, photos, granularity = 'day') {
  const groups = groupPhotos(photos, granularity);
  const first = sections[0];
  const touched = [];
  if (groups.length && first && groups[groups.length - 1].key === first.key) {
    const joined = groups.pop();
    first.items.unshift(...joined.items);
    touched.push({ key: joined.key, items: joined.items, created: false, section: first });
  }
  sections.unshift(...groups);
  return [...groups.map((g) => ({ key: g.key, items: g.items, created: true, section: g })), ...touched];
}

/** Group photos (in order) into sections: [{key, items}]. */
export function groupPhotos(photos, granularity = 'day') {
  const sections = [];
  appendToSections(sections, photos, granularity);
  return sections;
}

function dateOf(key) {
  const [y, m, d] = key.split('-').map(Number);
  // Noon UTC, formatted in UTC: the calendar date never moves with the viewer's time zone.
  return new Date(Date.UTC(y, (m || 1) - 1, d || 1, 12));
}

/**
 * A section header: "Today", "Yesterday", "Fri, 14 Jul 2023" (other years), "Fri, 14 Jul" (this year), or a
 * month: "July 2023". `today` is "YYYY-MM-DD" in the viewer's calendar.
 */
export function headerLabel(key, { today, locale, weekday = true } = {}) {
  if (key === '0000-00-00' || key === '0000-00') return 'Unknown date';
  const date = dateOf(key);
  if (key.length === 7) return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
  if (today) {
    if (key === today) return 'Today';
    if (key === addDays(today, -1)) return 'Yesterday';
  }
  const sameYear = today && today.slice(0, 4) === key.slice(0, 4);
  const options = { day: 'numeric', month: 'short', timeZone: 'UTC', ...(weekday ? { weekday: 'short' } : {}) };
  if (!sameYear) options.year = 'numeric';
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/** "YYYY-MM-DD" plus n days. */
export function addDays(day, n) {
  const date = dateOf(day);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** The viewer's calendar date as "YYYY-MM-DD" (for "Today"/"Yesterday"). */
export function localDay(now = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The last day of a month "YYYY-MM" as "YYYY-MM-DD". */
export function lastDayOfMonth(month) {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0, 12)).toISOString().slice(0, 10);
}

/**
 * What the API is asked for when a person jumps to a month or a year of the newest-first timeline: photos up to
 * the end of that period, newest first (`to` is inclusive), and — to load the photos above it on demand — the day
 * after, oldest first.
 */
export function jumpRange(period) {
  const to = period.length === 4 ? `${period}-12-31` : lastDayOfMonth(period);
  return { to, newerFrom: addDays(to, 1) };
}

/**
 * The scrubber's entries from the API's MonthList items ({month: "YYYY-MM", count}, newest first):
 * [{year: "2023", count, months: [{key: "2023-07", count}, …]}], newest first.
 */
export function scrubberYears(months) {
  const years = [];
  for (const { month, count } of months) {
    const year = month.slice(0, 4);
    let last = years[years.length - 1];
    if (!last || last.year !== year) {
      last = { year, count: 0, months: [] };
      years.push(last);
    }
    last.count += count;
    last.months.push({ key: month, count });
  }
  return years;
}

/** "Jul" / "July" for a month key. */
export function monthName(key, { locale, style = 'short' } = {}) {
  return new Intl.DateTimeFormat(locale, { month: style, timeZone: 'UTC' }).format(dateOf(`${key}-01`));
}
