"""Packaging: docstring examples run, templates and recipes ship inside the installed package."""

import doctest
import importlib
import pkgutil
from importlib import resources

import pytest

import symgeom

import symgeom.derivations


def _modules(package, prefix):
    return [name for _, name, _ in pkgutil.walk_packages(package.__path__[:1], prefix)
            if not name.endswith(".__main__")]


MODULES = sorted(_modules(symgeom, "symgeom.") + _modules(symgeom.derivations, "symgeom.derivations."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_templates_and_recipes_are_package_data():
    assert (resources.files("symgeom.templates") / "report.tex.j2").is_file()
    from symgeom.derivations import RECIPES

    assert set(RECIPES) == {"T1", "T2", "T3", "T4", "T5", "G1", "G2", "G3", "G4", "N1", "N2", "N3", "N4", "N5",
                            "P2.2", "D2.1", "H2.14", "H2.52", "P2.3", "E2.58", "P2.4", "E2.71", "P2.5", "E2.85"}
    assert (resources.files("symgeom") / "data" / "default.csv").is_file()


def test_public_api():
    for name in ("ClusterData", "Parameters", "truncation_map", "cumulative_parameters", "actual_parameters", "cost",
                 "run_claims", "Context", "SymgeomError", "DataError", "Derivation", "Check"):
        assert hasattr(symgeom, name)
