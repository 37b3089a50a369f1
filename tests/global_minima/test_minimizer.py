"""G1-G4: the explicit family on seeded random data, ranks two independent ways, failures named."""

import json

import numpy as np
import pytest
import sympy as sp

from symgeom import ConstructionError
from symgeom.numbers import arith
from symgeom.cli import main
from symgeom.calculus.cost import cost, pattern_output
from symgeom.data.clusters import ClusterData
from symgeom.data.embedded import default_data
from symgeom.global_minima.degeneracy import analyse
from symgeom.calculus.derivatives import cluster_jacobian, gauss_newton
from symgeom.global_minima.criterion import clustering_criterion
from symgeom.global_minima.minimizer import certify_global_minimizer, global_minimizer
from symgeom import load_parameters
from symgeom.model.network import activation_pattern, symbolic_parameters

from strategies_data import anisotropic_data

SLOW_Q = 5
"""Exact families at this ``Q`` take a second or more each: they run in the slow lane."""
CASES = [pytest.param(Q, L, seed, marks=[pytest.mark.slow] if Q >= SLOW_Q else [])
         for Q in range(1, 6) for L in (Q, Q + 1, Q + 2) for seed in (0, 1)]


@pytest.mark.parametrize("Q,L,seed", CASES)
def test_zero_cost_and_family(Q, L, seed):
    data = anisotropic_data(Q, seed)
    fam = global_minimizer(data, L)
    params = fam.member()
    assert cost(params, data) == 0  # exact zero
    assert certify_global_minimizer(params, data, fam.order).status == "certified"
    rng = np.random.default_rng(seed)
    for _ in range(2):
        member = fam.sample(rng)
        assert cost(member, data) == 0
    assert fam.rho_by_layer[Q] == 0 and fam.rho_by_layer[0] == data.rho


def symbolic_cluster_jacobian(params, data):
    """Independent J_F: SymPy differentiates the pattern polynomial of each cluster's first point."""
    Q, L = params.Q, params.L
    Ws, bs = symbolic_parameters(Q, L)
    symbols = [s for W, b in zip(Ws, bs) for s in list(W) + list(b)]
    values = dict(zip(symbols, [sp.Rational(v) for v in params.vector()]))
    rows = []
    for k in range(1, Q + 1):
        n = int(np.argmax(data.labels == k))
        x = sp.Matrix([sp.Rational(v) for v in data.X[:, n]])
        pattern = tuple(tuple(int(v) for v in layer) for layer in activation_pattern(params, data.X[:, n : n + 1])[:, :, 0])
        F = pattern_output(Ws, bs, x, pattern)
        rows.append(F.jacobian(symbols).xreplace(values))
    return sp.Matrix.vstack(*rows)


@pytest.mark.parametrize("Q,L,seed", [(1, 1, 0), (1, 3, 1), (2, 2, 0), (2, 4, 1), (3, 3, 0)])
def test_nullity_two_ways(Q, L, seed):
    data = anisotropic_data(Q, seed)
    fam = global_minimizer(data, L)
    params = fam.member()
    expected = L * (Q * Q + Q) + Q  # hand count: P - Q^2
    # way 1: exact Hessian from all points (sufficient statistics)
    assert params.count - arith.rank(gauss_newton(params, data.X)) == expected
    # way 2: SymPy Jacobian of the cluster outputs, independent of the closed form
    J = symbolic_cluster_jacobian(params, data)
    assert params.count - J.rank() == expected
    assert J == sp.Matrix(arith.to_sympy(cluster_jacobian(params, data)))


@pytest.mark.parametrize("Q,L", [(2, 2), (3, 4), (4, 4)])
def test_degeneracy_analysis(Q, L):
    data = anisotropic_data(Q, 5)
    deg = analyse(global_minimizer(data, L))
    assert deg.dimension == L * (Q * Q + Q) + Q == deg.nullity
    assert deg.symmetry_rank == L * Q and deg.fiber_rank == Q
    assert all(c.status == "certified" for c in deg.checks.values())


