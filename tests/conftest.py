"""Hypothesis profiles: "ci" (fast, the default) and "release" (deep: SALES_ABM_PROFILE=release)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile(
    "release", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("SALES_ABM_PROFILE", "ci"))
