"""The paper's build: it compiles, it is deterministic, and no number can go missing silently.

Every build here runs on a copy of ``paper/`` in a temporary directory, with an empty or fake
experiments directory and no experiment runs, so the tests neither read nor write the real
``paper/generated`` that other work in the tree may be filling.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import types
from pathlib import Path

import pytest

typst = pytest.importorskip("typst")
from pypdf import PdfReader  # noqa: E402  (a test dependency; skip only if typst is missing)

from sales_abm import paper as pp  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
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
    return pp.collect_provenance()


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
    assert flat(built[1]).count(NOT_RUN) == len(pp.RESULT_SLOTS)
    assert "Draft build" in flat(built[1])


def test_generated_numbers_reach_the_text(built: tuple[Path, str]) -> None:
    body = flat(built[1])
    theory = pp.theory_numbers()
    # The hold-up example (EVIDENCE.md: -$7.5k month to month), as typeset from the theory module.
    npv = theory["holdup"]["monthly"]["npv"]
    packed = body.replace(" ", "")
    assert f"−${abs(npv):,.0f}" in packed
    assert f"{pp.model_numbers()['junk_share'] * 100:.1f}%" in packed
    # The parameter table is the code's: every key appears.
    assert all(row["key"] in body for row in pp.parameter_rows())
    # The catalogue comes from the experiments directory.
    assert "fake" in body


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
    assert body.count(NOT_RUN) == len(pp.RESULT_SLOTS) - 1


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
    write_numbers(paper_dir, {"meta": {"scale": "quick"},
                              **{slot: {"n": i} for i, slot in enumerate(pp.RESULT_SLOTS)}})
    for slot in pp.RESULT_SLOTS:
        fill(paper_dir, slot, f'Result of {slot.replace("_", " ")}: #num("{slot}.n").')
    body = flat(text_of(build(paper_dir, provenance, experiments_dir, strict=True)))
    assert NOT_RUN not in body
    assert "Result of dose response: 1." in body
    # ... but not from numbers made at another scale.
    write_numbers(paper_dir, {"meta": {"scale": "paper"}})
    with pytest.raises(pp.PaperError, match="made at scale 'paper'"):
        build(paper_dir, provenance, experiments_dir, strict=True)


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


def test_the_hook_calls_the_analysis_contract(tmp_path: Path, provenance: dict,
                                              experiments_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paper_dir = copy_paper(tmp_path / "paper")
    calls = []

    def write_paper_inputs(scale: str, paper_dir: Path, results: Path | None) -> None:
        calls.append((scale, paper_dir, results))
        write_numbers(paper_dir, {"meta": {"scale": scale}, "horizon": {"week": 61}})
        fill(paper_dir, "horizon", 'It stops paying in week #num("horizon.week").')

    fake = types.SimpleNamespace(REQUIRED_EXPERIMENTS=[], write_paper_inputs=write_paper_inputs)
    monkeypatch.setitem(sys.modules, "analysis", fake)
    pdf = pp.build_paper(paper_dir=paper_dir, provenance=provenance, experiments=experiments_dir)
    assert calls == [("quick", paper_dir, None)]
    assert "It stops paying in week 61." in flat(text_of(pdf))


def test_without_analysis_the_hook_is_skipped(monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "analysis", None)  # import raises ModuleNotFoundError
    with caplog.at_level("INFO", logger="sales_abm.paper"):
        pp.run_hook("quick", "serial", Path("unused"), None)
    assert "no 'analysis' package" in caplog.text


# -------------------------------------------------------------------------------- numbers


def test_theory_numbers_match_the_worked_examples() -> None:
    t = pp.theory_numbers()
    assert t["len"]["commission"] == pytest.approx(0.5)
    assert t["multitask"]["b2_1"]["alpha"] == pytest.approx(0.2857, abs=1e-4)
    assert t["multitask"]["b2_3"]["alpha"] == 0.0
    assert t["two_signals"]["s4"]["close"] == pytest.approx(1 / 6)
    assert t["baker"]["distorted"]["share"] == pytest.approx(1 / 12)
    assert t["holdup"]["monthly"]["npv"] == pytest.approx(-7_500, abs=50)
    assert t["holdup"]["retainer"]["npv"] == pytest.approx(6_000, abs=50)
    assert t["holdup"]["holdup"]["npv"] == pytest.approx(-7_000, abs=50)
    assert t["holdup"]["risk_premium"] == pytest.approx(141, abs=1)


def test_beta_cdf_matches_scipy() -> None:
    special = pytest.importorskip("scipy.special")
    for x, a, b in [(0.1, 4, 8), (0.1, 0.5, 50), (0.5, 2, 5), (0.9, 0.5, 0.5), (0.02, 1, 1)]:
        assert pp.beta_cdf(x, a, b) == pytest.approx(float(special.betainc(a, b, x)), rel=1e-10)
    assert pp.beta_cdf(0.0, 2, 2) == 0.0 and pp.beta_cdf(1.0, 2, 2) == 1.0


def test_model_numbers_are_consistent() -> None:
    m = pp.model_numbers()
    assert 0 < m["junk_share"] < 1
    assert m["mean_fit"] == pytest.approx(0.3 * m["good_fit_mean"] + 0.7 * m["poor_fit_mean"])
    assert m["qualified_mean_fit"] > m["mean_fit"]
    assert math.isclose(m["weeks_per_month"], 52 / 12)


# -------------------------------------------------------------------------------- command line


def test_cli_parses_and_reports_failures(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="sales-abm")
    pp.add_paper_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["paper", "--scale", "paper", "--strict", "--no-run",
                              "--executor", "local:2", "--paper-dir", str(tmp_path)])
    assert (args.scale, args.strict, args.run_missing, args.executor) == (
        "paper", True, False, "local:2")
    assert args.func(args) == 1  # no paper.typ there
    assert "no paper.typ" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["paper", "--scale", "huge"])


def test_estimate_counts_runs_and_states_a_time(experiments_dir: Path, tmp_path: Path) -> None:
    est = pp.estimate("quick", "local:2", results=tmp_path / "results", names=["fake"],
                      experiments=experiments_dir, calibration=(0.5, 0.01))
    assert est.runs == 2 * 2 and est.workers == 2 and est.experiments == 1
    assert est.cpu_seconds > 0 and "4 runs to do" in est.line("quick")
    assert pp.run_seconds({}, 1.0, 0.01) == pytest.approx(1.0 + 156 * 0.01)
