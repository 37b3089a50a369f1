"""Neurons dead at every point (N4): the reduced-rank bound and the points that reach it.

Expected values come from computations written here or in the referee (``independent``): the bound from the singular
values of the fitted values (numpy SVD of an ``N``-column matrix, not the eigenvalues of ``M``) and N1's value from the
referee's least squares in Fractions; the point's region and cost from the referee's own forward pass in Fractions; the
bound's lower side from alternating least squares over rank-``q`` factorizations.  Data: the differential harness's
generators (random targets among them), scikit-learn's bundled sets, hand-made cases.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import independent as ind
from generators import dataset_plan
from symgeom.calculus.cost import Cost
from symgeom.certify.certificates import CERTIFIED, PROVED, REFUTED, UNDECIDED
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.cli import main
from symgeom.data.clusters import ClusterData
from symgeom.data.embedded import default_data
from symgeom.local_minima import dead_neurons
from symgeom.local_minima.dead_neurons import dead_neuron_family

COSTS = (Cost.MEAN_SQUARED, Cost.PAPER)


def data_of(ds) -> ClusterData:
    targets = None if ds.targets is None else [[Fraction(v) for v in row] for row in ds.targets]
    return ClusterData.from_arrays([list(p) for p in ds.points], list(ds.labels), targets)


def plan():
    return dataset_plan({2: (3, 3, 2), 3: (5, 5, 3), 4: (3, 3, 2)}, seed=43)


def referee_bound(X, labels, Y, q: int, paper: bool) -> float:
    """``B^(q)``: N1's value (Fractions) plus the ``Q − q`` smallest squared singular values of the weighted, centered
    fitted values ``(A* X_c) W^{1/2}`` (``Q x N``; its singular values squared are the eigenvalues of ``A* Σ A*ᵀ``)."""
    Q = len(Y)
    w = ind.point_weights(labels, paper)
    G, _ = ind.least_squares(X, labels, Y, range(1, Q + 1), w)
    full = ind.stratum_bound(X, labels, Y, range(1, Q + 1), paper)
    Xf, wf = np.array(ind.fmat(X), dtype=float), np.array(w, dtype=float)
    xbar = (Xf * wf).sum(axis=1) / wf.sum()
    fitted = np.array(G[:, :Q], dtype=float) @ (Xf - xbar[:, None]) * np.sqrt(wf)
    s = np.linalg.svd(fitted, compute_uv=False)
    return float(full) + float(np.sum(np.sort(s**2)[: Q - q]))


def alternating_least_squares(X, labels, Y, q: int, paper: bool, starts: int = 6, steps: int = 300) -> float:
    """The least weighted residual found over ``A = G H`` (``Q x q`` times ``q x Q``) and ``c``, alternating exact
    least-squares steps in ``G`` and in ``(H, c)`` from random starts (float64)."""
    Xf = np.array(ind.fmat(X), dtype=float)
    T = np.array(ind.targets_ext(Y, labels), dtype=float)
    w = np.sqrt(np.array(ind.point_weights(labels, paper), dtype=float))
    Q, N = Xf.shape
    Xt = np.vstack([Xf, np.ones(N)])
    best = np.inf
    for seed in range(starts):
        H = np.random.default_rng(seed).standard_normal((q, Q + 1))
        for _ in range(steps):
            Z = np.vstack([H @ Xt, np.ones(N)]) * w  # features (H x̃, 1)
            GC = np.linalg.lstsq(Z.T, (T * w).T, rcond=None)[0].T  # [G | c]
            G, c = GC[:, :q], GC[:, q]
            # H from vec: minimize Σ w |G H x̃ + c − y|², linear in H
            rhs = ((T - c[:, None]) * w).T.reshape(-1)  # entry (n, i)
            A = np.einsum("ik,nj->nikj", G, (Xt * w).T).reshape(N * Q, q * (Q + 1))  # (n, i) x (k, j): G_ik w_n x̃_jn
            H = np.linalg.lstsq(A, rhs, rcond=None)[0].reshape(q, Q + 1)
        R = (G @ H @ Xt + c[:, None] - T) * w
        best = min(best, float(np.sum(R * R)))
    return best


@pytest.mark.parametrize("cost", COSTS, ids=lambda c: c.value)
def test_the_bound_is_the_singular_value_formula_on_data_not_made_for_it(cost):
    checked = 0
    for ds in plan():
        data = data_of(ds)
        for m in dead_neuron_family(data, ds.L, cost):
            expected = referee_bound(ds.X(), ds.labels, ds.Y(), m.rank, cost is Cost.PAPER)
            lo, hi = m.enclosure
            assert lo <= hi
            assert abs(m.approx - expected) <= 1e-9 * max(1.0, abs(expected)), (ds.name, m.dead)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("cost", COSTS, ids=lambda c: c.value)
def test_the_rational_point_lies_in_its_region_and_costs_what_is_said(cost):
    """The referee's forward pass in Fractions: ``d`` neurons of layer 1 negative at every point, every other neuron of
    every layer positive (the live ones of layer 1 at least 3/4); its cost equals the exact cost symgeom
    reports, at least the bound's lower end, within ``10⁻¹⁵`` of the bound."""
    for ds in plan()[:6]:
        data = data_of(ds)
        for m in dead_neuron_family(data, ds.L, cost):
            Ws = [ind.fmat(W) for W in m.params.weights]
            bs = [ind.fmat(b) for b in m.params.biases]
            pre, _ = ind.forward(Ws, bs, ds.X())
            assert (pre[0][: m.dead] < 0).all(), (ds.name, m.dead)
            assert (pre[0][m.dead:] >= Fraction(3, 4)).all(), (ds.name, m.dead)
            assert all((u > 0).all() for u in pre[1:]), (ds.name, m.dead)
            value = ind.cost(Ws, bs, ds.X(), ds.labels, ds.Y(), cost is Cost.PAPER)
            assert value == ind.fr(m.cost)
            lo, hi = m.enclosure
            assert value >= ind.fr(lo)
            assert float(value - ind.fr(hi)) <= 1e-15 * max(1.0, float(hi))
            assert m.certificate.status == CERTIFIED


