"""Markdown reports of evaluations: one config in depth, or several side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from nlu import metrics
from nlu.evaluate import Evaluation

TARGET_MACRO_F1 = 0.92
TARGET_ORDER_ID_F1 = 0.98
TARGET_FALSE_ACCEPT = 0.10
TARGET_COMPLAINT_F1 = 0.85


@dataclass(frozen=True)
class Figures:
    """The headline numbers of one prediction set at one fallback threshold."""

    macro_f1: float
    order_id_f1: float
    false_accept: float
    fallback_share: float
    accuracy: float


def figures(predictions: pd.DataFrame, threshold: float, ood: float = 0.0) -> Figures:
    applied = metrics.with_fallback(predictions, threshold, ood)
    entities = metrics.entity_scores(list(applied["gold_entities"]), list(applied["said_entities"]))
    order_id = float(entities.loc["order_id", "f1"]) if "order_id" in entities.index else 0.0
    return Figures(
        macro_f1=metrics.macro_f1(applied),
        order_id_f1=order_id,
        false_accept=metrics.false_accept_rate(applied),
        fallback_share=float((applied["predicted"] == metrics.FALLBACK).mean()),
        accuracy=float((metrics.refusals_merged(applied)["predicted"] == applied["intent"]).mean()),
    )


def _cell(value: object) -> str:
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    return text.replace("|", "\\|")


def _table(frame: pd.DataFrame) -> str:
    """A Markdown table of `frame`, its index as the first column."""
    if frame.empty:
        return "(none)"
    flat = frame.reset_index()
    lines = [
        "| " + " | ".join(str(c) for c in flat.columns) + " |",
        "|" + "---|" * len(flat.columns),
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in flat.itertuples(index=False)]
    return "\n".join(lines)


def _met(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def _train_time(evaluation: Evaluation) -> str:
    return f"{evaluation.heldout.train_seconds:.0f} s / {evaluation.heldout.cpu_seconds:.0f} s"


def summary_rows(evaluation: Evaluation) -> list[tuple[str, str, str, str]]:
    """(measure, held-out value, target, met) for the headline table."""
    f = figures(evaluation.heldout.predictions, evaluation.threshold, evaluation.ood_threshold)
    raw = figures(evaluation.heldout.predictions, 0.0)
    return [
        (
            "intent macro-F1 (a fallback is a refusal: right for out_of_scope, else a miss)",
            f"{f.macro_f1:.3f}",
            f">= {TARGET_MACRO_F1}",
            _met(f.macro_f1 >= TARGET_MACRO_F1),
        ),
        ("intent macro-F1 with no fallback and no out-of-domain filter", f"{raw.macro_f1:.3f}", "", ""),
        (
            "order_id entity F1 (DIET + regex, per value)",
            f"{f.order_id_f1:.3f}",
            f">= {TARGET_ORDER_ID_F1}",
            _met(f.order_id_f1 >= TARGET_ORDER_ID_F1),
        ),
        (
            "out-of-scope false-accept rate",
            f"{f.false_accept:.1%}",
            f"<= {TARGET_FALSE_ACCEPT:.0%}",
            _met(f.false_accept <= TARGET_FALSE_ACCEPT),
        ),
        ("messages sent to nlu_fallback", f"{f.fallback_share:.1%}", "", ""),
        ("training time, held-out model (wall / CPU)", _train_time(evaluation), "", ""),
    ]


def _errors(predictions: pd.DataFrame, threshold: float, ood: float) -> pd.DataFrame:
    applied = metrics.with_fallback(predictions, threshold, ood)
    wrong = applied[metrics.refusals_merged(applied)["predicted"] != applied["intent"]]
    columns = ["text", "intent", "predicted", "confidence"] + (
        ["similarity"] if "similarity" in applied.columns else []
    )
    return wrong[columns].sort_values(["intent", "text"]).set_index("text")


def _entity_errors(predictions: pd.DataFrame) -> pd.DataFrame:
    def differs(row: pd.Series) -> bool:
        return {(e, v.lower()) for e, v in row["gold_entities"]} != {
            (e, v.lower()) for e, v in row["said_entities"]
        }

    wrong = predictions[predictions.apply(differs, axis=1)] if len(predictions) else predictions
    return wrong[["text", "gold_entities", "said_entities"]].set_index("text")


def _sweep_table(sweep: pd.DataFrame) -> str:
    shown = pd.DataFrame(
        {
            "threshold": [f"{t:.2f}" for t in sweep["threshold"]],
            "out-of-domain": [f"{o:.3f}" for o in sweep["ood"]],
            "cost": [f"{c:g}" for c in sweep["cost"]],
            "macro-F1": [f"{f:.3f}" for f in sweep["macro_f1"]],
            "false-accept": [f"{f:.1%}" for f in sweep["false_accept"]],
            "sent to fallback": [f"{f:.1%}" for f in sweep["fallback_share"]],
        }
    )
    return _table(shown.set_index("threshold"))


def _threshold_section(e: Evaluation) -> list[str]:
    source = (
        f"cross-validation ({e.folds} folds; never the held-out file)"
        if e.folds
        else "the held-out file, for information only (no cross-validation was run)"
    )
    sweep = e.sweep
    # The chosen pair's neighbourhood: every confidence threshold at the chosen similarity
    # threshold, and every similarity threshold at the chosen confidence threshold.
    shown = sweep[(sweep["ood"] == e.chosen_ood_threshold) | (sweep["threshold"] == e.chosen_threshold)]
    return [
        "## Fallback thresholds",
        "",
        f"Swept on {source}, as pairs: the FallbackClassifier's confidence threshold and the "
        f"out-of-domain filter's similarity threshold (0: no filter). Cost = "
        f"{metrics.COST_WRONG_ACCEPT:g} x wrong intents accepted + {metrics.COST_FALLBACK:g} x "
        f"in-scope messages refused (a wrong answer is worse than asking to rephrase; a refusal "
        f'of an out-of-scope message is free, the user hears "I can\'t help with that" either '
        f"way). Cheapest: **{e.chosen_threshold:.2f} / {e.chosen_ood_threshold:.3f}**; the config "
        f"has {e.threshold:.2f} / {e.ood_threshold:.3f}.",
        "",
        _sweep_table(shown),
        "",
    ]


def evaluation_report(evaluation: Evaluation) -> str:
    """The full report for one config."""
    e = evaluation
    t, o = e.threshold, e.ood_threshold
    sets = {"Held-out": e.heldout.predictions}
    if e.folds:
        sets["Cross-validation"] = e.cv

    def per_set(title: str, render: Callable[[pd.DataFrame], pd.DataFrame]) -> list[str]:
        lines = [f"## {title}", ""]
        for name, predictions in sets.items():
            lines += [f"{name}:", "", _table(render(predictions)), ""]
        return lines

    lines = [
        f"# NLU evaluation: `{e.config}`",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m nlu`. Held-out file: "
        f"{len(e.heldout.predictions)} messages. Cross-validation: "
        + (f"{e.folds} folds over {len(e.cv)} training examples" if e.folds else "not run")
        + f". Split and model seed {e.seed}. Figures at the config's FallbackClassifier "
        f"threshold **{t:.2f}**.",
        "",
        "## Held-out test file",
        "",
        "| measure | value | target | met |",
        "|---|---|---|---|",
        *[f"| {m} | {v} | {tg} | {ok} |" for m, v, tg, ok in summary_rows(e)],
        "",
    ]
    if e.folds:
        f = figures(e.cv, t, o)
        lines += [
            f"## Cross-validation ({e.folds} folds, pooled)",
            "",
            f"intent macro-F1 {f.macro_f1:.3f}, order_id F1 {f.order_id_f1:.3f}, out-of-scope "
            f"false-accept {f.false_accept:.1%}, sent to fallback {f.fallback_share:.1%}.",
            "",
        ]
    lines += _threshold_section(e)
    lines += per_set("Per intent", lambda p: metrics.intent_scores(metrics.with_fallback(p, t, o)))
    lines += per_set(
        "Top confusions",
        lambda p: metrics.confusion_pairs(metrics.with_fallback(p, t, o)).set_index("intent"),
    )
    lines += per_set(
        "Entities (per value, all extractors together)",
        lambda p: metrics.entity_scores(list(p["gold_entities"]), list(p["said_entities"])),
    )
    lines += ["## Held-out intent errors", "", _table(_errors(e.heldout.predictions, t, o)), ""]
    lines += ["## Held-out entity errors", "", _table(_entity_errors(e.heldout.predictions)), ""]
    return "\n".join(lines)


def comparison_report(evaluations: list[Evaluation]) -> str:
    """Headline figures of several configs, measured on the same splits and seeds."""
    columns: dict[str, list[str]] = {}
    index = [
        "held-out intent macro-F1",
        "held-out order_id F1",
        "held-out out-of-scope false-accept",
        "held-out sent to fallback",
        "CV intent macro-F1",
        "CV order_id F1",
        "CV out-of-scope false-accept",
        "thresholds, confidence; out-of-domain (config / cheapest on CV)",
        "training time, held-out model (wall / CPU)",
    ]
    for e in evaluations:
        h = figures(e.heldout.predictions, e.threshold, e.ood_threshold)
        c = figures(e.cv, e.threshold, e.ood_threshold)
        columns[f"`{e.config}`"] = [
            f"{h.macro_f1:.3f}",
            f"{h.order_id_f1:.3f}",
            f"{h.false_accept:.1%}",
            f"{h.fallback_share:.1%}",
            f"{c.macro_f1:.3f}",
            f"{c.order_id_f1:.3f}",
            f"{c.false_accept:.1%}",
            f"{e.threshold} / {e.chosen_threshold}; {e.ood_threshold} / {e.chosen_ood_threshold}",
            _train_time(e),
        ]
    first = evaluations[0]
    header = [
        "# NLU comparison",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m nlu compare`: "
        f"{first.folds}-fold cross-validation split with seed {first.seed}, model seeds "
        f"{first.seed}, and the held-out file; each config at its own fallback threshold.",
        "",
    ]
    table = pd.DataFrame(columns, index=pd.Index(index, name="measure"))
    return "\n".join(header) + _table(table) + "\n"


def intent_f1(predictions: pd.DataFrame, intent: str, threshold: float, ood: float = 0.0) -> float:
    scores = metrics.intent_scores(metrics.with_fallback(predictions, threshold, ood))
    return float(scores.loc[intent, "f1"]) if intent in scores.index else 0.0


def seed_figures(evaluations: list[Evaluation]) -> pd.DataFrame:
    """One row per seed: the headline figures at the config's thresholds."""
    rows = []
    for e in evaluations:
        p = e.heldout.predictions
        f = figures(p, e.threshold, e.ood_threshold)
        rows.append({
            "seed": e.seed,
            "macro_f1": f.macro_f1,
            "false_accept": f.false_accept,
            "complaint_f1": intent_f1(p, "complaint", e.threshold, e.ood_threshold),
            "order_id_f1": f.order_id_f1,
            "fallback_share": f.fallback_share,
            "macro_f1_unfiltered": figures(p, e.threshold).macro_f1,
            "false_accept_unfiltered": figures(p, e.threshold).false_accept,
            "train_seconds": e.heldout.train_seconds,
            "cpu_seconds": e.heldout.cpu_seconds,
        })
    return pd.DataFrame(rows).set_index("seed")


