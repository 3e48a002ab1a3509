"""Whether the FAQ entry retrieval found first answers the question: a small logistic regression
over features of the question's ranking, not the score alone.

The score alone mixes up near-misses (a shop question the FAQ doesn't answer, sharing the words
of an entry: "can you ship a sofa to Italy?") with chat-style paraphrases (the right entry, said
in other words and a story around it). Nothing here is learned per entry (an owner's entries
change at run time): only what any ranking has.

- score: the entry's score (retrieval.FaqIndex);
- words: the question's content words (Chinese: content characters), at most WORDS_CAP: at the
  same score, a longer question is more likely the entry's paraphrase than a short near-miss;
- cyrillic: the question is written in Cyrillic;
- characters: the character view's cosine of the entry's best document: at the same score, a
  question that shares more of an entry's surface and less of its concepts is more often a
  near-miss;
- ratio: the best other entry's score over this one's (how clearly it wins).

Fitted on tests/faq/dev_paraphrases.yml, dev_paraphrases2.yml and dev_paraphrases3.yml pooled
(a paraphrase whose right entry came first: 1; an unrelated question, or a paraphrase whose
first entry is wrong: 0), the features chosen by leave-one-dev-set-out (each set held out in
turn: no fold's unrelated questions answered more often than with the score alone, the most
paraphrases answered). ACCEPT is the lowest confidence that leaves ≥ 95% of the three sets'
unrelated questions unanswered. tests/faq/test_acceptance.py re-derives both from the files
(`python -m shop.faq.acceptance` prints them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

FEATURES = ("score", "words", "cyrillic", "characters", "ratio")
WORDS_CAP = 8  # no question of the dev sets has more than 11; 8 leaves the fit as it is
COEFFICIENTS = (11.594, 0.603, 1.028, -1.254, -1.907)
INTERCEPT = -4.904
ACCEPT = 0.77
# Below ACCEPT, down to SUGGEST, the best entries are offered as buttons instead of answered
# ("Is it one of these?"): the lowest confidence at which at most a quarter of the dev sets'
# unrelated questions get such an offer or an answer (an offer costs them a glance; a paraphrase, its
# answer one tap away). Chosen with ACCEPT, by `derive`.
SUGGEST = 0.31
SUGGEST_SHARE = 0.75  # of the dev sets' unrelated questions offered nothing
C = 1.0  # the fit's regularisation (sklearn's C, on standardised features)


def confidence(features: Sequence[float], coefficients: Sequence[float] = COEFFICIENTS,
               intercept: float = INTERCEPT) -> float:
    """The probability that the entry with these features (FEATURES' order) is the one asked
    about."""
    values = [min(v, WORDS_CAP) if name == "words" else v for name, v in zip(FEATURES, features, strict=True)]
    z = intercept + sum(c * v for c, v in zip(coefficients, values, strict=True))
    return 1 / (1 + math.exp(-z))


def fit(rows: Sequence[Sequence[float]], right: Sequence[bool]) -> tuple[tuple[float, ...], float]:
    """Coefficients and intercept (for the raw features, FEATURES' order) of the logistic
    regression of `right` on `rows`, fitted on standardised features."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array(rows, dtype=float)
    x[:, FEATURES.index("words")] = np.minimum(x[:, FEATURES.index("words")], WORDS_CAP)
    mean, spread = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / spread, np.array(right, dtype=int))
    coefficients = model.coef_[0] / spread
    intercept = float(model.intercept_[0] - (model.coef_[0] * mean / spread).sum())
    return tuple(float(c) for c in coefficients), intercept


def lowest_accept(unrelated: Sequence[float], share: float = 0.95, step: float = 0.01) -> float:
    """The lowest confidence, on a grid of `step`, that leaves ≥ `share` of `unrelated` (their
    confidences) below it."""
    accept = 0.0
    while sum(c < accept for c in unrelated) < share * len(unrelated):
        accept = round(accept + step, 10)
    return accept


def derive() -> tuple[tuple[float, ...], float, float, float]:
    """COEFFICIENTS, INTERCEPT, ACCEPT and SUGGEST, re-derived from the three development sets."""
    from pathlib import Path

    import yaml

    from shop.faq.demo import DEMO_FAQ
    from shop.faq.retrieval import Document, FaqIndex

    ids = {question: i for i, (question, *_rest) in enumerate(DEMO_FAQ, start=1)}
    index = FaqIndex([Document(ids[q], text) for q, variants, answer, _tags in DEMO_FAQ
                      for text in (q, *variants, answer)])
    folder = Path(__file__).resolve().parents[2] / "tests" / "faq"
    rows: list[list[float]] = []
    right: list[bool] = []
    unrelated: list[list[float]] = []
    for name in ("dev_paraphrases.yml", "dev_paraphrases2.yml", "dev_paraphrases3.yml"):
        asked = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        for paraphrase in asked["paraphrases"]:
            entry, features = index.features(paraphrase["text"])
            rows.append(features)
            right.append(entry == ids[paraphrase["entry"]])
        for text in asked["unrelated"]:
            features = index.features(text)[1]
            rows.append(features)
            right.append(False)
            unrelated.append(features)
    coefficients, intercept = fit(rows, right)
    confidences = [confidence(f, coefficients, intercept) for f in unrelated]
    return (coefficients, intercept, lowest_accept(confidences),
            lowest_accept(confidences, share=SUGGEST_SHARE))


if __name__ == "__main__":
    import sys

    coefficients, intercept, accept, suggest = derive()
    sys.stdout.write(f"COEFFICIENTS = {tuple(round(c, 3) for c in coefficients)}\n"
                     f"INTERCEPT = {round(intercept, 3)}\nACCEPT = {accept}\nSUGGEST = {suggest}\n")
