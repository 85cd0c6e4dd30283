"""Helpers that the tests, the benchmarks (bench/) and the scripts (scripts/) share."""
