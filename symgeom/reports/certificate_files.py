"""Certificates anyone can check: self-contained JSON files of symgeom's exact verdicts, and ``verify.py``.

A certificate holds the data (every point, in the order of the data file; the labels; the targets), the
parameters and the claim, each number an exact rational written as text.  ``verify.py`` -- the text of
:mod:`symgeom.verify_certificates`, standard library only -- recomputes every claim from those numbers
alone: the forward pass of each point, the cost, the stratum bound ``B_U`` by exact least squares, every
strict sign condition, a convex combination.  The format is described by the JSON Schema
``symgeom/schemas/certificate.schema.json``.

Kinds: ``global_minimum`` (cost exactly 0 and the claimed collapses), ``stratum_local_minimum`` (cost
``= B_U`` at a point of the open region ``R_S``), ``empty_stratum`` (a truncated point that is a convex
combination of kept points), ``rank`` (G3: ``rank J_F = Q²`` at a zero-cost point, ``J_F`` recomputed by the
verifier from the parameters and one point per cluster).
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from importlib import resources
from pathlib import Path

import numpy as np

from ..numbers import arith
from ..data.clusters import ClusterData
from ..io import write_text
from ..model.network import Parameters, preactivations
from ..verify_certificates import FORMAT, VERSION, canonical_sha256

__all__ = ["VERIFIER", "certificates", "data_json", "file_sha256", "global_certificate", "stratum_certificate", "stratum_name",
           "empty_certificate", "rank_certificate", "write_certificates", "verifier_text", "exact_text",
           "first_deaths"]

VERIFIER = "verify.py"
"""The name of the standalone checker written beside the certificates."""


def exact_text(x) -> str:
    """The exact value of ``x`` as text: ``"p/q"`` or ``"p"`` (a float by its exact binary value)."""
    f = Fraction(float(x)) if isinstance(x, (float, np.floating)) else arith.to_fraction(x)
    return str(f)


def _rows(A) -> list:
    return [[exact_text(v) for v in row] for row in np.asarray(A, dtype=object)]


def data_json(data: ClusterData) -> dict:
    """The data as a certificate holds them: ``points`` (one row per point, file order), ``labels``, and
    ``targets`` (row ``j`` is ``y_j``)."""
    return {"points": _rows(np.asarray(data.X, dtype=object).T), "labels": [int(j) for j in data.labels],
            "targets": _rows(np.asarray(data.Y, dtype=object).T)}


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inputs(data_path, targets_path) -> dict:
    def entry(path):
        return None if path is None else {"name": Path(path).name, "sha256": file_sha256(path)}

    return {"data": entry(data_path), "targets": entry(targets_path)}


def _certificate(kind: str, data: ClusterData, L: int, cost_function: str, claim: dict, params=None,
                 data_path=None, targets_path=None) -> dict:
    body = data_json(data)
    cert = {"format": FORMAT, "version": VERSION, "kind": kind, "cost_function": _cost_name(cost_function), "Q": data.Q,
            "L": L, "N": data.N, "sizes": list(data.sizes), "data": body, "data_sha256": canonical_sha256(body),
            "inputs": _inputs(data_path, targets_path)}
    if params is not None:
        cert["parameters"] = {"weights": [_rows(W) for W in params.weights],
                              "biases": [[exact_text(v) for v in b] for b in params.biases]}
    cert["claim"] = claim
    return cert


def _cost_name(cost_function) -> str:
    """``"paper"`` or ``"mean-squared"``: the name of a :class:`~symgeom.calculus.cost.Cost` (or the name itself)."""
    return str(getattr(cost_function, "value", cost_function))


def first_deaths(params: Parameters, data: ClusterData) -> np.ndarray:
    """``(N,)``: the first hidden layer (1-based) where every pre-activation of the point is ``< 0``, else 0."""
    dead = (np.stack(preactivations(params, data.X)) < 0).all(axis=1)  # (L, N)
    return np.where(dead.any(axis=0), np.argmax(dead, axis=0) + 1, 0)


def global_certificate(data: ClusterData, params: Parameters, cost_function: str, **inputs) -> dict:
    """A zero-cost point: the claim ``cost = 0`` and, for each cluster whose points all first die in one
    layer, that layer (``None`` for a cluster that is not collapsed as a whole)."""
    first = first_deaths(params, data)
    collapse = {}
    for k in range(1, data.Q + 1):
        layers = set(first[data.labels == k].tolist())
        collapse[str(k)] = layers.pop() if len(layers) == 1 and 0 not in layers else None
    return _certificate("global_minimum", data, params.L, cost_function, {"cost": "0", "collapse": collapse},
                        params, **inputs)


def rank_certificate(data: ClusterData, params: Parameters, rank: int, cost_function: str, **inputs) -> dict:
    """G3's exact verdict at the zero-cost point ``params``: ``rank J_F = rank`` (``Q²``), so that near it
    ``C⁻¹(0)`` is a manifold of dimension ``P − rank``; with the claims of :func:`global_certificate` (cost 0,
    every cluster's collapsing layer), from which the verifier recomputes ``J_F``."""
    cert = global_certificate(data, params, cost_function, **inputs)
    cert["kind"] = "rank"
    cert["claim"].update({"matrix": "J_F", "rank": int(rank), "dimension": params.count - int(rank)})
    return cert


def stratum_certificate(data: ClusterData, params: Parameters, truncated, bound, cost, cost_function: str,
                        **inputs) -> dict:
    """A point of the stratum ``S = truncated`` at cost ``B_U = bound``: the claim names, for every point of a
    truncated cluster, the first layer where it dies (1-based data rows)."""
    first = first_deaths(params, data)
    kept = [k for k in range(1, data.Q + 1) if k not in set(truncated)]
    rows = np.flatnonzero(np.isin(data.labels, list(truncated)))
    claim = {"truncated": sorted(int(k) for k in truncated), "kept": kept, "bound": exact_text(bound),
             "cost": exact_text(cost), "dies_in": {str(int(n) + 1): int(first[n]) for n in rows}}
    return _certificate("stratum_local_minimum", data, params.L, cost_function, claim, params, **inputs)


def empty_certificate(data: ClusterData, L: int, truncated, row, weights: dict, cost_function: str,
                      **inputs) -> dict:
    """The stratum ``S = truncated`` is empty: data row ``row`` (1-based) is the convex combination of kept
    rows with ``weights`` (``{row: λ}``); with ``L = 1``, ``row`` may be ``{row: λ}`` itself, a convex combination of
    truncated rows equal to that of the kept rows (every truncated point dies in the one hidden layer)."""
    kept = [k for k in range(1, data.Q + 1) if k not in set(truncated)]
    claim = {"truncated": sorted(int(k) for k in truncated), "kept": kept}
    if isinstance(row, dict):
        claim["truncated_weights"] = {str(int(r)): exact_text(v) for r, v in sorted(row.items())}
    else:
        claim["point"] = int(row)
    claim["weights"] = {str(int(r)): exact_text(v) for r, v in sorted(weights.items())}
    return _certificate("empty_stratum", data, L, cost_function, claim, **inputs)


def verifier_text() -> str:
    """The text of ``verify.py``: the module :mod:`symgeom.verify_certificates`, as shipped."""
    return resources.files("symgeom").joinpath("verify_certificates.py").read_text(encoding="utf-8")


def write_certificates(out: Path, certificates: dict) -> dict:
    """Write ``{name: certificate}`` as ``out/name.json`` and ``out/verify.py``; ``{file name: sha256}``."""
    out = Path(out)
    written = {}
    for name, cert in certificates.items():
        text = json.dumps(cert, indent=1, sort_keys=False) + "\n"
        write_text(out / f"{name}.json", text)
        written[f"{name}.json"] = hashlib.sha256(text.encode()).hexdigest()
    write_text(out / VERIFIER, verifier_text())
    return written


def stratum_name(truncated) -> str:
    """``stratum-{1,3}``: the file name (without ``.json``) of a stratum's certificate."""
    return "stratum-{" + ",".join(str(int(k)) for k in sorted(truncated)) + "}"


def certificates(data: ClusterData, strata, global_params=None, cost_function="paper", jacobian_rank=None,
                 **inputs) -> dict:
    """``{name: certificate}`` for a zero-cost point (``global_params``, when given: ``global_minimizer``), G3's
    certified ``jacobian_rank`` at it (when given: ``degeneracy``), and for every settled stratum: ``stratum-{S}``
    for a local minimum (:class:`~symgeom.local_minima.settling.Stratum` of verdict ``local_minimum``), ``empty-{S}`` for an empty one (its convex
    combination, or with ``L = 1`` its two).  Float data or
    parameters are certified at their exact binary values."""
    out = {}
    if global_params is not None:
        out["global_minimizer"] = global_certificate(data, global_params, cost_function, **inputs)
        if jacobian_rank is not None:
            out["degeneracy"] = rank_certificate(data, global_params, jacobian_rank, cost_function, **inputs)
    for st in strata:
        name = stratum_name(st.truncated)
        comb = getattr(st, "emptiness", None)
        if st.verdict == "local_minimum" and st.minimizer is not None:
            out[name] = stratum_certificate(data, st.minimizer.params, st.truncated, st.bound, st.cost,
                                            getattr(st, "cost_kind", cost_function), **inputs)
        elif st.verdict == "empty" and comb is not None:  # a point in the kept points' hull, or with L = 1 a combination
            row = next(iter(comb.left)) + 1 if comb.is_point else {i + 1: w for i, w in comb.left.items()}
            out["empty" + name[len("stratum"):]] = empty_certificate(
                data, st.L, st.truncated, row, {j + 1: w for j, w in comb.right.items()}, cost_function, **inputs)
    return out
