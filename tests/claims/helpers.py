"""Helpers of the claims tests."""

from analysis.numbers import Numbers


def est(n: Numbers, path: str) -> tuple[float, float, float]:
    """(mean, ci_low, ci_high) of the estimate stored at ``path``."""
    e = n.get(path)
    return e["mean"], e["ci_low"], e["ci_high"]
