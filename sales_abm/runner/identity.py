"""Run identity: the seed and the key of every run, derived from what the run is.

A run is identified by its design point (the resolved scenario, without a seed), its replicate
index and the experiment's root seed — never by its position in a queue, so any executor, worker
count or order of completion gives every run the same seed and the same file.

Seeds (``numpy.random.SeedSequence``)::

    common random numbers (the default):
        SeedSequence(entropy=root_seed, spawn_key=(replicate,))
    independent streams:
        SeedSequence(entropy=root_seed, spawn_key=(*words(point_digest), replicate))

    seed = first 64-bit word of ss.generate_state(1, uint64) >> 1   (fits the scenario's 63 bits)

where ``point_digest = sha256(scenario.canonical_json())`` of the design point's scenario and
``words`` are its first four 32-bit words (big-endian). With common random numbers, replicate r of
every design point runs on the same seed, so paired differences by seed are possible.

Keys::

    run_key = sha256("sales_abm.run\\n{MODEL_VERSION}\\n{schema}\\n{seed}\\n{point_digest}")[:32]

a content hash of the canonical scenario, the seed, the model version and the run schema
(:func:`sales_abm.metrics.schema_digest`: the weekly and cohort columns with their dtypes and the
summary keys). It names the run's file, so a result stored under another model version or schema
reads as stale, never as complete or corrupt. Runs are stored in blocks (several replicates of one
design point, :meth:`sales_abm.runner.spec.Plan.blocks`)::

    block_key = sha256("sales_abm.block\n" + "\n".join(run keys in replicate order))[:32]

so a block's key changes with any of its runs' keys (model version, schema, seeds, scenario) and
with the replicates it holds.
"""

from __future__ import annotations

import hashlib

import numpy as np

#: Hex digits of a run key (128 bits).
KEY_LENGTH = 32


def point_digest(scenario_json: str) -> str:
    """The sha256 hex digest of a design point's canonical scenario JSON."""
    return hashlib.sha256(scenario_json.encode("utf-8")).hexdigest()


def _words(digest: str) -> tuple[int, ...]:
    return tuple(int(digest[i:i + 8], 16) for i in range(0, 32, 8))


def derive_seed(root_seed: int, replicate: int, digest: str | None = None) -> int:
    """The seed of replicate ``replicate``; ``digest=None`` gives common random numbers.

    Args:
        root_seed: the experiment's root seed (non-negative).
        replicate: the replicate index (0, 1, ...).
        digest: the design point's digest for independent streams, or None to share seeds
            across design points (common random numbers).

    Returns:
        A seed in ``[0, 2**63)``.
    """
    spawn_key = (replicate,) if digest is None else (*_words(digest), replicate)
    ss = np.random.SeedSequence(entropy=root_seed, spawn_key=spawn_key)
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def run_key(digest: str, seed: int, model_version: str, schema: str | None = None) -> str:
    """The run's key: a content hash of its design point, seed, model version and run schema.

    Args:
        digest: the design point's digest.
        seed: the run's seed.
        model_version: the model version.
        schema: the run schema's digest; None for the current one
            (:func:`sales_abm.metrics.schema_digest`).
    """
    if schema is None:
        from sales_abm.metrics import schema_digest

        schema = schema_digest()
    text = f"sales_abm.run\n{model_version}\n{schema}\n{seed}\n{digest}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def block_key(run_keys: list[str] | tuple[str, ...]) -> str:
    """The key of a block holding ``run_keys`` (in replicate order): a hash of them."""
    text = "sales_abm.block\n" + "\n".join(run_keys)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]
