"""The worker-process half of the pipeline: an entry (and its page) in, a digested article out.

Kept apart from :mod:`bot.pipeline` so worker processes import only the digest engine and
the extractor, not the HTTP client and the rest of the event-loop side.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.digest import summarize
from bot.feeds.extract import ExtractionError, extract_article
from bot.fingerprint import fingerprint
from bot.models import Article, Entry


def prepare_article(
    entry: Entry,
    page: bytes | None,
    *,
    content_type: str | None = None,
    note: str | None = None,
    max_points: int = 3,
) -> Article:
    """Pick the best text for ``entry`` (the page's main text when it is fuller) and digest it.

    Pure and picklable: it runs in a worker process.
    """
    text = entry.content or entry.summary
    source = "feed"
    if page is not None:
        try:
            extraction = extract_article(page, url=entry.link, content_type=content_type)
        except ExtractionError as exc:
            note = f"page text not extracted: {exc}"
        else:
            if len(extraction.text.split()) > len(text.split()):
                text, source = extraction.text, "page"
            else:
                note = "page text was not fuller than the feed's"
    digest = summarize(text, title=entry.title, max_points=max_points)
    # Fingerprinted here, in the worker, rather than on the event loop when stored.
    found = fingerprint(entry.title, text or entry.summary)
    return Article(
        entry=entry,
        text=text,
        digest=digest,
        text_source=source,
        extraction_note=note,
        extra={"fingerprint": found} if found else {},
    )


def prepare_articles(entries: Sequence[Entry], *, max_points: int = 3) -> list[Article]:
    """Digest a batch of entries from their feed text alone: one worker job for many entries."""
    return [prepare_article(entry, None, max_points=max_points) for entry in entries]
