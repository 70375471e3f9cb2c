"""Benchmarks and the plain reference implementation used to dock the fast model (issues 7, 8)."""
