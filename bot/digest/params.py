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
    section: float = 0.8  # weight of a later section's sentence relative to the lead block
    inner: float = 0.8  # prior factor for a sentence after the first of its paragraph
    closing: float = 1.0  # prior floor for a lead block's last paragraph (before sub-headings)
    title: float = 0.1  # weight of overlap with the title (it mostly restates the lead)
    redundancy: float = 0.6  # MMR penalty per unit of similarity to a picked sentence
    quantities: float = 1.0  # weight of concrete numbers in a section's sentence, beside novelty
