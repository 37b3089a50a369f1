import os
import shutil

import pytest

from symgeom.data import default_data


@pytest.fixture(scope="session")
def data():
    """The embedded default data, exact."""
    return default_data()


@pytest.fixture
def tex_engine():
    """Skips without a TeX engine, unless CI requires one (SYMGEOM_REQUIRE_TEX=1): then it fails."""
    if shutil.which("pdflatex") is None:
        if os.environ.get("SYMGEOM_REQUIRE_TEX") == "1":
            pytest.fail("SYMGEOM_REQUIRE_TEX=1 but no pdflatex on PATH")
        pytest.skip("no TeX engine (pdflatex) installed")
    return shutil.which("pdflatex")
