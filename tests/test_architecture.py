"""The architecture: the import graph of symgeom (function-local imports included) has no cycle, and the
package keeps its shape (issue 26: at most 12 modules directly in symgeom/, at most 15 in a subpackage)."""

import ast
from pathlib import Path

import symgeom
import symgeom.derivations

PACKAGE = Path(symgeom.__file__).resolve().parent
RECIPES = Path(symgeom.derivations.__file__).resolve().parent


def _modules():
    """Every module's dotted name and path, ``symgeom.derivations`` included."""
    found = {}
    for root, prefix in ((PACKAGE, "symgeom"), (RECIPES, "symgeom.derivations")):
        for path in sorted(root.rglob("*.py")):
            if RECIPES != PACKAGE / "derivations" and root == PACKAGE and RECIPES in path.parents:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([prefix, *parts])] = path
    return found


def import_graph():
    """Edges ``a -> b`` for every ``import``/``from ... import`` in ``a`` of a symgeom module ``b``."""
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_package_shape():
    top = [p for p in PACKAGE.glob("*.py")]
    assert len(top) <= 12, sorted(p.name for p in top)
    for sub in PACKAGE.iterdir():
        if (sub / "__init__.py").is_file() and sub != RECIPES:
            modules = [p for p in sub.glob("*.py") if p.name != "__init__.py"]
            assert len(modules) <= 15, (sub.name, sorted(p.name for p in modules))
    assert "__path__" not in (PACKAGE / "__init__.py").read_text(encoding="utf-8")
