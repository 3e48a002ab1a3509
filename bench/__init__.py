"""Benchmarks (`make bench`): each module's `run()` returns rows printed as one table."""
