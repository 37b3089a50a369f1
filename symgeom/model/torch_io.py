"""Parameters to and from PyTorch: the ``state_dict`` of ``nn.Sequential(Linear, ReLU, …, ReLU, Linear)``.

The network of docs/mathematics/index.md (setting) with ``L`` hidden layers of width ``Q`` is, in PyTorch,
``nn.Sequential(nn.Linear(Q, Q), nn.ReLU(), …, nn.Linear(Q, Q))`` with ``L + 1`` linear layers at the
indices ``0, 2, …, 2L``: its ``state_dict`` holds ``"{2(ℓ-1)}.weight" = W_ℓ`` and
``"{2(ℓ-1)}.bias" = b_ℓ``.  PyTorch applies ``x ↦ W x + b`` to a column ``x`` (``x Wᵀ + b`` to a row),
the same convention as symgeom.

A ``state_dict`` does not record modules without parameters: a ReLU in between is assumed (another
activation in its place cannot be seen in the file).  PyTorch is the optional extra ``torch``
(``pip install 'symgeom[torch]'``); only this module imports it.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .._errors import ParameterError, UsageError
from .network import Parameters

__all__ = ["TORCH_SUFFIXES", "require_torch", "sequential", "state_dict", "parameters_from_state_dict",
           "load_state_dict", "state_dict_bytes"]

TORCH_SUFFIXES = (".pt", ".pth")
"""File names that mean a PyTorch ``state_dict`` saved with ``torch.save``."""

_KEY = re.compile(r"(\d+)\.(weight|bias)")
_ARCHITECTURE = "an nn.Sequential of Linear(Q, Q) layers with a ReLU between consecutive ones"


def require_torch(what: str):
    """``torch``, or a :class:`UsageError` naming the optional extra that installs it."""
    try:
        import torch
    except ImportError:
        raise UsageError(f"{what} needs PyTorch, which is the optional extra 'torch': pip install 'symgeom[torch]'") from None
    return torch


def sequential(Q: int, L: int):
    """``nn.Sequential(Linear(Q, Q), ReLU(), …, Linear(Q, Q))`` with ``L`` hidden layers, in float64."""
    torch = require_torch("a PyTorch model")
    modules = []
    for _ in range(L):
        modules += [torch.nn.Linear(Q, Q), torch.nn.ReLU()]
    return torch.nn.Sequential(*modules, torch.nn.Linear(Q, Q)).double()


def state_dict(params: Parameters) -> OrderedDict:
    """The ``state_dict`` of :func:`sequential` holding ``params`` (float64 tensors)."""
    torch = require_torch("a PyTorch state_dict")
    out = OrderedDict()
    for l, (W, b) in enumerate(zip(params.weights, params.biases)):
        out[f"{2 * l}.weight"] = torch.tensor(np.asarray(W, dtype=float), dtype=torch.float64)
        out[f"{2 * l}.bias"] = torch.tensor(np.asarray(b, dtype=float), dtype=torch.float64)
    return out


def state_dict_bytes(params: Parameters) -> bytes:
    """What ``torch.save(state_dict(params), f)`` writes."""
    torch = require_torch("writing a PyTorch state_dict")
    buf = io.BytesIO()
    torch.save(state_dict(params), buf)
    return buf.getvalue()


def _linear_indices(keys, source: str) -> list[int]:
    """The indices of the linear layers: every key is ``"i.weight"`` or ``"i.bias"``, both present for
    each ``i``, and the indices are ``0, 2, …, 2L`` (Linear and ReLU alternating, Linear first and last)."""
    found: dict = {}
    for key in keys:
        m = _KEY.fullmatch(str(key))
        if m is None:
            raise ParameterError(f"{source}: unexpected entry {key!r}; expected {_ARCHITECTURE} "
                                 f"(entries '0.weight', '0.bias', '2.weight', ...)")
        found.setdefault(int(m.group(1)), set()).add(m.group(2))
    for i, names in sorted(found.items()):
        if names != {"weight", "bias"}:
            raise ParameterError(f"{source}: layer {i} has no {({'weight', 'bias'} - names).pop()}; "
                                 f"every Linear layer needs a weight and a bias (bias=True)")
    indices = sorted(found)
    if indices != list(range(0, 2 * len(indices), 2)):
        raise ParameterError(f"{source}: layers with parameters at indices {indices}; expected {_ARCHITECTURE}, "
                             f"so at 0, 2, 4, ...")
    if len(indices) < 2:
        raise ParameterError(f"{source}: {len(indices)} Linear layer(s); a network with L >= 1 hidden layers has at least 2")
    return indices


def parameters_from_state_dict(sd, source: str = "state_dict") -> Parameters:
    """``Parameters`` (float64) from the ``state_dict`` of :func:`sequential`; raises
    :class:`ParameterError` naming what differs (another architecture, non-square or unequal widths,
    NaN or infinite entries)."""
    if not hasattr(sd, "keys"):
        raise ParameterError(f"{source}: holds a {type(sd).__name__}, not a state_dict; save one with "
                             f"torch.save(model.state_dict(), FILE)")
    indices = _linear_indices(sd.keys(), source)
    weights, biases = [], []
    for i in indices:
        try:
            W = sd[f"{i}.weight"].detach().cpu().double().numpy()
            b = sd[f"{i}.bias"].detach().cpu().double().numpy()
        except AttributeError:
            raise ParameterError(f"{source}: entry '{i}.weight' or '{i}.bias' is not a tensor") from None
        Q = weights[0].shape[0] if weights else W.shape[0] if W.ndim == 2 else 0
        if W.shape != (Q, Q) or b.shape != (Q,):
            raise ParameterError(f"{source}: Linear layer {i} has weight {tuple(W.shape)} and bias {tuple(b.shape)}; "
                                 f"every layer must be Linear(Q, Q) with one width Q" + (f" = {Q}" if Q else ""))
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ParameterError(f"{source}: Linear layer {i} has NaN or infinite entries")
        weights.append(W)
        biases.append(b)
    return Parameters(tuple(weights), tuple(biases))


def load_state_dict(path) -> Parameters:
    """Read a ``state_dict`` saved with ``torch.save`` (loaded with ``weights_only=True``: no code runs)."""
    path = Path(path)
    torch = require_torch(f"{path}: reading a PyTorch state_dict")
    try:
        with warnings.catch_warnings():  # a warning from torch would add lines to symgeom's one-line messages
            warnings.simplefilter("ignore")
            sd = torch.load(path, map_location="cpu", weights_only=True)
    except OSError as e:
        raise ParameterError(f"{path}: cannot read parameters ({e.strerror or e})") from None
    except Exception as e:  # torch raises many kinds on a file that is not a weights-only torch.save
        first = " ".join(str(e).split())[:160]
        raise ParameterError(f"{path}: not a PyTorch state_dict saved with torch.save ({type(e).__name__}: {first})") from None
    return parameters_from_state_dict(sd, str(path))
