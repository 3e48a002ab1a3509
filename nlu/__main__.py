"""`python -m nlu`: evaluate a config, compare configs or training data, check the held-out file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from nlu.data import load_nlu, nlu_files, single_file
from nlu.evaluate import Evaluation, evaluate_many, evaluate_seeds
from nlu.heldout import drop_sentences, heldout_overlap
from nlu.languages import ENGLISH, evaluate_languages, heldout_sets, language_sections
from nlu.report import comparison_report, evaluation_report, seeds_report

app = typer.Typer(add_completion=False, help=__doc__, no_args_is_help=True)

Config = Annotated[Path, typer.Option(help="Rasa config to evaluate.")]
Configs = Annotated[list[Path], typer.Argument(help="Two or more Rasa configs.")]
Data = Annotated[Path, typer.Option(help="NLU training data (file or folder).")]
Test = Annotated[Path, typer.Option(help="Held-out NLU test file.")]
Domain = Annotated[Path, typer.Option(help="Rasa domain.")]
Folds = Annotated[int, typer.Option(help="Cross-validation folds (0: held-out file only).")]
Seed = Annotated[int, typer.Option(help="Seed of the fold split and of every model.")]
Jobs = Annotated[int, typer.Option(min=1, max=2, help="Trainings side by side (at most 2, one core each).")]
Out = Annotated[Path, typer.Option(help="Where reports and Rasa's outputs go.")]
HELDOUT_ROOT = Path("tests/nlu")  # wide/ (English) and one folder per other language (nlu.languages)


def _progress(message: str) -> None:
    print(f">> {message}", file=sys.stderr, flush=True)


def _evaluate(
    configs: list[Path],
    data: Path,
    test: Path,
    domain: Path,
    folds: int,
    seed: int,
    jobs: int,
    out: Path,
) -> list[Evaluation]:
    return evaluate_many(
        configs,
        data=data,
        test_file=test,
        domain=domain,
        workdir=out / "work",
        folds=folds,
        seed=seed,
        jobs=jobs,
        progress=_progress,
    )


@app.command("evaluate")
def evaluate_command(
    config: Config = Path("config.yml"),
    data: Data = Path("data/nlu"),
    test: Test = Path("tests/nlu/test_nlu.yml"),
    domain: Domain = Path("domain.yml"),
    folds: Folds = 5,
    seed: Seed = 42,
    jobs: Jobs = 1,
    out: Out = Path("results/nlu"),
) -> None:
    """Cross-validate CONFIG on the training data and test it on the held-out file."""
    (evaluation,) = _evaluate([config], data, test, domain, folds, seed, jobs, out)
    report = out / f"{config.stem}.md"
    report.write_text(evaluation_report(evaluation), encoding="utf-8")
    print(report)


@app.command("compare")
def compare_command(
    configs: Configs,
    data: Data = Path("data/nlu"),
    test: Test = Path("tests/nlu/test_nlu.yml"),
    domain: Domain = Path("domain.yml"),
    folds: Folds = 5,
    seed: Seed = 42,
    jobs: Jobs = 1,
    out: Out = Path("results/nlu"),
) -> None:
    """Evaluate several configs on the same splits and seeds; one table side by side."""
    evaluations = _evaluate(configs, data, test, domain, folds, seed, jobs, out)
    for evaluation, config in zip(evaluations, configs, strict=True):
        (out / f"{config.stem}.md").write_text(evaluation_report(evaluation), encoding="utf-8")
    report = out / f"compare-{'-'.join(c.stem for c in configs)}.md"
    report.write_text(comparison_report(evaluations), encoding="utf-8")
    print(report)


@app.command("compare-data")
def compare_data_command(
    extra: Annotated[Path, typer.Argument(help="Training data to try (file or folder), not in --data.")],
    config: Config = Path("config.yml"),
    data: Data = Path("data/nlu"),
    test: Test = Path("tests/nlu/test_nlu.yml"),
    domain: Domain = Path("domain.yml"),
    folds: Folds = 3,
    seed: Seed = 42,
    jobs: Jobs = 2,
    out: Out = Path("results/nlu"),
) -> None:
    """Whether more training data helps: CONFIG cross-validated on --data, and again with EXTRA
    added to every training fold and to no test fold (the same test messages), side by side.
    Decide on the cross-validation rows; the held-out file's are there for the record."""
    with_extra = out / "work" / f"{config.stem}+{extra.stem}.yml"  # the report's second column
    with_extra.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config, with_extra)
    evaluations = evaluate_many([config, with_extra], data=data, test_file=test, domain=domain,
                                workdir=out / "work", folds=folds, seed=seed, jobs=jobs,
                                progress=_progress, extras=[None, extra])
    report = out / f"compare-data-{config.stem}-{extra.stem}.md"
    report.write_text(comparison_report(evaluations), encoding="utf-8")
    print(report)


