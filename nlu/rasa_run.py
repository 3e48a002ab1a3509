"""Running Rasa (in .venv-rasa) as a subprocess: train an NLU model, test it.

Trained models are cached by a hash of everything the training reads, so evaluating or
benchmarking an unchanged configuration never trains twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.data import nlu_files
from rasa_runtime.watchdog import Guard

PROJECT = Path(__file__).resolve().parent.parent
RASA = PROJECT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = PROJECT / ".venv-rasa" / "bin" / "python"
COMPONENTS = PROJECT / "rasa_runtime" / "components"  # our pipeline components: in every model key
# Every Rasa this process starts runs in a process group of its own and ends with this
# process however it ends (a kill -9 of `python -m nlu report` leaves no trainer behind).
GUARD = Guard()


def cache_dir() -> Path:
    """Where trained models are kept; outside the checkout so every clone shares them."""
    root = Path(os.environ.get("CSA_CACHE_DIR", Path.home() / ".cache" / "cs-assistant"))
    return root / "models"


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    # As measured when it was trained, also for a cached model. Wall time depends on what
    # else the machine runs; CPU time (user + system) much less so.
    train_seconds: float
    cpu_seconds: float
    cached: bool


def _canonical(path: Path) -> bytes:
    """A YAML file's content without comments or layout, which never change a model."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.dumps(document, sort_keys=True, default=str).encode()


