"""Markdown reports of evaluations: one config in depth, or several side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from nlu import metrics
from nlu.evaluate import Evaluation

TARGET_MACRO_F1 = 0.95
TARGET_ORDER_ID_F1 = 0.98
TARGET_FALSE_ACCEPT = 0.10


@dataclass(frozen=True)
class Figures:
    """The headline numbers of one prediction set at one fallback threshold."""

    macro_f1: float
    order_id_f1: float
    false_accept: float
    fallback_share: float
    accuracy: float


def figures(predictions: pd.DataFrame, threshold: float) -> Figures:
    applied = metrics.with_fallback(predictions, threshold)
    entities = metrics.entity_scores(list(applied["gold_entities"]), list(applied["said_entities"]))
    order_id = float(entities.loc["order_id", "f1"]) if "order_id" in entities.index else 0.0
    return Figures(
        macro_f1=metrics.macro_f1(applied),
        order_id_f1=order_id,
        false_accept=metrics.false_accept_rate(applied),
        fallback_share=float((applied["predicted"] == metrics.FALLBACK).mean()),
        accuracy=float((applied["predicted"] == applied["intent"]).mean()),
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


def _token_f1(report: dict, entity: str) -> str:
    score = report.get(entity, {}).get("f1-score")
    return "-" if score is None else f"{score:.3f}"


def _train_time(evaluation: Evaluation) -> str:
    return f"{evaluation.heldout.train_seconds:.0f} s / {evaluation.heldout.cpu_seconds:.0f} s"


def summary_rows(evaluation: Evaluation) -> list[tuple[str, str, str, str]]:
    """(measure, held-out value, target, met) for the headline table."""
    f = figures(evaluation.heldout.predictions, evaluation.threshold)
    rasa = evaluation.heldout.rasa_reports
    raw_macro = rasa["intent"].get("macro avg", {}).get("f1-score", float("nan"))
    return [
        (
            "intent macro-F1 (fallback counts as a miss)",
            f"{f.macro_f1:.3f}",
            f">= {TARGET_MACRO_F1}",
            _met(f.macro_f1 >= TARGET_MACRO_F1),
        ),
        ("intent macro-F1 before fallback (Rasa intent_report.json)", f"{raw_macro:.3f}", "", ""),
        (
            "order_id entity F1 (DIET + regex, per value)",
            f"{f.order_id_f1:.3f}",
            f">= {TARGET_ORDER_ID_F1}",
            _met(f.order_id_f1 >= TARGET_ORDER_ID_F1),
        ),
        (
            "order_id token F1, DIETClassifier_report.json",
            _token_f1(rasa["DIETClassifier"], "order_id"),
            "",
            "",
        ),
        (
            "order_id token F1, RegexEntityExtractor_report.json",
            _token_f1(rasa["RegexEntityExtractor"], "order_id"),
            "",
            "",
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


def _errors(predictions: pd.DataFrame, threshold: float) -> pd.DataFrame:
    applied = metrics.with_fallback(predictions, threshold)
    wrong = applied[applied["predicted"] != applied["intent"]]
    columns = ["text", "intent", "predicted", "confidence"]
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
    return [
        "## Fallback threshold",
        "",
        f"Swept on {source}. Cost = {metrics.COST_WRONG_ACCEPT:g} x wrong intents accepted + "
        f"{metrics.COST_FALLBACK:g} x in-scope messages sent to fallback (a wrong answer is worse "
        f"than asking to rephrase; a fallback on an out-of-scope message is free, the user hears "
        f'"I can\'t help with that" either way). Cheapest: **{e.chosen_threshold:.2f}**; the '
        f"config has {e.threshold:.2f}.",
        "",
        _sweep_table(e.sweep),
        "",
    ]


def evaluation_report(evaluation: Evaluation) -> str:
    """The full report for one config."""
    e = evaluation
    t = e.threshold
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
        f = figures(e.cv, t)
        lines += [
            f"## Cross-validation ({e.folds} folds, pooled)",
            "",
            f"intent macro-F1 {f.macro_f1:.3f}, order_id F1 {f.order_id_f1:.3f}, out-of-scope "
            f"false-accept {f.false_accept:.1%}, sent to fallback {f.fallback_share:.1%}.",
            "",
        ]
    lines += _threshold_section(e)
    lines += per_set("Per intent", lambda p: metrics.intent_scores(metrics.with_fallback(p, t)))
    lines += per_set(
        "Top confusions",
        lambda p: metrics.confusion_pairs(metrics.with_fallback(p, t)).set_index("intent"),
    )
    lines += per_set(
        "Entities (per value, all extractors together)",
        lambda p: metrics.entity_scores(list(p["gold_entities"]), list(p["said_entities"])),
    )
    lines += ["## Held-out intent errors", "", _table(_errors(e.heldout.predictions, t)), ""]
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
        "fallback threshold (config / cheapest on CV)",
        "training time, held-out model (wall / CPU)",
    ]
    for e in evaluations:
        h, c = figures(e.heldout.predictions, e.threshold), figures(e.cv, e.threshold)
        columns[f"`{e.config}`"] = [
            f"{h.macro_f1:.3f}",
            f"{h.order_id_f1:.3f}",
            f"{h.false_accept:.1%}",
            f"{h.fallback_share:.1%}",
            f"{c.macro_f1:.3f}",
            f"{c.order_id_f1:.3f}",
            f"{c.false_accept:.1%}",
            f"{e.threshold} / {e.chosen_threshold}",
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
