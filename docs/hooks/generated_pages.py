"""MkDocs hook: pages generated at build time from the code, so they cannot drift from it.

* ``reference/cli.md``: the help of ``symgeom`` and of every subcommand, from the real argument parser.
* ``reference/api.md``: the Python API, one mkdocstrings block per public name (``__all__`` of ``symgeom``,
  ``symgeom.testing`` and ``symgeom.strategies``), rendered from the docstrings.
* ``reference/schemas.md`` and ``schemas/*.schema.json``: every JSON Schema shipped in ``symgeom/schemas/``,
  listed with its title, description and top-level fields, and copied into the site.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "symgeom" / "schemas"
HELP_WIDTH = "100"


def _build_parser() -> argparse.ArgumentParser:
    """symgeom's own parser builder, wherever the CLI package keeps it."""
    for name in ("symgeom.cli", "symgeom.cli.parser", "symgeom.cli.app"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        if hasattr(module, "build_parser"):
            return module.build_parser()
    raise RuntimeError("no build_parser() in symgeom.cli, symgeom.cli.parser or symgeom.cli.app")


def _subcommands(parser: argparse.ArgumentParser) -> dict:
    for action in parser._actions:  # argparse keeps subparsers as one action; no public accessor exists
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH  # argparse wraps at the terminal width: fix it for a reproducible page
    try:
        return parser.format_help()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def cli_page() -> str:
    """The command-line reference: ``symgeom --help`` then each subcommand's ``--help``, verbatim."""
    parser = _build_parser()
    subs = _subcommands(parser)
    lines = ["# Command line", "",
             "Generated when the site is built, from the argument parser `symgeom` itself uses: "
             "what is printed here is what `--help` prints.", "",
             "Subcommands: " + ", ".join(f"[`{name}`](#{name})" for name in subs) + ".", "",
             "## symgeom", "", "```text", _help(parser).rstrip(), "```", ""]
    for name, sub in subs.items():
        lines += [f"## {name}", "", "```text", _help(sub).rstrip(), "```", ""]
    return "\n".join(lines)


API_MODULES = {
    "symgeom": "The package's public names: data, parameters, costs, truncation maps, constructions, claims and "
               "errors. Everything else is reachable through the subpackages named in the text.",
    "symgeom.testing": "Assertions for your own test suite (see [Using symgeom in your tests](../testing.md)).",
    "symgeom.strategies": "Hypothesis strategies: clustered data, parameter points, activation patterns.",
}


def api_page() -> str:
    """The API reference: for each public module, its ``__all__`` in order, each name's docstring rendered."""
    lines = ["# Python API", "",
             "Generated when the site is built from the docstrings of every name in `__all__` of the public "
             "modules below. The examples in the docstrings run as doctests in the test suite "
             "(`tests/test_package.py`).", ""]
    for name, text in API_MODULES.items():
        module = importlib.import_module(name)
        lines += [f"## {name}", "", text, ""]
        for member in module.__all__:
            lines += [f"::: {name}.{member}", "    options:", "      heading_level: 3", ""]
    return "\n".join(lines)


def _fields(schema: dict) -> list:
    required = set(schema.get("required", []))
    rows = []
    for key, spec in schema.get("properties", {}).items():
        kind = spec.get("type", spec.get("$ref", "const" if "const" in spec else "")) if isinstance(spec, dict) else ""
        kind = " or ".join(kind) if isinstance(kind, list) else kind
        text = (spec.get("description", "") if isinstance(spec, dict) else "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{key}` | {kind} | {'yes' if key in required else 'no'} | {text} |")
    return rows


def schema_page(paths: list) -> str:
    """One section per shipped schema: where it is, what it describes, its top-level fields."""
    lines = ["# JSON Schemas", "",
             "Generated when the site is built from every `*.schema.json` shipped in `symgeom/schemas/` "
             "(JSON Schema draft 2020-12). Each file is also part of this site, linked below; in Python, "
             "`importlib.resources.files('symgeom') / 'schemas'` finds them in the installed package.", ""]
    for path in paths:
        schema = json.loads(path.read_text(encoding="utf-8"))
        lines += [f"## {path.name}", "",
                  f"[Download `{path.name}`](schemas/{path.name}) · `$id`: `{schema.get('$id', '(none)')}`", ""]
        if schema.get("title"):
            lines += [f"**{schema['title']}**", ""]
        if schema.get("description"):
            lines += [schema["description"], ""]
        rows = _fields(schema)
        if rows:
            lines += ["| field | type | required | meaning |", "|---|---|---|---|", *rows, ""]
    return "\n".join(lines)


def on_files(files, config):
    """Add the generated pages and the schema files to the site."""
    paths = sorted(SCHEMAS.glob("*.schema.json"))
    files.append(File.generated(config, "reference/cli.md", content=cli_page()))
    files.append(File.generated(config, "reference/api.md", content=api_page()))
    files.append(File.generated(config, "reference/schemas.md", content=schema_page(paths)))
    for path in paths:
        files.append(File.generated(config, f"reference/schemas/{path.name}", content=path.read_bytes()))
    return files


SPHINX_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj):\s*(?=<code>)")


def on_page_content(html, page, config, files):
    """The docstrings use Sphinx roles (``:class:`Check```); drop the role word, keep the code span."""
    return SPHINX_ROLE.sub("", html) if page.file.src_uri == "reference/api.md" else html
