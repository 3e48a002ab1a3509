"""Retrieval over the demo FAQ, held to the issue's bar on questions written apart from it.

tests/faq/paraphrases.yml was written apart from the entries and is never indexed. The
threshold (shop.faq.retrieval.THRESHOLD) is chosen on it: the lowest score that leaves ≥ 95%
of the unrelated questions without an FAQ answer, since a wrong answer is worse than "I don't
know that yet" and a person.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml

from shop.faq import entries
from shop.faq.demo import DEMO_FAQ, seed_faq
from shop.faq.retrieval import THRESHOLD, Document, FaqIndex, FaqLibrary

HELD_OUT = yaml.safe_load((Path(__file__).parent / "paraphrases.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_index() -> tuple[FaqIndex, dict[str, int]]:
    ids = {question: i for i, (question, *_rest) in enumerate(DEMO_FAQ, start=1)}
    documents = [Document(ids[q], text) for q, variants, answer, _tags in DEMO_FAQ
                 for text in (q, *variants, answer)]
    return FaqIndex(documents), ids


def scores(index: FaqIndex, ids: dict[str, int]) -> tuple[list[tuple[bool, float]], list[float]]:
    paraphrases = [(index.search(p["text"], top=1)[0], ids[p["entry"]]) for p in HELD_OUT["paraphrases"]]
    unrelated = [index.search(text, top=1)[0].score for text in HELD_OUT["unrelated"]]
    return [(m.entry_id == wanted, m.score) for m, wanted in paraphrases], unrelated


def test_the_held_out_file_names_real_entries_and_is_not_indexed(demo_index):
    _index, ids = demo_index
    assert {p["entry"] for p in HELD_OUT["paraphrases"]} == set(ids)
    indexed = {t.lower().strip(" ?.") for q, v, a, _t in DEMO_FAQ for t in (q, *v)}
    asked = [p["text"].lower().strip(" ?.") for p in HELD_OUT["paraphrases"]] + HELD_OUT["unrelated"]
    assert [t for t in asked if t in indexed] == []
    assert len(HELD_OUT["paraphrases"]) >= 75 and len(HELD_OUT["unrelated"]) >= 50


def test_unrelated_questions_get_no_faq_answer(demo_index):
    _paraphrased, unrelated = scores(*demo_index)
    assert np.mean([s < THRESHOLD for s in unrelated]) >= 0.95


def test_the_threshold_is_the_lowest_that_keeps_unrelated_questions_out(demo_index):
    _paraphrased, unrelated = scores(*demo_index)
    just_below = THRESHOLD - 0.01
    assert np.mean([s < just_below for s in unrelated]) < 0.95


@pytest.mark.xfail(strict=True, reason=(
    "lexical retrieval (TF-IDF) over the demo FAQ puts the right entry first for ~78% of the "
    "held-out paraphrases, and above the threshold for ~54%; the issue asks 90%. Paraphrases "
    "that share no word with the entry ('can I call you' vs 'How can I contact you?') need "
    "more variants per entry or semantic retrieval"))
def test_the_right_entry_comes_first_for_90_percent_of_paraphrases(demo_index):
    paraphrased, _unrelated = scores(*demo_index)
    assert np.mean([right and score >= THRESHOLD for right, score in paraphrased]) >= 0.90


def test_what_retrieval_reaches_today_does_not_get_worse(demo_index):
    paraphrased, _unrelated = scores(*demo_index)
    assert np.mean([right for right, _score in paraphrased]) >= 0.75
    assert np.mean([right and score >= THRESHOLD for right, score in paraphrased]) >= 0.50


def test_the_library_rebuilds_when_an_entry_changes_and_only_then(session, now):
    library = FaqLibrary()
    seed_faq(session, now=now)
    assert library.index(session).best("can I pay with paypal") is not None
    library.index(session)
    assert library.builds == 1
    entry = entries.add_entry(session, question="Do you sell trombones?", now=now + timedelta(seconds=1),
                              answer="Yes, brass ones.")
    found = library.index(session).best("do you sell trombones")
    assert library.builds == 2 and found is not None and found.entry_id == entry.id
    entries.delete_entry(session, entry.id)
    assert library.index(session).best("do you sell trombones") is None
    assert library.builds == 3


def test_an_empty_faq_answers_nothing(session):
    assert FaqLibrary().index(session).best("do you ship to austria") is None


def test_a_reader_gets_the_entry_the_shop_wrote_in_their_language_else_any_that_answers():
    index = FaqIndex([
        Document(1, "Can I pay with PayPal?", "en"),
        Document(1, "Yes, we take PayPal, cards and Klarna.", "en"),
        Document(2, "Kann ich mit PayPal bezahlen?", "de"),
        Document(2, "Ja, wir nehmen PayPal, Karten und Klarna.", "de"),
        Document(3, "Do you ship to Austria?", "en"),
        Document(3, "Yes, we ship to Austria and Switzerland.", "en"),
    ])
    german = index.best_for_reader("kann ich auch mit paypal zahlen", "de")
    english = index.best_for_reader("can I pay with paypal", "en")
    assert german is not None and german.entry_id == 2 and german.score >= THRESHOLD
    assert english is not None and english.entry_id == 1
    # no German entry about Austria: the English one answers (and is scored like any other)
    austria = index.best_for_reader("do you ship to austria", "de")
    assert austria is not None and austria.entry_id == 3
    assert [m.entry_id for m in index.search("paypal", top=3, language="de")] == [2]
    assert index.search("paypal", top=3, language="ru") == []
