"""Benchmarks: `make bench` runs every `bench_*.py` module's `main()`; they only print."""
