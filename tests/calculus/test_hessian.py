"""The float Hessian at scale (symgeom.calculus.hessian): the region and point paths of the Gauss–Newton matrix against
each other, against per-point Jacobians and the exact path; the residual term against finite differences of
the exact gradient and against torch; the cost model on both sides; the small factor; the path note."""

import warnings
from fractions import Fraction

import numpy as np
import pytest

from symgeom.numbers import arith
from symgeom.calculus import hessian, residual
from symgeom.data.clusters import ClusterData, example_data
from symgeom.calculus.derivatives import gauss_newton, gradient, output_jacobian
from symgeom.global_minima.minimizer import global_minimizer
from symgeom.model.network import Parameters, activation_pattern, centred_parameters, preactivations, random_parameters


def scattered(Q: int, N: int, seed: int) -> ClusterData:
    """Points in general position (many activation patterns), every label present, float."""
    rng = np.random.default_rng(seed)
    labels = np.concatenate([np.arange(1, Q + 1), rng.integers(1, Q + 1, size=N - Q)])
    return ClusterData.from_arrays(rng.normal(size=(N, Q)), labels, kind="float", source="scattered")


def per_point_gauss_newton(params, X):
    """``(1/N) Σ_n J_nᵀ J_n`` from one closed-form Jacobian per point (numpy, a loop over points)."""
    J = np.stack([output_jacobian(params, X[:, n]) for n in range(X.shape[1])])
    return np.einsum("nqi,nqj->ij", J, J) / X.shape[1]


def forced(monkeypatch, path):
    monkeypatch.setattr(hessian, "choose_path", lambda *args: path)


CASES = [(1, 2, 0), (2, 2, 1), (3, 2, 2), (3, 3, 3), (4, 2, 4)]


@pytest.mark.parametrize("Q,L,seed", CASES)
@pytest.mark.parametrize("chunk", [5, 64, 4096])
def test_region_and_point_paths_agree_with_per_point_jacobians(Q, L, seed, chunk, monkeypatch):
    data = scattered(Q, 150, seed)
    params = centred_parameters(random_parameters(Q, L, "float", seed=seed), data.X)
    assert np.unique(activation_pattern(params, data.X).reshape(L * Q, -1), axis=1).shape[1] >= 3
    reference = per_point_gauss_newton(params, data.X)
    scale = np.abs(reference).max()
    for path in ("regions", "points"):
        forced(monkeypatch, path)
        acc = hessian.gauss_newton_float(params, data.X, chunk=chunk)
        assert acc.choice.path == path
        H = acc.matrix()
        assert np.abs(H - reference).max() <= 1e-13 * scale
        assert (H == H.T).all()


@pytest.mark.parametrize("Q,L,seed", [(1, 2, 0), (2, 2, 1), (3, 3, 2)])
def test_float_gauss_newton_agrees_with_the_exact_path(Q, L, seed):
    data = example_data(Q, seed)
    params = centred_parameters(random_parameters(Q, L, seed=seed), data.X)
    exact = np.asarray(gauss_newton(params, data.X), dtype=float)
    H = gauss_newton(params.with_kind("float"), data.with_kind("float").X)
    assert np.abs(H - exact).max() <= 1e-13 * max(1.0, np.abs(exact).max())


def test_the_float_matrix_is_the_same_byte_for_byte_on_the_same_input():
    data = scattered(3, 300, 5)
    params = centred_parameters(random_parameters(3, 3, "float", seed=5), data.X)
    assert gauss_newton(params, data.X).tobytes() == gauss_newton(params, data.X).tobytes()


def test_cost_model_chooses_regions_when_few_and_points_when_as_many_as_points():
    for Q, L in [(2, 1), (4, 4), (8, 8), (16, 2)]:
        assert hessian.choose_path(4, 4096, Q, L) == "regions"
        assert hessian.choose_path(4096, 4096, Q, L) == "points"
        region, point, grouping = hessian.unit_costs(Q, L)
        even = 4096 * (point - grouping) / region  # the break-even count of regions
        assert hessian.choose_path(int(even * 0.9), 4096, Q, L) == "regions"
        assert hessian.choose_path(int(even * 1.1) + 1, 4096, Q, L) == "points"


