"""Deterministic stratified k-fold splits of the training examples.

Rasa's own `--cross-validation` shuffles without a seed, so two configs would be
measured on different splits; these folds depend only on the data and the seed.
"""

from __future__ import annotations

import random

import pandas as pd


def stratified_folds(examples: pd.DataFrame, k: int, seed: int) -> list[pd.Series]:
    """k boolean masks over `examples`; mask i marks the test rows of fold i.

    Each intent's rows are shuffled with `seed` and dealt round-robin, so every fold
    holds about 1/k of every intent and every row is tested exactly once.
    """
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    fold_of = pd.Series(-1, index=examples.index)
    rng = random.Random(seed)
    for _, group in examples.groupby("intent", sort=True):
        rows = list(group.index)
        rng.shuffle(rows)
        for position, row in enumerate(rows):
            fold_of[row] = position % k
    return [fold_of == i for i in range(k)]
