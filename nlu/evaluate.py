"""Evaluating one config: k-fold cross-validation on data/nlu plus the held-out file.

Every model is trained by Rasa and tested with `rasa test nlu`; this module only
decides what to train on, runs the jobs (two at a time at most, one core each) and
gathers the per-message predictions for nlu.metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nlu import metrics
from nlu.data import NluData, load_nlu, to_yaml
from nlu.folds import stratified_folds
from nlu.rasa_config import fallback_threshold, ood_threshold, seeded_config
from nlu.rasa_results import parsed_predictions
from nlu.rasa_run import predict_nlu, train_nlu

THRESHOLDS = [round(t, 2) for t in np.arange(0.0, 0.96, 0.05)]
OOD_THRESHOLDS = [round(t, 2) for t in np.arange(0.0, 0.61, 0.025)]


@dataclass
class Run:
    """One trained model's predictions on one test set, joined to the gold annotations."""

    predictions: pd.DataFrame  # text, intent, predicted, confidence, similarity, gold_entities, said_entities
    train_seconds: float
    cpu_seconds: float


@dataclass
class Evaluation:
    config: Path  # as given; its seeds may have been pinned in a copy (nlu.rasa_config)
    threshold: float  # the config's own FallbackClassifier threshold
    chosen_threshold: float  # the cheapest on cross-validation (nlu.metrics.choose_thresholds)
    sweep: pd.DataFrame  # cross-validation, one row per pair of thresholds
    cv: pd.DataFrame  # pooled predictions of all folds
    heldout: Run
    folds: int
    seed: int
    ood_threshold: float = 0.0  # the config's out-of-domain filter threshold (0: no filter)
    chosen_ood_threshold: float = 0.0  # its cheapest on cross-validation


def join_entities(predictions: pd.DataFrame, examples: pd.DataFrame, said: dict[str, list]) -> pd.DataFrame:
    """Attach each message's gold and predicted (entity, value) pairs to its prediction row."""
    gold = {
        plain: [(e["entity"], e["value"]) for e in entities]
        for plain, entities in zip(examples["plain"], examples["entities"], strict=True)
    }
    out = predictions.copy()
    out["gold_entities"] = [gold.get(text, []) for text in out["text"]]
    out["said_entities"] = [said.get(text, []) for text in out["text"]]
    return out


def run_job(config: Path, train: Path, test: Path, out_dir: Path, domain: Path, threads: int | None) -> Run:
    """Train (or fetch from the cache) and test one model."""
    model = train_nlu(config, train, domain, threads=threads)
    parsed, said = parsed_predictions(
        predict_nlu(model.path, test, out_dir / "predictions.jsonl", threads=threads)
    )
    predictions = join_entities(parsed, load_nlu(test).examples, said)
    return Run(predictions, model.train_seconds, model.cpu_seconds)


def write_folds(data: NluData, k: int, seed: int, workdir: Path,
                extra: NluData | None = None) -> list[tuple[Path, Path]]:
    """(train file, test file) per fold; regexes and synonyms go into every train file. `extra`
    examples go into every train file and into no test file: the folds are those of `data`
    alone, so a run with and a run without them are tested on the same messages."""
    pairs = []
    for i, test_mask in enumerate(stratified_folds(data.examples, k, seed)):
        fold = workdir / f"fold-{i}"
        fold.mkdir(parents=True, exist_ok=True)
        train = NluData(data.examples[~test_mask], data.extras)
        (fold / "train.yml").write_text(to_yaml(train if extra is None else combined(train, extra)))
        (fold / "test.yml").write_text(to_yaml(NluData(data.examples[test_mask], [])))
        pairs.append((fold / "train.yml", fold / "test.yml"))
    return pairs


def combined(data: NluData, extra: NluData) -> NluData:
    """`data` with `extra`'s examples and its regexes, synonyms and lookups added."""
    return NluData(pd.concat([data.examples, extra.examples], ignore_index=True), data.extras + extra.extras)


@dataclass(frozen=True)
class Task:
    config: Path
    name: str  # "heldout" or "fold i"
    train: Path
    test: Path
    out_dir: Path