def test_the_run_records_which_path_ran():
    data = scattered(8, 3000, 0)
    params = centred_parameters(random_parameters(8, 3, "float", seed=0), data.X)
    many = hessian.gauss_newton_float(params, data.X).choice
    assert many.path == "points" and many.point_patterns > 0.5 * data.N and "point path" in many.note()
    clustered = example_data(4, 0).with_kind("float")
    minimizer = global_minimizer(example_data(4, 0), 4).member().with_kind("float")
    few = hessian.gauss_newton_float(minimizer, clustered.X).choice
    assert few.path == "regions" and few.regions == 4 and "region path (4 activation regions" in few.note()


def test_the_library_prints_nothing(capsys):
    data = scattered(2, 100, 0)
    hessian.gauss_newton_float(random_parameters(2, 2, "float"), data.X)
    assert capsys.readouterr() == ("", "")


def test_minimizer_factor_has_few_rows_and_gives_the_matrix_and_spectrum():
    data = example_data(4, 1)
    params = global_minimizer(data, 5).member().with_kind("float")
    X = data.with_kind("float").X
    acc = hessian.gauss_newton_float(params, X)
    F = acc.factor()
    H = acc.matrix()
    assert F.shape == (16, params.count)  # one row per cluster and output: rank Q² (G3)
    assert np.abs(F.T @ F / data.N - H).max() <= 1e-13 * np.abs(H).max()
    lam, route = hessian.gauss_newton_spectrum(params, X)
    assert route.startswith("factor") and lam.shape == (params.count,)
    assert np.abs(lam - np.linalg.eigvalsh(H)).max() <= 1e-12 * lam.max()


def test_factor_of_many_regions_matches_the_matrix(monkeypatch):
    data = scattered(3, 400, 2)
    params = centred_parameters(random_parameters(3, 2, "float", seed=2), data.X)
    forced(monkeypatch, "regions")
    acc = hessian.gauss_newton_float(params, data.X, chunk=97)
    F = acc.factor()
    assert np.abs(F.T @ F / data.N - per_point_gauss_newton(params, data.X)).max() <= 1e-12
    forced(monkeypatch, "points")
    assert hessian.gauss_newton_float(params, data.X).factor() is None


def exact_gradient_differences(params, data, h: Fraction) -> np.ndarray:
    """Central differences of the exact gradient, column by column, converted to float at the end."""
    theta = params.vector()
    cols = []
    for i in range(theta.size):
        step = arith.zeros(theta.size, "exact")
        step[i] = arith.to_exact(h)
        plus = gradient(Parameters.from_vector(theta + step, params.Q, params.L), data)
        minus = gradient(Parameters.from_vector(theta - step, params.Q, params.L), data)
        cols.append((plus - minus) / arith.to_exact(2 * h))
    return np.asarray(np.stack(cols, axis=1), dtype=float)


def scattered_exact(Q: int, N: int, seed: int) -> ClusterData:
    """Points with six random decimals (no pre-activation of the test parameters is exactly 0), exact."""
    rng = np.random.default_rng(seed)
    labels = np.concatenate([np.arange(1, Q + 1), rng.integers(1, Q + 1, size=N - Q)])
    points = [[Fraction(int(v), 10**6) for v in row] for row in rng.integers(-3 * 10**6, 3 * 10**6, size=(N, Q))]
    return ClusterData.from_arrays(points, labels, source="scattered, exact")