SEED_MEASURES = [  # column, label, format, target text, met
    ("macro_f1", "intent macro-F1 (a refusal is right for out_of_scope, a miss otherwise)", "{:.3f}",
     f">= {TARGET_MACRO_F1}", lambda v: v >= TARGET_MACRO_F1),
    ("false_accept", "out-of-scope messages taken as a shop intent", "{:.1%}",
     f"<= {TARGET_FALSE_ACCEPT:.0%}", lambda v: v <= TARGET_FALSE_ACCEPT),
    ("complaint_f1", "complaint F1", "{:.3f}", f">= {TARGET_COMPLAINT_F1}",
     lambda v: v >= TARGET_COMPLAINT_F1),
    ("order_id_f1", "order_id entity F1", "{:.3f}", f">= {TARGET_ORDER_ID_F1}",
     lambda v: v >= TARGET_ORDER_ID_F1),
    ("fallback_share", "messages sent to nlu_fallback", "{:.1%}", "", None),
    ("macro_f1_unfiltered", "macro-F1 without the out-of-domain filter", "{:.3f}", "", None),
    ("false_accept_unfiltered", "false-accept without the out-of-domain filter", "{:.1%}", "", None),
    ("train_seconds", "NLU training time, wall (s)", "{:.0f}", "", None),
    ("cpu_seconds", "NLU training time, CPU (s)", "{:.0f}", "", None),
]


