"""Small builders for poller tests: RSS documents, article pages and a controllable clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

from tests.conftest import SEED_ARTICLE
from tests.fixtures.http import HttpServer

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


@dataclass(frozen=True, slots=True)
class Item:
    """One RSS item."""

    guid: str
    title: str
    link: str
    description: str
    published: datetime = START


def rss(items: list[Item], *, title: str = "Test feed", ttl: int | None = None) -> str:
    """An RSS 2.0 document holding ``items``."""
    body = "".join(
        f"<item><guid isPermaLink='false'>{escape(i.guid)}</guid><title>{escape(i.title)}</title>"
        f"<link>{escape(i.link)}</link><description>{escape(i.description)}</description>"
        f"<pubDate>{format_datetime(i.published)}</pubDate></item>"
        for i in items
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl is not None else ""
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{escape(title)}</title><link>http://example.org/</link>{ttl_tag}{body}"
        "</channel></rss>"
    )


def story(n: int, *, words: int = 200, base: str = "http://example.org") -> Item:
    """A full-text item (long enough not to be a teaser), distinct per ``n``."""
    sentences = " ".join(
        f"Story {n} reports development number {k} in the town of Example{n}."
        for k in range(words // 10)
    )
    return Item(
        guid=f"story-{n}",
        title=f"Story number {n}",
        link=f"{base}/news/{n}",
        description=sentences,
        published=START - timedelta(hours=n),
    )


def seed_page() -> str:
    """The seed article as a news page with navigation and footer noise."""
    blocks = []
    for line in SEED_ARTICLE.read_text().splitlines():
        if not line.strip():
            continue
        # Short lines without final punctuation are the article's sub-headings.
        heading = len(line.split()) <= 5 and not line.rstrip().endswith((".", "”", '"', "?"))
        blocks.append(f"<h2>{escape(line)}</h2>" if heading else f"<p>{escape(line)}</p>")
    paragraphs = "".join(blocks)
    return (
        "<html><head><title>Putin orders Syria pullout</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> Sign up for our newsletter</nav>"
        f"<article><h1>Putin orders Syria pullout</h1>{paragraphs}</article>"
        "<footer>Copyright Example News. All rights reserved.</footer></body></html>"
    )


SEED_TITLE = "Putin orders Syria pullout"
SEED_PAGE_PATH = "/world/putin-syria"


def seed_teaser(http_server: HttpServer, *, published: datetime = START) -> Item:
    """A feed item that is only a teaser of the seed article, whose page the server serves."""
    page = http_server.static(SEED_PAGE_PATH, seed_page(), content_type="text/html")
    return Item(
        guid="seed",
        title=SEED_TITLE,
        link=page,
        description="Russian President Vladimir Putin on Monday announced a partial withdrawal.",
        published=published,
    )


def serve_seed_feed(http_server: HttpServer, *, title: str = "World News") -> str:
    """Serve a feed whose newest item is the seed teaser (then two stories); its URL."""
    items = [seed_teaser(http_server), story(1), story(2)]
    return http_server.static("/feed.xml", rss(items, title=title))
