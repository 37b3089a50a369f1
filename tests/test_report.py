"""Reports compile with a real TeX engine; templates are strict and escape user text."""


import jinja2
import pytest

from symgeom.cli import main
from symgeom.printing import Latex, escape_tex
from symgeom.report import environment, first_tex_error


def test_report_compiles(tmp_path, tex_compiler, capsys):
    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--pdf"]) == 0
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert pdf.rstrip().endswith(b"%%EOF")


def test_pdf_is_reproducible(tmp_path, tex_compiler):
    pdfs = []
    for name in ("a", "b"):
        assert main(["report", "--out", str(tmp_path / name), "--only", "T2", "--pdf"]) == 0
        pdfs.append((tmp_path / name / "report.pdf").read_bytes())
    assert pdfs[0] == pdfs[1]


def test_tex_error_is_reported_with_its_line(tmp_path, tex_compiler):
    from symgeom import ReportError
    from symgeom.report import compile_pdf

    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n\\end{document}\n")
    with pytest.raises(ReportError, match="line 3"):
        compile_pdf(bad)


def test_no_tex_compiler(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("symgeom.report.shutil.which", lambda name: None)
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
