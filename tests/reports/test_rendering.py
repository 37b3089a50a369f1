"""Render tests: the compiled PDF of the report and of the handout, read as a referee reads it.

Each document is compiled, its text extracted with pdftotext, and checked for ASCII mathematics, Python literals,
long options typeset with one dash, commands the CLI would refuse, its page count, figures written but not included,
nearly empty pages, and one theorem and one proof per claim.  The data: the embedded set (Q = 3), ``symgeom example``
for Q = 2 and 4, and iris projected to three principal components (rounded), where G1--G4 do not apply.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from symgeom.cli import main
from symgeom.cli.app import build_parser

from rendering import (ASCII_OPERATORS, PYTHON_LITERALS, SINGLE_DASH_LONG_OPTION, figure_files, findings,
                       included_figures, nearly_empty_pages, page_count, page_texts, pdf_text, printed_commands)

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")

CLAIMS = 24
"""T1-T5, G1-G4, N1-N5 and the ten statements of the paper."""


def _example(tmp_path: Path, Q: int) -> Path:
    path = tmp_path / f"example{Q}.csv"
    assert main(["example", "--Q", str(Q), "--out", str(path)]) == 0
    return path


def _iris(tmp_path: Path) -> Path:
    """Iris, centred and projected onto its first three principal components, rounded to two decimals."""
    datasets = pytest.importorskip("sklearn.datasets")
    import numpy as np

    iris = datasets.load_iris()
    X = iris.data - iris.data.mean(axis=0)
    components = np.linalg.svd(X, full_matrices=False)[2][:3]
    rows = ["x1,x2,x3,cluster"] + [",".join(f"{v:.2f}" for v in p) + f",{c + 1}" for p, c in zip(X @ components.T, iris.target)]
    path = tmp_path / "iris.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def _build(tmp_path: Path, capsys, data: str, handout: bool, extra=()) -> Path:
    """The document compiled in ``tmp_path/out``; returns its PDF."""
    argv = ["report", "--out", str(tmp_path / "out"), "--pdf", "--quiet", *extra]
    if data == "iris":
        argv += ["--data", str(_iris(tmp_path))]
    elif data != "embedded":
        argv += ["--data", str(_example(tmp_path, int(data[1:])))]
    if handout:
        argv.append("--handout")
    assert main(argv) == 0
    capsys.readouterr()
    return tmp_path / "out" / ("handout.pdf" if handout else "report.pdf")


def _texttt_commands(tex: str) -> list[str]:
    """Every ``\\texttt{symgeom …}`` of the source, with TeX's ``-{}-`` and escapes undone: the command as printed."""
    out = []
    for m in re.finditer(r"\\texttt\{(symgeom [^{}]*(?:\{\}[^{}]*)*)\}", tex):
        out.append(m.group(1).replace("-{}-", "--").replace(r"\allowbreak{}", "").replace(r"\_", "_").replace(r"\textasciitilde{}", "~"))
    return out


def assert_reads_clean(pdf: Path, claims: int | None, max_pages: int) -> None:
    """The checks every compiled document passes (see the module docstring)."""
    text = pdf_text(pdf)
    faults = findings(text, ASCII_OPERATORS) + findings(text, PYTHON_LITERALS)
    faults += findings(text, {"one-dash long option": SINGLE_DASH_LONG_OPTION})
    assert not faults, "\n".join(faults[:10])
    flat = re.sub(r"/\s+", "/", " ".join(text.split()))  # a long path may break after a slash
    tex = pdf.with_suffix(".tex").read_text()
    parser = build_parser()
    commands = _texttt_commands(tex)
    assert commands, "no symgeom command printed"
    for command in commands:
        assert command in flat, f"printed differently from its source: {command!r}"
        parser.parse_args(command.split()[1:])  # exits (SystemExit) on an argument the CLI refuses
    for words in printed_commands(text):
        assert any(" ".join(["symgeom", *words]).startswith(c) or c.startswith(" ".join(["symgeom", *words]))
                   for c in commands), f"a printed command outside \\texttt: {words}"
    pages = page_count(pdf)
    assert 1 <= pages <= max_pages, f"{pages} pages (at most {max_pages})"
    assert not nearly_empty_pages(page_texts(pdf)), f"nearly empty pages: {nearly_empty_pages(page_texts(pdf))}"
    written, included = figure_files(pdf.parent), included_figures(tex)
    assert set(written) == set(included), f"written {written}, included {included}"
    if claims is not None:
        assert len(re.findall(r"^\f?Theorem [A-Z]\d", text, re.M)) == claims, "one theorem per claim"
        assert len(re.findall(r"^\f?(?:Proof|Refutation)\. ", text, re.M)) == claims, "one proof per claim"
        assert len(re.findall(r"^\f?Status\. ", text, re.M)) == claims, "one status per claim"


