"""Language detection (py3langid, 97 languages) and stop words per language (stopwordsiso).

English keeps its own short list, tuned with the selector: stopwordsiso's English list also
holds content words news turns on ("information", "world"). The en/de/fr/es lists here also
tell the sentence splitter which capitalised words open a sentence.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

UNKNOWN = "und"
MIN_WORDS = 3  # fewer words with letters than this: too little to tell the language
MIN_CONFIDENCE = 0.5  # py3langid's normalised probability below which we do not name a language
# English function words make up a fifth or more of any English text (at least 20 % of every
# dev article) and almost none of another language's (under 5 %): such text is named English
# without loading py3langid's model, which costs about a second per process.
ENGLISH_SHARE = 0.2


def word_set(listing: str) -> frozenset[str]:
    """The set of the words of a whitespace-separated listing."""
    return frozenset(listing.split())


STOP_WORDS: dict[str, frozenset[str]] = {
    "en": word_set(
        """a about above after again against all also am an and any are aren't as at be because been
        before being below between both but by can could did didn't do does doesn't doing don't down
        during each even ever every few for from further had has hasn't have haven't having he her
        here hers herself him himself his how however i if in into is isn't it it's its itself just
        last least less like made make many may me might more most much must my myself never new no
        nor not now of off often on once one only or other our ours ourselves out over own per put
        really said same say says she should since so some still such than that the their theirs
        them themselves then there these they this those though through to too two under until up
        upon us very was wasn't way we well were weren't what when where whether which while who
        whom whose why will with within without would yet you your yours yourself yourselves
        according already among another around back became become get got going including later
        mr mrs ms next s t told went year years"""
    ),
    "de": word_set(
        """aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
        anderes auch auf aus bei bin bis bist da damit dann das dass dasselbe dazu dein deine
        deinem deinen deiner dem den denn der derer des desselben dessen dich die dies diese diesem
        diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige
        er es etwas euer eure für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich
        ihm ihn ihnen ihr ihre ihrem ihren ihrer im in indem ins ist jede jedem jeden jeder jedes
        jene jenem jenen jener jetzt kann kein keine keinem keinen keiner können könnte machen man
        manche mein meine meinem meinen meiner mich mir mit muss musste nach nicht nichts noch nun
        nur ob oder ohne sehr sein seine seinem seinen seiner seit sich sie sind so solche soll
        sollte sondern sonst über um und uns unser unsere unter viel vom von vor während war waren
        warum was weil welche welchem welchen welcher wenn wer werde werden wie wieder will wir
        wird wo wollen wollte würde würden zu zum zur zwar zwischen sagte laut bereits sowie"""
    ),
    "fr": word_set(
        """a à afin ai aie ainsi alors au aucun aujourd aussi autre aux avait avant avec avoir ayant
        c ça car ce ceci cela celle celles celui cependant ces cet cette ceux chaque chez ci comme
        comment d dans de depuis des deux doit donc dont du elle elles en encore entre est et été
        étaient était être eu eux fait faire fois font hors il ils j je jusqu l la le les leur
        leurs lors lui m ma mais me même mes moi moins mon n ne ni non nos notre nous on ont ou où
        par parce pas pendant peu peut plus pour pourquoi qu quand que quel quelle quelles quels
        qui s sa sans se selon ses seulement si sien son sont sous sur ta te tes toi ton tous tout
        toute toutes très tu un une vers vos votre vous y déjà ans a-t-il"""
    ),
    "es": word_set(
        """a al algo algunas algunos ante antes como con contra cual cuando de del desde donde dos
        durante e el él ella ellas ellos en entre era eran es esa esas ese eso esos esta está
        estaba estado están estar este esto estos fue fueron ha había han hasta hay la las le les
        lo los más me mi mientras muy nada ni no nos nosotros o otra otras otro otros para pero
        poco por porque que qué quien quienes se sea según ser si sí sido sin sobre son su sus
        también tan tanto te tiene tienen todo todos tras tu tú un una uno unos usted ya años
        dijo así cada puede"""
    ),
}

# Words that typically open a sentence in any supported language ("The", "Die", "Le", "El").
SENTENCE_STARTERS: frozenset[str] = frozenset().union(*STOP_WORDS.values())


def detect_language(words: Iterable[str]) -> str:
    """ISO 639-1 code of the language of ``words`` (py3langid), else ``"und"``."""
    lettered = [w for w in words if any(ch.isalpha() for ch in w)]
    # Scripts without spaces give one word per character: count those as a tenth of a word.
    if len(lettered) < MIN_WORDS or sum(min(len(w), 10) for w in lettered) < 10 * MIN_WORDS // 2:
        return UNKNOWN
    english = sum(1 for w in lettered if w.lower() in STOP_WORDS["en"])
    if english >= MIN_WORDS and english >= ENGLISH_SHARE * len(lettered):
        return "en"
    code, confidence = _identifier().classify(" ".join(lettered))
    return str(code) if confidence >= MIN_CONFIDENCE else UNKNOWN


@functools.cache
def _identifier() -> Any:
    """py3langid's model, mapped from the shared cache once per process on first use."""
    from bot.digest._langmodel import load_identifier  # noqa: PLC0415  (numpy: lazy)

    return load_identifier()


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """Stop words of ``language``; for an unknown language, the union of the en/de/fr/es lists."""
    if language in ("en", UNKNOWN):
        return STOP_WORDS.get(language, SENTENCE_STARTERS)
    import stopwordsiso  # noqa: PLC0415  (only texts in other languages need it)

    found = stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else set()
    return frozenset(w.lower() for w in found) | STOP_WORDS.get(language, frozenset())
