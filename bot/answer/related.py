"""A small news thesaurus: words a question may use for what the article says otherwise.

Questions paraphrase. Two cheap, general cases are covered: common news verbs and their
near-synonyms ("keep" for "maintain"), and capitals standing for their countries ("Moscow" for
Russia), plus demonyms ("Russian") meeting their country. Related words count for less than the
question's own words (see ``Params.related``).
"""

from __future__ import annotations

import functools
import logging

from bot.digest.stem import stem

log = logging.getLogger(__name__)

# Each group: words that news text uses interchangeably often enough to be worth matching.
_GROUPS = (
    "keep maintain retain continue remain preserve",
    "die died dead death killed",
    "kill killed slay",
    "buy purchase acquire acquisition",
    "sell sale sold",
    "start begin began launch launched open",
    "end finish stop halt close",
    "leave quit resign withdraw withdrawal exit pullout",
    "win won beat defeat victory",
    "lose lost defeat",
    "rise increase grow growth climb jump",
    "fall decrease decline drop cut",
    "arrest detain detained custody",
    "ban prohibit forbid outlaw",
    "attack strike assault raid",
    "build construct construction",
    "cost price",
    "elect elected vote election",
    "law legislation bill act",
    "plan proposal scheme",
    "ruling verdict judgment",
    "boss chief head leader",
    "car vehicle",
    "job employment work",
    "money funding funds cash",
    "doctor physician",
    "child children kid",
)
_CAPITALS = (
    "russia moscow kremlin|syria damascus|ukraine kyiv kiev|china beijing|japan tokyo|"
    "france paris elysee|germany berlin|britain london downing uk|spain madrid|italy rome|"
    "iran tehran|iraq baghdad|israel jerusalem|egypt cairo|turkey ankara|india delhi|"
    "pakistan islamabad|afghanistan kabul|korea seoul pyongyang|canada ottawa|brazil brasilia|"
    "mexico|argentina|australia canberra|us usa washington america white|eu brussels|"
    "greece athens|poland warsaw|netherlands amsterdam hague|belgium brussels|sweden stockholm|"
    "norway oslo|denmark copenhagen|ireland dublin|portugal lisbon|austria vienna|"
    "switzerland bern geneva|saudi riyadh|lebanon beirut|jordan amman|nigeria abuja lagos|"
    "kenya nairobi|venezuela caracas|cuba havana|vatican pope"
)
_DEMONYMS = {
    "russian": "russia", "syrian": "syria", "ukrainian": "ukraine", "chinese": "china",
    "japanese": "japan", "french": "france", "german": "germany", "british": "britain",
    "spanish": "spain", "italian": "italy", "iranian": "iran", "iraqi": "iraq",
    "israeli": "israel", "egyptian": "egypt", "turkish": "turkey", "indian": "india",
    "american": "america", "canadian": "canada", "european": "eu", "korean": "korea",
}  # fmt: skip


@functools.cache
def _table() -> dict[str, frozenset[str]]:
    """Stem -> related stems, built on first use."""
    table: dict[str, set[str]] = {}
    groups = [g.split() for g in _GROUPS] + [g.split() for g in _CAPITALS.split("|")]
    groups += [[a, b] for a, b in _DEMONYMS.items()]
    for group in groups:
        stems = {stem(word) for word in group}
        for s in stems:
            table.setdefault(s, set()).update(stems - {s})
    return {k: frozenset(v) for k, v in table.items()}


def related(term: str) -> frozenset[str]:
    """Stems related to the stem ``term`` (empty when the thesaurus does not know it)."""
    return _table().get(term, frozenset())
