"""What a reader sees in a compiled PDF: its text (``pdftotext``), its pages, and the faults a referee would mark.

Used by the render tests of the report and the handout; every finder returns the offending excerpts, so a failing
assertion shows where the fault is.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

ASCII_OPERATORS = {
    "=>": r"=>", "<=": r"<=", ">=": r">=", "^(": r"\^\(", "ASCII times": r"(?:\d|\b[A-Z]|\)) x (?:\d|\b[A-Z]\b|\(|[a-z]{3,})",
    "1..Q": r"\b\d\s*\.\.\s*[A-Za-z0-9]", "sqrt(": r"sqrt\(",
}
"""ASCII mathematics that must have been typeset: arrows and relations, powers written ``^(``, ``x`` as a product
sign between factors, ``1..Q`` ranges, ``sqrt(``."""

PYTHON_LITERALS = {"True": r"\bTrue\b", "False": r"\bFalse\b", "None": r"\bNone\b",
                   "list": r"\[\s*-?\d+(?:\s*,\s*-?\d+){2,}\s*\]|\[\s*'|\(\s*'"}
"""Python's words and a list literal of three or more integers (an interval ``[a, b]`` is mathematics)."""

SINGLE_DASH_LONG_OPTION = r"(?<![\w-])[-\u2013\u2014](?:L|Q|data|out|pdf|only|seed|cost|handout|train|paper|force|truncate|exact|float)\b(?=\s)"
"""A long option typeset with one dash (``-{}-`` lost: ``–L``)."""


def pdf_text(pdf: Path) -> str:
    """The PDF's text as ``pdftotext`` extracts it (reading order, no layout)."""
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is needed for the render tests"
    out = subprocess.run([exe, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120)
    return out.stdout


def page_count(pdf: Path) -> int:
    """The number of pages (``/Type /Page`` objects, counted by ``pdfinfo``)."""
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def page_texts(pdf: Path) -> list[str]:
    """The text of every page."""
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                           text=True, check=True, timeout=60).stdout for n in range(1, page_count(pdf) + 1)]


def findings(text: str, patterns: dict) -> list[str]:
    """``name: excerpt`` for every match of each pattern, with 40 characters of context."""
    found = []
    for name, pattern in patterns.items():
        for m in re.finditer(pattern, text):
            found.append(f"{name}: {text[max(0, m.start() - 40):m.end() + 40]!r}")
    return found


def printed_commands(text: str) -> list[list[str]]:
    """Every ``symgeom …`` command printed in the text, as argument lists (the words after ``symgeom`` up to the end
    of the line or a closing parenthesis, comma or full stop that is not part of an argument)."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    commands = []
    for m in re.finditer(r"\bsymgeom ((?:report|check|construct|certify|locate|train|example|verify|figure)\b[^\n)]*)", text):
        line = re.split(r"(?<=\S)[,;](?:\s|$)|\.(?:\s|$)| writes\b| with the\b| re-checks\b", m.group(1))[0]
        commands.append(shlex.split(line.strip()))
    return commands


def figure_files(folder: Path) -> list[str]:
    """The figures written beside a document, as the paths the LaTeX source includes."""
    figures = Path(folder) / "figures"
    return sorted(f"figures/{p.name}" for p in figures.glob("*.pdf")) if figures.is_dir() else []


def included_figures(tex: str) -> list[str]:
    """The figures the LaTeX source includes."""
    return sorted(re.findall(r"\\includegraphics(?:\[[^\]]*\])?\{([^}]*)\}", tex))


def nearly_empty_pages(pages: list[str], min_lines: int = 12) -> list[int]:
    """The pages (1-based) other than the last with fewer than ``min_lines`` lines of text: a float alone on a page,
    or a page of four lines."""
    return [n for n, page in enumerate(pages[:-1], 1) if len([ln for ln in page.splitlines() if ln.strip()]) < min_lines]
