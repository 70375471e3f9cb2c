"""Import directions (ARCHITECTURE.md), read from the source with ``ast``.

Imports inside functions count as much as those at the top of a module (a lazy import still
couples the modules); only the module-level ones are followed transitively, because those are
what importing a module loads.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "sales_abm"
#: Top-level packages above the library: it may import none of them.
ABOVE = ("analysis", "experiments", "tests", "benchmarks", "paper", "scripts")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in LIBRARY.rglob("*.py")}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _targets(node: ast.Import | ast.ImportFrom, module: str, package: bool) -> set[str]:
    """The modules an import statement names (a ``from`` import's names too, when modules)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    base = module.split(".")
    if node.level:
        base = base[: len(base) - node.level + (1 if package else 0)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    return {source} | {f"{source}.{alias.name}" for alias in node.names
                       if f"{source}.{alias.name}" in _modules()}


def _literal_import_module(node: ast.Call) -> str | None:
    """``importlib.import_module("name")``'s literal name, if the call is one."""
    func = node.func
    named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id == "import_module")
    if named and node.args and isinstance(node.args[0], ast.Constant):
        return str(node.args[0].value)
    return None


@cache
def _imports(module: str, top_level_only: bool) -> frozenset[str]:
    """Modules ``module`` imports (skipping ``if TYPE_CHECKING:`` blocks)."""
    path = _modules()[module]
    found: set[str] = set()

    def visit(node: ast.AST, top: bool) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(_targets(node, module, _is_package(path)))
        elif isinstance(node, ast.Call) and (name := _literal_import_module(node)):
            found.add(name)
        inner = top and not isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if inner or not top_level_only:
            for child in ast.iter_child_nodes(node):
                visit(child, inner)

    visit(ast.parse(path.read_text()), True)
    return frozenset(found)


def _loaded_by(module: str) -> set[str]:
    """Every module importing ``module`` loads: its packages' and its module-level imports,
    followed through the library (outside modules are listed, not followed)."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in seen:
                continue
            seen.add(prefix)
            if prefix in _modules():
                todo.extend(_imports(prefix, top_level_only=True))
    return seen


def _importers(target: str, under: str = "sales_abm") -> list[str]:
    """Library modules under ``under`` that import ``target`` or one of its modules."""
    return sorted(m for m in _modules() if m == under or m.startswith(f"{under}.")
                  if any(t == target or t.startswith(f"{target}.")
                         for t in _imports(m, top_level_only=False)))


@pytest.mark.parametrize("above", ABOVE)
def test_the_library_imports_nothing_above_it(above: str) -> None:
    assert not _importers(above)


@pytest.mark.parametrize("low", ["sales_abm.agents", "sales_abm.model"])
def test_the_theory_stays_below_the_model(low: str) -> None:
    """The theory reads the strategy grid and the payment formula from low modules
    (:mod:`sales_abm.strategy`, :mod:`sales_abm.contracts`), not from the agents or the model."""
    assert not _importers(low, under="sales_abm.theory")
    assert low not in _loaded_by("sales_abm.theory")


@pytest.mark.parametrize("module", ["sales_abm.strategy", "sales_abm.contracts",
                                    "sales_abm.version", "sales_abm.foregone"])
def test_low_modules_load_no_agents_model_or_mesa(module: str) -> None:
    loaded = _loaded_by(module)
    assert not loaded & {"sales_abm.agents", "sales_abm.model", "mesa"}


def test_model_version_is_read_from_its_own_module() -> None:
    """Who needs ``MODEL_VERSION`` imports :mod:`sales_abm.version`, not the heavy model."""
    library = {m for m in _loaded_by("sales_abm.version") if m.split(".")[0] == "sales_abm"}
    assert library == {"sales_abm", "sales_abm.version"}
    readers = []
    for path in [*LIBRARY.rglob("*.py"), *(REPO / "analysis").rglob("*.py"),
                 *(REPO / "benchmarks").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "sales_abm.model" and any(
                    alias.name == "MODEL_VERSION" for alias in node.names):
                readers.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not readers


def test_model_version_stays_importable_from_the_model() -> None:
    from sales_abm import model, version

    assert model.MODEL_VERSION is version.MODEL_VERSION


def test_the_scan_sees_lazy_and_relative_imports() -> None:
    """The helpers find what they must (so the tests above could fail)."""
    assert "sales_abm.theory.best_response" in _imports("sales_abm.theory", top_level_only=True)
    assert "sales_abm.model" in _imports("sales_abm.runner.worker", top_level_only=True)
    lazy = _imports("sales_abm.runner.load", top_level_only=False)
    assert "sales_abm.version" in lazy
    assert "sales_abm.version" not in _imports("sales_abm.runner.load", top_level_only=True)
    assert "mesa" in _loaded_by("sales_abm.agents")
    call = ast.parse('importlib.import_module("analysis")').body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert _literal_import_module(call.value) == "analysis"
