"""LaTeX reports: jinja2 templates made for LaTeX, rendering, and PDF builds.

Templates use ``\\VAR{…}`` for values and ``\\BLOCK{…}`` for statements, so TeX braces
never clash with jinja2; undefined values are errors (``StrictUndefined``); every value is
escaped for LaTeX unless it is :class:`~symgeom.numbers.printing.Latex`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

import jinja2
import numpy as np

from ..numbers import sizes
from .._errors import ConstructionError, ReportError
from .claims_view import claim_views, quantity
from ..io import write_bytes
from ..certify.certificates import Derivation
from ..claims.registry import Context, paper_statement, true_instead
from ..numbers.printing import Latex, decimal_latex, escape_tex, latex, number_latex, prose_latex, scope_latex
from ..data.files import decimal_text
from ..local_minima.dead_neurons import dead_counts_text
from ..local_minima.families import FAMILY_LIMIT, family_counts_text, split_counts_text
from ..local_minima.settling import LOCAL_MINIMUM, counts_text

__all__ = [
    "environment", "render_report", "decimal_matrix", "render_handout", "tex_engine", "INSTALL_HINT", "compile_pdf",
    "first_tex_error", "command_latex"]


def _finalize(value):
    if isinstance(value, Latex):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return escape_tex(value)


def environment() -> jinja2.Environment:
    """The jinja2 environment over the templates shipped with symgeom."""
    root = resources.files("symgeom.templates")
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (root / name).read_text(encoding="utf-8") if (root / name).is_file() else None),
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        line_comment_prefix="%#", trim_blocks=True, lstrip_blocks=True, autoescape=False,
        undefined=jinja2.StrictUndefined, finalize=_finalize, keep_trailing_newline=True,
    )
    env.filters["tex"] = latex
    env.filters["escape"] = lambda text: Latex(escape_tex(text))
    env.filters["command"] = command_latex
    env.filters["latexjoin"] = lambda items, sep=", ": Latex(sep.join(str(i) for i in items))
    env.filters["num"] = number_latex
    env.filters["approx"] = decimal_latex
    env.filters["scope"] = scope_latex
    env.filters["prose"] = prose_latex
    env.filters["setlatex"] = lambda label: Latex(label.replace("{", r"\{").replace("}", r"\}") if label != "{}" else r"\emptyset")
    return env


def command_latex(command: str) -> Latex:
    """A command line for ``\\texttt``: escaped (``--`` as ``-{}-``, so TeX keeps both dashes), with a line break
    allowed after every ``/`` of a long path."""
    return Latex(escape_tex(command).replace("/", r"/\allowbreak{}"))


def render_report(ctx: Context, derivations: list[Derivation], command: str, figures=None, training=None,
                  certificates=None, paper: str = "a4") -> str:
    """The report's LaTeX source for the derivations on ``ctx``: one theorem and proof per claim in the paper's
    order, the certificates they cite in an appendix table; ``figures`` maps figure names to paths relative to the
    report (see :func:`~symgeom.reports.figures.write_figures`); ``certificates``: what
    :func:`~symgeom.cli.certify_command.write_context_certificates` wrote, listed in the appendix; ``paper``:
    ``a4`` or ``letter``."""
    if paper not in PAPERS:
        raise ReportError(f"paper size {paper!r}: expected one of {', '.join(PAPERS)}")
    data = ctx.data
    strata = ctx.strata if any(d.id == "N2" for d in derivations) else None
    merged, merged_left = ctx.merged if any(d.id == "N3" for d in derivations) else ((), 0)
    views, rows = claim_views(derivations)
    unavailable = ctx.unavailable()
    criterion = _criterion(ctx)
    env = environment()
    env.filters["quantity"] = quantity
    env.filters["strip_period"] = lambda text: Latex(str(text).rstrip().rstrip("."))
    return env.get_template("report.tex.j2").render(
        ctx=ctx, data=data, views=views, rows=rows, summary=[views[i:i + 3] for i in range(0, len(views), 3)],
        command=command, paper=paper, parameters=data.parameter_count(ctx.L), points_dims=data.Q * data.N,
        strata=strata, reached=sum(st.verdict == LOCAL_MINIMUM for st in strata) if strata else 0,
        merged=list(merged), merged_left=merged_left, merged_limit=FAMILY_LIMIT,
        dead=ctx.dead_neurons if any(d.id == "N4" for d in derivations) else [],
        splits=ctx.split_clusters if any(d.id == "N5" for d in derivations) else [],
        verdicts=VERDICT_WORDS, figures=figures or {}, training=training, certificates=certificates,
        criterion=criterion, unavailable=unavailable if any(d.id.startswith("G") for d in derivations) else None,
        paper_statement=paper_statement, true_instead=true_instead,
    )


PAPERS = ("a4", "letter")
"""The paper sizes of ``--paper``."""

VERDICT_WORDS = {"local_minimum": "local minimum", "empty": "empty", "not_reached": "not reached", "undecided": "undecided"}
"""A stratum's verdict in words."""


def _criterion(ctx):
    """The closed-form criterion of G1 on the data, ``None`` when it cannot be evaluated (means with a zero
    altitude)."""
    from ..global_minima.criterion import clustering_criterion

    try:
        return clustering_criterion(ctx.data)
    except (ConstructionError, ZeroDivisionError):
        return None