def _mean_crosstab(evaluations: list[Evaluation]) -> pd.DataFrame:
    """Gold intent × predicted intent, counts averaged over the seeds."""
    tables = []
    for e in evaluations:
        applied = metrics.refusals_merged(metrics.with_fallback(e.heldout.predictions, e.threshold,
                                                                e.ood_threshold))
        tables.append(pd.crosstab(applied["intent"], applied["predicted"]))
    total = tables[0]
    for table in tables[1:]:
        total = total.add(table, fill_value=0)
    mean = (total.fillna(0) / len(tables)).round(1)
    mean.index.name = "gold \\ predicted"
    return mean.map(lambda v: "" if v == 0 else f"{v:g}")


def seeds_report(evaluations: list[Evaluation], test_file: str) -> str:
    """The evaluation on one test file as the mean of several training seeds."""
    table = seed_figures(evaluations)
    seeds = ", ".join(str(s) for s in table.index)
    e0 = evaluations[0]
    lines = [
        f"## `{e0.config}` on `{test_file}`: mean of seeds {seeds}",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m nlu seeds`. "
        f"{len(e0.heldout.predictions)} messages; one model per seed trained on all of data/nlu, "
        f"at the config's thresholds (confidence {e0.threshold:.2f}, out-of-domain similarity "
        f"{e0.ood_threshold:.3f}). A fallback counts as a refusal: right for an out-of-scope "
        "message, a miss for any other.",
        "",
        "| measure | mean | min | max | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for column, label, fmt, target, met in SEED_MEASURES:
        values = table[column]
        ok = "" if met is None else _met(bool(met(values.mean())))
        lines.append(f"| {label} | {fmt.format(values.mean())} | {fmt.format(values.min())} | "
                     f"{fmt.format(values.max())} | {target} | {ok} |")
    per_intent = [
        metrics.intent_scores(metrics.with_fallback(e.heldout.predictions, e.threshold, e.ood_threshold))
        for e in evaluations
    ]
    mean_scores = sum(per_intent[1:], per_intent[0]) / len(per_intent)
    lines += ["", "### Per intent (mean over the seeds)", "", _table(mean_scores), ""]
    lines += ["### Confusion matrix (mean counts over the seeds; refusals as out_of_scope)", "",
              _table(_mean_crosstab(evaluations)), ""]
    lines += [f"### Errors of the seed-{e0.seed} model", "",
              _table(_errors(e0.heldout.predictions, e0.threshold, e0.ood_threshold)), ""]
    return "\n".join(lines)
