"""Full text: tell a teaser from an article, and extract an article page's main text (trafilatura).

Everything here is pure and synchronous so the poller can run it in a worker process. Nothing is
fetched: the page arrives as bytes from the project's fetcher (same caps and SSRF guard),
trafilatura is only ever handed a parsed tree, and its metadata step (htmldate) gets that tree.

Bounds (the fetcher caps bodies at 10 MiB; see ``ExtractOptions``): a page with more than
``max_markup`` "<" characters is refused before parsing, and one whose parsed tree has more than
``max_elements`` elements or more than ``max_text_chars`` characters of text (scripts and styles
not counted) is refused before trafilatura sees it. Measured with the defaults on this 2-core
machine (``benchmarks/extraction.py --stress``): the worst page just under the bounds cost about
90 MB of extra peak memory and 4.5 s; a 10 MiB page beyond them is refused in under 0.1 s, where
trafilatura alone spent 1.7 GB and 48 s on one. libxml2 cuts a single text node at 10 M characters
(the rest of such a page is lost). Failures raise :class:`ExtractionError`, never return ``None``:
its message says why, for the article's ``extraction_note``.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from datetime import date

import trafilatura
from charset_normalizer import from_bytes
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from bot.feeds.teaser import count_words

log = logging.getLogger(__name__)

# Elements whose text is not page text: left out when measuring a page.
_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels whose Python codec is narrower than what browsers decode under that name (WHATWG).
_SUPERSETS = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso-8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "tis-620": "cp874",
}
_SNIFF_BYTES = 64 * 1024  # how much of an undeclared legacy page the detector reads
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})\b", re.IGNORECASE)


class ExtractionError(Exception):
    """The page gave no usable article text; ``str(error)`` says why."""


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How to extract: trafilatura's switches (chosen on the benchmark) and the size bounds."""

    favor_precision: bool = True
    favor_recall: bool = False
    fast: bool = False
    include_tables: bool = True
    with_metadata: bool = True
    min_words: int = 25  # fewer words than this: "page too short"
    max_markup: int = 400_000  # "<" characters in the page, checked before parsing
    max_elements: int = 60_000  # elements of the parsed tree
    max_text_chars: int = 2_000_000  # characters of text in the parsed tree


@dataclass(frozen=True, slots=True)
class Extraction:
    """The main text of an article page (paragraphs separated by blank lines) and its metadata."""

    text: str
    word_count: int
    title: str | None = None
    author: str | None = None
    date: date | None = None
    image: str | None = None
    language: str | None = None  # ISO 639-1 code from <html lang>, when the page declares one


def extract_article(
    html: bytes | str,
    *,
    url: str | None = None,
    content_type: str | None = None,
    options: ExtractOptions | None = None,
) -> Extraction:
    """Extract the main text and metadata of an article page; raises :class:`ExtractionError`."""
    opts = options or ExtractOptions()
    page = decode_html(html, content_type) if isinstance(html, bytes) else html
    tree = _parse_bounded(page, opts)
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            fast=opts.fast,
            favor_precision=opts.favor_precision,
            favor_recall=opts.favor_recall,
            include_comments=False,
            include_tables=opts.include_tables,
            include_images=False,
            include_links=False,
            with_metadata=opts.with_metadata,
        )
    except Exception as exc:  # trafilatura bugs on odd markup must not kill a poll
        log.warning("trafilatura failed on %s: %r", url, exc)
        raise ExtractionError(f"extractor failed: {type(exc).__name__}") from exc
    if not isinstance(document, Document) or document.body is None:
        raise ExtractionError("no main text found")
    text = _paragraphs(document.body)
    words = count_words(text)
    if words == 0:
        raise ExtractionError("no main text found")
    if words < opts.min_words:
        raise ExtractionError(f"page too short: {words} words of main text")
    return Extraction(
        text=text,
        word_count=words,
        title=_clean(document.title),
        author=_clean(document.author),
        date=_parse_date(document.date),
        image=_clean(document.image),
        language=_language(page),
    )


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode a page: BOM, UTF-16/32 label, valid UTF-8, header charset, meta charset, detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    header = _codec(_charset(content_type.encode("latin-1", "replace") if content_type else b""))
    if header and header.startswith(("utf-16", "utf-32")):
        return data.decode(header, errors="replace")
    try:
        # Valid UTF-8 with non-ASCII bytes is almost never an accident: it beats a stale label.
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    metas = (_codec(_charset(tag)) for tag in _META.findall(data, 0, 4096))
    meta = next((codec for codec in metas if codec), None)
    declared = [c for c in (header, meta) if c and not c.startswith(("utf-16", "utf-32"))]
    for encoding in declared:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    guess = _detect(data[:_SNIFF_BYTES])
    fallback = guess or (declared[0] if declared else "utf-8")
    return data.decode(fallback, errors="replace")


def _detect(sample: bytes) -> str | None:
    """charset_normalizer's guess; on a tie, windows-1252, the web's most common legacy charset."""
    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return None
    tied = {m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)}
    return "cp1252" if "cp1252" in tied else best.encoding


def _charset(header: bytes) -> str | None:
    match = _CHARSET.search(header)
    return match.group(1).decode("ascii").lower() if match else None


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label (browser supersets preferred), None if unknown."""
    if not label:
        return None
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _parse_bounded(page: str, opts: ExtractOptions) -> HtmlElement:
    """Parse the page the way trafilatura does, refusing pages beyond the size bounds."""
    markup = page.count("<")
    if markup > opts.max_markup:
        raise ExtractionError(f"page too large: {markup} tags (limit {opts.max_markup})")
    tree = load_html(page)
    if tree is None:
        raise ExtractionError("not an HTML page")
    elements = chars = 0
    for element in tree.iter():
        elements += 1
        if element.tail:
            chars += len(element.tail)
        if element.text and element.tag not in _NOT_TEXT:
            chars += len(element.text)
    if elements > opts.max_elements:
        raise ExtractionError(f"page too large: {elements} elements (limit {opts.max_elements})")
    if chars > opts.max_text_chars:
        raise ExtractionError(f"page too large: {chars} characters (limit {opts.max_text_chars})")
    return tree


def _paragraphs(body: HtmlElement) -> str:
    """The extracted body as text: one block per top-level element, blank lines between."""
    blocks = [body.text.strip()] if body.text and body.text.strip() else []
    for child in body:
        block = xmltotxt(child, include_formatting=False).strip()
        if block:
            blocks.append(block)
    return "\n\n".join(blocks)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _parse_date(value: str | None) -> date | None:
    """trafilatura gives dates as ``YYYY-MM-DD``; anything else is dropped."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _language(page: str) -> str | None:
    """The primary language subtag of ``<html lang>``, lower-cased."""
    match = _HTML_LANG.search(page, 0, 20_000)
    return match.group(1).lower() if match else None
