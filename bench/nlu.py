"""NLU benchmark: held-out quality of config.yml beside Rasa's default pipeline, training
time, and /model/parse latency of a real `rasa run --enable-api` on 127.0.0.1.

Models come from the cache of nlu.rasa_run (hash of config, data and domain), so a
re-run with nothing changed trains nothing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import httpx

from bench.table import Row
from nlu.data import load_nlu
from nlu.evaluate import evaluate_many
from nlu.rasa_run import PROJECT, train_nlu
from nlu.report import TARGET_FALSE_ACCEPT, TARGET_MACRO_F1, TARGET_ORDER_ID_F1, figures
from nlu.server import rasa_server

CONFIG = PROJECT / "config.yml"
DEFAULT_CONFIG = PROJECT / "nlu" / "configs" / "rasa_default.yml"
DATA = PROJECT / "data" / "nlu"
HELDOUT = PROJECT / "tests" / "nlu" / "test_nlu.yml"
DOMAIN = PROJECT / "domain.yml"
WORKDIR = PROJECT / "bench-results" / "nlu"
TARGET_P95_MS = 30.0


def parse_latencies_ms(url: str, texts: list[str], n: int) -> list[float]:
    """Time `n` sequential POST /model/parse calls over one kept-alive connection."""
    timings = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for text in texts[:10]:  # warm-up: first calls build TensorFlow graphs
            client.post("/model/parse", json={"text": text}).raise_for_status()
        for i in range(n):
            started = time.perf_counter()
            client.post("/model/parse", json={"text": texts[i % len(texts)]}).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def quality_rows(label: str, config: Path, with_targets: bool) -> list[Row]:
    (evaluation,) = evaluate_many(
        [config],
        data=DATA,
        test_file=HELDOUT,
        domain=DOMAIN,
        workdir=WORKDIR,
        folds=0,
        progress=lambda m: print(f">> {m}", file=sys.stderr),
    )
    f = figures(evaluation.heldout.predictions, evaluation.threshold)
    targets = [
        (
            "intent macro-F1",
            f.macro_f1,
            "",
            TARGET_MACRO_F1,
            f">= {TARGET_MACRO_F1}",
            f.macro_f1 >= TARGET_MACRO_F1,
        ),
        (
            "order_id entity F1",
            f.order_id_f1,
            "",
            TARGET_ORDER_ID_F1,
            f">= {TARGET_ORDER_ID_F1}",
            f.order_id_f1 >= TARGET_ORDER_ID_F1,
        ),
        (
            "out-of-scope false-accept",
            100 * f.false_accept,
            "%",
            TARGET_FALSE_ACCEPT,
            f"<= {TARGET_FALSE_ACCEPT:.0%}",
            f.false_accept <= TARGET_FALSE_ACCEPT,
        ),
    ]
    rows = [
        Row(
            "nlu",
            f"{label}: held-out {measure}",
            value,
            unit,
            text if with_targets else "",
            ok if with_targets else None,
        )
        for measure, value, unit, _, text, ok in targets
    ]
    run = evaluation.heldout
    rows.append(Row("nlu", f"{label}: training time (wall)", run.train_seconds, "s"))
    rows.append(Row("nlu", f"{label}: training time (CPU)", run.cpu_seconds, "s"))
    return rows


def run(quick: bool) -> list[Row]:
    rows = quality_rows("config.yml", CONFIG, with_targets=True)
    rows += quality_rows("rasa default", DEFAULT_CONFIG, with_targets=False)
    model = train_nlu(CONFIG, DATA, DOMAIN)  # the held-out model above, from the cache
    texts = list(load_nlu(HELDOUT).examples["plain"])
    with rasa_server(model.path) as url:
        timings = parse_latencies_ms(url, texts, 50 if quick else 200)
    rows.append(
        Row("nlu", f"/model/parse p50 ({len(timings)} calls)", percentile(timings, 50), "ms")
    )
    p95 = percentile(timings, 95)
    rows.append(
        Row(
            "nlu",
            f"/model/parse p95 ({len(timings)} calls)",
            p95,
            "ms",
            f"<= {TARGET_P95_MS:g} ms",
            p95 <= TARGET_P95_MS,
        )
    )
    return rows
