"""The worker-process half of the pipeline: an entry (and its page) in, a digested article out.

Kept apart from :mod:`bot.pipeline` so worker processes import only the digest engine and
the extractor, not the HTTP client and the rest of the event-loop side.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.digest import summarize
from bot.feeds.extract import ExtractionError, extract_article
from bot.fingerprint import fingerprint
from bot.models import Article, Digest, Entry


def prepare_article(
    entry: Entry,
    page: bytes | None,
    *,
    content_type: str | None = None,
    note: str | None = None,
    max_points: int = 3,
    digest: bool = True,
) -> Article:
    """Pick the best text for ``entry`` (the page's main text when it is fuller) and digest it.

    Without ``digest`` the article keeps its text and fingerprint, no digest (made when first
    asked for) and no language ("und" until then: telling it costs as much as a third of a
    digest, and nothing reads it before the digest is made).
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
    extra: dict[str, str] = {}
    digested = summarize(text, title=entry.title, max_points=max_points) if digest else None
    # Fingerprinted here, in the worker, rather than on the event loop when stored.
    found = fingerprint(entry.title, text or entry.summary)
    if found:
        extra["fingerprint"] = found
    return Article(
        entry=entry,
        text=text,
        digest=digested,
        text_source=source,
        extraction_note=note,
        extra=extra,
    )


def prepare_articles(
    entries: Sequence[Entry], *, max_points: int = 3, digest: bool = True
) -> list[Article]:
    """Prepare a batch of entries from their feed text alone: one worker job for many entries."""
    return [prepare_article(e, None, max_points=max_points, digest=digest) for e in entries]


def digest_texts(texts: Sequence[tuple[str, str]], *, max_points: int = 3) -> list[Digest]:
    """Digest ``(title, text)`` pairs: the digests a first poll left to be made later."""
    return [summarize(text, title=title, max_points=max_points) for title, text in texts]
