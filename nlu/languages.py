"""The held-out evaluation per language: where each language's files are, and its figures.

English is `tests/nlu/wide/` (with the junk, which belongs to no language); every other
language is a folder named by its ISO 639 code beside it (`tests/nlu/de/`, `ru/`, `zh/`),
each with `in_scope.yml` and `out_of_scope.yml`. Adding a language's evaluation is adding
its folder: nothing here names a language.

The other languages are parsed in one file per model (each parse run loads Rasa, which is
the slow part) and their predictions split back by message; English keeps its own run on
`wide/`, so its figures are computed exactly as before the other languages came.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from nlu import metrics
from nlu.data import NluData, load_nlu, nlu_files, to_yaml
from nlu.evaluate import OOD_THRESHOLDS, THRESHOLDS, Evaluation, Run, evaluate_seeds
from nlu.report import (
    TARGET_FALSE_ACCEPT,
    TARGET_MACRO_F1,
    TARGET_ORDER_ID_F1,
    figures,
    seeds_report,
)

ENGLISH = "en"
ENGLISH_FOLDER = "wide"
LANGUAGE_FOLDER = re.compile(r"^[a-z]{2,3}$")  # an ISO 639-1 or 639-3 code
TARGET_LANGUAGE_MACRO_F1 = 0.90  # issue 17, for each language added to English


def heldout_sets(root: Path) -> dict[str, Path]:
    """Language code → its held-out folder under `root` (tests/nlu): English first, then the
    other languages in code order; a folder without YAML files is no evaluation yet."""
    sets: dict[str, Path] = {}
    if (root / ENGLISH_FOLDER).is_dir():
        sets[ENGLISH] = root / ENGLISH_FOLDER
    for path in sorted(p for p in root.iterdir() if p.is_dir()):
        if LANGUAGE_FOLDER.match(path.name) and path.name != ENGLISH and nlu_files(path):
            sets[path.name] = path
    return sets


def macro_f1_target(language: str) -> float:
    """English keeps the wider evaluation's target (issue 13); the languages added to it have
    their own (issue 17)."""
    return TARGET_MACRO_F1 if language == ENGLISH else TARGET_LANGUAGE_MACRO_F1


def language_of_texts(sets: Mapping[str, Path]) -> dict[str, str]:
    """Plain message text → its language. Predictions come back keyed by text, so one text
    in two languages could not be told apart: that is refused here, before any training."""
    languages: dict[str, str] = {}
    shared = []
    for language, path in sets.items():
        for text in load_nlu(path).examples["plain"]:
            if languages.setdefault(text, language) != language:
                shared.append(f"{text!r} ({languages[text]}, {language})")
    if shared:
        raise ValueError("the same message in two languages' held-out files: " + "; ".join(shared[:10]))
    return languages


def combined_file(sets: Mapping[str, Path], target: Path) -> Path:
    """Every example of `sets` in one Rasa NLU file at `target` (one parse run per model)."""
    frames = [load_nlu(path).examples for path in sets.values()]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(to_yaml(NluData(pd.concat(frames, ignore_index=True), [])), encoding="utf-8")
    return target


def split_predictions(predictions: pd.DataFrame, languages: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """The rows of each language, by message text, in the order the languages first appear
    in `languages`; a row whose text belongs to no language is an error, not dropped."""
    of_row = predictions["text"].map(languages)
    unknown = predictions.loc[of_row.isna(), "text"].tolist()
    if unknown:
        raise ValueError(f"predictions for messages of no held-out file: {unknown[:10]}")
    order = list(dict.fromkeys(languages.values()))
    return {
        language: predictions[of_row == language].reset_index(drop=True)
        for language in order
        if (of_row == language).any()
    }


def split_evaluation(evaluation: Evaluation, languages: Mapping[str, str]) -> dict[str, Evaluation]:
    """One evaluation per language out of one over all their messages: the same model and
    thresholds, each language's own predictions (and its own threshold sweep, for information)."""
    split = {}
    for language, predictions in split_predictions(evaluation.heldout.predictions, languages).items():
        ood = OOD_THRESHOLDS if evaluation.ood_threshold else [0.0]
        sweep = metrics.threshold_sweep(predictions, THRESHOLDS, ood)
        chosen, chosen_ood = metrics.choose_thresholds(sweep)
        run = Run(predictions, evaluation.heldout.train_seconds, evaluation.heldout.cpu_seconds)
        split[language] = replace(evaluation, heldout=run, cv=predictions, sweep=sweep,
                                  chosen_threshold=chosen, chosen_ood_threshold=chosen_ood)
    return split