def test_no_rank_q_map_beats_the_bound_and_the_best_found_reaches_it():
    """Alternating least squares over rank-``q`` factorizations: never below the bound (it is a lower bound for every
    affine map of rank ``≤ q``), and its best start lands on it."""
    for ds in plan()[:5]:
        data = data_of(ds)
        for m in dead_neuron_family(data, ds.L):
            found = alternating_least_squares(ds.X(), ds.labels, ds.Y(), m.rank, False)
            assert found >= m.approx - 1e-9 * max(1.0, m.approx), (ds.name, m.dead)
            assert found <= m.approx + 1e-6 * max(1.0, m.approx), (ds.name, m.dead, found, m.approx)


def test_one_dead_neuron_never_costs_more_than_n1():
    """``Q`` clusters: the centered targets ``y_j − ȳ`` sum to 0 under the clusters' masses, so they span at most
    ``Q − 1`` dimensions, ``rank M ≤ Q − 1``, and ``d = 1`` sits exactly at N1's value (the referee's least squares),
    whatever the targets; ``d ≥ 2`` binds on generic data (the default data, random targets)."""
    sets = [default_data()] + [data_of(ds) for ds in plan() if ds.Q >= 3 and ds.targets is not None]
    assert len(sets) >= 2
    for data in sets:
        family = dead_neuron_family(data, 2)
        full = ind.stratum_bound(data.X, data.labels, data.Y, range(1, data.Q + 1))
        assert not family[0].binds and ind.fr(family[0].bound) == full
        assert all(m.binds and m.approx > float(full) for m in family[1:])


@pytest.mark.parametrize("cost", COSTS, ids=lambda c: c.value)
def test_hand_made_cases(cost):
    """One point per cluster (N1 interpolates: value 0, so the bound is the eigenvalue sum alone); points in a plane
    of R³ (the data do not affinely span: the fit has a free direction)."""
    single = ClusterData.from_arrays([[0, 0, 0], [1, 0, 0], [0, 2, 1]], [1, 2, 3], [[1, 0, 2], [0, 1, 1], [1, 1, 0]])
    flat = ClusterData.from_arrays([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [2, 0, 0], [0, 2, 0]],
                                   [1, 1, 2, 2, 3, 3], None)
    for data in (single, flat):
        X = [[data.X[i, n] for n in range(data.N)] for i in range(data.Q)]
        Y = [[data.Y[i, j] for j in range(data.Q)] for i in range(data.Q)]
        for m in dead_neuron_family(data, 2, cost):
            expected = referee_bound(X, list(data.labels), Y, m.rank, cost is Cost.PAPER)
            assert abs(m.approx - expected) <= 1e-9 * max(1.0, expected)
            assert m.certificate.status == CERTIFIED


