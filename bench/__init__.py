"""Benchmarks run by `make bench`; each reports a ratio against a baseline timed in the same run."""
