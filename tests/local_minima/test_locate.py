"""locate: hand-built points of each kind, checked against computations that do not go through symgeom."""

import json
from fractions import Fraction

import numpy as np
import pytest

from symgeom.cli import main
from symgeom.data.embedded import default_data
from symgeom.data.clusters import example_data
from symgeom.local_minima.locate import ABOVE_BOUND, AT_STRATUM_MINIMUM, GLOBAL_MINIMUM, OUTSIDE_STRATA, locate
from symgeom.model.network import Parameters
from symgeom.local_minima.strata import collapse_order, stratum_minimizer, strata
from symgeom.testing import assert_at_stratum_minimum

from test_local_minima import fraction_cost, fraction_forward, fraction_parameters, plain_least_squares_cost

JSON_KEYS = {"truncated", "collapse_layers", "cost", "bound", "gap", "gradient_norm", "verdict"}


def fraction_points(data):
    return [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]


def independent_states(pre, data):
    """Per cluster, from the Fraction pre-activations ``pre[n][l][i]``: "kept", the first layer where every
    entry of every point is negative, or "mixed"."""
    out = {}
    for k in range(1, data.Q + 1):
        mine = [pre[n] for n in range(data.N) if int(data.labels[n]) == k]
        if all(v > 0 for p in mine for layer in p for v in layer):
            out[k] = "kept"
            continue
        layers = [l + 1 for l in range(len(mine[0])) if all(v < 0 for p in mine for v in p[l])]
        out[k] = layers[0] if layers else "mixed"
    return out


@pytest.mark.parametrize("data", [default_data(), example_data(4)], ids=lambda d: d.source)
def test_every_stratum_minimizer_is_located_at_its_minimum(data):
    X = fraction_points(data)
    for S in strata(data.Q):
        theta = stratum_minimizer(data, data.Q, collapse_order(data, S))
        where = locate(theta.params, data)
        pre, outs = fraction_forward(*fraction_parameters(theta.params), X)
        states = independent_states(pre, data)
        assert where.truncated == tuple(sorted(k for k, v in states.items() if v != "kept"))
        assert where.collapse_layers == {k: v for k, v in states.items() if v != "kept"}
        assert Fraction(str(where.cost)) == fraction_cost(outs, data)
        assert float(where.bound) == pytest.approx(plain_least_squares_cost(data, where.kept), rel=1e-9, abs=1e-15)
        expected = GLOBAL_MINIMUM if fraction_cost(outs, data) == 0 else AT_STRATUM_MINIMUM  # cost 0: global
        assert where.gap == 0 and where.verdict == expected and where.check().status == "certified"
        assert where.in_stratum and where.at_minimum
        assert where.gradient_norm == 0  # an interior local minimum of a smooth piece of the cost
        assert_at_stratum_minimum(theta.params, data, truncated=S)


def test_a_point_above_the_bound():
    """θ_S with its output bias moved by e: the hidden layers (so S and U) are unchanged, the cost grows."""
    data = default_data()
    theta = stratum_minimizer(data, 3, (2,))
    e = Fraction(1, 50)
    biases = [[str(v) for v in b] for b in theta.params.biases]
    biases[-1][2] = str(Fraction(biases[-1][2]) + e)
    moved = Parameters.from_lists([[[str(v) for v in row] for row in W] for W in theta.params.weights], biases)
    where = locate(moved, data)
    _, outs = fraction_forward(*fraction_parameters(moved), fraction_points(data))
    assert where.verdict == ABOVE_BOUND and where.truncated == (2,) and where.kept == (1, 3)
    assert Fraction(str(where.gap)) == fraction_cost(outs, data) - Fraction(str(theta.bound)) > 0
    # at the least-squares fit on U the residuals of U sum to 0 and those of cluster 2 vanish: C = B_U + e^2/2
    assert Fraction(str(where.gap)) == e * e / 2
    with pytest.raises(AssertionError, match="above the bound"):
        assert_at_stratum_minimum(moved, data)


