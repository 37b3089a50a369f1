"""train: the vectorized gradient and optimizers against independent computations, and the command."""

import json
import time

import numpy as np
import pytest

from symgeom.cli import main
from symgeom.calculus.cost import cost
from symgeom.data.embedded import default_data
from symgeom.calculus.derivatives import gradient
from symgeom.local_minima.locate import locate
from symgeom.model.network import Parameters
from symgeom.local_minima.training import batch_cost_gradient, checkpoint_steps, initial_theta, train

from test_local_minima import fraction_cost, fraction_forward, fraction_parameters
from test_locate import fraction_points


@pytest.mark.parametrize("L", [1, 3])
def test_batched_gradient_against_the_closed_form_gradient(L):
    """Five runs at once against symgeom.calculus.derivatives.gradient (per activation region, exact arithmetic on the
    exact values of the float parameters), and the batched cost against the Fraction forward pass."""
    data = default_data()
    theta = initial_theta(3, L, range(5))
    C, g = batch_cost_gradient(theta, data.with_kind("float"), L)
    for i in range(5):
        p = Parameters.from_vector(theta[i].copy(), 3, L).with_kind("exact")
        assert np.allclose(g[i], np.asarray(gradient(p, data), dtype=float), rtol=1e-12, atol=1e-15)
        _, outs = fraction_forward(*fraction_parameters(p), fraction_points(data))
        assert C[i] == pytest.approx(float(fraction_cost(outs, data)), rel=1e-12)


def test_batched_gradient_against_finite_differences():
    data = default_data("float")
    theta = initial_theta(3, 2, [11])
    _, g = batch_cost_gradient(theta, data, 2)
    h = 1e-6
    for j in np.argsort(-np.abs(g[0]))[:6]:
        e = np.zeros_like(theta)
        e[0, j] = h
        fd = (batch_cost_gradient(theta + e, data, 2)[0] - batch_cost_gradient(theta - e, data, 2)[0]) / (2 * h)
        assert fd[0] == pytest.approx(g[0, j], rel=1e-5, abs=1e-10)


def test_initialization_is_pytorch_default_range_and_runs_are_independent():
    theta = initial_theta(3, 3, range(64))
    bound = 1 / np.sqrt(3)
    assert np.abs(theta).max() <= bound and np.abs(theta).max() > 0.99 * bound
    assert abs(theta.mean()) < 0.01 and theta.var() == pytest.approx(bound**2 / 3, rel=0.05)  # uniform variance
    data = default_data("float")
    many = train(data, 2, 8, 300, 0.05, "gd", seed=0)
    alone = train(data, 2, 1, 300, 0.05, "gd", seed=5)
    assert np.allclose(many.theta[5], alone.theta[0], rtol=1e-12, atol=1e-14)


def test_gradient_descent_and_adam_steps_by_hand():
    """One step of each optimizer written out: GD θ - ηg; Adam's first step is θ - η g/(|g| + ε) entrywise."""
    data = default_data("float")
    theta0 = initial_theta(3, 1, [3])
    _, g = batch_cost_gradient(theta0, data, 1)
    gd = train(data, 1, 1, 1, 0.1, "gd", seed=3)
    assert np.allclose(gd.theta, theta0 - 0.1 * g, rtol=1e-14, atol=0)
    adam = train(data, 1, 1, 1, 0.01, "adam", seed=3)
    assert np.allclose(adam.theta, theta0 - 0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12, atol=0)


