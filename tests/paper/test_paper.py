"""The paper's build: it compiles, it is deterministic, and no number can go missing silently.

The build is ``analysis/paper.py`` (beside the paper, not in the library); ``sales-abm paper``
finds and runs it.

Every build here runs on a copy of ``paper/`` in a temporary directory, with an empty or fake
experiments directory and no experiment runs, so the tests neither read nor write the real
``paper/generated`` that other work in the tree may be filling.
"""

from __future__ import annotations

import ast
import json
import math
import re
import shutil
import sys
from pathlib import Path

import pytest

typst = pytest.importorskip("typst")
from pypdf import PdfReader  # noqa: E402  (a test dependency; skip only if typst is missing)

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis import estimate as est_mod  # noqa: E402
from analysis import inputs  # noqa: E402
from analysis import paper as pp  # noqa: E402
from analysis.pipeline import result_slots, sections  # noqa: E402
from sales_abm.cli import main as cli_main  # noqa: E402

SLOTS = result_slots()
SOURCES = ("paper.typ", "lib.typ", "refs.bib", "sections")
HEADINGS = (
    "Abstract", "Introduction", "Related work", "The model", "Purpose and patterns",
    "Process overview and scheduling", "Design concepts", "Submodels", "The static benchmark",
    "Experiments and results", "Experiment 1: gaming emerges", "Experiment 7: docking",
    "Robustness and sensitivity", "Falsification arms", "Discussion", "Limitations",
    "Reproducibility", "References", "Parameters",
)
PLACEHOLDERS = ("TODO", "TBD", "FIXME", "XXX", "??", "PLACEHOLDER", "lorem ipsum")
NOT_RUN = "Not yet run."
FAKE_EXPERIMENT = '''
from sales_abm.runner import Experiment, Grid, Scale

EXPERIMENT = Experiment(
    name="fake",
    description="A tiny design for the catalogue table.",
    design=Grid({"contract.preset": ["retainer", "per_appointment"]}),
    replicates=3,
    root_seed=7,
    scales={"quick": Scale(replicates=2, overrides={"reps": 2, "prospects": 50, "weeks": 3}),
            "paper": Scale()},
)
'''


def copy_paper(dest: Path) -> Path:
    """The hand-written paper sources, without anything generated."""
    dest.mkdir(parents=True)
    for name in SOURCES:
        src = REPO / "paper" / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


