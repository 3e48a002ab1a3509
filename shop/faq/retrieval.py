"""Finding the FAQ entry a customer's question asks about, at run time, without retraining.

Every entry's question, variants and answer are documents of a small TF-IDF index with three
views (Analyzer): character n-grams of the content words (robust to typos and word forms),
words (Snowball stems for English, German and Russian, Chinese character pairs, pairs of
neighbouring words), and the shop-domain concepts the entry's questions speak of in any
language (shop/faq/synonyms.py: "parcel", "Paket", "包裹"; "money back", "refund"). A query's
words the index has never seen are first corrected to a known word one typo away ("retrun").
A query's score for an entry is the best cosine over its documents (an answer's counts
ANSWER_WEIGHT), the views weighted by CHAR_WEIGHT, WORD_WEIGHT and the rest; a question in words
the index doesn't know (another language's) is judged by its concepts alone. Every entry's score
is multiplied by a power (COVERAGE_POWER) of the share of the question's content words that entry
speaks of, in its words or its concepts, so "what is the capital of Australia" does not match on
one word, nor "what size light bulb does the lamp take" the size guide.
Whether the first entry answers is decided by its confidence (shop/faq/acceptance.py: a small
logistic regression over features of the ranking, the score, the question's number of content
words, whether it is Cyrillic, the character view's cosine and the runner-up's score over the
first's), not by the score alone: below acceptance.ACCEPT the answer is "I don't know that yet"
rather than a guess. The score alone's cut (THRESHOLD) mixed up near-misses with chat-style
paraphrases. The weights, the features and ACCEPT were chosen on the development sets
tests/faq/dev_paraphrases.yml, dev_paraphrases2.yml and dev_paraphrases3.yml (ACCEPT: the lowest
confidence that keeps ≥ 95% of their unrelated questions unanswered) and validated on
dev_paraphrases4.yml; the held-out tests/faq/paraphrases.yml only measures them (see
tests/faq/test_retrieval.py). Right entry first and answered, score alone -> confidence:
dev 0.792 -> 0.856, dev2 0.720 -> 0.749, dev3 0.462 -> 0.615, validation dev4 0.647 -> 0.756;
unrelated questions left alone 98.2/95.3/93.6/92.1% -> 98.2/96.5/92.7/94.1%. With the demo
entries' variants and the concept rows of 2026-12-05 (shop/faq/demo.py, synonyms.py): answered
0.896, 0.821, 0.712, dev4 0.833; unrelated left alone 96.5/98.8/91.7/94.1%.

The index is built once and rebuilt when the entries change (FaqLibrary checks a cheap
version of the table on every question), so an owner's edit answers from the next message on.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import snowballstemmer
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.faq import acceptance
from shop.faq.entries import split_variants
from shop.faq.synonyms import CONCEPTS, concepts, fold
from shop.models import FaqEntry

# All chosen on tests/faq/dev_paraphrases.yml, dev_paraphrases2.yml and dev_paraphrases3.yml
# (module docstring). THRESHOLD is the score alone's old cut, kept for comparison and for callers
# that pass a score threshold of their own; the answer is decided by acceptance.ACCEPT.
THRESHOLD = 0.44
CHAR_WEIGHT = 0.2
WORD_WEIGHT = 0.1  # the rest is the concept view
COVERAGE_POWER = 1.0
OFFER_SHARE = 1 / 3  # an entry offered after the first has at least this share of its score
OFFERED = 3  # entries offered at most
ANSWER_WEIGHT = 0.8  # an answer's score counts this much against a question's
# Words that say nothing about which entry is meant ("long", "much", "where" and "when" do:
# they tell delivery times from shipping costs from the showroom).
STOP_WORDS = frozenset((  # noqa: SIM905 - a word list reads better as words
    "a an the i me my we our you your it its is are was be am do does did to of in on at for "
    "and or with about please hi hello hey there this that what whats which could would should "
    "will shall tell know like just any some have has us so if can how s im get "
    # fillers and chat spellings that never tell entries apart ("do u post stuff to...")
    "u ur pls plz guys still really actually also exactly possible stuff thing things something "
    "anything someone somebody anyone anybody myself yourself then but too very ok okay "
    "be been being by from as all they them their he she her him his one don doesn isn didn "
    "won aren haven wouldn cant dont ive id ill youre thats want wanna need "
    "today yesterday now ago last next week month year already yet again even maybe sure "
    "whether more other else bit lot many back here "
    # the chat around a question: greetings, thanks, hedges, who it is for ("hi! quick one: my
    # sister ...", "Hallo, meine Tochter ...", "Здравствуйте, подскажите ...")
    "hiya yo dear morning afternoon evening thanks thank cheers sorry quick question one oh well "
    "wondering wonder curious roughly usually normally probably surely honestly basically "
    "friend friends sister brother mum mom dad mother father aunt uncle wife husband daughter son "
    "girlfriend boyfriend partner colleague neighbour neighbor "
    "moin servus guten tag danke kurze frage eigentlich ungefahr freund freundin schwester "
    "bruder mutter mama vater papa tochter sohn frau mann tante "
    "добрый день доброе утро вечер спасибо подскажите скажите друг подруга сестра брат мама "
    "папа дочь сын жена муж "
    # German and Russian ones, for entries written in them
    "ich du wir ihr sie es der die das den dem ein eine einen und oder mit zu bei auf fur von "
    "ist sind bin kann konnen mein meine euch euer eure wie was gibt es auch noch bitte "
    "einem einer eines im am an aus als nach mich mir uns man habe hast hat habt haben seid "
    "wird werden wurde muss mussen soll sollte mochte welche welcher welches welchen "
    "nicht kein keine schon nur denn dann mal ja nein hallo geht selbst etwas irgendwie viel "
    "viele ohne "
    "я ты мы вы он она они у в на с и или ли как можно мне меня мой ваш ваши вас это есть ли "
    "не а по за к о то "
    "мои моя моё мое моего свой свою вам нам нас их его ее её ещё еще уже бы же да нет "
    "какой какая какое какие каким каких чем что чтобы где куда все всё весь "
    "из до от при для про через так также тоже нужно надо хочу хотел хотела хотим "
    "возможно пожалуйста здравствуйте привет делать во сколько "
    # what every question to a shop is about, in the languages the entries are seldom written in
    "kaufen bestellen bestellung bestelle bestellt artikel ware waren produkt produkte "
    "купить заказать заказ заказа заказу заказом заказе заказы товар товара товары товаров").split())
# Chinese characters that are function words, not content (units of a question's coverage):
# "你们可以寄到国外吗" is about 寄 and 国外.
CJK_STOP = frozenset("你您们我他她它的了吗呢吧啊呀是有在和与或就都也还又要会能可以这那个些哪怎么什样"
                     "请问一下把被给对从让得着过该应嗎买卖订单东西商产品好谢")  # and buying, orders, things
WORD = re.compile(r"\w+")
CJK = re.compile(r"[\u3400-\u9fff]")
STEMMERS = {"en": "english", "de": "german", "ru": "russian"}  # Snowball's names
CONCEPT = "~"  # a concept's term: "~refund"
@dataclass(frozen=True)
class Document:
    entry_id: int
    text: str
    language: str = "en"  # the language the shop wrote its entry in


@dataclass(frozen=True)
class Match:
    entry_id: int
    score: float
    # how likely the entry is the one asked about (shop/faq/acceptance.py), from the features of
    # the ranking it came first in; not part of equality
    confidence: float = field(default=0.0, compare=False)


def accepts(match: Match | None, threshold: float | None = None) -> bool:
    """Whether `match` answers: its confidence reaches acceptance.ACCEPT, or, with a `threshold`,
    its score reaches that."""
    if match is None:
        return False
    return match.confidence >= acceptance.ACCEPT if threshold is None else match.score >= threshold


def entry_documents(entries: Sequence[FaqEntry]) -> list[Document]:
    """The texts an entry is found by: its question, each of its variants, and its answer."""
    return [Document(e.id, text, e.language or "en") for e in entries
            for text in (e.question, *split_variants(e.variants), e.answer)]


def content_words(text: str) -> str:
    """The words of `text` that can tell one entry from another, lower-cased."""
    return " ".join(w for w in WORD.findall(text.lower()) if w not in STOP_WORDS)


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.Stemmer | None:
    name = STEMMERS.get(language)
    return snowballstemmer.stemmer(name) if name else None


@lru_cache(maxsize=65536)
def stem(word: str, language: str) -> str:
    """`word`'s stem: Cyrillic words by the Russian stemmer, others by `language`'s (English
    for a language without one); Chinese as it is."""
    if CJK.search(word):
        return word
    stemmer = _stemmer("ru" if "\u0400" <= word[0] <= "\u04ff" else language) or _stemmer("en")
    assert stemmer is not None
    return stemmer.stemWord(word)


def deletions(word: str) -> set[str]:
    """`word` and every form of it with one letter left out: two words within one typo of each
    other (a letter missing, extra, wrong or two swapped) share one (symmetric delete)."""
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


class Analyzer:
    """What a text's terms are, for an index over documents in `languages`.

    The text is folded (lower case, no accents: synonyms.fold); a query's words the index has
    never seen are corrected to one it has within one typo ("retrun" → "return"); then its
    content words are stemmed ("returns", "returned" → "return"), Chinese is split into
    characters pairs, neighbouring words make pairs ("gift wrap"), and the shop-domain concepts
    it speaks of (synonyms.CONCEPTS, in any language) are terms of their own ("~refund").
    """

    def __init__(self, languages: Iterable[str], vocabulary: Iterable[str] = ()) -> None:
        self.languages = sorted({lang for lang in languages if lang in STEMMERS} or {"en"})
        self.known: Counter[str] = Counter()  # folded words of the documents (and the concepts' keys)
        self._near: dict[str, str] = {}  # a deletion -> the most frequent known word that has it
        self._stems: set[str] = set()
        self.learn(vocabulary)

    def learn(self, words: Iterable[str]) -> None:
        self.known.update(w for w in words if len(w) > 2 and not CJK.search(w) and not w.isdigit())
        self._stems = {stem(w, lang) for w in self.known for lang in self.languages}
        self._near = {}
        for word, _count in sorted(self.known.items(), key=lambda item: (-item[1], item[0])):
            for deleted in deletions(word):
                self._near.setdefault(deleted, word)

    def correct(self, word: str) -> str:
        """The known word `word` misspells, or `word`."""
        if (len(word) < 5 or word in self.known or word in STOP_WORDS or not word.isalpha()
                or CJK.search(word)
                or any(stem(word, lang) in self._stems for lang in self.languages)):
            return word
        candidates = [near for d in deletions(word) if (near := self._near.get(d)) and near[0] == word[0]]
        return max(candidates, key=lambda w: (self.known[w], w)) if candidates else word

    def analyse(self, text: str, language: str | None = None, *, query: bool = False) -> Analysis:
        """`text`'s terms in each view, written in `language` (a query: in any of the index's)."""
        words = fold(text).split()
        if query:
            words = [self.correct(w) for w in words]
        folded = " ".join(words)
        found = concepts(folded)
        languages = self.languages if language is None else [language]
        units: list[Unit] = []
        start = 0
        for word in words:
            if CJK.search(word):  # a run of Chinese: a unit per character, its terms the pairs it is in
                pairs = [word[i:i + 2] for i in range(max(1, len(word) - 1))]
                units += [Unit(tuple(pairs[max(0, i - 1):i + 1]), _within(start + i, start + i + 1, found))
                          for i in range(len(word)) if word[i] not in CJK_STOP]
            elif word not in STOP_WORDS and len(word) > 1:
                units.append(Unit(tuple(sorted({stem(word, lang) for lang in languages})),
                                  _within(start, start + len(word), found)))
            start += len(word) + 1
        terms = list(dict.fromkeys(term for unit in units for term in unit.terms))
        terms += [f"{a} {b}" for first, second in zip(units, units[1:], strict=False)
                  for a in first.terms[:1] for b in second.terms[:1] if not CJK.search(a + b)]
        return Analysis(characters=" ".join(w for w in words if w not in STOP_WORDS), words=terms,
                        concepts=[CONCEPT + name for name in found], units=units)


def _within(start: int, end: int, found: dict[str, list[tuple[int, int]]]) -> tuple[str, ...]:
    """The concepts said in words that overlap start..end."""
    return tuple(name for name, spans in found.items() if any(s < end and start < e for s, e in spans))


@dataclass(frozen=True)
class Unit:
    """A content word of a text (a character of Chinese), for its coverage."""
    terms: tuple[str, ...]  # its stems (a Chinese character's pairs)
    concepts: tuple[str, ...]  # the concepts it is part of the words of


@dataclass(frozen=True)
class Analysis:
    characters: str  # the content words, for the character view
    words: list[str]  # stems, Chinese character pairs, pairs of neighbouring words
    concepts: list[str]  # "~refund"
    units: list[Unit]

    def known(self, vocabulary: dict[str, int]) -> float:
        """The share of the content words the index knows as words."""
        if not self.units:
            return 0.0
        return sum(any(t in vocabulary for t in u.terms) for u in self.units) / len(self.units)


def concept_words() -> list[str]:
    """The words of the concepts' keys, as known words to correct a typo to (and not to
    correct: "lange" of "wie lange" is no typo of "large")."""
    return [word for keys in CONCEPTS.values() for k in keys
            if not k.startswith("*") and not CJK.search(k) for word in fold(k.strip("$")).split()]


def identity_vectorizer() -> TfidfVectorizer:
    """TF-IDF over terms already made (Analyzer.analyse)."""
    return TfidfVectorizer(analyzer=_same, sublinear_tf=True, lowercase=False)


def _same(terms: list[str]) -> list[str]:
    return terms


@dataclass(frozen=True)
class View:
    name: str  # an Analysis field
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int  # its first column in the index's matrix
    weight: float


class FaqIndex:
    """A TF-IDF index over documents grouped by entry; `search` ranks the entries."""

    def __init__(self, documents: Sequence[Document]) -> None:
        ordered = sorted(documents, key=lambda d: d.entry_id)  # an entry's documents side by side
        self.size = len(ordered)
        ids = np.array([d.entry_id for d in ordered], dtype=np.int64)
        self.entry_ids, self._starts = (np.unique(ids, return_index=True) if self.size
                                        else (ids, np.array([], dtype=np.int64)))
        self.entry_languages = np.array([ordered[i].language for i in self._starts], dtype=object)
        if not self.size:
            return
        self.analyzer = Analyzer({d.language for d in ordered},
                                 [w for d in ordered for w in fold(d.text).split()] + concept_words())
        # An entry's answer is its last document (entry_documents): its weight.
        last = np.append(self._starts[1:], self.size) - 1
        weights = np.ones(self.size)
        weights[last[last > self._starts]] = ANSWER_WEIGHT  # an entry of one document has no answer
        analysed = [self.analyzer.analyse(d.text, d.language) for d in ordered]
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=False)
        self._char_terms = char.build_analyzer()
        profiles = self._profiles(analysed, last)
        matrices, self._views = [], []
        offset = 0
        for name, vectorizer, texts, weight in (
                ("characters", char, [a.characters for a in analysed], CHAR_WEIGHT),
                ("words", identity_vectorizer(), [a.words for a in analysed], WORD_WEIGHT),
                ("concepts", identity_vectorizer(), profiles, 1 - CHAR_WEIGHT - WORD_WEIGHT)):
            try:
                matrix = vectorizer.fit_transform(texts)
            except ValueError:  # no document has a term of this view
                continue
            matrices.append(matrix)
            self._views.append(View(name, vectorizer.vocabulary_, vectorizer.idf_, offset, weight))
            offset += matrix.shape[1]
        total = sum(v.weight for v in self._views)
        self._views = [View(v.name, v.vocabulary, v.idf, v.offset, v.weight / total) for v in self._views]
        self._knows = self._knowledge(analysed, profiles, last)
        # TF-IDF rows are L2-normalised, so a dot product is the cosine (what linear_kernel
        # computes); the views side by side make one sparse product per query.
        self._documents = hstack(matrices, format="csr").multiply(weights[:, None]).tocsr()

    def _vocabulary(self, view: str) -> dict[str, int]:
        return next((v.vocabulary for v in self._views if v.name == view), {})

    def _knowledge(self, analysed: list[Analysis], profiles: list[list[str]], last: np.ndarray) -> csr_matrix:
        """Entries × (word terms, then concepts): 1 where the entry speaks of it, in the words
        of any of its documents or in the concepts of its questions (its profile)."""
        words, said = self._vocabulary("words"), self._vocabulary("concepts")
        rows: list[int] = []
        columns: list[int] = []
        for entry, (start, end) in enumerate(zip(self._starts, last, strict=True)):
            known = {words[t] for a in analysed[start:end + 1] for t in a.words if t in words}
            known |= {len(words) + said[c] for c in profiles[start] if c in said}
            rows += [entry] * len(known)
            columns += known
        return csr_matrix((np.ones(len(rows)), (rows, columns)),
                          shape=(len(self._starts), len(words) + len(said)))

    def _coverage(self, analysis: Analysis) -> np.ndarray:
        """Each entry's share of the question's content words it speaks of, as a word or in a
        concept: the size entry covers one word in five of "what size light bulb does the lamp
        take", the showroom entry all of "can I drop by"."""
        if not analysis.units:
            return np.zeros(len(self._starts))
        words, said = self._vocabulary("words"), self._vocabulary("concepts")
        rows: list[int] = []
        columns: list[int] = []
        for i, unit in enumerate(analysis.units):
            found = {words[t] for t in unit.terms if t in words}
            found |= {len(words) + said[c] for name in unit.concepts if (c := CONCEPT + name) in said}
            rows += list(found)
            columns += [i] * len(found)
        units = csr_matrix((np.ones(len(rows)), (rows, columns)),
                           shape=(self._knows.shape[1], len(analysis.units)))
        return np.asarray(((self._knows @ units) > 0).sum(axis=1)).ravel() / len(analysis.units)

    def _profiles(self, analysed: list[Analysis], last: np.ndarray) -> list[list[str]]:
        """Each document's concepts: those of every question of its entry (its question and
        variants, not its answer), each as often as they say it. So "e-mail?"
        finds the entry all of whose questions are about contacting the shop before one that
        has a question about it ("When can I reach customer service?")."""
        profiles: list[list[str]] = []
        for start, end in zip(self._starts, last, strict=True):
            # an entry of one document (no answer) is its own question
            questions = analysed[start:end] if end > start else analysed[start:end + 1]
            said = [c for a in questions for c in a.concepts]
            profiles += [said] * (end + 1 - start)
        return profiles

    def _query(self, text: str) -> tuple[np.ndarray, np.ndarray, int, float]:
        """`text` as a dense row of every view, weighted: what TfidfVectorizer.transform gives
        (sublinear tf × idf, L2-normalised), without its per-call checks (a query is ~50 terms);
        each entry's coverage of it; its number of content words; and the weight its character
        view got (0: no character terms)."""
        vector = np.zeros(self._documents.shape[1])
        analysis = self.analyzer.analyse(text, query=True)
        known = analysis.known(self._vocabulary("words"))
        rows = []
        for view in self._views:
            terms = (self._char_terms(analysis.characters) if view.name == "characters"
                     else getattr(analysis, view.name))
            counts: dict[int, int] = {}
            for term in terms:
                if (column := view.vocabulary.get(term)) is not None:
                    counts[column] = counts.get(column, 0) + 1
            if counts:
                columns = np.fromiter(counts, dtype=np.int64)
                values = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * view.idf[columns]
                rows.append((view, columns, values / np.linalg.norm(values)))
        # the views the question has terms in share the weight; words the index doesn't know
        # (another language's) are judged by their concepts alone
        total = sum(view.weight for view, _c, _v in rows)
        char_weight = 0.0
        for view, columns, values in rows:
            weight = known * view.weight / total + (1 - known) * (view.name == "concepts")
            vector[view.offset + columns] = weight * values
            if view.name == "characters":
                char_weight = weight
        return vector, self._coverage(analysis), len(analysis.units), char_weight

    def _scores(self, text: str) -> _Scored | None:
        """Each entry's score for `text` (its best document), or None for nothing to rank."""
        if not self.size or not text.strip():
            return None
        vector, coverage, words, char_weight = self._query(text)
        documents = self._documents @ vector
        per_entry = np.maximum.reduceat(documents, self._starts) * coverage ** COVERAGE_POWER
        cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in text)
        return _Scored(per_entry, documents, vector, words, cyrillic, char_weight)

    def _character_cosine(self, scored: _Scored, entry: int) -> float:
        """The character view's cosine of the document that gave `entry` its score (an answer's
        counted ANSWER_WEIGHT): how much of its surface the question shares."""
        if not scored.char_weight:
            return 0.0
        end = self._starts[entry + 1] if entry + 1 < len(self._starts) else self.size
        document = self._starts[entry] + int(np.argmax(scored.documents[self._starts[entry]:end]))
        view = next(v for v in self._views if v.name == "characters")
        start, stop = self._documents.indptr[document], self._documents.indptr[document + 1]
        columns, values = self._documents.indices[start:stop], self._documents.data[start:stop]
        inside = (columns >= view.offset) & (columns < view.offset + len(view.vocabulary))
        return float(values[inside] @ scored.vector[columns[inside]]) / scored.char_weight

    def _ranked(self, scored: _Scored, top: int, language: str | None) -> list[Match]:
        candidates = (np.flatnonzero(self.entry_languages == language) if language is not None
                      else np.arange(len(scored.per_entry)))
        order = candidates[np.argsort(-scored.per_entry[candidates], kind="stable")]
        return [Match(int(self.entry_ids[i]), float(scored.per_entry[i]),
                      acceptance.confidence(self._features(scored, order, rank)))
                for rank, i in enumerate(order[:top])]

    def _features(self, scored: _Scored, order: np.ndarray, rank: int) -> list[float]:
        """acceptance.FEATURES of the entry at `rank` of `order` (entries, best first)."""
        entry = int(order[rank])
        score = float(scored.per_entry[entry])
        # the best other candidate's score
        other = float(scored.per_entry[order[1 if rank == 0 else 0]]) if len(order) > 1 else 0.0
        return [score, float(scored.words), float(scored.cyrillic), self._character_cosine(scored, entry),
                other / score if score > 0 else 1.0]

    def features(self, text: str) -> tuple[int | None, list[float]]:
        """The first entry for `text` and the features of its ranking (acceptance.FEATURES):
        what its confidence is computed from."""
        scored = self._scores(text)
        if scored is None:
            return None, [0.0] * len(acceptance.FEATURES)
        order = np.argsort(-scored.per_entry, kind="stable")
        return int(self.entry_ids[order[0]]), self._features(scored, order, 0)

    def search(self, text: str, *, top: int = 3, language: str | None = None) -> list[Match]:
        """The best `top` entries for `text`, best first (empty for an empty index); only those
        written in `language` when one is given. Each has its confidence (acceptance.py)."""
        scored = self._scores(text)
        return [] if scored is None else self._ranked(scored, top, language)

    def best_for_reader(self, text: str, language: str, *, threshold: float | None = None) -> Match | None:
        """The best entry for a reader of `language`: one the shop wrote in that language when
        it answers (`accepts`), else the best in any language (a German question about PayPal is
        still answered by the English entry when there is no German one). None: empty index.
        The entry found may not answer; the caller decides (`accepts`)."""
        return self.read(text, language, threshold=threshold)[0]

    def suggestions(self, text: str, language: str) -> list[Match]:
        """The entries to offer a reader of `language` when none answers: the best OFFERED (the
        shop's entries in that language when the first of them reaches acceptance.SUGGEST, else
        the best in any language), none when the first is under SUGGEST. The others only with at
        least OFFER_SHARE of the first's score: on the dev sets that kept every right entry
        offered and a button fewer (2.1 instead of 2.8 for dev 1-3)."""
        scored = self._scores(text)
        return [] if scored is None else self._suggestions(scored, language)

    def read(self, text: str, language: str, *, threshold: float | None = None,
             ) -> tuple[Match | None, list[Match]]:
        """`best_for_reader` and, when it doesn't answer, `suggestions`, the question scored once."""
        scored = self._scores(text)
        if scored is None:
            return None, []
        own = self._ranked(scored, 1, language)
        if own and accepts(own[0], threshold):
            return own[0], []
        best = self._ranked(scored, 1, None)[0]
        return best, [] if accepts(best, threshold) else self._suggestions(scored, language)

    def _suggestions(self, scored: _Scored, language: str) -> list[Match]:
        for reader in (language, None):
            ranked = self._ranked(scored, OFFERED, reader)
            if ranked and ranked[0].score > 0 and ranked[0].confidence >= acceptance.SUGGEST:
                return [m for m in ranked if m.score >= OFFER_SHARE * ranked[0].score]
        return []

    def best(self, text: str, *, threshold: float | None = None) -> Match | None:
        """The entry that answers `text` (`accepts`: by its confidence, or by its score against
        a `threshold`), or None when none does."""
        found = self.search(text, top=1)
        return found[0] if found and accepts(found[0], threshold) else None


