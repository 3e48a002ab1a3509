"""Run the benchmark suites and print their results as one table.

Each suite is a module in this package with `run(quick: bool) -> list[Row]`; a row
names what was measured, the figure, its unit and the target it is held to.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench.table import Row, print_table

SUITES = ["store", "metrics", "faq", "nlu", "latency", "load"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("suites", nargs="*", help=f"which suites (default: all of {SUITES})")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for name in args.suites or SUITES:
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        print(f">> bench {name} ...", file=sys.stderr, flush=True)
        rows.extend(module.run(quick=args.quick))
        print(f">> bench {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print_table(rows)
    return 1 if any(r.ok is False for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
