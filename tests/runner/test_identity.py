"""Seeds and keys: derived from the run's identity, documented, stable."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from sales_abm.runner.identity import derive_seed, point_digest, run_key

from .helpers import tiny


def test_seed_is_the_documented_seedsequence_draw() -> None:
    ss = np.random.SeedSequence(entropy=7, spawn_key=(3,))
    assert derive_seed(7, 3) == int(ss.generate_state(1, np.uint64)[0]) >> 1
    digest = point_digest("{}")
    words = tuple(int(digest[i:i + 8], 16) for i in range(0, 32, 8))
    ss = np.random.SeedSequence(entropy=7, spawn_key=(*words, 3))
    assert derive_seed(7, 3, digest) == int(ss.generate_state(1, np.uint64)[0]) >> 1


def test_seed_values_are_pinned() -> None:
    # Changing these changes every stored result: only on purpose.
    assert derive_seed(0, 0) == 4334430513956379144
    assert derive_seed(0, 1) == 2440950710608614359


def test_seeds_fit_the_scenario_range() -> None:
    seeds = [derive_seed(r, k) for r in range(20) for k in range(20)]
    assert all(0 <= s < 2**63 for s in seeds)
    assert len(set(seeds)) == len(seeds)


def test_key_depends_on_point_seed_and_model_version() -> None:
    d1, d2 = point_digest("a"), point_digest("b")
    keys = {run_key(d, s, v) for d in (d1, d2) for s in (1, 2) for v in ("1", "2")}
    assert len(keys) == 8
    assert run_key(d1, 1, "1") == run_key(d1, 1, "1")


def test_common_random_numbers_share_seeds_across_points() -> None:
    plan = tiny(replicates=3).resolve("quick")
    rows = list(plan.rows("1"))
    by_rep = {}
    for ref in rows:
        by_rep.setdefault(ref.replicate, set()).add(ref.seed)
    assert all(len(seeds) == 1 for seeds in by_rep.values())
    assert len({ref.key for ref in rows}) == len(rows)


def test_independent_streams_differ_across_points() -> None:
    plan = tiny(replicates=3, common_random_numbers=False).resolve("quick")
    seeds = [ref.seed for ref in plan.rows("1")]
    assert len(set(seeds)) == len(seeds)


def test_keys_are_the_same_in_another_process() -> None:
    code = ("from tests.runner.helpers import tiny; "
            "print(','.join(r.key for r in tiny().resolve('quick').runs('1')))")
    env_out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env={"PYTHONHASHSEED": "123", "PATH": ""}, cwd=_root())
    here = ",".join(r.key for r in tiny().resolve("quick").runs("1"))
    assert env_out.stdout.strip() == here


def _root() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parents[2])
