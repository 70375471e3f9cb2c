"""The paper's figures, one module per experiment and one function per figure.

Each module has ``draw(results, numbers, outdir) -> list[str]`` writing ``<name>.pdf`` and
``<name>.png`` to ``outdir`` in the style of :mod:`analysis.style` (imports matplotlib; the
numbers and fragments do not).
"""
