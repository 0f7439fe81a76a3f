"""Small hand-written pools of news-like articles for the answer engine's tests."""

from __future__ import annotations

from bot.answer import AnswerEngine
from tests.conftest import SEED_ARTICLE

SEED_TITLE = "Putin orders partial withdrawal of Russian troops from Syria"

ARTICLES = {
    "harbour": (
        "City council approves new harbour bridge",
        "The city council on Tuesday approved plans for a new bridge across the harbour.\n\n"
        "The bridge will cost 420 million euros and is due to open in 2029, the mayor said. "
        "Construction will begin next spring once the last permits are granted.\n\n"
        "Critics argue that ferries would serve the islands better and at a lower price. "
        "A public consultation drew more than 3,000 responses.",
    ),
    "vaccine": (
        "Regulator clears winter flu vaccine",
        "The national medicines regulator cleared an updated flu vaccine for the winter season. "
        "Pharmacies will start offering the shot to people over 65 in October.\n\n"
        "Health officials expect demand to peak in November, when infections usually rise. "
        "Last year about 11 million doses were given across the country.",
    ),
    "chess": (
        "Teenager wins national chess title",
        "A 16-year-old from Leeds won the national chess championship on Sunday. "
        "Maya Patel beat the defending champion in a tense final game that lasted six hours.\n\n"
        "She began playing at the age of seven at a library club. "
        "Her coach said the title would help her qualify for the European championship.",
    ),
}


def engine_with(*names: str, seed: bool = False) -> AnswerEngine:
    """An engine holding the named articles (and the seed article under key "seed")."""
    engine = AnswerEngine()
    for name in names:
        title, text = ARTICLES[name]
        engine.add(name, title, text, link=f"https://news.example/{name}")
    if seed:
        engine.add("seed", SEED_TITLE, SEED_ARTICLE.read_text(), link="https://news.example/seed")
    return engine
