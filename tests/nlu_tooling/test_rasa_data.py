"""Rasa's own checks of the training data and the dialogue, run by `make test`.

- `rasa data validate`: no error, and no warning that is not explained in `EXPLAINED`.
- `rasa test core --fail-on-prediction-errors` over tests/test_stories.yml: every turn of
  every test story is understood as written (intent and entities) and answered with the
  action written, by the trained model (models/current.tar.gz).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from nlu.heldout import overlap, story_user_texts, training_sentences
from shop.settings import PROJECT_ROOT

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
STORIES = PROJECT_ROOT / "tests" / "test_stories.yml"
QUIET = {"PYTHONWARNINGS": "ignore::DeprecationWarning", "TF_CPP_MIN_LOG_LEVEL": "2"}

# Warnings of `rasa data validate` that are expected, and why.
EXPLAINED = {
    "The utterance 'utter_ask_feedback_reason' is not used in any story or rule.":
        "feedback_reason_form asks for its slot with it; the validator does not count forms",
}
WARNING = re.compile(r"UserWarning: (.+)$", flags=re.MULTILINE)


def rasa(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    if not RASA.exists():
        pytest.fail("no .venv-rasa: run `make setup` (make test does)")
    return subprocess.run([str(RASA), *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **QUIET})


def test_rasa_data_validate_finds_no_error_and_only_explained_warnings() -> None:
    done = rasa("data", "validate", "--domain", "domain.yml", "--data", "data", "--config", "config.yml",
                timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    warnings = set(WARNING.findall(output))
    assert warnings - set(EXPLAINED) == set(), output[-4000:]
    assert "No story structure conflicts found" in output


def test_the_test_stories_are_not_training_sentences() -> None:
    """A story turn that was trained on would test memory, not understanding."""
    turns = story_user_texts(STORIES)
    assert len(turns) >= 20
    assert overlap(turns, training_sentences(PROJECT_ROOT / "data")) == []


def test_the_test_stories_cover_every_intent_and_custom_action() -> None:
    stories = yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]
    steps = [step for story in stories for step in story["steps"]]
    said = {step["intent"] for step in steps if "intent" in step}
    done = {step["action"] for step in steps if "action" in step}
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["intents"]) | {"nlu_fallback"} == said
    assert {a for a in domain["actions"] if a.startswith("action_")} <= done


@pytest.mark.e2e
@pytest.mark.own_rasa  # `rasa test` loads the model: a couple of minutes
def test_the_test_stories_pass_with_the_trained_model(tmp_path: Path) -> None:
    assert MODEL.exists(), "no trained model: run `make model` (make test does)"
    done = rasa("test", "core", "--model", str(MODEL.resolve()), "--stories", str(STORIES),
                "--fail-on-prediction-errors", "--out", str(tmp_path / "results"), timeout=1800)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    failed = tmp_path / "results" / "failed_test_stories.yml"
    assert not failed.exists() or "stories" not in (yaml.safe_load(failed.read_text()) or {}), \
        failed.read_text()