def text_of(pdf: Path) -> str:
    reader = PdfReader(str(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    """Text with soft breaks and zero-width spaces removed and whitespace collapsed."""
    return " ".join(text.replace("\u200b", "").replace("-\n", "").split())


@pytest.fixture(scope="module")
def provenance() -> dict:
    # Collected once: the tree may change under a running test (others edit it), and the record
    # is an input of the build like any other.
    return inputs.collect_provenance()


@pytest.fixture(scope="module")
def experiments_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("experiments")
    (d / "fake.py").write_text(FAKE_EXPERIMENT, encoding="utf-8")
    return d


def build(paper_dir: Path, provenance: dict, experiments: Path, **kw) -> Path:
    return pp.build_paper(paper_dir=paper_dir, run_missing=False, provenance=provenance,
                          experiments=experiments, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, provenance: dict,
          experiments_dir: Path) -> tuple[Path, str]:
    paper_dir = copy_paper(tmp_path_factory.mktemp("smoke") / "paper")
    pdf = build(paper_dir, provenance, experiments_dir)
    return pdf, text_of(pdf)


# -------------------------------------------------------------------------------- the smoke build


def test_smoke_build_writes_a_pdf_with_every_section(built: tuple[Path, str]) -> None:
    pdf, text = built
    assert pdf.name == "paper.pdf" and pdf.parent.name == "build"
    assert pdf.read_bytes().startswith(b"%PDF-")
    body = flat(text)
    missing = [h for h in HEADINGS if h not in body]
    assert not missing, f"headings not found in the PDF text: {missing}"


def test_no_placeholder_survives(built: tuple[Path, str]) -> None:
    body = flat(built[1])
    assert not [m for m in PLACEHOLDERS if m in body]


def test_each_unfilled_slot_is_marked_not_yet_run(built: tuple[Path, str]) -> None:
    # No experiments: every result slot shows the marked box, once.
    assert flat(built[1]).count(NOT_RUN) == len(SLOTS)
    assert "Draft build" in flat(built[1])


def test_generated_numbers_reach_the_text(built: tuple[Path, str]) -> None:
    body = flat(built[1])
    theory = inputs.theory_numbers()
    # The hold-up example (EVIDENCE.md: -$7.5k month to month), as typeset from the theory module.
    npv = theory["holdup"]["monthly"]["npv"]
    packed = body.replace(" ", "")
    assert f"−${abs(npv):,.0f}" in packed
    assert f"{inputs.model_numbers()['junk_share'] * 100:.1f}%" in packed
    # The parameter table is the code's: every key appears.
    assert all(row["key"] in body for row in inputs.parameter_rows())
    # The catalogue comes from the experiments directory.
    assert "fake" in body


def test_theory_wording_is_signed_once_and_table_3_names_r_sigma(built: tuple[Path, str]
                                                                  ) -> None:
    """Issue 19: "lowers quality effort by 0.667", never "by −0.667"; Table 3's caption has
    the product r·σ₁² = 1 (the evidence's), not "r = σ₁² = 1"."""
    body = flat(built[1])
    q = inputs.theory_numbers()["multitask"]["quality_per_alpha"]
    assert q < 0
    assert f"lowers quality effort by {abs(q):.3f}" in body
    assert not re.search(r"(raises|lowers) [a-z ]{0,40}by −", body)
    caption = body[body.index("Multitask benchmark"):][:200].replace(" ", "")
    assert "𝑟𝜎21=1" in caption and "𝑟=𝜎" not in caption


def test_fonts_are_only_the_embedded_ones(built: tuple[Path, str]) -> None:
    # typst embeds New Computer Modern (+ Math), Libertinus Serif and DejaVu Sans Mono; the build
    # ignores system fonts, so the PDF may contain these and nothing else (PostScript names).
    embedded = ("NewCM", "LibertinusSerif", "DejaVuSansMono")
    families = {f.family for f in typst.Fonts(include_system_fonts=False,
                                              include_embedded_fonts=True).fonts()}
    assert {"New Computer Modern", "Libertinus Serif", "DejaVu Sans Mono"} <= families
    used = set()
    for page in PdfReader(str(built[0])).pages:
        for ref in page.get("/Resources", {}).get("/Font", {}).values():
            used.add(str(ref.get_object().get("/BaseFont", "")).lstrip("/").split("+")[-1])
    assert used and all(name.startswith(embedded) for name in used), used


# -------------------------------------------------------------------------------- determinism


def test_same_inputs_give_the_same_bytes(tmp_path: Path, provenance: dict,
                                         experiments_dir: Path) -> None:
    a = copy_paper(tmp_path / "a" / "paper")
    b = copy_paper(tmp_path / "elsewhere" / "b")
    first = build(a, provenance, experiments_dir).read_bytes()
    again = build(a, provenance, experiments_dir).read_bytes()
    moved = build(b, provenance, experiments_dir).read_bytes()
    assert first == again, "a rebuild changed the PDF"
    assert first == moved, "the PDF depends on where the sources live"


# -------------------------------------------------------------------------------- result slots


def fill(paper_dir: Path, slot: str, body: str) -> None:
    gen = paper_dir / "generated"
    gen.mkdir(exist_ok=True)
    (gen / f"results_{slot}.typ").write_text('#import "/lib.typ": *\n\n' + body + "\n",
                                              encoding="utf-8")


def write_numbers(paper_dir: Path, numbers: dict) -> None:
    (paper_dir / "numbers.json").write_text(json.dumps(numbers), encoding="utf-8")


def test_a_filled_slot_quotes_its_numbers(tmp_path: Path, provenance: dict,
                                          experiments_dir: Path) -> None:
    paper_dir = copy_paper(tmp_path / "paper")
    write_numbers(paper_dir, {"meta": {"scale": "quick"},
                              "gaming": {"close_rate": {"retainer": 0.18342, "gap": -1234.5}}})
    fill(paper_dir, "gaming", 'Close rate #num("gaming.close_rate.retainer", digits: 3), gap '
                              '#usd("gaming.close_rate.gap"), share '
                              '#pct("gaming.close_rate.retainer").')
    body = flat(text_of(build(paper_dir, provenance, experiments_dir)))
    assert "Close rate 0.183, gap −$1,235, share 18.3%." in body
    assert body.count(NOT_RUN) == len(SLOTS) - 1


def test_a_missing_number_stops_the_build(tmp_path: Path, provenance: dict,
                                          experiments_dir: Path) -> None:
    paper_dir = copy_paper(tmp_path / "paper")
    write_numbers(paper_dir, {"meta": {"scale": "quick"}, "gaming": {"close_rate": 0.2}})
    fill(paper_dir, "gaming", 'Gap #num("gaming.gap_close_rate.mean").')
    with pytest.raises(pp.PaperError, match=r"missing number 'gaming\.gap_close_rate\.mean'"):
        build(paper_dir, provenance, experiments_dir)
    assert not (paper_dir / "build" / "paper.pdf").exists()


def test_strict_refuses_missing_results(tmp_path: Path, provenance: dict,
                                        experiments_dir: Path) -> None:
    paper_dir = copy_paper(tmp_path / "paper")
    with pytest.raises(pp.PaperError, match="--strict: results not yet available"):
        build(paper_dir, provenance, experiments_dir, strict=True)


def test_strict_builds_when_every_slot_is_filled(tmp_path: Path, provenance: dict,
                                                 experiments_dir: Path) -> None:
    paper_dir = copy_paper(tmp_path / "paper")
    numbers = {slot: {"n": i} for i, slot in enumerate(SLOTS)}
    numbers["calibration"].update(fake_calibration())
    write_numbers(paper_dir, {"meta": {"scale": "quick"}, **numbers})
    for slot in SLOTS:
        fill(paper_dir, slot, f'Result of {slot.replace("_", " ")}: #num("{slot}.n").')
    body = flat(text_of(build(paper_dir, provenance, experiments_dir, strict=True)))
    assert NOT_RUN not in body
    assert f"Result of dose response: {list(SLOTS).index('dose_response')}." in body
    # Table 1 shows each target's model value and flags the one outside its range
    assert "41.5% (40%–43%)" in body and "above" in body
    # ... but not from numbers made at another scale.
    write_numbers(paper_dir, {"meta": {"scale": "paper"}})
    with pytest.raises(pp.PaperError, match="made at scale 'paper'"):
        build(paper_dir, provenance, experiments_dir, strict=True)


def fake_calibration() -> dict:
    """Calibration numbers shaped as the analysis writes them: attrition above its range."""
    from analysis import calibration

    value, flag = {}, {}
    for row in calibration.targets()["rows"]:
        mid = (row["low"] + row["high"]) / 2
        value[row["key"]] = {"mean": mid, "ci_low": None, "ci_high": None}
        flag[row["key"]] = "in range"
    value["attrition"] = {"mean": 0.415, "ci_low": 0.40, "ci_high": 0.43}
    flag["attrition"] = "above"
    return {"value": value, "flag": flag}


def test_numbers_json_is_checked(tmp_path: Path) -> None:
    paper_dir = tmp_path
    write_numbers(paper_dir, {"theory": {"x": 1}})
    with pytest.raises(pp.PaperError, match="reserved"):
        pp.merged_numbers(paper_dir, "quick")
    write_numbers(paper_dir, {"gaming": {"a.b": 1}})
    with pytest.raises(pp.PaperError, match="without '.'"):
        pp.merged_numbers(paper_dir, "quick")
    (paper_dir / "numbers.json").write_text('{"gaming": {"x": NaN}}', encoding="utf-8")
    with pytest.raises(pp.PaperError, match="non-finite"):
        pp.merged_numbers(paper_dir, "quick")


def test_the_build_runs_the_analysis_before_typesetting(
        tmp_path: Path, provenance: dict, experiments_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    paper_dir = copy_paper(tmp_path / "paper")
    calls = []

    def run_all(scale: str, executor: str, results: Path | None, paper_dir: Path,
                experiments: Path) -> list:
        calls.append((scale, executor, results, paper_dir))
        write_numbers(paper_dir, {"meta": {"scale": scale}, "horizon": {"week": 61}})
        fill(paper_dir, "horizon", 'It stops paying in week #num("horizon.week").')
        return []

    monkeypatch.setattr(pp, "run_all", run_all)
    pdf = pp.build_paper(paper_dir=paper_dir, provenance=provenance, experiments=experiments_dir)
    assert calls == [("quick", "local", None, paper_dir)]
    assert "It stops paying in week 61." in flat(text_of(pdf))


def test_one_slot_registry() -> None:
    # The sections' slots in the paper's order, then the summaries'; each slot appears once.
    assert list(SLOTS) == [s.slot for s in sections()] + ["abstract", "discussion",
                                                         "falsification"]
    assert all(SLOTS.values())


def test_the_library_imports_no_analysis() -> None:
    offenders = []
    for path in sorted((REPO / "sales_abm").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [node.args[0].value] if (
                         isinstance(node, ast.Call) and getattr(node.func, "attr", "")
                         == "import_module" and node.args
                         and isinstance(node.args[0], ast.Constant)) else [])
            offenders += [f"{path.name}: {n}" for n in names
                          if n == "analysis" or str(n).startswith("analysis.")]
    assert not offenders
    assert not (REPO / "sales_abm" / "paper.py").exists()


# -------------------------------------------------------------------------------- numbers


def test_theory_numbers_match_the_worked_examples() -> None:
    t = inputs.theory_numbers()
    assert t["len"]["commission"] == pytest.approx(0.5)
    assert t["multitask"]["b2_1"]["alpha"] == pytest.approx(0.2857, abs=1e-4)
    assert t["multitask"]["b2_3"]["alpha"] == 0.0
    assert t["two_signals"]["s4"]["close"] == pytest.approx(1 / 6)
    assert t["baker"]["distorted"]["share"] == pytest.approx(1 / 12)
    assert t["holdup"]["monthly"]["npv"] == pytest.approx(-7_500, abs=50)
    assert t["holdup"]["retainer"]["npv"] == pytest.approx(6_000, abs=50)
    assert t["holdup"]["holdup"]["npv"] == pytest.approx(-7_000, abs=50)
    assert t["holdup"]["risk_premium"] == pytest.approx(141, abs=1)


def test_model_numbers_are_consistent() -> None:
    m = inputs.model_numbers()
    assert 0 < m["junk_share"] < 1
    assert m["mean_fit"] == pytest.approx(0.3 * m["good_fit_mean"] + 0.7 * m["poor_fit_mean"])
    assert m["qualified_mean_fit"] > m["mean_fit"]
    assert math.isclose(m["weeks_per_month"], 52 / 12)


# -------------------------------------------------------------------------------- command line


def test_build_cli_parses_and_reports_failures(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    args = pp.parser().parse_args(["--scale", "paper", "--strict", "--no-run",
                                   "--executor", "local:2", "--paper-dir", str(tmp_path)])
    assert (args.scale, args.strict, args.run_missing, args.executor) == (
        "paper", True, False, "local:2")
    assert pp.main(["--no-run", "--paper-dir", str(tmp_path)]) == 1  # no paper.typ there
    assert "no paper.typ" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        pp.parser().parse_args(["--scale", "huge"])


def test_sales_abm_paper_finds_and_runs_the_build(tmp_path: Path,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    # Found under --root: the build's own help, through a child process.
    assert cli_main(["paper", "--root", str(REPO), "--help"]) == 0
    out = capfd.readouterr().out
    assert "--scale" in out and "--strict" in out
    # Its errors pass through: bad usage is the build's exit status 2.
    assert cli_main(["paper", f"--root={REPO}", "--scale", "huge"]) == 2
    assert "invalid choice" in capfd.readouterr().err
    # Not found: one line naming the directory searched.
    assert cli_main(["paper", "--root", str(tmp_path), "--scale", "quick"]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path.resolve()) in err and "analysis" in err
    assert cli_main(["paper", "--root"]) == 2


def test_estimate_counts_runs_and_states_a_time(experiments_dir: Path, tmp_path: Path) -> None:
    est = est_mod.estimate("quick", "local:2", results=tmp_path / "results", names=["fake"],
                           experiments=experiments_dir, calibration=(0.5, 0.01))
    assert est.runs == 2 * 2 and est.workers == 2 and est.experiments == 1
    assert est.cpu_seconds > 0 and "4 runs to do" in est.line("quick")
    assert est_mod.run_seconds({}, 1.0, 0.01) == pytest.approx(1.0 + 156 * 0.01)


def test_calibration_excludes_compilation(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fake clock and a fake lazy compiler: the first time any week's kernels run they cost
    # 10 s (numba compiling on first use), afterwards 0.01 s. The calibration must warm every
    # kernel up first, so the timed weeks cost 0.01 s each, not 10 s.
    from sales_abm.model import SalesModel

    now = [0.0]
    compiled: set[int] = set()
    real_step = SalesModel.step

    def step(self: SalesModel) -> None:
        week = self.week
        now[0] += 0.01 if week in compiled else 10.0
        compiled.add(week)
        real_step(self)

    monkeypatch.setattr(SalesModel, "step", step)
    setup, per_week = est_mod.calibrate(weeks=13, clock=lambda: now[0])
    assert per_week == pytest.approx(0.01)
    assert setup == pytest.approx(0.0)
    # ... and without the warm-up, the same clock charges compilation to the model.
    compiled.clear()
    _, cold = est_mod.calibrate(weeks=13, warm_up=lambda: None, clock=lambda: now[0])
    assert cold > 100 * per_week