def model_key(config: Path, nlu: Path, domain: Path) -> str:
    """Hash of the config, the NLU data, the domain and the Rasa environment's identity."""
    digest = hashlib.sha256()
    digest.update(RASA.resolve().parent.parent.name.encode())  # env dir name = hash of its lock
    for label, path in [("config", config), ("domain", domain)]:
        digest.update(label.encode() + b"\0" + _canonical(path) + b"\0")
    for path in nlu_files(nlu):
        digest.update(b"nlu\0" + _canonical(path) + b"\0")
    for path in sorted(COMPONENTS.glob("*.py")):
        digest.update(b"code\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def tf_env(threads: int | None) -> dict[str, str]:
    """Environment for a Rasa process with TensorFlow limited to `threads` threads (None: all
    cores), so two trainings side by side each keep to one core."""
    env = dict(os.environ)
    # No reuse of components from Rasa's own training cache (.rasa/cache): two configs that
    # share a component would otherwise report a training time that is only the rest.
    env["RASA_MAX_CACHE_SIZE"] = "0"
    # Our own pipeline components (rasa_runtime/) are imported by Rasa from the project root.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT), env.get("PYTHONPATH")) if p)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # No telemetry, and no crash report to Rasa's Sentry: a failed training tried to reach
    # o251570.ingest.sentry.io (as the supervisor and scripts/train-model already say).
    env["RASA_TELEMETRY_ENABLED"] = "false"
    if threads:
        env["TF_INTRA_OP_PARALLELISM_THREADS"] = str(threads)
        env["TF_INTER_OP_PARALLELISM_THREADS"] = str(threads)
    return env


def _run(args: list[str], log: Path, threads: int | None, program: Path = RASA) -> float:
    """Run rasa (or another program of .venv-rasa) with `args`, output to `log`; returns the
    CPU seconds it used."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [str(program), *args], cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT, env=tf_env(threads),
            start_new_session=True,
        )
        GUARD.add(process.pid)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: the child is in its own group and does not get it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise
        finally:
            GUARD.discard(process.pid)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"rasa {args[0]} {args[1]} failed (log: {log}):\n{tail}")
    return usage.ru_utime + usage.ru_stime


def _snapshot(config: Path, nlu: Path, domain: Path, into: Path) -> tuple[Path, Path, Path]:
    """Copies of the inputs, so that what is hashed is exactly what is trained on even
    while someone edits the data."""
    data = into / "data"
    for path in nlu_files(nlu):
        copy = data / (path.relative_to(nlu) if nlu.is_dir() else path.name)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    shutil.copyfile(config, into / "config.yml")
    shutil.copyfile(domain, into / "domain.yml")
    return into / "config.yml", data, into / "domain.yml"


def train_nlu(config: Path, nlu: Path, domain: Path, *, threads: int | None = None) -> TrainedModel:
    """The NLU model for (config, nlu, domain): from the cache, or trained and cached."""
    cache_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir(), prefix="nlu-train-") as tmp:
        config, nlu, domain = _snapshot(config, nlu, domain, Path(tmp))
        key = model_key(config, nlu, domain)
        target = cache_dir() / f"nlu-{key}.tar.gz"
        timing = cache_dir() / f"nlu-{key}.json"
        if target.exists() and timing.exists():
            return TrainedModel(target, cached=True, **json.loads(timing.read_text()))
        started = time.perf_counter()
        args = ["train", "nlu", "--config", str(config), "--nlu", str(nlu), "--domain", str(domain)]
        args += ["--out", tmp, "--fixed-model-name", key]
        cpu = _run(args, Path(tmp) / "train.log", threads)
        seconds = {"train_seconds": time.perf_counter() - started, "cpu_seconds": cpu}
        timing.write_text(json.dumps(seconds))
        shutil.move(Path(tmp) / f"{key}.tar.gz", target)  # same filesystem: atomic rename
    return TrainedModel(target, cached=False, **seconds)


def test_nlu(
    model: Path, test_file: Path, out_dir: Path, domain: Path, *, threads: int | None = None
) -> Path:
    """Run `rasa test nlu` with every prediction written out; returns `out_dir`.

    The outputs are kept with a stamp of the model and test file they came from, and reused
    while both are unchanged.
    """
    stamp = f"{model.name} {hashlib.sha256(test_file.read_bytes()).hexdigest()}"
    done = out_dir / "source.txt"
    if done.exists() and done.read_text() == stamp:
        return out_dir
    if out_dir.exists():
        shutil.rmtree(out_dir)
    args = ["test", "nlu", "--model", str(model), "--nlu", str(test_file), "--domain", str(domain)]
    args += ["--out", str(out_dir), "--successes", "--no-plot"]
    _run(args, out_dir.parent / f"{out_dir.name}.log", threads)
    done.write_text(stamp)
    return out_dir


def predict_nlu(
    model: Path, test_file: Path, out: Path, *, threads: int | None = None
) -> Path:
    """Every message of `test_file` parsed by `model` (nlu.rasa_predict), one JSON line each;
    reused while the model and the test file are unchanged."""
    stamp = out.with_suffix(".source")
    source = f"{model.name} {hashlib.sha256(test_file.read_bytes()).hexdigest()}"
    if out.exists() and stamp.exists() and stamp.read_text() == source:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    args = ["-m", "nlu.rasa_predict", str(model), str(test_file), str(out)]
    _run(args, out.with_suffix(".log"), threads, program=RASA_PYTHON)
    stamp.write_text(source)
    return out


def train_full(config: Path, data: Path, domain: Path) -> TrainedModel:
    """The whole model (NLU and dialogue, `rasa train`) from the cache, or trained with all
    cores and cached: its training time is the one a user waits for at `make model`."""
    cache_dir().mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(model_key(config, data / "nlu", domain).encode())
    for path in sorted(data.rglob("*.yml")):
        digest.update(_canonical(path))
    key = digest.hexdigest()[:24]
    target, timing = cache_dir() / f"full-{key}.tar.gz", cache_dir() / f"full-{key}.json"
    if target.exists() and timing.exists():
        return TrainedModel(target, cached=True, **json.loads(timing.read_text()))
    with tempfile.TemporaryDirectory(dir=cache_dir(), prefix="full-train-") as tmp:
        started = time.perf_counter()
        args = ["train", "--config", str(config), "--data", str(data), "--domain", str(domain)]
        args += ["--out", tmp, "--fixed-model-name", key]
        cpu = _run(args, Path(tmp) / "train.log", None)
        seconds = {"train_seconds": time.perf_counter() - started, "cpu_seconds": cpu}
        timing.write_text(json.dumps(seconds))
        shutil.move(Path(tmp) / f"{key}.tar.gz", target)
    return TrainedModel(target, cached=False, **seconds)