@pytest.mark.parametrize("Q,L,seed", [(2, 2, 0), (2, 3, 1), (3, 2, 2)])
def test_hessian_with_residual_term_against_differences_of_the_exact_gradient(Q, L, seed):
    data = scattered_exact(Q, 40, seed)
    params = centred_parameters(random_parameters(Q, L, seed=seed), data.X)
    assert np.unique(activation_pattern(params, data.X).reshape(L * Q, -1), axis=1).shape[1] >= 3
    h = Fraction(1, 10**6)
    margin = min(float(np.min(np.abs(np.asarray(u, dtype=float)))) for u in preactivations(params, data.X))
    assert margin > 1e-3  # no point changes pattern within ±h
    differences = exact_gradient_differences(params, data, h)
    H = residual.hessian(params.with_kind("float"), data.with_kind("float"))
    R = residual.residual_term(params.with_kind("float"), data.with_kind("float"))
    assert np.abs(R).max() > 1e-3  # away from a zero of the cost the residual term matters
    assert np.abs(H - differences).max() <= 1e-8 * max(1.0, np.abs(differences).max())


@pytest.mark.slow
@pytest.mark.parametrize("Q,L,seed", [(3, 3, 0), (4, 2, 1)])
def test_hessian_against_torch(Q, L, seed):
    torch = pytest.importorskip("torch")
    data = scattered(Q, 500, seed)
    params = centred_parameters(random_parameters(Q, L, "float", seed=seed), data.X)
    X, Y = torch.from_numpy(data.X), torch.from_numpy(data.targets_ext)
    block = Q * Q + Q

    def C(theta):
        x = X
        for l in range(L + 1):
            x = theta[l * block:l * block + Q * Q].reshape(Q, Q) @ x + theta[l * block + Q * Q:(l + 1) * block][:, None]
            x = torch.relu(x) if l < L else x
        return 0.5 * ((x - Y) ** 2).sum() / X.shape[1]

    with warnings.catch_warnings():  # torch.func warns about its own use of torch.jit
        warnings.simplefilter("ignore", DeprecationWarning)
        expected = torch.func.hessian(C)(torch.from_numpy(params.vector())).numpy()
    H = residual.hessian(params, data)
    assert np.abs(H - expected).max() <= 1e-12 * np.abs(expected).max()
    assert np.abs(residual.residual_term(params, data)).max() > 1e-2 * np.abs(expected).max()


def test_residual_term_vanishes_at_a_zero_of_the_cost():
    data = example_data(3, 0)
    params = global_minimizer(data, 3).member().with_kind("float")
    fdata = data.with_kind("float")
    H = residual.hessian(params, fdata)
    assert np.abs(residual.residual_term(params, fdata)).max() <= 1e-12 * np.abs(H).max()


def test_check_notes_the_path_on_stderr_once(capsys):
    from symgeom.cli import main

    assert main(["check", "--float", "--only", "G3"]) == 0
    err = capsys.readouterr().err
    assert err.count("Gauss-Newton matrix: region path") == 1
    assert main(["check", "--float", "--only", "G3", "--quiet"]) == 0
    assert "Gauss-Newton" not in capsys.readouterr().err


def test_residual_term_vanishes_at_the_stratum_minimizers():
    """At the explicit stratum minimizers the cost is positive but the residual term is 0 (the normal equations
    of the least-squares fit on the kept clusters; the collapsed clusters sit on their targets), so there the
    Gauss-Newton matrix is the Hessian."""
    from symgeom.local_minima.strata import stratum_minimizer

    data = example_data(3, 0)
    fdata = data.with_kind("float")
    for truncated in [(), (1,), (2, 3)]:
        params = stratum_minimizer(data, 3, truncated).params.with_kind("float")
        H = hessian.gauss_newton_float(params, fdata.X).matrix()
        assert np.abs(residual.residual_term(params, fdata)).max() <= 1e-12 * np.abs(H).max()


@pytest.mark.parametrize("X,why", [(np.zeros((2, 5)), "3 x N"), (np.zeros((3, 0)), "N >= 1"),
                                   (np.full((3, 4), np.nan), "NaN")])
def test_bad_points_are_refused_with_the_reason(X, why):
    from symgeom import DataError

    with pytest.raises(DataError, match=why):
        hessian.gauss_newton_float(random_parameters(3, 2, "float"), X)
