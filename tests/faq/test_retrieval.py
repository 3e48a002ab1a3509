"""Retrieval over the demo FAQ, held to the issue's bar on questions written apart from it.

tests/faq/dev_paraphrases.yml, dev_paraphrases2.yml and dev_paraphrases3.yml are the development
sets: the analysis, the concept table (shop/faq/synonyms.py), the views' weights and the
acceptance model (shop/faq/acceptance.py: its features, coefficients and ACCEPT, the lowest
confidence that leaves ≥ 95% of their unrelated questions, the three sets' together, without an
FAQ answer, since a wrong answer is worse than "I don't know that yet" and a person) are chosen
on them. dev_paraphrases4.yml is the validation set: measured, nothing chosen on it.
tests/faq/paraphrases.yml was written apart from the entries and from the development sets, and
is never indexed nor tuned to: it only measures. "Answered": the right entry first and accepted
(its confidence ≥ ACCEPT; before the acceptance model, its score ≥ THRESHOLD).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml

from shop.faq import entries
from shop.faq.acceptance import ACCEPT, SUGGEST
from shop.faq.demo import DEMO_FAQ, seed_faq
from shop.faq.retrieval import THRESHOLD, Document, FaqIndex, FaqLibrary, Match

HELD_OUT = yaml.safe_load((Path(__file__).parent / "paraphrases.yml").read_text(encoding="utf-8"))
DEV = yaml.safe_load((Path(__file__).parent / "dev_paraphrases.yml").read_text(encoding="utf-8"))
DEV2 = yaml.safe_load((Path(__file__).parent / "dev_paraphrases2.yml").read_text(encoding="utf-8"))
DEV3 = yaml.safe_load((Path(__file__).parent / "dev_paraphrases3.yml").read_text(encoding="utf-8"))
DEV4 = yaml.safe_load((Path(__file__).parent / "dev_paraphrases4.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_index() -> tuple[FaqIndex, dict[str, int]]:
    ids = {question: i for i, (question, *_rest) in enumerate(DEMO_FAQ, start=1)}
    documents = [Document(ids[q], text) for q, variants, answer, _tags in DEMO_FAQ
                 for text in (q, *variants, answer)]
    return FaqIndex(documents), ids


def scores(index: FaqIndex, ids: dict[str, int], asked: dict = HELD_OUT,
           ) -> tuple[list[tuple[bool, float]], list[float]]:
    """Each paraphrase's (right entry first, its confidence) and each unrelated question's
    confidence."""
    paraphrases = [(index.search(p["text"], top=1)[0], ids[p["entry"]]) for p in asked["paraphrases"]]
    unrelated = [index.search(text, top=1)[0].confidence for text in asked["unrelated"]]
    return [(m.entry_id == wanted, m.confidence) for m, wanted in paraphrases], unrelated


@pytest.mark.parametrize("asked", [HELD_OUT, DEV, DEV2, DEV3, DEV4],
                         ids=["held-out", "dev", "dev2", "dev3", "dev4"])
def test_the_question_files_name_real_entries_and_are_not_indexed(demo_index, asked):
    _index, ids = demo_index
    assert {p["entry"] for p in asked["paraphrases"]} == set(ids)
    indexed = {t.lower().strip(" ?.") for q, v, a, _t in DEMO_FAQ for t in (q, *v)}
    questions = [p["text"].lower().strip(" ?.") for p in asked["paraphrases"]] + asked["unrelated"]
    assert [t for t in questions if t in indexed] == []
    assert len(asked["paraphrases"]) >= 75 and len(asked["unrelated"]) >= 50


def test_the_score_alone_threshold_is_the_lowest_that_keeps_the_dev_sets_unrelated_questions_out(demo_index):
    """THRESHOLD, the score alone's cut before the acceptance model (kept for comparison)."""
    index, _ids = demo_index
    unrelated = [index.search(text, top=1)[0].score
                 for asked in (DEV, DEV2, DEV3) for text in asked["unrelated"]]
    assert np.mean([s < THRESHOLD for s in unrelated]) >= 0.95
    assert np.mean([s < THRESHOLD - 0.01 for s in unrelated]) < 0.95