@pytest.mark.slow
def test_floats_up_to_eight():
    data = anisotropic_data(8, 2, noise=0.05, kind="float")
    deg = analyse(global_minimizer(data, 8))
    assert deg.nullity == 8 * 72 + 8
    assert deg.checks["hessian_rank"].status == "checked" and deg.checks["hessian_rank"].tolerance > 0


INTERLEAVED = "x1,x2,cluster\n0,0,1\n4,0,1\n2,1,1\n2,0,2\n2,3,2\n"


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
def test_not_sufficiently_clustered_is_named(order):
    # a point of each cluster lies in the convex hull of the other cluster: no cone separates them
    data = ClusterData.from_arrays([[0, 0], [4, 0], [2, 1], [2, 0], [2, 3]], [1, 1, 1, 2, 2])
    assert not clustering_criterion(data).holds
    with pytest.raises(ConstructionError) as e:
        global_minimizer(data, 2, order=order)
    msg = str(e.value)
    k, other = order[0], 3 - order[0]
    assert f"layer 1 (collapsing cluster {k})" in msg and f"(cluster {other}) needs sigma <" in msg
    assert "not sufficiently clustered" in msg and "rho = " in msg


def test_exact_check_can_pass_where_the_criterion_fails():
    # one tight cluster and one loose one: rho is large, yet the cones exist
    pts = [[0, 0], ["0.01", 0], ["-0.01", 0], [5, 0], [5, "2.5"], [5, "-2.5"]]
    data = ClusterData.from_arrays(pts, [1, 1, 1, 2, 2, 2])
    assert not clustering_criterion(data).holds
    fam = global_minimizer(data, 2, order=(2, 1))
    assert cost(fam.member(), data) == 0


def test_depth_below_Q():
    with pytest.raises(ConstructionError, match=r"needs L >= Q \(got L=2, Q=3\)"):
        global_minimizer(default_data(), 2)


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_construct_reloads_to_zero_cost(tmp_path, capsys, suffix):
    out = tmp_path / f"theta{suffix}"
    assert main(["construct", "--L", "4", "--out", str(out)]) == 0
    params = load_parameters(out)
    data = default_data()
    if suffix == ".json":
        assert cost(params, data) == 0
    else:
        assert cost(params, data.with_kind("float")) < 1e-20
    if suffix == ".json":
        assert json.loads(out.read_text())["order"] == [1, 2, 3]


def test_construct_refusals(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(INTERLEAVED)
    out = tmp_path / "theta.json"
    assert main(["construct", "--data", str(bad), "--out", str(out)]) == 2
    assert "not sufficiently clustered" in capsys.readouterr().err and not out.exists()
    assert main(["construct", "--L", "1", "--out", str(out)]) == 2
    assert "needs L >= Q - 1 = 2 (got L = 1)" in capsys.readouterr().err and not out.exists()


def test_check_json_global_minimizer(capsys):
    assert main(["check", "--json", "--only", "G1"]) == 0
    g = json.loads(capsys.readouterr().out)["global_minimizer"]
    assert g["cost"] == "0" and g["status"] == "certified" and g["order"] == [1, 2, 3]
    assert g["manifold_dimension"] == 3 * 12 + 3 == g["hessian_nullity"] and g["hessian_rank"] == 9
    assert g["symmetry_dimension"] == 9 and g["rho_by_layer"][-1] == "0"


def test_g_claims_below_Q(capsys):
    """L = Q - 1: G1 holds by the sequential construction (the embedded data peel in the order 1, 2, 3); G2-G4,
    statements about the cone construction's family (L >= Q), are not applicable; nothing refuted."""
    assert main(["check", "--L", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    g = {c["id"]: c for c in out["claims"] if c["id"].startswith("G")}
    assert g["G1"]["status"] == "certified" and "sequentially separable, order (1, 2, 3)" in g["G1"]["method"]
    assert all(g[c]["status"] == "not_applicable" and "L >= Q" in g[c]["detail"] for c in ("G2", "G3", "G4"))
    block = out["global_minimizer"]
    assert block["status"] == "certified" and block["order"] == [1, 2, 3] and block["collapse"] == {"1": 1, "2": 2}
