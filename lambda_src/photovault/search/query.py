"""Search reads: AND over the per-term partitions — reads grow with the matches, never with the library.

Every term partition (``USER#<sub>#T#<term>``) is sorted by photo id, and photo ids are time-ordered, so each is a
newest-first posting list. The algorithm:

1. Probe: read the first chunk (newest first, below the cursor) of every term's partition.
2. Pick the driver: the smallest partition that the probe read completely; if none was read completely, the term
   whose chunk reaches furthest back in time (the sparsest one).
3. Walk the driver's postings newest first. A candidate is kept when every other term has a posting for it; for
   ids inside a term's probed range the probe already answers, below it one batched point read per candidate
   and term answers (BatchGetItem).
4. Stop at ``limit`` hits, at the end of the driver, or after a bounded number of driver chunks (then the cursor
   says where to continue).

So a rare term costs its own postings, and a rare term AND a common term costs the rare term's postings, one chunk
of the common term and at most one point read per candidate — never a Scan, never the whole library.

When nothing matches every term, ``best_partial`` ranks what the probes already read by how many terms each photo
matches: the best partial matches among the newest postings of each term, at no extra read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from photovault.ports import PostingPage, TermIndex, TermPosting

MIN_CHUNK = 10
MAX_DRIVER_CHUNKS = 8


@dataclass(frozen=True, slots=True)
class IntersectionPage:
    rows: list[dict[str, TermPosting]]  # per hit: term -> its posting, in newest-first order
    before: str | None  # continue strictly below this photo id; None when the intersection is exhausted
    probes: dict[str, PostingPage] = field(default_factory=dict)  # the first chunk of every term, as read


def intersect(index: TermIndex, owner: str, terms: list[str], *, limit: int, before: str | None) -> IntersectionPage:
    """At most ``limit`` photos matching every term, newest first, strictly older than ``before``."""
    chunk = max(limit, MIN_CHUNK)
    probes: dict[str, PostingPage] = {
        term: index.term_postings(owner, term, limit=chunk, before=before) for term in terms
    }
    if any(not probes[term].postings for term in terms):
        return IntersectionPage(rows=[], before=None, probes=probes)  # one term has nothing (left): nor the AND

    complete = [term for term in terms if probes[term].next_position is None]
    if complete:
        driver = min(complete, key=lambda term: len(probes[term].postings))
    else:
        driver = min(terms, key=lambda term: probes[term].postings[-1].photo_id)
    others = [term for term in terms if term != driver]
    known = {term: {p.photo_id: p for p in probes[term].postings} for term in others}
    # Below ``floor`` the probe of that term says nothing; None means the probe saw the whole (remaining) partition.
    floor = {
        term: None if probes[term].next_position is None else probes[term].postings[-1].photo_id for term in others
    }

    rows: list[dict[str, TermPosting]] = []
    page = probes[driver]
    chunks = 1
    while True:
        wanted = [
            (term, posting.photo_id)
            for posting in page.postings
            for term in others
            if _below(posting.photo_id, floor[term])
        ]
        fetched = index.postings_for(owner, wanted) if wanted else {}

        for position, posting in enumerate(page.postings):
            row = _match(driver, posting, others, floor, known, fetched)
            if row is None:
                continue
            rows.append(row)
            if len(rows) >= limit:
                more = position < len(page.postings) - 1 or page.next_position is not None
                return IntersectionPage(rows=rows, before=posting.photo_id if more else None, probes=probes)

        last_examined = page.postings[-1].photo_id
        if page.next_position is None:
            return IntersectionPage(rows=rows, before=None, probes=probes)
        if chunks >= MAX_DRIVER_CHUNKS:
            return IntersectionPage(rows=rows, before=last_examined, probes=probes)
        page = index.term_postings(owner, driver, limit=chunk, before=last_examined)
        chunks += 1
        if not page.postings:
            return IntersectionPage(rows=rows, before=None, probes=probes)


def best_partial(
    probes: dict[str, PostingPage], *, limit: int, required: str | None = None
) -> list[dict[str, TermPosting]]:
    """At most ``limit`` photos of the probes matching at least one term — with ``required`` (a facet chip), that
    term and at least one more — those matching the most terms first, newest first among equals."""
    rows: dict[str, dict[str, TermPosting]] = {}
    for term, page in probes.items():
        for posting in page.postings:
            rows.setdefault(posting.photo_id, {})[term] = posting
    ranked = sorted(
        (row for row in rows.values() if required is None or (required in row and len(row) > 1)),
        key=lambda row: (len(row), next(iter(row.values())).photo_id),
        reverse=True,
    )
    return ranked[:limit]


def _below(photo_id: str, floor: str | None) -> bool:
    """True when ``photo_id`` lies below what the probe of a term covered (so it needs a point read)."""
    return floor is not None and photo_id < floor


def _match(
    driver: str,
    posting: TermPosting,
    others: list[str],
    floor: dict[str, str | None],
    known: dict[str, dict[str, TermPosting]],
    fetched: dict[tuple[str, str], TermPosting],
) -> dict[str, TermPosting] | None:
    """The postings of every term for the driver's candidate, or None when one term does not match it."""
    row = {driver: posting}
    for term in others:
        if _below(posting.photo_id, floor[term]):
            found = fetched.get((term, posting.photo_id))
        else:
            found = known[term].get(posting.photo_id)
        if found is None:
            return None
        row[term] = found
    return row