@pytest.mark.slow
@pytest.mark.parametrize("data, max_pages", [("embedded", 12), ("Q2", 13), ("Q4", 13), ("iris", 11)])
def test_report_reads_clean(tmp_path, tex_compiler, capsys, data, max_pages):
    """The report: a theorem, a proof and a status for each of the 24 claims, clean text, runnable commands; at
    most 12 pages on the embedded data (eleven pages of mathematics and tables, the certificate appendix after them)."""
    assert_reads_clean(_build(tmp_path, capsys, data, handout=False), CLAIMS, max_pages)


@pytest.mark.slow
@pytest.mark.parametrize("data", ["Q2", "Q4", "iris"])
def test_handout_reads_clean(tmp_path, tex_compiler, capsys, data):
    """The handout (its default data are Q = 2): clean text, runnable commands, every figure included, no page left
    nearly empty."""
    assert_reads_clean(_build(tmp_path, capsys, data, handout=True), None, 6)


@pytest.mark.slow
def test_letter_paper(tmp_path, tex_compiler, capsys):
    """--paper letter sets the page size, and the regenerating command repeats it."""
    pdf = _build(tmp_path, capsys, "embedded", handout=False, extra=["--only", "T2", "--paper", "letter"])
    import subprocess

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "612 x 792 pts (letter)" in info
    assert "-{}-paper letter" in pdf.with_suffix(".tex").read_text()


def test_one_claim_report_reads_clean(tmp_path, tex_compiler, capsys):
    """Fast lane: a one-claim report compiles (about two seconds) and passes every render check."""
    pdf = _build(tmp_path, capsys, "embedded", handout=False, extra=["--only", "T2"])
    assert_reads_clean(pdf, 1, 3)


def test_the_finders_find_what_they_look_for():
    """Each finder flags the fault it names and passes the mathematics that resembles it."""
    bad = "rho < c => holds; W^(l) z; Q x Q matrices; I = {1..Q}; sqrt(2); H V = 0: True; order [1, 2, 3]"
    names = {f.split(":")[0] for f in findings(bad, ASCII_OPERATORS) + findings(bad, PYTHON_LITERALS)}
    assert names == {"=>", "^(", "ASCII times", "1..Q", "sqrt(", "True", "list"}
    good = "ρ < c ⇒ holds; W (ℓ) z + b; v · x − τk ≤ −εk; σ(W x + b); [ak , bk ]; an interval [0, 1]"
    assert findings(good, ASCII_OPERATORS) + findings(good, PYTHON_LITERALS) == []
    assert findings("symgeom construct –L 2", {"dash": SINGLE_DASH_LONG_OPTION})
    assert not findings("symgeom construct --L 2 and −L Q", {"dash": SINGLE_DASH_LONG_OPTION})
    assert printed_commands("run symgeom construct --L 2 --out m.json, then") == [["construct", "--L", "2", "--out", "m.json"]]
    assert nearly_empty_pages(["a\n" * 30, "b\n" * 3, "c\n" * 30, "d\n"]) == [2]