def split_seeds(evaluations: list[Evaluation], languages: Mapping[str, str]) -> dict[str, list[Evaluation]]:
    """Language → its evaluation under each seed, from one evaluation per seed over all of them."""
    per_language: dict[str, list[Evaluation]] = {}
    for evaluation in evaluations:
        for language, part in split_evaluation(evaluation, languages).items():
            per_language.setdefault(language, []).append(part)
    return per_language


def evaluate_languages(
    config: Path,
    *,
    data: Path,
    root: Path,
    domain: Path,
    workdir: Path,
    seeds: tuple[int, ...] = (42, 43, 44),
    jobs: int = 2,
    progress: Callable[[str], None] = print,
) -> dict[str, list[Evaluation]]:
    """Every language but English under `root`, one model per seed (the same models as the
    English evaluation: same config, data and seeds, so from the model cache), its messages
    parsed in one run per model and scored per language."""
    sets = {language: path for language, path in heldout_sets(root).items() if language != ENGLISH}
    if not sets:
        return {}
    languages = language_of_texts(sets)
    test_file = combined_file(sets, workdir / "languages.yml")
    evaluations = evaluate_seeds(config, data=data, test_file=test_file, domain=domain, workdir=workdir,
                                 seeds=seeds, jobs=jobs, progress=progress)
    return split_seeds(evaluations, languages)


# --- figures ----------------------------------------------------------------------------


def language_figures(per_language: Mapping[str, list[Evaluation]]) -> pd.DataFrame:
    """One row per language: messages, and the mean over the seeds of intent macro-F1,
    order_id F1 and the out-of-scope false-accept rate, each at the config's thresholds."""
    rows = []
    for language, evaluations in per_language.items():
        found = [figures(e.heldout.predictions, e.threshold, e.ood_threshold) for e in evaluations]
        predictions = evaluations[0].heldout.predictions
        rows.append({
            "language": language,
            "messages": len(predictions),
            "out_of_scope": int((predictions["intent"] == metrics.OUT_OF_SCOPE).sum()),
            "seeds": len(evaluations),
            "macro_f1": sum(f.macro_f1 for f in found) / len(found),
            "order_id_f1": sum(f.order_id_f1 for f in found) / len(found),
            "false_accept": sum(f.false_accept for f in found) / len(found),
        })
    return pd.DataFrame(rows).set_index("language")


def _met(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def languages_report(per_language: Mapping[str, list[Evaluation]], sources: Mapping[str, str]) -> str:
    """A Markdown table: each language's headline figures (mean of the seeds) and targets."""
    table = language_figures(per_language)
    lines = [
        "| language | held-out files | messages (out of scope) | intent macro-F1 | target | "
        "`order_id` F1 | target | out-of-scope false-accept | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for code, row in table.iterrows():
        language = str(code)
        target = macro_f1_target(language)
        f1, order_id, false_accept = row["macro_f1"], row["order_id_f1"], row["false_accept"]
        messages = f"{int(row['messages'])} ({int(row['out_of_scope'])})"
        lines.append(
            f"| {language} | `{sources.get(language, '')}` | {messages} | "
            f"{f1:.3f} | >= {target:.2f} {_met(f1 >= target)} | "
            f"{order_id:.3f} | >= {TARGET_ORDER_ID_F1} {_met(order_id >= TARGET_ORDER_ID_F1)} | "
            f"{false_accept:.1%} | <= {TARGET_FALSE_ACCEPT:.0%} {_met(false_accept <= TARGET_FALSE_ACCEPT)} |"
        )
    return "\n".join(lines)


def language_sections(per_language: Mapping[str, list[Evaluation]], sources: Mapping[str, str]) -> list[str]:
    """The per-language part of docs/nlu-report.md: the table of every language side by side,
    then each language's own report (per intent, confusion matrix, errors)."""
    sections = ["## Per language (mean of the seeds)", "", languages_report(per_language, sources), ""]
    for language, evaluations in per_language.items():
        sections += [seeds_report(evaluations, sources[language]), ""]
    return sections
