"""Clustered data: exact parsing, statistics against hand-derived values, CSV round trips."""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symgeom import DataError
from symgeom.numbers.arith import to_fraction
from symgeom.data.clusters import ClusterData, example_data
from symgeom.data.files import csv_text, decimal_text, read_csv, targets_csv_text


def test_default_data_statistics_by_hand(data):
    # Clusters around 3 e_j; by construction the means are exactly 3 e_j.
    assert data.Q == 3 and data.N == 13 and data.sizes == (4, 4, 5)
    assert data.means.tolist() == [[3, 0, 0], [0, 3, 0], [0, 0, 3]]
    # Largest deviations: (-0.1,-0.1,0.1), (0.1,0.1,0.1) and (0,-0.2,0).
    assert data.radii == (sp.sqrt(3) / 10, sp.sqrt(3) / 10, sp.Rational(1, 5))
    assert data.delta == sp.Rational(1, 5)
    # Equilateral triangle of side 3*sqrt(2): altitude side*sqrt(3)/2.
    assert all(sp.simplify(h - 3 * sp.sqrt(2) * sp.sqrt(3) / 2) == 0 for h in data.altitudes)
    assert sp.simplify(data.rho - sp.Rational(1, 5) / (3 * sp.sqrt(6) / 2)) == 0
    assert np.all(np.sum(data.deviations @ data.membership, axis=0) == 0)  # deviations sum to zero per cluster


def test_decimals_are_exact():
    d = ClusterData.from_arrays([["0.1", "0"], ["0", "1e-1"], ["1", "1"]], [1, 1, 2])
    assert to_fraction(d.X[0, 0]) == Fraction(1, 10) and to_fraction(d.X[1, 1]) == Fraction(1, 10)
    assert [to_fraction(v) for v in d.means[:, 0]] == [Fraction(1, 20), Fraction(1, 20)]


@pytest.mark.parametrize("Q", [2, 3, 4, 5])
def test_altitudes_against_least_squares(Q):
    rng = np.random.default_rng(Q)
    points = rng.standard_normal((4 * Q, Q)) + 5 * np.repeat(np.eye(Q), 4, axis=0)
    labels = np.repeat(np.arange(1, Q + 1), 4)
    d = ClusterData.from_arrays(points, labels, kind="float")
    M = np.array([points[labels == j].mean(axis=0) for j in range(1, Q + 1)])
    for k in range(Q):
        others = np.delete(M, k, axis=0)
        A = (others[1:] - others[0]).T
        w = M[k] - others[0]
        if A.shape[1]:
            w = w - A @ np.linalg.lstsq(A, w, rcond=None)[0]
        assert math.isclose(d.altitudes[k], np.linalg.norm(w), rel_tol=1e-10)
    assert math.isclose(d.rho, d.delta / d.h)


def test_exact_and_float_statistics_agree():
    e = example_data(4, seed=5)
    f = e.with_kind("float")
    assert float(e.rho) == pytest.approx(f.rho, rel=1e-12)
    assert float(e.delta) == pytest.approx(f.delta, rel=1e-12)


def test_single_cluster_has_no_altitude():
    d = ClusterData.from_arrays([["1"], ["2"]], [1, 1])
    assert d.h == sp.oo and d.rho == 0


@pytest.mark.parametrize("Q,seed", [(1, 0), (2, 3), (3, 7), (5, 11)])
def test_csv_round_trip(tmp_path, Q, seed):
    d = example_data(Q, seed)
    path = tmp_path / "d.csv"
    path.write_text(csv_text(d))
    back = read_csv(path)
    assert back.kind == "exact"
    assert (back.X == d.X).all() and (back.labels == d.labels).all() and (back.Y == d.Y).all()
    targets = tmp_path / "y.csv"
    targets.write_text(targets_csv_text(d))
    assert (read_csv(path, targets).Y == d.Y).all()


def test_example_is_reproducible_and_short():
    a, b = csv_text(example_data(3, 7)), csv_text(example_data(3, 7))
    assert a == b and a != csv_text(example_data(3, 8))
    values = [v for line in a.splitlines()[1:] for v in line.split(",")[:-1]]
    assert all(len(v.split(".")[-1]) <= 2 for v in values)


@pytest.mark.parametrize("x,text", [(Fraction(1, 8), "0.125"), (Fraction(-3, 100), "-0.03"), (Fraction(1, 3), "1/3"),
                                    (Fraction(7), "7"), (Fraction(-1, 2), "-0.5")])
def test_decimal_text_is_exact(x, text):
    assert decimal_text(x) == text and Fraction(text) == x


def test_targets_non_one_hot(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(csv_text(example_data(2, 1)))
    targets = tmp_path / "y.csv"
    targets.write_text("y1,y2\n1,2\n-1,0.5\n")
    d = read_csv(path, targets)
    assert [[to_fraction(v) for v in row] for row in d.Y] == [[1, -1], [2, Fraction(1, 2)]]
    assert d.targets_ext[:, 0].tolist() == [1, 2]


def test_from_arrays_rejects_bad_shapes():
    with pytest.raises(DataError, match="cluster label 3 is outside 1..2"):
        ClusterData.from_arrays([[0, 0], [1, 1]], [1, 3])
    with pytest.raises(DataError, match="not affinely independent"):
        ClusterData.from_arrays([[0, 0, 0], [1, 1, 1], [2, 2, 2]], [1, 2, 3])  # collinear means
