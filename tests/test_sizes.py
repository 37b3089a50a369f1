"""Sizes: every module of symgeom/ and derivations/ has at most 400 lines, and no function more than 50."""

import ast
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("symgeom", "derivations")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50



def _sources():
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def function_lengths(source: str) -> dict:
    """``{qualified name: lines}`` of every function and method (decorators excluded, docstring included)."""
    out = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                out[name] = child.end_lineno - child.lineno + 1
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")

    visit(ast.parse(source), "")
    return out


def offenders() -> list:
    """Every module over :data:`MAX_MODULE_LINES` and every function over :data:`MAX_FUNCTION_LINES`."""
    found = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(rel)
        found += [f"{rel}:{name}" for name, n in function_lengths(text).items() if n > MAX_FUNCTION_LINES]
    return found


def test_function_lengths_are_measured():
    source = "def f():\n" + "    x = 1\n" * 60 + "class C:\n    def g(self):\n        return 1\n"
    assert function_lengths(source) == {"f": 61, "C.g": 2}


def test_module_and_function_sizes():
    found = offenders()
    assert found == []
