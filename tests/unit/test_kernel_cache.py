"""The numba cache check: every file a kernel compiles from is hashed, so a change to a callee in
another file (which numba alone does not notice) invalidates the cached kernels."""

from __future__ import annotations

from sales_abm.kernels import _cache


def test_the_callees_in_other_files_are_hashed():
    names = {p.relative_to(_cache._ROOT).as_posix() for p in _cache.compiled_sources()}
    # kernels.money compiles contracts.payment_parts; kernels.learning calls Roth–Erev's update;
    # kernels.calls draws with kernels.draws
    assert {"sales_abm/contracts.py", "sales_abm/learning/roth_erev.py",
            "sales_abm/kernels/draws.py", "sales_abm/kernels/calls.py"} <= names


def test_the_stamp_holds_the_sources_hash_and_a_second_check_deletes_nothing():
    _cache.refresh()
    assert _cache.STAMP.read_text().strip() == _cache.digest(_cache.compiled_sources())
    assert _cache.refresh() is False


def test_the_hash_follows_the_contents(tmp_path, monkeypatch):
    monkeypatch.setattr(_cache, "_ROOT", tmp_path)
    source = tmp_path / "callee.py"
    source.write_text("def f(x):\n    return x + 1\n")
    before = _cache.digest([source])
    source.write_text("def f(x):\n    return x + 2\n")
    assert _cache.digest([source]) != before
