"""Scores computed from per-message predictions: intents, entities, false accepts, fallback.

Rasa's own reports score one model run with the fallback undone; these functions pool
the predictions of all folds and apply a FallbackClassifier threshold afterwards, so
that one set of trainings can price every threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"

# Intents that make the assistant act on the business (orders, feedback, handoff,
# metrics). Out-of-scope taken as one of these is a false accept: the assistant
# answers a business question it was not asked.
BUSINESS_INTENTS = frozenset(
    {
        "order_status",
        "delivery_status",
        "list_orders",
        "give_feedback",
        "complaint",
        "request_human",
        "cancel_order",
        "change_address",
        "refund_request",
        "ask_metric",
        "ask_report",
    }
)

# A wrong answer costs more than asking the user to rephrase; used to pick the threshold.
COST_WRONG_ACCEPT = 2.0
COST_FALLBACK = 1.0


def with_fallback(predictions: pd.DataFrame, threshold: float, ood: float = 0.0) -> pd.DataFrame:
    """Predictions as the pipeline would leave them: the FallbackClassifier at `threshold`
    (confidence), then the out-of-domain filter at `ood` (similarity to the predicted
    intent's training examples; an out_of_scope prediction is a refusal already)."""
    out = predictions.copy()
    fallback = out["confidence"] < threshold
    if ood > 0 and "similarity" in out.columns:
        fallback |= (out["similarity"] < ood) & (out["predicted"] != OUT_OF_SCOPE)
    out.loc[fallback, "predicted"] = FALLBACK
    return out


def refusals_merged(predictions: pd.DataFrame) -> pd.DataFrame:
    """A fallback counted as out_of_scope: both tell the user "I can't help with that", so
    a fallback on an out-of-scope message is right and on an in-scope one a miss."""
    out = predictions.copy()
    out.loc[out["predicted"] == FALLBACK, "predicted"] = OUT_OF_SCOPE
    return out


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return precision, recall, _ratio(2 * precision * recall, precision + recall)


def intent_scores(predictions: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support per gold intent; a fallback is a refusal
    (refusals_merged): right for out_of_scope, a miss for any other intent."""
    predictions = refusals_merged(predictions)
    rows = []
    for intent in sorted(predictions["intent"].unique()):
        gold = predictions["intent"] == intent
        said = predictions["predicted"] == intent
        tp, fp, fn = int((gold & said).sum()), int((~gold & said).sum()), int((gold & ~said).sum())
        rows.append((intent, *_prf(tp, fp, fn), int(gold.sum())))
    columns = ["intent", "precision", "recall", "f1", "support"]
    return pd.DataFrame(rows, columns=columns).set_index("intent")


def macro_f1(predictions: pd.DataFrame) -> float:
    """Unweighted mean F1 over the gold intents: a rare intent counts as much as a common one."""
    return float(intent_scores(predictions)["f1"].mean())


def confusion_pairs(predictions: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The most frequent (gold, predicted) mistakes, most frequent first."""
    predictions = refusals_merged(predictions)
    wrong = predictions[predictions["intent"] != predictions["predicted"]]
    pairs = wrong.groupby(["intent", "predicted"]).size().rename("count").reset_index()
    return pairs.sort_values(["count", "intent", "predicted"], ascending=[False, True, True]).head(top)


def false_accept_rate(predictions: pd.DataFrame, business: Iterable[str] = BUSINESS_INTENTS) -> float:
    """Share of out-of-scope messages predicted as a business intent."""
    out_of_scope = predictions[predictions["intent"] == OUT_OF_SCOPE]
    return _ratio(int(out_of_scope["predicted"].isin(set(business)).sum()), len(out_of_scope))


def entity_scores(
    targets: Sequence[Iterable[tuple[str, str]]], predicted: Sequence[Iterable[tuple[str, str]]]
) -> pd.DataFrame:
    """Per-entity precision, recall, F1 over (entity, value) pairs, message by message.

    A pair counts once per message however many extractors found it (DIET and the regex
    both finding "1042" is one correct order number); values compare case-insensitively.
    """
    counts: dict[str, Counter[str]] = {}
    for gold_pairs, said_pairs in zip(targets, predicted, strict=True):
        gold = Counter((e, v.lower()) for e, v in gold_pairs)
        said = Counter({(e, v.lower()): 1 for e, v in said_pairs})
        for (entity, _), n in (gold & said).items():
            counts.setdefault(entity, Counter())["tp"] += n
        for (entity, _), n in (said - gold).items():
            counts.setdefault(entity, Counter())["fp"] += n
        for (entity, _), n in (gold - said).items():
            counts.setdefault(entity, Counter())["fn"] += n
    rows = [
        (entity, *_prf(c["tp"], c["fp"], c["fn"]), c["tp"] + c["fn"]) for entity, c in sorted(counts.items())
    ]
    columns = ["entity", "precision", "recall", "f1", "support"]
    return pd.DataFrame(rows, columns=columns).set_index("entity")


def threshold_cost(predictions: pd.DataFrame, threshold: float, ood: float = 0.0) -> float:
    """Price of a pair of thresholds: wrong answers accepted, and in-scope messages sent to
    fallback.

    A refusal (fallback or out_of_scope) costs nothing on an out-of-scope message, and as
    much as a fallback on an in-scope one: the user hears "I can't help with that" either way.
    """
    applied = with_fallback(predictions, threshold, ood)
    refused = applied["predicted"].isin([FALLBACK, OUT_OF_SCOPE])
    in_scope = predictions["intent"] != OUT_OF_SCOPE
    wrong_accepts = int((~refused & (applied["predicted"] != applied["intent"])).sum())
    needless_fallbacks = int((in_scope & refused).sum())
    return COST_WRONG_ACCEPT * wrong_accepts + COST_FALLBACK * needless_fallbacks


def threshold_sweep(
    predictions: pd.DataFrame, thresholds: Iterable[float], oods: Iterable[float] = (0.0,)
) -> pd.DataFrame:
    """For each pair of thresholds (confidence, out-of-domain similarity): cost, macro-F1,
    false-accept rate and share sent to fallback."""
    rows = []
    for ood in oods:
        for t in thresholds:
            applied = with_fallback(predictions, t, ood)
            rows.append(
                (
                    t,
                    ood,
                    threshold_cost(predictions, t, ood),
                    macro_f1(applied),
                    false_accept_rate(applied),
                    float((applied["predicted"] == FALLBACK).mean()),
                )
            )
    columns = ["threshold", "ood", "cost", "macro_f1", "false_accept", "fallback_share"]
    return pd.DataFrame(rows, columns=columns)


def choose_thresholds(sweep: pd.DataFrame) -> tuple[float, float]:
    """The cheapest pair; among equals the lowest, which answers the most messages."""
    best = sweep.sort_values(["cost", "ood", "threshold"]).iloc[0]
    return float(best["threshold"]), float(best["ood"])


def choose_threshold(sweep: pd.DataFrame) -> float:
    """The cheapest confidence threshold (see choose_thresholds)."""
    return choose_thresholds(sweep)[0]