@dataclass(frozen=True)
class _Scored:
    """A question scored against every entry, with what its confidence needs."""
    per_entry: np.ndarray
    documents: np.ndarray  # each document's score before coverage
    vector: np.ndarray  # the question's weighted row
    words: int  # its content words (Chinese: content characters)
    cyrillic: bool
    char_weight: float  # the weight of its character view in `vector`


Version = tuple[int, object, object, object]


class FaqLibrary:
    """The index of the enabled entries, built on first use and rebuilt when they change.

    One per process (the action server keeps one); safe to share between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: Version | None = None
        self._index = FaqIndex([])
        self.builds = 0

    def index(self, session: Session) -> FaqIndex:
        version = current_version(session)
        with self._lock:
            if version != self._version:
                entries = session.scalars(select(FaqEntry).where(FaqEntry.enabled.is_(True))).all()
                self._index = FaqIndex(entry_documents(entries))
                self._version = version
                self.builds += 1
            return self._index


def current_version(session: Session) -> Version:
    """Changes whenever an enabled entry is added, edited, enabled, disabled or deleted."""
    row = session.execute(select(
        func.count(FaqEntry.id), func.max(FaqEntry.updated_at), func.max(FaqEntry.id),
        func.sum(FaqEntry.id),
    ).where(FaqEntry.enabled.is_(True))).one()
    return (int(row[0]), row[1], row[2], row[3])
