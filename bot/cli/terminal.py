"""Terminal rendering for the command line (rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from bot.models import Digest


def print_digest(
    digest: Digest | None,
    *,
    title: str | None = None,
    link: str | None = None,
    source: str | None = None,
    console: Console | None = None,
) -> None:
    """Print a digest readably: title, link, key points as bullets, TL;DR and reading facts."""
    out = console or Console(highlight=False, soft_wrap=False)
    if title:
        out.print(f"[bold]{_escape(title)}[/bold]")
    if link:
        out.print(f"[blue]{_escape(link)}[/blue]")
    if source:
        out.print(f"[dim]{_escape(source)}[/dim]")
    if digest is None:  # a first poll's backlog item, not digested yet
        out.print("[dim](no key points made yet)[/dim]")
        out.print()
        return
    if digest.too_short:
        out.print("[dim](too short to summarise: shown as is)[/dim]")
    for point in digest.key_points:
        out.print(f" • {_escape(point.text)}")
    facts = [f"{digest.word_count} words", f"{digest.reading_minutes} min read", digest.language]
    if digest.keywords:
        facts.append("keywords: " + ", ".join(digest.keywords))
    out.print(f"[dim]{_escape(' · '.join(facts))}[/dim]")
    out.print()


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


@contextmanager
def progress_over(total: int | None, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A byte-count progress bar on stderr when ``enabled``; yields its advance function."""
    if not enabled:
        yield lambda _amount: None
        return
    progress = Progress(
        BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=Console(stderr=True)
    )
    task = progress.add_task("digest", total=total)
    with progress:
        yield lambda amount: progress.advance(task, amount)