def test_what_retrieval_reaches_on_the_dev_set_does_not_get_worse(demo_index):
    """202 questions, a quarter each in German, Russian and Chinese (the demo FAQ is English):
    measured 0.947 first and 0.692 answered when THRESHOLD was first chosen (0.62, on this set
    alone); 0.970 and 0.817 since the second set (THRESHOLD 0.41 on both), 98.2% of the
    unrelated questions under it; 0.970 and 0.792 since the third (THRESHOLD 0.44 by the rule
    over three sets' unrelated questions: a deliberate trade, fewer near-misses answered); with
    the acceptance model (confidence ≥ ACCEPT 0.79): 0.970 and 0.856, 98.2% unrelated left alone;
    with the demo entries' variants and the concept rows of 2026-12-05 (ACCEPT re-derived, 0.77):
    0.975 and 0.896, 96.5% (55 of 57: "Какая завтра погода?" now over ACCEPT, whose rule is the
    three sets' unrelated questions together, 95.2% left alone; so the floor 0.98 -> 0.96)."""
    paraphrased, unrelated = scores(*demo_index, DEV)
    assert np.mean([right for right, _score in paraphrased]) >= 0.97
    assert np.mean([right and score >= ACCEPT for right, score in paraphrased]) >= 0.89
    assert np.mean([s < ACCEPT for s in unrelated]) >= 0.96


def test_what_retrieval_reaches_on_the_second_dev_set_does_not_get_worse(demo_index):
    """207 questions, 62% English, the rest German, Russian and Chinese, many without the entry's
    words; 86 unrelated, most of them shop-like near-misses. Measured before anything was chosen
    on it: 0.715 first, 0.357 answered, 93.0% of the unrelated questions under THRESHOLD (0.62);
    after (THRESHOLD 0.41): 0.932 first, 0.734 answered, 94.2% of the unrelated under it; since
    the third set (THRESHOLD 0.44, the rule over three sets): 0.932, 0.720, 95.3% (a deliberate
    trade: answered floor 0.72 -> 0.71, unrelated floor 0.94 -> 0.95); with the acceptance model
    (ACCEPT 0.79): 0.932, 0.749, 96.5% (wrong entries answered 1.9% -> 1.0%); with the demo
    entries' variants and the concept rows of 2026-12-05 (ACCEPT 0.77): 0.947, 0.821, 98.8%."""
    paraphrased, unrelated = scores(*demo_index, DEV2)
    assert np.mean([right for right, _score in paraphrased]) >= 0.94
    assert np.mean([right and score >= ACCEPT for right, score in paraphrased]) >= 0.82
    assert np.mean([s < ACCEPT for s in unrelated]) >= 0.98


def test_what_retrieval_reaches_on_the_third_dev_set_does_not_get_worse(demo_index):
    """156 chat messages with their situation ("hi! ordered a vase for a friend in Vienna, do
    you even send there?"), half English, the rest German, Russian and Chinese; 109 unrelated,
    97 of them near-misses that share a word or topic with an entry. Measured before anything
    was chosen on it: 0.904 first, 0.462 answered, 88.1% of the unrelated questions under
    THRESHOLD (0.41); after chat words as stop words and THRESHOLD 0.44 by the rule over three
    sets: 0.904 first, 0.462 answered, 93.6% of the unrelated under it; with the acceptance
    model (ACCEPT 0.79): 0.904, 0.615, 92.7% (one more near-miss answered, 101 of 109 left alone;
    wrong entries answered 0.0% -> 1.3%); with the demo entries' variants and the concept rows of
    2026-12-05 (ACCEPT 0.77): 0.942, 0.712, 91.7% (100 of 109, one near-miss more answered: ACCEPT's
    rule is the three sets' unrelated questions together, 95.2% left alone; so the floor 0.92 ->
    0.91; wrong entries answered 1.3% -> 0.6%). Three of the new variants turned out to be
    word for word questions of the held-out file (its test of indexed questions failed on the
    merge) and were taken out: 0.936, 0.705, 91.7%."""
    paraphrased, unrelated = scores(*demo_index, DEV3)
    assert np.mean([right for right, _score in paraphrased]) >= 0.93
    assert np.mean([right and score >= ACCEPT for right, score in paraphrased]) >= 0.70
    assert np.mean([s < ACCEPT for s in unrelated]) >= 0.91