def decimal_matrix(a, digits: int = 4) -> Latex:
    """A matrix (or a column, for 1-D input) with entries to ``digits`` significant figures, for
    readers; exact values stay available through ``symgeom construct``."""
    a = np.asarray(a)
    rows = a[:, None] if a.ndim == 1 else a
    body = r" \\ ".join(" & ".join(sizes.format_decimal(x, digits) for x in row) for row in rows)
    return Latex(r"\begin{pmatrix} " + body + r" \end{pmatrix}")


def render_handout(ctx: Context, derivations: list[Derivation], command: str, figures=None, solutions: bool = True,
                   training=None, paper: str = "a4") -> str:
    """The handout's LaTeX source: the same mathematics, a worked example on ``ctx``, exercises
    and (unless ``solutions`` is false) their solutions on separate pages."""
    data = ctx.data
    fam = ctx.minimizer if ctx.unavailable() is None else None
    strata = ctx.strata
    by_id = {d.id: d for d in derivations}
    example = None
    if fam is not None:
        member = fam.member()
        example = {
            "cones": [{"layer": c.layer, "cluster": c.cluster, "W": decimal_matrix(c.W), "b": decimal_matrix(c.b),
                       "apex": decimal_matrix(c.apex[None, :])} for c in fam.cones],
            "output": decimal_matrix(fam.output_map()),
            "weights": [decimal_matrix(W) for W in member.weights],
            "biases": [decimal_matrix(b) for b in member.biases],
            "dimension": data.parameter_count(ctx.L) - data.Q**2,
        }
    points = [(int(data.labels[n]), "(" + ", ".join(decimal_text(v) for v in data.X[:, n]) + ")") for n in range(data.N)]
    return environment().get_template("handout.tex.j2").render(
        ctx=ctx, data=data, by_id=by_id, command=command, figures=figures or {}, solutions=solutions,
        example=example, points=points, family=fam if example else None,
        strata=strata, strata_example=next((st for st in strata if st.truncated and st.minimizer is not None), None),
        strata_summary=_strata_summary(strata),
        merged=ctx.merged[0] if "N3" in by_id else (),
        merged_summary=family_counts_text(*ctx.merged) if "N3" in by_id else "",
        dead_summary=dead_counts_text(ctx.dead_neurons) if "N4" in by_id else "",
        split_summary=split_counts_text(ctx.split_clusters) if "N5" in by_id else "",
        training=training, paper=paper,
        parameters=data.parameter_count(ctx.L),
    )


def _strata_summary(strata) -> str | None:
    """``"2 local minima, 4 strata empty, 1 not reached"`` when some stratum is not a certified local minimum."""
    return counts_text(strata) if strata and any(st.verdict != LOCAL_MINIMUM for st in strata) else None


def tex_engine() -> list[str] | None:
    """The command that builds a PDF here: latexmk, else pdflatex; ``None`` without TeX."""
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return ["latexmk", "-pdf", "-latexoption=-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                "-file-line-error"]
    if shutil.which("pdflatex"):
        return ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error"]
    return None


INSTALL_HINT = (
    "no TeX engine found (pdflatex); install one, e.g. 'apt-get install texlive-latex-base "
    "texlive-latex-recommended texlive-fonts-recommended latexmk'"
)


def compile_pdf(tex: Path) -> Path:
    """Compile ``tex`` in a fresh temporary folder and copy the PDF next to it.

    Reproducible: ``SOURCE_DATE_EPOCH`` is fixed and the template suppresses PDF IDs and
    dates.  On failure raises :class:`ReportError` with the first TeX error and its line.
    """
    tex = Path(tex)
    engine = tex_engine()
    if engine is None:
        raise ReportError(INSTALL_HINT)
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
    with tempfile.TemporaryDirectory(prefix="symgeom-tex-") as work:
        shutil.copy(tex, Path(work) / tex.name)
        if (tex.parent / "figures").is_dir():
            shutil.copytree(tex.parent / "figures", Path(work) / "figures")
        runs = 1 if engine[0] == "latexmk" else 2
        for _ in range(runs):
            proc = subprocess.run(engine + [tex.name], cwd=work, env=env, capture_output=True, text=True,
                                  errors="replace", stdin=subprocess.DEVNULL, timeout=600)
            if proc.returncode != 0:
                raise ReportError(f"{tex}: TeX failed: {first_tex_error(proc.stdout, tex.name)}")
        pdf = Path(work) / tex.with_suffix(".pdf").name
        target = tex.with_suffix(".pdf")
        write_bytes(target, pdf.read_bytes())
    return target


def first_tex_error(log: str, name: str) -> str:
    """The first error of a TeX log, with its line (``file:line: message``)."""
    m = re.search(r"^(?:\./)?([^\s:]+\.tex):(\d+): (.*)$", log, re.M)
    if m:
        return f"line {m.group(2)}: {m.group(3).strip()}"
    m = re.search(r"^! (.*)$", log, re.M)
    if m:
        line = re.search(r"^l\.(\d+)", log[m.end():], re.M)
        return f"{m.group(1).strip()}" + (f" (line {line.group(1)})" if line else "")
    return "unknown error (see the TeX log)"