def test_adam_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch (the extra 'torch') is not installed")
    data = default_data("float")
    theta0 = initial_theta(3, 2, [4])
    runs = train(data, 2, 1, 50, 0.01, "adam", seed=4)
    t = torch.tensor(theta0[0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([t], lr=0.01)
    X = torch.tensor(np.asarray(data.X, float))
    Y = torch.tensor(np.asarray(data.targets_ext, float))
    for _ in range(50):
        opt.zero_grad()
        x, off = X, 0
        for l in range(3):
            W, b = t[off:off + 9].reshape(3, 3), t[off + 9:off + 12]
            off += 12
            x = W @ x + b[:, None]
            x = torch.relu(x) if l < 2 else x
        loss = 0.5 * ((x - Y) ** 2).sum() / data.N
        loss.backward()
        opt.step()
    assert np.allclose(runs.theta[0], t.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_history_and_divergence():
    data = default_data("float")
    runs = train(data, 3, 6, 120, 0.05, "gd", seed=2)
    assert runs.checkpoints == (0, 1, 10, 100, 120) == tuple(checkpoint_steps(120))
    for i in range(6):
        assert runs.history[-1, i] == pytest.approx(cost(runs.params(i), data), rel=1e-12)
        assert runs.history[0, i] == pytest.approx(cost(Parameters.from_vector(initial_theta(3, 3, [2 + i])[0], 3, 3), data),
                                                   rel=1e-12)
    wild = train(data, 3, 4, 50, 1e6, "gd", seed=0)  # no warning escapes (warnings are errors in the tests)
    assert wild.diverged.all() and np.isfinite(wild.theta).all()


def test_cli_train_json(capsys):
    assert main(["train", "--inits", "6", "--steps", "300", "--seed", "3", "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    obj = json.loads(captured.out)
    assert captured.err == "" and obj["inits"] == 6 and len(obj["runs"]) == 6
    data = default_data("float")
    for i, run in enumerate(obj["runs"]):
        assert run["seed"] == 3 + i
        assert {"truncated", "collapse_layers", "cost", "bound", "gap", "gradient_norm", "verdict"} <= set(run)
        assert [h["step"] for h in run["history"]] == [0, 1, 10, 100, 300]
        assert run["cost"] is None and run["history"][-1]["cost"] is None  # float64 runs: no exact values
        assert run["history"][-1]["approx"]["cost"] == pytest.approx(run["approx"]["cost"], rel=1e-12)
        alone = train(data, 3, 1, 300, None, "gd", seed=3 + i)
        assert run["approx"]["cost"] == pytest.approx(float(locate(alone.params(0), data).cost), rel=1e-9)
    assert sum(s["runs"] for s in obj["strata"]) == 6


def test_cli_train_table_progress_and_out(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["train", "--inits", "8", "--steps", "200", "--optimizer", "adam", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "where the runs ended" in captured.out and "mean final C" in captured.out
    assert "[200/200] adam steps" in captured.err
    with np.load(out / "runs.npz") as z:
        assert z["W1"].shape == (8, 3, 3) and z["b4"].shape == (8, 3) and list(z["seeds"]) == list(range(8))
        W = [z[f"W{l}"][7] for l in range(1, 5)]
        b = [z[f"b{l}"][7] for l in range(1, 5)]
        assert z["cost"][7] == pytest.approx(cost(Parameters(tuple(W), tuple(b)), default_data("float")), rel=1e-12)
    first = (out / "final_costs.pdf").read_bytes()
    assert first.startswith(b"%PDF")
    assert main(["train", "--inits", "8", "--steps", "200", "--optimizer", "adam", "--out", str(out), "--force",
                 "--quiet"]) == 0
    assert (out / "final_costs.pdf").read_bytes() == first  # reproducible
    capsys.readouterr()
    assert main(["train", "--inits", "2", "--steps", "5", "--out", str(out)]) == 2  # not empty, no --force
    assert "not empty" in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["--lr", "-1"], "--lr must be a positive"),
    (["--lr", "nan"], "--lr must be a positive finite"),
    (["--inits", "0"], "--inits must be an integer >= 1"),
    (["--inits", "100001"], "at most 100000 runs"),
    (["--optimizer", "sgd"], "invalid choice"),
    (["--L", "65"], "too many hidden layers"),
    (["--steps", "3", "--steps", "4"], "given more than once"),
])
def test_cli_train_bad_input(tmp_path, capsys, argv, message):
    out = tmp_path / "o"
    try:
        code = main(["train", *argv, "--out", str(out)])
    except SystemExit as e:
        code = e.code
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and message in captured.err
    assert not out.exists()


def test_train_64_runs_of_2000_steps_within_a_minute(capsys):
    start = time.perf_counter()
    assert main(["train", "--inits", "64", "--steps", "2000", "--quiet"]) == 0
    elapsed = time.perf_counter() - start
    assert elapsed < 60, f"train --inits 64 --steps 2000 took {elapsed:.1f} s"
    assert "stratum S" in capsys.readouterr().out
