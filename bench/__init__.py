"""Benchmarks run by `make bench`; each module prints one table. Never timed assertions in tests."""
