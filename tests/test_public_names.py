"""Every documented public name imports: ``symgeom.__all__``, ``symgeom.testing``, ``symgeom.strategies``, the
pytest plugin, and every ``symgeom.x.y`` named or imported in the README and the tutorial notebook."""

import ast
import importlib
import json
import re
from pathlib import Path

import pytest

import symgeom

STRATEGIES = ['activation_patterns', 'clustered_data', 'data_and_parameters', 'parameter_points']
ROOT = Path(__file__).resolve().parent.parent
DOTTED = re.compile(r"(?<![\w/.-])symgeom(?:\.[A-Za-z_]\w*)+")


def resolve(dotted):
    """The object a dotted name names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ModuleNotFoundError:
            continue
        for attr in parts[k:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def _documented():
    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    for nb in sorted((ROOT / "examples").glob("*.ipynb")):
        texts += ["".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]]
    for docs in sorted((ROOT / "docs").rglob("*.md")) if (ROOT / "docs").is_dir() else []:
        texts.append(docs.read_text(encoding="utf-8"))
    names = set()
    for text in texts:
        names |= {m.rstrip(".") for m in DOTTED.findall(text)}
        for line in text.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("from symgeom") and " import " in line and not line.endswith("("):
                try:
                    node = ast.parse(line).body[0]
                except SyntaxError:
                    continue
                names |= {f"{node.module}.{a.name}" for a in node.names}
    return sorted(n for n in names if not n.startswith("symgeom.egg"))


@pytest.mark.parametrize("dotted", _documented())
def test_documented_name_imports(dotted):
    resolve(dotted)


def test_documented_names_are_found():
    assert "symgeom.testing.assert_degeneracy" in _documented()


def test_all():
    assert "load_parameters" in symgeom.__all__
    for name in symgeom.__all__:
        assert getattr(symgeom, name) is not None, name


def test_public_modules():
    import symgeom.strategies
    import symgeom.testing

    assert symgeom.testing.__all__
    for name in symgeom.testing.__all__:
        assert callable(getattr(symgeom.testing, name)), name
    for name in STRATEGIES:
        assert callable(getattr(symgeom.strategies, name)), name
    importlib.import_module("symgeom.testing.pytest_plugin")
    from symgeom.cli import main

    assert callable(main)


def _public_modules():
    import pkgutil

    names = ["symgeom"]
    for info in pkgutil.walk_packages(symgeom.__path__, "symgeom."):
        # symgeom.derivations and symgeom.templates are the repository's recipe and template folders (one
        # RECIPE per module), installed inside the package; they are not part of the library's API
        top = info.name.split(".")[1]
        if top not in ("derivations", "templates") and not any(p.startswith("_") for p in info.name.split(".")[1:]):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _public_modules())
def test_every_public_module_declares_all(name):
    """``__all__`` lists the names a public module defines (no imported module such as ``np`` or ``st``, no
    helper imported from elsewhere), and every public function or class it defines."""
    import inspect

    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list), f"{name} has no __all__"
    for attr in module.__all__:
        obj = getattr(module, attr)
        assert not inspect.ismodule(obj), f"{name}.__all__ exports the module {attr}"
    own = {k for k, v in vars(module).items() if not k.startswith("_") and (inspect.isfunction(v) or inspect.isclass(v))
           and v.__module__ == name}
    if name in ("symgeom", "symgeom.verify_certificates"):  # the package re-exports; the verifier is a script
        return
    assert own <= set(module.__all__), f"{name}: {sorted(own - set(module.__all__))} not in __all__"


def test_strategies_export_only_strategies():
    import symgeom.strategies

    assert sorted(symgeom.strategies.__all__) == STRATEGIES
