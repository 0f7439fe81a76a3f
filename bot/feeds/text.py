"""HTML and feed text to readable plain text: paragraphs kept, entities decoded, whitespace tidy."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

log = logging.getLogger(__name__)

# Elements that end a paragraph: their text becomes a block separated by a blank line.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "legend", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
# Elements whose content is never readable text.
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "head", "title", "iframe", "object"}
)
_LINE_BREAK_TAGS = frozenset({"br"})
# Known HTML tag names: a "<word>" in a plain-text title is stripped only when it names one.
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|br|code|del|div|em|font|h[1-6]|i|img|ins|mark|p|q|s|small|span|strike"
    r"|strong|sub|sup|tt|u)\b[^<>]*>",
    re.IGNORECASE,
)
# Feed proxies and stats services put 1x1 pixels and share buttons into content.
_TRACKER = re.compile(
    r"//(?:feeds\.feedburner\.com|feedproxy\.google\.com|pixel\.wp\.com|stats\.wordpress\.com"
    r"|[^/]*feedsportal\.com|www\.google-analytics\.com)/",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[A-Za-z!/?]")
_SOURCE_NEWLINES = str.maketrans("\r\n", "  ")
_SPACES = re.compile(r"[^\S\n]+")  # whitespace other than newlines (includes NBSP)
_BLANK_LINES = re.compile(r"\n\s*\n")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True, slots=True)
class HtmlText:
    """Readable text of an HTML fragment and the first image it shows."""

    text: str
    first_image: str | None


class _TextCollector(HTMLParser):
    """Collects text into paragraphs; remembers the first ``<img src>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.first_image: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.flush()
        elif tag in _LINE_BREAK_TAGS:
            self.current.append("\n")
        elif tag == "img" and self.first_image is None:
            self.first_image = _picture(dict(attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <img/>, <hr/>: never open a skipped region.
        if tag not in _SKIP_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            # Newlines in HTML source are spaces; only <br> breaks a line.
            self.current.append(data.translate(_SOURCE_NEWLINES))

    def flush(self) -> None:
        """Close the paragraph being collected."""
        if self.current:
            self.paragraphs.append("".join(self.current))
            self.current = []


def _picture(attrs: dict[str, str | None]) -> str | None:
    """The image's URL, unless it is inline data, a tracking pixel or a feed-proxy button."""
    src = (attrs.get("src") or "").strip()
    if not src or src.startswith("data:") or _TRACKER.search(src):
        return None
    if any((attrs.get(side) or "").strip() in ("0", "1", "1px") for side in ("width", "height")):
        return None
    return src


def _tidy_paragraph(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(fragment: str) -> HtmlText:
    """Plain text of an HTML fragment: one blank line between blocks, inline spaces collapsed."""
    if not _ANY_TAG.search(fragment):
        # Text without markup (feeds mislabel plain text as HTML): keep its blank lines.
        return HtmlText(plain_to_text(html.unescape(fragment)), None)
    parser = _TextCollector()
    parser.feed(fragment)
    parser.close()
    parser.flush()
    paragraphs = (_tidy_paragraph(p) for p in parser.paragraphs)
    return HtmlText("\n\n".join(p for p in paragraphs if p), parser.first_image)


def plain_to_text(text: str) -> str:
    """Tidy plain text: paragraphs (blank-line separated) kept, other whitespace collapsed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (_tidy_paragraph(p) for p in _BLANK_LINES.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def clean_title(raw: str, *, is_html: bool = False) -> str:
    """A one-line title: tags stripped, entities decoded (twice-escaped too), spaces collapsed."""
    raw = html_to_text(raw).text if is_html else _HTML_TAG.sub(" ", raw)
    # Feeds often escape titles twice ("AT&amp;amp;T"): decode what still looks like an entity.
    for _ in range(2):
        if not _ENTITY.search(raw):
            break
        raw = html.unescape(raw)
    return " ".join(raw.split())


def first_words(text: str, count: int) -> str:
    """The first ``count`` words of ``text``, with an ellipsis when some were left out."""
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    return " ".join(words[:count]) + "…"
