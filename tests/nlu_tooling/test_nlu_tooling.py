"""The NLU tooling's pure functions on tiny literal inputs and the real data files; no training."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from nlu import metrics
from nlu.data import NluData, load_nlu, parse_annotated, read_nlu_file, to_yaml
from nlu.evaluate import Evaluation, Run, write_folds
from nlu.folds import stratified_folds
from nlu.heldout import heldout_overlap, normalise, overlap
from nlu.rasa_config import SEEDED, fallback_threshold, seeded_config, with_seed
from nlu.rasa_results import intent_predictions, predicted_entities
from nlu.rasa_run import model_key, tf_env
from nlu.report import comparison_report, evaluation_report, seed_figures, seeds_report
from shop.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
DATA = ROOT / "data"
HELDOUT = ROOT / "tests" / "nlu" / "test_nlu.yml"
WIDE = ROOT / "tests" / "nlu" / "wide"


def _predictions(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["intent", "predicted", "confidence"])
    frame.insert(0, "text", [f"message {i}" for i in range(len(rows))])
    return frame


# --- yml <-> DataFrame -------------------------------------------------------------------


def test_parse_annotated_gives_plain_text_and_offsets() -> None:
    plain, entities = parse_annotated("has #[58213](order_id) shipped? [five](rating:5) stars")
    assert plain == "has #58213 shipped? five stars"
    assert entities == [
        {"entity": "order_id", "value": "58213", "start": 5, "end": 10},
        {"entity": "rating", "value": "5", "start": 20, "end": 24},
    ]
    assert plain[5:10] == "58213"


def test_yaml_round_trip_keeps_examples_and_extras(tmp_path: Path) -> None:
    examples = pd.DataFrame(
        {
            "intent": ["greet", "order_status", "greet"],
            "text": ["hi", "where is #[1042](order_id)?", "hello: there"],
        }
    )
    extras = [
        {"regex": "order_id", "examples": "- \\d{4,6}\n"},
        {"synonym": "csat", "examples": "- CSAT\n"},
    ]
    path = tmp_path / "nlu.yml"
    path.write_text(to_yaml(NluData(examples, extras)))

    back = read_nlu_file(path)

    assert sorted(zip(back.examples["intent"], back.examples["text"], strict=True)) == sorted(
        zip(examples["intent"], examples["text"], strict=True)
    )
    assert back.extras == extras
    assert back.examples.loc[back.examples["intent"] == "order_status", "plain"].item() == "where is #1042?"


def test_real_training_data_survives_a_round_trip(tmp_path: Path) -> None:
    data = load_nlu(DATA / "nlu")
    path = tmp_path / "all.yml"
    path.write_text(to_yaml(data))
    back = read_nlu_file(path)
    key = ["intent", "text"]
    assert (
        back.examples[key].sort_values(key).values.tolist()
        == data.examples[key].sort_values(key).values.tolist()
    )
    assert len(back.extras) == len(data.extras)


# --- report math -------------------------------------------------------------------------

# Gold vs predicted, hand-counted:
#   order_status: 3 gold, 2 right, 1 -> delivery_status;   predicted 2 times  -> P 1, R 2/3
#   delivery_status: 1 gold, right;  predicted 2 times     -> P 1/2, R 1
#   out_of_scope: 2 gold, 1 right, 1 -> ask_metric (a false accept)  -> P 1, R 1/2
#   ask_metric: 0 gold (not scored), predicted once
TINY = [
    ("order_status", "order_status", 0.9),
    ("order_status", "order_status", 0.4),
    ("order_status", "delivery_status", 0.8),
    ("delivery_status", "delivery_status", 0.95),
    ("out_of_scope", "out_of_scope", 0.7),
    ("out_of_scope", "ask_metric", 0.35),
]


def test_intent_scores_on_a_literal_confusion_set() -> None:
    scores = metrics.intent_scores(_predictions(TINY))
    assert list(scores.index) == ["delivery_status", "order_status", "out_of_scope"]
    assert scores.loc["order_status", ["precision", "recall"]].tolist() == pytest.approx([1.0, 2 / 3])
    assert scores.loc["order_status", "f1"] == pytest.approx(0.8)
    assert scores.loc["delivery_status", "f1"] == pytest.approx(2 / 3)
    assert scores.loc["out_of_scope", "f1"] == pytest.approx(2 / 3)
    assert scores["support"].tolist() == [1, 3, 2]
    assert metrics.macro_f1(_predictions(TINY)) == pytest.approx((0.8 + 2 / 3 + 2 / 3) / 3)


def test_confusion_pairs_are_counted_and_ordered() -> None:
    rows = TINY + [("order_status", "delivery_status", 0.6)]
    pairs = metrics.confusion_pairs(_predictions(rows))
    assert pairs.values.tolist() == [
        ["order_status", "delivery_status", 2],
        ["out_of_scope", "ask_metric", 1],
    ]


def test_false_accept_counts_business_intents_only() -> None:
    rows = [
        ("out_of_scope", "ask_metric", 0.9),  # false accept
        ("out_of_scope", "greet", 0.9),  # wrong, but answers no business question
        ("out_of_scope", "out_of_scope", 0.9),
        ("out_of_scope", metrics.FALLBACK, 0.2),
        ("order_status", "ask_metric", 0.9),  # not out-of-scope: not counted
    ]
    assert metrics.false_accept_rate(_predictions(rows)) == pytest.approx(1 / 4)


def test_fallback_turns_low_confidence_into_nlu_fallback_and_lowers_false_accepts() -> None:
    applied = metrics.with_fallback(_predictions(TINY), 0.5)
    assert applied["predicted"].tolist()[1] == metrics.FALLBACK
    assert applied["predicted"].tolist()[5] == metrics.FALLBACK
    assert metrics.false_accept_rate(_predictions(TINY)) == pytest.approx(0.5)
    assert metrics.false_accept_rate(applied) == 0.0


def test_threshold_cost_and_choice() -> None:
    predictions = _predictions(TINY)
    # t=0: wrong accepted = 2 (rows 2, 5), no fallbacks -> 4
    assert metrics.threshold_cost(predictions, 0.0) == 4.0
    # t=0.5: wrong accepted = 1 (row 2); fallbacks row 1 (in scope: 1), row 5 (out of scope: 0)
    assert metrics.threshold_cost(predictions, 0.5) == 3.0
    sweep = metrics.threshold_sweep(predictions, [0.0, 0.5, 0.85])
    # t=0.85: wrong accepted 0; in-scope fallbacks rows 1, 2 -> 2, the cheapest
    assert sweep["cost"].tolist() == [4.0, 3.0, 2.0]
    assert metrics.choose_threshold(sweep) == 0.85


def test_the_out_of_domain_threshold_refuses_far_messages_but_not_out_of_scope_ones() -> None:
    predictions = _predictions(TINY)
    predictions["similarity"] = [0.6, 0.5, 0.1, 0.3, 0.05, 0.1]
    applied = metrics.with_fallback(predictions, 0.0, 0.2)
    # rows 2 and 5 are far from their intent's examples; row 4 is a refusal already
    assert applied["predicted"].tolist() == [
        "order_status", "order_status", metrics.FALLBACK, "delivery_status", "out_of_scope", metrics.FALLBACK]
    # the wrong delivery_status is refused (a needless fallback, 1) instead of accepted (2),
    # and the refused out-of-scope message costs nothing
    assert metrics.threshold_cost(predictions, 0.0, 0.2) == 1.0
    sweep = metrics.threshold_sweep(predictions, [0.0, 0.5], [0.0, 0.2, 0.55])
    assert len(sweep) == 6
    assert metrics.choose_thresholds(sweep) == (0.0, 0.2)
    # a refusal counts as right for out_of_scope in the scores
    assert metrics.intent_scores(applied).loc["out_of_scope", "recall"] == 1.0


def test_seeds_report_quotes_the_mean_of_the_seeds() -> None:
    predictions = _predictions(TINY)
    predictions["gold_entities"] = [[]] * len(TINY)
    predictions["said_entities"] = [[]] * len(TINY)
    worse = predictions.copy()
    worse.loc[3, "predicted"] = "order_status"  # a delivery question missed by the second seed
    runs = [
        Evaluation(config=Path("config.yml"), threshold=0.5, chosen_threshold=0.5,
                   sweep=metrics.threshold_sweep(p, [0.5]), cv=p, heldout=Run(p, 100.0, 150.0),
                   folds=0, seed=seed)
        for seed, p in ((42, predictions), (43, worse))
    ]
    table = seed_figures(runs)
    assert list(table.index) == [42, 43]
    assert table.loc[43, "macro_f1"] < table.loc[42, "macro_f1"]
    report = seeds_report(runs, "tests/nlu/wide")
    mean = table["macro_f1"].mean()
    label = "intent macro-F1 (a refusal is right for out_of_scope, a miss otherwise)"
    assert f"| {label} | {mean:.3f} |" in report
    assert "| out-of-scope messages taken as a shop intent | 0.0% | 0.0% | 0.0% | <= 10% | yes |" in report
    assert "### Confusion matrix" in report


def test_entity_scores_count_a_value_once_whatever_extractors_found_it() -> None:
    gold = [[("order_id", "1042")], [("order_id", "7731"), ("metric", "csat")], []]
    said = [
        [("order_id", "1042"), ("order_id", "1042")],  # DIET and the regex: one hit
        [("order_id", "7731"), ("metric", "CSAT")],  # values compare case-insensitively
        [("order_id", "2025")],  # a false positive
    ]
    scores = metrics.entity_scores(gold, said)
    assert scores.loc["order_id", ["precision", "recall"]].tolist() == pytest.approx([2 / 3, 1.0])
    assert scores.loc["order_id", "f1"] == pytest.approx(0.8)
    assert scores.loc["metric", "f1"] == 1.0


# --- held-out overlap --------------------------------------------------------------------


def test_heldout_files_share_no_sentence_with_training_data() -> None:
    # tests/nlu holds the first held-out file and the wide evaluation (tests/nlu/wide)
    assert heldout_overlap(HELDOUT.parent, DATA) == []


def test_the_wide_evaluation_is_wide() -> None:
    """In-scope messages for every intent, out-of-scope ones from 20 domains and more, junk."""
    wide = load_nlu(WIDE).examples
    domain_intents = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])
    counts = wide["intent"].value_counts()
    assert set(counts.index) == domain_intents and counts.min() >= 15
    domains = re.findall(r"^# domain: (.+)$", (WIDE / "out_of_scope.yml").read_text(), flags=re.MULTILINE)
    assert len(set(domains)) >= 20, domains
    junk = load_nlu(WIDE / "junk.yml").examples["text"]
    assert max(map(len, junk)) >= 5000 and any("<script>" in t for t in junk)


def test_overlap_check_detects_a_shared_sentence_despite_case_annotation_and_spaces(
    tmp_path: Path,
) -> None:
    train = tmp_path / "data"
    (train / "nlu").mkdir(parents=True)
    (train / "nlu" / "orders.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n'
        "    - where is my order [1042](order_id)?\n"
    )
    (train / "stories.yml").write_text(
        'version: "3.1"\nstories:\n- story: s\n  steps:\n'
        "  - user: |\n      hello   there\n    intent: greet\n"
    )
    test = tmp_path / "test.yml"
    test.write_text(
        'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n'
        "    - Where is my  order 1042?\n    - where is my parcel\n"
        "- intent: greet\n  examples: |\n    - Hello there\n"
    )
    assert heldout_overlap(test, train) == ["Where is my  order 1042?", "Hello there"]
    assert normalise("  Where IS [1042](order_id)? ") == "where is 1042?"
    assert overlap(["a b"], ["A  b"]) == ["a b"]


def test_overlap_check_reads_language_folders_and_folds_their_writing(tmp_path: Path) -> None:
    """data/nlu/de, ru, zh and tests/nlu/de, ru, zh are read like the rest (issue 17)."""
    train, test = tmp_path / "data" / "nlu", tmp_path / "tests" / "nlu"
    for lang, intent, sentence in (("de", "order_status", "Wo ist Bestellung [1042](order_id)?"),
                                   ("ru", "order_status", "Где мой заказ №[1042](order_id)?"),
                                   ("zh", "order_status", "我的订单[1042](order_id)在哪里？")):
        (train / lang).mkdir(parents=True)
        (train / lang / "orders.yml").write_text(
            f'version: "3.1"\nnlu:\n- intent: {intent}\n  examples: |\n    - {sentence}\n', encoding="utf-8")
    (test / "zh").mkdir(parents=True)
    (test / "ru").mkdir()
    (test / "zh" / "test.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n'
        "    - 我的订单 1042 在哪里?\n    - 订单1042到了吗\n", encoding="utf-8")
    (test / "ru" / "test.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n'
        "    - где мой заказ  №1042?\n", encoding="utf-8")
    shared = heldout_overlap(test, tmp_path / "data")
    assert sorted(shared) == ["где мой заказ  №1042?", "我的订单 1042 在哪里?"]
    assert normalise("Ёлка ＃１０４２？") == normalise("елка #1042?") == "елка #1042?"
    assert normalise("Straße") == normalise("STRASSE")


def test_heldout_file_has_at_least_15_messages_for_every_domain_intent() -> None:
    domain_intents = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])
    counts = load_nlu(HELDOUT).examples["intent"].value_counts()
    assert set(counts.index) == domain_intents
    assert counts.min() >= 15


# --- folds -------------------------------------------------------------------------------


def test_folds_test_every_row_once_stratified_and_reproducibly() -> None:
    examples = pd.DataFrame({"intent": ["a"] * 10 + ["b"] * 5, "text": [str(i) for i in range(15)]})
    folds = stratified_folds(examples, 5, seed=7)
    assert sum(mask.astype(int) for mask in folds).tolist() == [1] * 15
    assert all(examples[mask]["intent"].value_counts().to_dict() == {"a": 2, "b": 1} for mask in folds)
    again = stratified_folds(examples, 5, seed=7)
    assert all(m1.equals(m2) for m1, m2 in zip(folds, again, strict=True))
    assert not all(m1.equals(m2) for m1, m2 in zip(folds, stratified_folds(examples, 5, seed=8), strict=True))


def test_extra_training_data_goes_into_every_training_fold_and_no_test_fold(tmp_path: Path) -> None:
    """python -m nlu compare-data: the folds are those of the data alone, so the runs with and
    without the extra file are tested on the same messages."""
    def data(rows: list[tuple[str, str]], extras: list[dict]) -> NluData:
        return NluData(pd.DataFrame({"intent": [i for i, _ in rows], "text": [t for _, t in rows],
                                     "plain": [t for _, t in rows], "entities": [[] for _ in rows]}), extras)

    base = data([("greet", f"hello {i}") for i in range(6)] + [("thank", f"thanks {i}") for i in range(6)],
                [{"regex": "order_id", "examples": "- \\d{4}\n"}])
    extra = data([("greet", "good evening, friends"), ("thank", "cheers, mate")], [])
    without = write_folds(base, 3, 7, tmp_path / "without")
    with_extra = write_folds(base, 3, 7, tmp_path / "with", extra)

    def texts(path: Path) -> list[str]:
        return sorted(load_nlu(path).examples["plain"])

    for (train0, test0), (train1, test1) in zip(without, with_extra, strict=True):
        assert texts(test1) == texts(test0)  # the same test messages
        assert texts(train1) == sorted([*texts(train0), "good evening, friends", "cheers, mate"])
        assert load_nlu(train1).extras == load_nlu(train0).extras  # the regex, once
    assert "good evening, friends" not in {t for _, test in with_extra for t in texts(test)}


# --- Rasa's output files -----------------------------------------------------------------


def test_rasa_test_outputs_become_predictions(tmp_path: Path) -> None:
    def prediction(text: str, intent: str, predicted: str, confidence: float) -> dict:
        return {
            "text": text,
            "intent": intent,
            "intent_prediction": {"name": predicted, "confidence": confidence},
        }

    (tmp_path / "intent_successes.json").write_text(json.dumps([prediction("hi", "greet", "greet", 0.99)]))
    (tmp_path / "intent_errors.json").write_text(
        json.dumps([prediction("cancel 1042", "cancel_order", "order_status", 0.6)])
    )
    diet = {
        "entity": "order_id",
        "value": "1042",
        "start": 7,
        "end": 11,
        "extractor": "DIETClassifier",
    }
    regex = {**diet, "extractor": "RegexEntityExtractor"}
    record = {"text": "cancel 1042", "entities": [diet], "predicted_entities": [diet, regex]}
    (tmp_path / "DIETClassifier_successes.json").write_text(json.dumps([record]))
    (tmp_path / "RegexEntityExtractor_successes.json").write_text(json.dumps([record]))

    predictions = intent_predictions(tmp_path)
    assert predictions.values.tolist() == [
        ["hi", "greet", "greet", 0.99],
        ["cancel 1042", "cancel_order", "order_status", 0.6],
    ]
    assert predicted_entities(tmp_path) == {"cancel 1042": [("order_id", "1042")]}


# --- configs -----------------------------------------------------------------------------


def test_seeds_are_pinned_on_every_random_component(tmp_path: Path) -> None:
    config = {
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": "DIETClassifier", "random_seed": 1},
            {"name": "rasa_runtime.components.linear_intents.LinearIntentClassifier"},
            {"name": "FallbackClassifier", "threshold": 0.6},
        ],
        "policies": [{"name": "RulePolicy"}, {"name": "TEDPolicy"}],
    }
    seeded = with_seed(config, 42)
    assert [p.get("random_seed") for p in seeded["pipeline"] + seeded["policies"]] == [
        None,
        42,
        42,
        None,
        None,
        42,
    ]
    assert config["pipeline"][1]["random_seed"] == 1  # the original is untouched

    path = tmp_path / "c.yml"
    path.write_text(yaml.safe_dump(seeded))
    assert seeded_config(path, 42, tmp_path / "work") == path  # already pinned: reused as is
    assert (
        yaml.safe_load(seeded_config(path, 7, tmp_path / "work").read_text())["policies"][1]["random_seed"]
        == 7
    )
    assert fallback_threshold(path) == 0.6


def test_project_configs_keep_their_seeds() -> None:
    for path in [ROOT / "config.yml", *(ROOT / "nlu" / "configs").glob("*.yml")]:
        config = yaml.safe_load(path.read_text())
        names = [p["name"] for p in config["pipeline"] + config["policies"]]
        seeded = [
            p for p in config["pipeline"] + config["policies"] if p["name"] in SEEDED
        ]
        assert "FallbackClassifier" in names, path
        assert all(p.get("random_seed") is not None for p in seeded), path


# --- model cache key ---------------------------------------------------------------------


def test_model_key_ignores_comments_and_layout_but_not_content(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text('version: "3.1"\nintents: [greet]\n')
    data = tmp_path / "nlu.yml"
    data.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n')
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: DIETClassifier\n    epochs: 50\n")
    key = model_key(config, data, domain)

    config.write_text("# a comment\npipeline:\n- {name: DIETClassifier, epochs: 50}\n")
    assert model_key(config, data, domain) == key

    config.write_text("pipeline:\n  - name: DIETClassifier\n    epochs: 60\n")
    assert model_key(config, data, domain) != key


def test_rasa_runs_for_evaluation_send_nothing_home(monkeypatch: pytest.MonkeyPatch) -> None:
    # A failed `rasa train` reported its crash to Rasa's Sentry when telemetry was left on.
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    env = tf_env(1)
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"


# --- reports -----------------------------------------------------------------------------


def test_reports_render_the_headline_figures() -> None:
    predictions = _predictions(TINY)
    predictions["gold_entities"] = [[("order_id", "1042")]] + [[]] * (len(TINY) - 1)
    predictions["said_entities"] = [[("order_id", "1042")]] + [[]] * (len(TINY) - 1)
    sweep = metrics.threshold_sweep(predictions, [0.0, 0.5])
    evaluation = Evaluation(
        config=Path("config.yml"),
        threshold=0.5,
        chosen_threshold=0.5,
        sweep=sweep,
        cv=predictions,
        heldout=Run(predictions, 12.0, 10.0),
        folds=5,
        seed=42,
    )
    report = evaluation_report(evaluation)
    assert "| order_id entity F1 (DIET + regex, per value) | 1.000 | >= 0.98 | yes |" in report
    assert "| out-of-scope false-accept rate | 0.0% | <= 10% | yes |" in report
    assert "Cheapest: **0.50 / 0.000**" in report
    other = Evaluation(**{**vars(evaluation), "config": Path("nlu/configs/other.yml")})
    comparison = comparison_report([evaluation, other])
    assert "| measure | `config.yml` | `nlu/configs/other.yml` |" in comparison
    assert "| held-out out-of-scope false-accept | 0.0% | 0.0% |" in comparison
