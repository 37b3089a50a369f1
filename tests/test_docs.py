"""The README and the documentation site: size, the two commands, the claims table against a real run, links that
resolve, every claim on a mathematics page, docstrings citing pages that exist, and the generated pages."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from symgeom.derivations import RECIPES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
MATH_PAGES = sorted((DOCS / "mathematics").glob("*.md"))
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_readme_is_short():
    assert len(README.encode("utf-8")) <= 12 * 1024


def test_readme_keeps_the_two_commands():
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    assert "pip install . && symgeom report\n" in blocks
    assert "pip install '.[test]' && pytest\n" in blocks


def _readme_claims() -> dict:
    """``{id: (title, status, scope)}`` from the README's claims table."""
    rows = re.findall(r"^\| ([A-Z][0-9.]+) \| (.+?) \| \*\*(\w+)\*\* \| (.+?) \|$", README, flags=re.M)
    return {cid: (title, status, scope) for cid, title, status, scope in rows}


def test_readme_claims_table_lists_every_claim_once():
    rows = re.findall(r"^\| ([A-Z][0-9.]+) \|", README, flags=re.M)
    assert sorted(rows) == sorted(RECIPES)


@pytest.mark.slow
def test_readme_claims_table_is_what_check_prints(capsys):
    from symgeom.cli import main

    assert main(["check", "--json", "--quiet"]) == 0
    claims = json.loads(capsys.readouterr().out)["claims"]
    assert _readme_claims() == {c["id"]: (c["title"], c["status"], c["scope"]) for c in claims}


def _relative_links(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    return [(path.parent / target) for target in LINK.findall(text) if "://" not in target]


GENERATED = {"reference/cli.md", "reference/api.md", "reference/schemas.md"}


@pytest.mark.parametrize("page", [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))], ids=lambda p: p.name)
def test_relative_links_resolve(page):
    """The README's links into the repository, and the pages' links (mkdocs --strict checks them too, in CI)."""
    for target in _relative_links(page):
        inside = DOCS.resolve() in target.resolve().parents and page.name != "README.md"
        relative = target.resolve().relative_to(DOCS.resolve()).as_posix() if inside else None
        assert target.exists() or relative in GENERATED, f"{page.name}: broken link {target}"


def test_every_claim_has_its_section_on_a_mathematics_page():
    text = "\n".join(p.read_text(encoding="utf-8") for p in MATH_PAGES)
    for cid in RECIPES:
        own = re.search(rf"^## {re.escape(cid)} ", text, flags=re.M)
        paper = re.search(rf"\| {re.escape(cid)}[ ,]", text)
        assert own or paper, f"{cid} is on no mathematics page"


def test_docstrings_cite_pages_that_exist():
    cited, stale = set(), []
    for path in [*(ROOT / "symgeom").rglob("*.py"), *(ROOT / "derivations").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if "MATH.md" in text:
            stale.append(path.name)
        cited |= set(re.findall(r"docs/[\w/.-]+\.md|docs/mathematics/", text))
    assert not stale, f"cite the docs' mathematics pages, not MATH.md: {stale}"
    assert cited
    for page in cited:
        assert (ROOT / page).exists(), page


def _hook():
    pytest.importorskip("mkdocs", reason="the generated pages need the docs extra (mkdocs)")
    spec = importlib.util.spec_from_file_location("generated_pages", DOCS / "hooks" / "generated_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_page_has_every_subcommand_and_option():
    hook = _hook()
    page = hook.cli_page()
    sub = next(a for a in hook._build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    assert set(sub.choices) >= {"check", "report", "construct", "locate", "train", "example"}
    for name, parser in sub.choices.items():
        section = page.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        for action in parser._actions:
            for flag in action.option_strings:
                assert flag in section, (name, flag)


def test_schema_page_lists_every_shipped_schema():
    paths = sorted((ROOT / "symgeom" / "schemas").glob("*.schema.json"))
    assert paths
    page = _hook().schema_page(paths)
    for path in paths:
        assert f"## {path.name}" in page and f"(schemas/{path.name})" in page
        for field in json.loads(path.read_text(encoding="utf-8")).get("properties", {}):
            assert f"| `{field}` |" in page


def test_api_page_documents_every_public_name():
    import symgeom
    import symgeom.strategies
    import symgeom.testing

    page = _hook().api_page()
    for module in (symgeom, symgeom.testing, symgeom.strategies):
        for name in module.__all__:
            assert f"::: {module.__name__}.{name}\n" in page


PYTHON_BLOCKS = [(page, block) for page in sorted(DOCS.rglob("*.md"))
                 for block in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)]


@pytest.mark.parametrize("page, block", PYTHON_BLOCKS, ids=[f"{p.name}-{i}" for i, (p, _) in enumerate(PYTHON_BLOCKS)])
def test_python_examples_in_the_docs_run(page, block):
    """Every Python example on a page runs; the test functions it defines pass (with the plugin's fixture)."""
    from symgeom.data.embedded import default_data

    namespace: dict = {}
    exec(compile(block, str(page), "exec"), namespace)
    for name, function in namespace.items():
        if name.startswith("test_") and callable(function):
            if "clustered_data" in getattr(function, "__code__", function).co_varnames[:1]:
                function(default_data())
            else:
                function()