def test_what_retrieval_reaches_on_the_fourth_dev_set_does_not_get_worse(demo_index):
    """The validation set: 156 terse, misspelt, story-wrapped, indirect and mixed-language
    messages (half English, the rest German, Russian and Chinese); 101 unrelated, 51 of them
    near-misses. Nothing chosen on it. Measured once written, with the score alone (THRESHOLD
    0.44): 0.923 first, 0.647 answered, 92.1% of the unrelated left alone (wrong entries answered
    2.6%); with the acceptance model fitted on the other three (ACCEPT 0.79): 0.923, 0.756,
    94.1% (wrong entries answered 3.2%); with the demo entries' variants and the concept rows of
    2026-12-05, chosen on the other three (ACCEPT 0.77): 0.942, 0.833, 94.1% (wrong entries
    answered 1.9%); without the three variants that were held-out questions word for word:
    0.936, 0.833, 94.1%."""
    paraphrased, unrelated = scores(*demo_index, DEV4)
    assert np.mean([right for right, _score in paraphrased]) >= 0.93
    assert np.mean([right and score >= ACCEPT for right, score in paraphrased]) >= 0.83
    assert np.mean([s < ACCEPT for s in unrelated]) >= 0.94


def test_unrelated_questions_get_no_faq_answer(demo_index):
    """Measured on the held-out file with THRESHOLD chosen on the dev sets: 56 of 60 (93.3%)
    with one and two dev sets (0.62, 0.41); 57 (95.0%) with three (0.44); 58 (96.7%) with the
    acceptance model (confidence ≥ ACCEPT 0.79); 58 (96.7%) with the new variants and concept
    rows (ACCEPT 0.77)."""
    _paraphrased, unrelated = scores(*demo_index)
    assert np.mean([s < ACCEPT for s in unrelated]) >= 0.95


def test_the_right_entry_comes_first_and_answers_for_90_percent_of_paraphrases(demo_index):
    """The issue's bar: the right entry first, and answered (confidence ≥ ACCEPT), not only ranked
    first. Measured on the held-out file: 79.5% with the acceptance model of ACCEPT 0.79; 90.4%
    (75 of 83) with the demo entries' variants (96 -> 210, written from the development sets'
    failures by someone who never saw this file; three that were questions of this file word for
    word were taken out before it was measured) and the concept rows of 2026-12-05 (ACCEPT 0.77
    by the same rule), measured once. It was a strict xfail until then."""
    paraphrased, _unrelated = scores(*demo_index)
    assert np.mean([right and score >= ACCEPT for right, score in paraphrased]) >= 0.90


def test_what_retrieval_reaches_today_does_not_get_worse(demo_index):
    """Measured 2026-12-05 after the third dev set: 0.964 first, 0.795 answered, 95.0% of the
    unrelated questions under THRESHOLD (after the second: 0.964, 0.855, 93.3%); with the
    acceptance model (confidence ≥ ACCEPT 0.79, measured once after it was chosen): 0.964, 0.795,
    96.7%; with the new variants and concept rows (ACCEPT 0.77): 0.964, 0.904, 96.7%. A floor,
    never a target to tune to."""
    paraphrased, unrelated = scores(*demo_index)
    assert np.mean([right for right, _score in paraphrased]) >= 0.95
    assert np.mean([right and score >= ACCEPT for right, score in paraphrased]) >= 0.90
    assert np.mean([s < ACCEPT for s in unrelated]) >= 0.95


def answered_or_offered(index: FaqIndex, ids: dict[str, int], asked: dict = HELD_OUT,
                        ) -> tuple[list[bool], list[bool]]:
    """Each paraphrase: its right entry answered, or (none answering) among the entries offered;
    each unrelated question: neither answered nor offered anything."""
    paraphrases = []
    for p in asked["paraphrases"]:
        first, wanted = index.search(p["text"], top=1)[0], ids[p["entry"]]
        paraphrases.append(first.entry_id == wanted if first.confidence >= ACCEPT
                           else wanted in [m.entry_id for m in index.suggestions(p["text"], "en")])
    unrelated = [index.search(text, top=1)[0].confidence < ACCEPT and not index.suggestions(text, "en")
                 for text in asked["unrelated"]]
    return paraphrases, unrelated


@pytest.mark.parametrize(("asked", "reached", "left_alone"), [
    (DEV, 0.97, 0.85), (DEV2, 0.93, 0.81), (DEV3, 0.91, 0.63), (DEV4, 0.93, 0.72)],
    ids=["dev", "dev2", "dev3", "dev4"])
