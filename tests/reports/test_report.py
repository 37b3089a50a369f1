"""Reports compile with a real TeX engine; templates are strict and escape user text."""


import jinja2
import pytest

from symgeom.cli import main
from symgeom.numbers.printing import Latex, escape_tex
from symgeom.reports.report import environment, first_tex_error


@pytest.mark.slow
def test_report_compiles(tmp_path, tex_compiler, capsys):
    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--pdf"]) == 0
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.slow
def test_pdf_is_reproducible(tmp_path, tex_compiler):
    pdfs = []
    for name in ("a", "b"):
        assert main(["report", "--out", str(tmp_path / name), "--only", "T2", "--pdf"]) == 0
        pdfs.append((tmp_path / name / "report.pdf").read_bytes())
    assert pdfs[0] == pdfs[1]


def test_tex_error_is_reported_with_its_line(tmp_path, tex_compiler):
    from symgeom import ReportError
    from symgeom.reports.report import compile_pdf

    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n\\end{document}\n")
    with pytest.raises(ReportError, match="line 3"):
        compile_pdf(bad)


def test_no_tex_compiler(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("symgeom.reports.report.shutil.which", lambda name: None)
    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--only", "T1", "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "no TeX engine" in err and "apt-get install" in err
    assert (out / "report.tex").exists()


def test_templates_are_strict():
    env = environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string(r"\VAR{missing}").render()


def test_user_text_is_escaped_generated_latex_is_not():
    env = environment()
    t = env.from_string(r"\VAR{a} \VAR{b}")
    assert t.render(a="50% x_1 & {y}", b=Latex(r"\alpha_1")) == r"50\% x\_1 \& \{y\} \alpha_1"
    assert escape_tex("a\\b") == r"a\textbackslash{}b"


def test_first_tex_error_parsing():
    log = "This is pdfTeX\n./report.tex:12: Undefined control sequence.\nl.12 \\foo\n"
    assert first_tex_error(log, "report.tex") == "line 12: Undefined control sequence."


def test_golden_tex_for_one_derivation():
    """The rendered T1 report equals the reviewed golden file (update it with tests/update_golden.py)."""
    from pathlib import Path

    from update_golden import golden_t1

    expected = (Path(__file__).parent.parent / "golden" / "report_T1.tex").read_text()
    assert golden_t1() == expected


@pytest.mark.parametrize("cid", ["T1", "T2", "T3", "T4", "T5", "G1", "G2", "G3", "G4", "N1", "N2", "N3"])
def test_every_recipe_renders_alone(tmp_path, cid, capsys):
    assert main(["report", "--only", cid, "--out", str(tmp_path / cid)]) == 0
    text = (tmp_path / cid / "report.tex").read_text()
    assert text.count(r"\begin{claimthm}") == 1 and text.count(r"\begin{proof}") == 1 and f"\\label{{claim:{cid}}}" in text


@pytest.mark.slow
def test_figures_exist_and_are_reproducible(tmp_path, capsys):
    runs = []
    for name in ("a", "b"):
        assert main(["report", "--data", str(_q2_data(tmp_path)), "--only", "G1", "--out", str(tmp_path / name)]) == 0
        figs = sorted((tmp_path / name / "figures").iterdir())
        assert [f.name for f in figs] == ["construction.pdf"]  # the report tabulates rho by layer
        assert all(f.stat().st_size > 1000 and f.read_bytes().startswith(b"%PDF") for f in figs)
        runs.append([f.read_bytes() for f in figs])
        text = (tmp_path / name / "report.tex").read_text()
        assert r"\includegraphics[width=0.8\linewidth]{figures/construction.pdf}" in text and r"\captionof{figure}{" in text
    assert runs[0] == runs[1]


def _q2_data(tmp_path):
    from symgeom.data.clusters import example_data
    from symgeom.data.files import csv_text

    path = tmp_path / "q2.csv"
    if not path.exists():
        path.write_text(csv_text(example_data(2, 1)))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("solutions", [True, False])
def test_handout_compiles(tmp_path, tex_compiler, capsys, solutions):
    out = tmp_path / "h"
    argv = ["report", "--handout", "--out", str(out), "--pdf"] + ([] if solutions else ["--no-solutions"])
    assert main(argv) == 0
    text = (out / "handout.tex").read_text()
    assert ("\\section*{Solutions}" in text) == solutions
    assert ("\\clearpage" in text) == solutions  # solutions start on a page of their own
    assert "\\begin{exercise}" in text and "figures/construction.pdf" in text
    assert (out / "handout.pdf").read_bytes().startswith(b"%PDF")


def test_no_solutions_needs_handout(capsys):
    assert main(["report", "--no-solutions"]) == 2
    assert "--no-solutions applies to --handout only" in capsys.readouterr().err


def test_notebook_display_and_sympy_printing(clustered_data):
    import sympy as sp

    from symgeom import Context, global_minimizer, run_claims

    (d,) = run_claims(Context(clustered_data, 3), "T3")
    assert d._repr_latex_().startswith("$$\\begin{gathered}") and "T3" in d._repr_latex_()
    assert "T3 Idempotence and image: proved" in str(d)
    inside = sp.latex([clustered_data, d.main])
    assert "3 clusters in" in inside and "proved" in inside
    fam = global_minimizer(clustered_data, 3)
    assert "global minimizers" in fam._repr_latex_() and "order=(1, 2, 3)" in str(fam)
    assert "rho=" in str(clustered_data) and clustered_data._repr_latex_().startswith("$")


def _prose(tex: str) -> str:
    """The text outside math: inline ``$…$`` and the display environments removed, TeX's escapes of
    ASCII symbols turned back into the symbols."""
    import re

    tex = re.sub(r"\\begin\{(equation|gathered|align\*?|tabular)\}.*?\\end\{\1\}", " ", tex, flags=re.S)
    tex = re.sub(r"\\\[.*?\\\]", " ", tex, flags=re.S)
    tex = re.sub(r"(?<!\\)\$[^$]*(?<!\\)\$", " ", tex)
    for escaped, symbol in ((r"\textgreater{}", ">"), (r"\textless{}", "<"), (r"\textasciicircum{}", "^")):
        tex = tex.replace(escaped, symbol)
    return tex


@pytest.mark.parametrize("handout", [False, True], ids=["report", "handout"])
def test_no_ascii_mathematics_in_prose(tmp_path, capsys, handout):
    """Relations, powers and gradients go through math mode: none is left as ASCII in the prose."""
    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet"] + (["--handout"] if handout else [])) == 0
    capsys.readouterr()
    prose = _prose((out / ("handout.tex" if handout else "report.tex")).read_text())
    for ascii_math in (">=", "<=", "^Q -", "grad C", "^T", "^2", "|grad"):
        assert ascii_math not in prose, f"{ascii_math!r} in the prose: {prose[max(0, prose.find(ascii_math) - 80):][:160]!r}"


@pytest.mark.slow
@pytest.mark.parametrize("handout", [False, True], ids=["report", "handout"])
def test_report_train_section(tmp_path, capsys, handout):
    """report --train K: the runs are located and tabulated by stratum (the counts add up to K), with the figure,
    and the command that regenerates the document repeats --train."""
    import re

    out = tmp_path / "out"
    assert main(["report", "--train", "6", "--out", str(out), "--quiet"] + (["--handout"] if handout else [])) == 0
    capsys.readouterr()
    tex = (out / ("handout.tex" if handout else "report.tex")).read_text()
    assert ("Where gradient descent ends up" in tex) != handout and ("ex:training" in tex) == handout
    table = tex[tex.index(r"stratum $S$ & $U$ & runs"):tex.index(r"\bottomrule", tex.index(r"stratum $S$ & $U$ & runs"))]
    counts = [int(m.group(1)) for m in re.finditer(r"\\\}\$ & (\d+) & \d+ & \$", table)]
    assert sum(counts) == 6 and (out / "figures" / "training.pdf").is_file()
    assert "-{}-train 6" in tex  # the regenerating command, "--" escaped for TeX


@pytest.mark.slow
@pytest.mark.parametrize("handout", [False, True], ids=["report", "handout"])
def test_no_overfull_boxes(tmp_path, tex_compiler, capsys, handout):
    """Every line of the report and the handout (with the training section) fits the page: pdflatex's log
    reports no overfull box."""
    import subprocess

    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet", "--train", "4"] + (["--handout"] if handout else [])) == 0
    capsys.readouterr()
    name = "handout.tex" if handout else "report.tex"
    for _ in range(2):
        subprocess.run([tex_compiler, "-interaction=nonstopmode", name], cwd=out, capture_output=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    log = (out / name).with_suffix(".log").read_text(errors="replace")
    assert "Overfull" not in log, log[log.find("Overfull"):][:300]
