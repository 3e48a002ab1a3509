"""scripts/train-model's progress: Rasa's training log, as it grows, becomes a line per stage."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
from pathlib import Path

from rasa_runtime.train_progress import TrainProgress, follow

HOOKS = "2026-12-05 01:51:06 INFO     rasa.engine.training.hooks  -"
# Rasa 3.6's own lines (var/log/train.log), warnings and progress bars redrawn with \r included.
LOG = (
    "/x/rasa/shared/utils/validation.py:134: DeprecationWarning: pkg_resources is deprecated\n"
    "2026-12-05 01:50:57 INFO     rasa.cli.train  - Started validating domain and training data...\n"
    f"{HOOKS} Starting to train component 'RegexFeaturizer'.\n"
    f"{HOOKS} Finished training component 'RegexFeaturizer'.\n"
    f"{HOOKS} Starting to train component 'DIETClassifier'.\n"
    "\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: Misaligned entity annotation\n\x1b[0m"
    "Epochs:   0%|          | 0/20 [00:00<?, ?it/s]"
    + "".join(f"\rEpochs:  {5 * n}%|#   | {n}/20 [00:{n:02d}<00:10,  1.0s/it, t_loss=7.75, i_acc=0.4]"
              f"\rEpochs:  {5 * n}%|#   | {n}/20 [00:{n:02d}<00:10,  1.0s/it, t_loss=5.23, i_acc=0.7]"
              for n in range(1, 21))
    + f"\n{HOOKS} Finished training component 'DIETClassifier'.\n"
    "Processed story blocks: 100%|##########| 3/3 [00:00<00:00, 1.2it/s, # trackers=1]\n"
    "2026-12-05 01:58:40 INFO rasa.model_training  - Your Rasa model is trained and saved at 'm.tar.gz'.\n"
)

EXPECTED = [
    "checking the domain and the training data",
    "training RegexFeaturizer",
    "RegexFeaturizer trained",
    "training DIETClassifier",
    "DIETClassifier: epoch 1/20",  # the first one (the slowest), then a line per tenth
    *(f"DIETClassifier: epoch {n}/20" for n in range(2, 21, 2)),
    "DIETClassifier trained",
    "model saved",
]


def test_a_line_per_stage_and_per_tenth_of_the_epochs() -> None:
    assert TrainProgress().feed(LOG) == EXPECTED


def test_lines_cut_anywhere_read_the_same() -> None:
    progress = TrainProgress()
    said = [line for at in range(0, len(LOG), 37) for line in progress.feed(LOG[at:at + 37])]
    assert said == EXPECTED


def test_follow_prints_with_the_time_taken_and_ends_with_the_trainer(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_text(LOG)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    ticks = itertools.count(0, 65)
    out = io.StringIO()
    follow(log, ended.pid, out, clock=lambda: next(ticks))
    lines = out.getvalue().splitlines()
    assert [line.split(None, 1)[1] for line in lines] == EXPECTED
    assert lines[0] == "     1:05  checking the domain and the training data"