def test_a_mixed_point():
    """L = 1, W_1 = I, b_1 = (-1/20, 1, 1) on the embedded data: x1 - 1/20 < 0 at the points of clusters 2 and 3
    whose first coordinate is below 1/20 (two of cluster 2: x1 = -0.1; three of cluster 3: x1 = -0.1, 0, -0.1)."""
    data = default_data()
    I = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    params = Parameters.from_lists([I, I], [["-1/20", 1, 1], [0, 0, 0]])
    where = locate(params, data)
    assert where.verdict == OUTSIDE_STRATA and where.kept == (1,) and where.truncated == () and where.mixed == (2, 3)
    two, three = where.clusters[1], where.clusters[2]
    assert (two.points, two.layers, three.points, three.layers) == (2, (1,), 3, (1,))
    assert two.patterns == 2 and three.patterns == 2
    assert where.bound == 0  # |U| = 1: an affine map fits one target exactly
    assert where.margin is None and "outside every stratum" in where.check().counterexample


def test_float_input_is_checked_with_a_stated_tolerance():
    data = default_data("float")
    theta = stratum_minimizer(default_data(), 3, (1,))
    where = locate(theta.params.with_kind("float"), data)
    assert where.kind == "float" and where.verdict == AT_STRATUM_MINIMUM and where.check().status == "checked"
    assert where.tolerance == 1e-9  # GAP_RTOL x max(1, max|y|)^2 with y_j = e_j
    assert abs(where.gap) <= where.tolerance
    # exact parameters on float data, or float parameters on exact data: float64 arithmetic
    assert locate(theta.params, data).kind == locate(theta.params.with_kind("float"), default_data()).kind == "float"


def test_as_json_keys_and_exact_strings():
    data = default_data()
    where = locate(stratum_minimizer(data, 3, (3, 1)).params, data)
    obj = json.loads(json.dumps(where.as_json(), allow_nan=False))
    assert JSON_KEYS <= set(obj)
    assert obj["truncated"] == [1, 3] and obj["collapse_layers"] == {"3": 1, "1": 2}
    assert obj["cost"] == obj["bound"] == "0" and obj["gap"] == "0" and obj["verdict"] == GLOBAL_MINIMUM
    assert obj["in_stratum"] is True


def test_width_mismatch_is_a_parameter_error():
    from symgeom import ParameterError

    with pytest.raises(ParameterError, match="width Q = 3 but the data have dimension Q = 2"):
        locate(stratum_minimizer(default_data(), 3, ()).params, example_data(2))


# -- command line ----------------------------------------------------------------------
def test_cli_locate_json_and_text(tmp_path, capsys):
    out = tmp_path / "theta.json"
    assert main(["construct", "--truncate", "2,3", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["locate", "--params", str(out), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert JSON_KEYS <= set(obj) and obj["truncated"] == [2, 3] and obj["verdict"] == GLOBAL_MINIMUM
    assert obj["bound"] == "0" and obj["kept"] == [1]
    assert main(["locate", "--params", str(out)]) == 0
    text = capsys.readouterr().out
    assert "stratum S = {2, 3}" in text and "verdict: global_minimum (certified: exact cost 0; in the stratum S = {2, 3})" in text


def _npz(path, weights, biases):
    arrays = {f"W{l}": np.asarray(W, float) for l, W in enumerate(weights, 1)}
    arrays.update({f"b{l}": np.asarray(b, float) for l, b in enumerate(biases, 1)})
    np.savez(path, L=len(weights) - 1, **arrays)


@pytest.mark.parametrize("case,message", [
    ("nan", "NaN or infinite"),
    ("width", "width Q = 2 but the data have dimension Q = 3"),
    ("missing", "parameters file not found"),
    ("shape", "has shape (2, 2); expected (3, 3)"),
    ("stdin", "reading standard input is not supported"),
])
def test_cli_locate_bad_input(tmp_path, capsys, case, message):
    path = tmp_path / "theta.npz"
    I3 = np.eye(3)
    if case == "nan":
        _npz(path, [I3, I3 * np.nan], [np.zeros(3)] * 2)
    elif case == "width":
        _npz(path, [np.eye(2)] * 2, [np.zeros(2)] * 2)
    elif case == "shape":
        _npz(path, [I3, np.eye(2)], [np.zeros(3)] * 2)
    arg = "-" if case == "stdin" else str(path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["locate", "--params", arg]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
