"""pytest plugin (registered through the ``pytest11`` entry point): fixtures for tests that use symgeom.

* ``clustered_data`` -- the embedded default data (exact, ``Q = 3``);
* ``clustered_data_factory`` -- ``make(Q=3, seed=0, kind="exact")``: reproducible example data;
* ``tex_compiler`` -- the path of ``pdflatex``; skips the test when there is none, unless the
  environment sets ``SYMGEOM_REQUIRE_TEX=1`` (then it fails).
"""

from __future__ import annotations

import os
import shutil

import pytest
from ..data.clusters import example_data
from ..data.embedded import default_data

__all__ = ["clustered_data", "clustered_data_factory", "tex_compiler"]


@pytest.fixture
def clustered_data():
    return default_data()


@pytest.fixture
def clustered_data_factory():
    def make(Q: int = 3, seed: int = 0, kind: str = "exact"):
        return example_data(Q, seed, kind=kind)

    return make


@pytest.fixture
def tex_compiler():
    path = shutil.which("pdflatex")
    if path is None:
        if os.environ.get("SYMGEOM_REQUIRE_TEX") == "1":
            pytest.fail("SYMGEOM_REQUIRE_TEX=1 but no pdflatex on PATH")
        pytest.skip("no TeX engine (pdflatex) installed")
    return path
