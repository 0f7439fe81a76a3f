"""The answer engine on small hand-written pools: what it quotes, and when it says nothing."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answer import AnswerEngine, Params
from bot.answer.tokenize import offers_beyond, terms, wanted
from tests.answer.pools import ARTICLES, SEED_TITLE, engine_with
from tests.conftest import SEED_ARTICLE


def test_the_seed_question_quotes_the_naval_facility_and_airbase_sentence() -> None:
    engine = engine_with("harbour", "vaccine", "chess", seed=True)
    answers = engine.answer("What will Russia keep in Syria?")
    assert answers
    assert "naval facility and airbase" in answers[0].text
    assert answers[0].article.key == "seed"
    assert answers[0].article.title == SEED_TITLE
    assert answers[0].article.link == "https://news.example/seed"


@pytest.mark.parametrize(
    ("question", "key", "expected"),
    [
        ("How much will the harbour bridge cost?", "harbour", "420 million euros"),
        ("When will the new bridge open?", "harbour", "2029"),
        ("Who won the chess championship?", "chess", "Maya Patel"),
        ("Where is the new chess champion from?", "chess", "Leeds"),
        ("When do pharmacies start offering the flu shot?", "vaccine", "October"),
        ("How many flu vaccine doses were given last year?", "vaccine", "11 million"),
        ("Why did Russia enter the Syrian conflict?", "seed", "combat terror"),
    ],
)
def test_answers_come_from_the_right_article(question: str, key: str, expected: str) -> None:
    engine = engine_with("harbour", "vaccine", "chess", seed=True)
    answers = engine.answer(question)
    assert answers, question
    assert answers[0].article.key == key
    assert any(expected in a.text for a in answers), [a.text for a in answers]


@pytest.mark.parametrize(
    "question",
    [
        "What did the central bank decide about interest rates?",
        "Who won the football World Cup final?",
        "What is the weather forecast for Tokyo?",
        "How much does the new iPhone cost?",
        "the of and what?",
        "",
    ],
)
def test_an_unrelated_question_answers_nothing(question: str) -> None:
    engine = engine_with("harbour", "vaccine", "chess", seed=True)
    assert engine.answer(question) == []


def test_answers_cite_their_position_in_the_text() -> None:
    engine = engine_with("harbour")
    text = ARTICLES["harbour"][1]
    (first, *_) = engine.answer("How much will the harbour bridge cost?")
    assert " ".join(text[first.start : first.end].split()) == first.text
    assert first.sentence == 1  # the second sentence of the article
    assert 0 < first.coverage <= 1


def test_top_limits_the_answers_and_they_are_distinct() -> None:
    engine = engine_with("harbour", "vaccine", "chess", seed=True)
    answers = engine.answer("Russia Syria military campaign", top=5)
    assert 1 <= len(answers) <= 5
    assert len({a.text for a in answers}) == len(answers)
    assert len(engine.answer("Russia Syria military campaign", top=1)) == 1


def test_the_pool_limits_where_answers_come_from() -> None:
    engine = engine_with("harbour", "vaccine", "chess", seed=True)
    question = "What will Russia keep in Syria?"
    assert engine.answer(question, keys=["harbour", "chess"]) == []
    assert engine.answer(question, keys=["seed"])[0].article.key == "seed"
    assert engine.answer(question, keys=[]) == []
    assert engine.answer(question, keys=["no such article"]) == []


def test_answers_are_deterministic() -> None:
    one = engine_with("harbour", "vaccine", "chess", seed=True)
    two = engine_with("chess", "vaccine", "harbour", seed=True)  # another insertion order
    for question in ("Who won?", "When will the bridge open?", "What will Russia keep?"):
        assert one.answer(question, top=10) == two.answer(question, top=10)


def test_an_empty_or_headline_only_article_is_harmless() -> None:
    engine = AnswerEngine()
    engine.add("empty", "Nothing here", "")
    engine.add("heading", "Only a heading", "Breaking news")
    assert engine.answer("What happened?") == []
    engine.add("seed", SEED_TITLE, SEED_ARTICLE.read_text())
    assert engine.answer("What will Russia keep in Syria?")[0].article.key == "seed"


def _town_pool(text: str, params: Params) -> AnswerEngine:
    engine = AnswerEngine(params)
    engine.add("town", "Town news", text)
    for name in ("harbour", "vaccine", "chess"):
        engine.add(name, *ARTICLES[name])
    return engine


def test_a_sentence_holding_more_than_the_question_beats_one_restating_it() -> None:
    # Both sentences hold "council", "school" and "budget"; the shorter one only restates them.
    text = (
        "The old town hall was full on Monday evening. The council discussed the school budget. "
        "The school budget was frozen until March after the council vote on teachers' pay."
    )
    question = "What did the council do to the school budget?"
    (first, *_) = _town_pool(text, Params()).answer(question)
    assert "frozen until March" in first.text
    (plain, *_) = _town_pool(text, dataclasses.replace(Params(), novelty=0)).answer(question)
    assert "discussed" in plain.text  # without novelty, BM25's shorter sentence wins


def test_a_sentence_whose_neighbourhood_covers_the_question_beats_one_repeating_a_word() -> None:
    # The festival sentence says "ferry" five times, which BM25 rewards; the Gdansk sentence
    # follows the one that names the company and the boats, so with its neighbours it covers
    # more of the question. Coverage counts each word once, however often it is repeated.
    text = (
        "The ferry company ordered two boats in May. They will be built in Gdansk by a shipyard. "
        "Ferry fans, ferry crews and ferry passengers crowded the new ferry terminal, where the "
        "ferry company held its ferry festival in Leeds."
    )
    question = "Where will the ferry company build its new boats?"
    answers = _town_pool(text, Params()).answer(question, top=2)
    assert any("Gdansk" in a.text for a in answers), [a.text for a in answers]
    plain = _town_pool(text, dataclasses.replace(Params(), coverage=0)).answer(question, top=2)
    assert not any("Gdansk" in a.text for a in plain)  # without it, the festival comes second


@pytest.mark.parametrize(
    ("sentence", "question", "offers"),
    [
        ("The museum opened in 1990.", "When did the museum that opened in 1990 close?", False),
        ("The museum closed in 2004.", "When did the museum that opened in 1990 close?", True),
        ("It closed in March.", "When did the museum close?", True),
        ("It is 40 metres long.", "How much did the 40 metre bridge cost?", False),
        ("It cost 40 million euros.", "How much did the 40 metre bridge cost?", True),
        ("It is 40 metres long.", "How much did the 420 metre bridge cost?", True),
        ("The bridge was opened by Anna Berg.", "Who opened the Berg bridge?", True),
        ("Mayor Anna Berg opened it.", "Who did Anna Berg name as mayor?", False),
        ("The bridge opened.", "When did the bridge open?", False),
    ],
)
def test_what_a_question_asks_for_must_be_more_than_it_names(
    sentence: str, question: str, offers: bool
) -> None:
    assert offers_beyond(sentence, wanted(question), question) is offers


def test_an_acronym_is_named_by_what_it_abbreviates() -> None:
    text = (
        "The Regional Transport Authority approved new night buses on Friday. The buses will "
        "run every thirty minutes between midnight and five."
    )
    engine = _town_pool(text, Params())
    answers = engine.answer("How often will the RTA's night buses run?")
    assert answers, "the article names the authority in full"
    assert "every thirty minutes" in answers[0].text
    assert engine.answer("How often will the NTA's night buses run?") == []  # not spelled out


@pytest.mark.parametrize("question", ["Who denied the charges?", "Who denies the charges?"])
def test_a_verb_in_one_tense_finds_it_in_another(question: str) -> None:
    text = (
        "Prosecutors brought the charges in March after a two-year inquiry. The company "
        "denied the charges on Friday, its lawyer said."
    )
    (first, *_) = _town_pool(text, Params()).answer(question)
    assert "denied the charges" in first.text


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (
            "The defence ministry analysed the colour of the flags flown at the harbour centre.",
            "Who analyzed the color of the flags at the harbor center?",
        ),
        (
            "The defense ministry analyzed the color of the flags flown at the harbor center.",
            "Who analysed the colour of the flags at the harbour centre?",
        ),
    ],
    ids=["British article", "American article"],
)
def test_a_question_spelt_the_other_way_finds_the_article(text: str, question: str) -> None:
    text = "Crowds gathered at the harbour for the parade on Sunday. " + text
    (first, *_) = _town_pool(text, Params()).answer(question)
    assert "ministry" in first.text


def test_a_name_in_the_title_names_the_article() -> None:
    # The text says only "the composer"; the headline names him.
    engine = AnswerEngine(Params())
    engine.add(
        "chopin",
        "Frédéric Chopin settles in Paris",
        "The young composer reached Paris in September 1831. He gave his first concert at the "
        "Salle Pleyel in February 1832, before an audience of fellow musicians.",
    )
    for name in ("harbour", "vaccine", "chess"):
        engine.add(name, *ARTICLES[name])
    answers = engine.answer("Where did Frédéric give his first concert?")
    assert answers, "the title names Frédéric"
    assert "Salle Pleyel" in answers[0].text
    assert engine.answer("Where did Clara give her first concert?") == []  # named nowhere


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Whom did Beyonce thank at the Zurich gala?", "thanked her mother"),
        ("Which orchestra did Beyoncé join in Łódź?", "Filharmonia"),
        ("What did the Lodz orchestra play?", "Chopin"),
        ("Где прошёл концерт?", "Москве"),  # other scripts keep their letters and still match
    ],
)
def test_accents_do_not_keep_a_question_from_its_article(question: str, expected: str) -> None:
    text = (
        "Beyoncé thanked her mother at the Zürich gala on Saturday. She later joined the "
        "Filharmonia Łódzka in Łódź, whose orchestra played Frédéric Chopin's first concerto. "
        "Концерт прошёл в Москве."
    )
    answers = _town_pool(text, Params()).answer(question)
    assert answers, question
    assert expected in answers[0].text, [a.text for a in answers]


def test_accents_fold_only_latin_letters() -> None:
    assert terms("Beyoncé Frédéric Łódź Straße Ærø") == terms("Beyonce Frederic Lodz Strasse Aero")
    assert terms("the ﬁnal") == terms("the final")  # a ligature keeps both its letters
    assert terms("Guðrún Þór Ħamrun Sámi Ŋoŋ") == terms("Gudrun Thor Hamrun Sami Non")
    assert terms("йод") != terms("иод")  # two letters in Russian, not an accent
