"""Parameter files: the ``.json``, ``.npz`` and PyTorch ``.pt``/``.pth`` files ``symgeom construct`` writes
and ``symgeom locate --params`` reads, their writers beside their reader.

Everything a file declares is checked before it is loaded: the file is a regular file of bounded size,
JSON is nested no deeper than parameters need, an ``.npz`` holds real arrays of the shapes
``W_ℓ ∈ R^{Q×Q}``, ``b_ℓ ∈ R^Q`` (``Q ≤`` :data:`MAX_WIDTH`) and an integer depth ``1 ≤ L ≤`` :data:`MAX_DEPTH`,
read from the array headers before any array is.  No file can make symgeom allocate more than its
parameters need, run code (no pickles), or drop part of a value (complex weights are refused).

>>> import tempfile, pathlib
>>> from symgeom.model.network import Parameters
>>> theta = Parameters.from_lists([[["1", "0"], ["0", "1/3"]]] * 2, [["0", "1"]] * 2)
>>> with tempfile.TemporaryDirectory() as d:
...     path = pathlib.Path(d) / "theta.npz"
...     _ = path.write_bytes(npz_bytes(theta))
...     load_parameters(path).weights[0].tolist()
[[1.0, 0.0], [0.0, 0.3333333333333333]]
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from .._errors import ParameterError
from ..io import require_regular_file
from .network import Parameters
from .torch_io import TORCH_SUFFIXES, load_state_dict

__all__ = ["MAX_DEPTH", "MAX_WIDTH", "MAX_FILE_BYTES", "SUFFIXES", "load_parameters", "parameters_json",
           "npz_bytes", "runs_npz_bytes"]

MAX_DEPTH = 64
"""Largest number of hidden layers ``L`` a parameter file may hold (the CLI's ``--L`` limit)."""
MAX_WIDTH = 64
"""Largest width ``Q`` a parameter file may hold (the data's ``Q`` limit)."""
MAX_FILE_BYTES = 256 << 20
"""Largest parameter file read: exact parameters at the largest ``Q`` and ``L`` with long rationals fit."""
MAX_JSON_DEPTH = 8
"""Deepest nesting of JSON arrays and objects in a parameter file (weights are nested 3 deep)."""
SUFFIXES = (".json", ".npz") + TORCH_SUFFIXES
EXPECTED = "a .json, .npz, .pt or .pth file written by symgeom construct"


def parameters_json(params: Parameters, **meta) -> dict:
    """A JSON-ready description: exact entries as strings (``"1/3"``), floats as numbers;
    ``weights[ℓ-1]`` is ``W_ℓ`` (row by row), ``biases[ℓ-1]`` is ``b_ℓ``."""
    def conv(a):
        return [conv(x) for x in a] if isinstance(a, (list, np.ndarray)) else (str(a) if params.kind.is_exact else float(a))

    return dict(meta, Q=params.Q, L=params.L, kind=params.kind,
                weights=[conv(W) for W in params.weights], biases=[conv(b) for b in params.biases])


def npz_bytes(params: Parameters) -> bytes:
    """An ``.npz`` of float64 arrays ``W1 … W{L+1}``, ``b1 … b{L+1}`` and the integers ``L``, ``Q``."""
    arrays = {f"W{l}": np.asarray(W, dtype=float) for l, W in enumerate(params.weights, 1)}
    arrays.update({f"b{l}": np.asarray(b, dtype=float) for l, b in enumerate(params.biases, 1)})
    return _npz(dict(L=params.L, Q=params.Q, **arrays))


def runs_npz_bytes(arrays: dict, points=None, units_text: str | None = None) -> bytes:
    """The ``runs.npz`` of ``symgeom train``: the arrays of the runs (``W1 … W{L+1}`` stacked ``K x Q x Q``,
    ``b1 … b{L+1}`` stacked ``K x Q``, seeds, final costs, …); when ``points`` (one :class:`Parameters` per run,
    float64) are given, their stacked weights and biases replace the runs' own, and ``units_text`` (the JSON of
    the change of units) is stored as ``units``."""
    arrays = dict(arrays)
    if points is not None:
        L = len(points[0].weights) - 1
        arrays.update({f"W{l}": np.stack([p.weights[l - 1] for p in points]) for l in range(1, L + 2)})
        arrays.update({f"b{l}": np.stack([p.biases[l - 1] for p in points]) for l in range(1, L + 2)})
    if units_text is not None:
        arrays["units"] = np.array(units_text)
    return _npz(arrays)


def _npz(arrays: dict) -> bytes:
    """The bytes of an uncompressed ``.npz`` holding ``arrays`` (``numpy.savez``)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def load_parameters(path) -> Parameters:
    """Read parameters written by ``symgeom construct``: ``.json``, ``.npz`` or a PyTorch ``state_dict``
    (``.pt``/``.pth``, :mod:`symgeom.model.torch_io`).  NaN, infinite or complex entries are refused, and so is
    any file that is not a regular file of at most :data:`MAX_FILE_BYTES` bytes."""
    path = Path(path)
    size = require_regular_file(path, "parameters", EXPECTED, ParameterError)
    if size > MAX_FILE_BYTES:
        raise ParameterError(f"{path}: {size} bytes, more than any parameter file symgeom writes "
                             f"(at most {MAX_FILE_BYTES >> 20} MiB); expected {EXPECTED}")
    if path.suffix in TORCH_SUFFIXES:
        return load_state_dict(path)
    try:
        if path.suffix == ".npz":
            return _npz_parameters(path)
        return _json_parameters(path)
    except ParameterError as e:
        raise e if str(e).startswith(str(path)) else ParameterError(f"{path}: {e}") from None
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as e:
        raise ParameterError(f"{path}: cannot read parameters ({' '.join(str(e).split())[:200]})") from None


def _json_parameters(path: Path) -> Parameters:
    """``weights``, ``biases`` and ``kind`` of a JSON parameter file, its nesting bounded before parsing."""
    text = path.read_text(encoding="utf-8")
    if _nesting(text) > MAX_JSON_DEPTH:
        raise ParameterError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels; parameters need 3")
    obj = json.loads(text)
    if not isinstance(obj, dict):
        raise ParameterError(f"holds a JSON {type(obj).__name__}, expected an object with 'weights' and 'biases'")
    return Parameters.from_lists(obj["weights"], obj["biases"], obj.get("kind", "exact"))


def _nesting(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON ``text``, outside strings (one pass over the bytes)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _npz_parameters(path: Path) -> Parameters:
    """The arrays of an ``.npz`` parameter file, their headers (dtype, shape) checked before they are read."""
    with zipfile.ZipFile(path) as z:
        headers = {name.removesuffix(".npy"): _npy_header(z, name) for name in z.namelist()}
    _require_integer_scalar(headers)
    with np.load(path, allow_pickle=False) as z:
        L = int(z["L"])
        if not 1 <= L <= MAX_DEPTH:
            raise ParameterError(f"L = {L}; a parameter file holds 1 <= L <= {MAX_DEPTH} hidden layers")
        names = [f"{n}{l}" for n in "Wb" for l in range(1, L + 2)]
        _require_shapes(headers, names)
        arrays = [np.asarray(z[name], dtype=float) for name in names]
    if not all(np.isfinite(a).all() for a in arrays):
        raise ParameterError("NaN or infinite weights or biases")
    return Parameters(tuple(arrays[: L + 1]), tuple(arrays[L + 1 :]))


def _npy_header(z: zipfile.ZipFile, name: str) -> tuple:
    """``(shape, dtype)`` of one ``.npy`` member, read from its header alone."""
    with z.open(name) as f:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(f)
    return shape, dtype


def _require_integer_scalar(headers: dict) -> None:
    """The file's ``L`` is one integer (``L = 1.7`` is refused, not read as 1)."""
    if "L" not in headers:
        raise ParameterError("no array 'L' (the number of hidden layers); expected a file written by symgeom construct")
    shape, dtype = headers["L"]
    if shape != () or dtype.kind not in "iu":
        raise ParameterError(f"'L' is a {dtype} array of shape {shape}; expected one integer")


def _require_shapes(headers: dict, names: list) -> None:
    """Every ``W`` is a real ``Q × Q`` array and every ``b`` a real ``Q``-vector, one ``Q ≤ MAX_WIDTH``."""
    missing = [n for n in names if n not in headers]
    if missing:
        raise ParameterError(f"no array {missing[0]!r}; a network with L = {len(names) // 2 - 1} needs {', '.join(names)}")
    Q = headers["W1"][0][0] if len(headers["W1"][0]) == 2 else 0
    for n in names:
        shape, dtype = headers[n]
        want = (Q, Q) if n[0] == "W" else (Q,)
        if dtype.kind not in "fiu":
            raise ParameterError(f"{n!r} holds {dtype} numbers; weights and biases must be real (float or integer)")
        if shape != want or not 1 <= Q <= MAX_WIDTH:
            raise ParameterError(f"{n!r} has shape {shape}; expected {want} with one width 1 <= Q <= {MAX_WIDTH}")
