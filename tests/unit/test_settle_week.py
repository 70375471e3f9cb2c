"""The compiled week's settlement is the contracts module's settlement of both contracts."""

from __future__ import annotations

import numpy as np
import pytest

from sales_abm import kernels
from sales_abm.contracts import PAY_ON, Terms, counted, draw_audits, settle
from sales_abm.kernels.money import CONTRACT_ROWS, OVERHEAD_ROW, PAY_ON_CODES, PAY_ROWS


def _terms(rng: np.random.Generator, pay_on: str) -> Terms:
    return Terms(float(rng.uniform(0, 3000)), float(rng.uniform(0, 400)), pay_on,
                 float(rng.uniform(0, 0.2)), float(rng.choice([0.0, 0.3, 1.0])),
                 float(rng.uniform(0, 2)))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("client_on", PAY_ON)
@pytest.mark.parametrize("pay_on", PAY_ON)
def test_settle_week_is_settle_of_both_contracts(seed, client_on, pay_on) -> None:
    rng = np.random.default_rng(seed)
    r = int(rng.integers(1, 12))
    calls = rng.integers(0, 30, (4, r))
    meetings = rng.integers(0, 8, (5, r + 2))
    meetings[1] = np.minimum(meetings[1], meetings[0])  # held junk among held
    revenue = np.where(rng.random(r + 2) < 0.3, rng.uniform(0, 1e5, r + 2), 0.0)
    expected_value, expected_closes = rng.uniform(0, 1e4, r + 2), rng.uniform(0, 3, r + 2)
    hire_id = np.where(rng.random(r) < 0.8, np.arange(r), -1)
    training = np.where(rng.random(r) < 0.2, 1500.0, 0.0)
    client, pay = _terms(rng, client_on), _terms(rng, pay_on)
    overhead = float(rng.uniform(0, 1000))

    def audits(terms, payees):
        count, junk = counted(terms.pay_on, np.append(calls[2], 0)[:payees],
                              np.append(calls[3], 0)[:payees], meetings[0, :payees],
                              meetings[1, :payees])
        return count, draw_audits(terms, junk, np.random.default_rng(seed + 100))

    count_c, audited_c = audits(client, r + 1)
    want_c = settle(client, count_c, audited_c, revenue[: r + 1], np.arange(r + 1) < r)
    count_p, audited_p = audits(pay, r)
    want_p = settle(pay, count_p, audited_p, revenue[:r], hire_id >= 0)

    def money(t):
        return (t.fixed_per_week, t.per_appointment, t.clawback, t.commission)

    def as_the_model_passes(audited, terms):
        """An audit array may end early (none found beyond): the model passes the reps' draws
        alone for appointments set (the departed reps' bucket sets none), none at all on
        qualified meetings (never junk)."""
        if terms.pay_on == "qualified":
            return np.zeros(0, dtype=np.int64)
        return audited[:r] if terms.pay_on == "set" else audited

    parts, sums = kernels.money_arrays(r)
    parts[:], sums[:] = np.nan, np.nan  # every entry must be written (they are reused weekly)
    kernels.settle_week(
        parts, sums, calls, meetings, revenue, expected_value, expected_closes, hire_id, training,
        money(client), PAY_ON_CODES[client_on], as_the_model_passes(audited_c, client),
        money(pay), PAY_ON_CODES[pay_on], as_the_model_passes(audited_p, pay), overhead)
    for got, want in ((parts[CONTRACT_ROWS], want_c), (parts[PAY_ROWS, :r], want_p)):
        for row, name in zip(got, ("fixed", "appointments", "clawbacks", "commission",
                                   "total"), strict=True):
            np.testing.assert_array_equal(row, getattr(want, name), err_msg=name)
    np.testing.assert_array_equal(parts[OVERHEAD_ROW, :r], np.where(hire_id >= 0, overhead, 0.0))
    np.testing.assert_array_equal(parts[PAY_ROWS.start:, r], 0.0)  # no rep in departed's bucket
    totals = [np.add.reduce(getattr(s, k)) for s in (want_c, want_p)
              for k in ("fixed", "appointments", "clawbacks", "commission", "total")]
    assert sums[:10].tolist() == totals
    assert sums[10:13].tolist() == [np.add.reduce(parts[OVERHEAD_ROW, :r]),
                                    np.add.reduce(training), np.add.reduce(revenue)]
    assert sums[13:].tolist() == [np.add.reduce(expected_value[: r + 1]),
                                  meetings[0, : r + 1].sum(), meetings[1, : r + 1].sum(),
                                  np.add.reduce(expected_closes[: r + 1]), calls[2].sum()]


@pytest.mark.parametrize("seed", range(20))
def test_a_full_audit_advances_the_stream_as_its_draws_would(seed) -> None:
    """The audit at rate 1 (every junk appointment caught) skips numpy's binomial and draws one
    uniform per payee with junk: the model finds what the binomial finds, and leaves the stream
    where the binomial draws leave it (so later audits at other rates draw the same numbers)."""
    from sales_abm.model import SalesModel
    from sales_abm.scenario import Scenario

    rng = np.random.default_rng(seed)
    junk = rng.integers(0, 4, int(rng.integers(0, 30)))
    model = SalesModel(Scenario.from_dict({"reps": 2, "prospects": 200, "weeks": 2}), seed)
    drawn = np.random.default_rng(seed + 1)
    model.rngs["audit"] = np.random.default_rng(seed + 1)

    class Events:  # the week's outcomes as _audits reads them
        booked_junk = junk

    terms = Terms(0.0, 100.0, "set", 0.0, 1.0, 1.0)
    np.testing.assert_array_equal(model._audits(terms, Events(), Events(), junk.size),
                                  drawn.binomial(junk, 1.0))
    assert model.rngs["audit"].bit_generator.state == drawn.bit_generator.state
    assert model.rngs["audit"].binomial(junk, 0.3).tolist() == drawn.binomial(junk, 0.3).tolist()
