"""The digest selector's knobs, in one place for the position prior and the selection."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Params:
    """The selector's few knobs (defaults chosen on dev data, checked on three datasets)."""

    lead: float = 0.4  # weight of the position prior against centrality (0..1)
    # ... in articles with sub-headings: the author's structure is stronger evidence than word
    # overlap, which favours whichever section repeats the most common words
    structured_lead: float = 0.7
    decay: float = 4.0  # paragraph rank where the prior halves
    lead_words: float = 75.0  # ... in a text without paragraphs: words before the sentence
    section: float = 0.6  # prior of a section's first paragraph relative to the article's
    inner: float = 0.8  # prior factor for a sentence after the first of its paragraph
    closing: float = 1.0  # prior floor for the lead block's and the article's last paragraph
    title: float = 0.1  # weight of overlap with the title (it mostly restates the lead)
    redundancy: float = 0.6  # MMR penalty per unit of similarity to a picked sentence
