"""Truncation maps against hand-derived cases, and T1/T5 on random parameters in floats."""

from fractions import Fraction

import numpy as np
import pytest

from symgeom import ParameterError
from symgeom.numbers.arith import array
from symgeom.model.cumulative import cumulative_parameters
from symgeom.model.network import layers, random_parameters
from symgeom.model.symmetry import act, permutation_matrix, random_symmetry
from symgeom.model.truncation import curated_points, truncation_map


def test_one_dimensional_truncation_by_hand():
    # tau(z) = (max(2z - 2, 0) + 2) / 2 = max(z, 1): apex 1, K+ = [1, oo), K- = (-oo, 1]
    tau = truncation_map(array([["2"]], "exact"), array(["-2"], "exact"))
    Z = array([["3", "0", "1", "-5"]], "exact")
    assert tau.apex.tolist() == [1]
    assert tau(Z).tolist() == [[3, 1, 1, 1]]
    assert tau.in_forward_cone(Z).tolist() == [True, False, False, False]
    assert tau.in_forward_cone(Z, strict=False).tolist() == [True, False, True, False]
    assert tau.in_backward_cone(Z).tolist() == [False, True, False, True]


def test_two_dimensional_face_by_hand():
    # W = [[1, 1], [0, 1]], b = 0: apex 0, edges = columns of W^-1 = (1, 0) and (-1, 1).
    tau = truncation_map(array([[1, 1], [0, 1]], "exact"), array([0, 0], "exact"))
    z = array([[Fraction(3)], [Fraction(-1)]], "exact")  # u = (2, -1): keep edge 1, drop edge 2
    assert tau.face(z)[:, 0].tolist() == [True, False]
    assert tau(z)[:, 0].tolist() == [2, 0]  # 2 * (1, 0)
    assert (tau.W @ (z - tau(z)))[:, 0].tolist() == [0, -1]  # displacement along edge 2 only


def test_singular_weight_is_refused():
    with pytest.raises(ParameterError, match="singular"):
        truncation_map(array([[1, 2], [2, 4]], "exact"), array([0, 0], "exact"))


@pytest.mark.parametrize("Q", range(1, 9))
def test_layers_are_recursive_truncations_in_floats(Q):
    rng = np.random.default_rng(Q)
    p = random_parameters(Q, 3, "float", seed=Q)
    X = rng.standard_normal((Q, 200))
    xs, zs = layers(p, X), curated_points(p, X)
    cum = cumulative_parameters(p)
    for l in range(1, 4):
        np.testing.assert_allclose(xs[l], cum.weights[l - 1] @ zs[l] + cum.biases[l - 1][:, None], atol=1e-9)
    np.testing.assert_allclose(xs[-1], cum.weights[-1] @ zs[-1] + cum.biases[-1][:, None], atol=1e-9)


@pytest.mark.parametrize("Q", [1, 3, 6])
def test_symmetry_keeps_the_function(Q):
    p = random_parameters(Q, 3, "exact", seed=Q)
    X = array(np.random.default_rng(0).integers(-9, 9, size=(Q, 30)), "exact")
    scalings, perms = random_symmetry(Q, 3, seed=1)
    assert (layers(act(p, scalings, perms), X)[-1] == layers(p, X)[-1]).all()
    # a negative "scaling" is not a symmetry of the ramp
    bad = [s.copy() for s in scalings]
    bad[0][0] = -bad[0][0]
    assert not (layers(act(p, bad, perms), X)[-1] == layers(p, X)[-1]).all()


def test_permutation_convention():
    assert (permutation_matrix((2, 0, 1)) @ np.array([1, 2, 3])).tolist() == [3, 1, 2]