def test_what_answers_and_offers_reach_on_the_dev_sets_does_not_get_worse(demo_index, asked, reached,
                                                                           left_alone):
    """Below ACCEPT down to SUGGEST the entries that come close are offered as buttons. Measured
    when SUGGEST was chosen (on dev 1-3; dev 4 validates): the right entry answered or offered
    0.946, 0.884, 0.878, 0.904 (answered alone 0.856, 0.749, 0.615, 0.756); unrelated questions
    neither answered nor offered anything 87.7%, 81.4%, 63.3% (mostly near-misses), 75.2%. With the
    demo entries' variants and the concept rows of 2026-12-05 (SUGGEST re-derived by its rule,
    0.37 -> 0.30): answered or offered 0.970, 0.932, 0.929, 0.936; nothing offered to 86.0%,
    81.4%, 64.2%, 72.3% of the unrelated questions (the rule holds for the three sets together,
    75%; dev's floor 0.87 -> 0.85 and dev4's 0.75 -> 0.72 for that: more paraphrases come close,
    and so do a few more near-misses)."""
    paraphrases, unrelated = answered_or_offered(*demo_index, asked)
    assert np.mean(paraphrases) >= reached
    assert np.mean(unrelated) >= left_alone


def test_what_answers_and_offers_reach_on_the_held_out_file_does_not_get_worse(demo_index):
    """Measured once, after SUGGEST was chosen: the right entry answered or offered for 88.0% of
    the held-out paraphrases (answered at once 79.5%); 88.3% of the unrelated questions neither
    answered nor offered anything (96.7% not answered). With the new variants and concept rows
    (SUGGEST 0.37 -> 0.31): 94.0% answered or offered, 90.0% offered nothing. A floor, never a
    target to tune to."""
    paraphrases, unrelated = answered_or_offered(*demo_index)
    assert np.mean(paraphrases) >= 0.93
    assert np.mean(unrelated) >= 0.88


def test_suggestions_prefer_the_readers_language_and_stop_short_of_a_sure_answer():
    index = FaqIndex([Document(1, "How long does delivery take?"),
                      Document(2, "How much does shipping cost?"),
                      Document(3, "Wie lange dauert der Versand?", "de"),
                      Document(4, "Do you sell gift cards?")])
    asked = "when does the parcel arrive and what does it cost"
    assert SUGGEST <= index.search(asked, top=1)[0].confidence < ACCEPT
    assert [m.entry_id for m in index.suggestions(asked, "en")] == [2, 1]
    assert [m.entry_id for m in index.suggestions(asked, "de")] == [3]  # the shop's German entry
    assert index.search("parcel time and cost to austria", top=1)[0].confidence < SUGGEST
    assert index.suggestions("parcel time and cost to austria", "en") == []
    assert index.suggestions("glorp", "en") == []


def test_an_entry_far_behind_the_first_is_not_offered(demo_index):
    index, ids = demo_index
    ranked = index.search("is there a car park at the showroom?", top=3)
    # measured: 0.30, 0.08, 0.07 (0.30, 0.11, 0.09 before the demo entries' variants of 2026-12-05,
    # when the second, the contact entry, was offered too)
    assert ranked[1].score < ranked[0].score / 3
    offered = [m.entry_id for m in index.suggestions("is there a car park at the showroom?", "en")]
    assert offered == [ids["Do you have a shop I can visit?"]]


def test_a_misspelt_word_is_read_as_the_word_the_index_knows_and_concepts_cross_languages():
    index = FaqIndex([Document(1, "How do I return an item?"), Document(2, "Do you sell gift cards?"),
                      Document(3, "What are your opening hours?")])
    assert index.analyzer.correct("retrun") == "return"
    assert index.analyzer.correct("wedding") == "wedding"  # not "bedding": a typo keeps the first letter
    assert index.search("how do I retrun this", top=1)[0].entry_id == 1
    for question, entry in (("Wie schicke ich etwas zurück?", 1), ("Как вернуть товар?", 1),
                            ("你们有礼品卡吗？", 2), ("Wann habt ihr geöffnet?", 3)):
        assert index.best(question) == Match(entry, pytest.approx(index.best(question).score)), question
    assert index.best("who won the football match yesterday") is None


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
