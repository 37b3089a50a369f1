"""symgeom.testing, symgeom.strategies and the pytest plugin's fixtures, as another project would use them."""

import numpy as np
import pytest

from symgeom.global_minima.minimizer import global_minimizer
from symgeom.model.network import random_parameters
from symgeom.testing import assert_degeneracy, assert_global_minimizer, assert_truncation_identity, collapse_order


def test_fixtures_from_the_plugin(clustered_data, clustered_data_factory):
    assert clustered_data.Q == 3 and clustered_data.N == 13
    d = clustered_data_factory(Q=2, seed=4, kind="float")
    assert d.Q == 2 and d.kind == "float"


def test_assert_global_minimizer_passes_and_fails(clustered_data):
    fam = global_minimizer(clustered_data, 4, order=(3, 1, 2))
    theta = fam.sample(np.random.default_rng(0))
    assert collapse_order(theta, clustered_data) == (3, 1, 2)
    assert assert_global_minimizer(theta, clustered_data).status == "certified"
    broken = theta.with_kind("exact")
    broken.biases[-1][0] = broken.biases[-1][0] + 1  # shift one output: cost no longer 0
    with pytest.raises(AssertionError, match="not a global minimizer: refuted .*cost"):
        assert_global_minimizer(broken, clustered_data)
    with pytest.raises(AssertionError, match="collapses no cluster"):
        assert_global_minimizer(random_parameters(3, 3, seed=1), clustered_data)


def test_assert_degeneracy(clustered_data):
    theta = global_minimizer(clustered_data, 3).member()
    assert_degeneracy(theta, clustered_data, 3 * 12 + 3)
    with pytest.raises(AssertionError, match="nullity 39 != 40"):
        assert_degeneracy(theta, clustered_data, 40)
    assert assert_degeneracy(theta, clustered_data.with_kind("float"), 39).status == "checked"
    with pytest.raises(AssertionError, match="not a zero of the cost"):
        assert_degeneracy(random_parameters(3, 3, seed=2), clustered_data, 39)


def test_assert_truncation_identity(clustered_data, monkeypatch):
    params = random_parameters(3, 3, seed=5)
    assert assert_truncation_identity(params, clustered_data.X).status == "certified"
    from symgeom.model.truncation import TruncationMap

    monkeypatch.setattr(TruncationMap, "__call__", lambda self, Z: Z)
    with pytest.raises(AssertionError, match="T1 fails: refuted"):
        assert_truncation_identity(params, clustered_data.X)


def test_tex_compiler_fixture(tex_compiler):
    assert tex_compiler.endswith("pdflatex")
