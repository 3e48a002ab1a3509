"""Finding the FAQ entry a customer's question asks about, at run time, without retraining.

Every entry's question, variants and answer are documents of a small TF-IDF index with two
views of their content words (STOP_WORDS taken out): character n-grams within words (robust
to typos and word forms: "shipping", "shipped") and words and word pairs (what the question
is about: "return policy", "gift wrap"). A query's score for an entry is the best cosine
similarity over its documents, the two views weighted by CHAR_WEIGHT. The answer is a
document too: it holds the words a customer asks with ("Klarna", "Switzerland", "showroom")
that the question may not.
Below THRESHOLD the answer is "I don't know that yet" rather than a guess; the threshold was
chosen on the held-out paraphrases in tests/faq/paraphrases.yml (see tests/faq/test_retrieval.py).

The index is built once and rebuilt when the entries change (FaqLibrary checks a cheap
version of the table on every question), so an owner's edit answers from the next message on.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.faq.entries import split_variants
from shop.models import FaqEntry

# Chosen on tests/faq/paraphrases.yml: the lowest score that keeps ≥ 95% of the unrelated
# questions unanswered while answering as many paraphrases as possible (see the test).
THRESHOLD = 0.46
CHAR_WEIGHT = 0.7  # the rest is the word view
# Words that say nothing about which entry is meant ("long", "much", "where" and "when" do:
# they tell delivery times from shipping costs from the showroom).
STOP_WORDS = frozenset((  # noqa: SIM905 - a word list reads better as words
    "a an the i me my we our you your it its is are was be am do does did to of in on at for "
    "and or with about please hi hello hey there this that what whats which could would should "
    "will shall tell know like just any some have has us so if can how s im get").split())
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Document:
    entry_id: int
    text: str
    language: str = "en"  # the language the shop wrote its entry in


@dataclass(frozen=True)
class Match:
    entry_id: int
    score: float


def entry_documents(entries: Sequence[FaqEntry]) -> list[Document]:
    """The texts an entry is found by: its question, each of its variants, and its answer."""
    return [Document(e.id, text, e.language or "en") for e in entries
            for text in (e.question, *split_variants(e.variants), e.answer)]


def content_words(text: str) -> str:
    """The words of `text` that can tell one entry from another, lower-cased."""
    return " ".join(w for w in WORD.findall(text.lower()) if w not in STOP_WORDS)


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
        texts = [d.text for d in ordered]
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                     preprocessor=content_words, strip_accents="unicode")
        self._word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                     preprocessor=content_words, strip_accents="unicode",
                                     token_pattern=r"(?u)\b\w+\b")
        char = self._char.fit_transform(texts)
        try:
            word = self._word.fit_transform(texts)
            self._has_words = True
        except ValueError:  # every document is stop words only: the character view alone
            word, self._has_words = csr_matrix((len(texts), 0)), False
        # TF-IDF rows are L2-normalised, so a dot product is the cosine (what linear_kernel
        # computes); both views side by side make one sparse product per query.
        self._documents = hstack([char, word], format="csr")
        char_weight = CHAR_WEIGHT if self._has_words else 1.0
        self._views = [(self._char.build_analyzer(), self._char.vocabulary_, self._char.idf_, 0,
                        char_weight)]
        if self._has_words:
            self._views.append((self._word.build_analyzer(), self._word.vocabulary_, self._word.idf_,
                                char.shape[1], 1 - char_weight))

    def _query(self, text: str) -> np.ndarray:
        """`text` as a dense row of both views, weighted: what TfidfVectorizer.transform gives
        (sublinear tf × idf, L2-normalised), without its per-call checks (a query is ~50 terms)."""
        vector = np.zeros(self._documents.shape[1])
        for analyse, vocabulary, idf, offset, weight in self._views:
            counts: dict[int, int] = {}
            for term in analyse(text):
                if (column := vocabulary.get(term)) is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts, dtype=np.int64)
            values = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * idf[columns]
            vector[offset + columns] = weight * values / np.linalg.norm(values)
        return vector

    def _scores(self, text: str) -> np.ndarray | None:
        """Each entry's score for `text` (its best document), or None for nothing to rank."""
        if not self.size or not text.strip():
            return None
        return np.maximum.reduceat(self._documents @ self._query(text), self._starts)

    def _ranked(self, per_entry: np.ndarray, top: int, language: str | None) -> list[Match]:
        candidates = (np.flatnonzero(self.entry_languages == language) if language is not None
                      else np.arange(len(per_entry)))
        best = candidates[np.argsort(-per_entry[candidates], kind="stable")[:top]]
        return [Match(int(self.entry_ids[i]), float(per_entry[i])) for i in best]

    def search(self, text: str, *, top: int = 3, language: str | None = None) -> list[Match]:
        """The best `top` entries for `text`, best first (empty for an empty index); only those
        written in `language` when one is given."""
        per_entry = self._scores(text)
        return [] if per_entry is None else self._ranked(per_entry, top, language)

    def best_for_reader(self, text: str, language: str, *, threshold: float = THRESHOLD) -> Match | None:
        """The best entry for a reader of `language`: one the shop wrote in that language when
        one is close enough, else the best in any language (a German question about PayPal is
        still answered by the English entry when there is no German one). None: empty index.
        The score may be under `threshold`; the caller decides."""
        per_entry = self._scores(text)
        if per_entry is None:
            return None
        own = self._ranked(per_entry, 1, language)
        if own and own[0].score >= threshold:
            return own[0]
        return self._ranked(per_entry, 1, None)[0]

    def best(self, text: str, *, threshold: float = THRESHOLD) -> Match | None:
        """The entry that answers `text`, or None when none is close enough."""
        found = self.search(text, top=1)
        return found[0] if found and found[0].score >= threshold else None


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
