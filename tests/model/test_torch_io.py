"""PyTorch state_dicts: written by construct, read by locate, checked with torch's own forward pass."""

import sys

import numpy as np
import pytest

from symgeom.cli import main
from symgeom.data.embedded import default_data
from symgeom.local_minima.locate import locate
from symgeom import load_parameters
from symgeom.local_minima.training import initial_theta
from symgeom.model.network import Parameters

NO_TORCH = "PyTorch (the optional extra 'torch') is not installed"


def torch_model(Q, L):
    """The user's own model: nn.Sequential(Linear, ReLU, ..., Linear), float64."""
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    layers = []
    for _ in range(L):
        layers += [torch.nn.Linear(Q, Q), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(Q, Q)).double()


def torch_cost(model, data):
    """(1/2N) sum |f(x) - y|^2 with torch's forward pass on the rows of X^T."""
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    X = torch.tensor(np.asarray(data.X, dtype=float).T)
    Y = torch.tensor(np.asarray(data.targets_ext, dtype=float).T)
    with torch.no_grad():
        return float(0.5 * ((model(X) - Y) ** 2).sum() / data.N)


@pytest.mark.parametrize("truncate", [None, "1", "2,3"])
def test_construct_pt_loads_into_a_torch_model(tmp_path, capsys, truncate):
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    out = tmp_path / "theta.pt"
    assert main(["construct", "--out", str(out), "--cost", "mean-squared"]  # the (1/2N) cost torch_cost computes
                + (["--truncate", truncate] if truncate else [])) == 0
    model = torch_model(3, 3)
    model.load_state_dict(torch.load(out, weights_only=True))
    data = default_data()
    C = torch_cost(model, data)
    if truncate is None:
        assert C < 1e-20  # the global minimizer: cost 0 with the user's own forward pass
    else:
        kept = [j for j in (1, 2, 3) if str(j) not in truncate.split(",")]
        from test_local_minima import plain_least_squares_cost

        assert C == pytest.approx(plain_least_squares_cost(data, kept), rel=1e-9, abs=1e-15)
    capsys.readouterr()
    assert main(["locate", "--params", str(out), "--cost", "mean-squared"]) == 0  # the cost it was built for
    verdict = "at_stratum_minimum" if truncate == "1" else "global_minimum"  # |U| = 1 and G1: cost 0
    assert f"verdict: {verdict} (checked" in capsys.readouterr().out


def test_torch_model_round_trip_through_locate(tmp_path):
    """A random torch model saved by the user: symgeom reads the same weights and its cost equals torch's."""
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    torch.manual_seed(0)
    model = torch_model(3, 2)
    path = tmp_path / "model.pth"
    torch.save(model.state_dict(), path)
    params = load_parameters(path)
    assert np.array_equal(params.weights[1], model[2].weight.detach().numpy())
    data = default_data("float")
    assert float(locate(params, data).cost) == pytest.approx(torch_cost(model, data), rel=1e-12)


def test_train_runs_load_into_torch(tmp_path):
    pytest.importorskip("torch", reason=NO_TORCH)
    from symgeom.model.torch_io import state_dict

    theta = initial_theta(3, 3, [9])[0]
    params = Parameters.from_vector(theta, 3, 3)
    model = torch_model(3, 3)
    model.load_state_dict(state_dict(params))
    data = default_data("float")
    assert torch_cost(model, data) == pytest.approx(float(locate(params, data).cost), rel=1e-12)


def _bad_state_dicts(torch):
    lin = torch.nn.Linear
    no_bias = torch.nn.Sequential(lin(3, 3), torch.nn.ReLU(), lin(3, 3, bias=False))
    adjacent = torch.nn.Sequential(lin(3, 3), lin(3, 3))
    wide = torch.nn.Sequential(lin(3, 4), torch.nn.ReLU(), lin(4, 3))
    named = torch.nn.ModuleDict({"fc1": lin(3, 3), "fc2": lin(3, 3)})
    norm = torch.nn.Sequential(lin(3, 3), torch.nn.BatchNorm1d(3), lin(3, 3))
    nan = torch.nn.Sequential(lin(3, 3), torch.nn.ReLU(), lin(3, 3))
    with torch.no_grad():
        nan[2].weight[0, 0] = float("nan")
    two = torch.nn.Sequential(lin(2, 2), torch.nn.ReLU(), lin(2, 2))
    return {
        "no bias": (no_bias.state_dict(), "layer 2 has no bias"),
        "adjacent linear layers": (adjacent.state_dict(), "indices [0, 1]"),
        "width 4": (wide.state_dict(), "weight (4, 3)"),
        "named modules": (named.state_dict(), "unexpected entry 'fc1.weight'"),
        "batch norm": (norm.state_dict(), "unexpected entry '1.running_mean'"),
        "nan": (nan.state_dict(), "NaN or infinite"),
        "Q = 2 on Q = 3 data": (two.state_dict(), "width Q = 2 but the data have dimension Q = 3"),
        "whole module": (nan, "not a PyTorch state_dict saved with torch.save"),
        "tensor": (torch.zeros(3), "not a state_dict"),
    }


@pytest.mark.parametrize("case", ["no bias", "adjacent linear layers", "width 4", "named modules", "batch norm", "nan",
                                  "Q = 2 on Q = 3 data", "whole module", "tensor"])
def test_other_architectures_are_refused(tmp_path, capsys, case):
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    obj, message = _bad_state_dicts(torch)[case]
    path = tmp_path / "model.pt"
    torch.save(obj, path)
    assert main(["locate", "--params", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err and "Traceback" not in err


def test_without_torch_the_extra_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    path = tmp_path / "model.pt"
    path.write_bytes(b"not read")
    assert main(["locate", "--params", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'symgeom[torch]'" in err
    out = tmp_path / "theta.pt"
    assert main(["construct", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "optional extra 'torch'" in err and not out.exists()