@app.command("seeds")
def seeds_command(
    config: Config = Path("config.yml"),
    data: Data = Path("data/nlu"),
    test: Test = Path("tests/nlu/wide"),
    domain: Domain = Path("domain.yml"),
    seeds: Annotated[str, typer.Option(help="Comma-separated model seeds.")] = "42,43,44",
    jobs: Jobs = 2,
    out: Out = Path("results/nlu"),
) -> None:
    """Train one model per seed on all the data and report the test file's figures as their mean."""
    evaluations = evaluate_seeds(config, data=data, test_file=single_file(test, out / "work"), domain=domain,
                                 workdir=out / "work", seeds=tuple(int(s) for s in seeds.split(",")),
                                 jobs=jobs, progress=_progress)
    report = out / f"{config.stem}-seeds.md"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(seeds_report(evaluations, str(test)), encoding="utf-8")
    print(report)


@app.command("report")
def report_command(
    config: Config = Path("config.yml"),
    data: Data = Path("data/nlu"),
    domain: Domain = Path("domain.yml"),
    folds: Folds = 5,
    jobs: Jobs = 2,
    out: Out = Path("results/nlu"),
    report: Annotated[Path, typer.Option(help="Where the report goes.")] = Path("docs/nlu-report.md"),
) -> None:
    """docs/nlu-report.md: the wide evaluation, each other language's held-out folder and the
    first held-out file as the mean of three seeds, and the cross-validation that chose the
    thresholds."""
    work = out / "work"
    seeds = (42, 43, 44)
    wide = evaluate_seeds(config, data=data, test_file=single_file(Path("tests/nlu/wide"), work),
                          domain=domain, workdir=work, seeds=seeds, jobs=jobs, progress=_progress)
    first = evaluate_seeds(config, data=data, test_file=Path("tests/nlu/test_nlu.yml"), domain=domain,
                           workdir=work / "first", seeds=seeds, jobs=jobs, progress=_progress)
    others = evaluate_languages(config, data=data, root=HELDOUT_ROOT, domain=domain,
                                workdir=work / "languages", seeds=seeds, jobs=jobs, progress=_progress)
    sources = {language: str(path) for language, path in heldout_sets(HELDOUT_ROOT).items()}
    (cv,) = _evaluate([config], data, Path("tests/nlu/test_nlu.yml"), domain, folds, 42, jobs, out)
    sections = [
        "# NLU report",
        "",
        f"Written by `python -m nlu report` (`make nlu-report`). `{config}` is trained on `{data}` once "
        "per seed (42, 43, 44) and tested on files written apart from the training data: "
        "`tests/nlu/wide/` (every intent in many voices, out-of-scope questions from 26 everyday "
        "domains and the near misses a shop gets, junk), one folder per other language "
        f"({', '.join(f'`{sources[language]}/`' for language in others) or 'none yet'}: every intent "
        "but the FAQ button's, out-of-scope questions from 20 domains and more) and "
        "`tests/nlu/test_nlu.yml` (the first, narrower held-out file). Every figure is the mean of "
        "the three models. The thresholds were chosen on cross-validation of the training data, "
        "never on a held-out file (docs/nlu-epochs.md); the 5-fold sweep at the end prices them "
        "again on today's data.",
        "",
        *language_sections({ENGLISH: wide, **others}, sources),
        seeds_report(first, "tests/nlu/test_nlu.yml"),
        "",
        evaluation_report(cv).replace("\n#", "\n##").replace("# NLU evaluation", "## Cross-validation of"),
    ]
    report.write_text("\n".join(sections) + "\n", encoding="utf-8")
    print(report)


@app.command("check-heldout")
def check_heldout_command(
    test: Test = HELDOUT_ROOT,
    data: Data = Path("data"),
    drop: Annotated[bool, typer.Option(help="Remove the shared sentences from the held-out files.")] = False,
) -> None:
    """Fail when a sentence of the held-out files (every file under tests/nlu: the first file,
    wide/ and each language's folder) also appears in the training data."""
    files = nlu_files(test)
    sentences = len(load_nlu(test).examples)
    shared = heldout_overlap(test, data)
    for text in shared:
        print(f"also in {data}/: {text}")
    if shared and drop:
        print(f"dropped {drop_sentences(test, shared)} lines from {test}")
        return
    if shared:
        raise typer.Exit(code=1)
    print(f"{test}: {sentences} sentences in {len(files)} files, none also in {data}/")
    for file in files:
        print(f"  {file}")


if __name__ == "__main__":
    app()
