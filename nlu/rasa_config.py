"""What the tooling reads from a Rasa config (its fallback threshold) and pins in it (seeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# Components whose training is random and which take a `random_seed` (ARCHITECTURE.md §9).
SEEDED = frozenset({"DIETClassifier", "ResponseSelector", "TEDPolicy", "UnexpecTEDIntentPolicy",
                    "rasa_runtime.components.linear_intents.LinearIntentClassifier"})


def seeded_components(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The pipeline components and policies that take a random seed."""
    parts = (config.get("pipeline") or []) + (config.get("policies") or [])
    return [part for part in parts if part.get("name") in SEEDED]


def with_seed(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """A copy of `config` whose seeded components all use `seed`."""
    copy: dict[str, Any] = yaml.safe_load(yaml.safe_dump(config))
    for part in seeded_components(copy):
        part["random_seed"] = seed
    return copy


def seeded_config(path: Path, seed: int, workdir: Path) -> Path:
    """`path` itself when all its seeds already equal `seed` (so model caches are shared),
    else a copy under `workdir` with the seeds set."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    if all(part.get("random_seed") == seed for part in seeded_components(config)):
        return path
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / f"{path.stem}.seed{seed}.yml"
    copy.write_text(yaml.safe_dump(with_seed(config, seed), sort_keys=False), encoding="utf-8")
    return copy


def fallback_threshold(path: Path) -> float:
    """The FallbackClassifier threshold a config deploys with (Rasa's default: 0.3)."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for part in config.get("pipeline") or []:
        if part.get("name") == "FallbackClassifier":
            return float(part.get("threshold", 0.3))
    return 0.0


def ood_threshold(path: Path) -> float:
    """The out-of-domain filter's similarity threshold (rasa_runtime/components); 0: none."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for part in config.get("pipeline") or []:
        if str(part.get("name", "")).endswith("OutOfDomainFilter"):
            return float(part.get("threshold", 0.3))
    return 0.0