def plan(config: Path, data: Path, test_file: Path, workdir: Path, folds: int, seed: int,
         extra: Path | None = None) -> list[Task]:
    """The held-out run first, then one run per fold; `extra` training data, if any, is added
    to every training set and tested in none (write_folds)."""
    more = load_nlu(extra) if extra is not None else None
    train = data
    if more is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        train = workdir / "train-with-extra.yml"
        train.write_text(to_yaml(combined(load_nlu(data), more)))
    tasks = [Task(config, "heldout", train, test_file, workdir / "heldout")]
    if folds:
        for i, (fold_train, test) in enumerate(write_folds(load_nlu(data), folds, seed, workdir, more)):
            tasks.append(Task(config, f"fold {i}", fold_train, test, workdir / f"fold-{i}" / "results"))
    return tasks


def run_tasks(tasks: list[Task], domain: Path, jobs: int, progress: Callable[[str], None]) -> list[Run]:
    """Train and test every task, `jobs` at a time (at most 2, one core each)."""
    threads = 1 if jobs > 1 else None

    def job(task: Task) -> Run:
        progress(f"{task.config.name}: {task.name} ...")
        run = run_job(task.config, task.train, task.test, task.out_dir, domain, threads)
        progress(f"{task.config.name}: {task.name} done (trained in {run.train_seconds:.0f} s)")
        return run

    with ThreadPoolExecutor(max_workers=max(1, min(jobs, 2))) as pool:
        return list(pool.map(job, tasks))


def evaluate_many(
    configs: list[Path],
    *,
    data: Path,
    test_file: Path,
    domain: Path,
    workdir: Path,
    folds: int = 5,
    seed: int = 42,
    jobs: int = 1,
    progress: Callable[[str], None] = print,
    extras: list[Path | None] | None = None,
) -> list[Evaluation]:
    """Cross-validate each config on `data` and test it on `test_file`, all on the same
    splits and seeds; the trainings of all configs share one pool of `jobs` workers.
    `extras`: per config, training data added to its training sets only (plan)."""
    seeded = [seeded_config(c, seed, workdir / c.stem) for c in configs]
    plans = [plan(c, data, test_file, workdir / c.stem, folds, seed, extra)
             for c, extra in zip(seeded, extras or [None] * len(configs), strict=True)]
    runs = run_tasks([task for tasks in plans for task in tasks], domain, jobs, progress)
    evaluations = []
    for config, tasks in zip(configs, plans, strict=True):
        mine, runs = runs[: len(tasks)], runs[len(tasks) :]
        heldout, fold_runs = mine[0], mine[1:]
        cv = (
            pd.concat([r.predictions for r in fold_runs], ignore_index=True)
            if fold_runs
            else heldout.predictions
        )
        ood = ood_threshold(tasks[0].config)
        sweep = metrics.threshold_sweep(cv, THRESHOLDS, OOD_THRESHOLDS if ood else [0.0])
        chosen, chosen_ood = metrics.choose_thresholds(sweep)
        evaluations.append(
            Evaluation(
                config=config,
                threshold=fallback_threshold(tasks[0].config),
                chosen_threshold=chosen,
                sweep=sweep,
                cv=cv,
                heldout=heldout,
                folds=folds,
                seed=seed,
                ood_threshold=ood,
                chosen_ood_threshold=chosen_ood,
            )
        )
    return evaluations


def evaluate_seeds(
    config: Path,
    *,
    data: Path,
    test_file: Path,
    domain: Path,
    workdir: Path,
    seeds: tuple[int, ...] = (42, 43, 44),
    jobs: int = 2,
    progress: Callable[[str], None] = print,
) -> list[Evaluation]:
    """One model per seed, trained on all of `data` and tested on `test_file`: training is
    random, so a figure is quoted as the mean over the seeds (ARCHITECTURE.md §9)."""
    tasks = [
        Task(seeded_config(config, seed, workdir / f"seed{seed}"), f"seed {seed}", data, test_file,
             workdir / f"seed{seed}" / "heldout")
        for seed in seeds
    ]
    runs = run_tasks(tasks, domain, jobs, progress)
    threshold, ood = fallback_threshold(config), ood_threshold(config)
    evaluations = []
    for seed, run in zip(seeds, runs, strict=True):
        sweep = metrics.threshold_sweep(run.predictions, THRESHOLDS, OOD_THRESHOLDS if ood else [0.0])
        chosen, chosen_ood = metrics.choose_thresholds(sweep)
        evaluations.append(Evaluation(config=config, threshold=threshold, chosen_threshold=chosen,
                                      sweep=sweep, cv=run.predictions, heldout=run, folds=0, seed=seed,
                                      ood_threshold=ood, chosen_ood_threshold=chosen_ood))
    return evaluations