def test_scikit_learn_iris_projected():
    sklearn = pytest.importorskip("sklearn.datasets")
    iris = sklearn.load_iris()
    X = iris.data - iris.data.mean(axis=0)
    V = np.linalg.svd(X, full_matrices=False)[2][:3]
    pts = np.round(X @ V.T, 2)
    data = ClusterData.from_arrays([[str(v) for v in p] for p in pts], list(iris.target + 1), None)
    family = dead_neuron_family(data, 2)
    for m in family:
        expected = referee_bound([[Fraction(str(v)) for v in pts[:, i]] for i in range(3)], list(iris.target + 1),
                                 [[Fraction(int(i == j)) for j in range(3)] for i in range(3)], m.rank, False)
        assert abs(m.approx - expected) <= 1e-9 * max(1.0, expected)
        assert m.certificate.status == CERTIFIED


def test_a_wrong_bound_is_caught(monkeypatch):
    """A bound computed too high puts a point of the region below it: the check refutes, with the point."""
    data = default_data()
    original = dead_neurons.ReducedRank.gap

    def inflated(self, q):
        return original(self, q) + 1

    dead_neurons._CACHE.pop(data, None)
    monkeypatch.setattr(dead_neurons.ReducedRank, "gap", inflated)
    family = dead_neuron_family(data, 2)
    assert all(m.certificate.status == REFUTED for m in family)
    dead_neurons._CACHE.pop(data, None)


def test_relations_prove_the_projector_identity_and_never_refute():
    Q, q = sp.symbols("Q q", integer=True, positive=True)
    U, M = sp.MatrixSymbol("U", Q, q), sp.MatrixSymbol("M", Q, Q)
    I, P = sp.Identity(Q), U * U.T
    rel = {(U.T, U): sp.Identity(q)}
    assert prove_matrix_identity(M * (I - P) * (I - P) - M * (I - P), "x", relations=rel).status == PROVED
    assert prove_matrix_identity(M * (I - P) * (I - P) - M, "x", relations=rel).status == UNDECIDED


def test_check_json_lists_the_points(capsys):
    assert main(["check", "--json", "--only", "N4"]) == 0
    out = json.loads(capsys.readouterr().out)
    minima = out["dead_neuron_minima"]
    assert [m["dead"] for m in minima] == [1, 2]
    assert out["dead_neuron_counts"] == {"local_minima": 2, "above_no_truncation": 1, "undecided": 0}
    for m in minima:
        assert Fraction(m["lower"]) <= Fraction(m["point_cost"])


def test_an_ill_conditioned_m_still_gives_a_point_at_the_bound():
    """Targets of sizes 10¹⁵ to 10⁻¹²: float64's eigenvectors leave the rational point 50% above the bound for
    ``d = 3``; refined, it lands within ``10⁻¹²`` of it (relative; within ``10⁻²⁰`` of the bound 0 of ``d = 1``), and the
    bound is the referee's."""
    pts = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    Y = [[0, Fraction(10) ** 15, 0, 0], [0, 0, Fraction(3, 100), Fraction(3, 100)], [0, 0, 0, Fraction(1, 10**10)],
         [Fraction(1, 10**12), 0, 0, 0]]  # column j: y_j
    data = ClusterData.from_arrays(pts, [1, 2, 3, 4], [list(col) for col in zip(*Y)])  # row j: y_j
    X = [[Fraction(p[i]) for p in pts] for i in range(4)]
    for m in dead_neuron_family(data, 1):
        lo, hi = m.enclosure
        assert ind.fr(lo) <= ind.fr(m.cost)
        assert ind.fr(m.cost) - ind.fr(hi) <= (Fraction(1, 10**12) * ind.fr(hi) if hi != 0 else Fraction(1, 10**20))
        expected = referee_bound(X, [1, 2, 3, 4], Y, m.rank, False)
        assert abs(float(m.midpoint) - expected) <= 1e-9 * max(expected, 1e-300) + 1e-20
