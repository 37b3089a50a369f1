"""The JSON objects of ``check --json``, ``locate --json``, ``train --json`` and the ``.json`` files of
``construct``.  Each names its schema (``schema``: the ``$id`` of ``symgeom/schemas/<name>.schema.json``,
shipped in the package) and ``symgeom_version``, and opens with a ``summary``; numbers follow
:mod:`symgeom.numbers.json_numbers` (an exact string or ``null``, and the float64 value under ``approx``)."""

from __future__ import annotations

import json
from fractions import Fraction
from functools import lru_cache
from importlib import resources

from .. import __version__
from ..certify.certificates import CERTIFIED, CHECKED, NOT_APPLICABLE, STATUSES
from ..claims.registry import BEYOND_THE_PAPER, paper_statement
from ..calculus.cost import cost
from ..data.clusters import ClusterData
from ..local_minima.dead_neurons import dead_counts
from ..local_minima.families import family_counts, split_counts
from ..local_minima.settling import strata_counts
from ..model.parameter_files import parameters_json
from ..model.units import Units
from ..numbers.json_numbers import json_numbers

__all__ = ["SCHEMA_NAMES", "load_schema", "schema_id", "json_text", "envelope", "units_json", "data_json",
           "check_summary", "check_json", "minimizer_json", "locate_json", "history_json", "construction_json"]

SCHEMA_NAMES = ("common", "check", "locate", "train", "parameters", "certificate")
"""The schemas shipped in ``symgeom/schemas/<name>.schema.json``."""


@lru_cache(maxsize=None)
def _schema_text(name: str) -> str:
    if name not in SCHEMA_NAMES:
        raise ValueError(f"no schema named {name!r}; symgeom ships {', '.join(SCHEMA_NAMES)}")
    return (resources.files("symgeom") / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")


def load_schema(name: str) -> dict:
    """The schema ``symgeom/schemas/<name>.schema.json`` as a (fresh) dict."""
    return json.loads(_schema_text(name))


def schema_id(name: str) -> str:
    """The ``$id`` of the schema ``name`` (``https://symgeom.invalid/schemas/<name>/<version>``): what the
    ``schema`` field of an output names."""
    return load_schema(name)["$id"]


def json_text(obj, **options) -> str:
    """Strict JSON (no ``NaN`` or ``Infinity``, which strict parsers reject)."""
    return json.dumps(obj, allow_nan=False, **options)


def envelope(name: str, summary: dict, body: dict) -> dict:
    """``{"schema", "symgeom_version", "summary", …body}``: what every JSON output opens with."""
    return {"schema": schema_id(name), "symgeom_version": __version__, "summary": summary, **body}


def units_json(data: ClusterData) -> dict:
    """The ``units`` object: the change of units the data were computed in
    (:class:`symgeom.model.units.Units`; ``changed`` false, ``c = 0``, ``s = t = 1`` when they are as given)."""
    return (data.units or Units.identity(data.Q)).as_json()


def data_json(data: ClusterData) -> dict:
    """The ``data`` object of ``check --json``: source, kind, cluster sizes and ``δ``, ``h``, ``ρ``."""
    return {"source": data.source, "kind": data.kind, "sizes": list(data.sizes),
            **json_numbers(delta=data.delta, h=data.h, rho=data.rho)}


def check_summary(derivations, exit_status: int) -> dict:
    """How many claims have each status, and the exit status of ``check``."""
    counts = {str(s): sum(d.status == s for d in derivations) for s in STATUSES}
    return {"claims": len(derivations), **counts, "exit_status": exit_status}


def check_json(ctx, derivations, certs, exit_status: int) -> dict:
    """The object ``check --json`` prints."""
    data = ctx.data
    out = {"Q": data.Q, "L": ctx.L, "N": data.N, "parameters": data.parameter_count(ctx.L),
           "data": data_json(data), "units": units_json(data), "cost_function": ctx.cost.as_json(),
           "claims": [{**d.as_json(), "paper": paper_statement(d.id) or BEYOND_THE_PAPER} for d in derivations]}
    if any(d.id.startswith("G") for d in derivations):
        out["global_minimizer"] = minimizer_json(ctx, derivations)
    if any(d.id.startswith("N") for d in derivations):
        out["local_minima"] = [st.as_json() for st in ctx.strata]
        out["strata_counts"] = strata_counts(ctx.strata)
    if any(d.id == "N3" for d in derivations):
        families, left = ctx.merged
        out["merged_minima"] = [f.as_json() for f in families]
        out["merged_counts"] = family_counts(families, left)
    if any(d.id == "N4" for d in derivations):
        out["dead_neuron_minima"] = [m.as_json() for m in ctx.dead_neurons]
        out["dead_neuron_counts"] = dead_counts(ctx.dead_neurons)
    if any(d.id == "N5" for d in derivations):
        out["split_minima"] = [s.as_json() for s in ctx.split_clusters]
        out["split_counts"] = split_counts(ctx.split_clusters)
    if certs is not None:
        out["certificates"] = certs
    return envelope("check", check_summary(derivations, exit_status), out)


def minimizer_json(ctx, derivations) -> dict:
    """The ``global_minimizer`` block of ``check --json``: G1's construction, its cost and margins, the ranks and
    dimensions of G2–G4, and the clustering criterion."""
    if ctx.unavailable() is not None:
        return _sequential_json(ctx, derivations)
    fam = ctx.minimizer
    by_id = {d.id: d for d in derivations}
    # ranks re-decided exactly (a float check refuted G3 or G4) are the exact ones
    redecided = any(by_id[g].redecision is not None for g in ("G3", "G4") if g in by_id)
    deg = ctx.exact.degeneracy if redecided else ctx.degeneracy
    C = cost(fam.member(), ctx.data)
    return {
        "status": by_id["G1"].status if "G1" in by_id else (CERTIFIED if C == 0 and ctx.kind.is_exact else CHECKED),
        "order": list(fam.order),
        "manifold_dimension": _manifold_dimension(deg),
        "tangent_dimension": deg.nullity if deg.checks["tangent"].status in (CERTIFIED, CHECKED) else None,
        "hessian_rank": deg.hessian_rank, "hessian_nullity": deg.nullity, "symmetry_dimension": deg.symmetry_rank,
        "criterion": {"holds": fam.criterion.holds,
                      **json_numbers(constant=fam.criterion.constant, gamma=fam.criterion.gamma)},
        **json_numbers(cost=C, min_margin=min(fam.margins), rho_by_layer=list(fam.rho_by_layer)),
    }


def _sequential_json(ctx, derivations) -> dict:
    """The ``global_minimizer`` block when the cone construction does not apply: G1 by the sequential construction
    (its order, hypothesis and collapsing layers) when it holds that way, else ``not_applicable`` with the reason."""
    theta = ctx.sequential[0] if "G1" in {d.id for d in derivations} else None
    if theta is None:
        return {"status": NOT_APPLICABLE, "reason": ctx.unavailable()}
    return {"status": next(d.status for d in derivations if d.id == "G1"), "order": list(theta.order),
            "hypothesis": theta.hypothesis, "collapse": {str(k): l for k, l in theta.collapse.items()},
            "reason": f"the cone construction does not apply: {ctx.unavailable()}", **json_numbers(cost=Fraction(0))}


def _manifold_dimension(deg):
    """``P − Q²`` when ``rank J_F = Q²`` is certified or checked: near the construction every cluster stays
    collapsed, so ``C⁻¹(0) = F⁻¹(Y)`` there, and ``F`` is a submersion (regular value theorem); else ``None``."""
    Q = deg.params.Q
    if deg.jacobian_rank == Q * Q and deg.checks["jacobian_rank"].status in (CERTIFIED, CHECKED):
        return deg.params.count - Q * Q
    return None


def locate_json(where, data: ClusterData) -> dict:
    """The object ``locate --json`` prints: where the point lies (``summary``: the verdict and the set ``S`` of
    collapsed clusters, or outside every stratum) and the numbers behind it."""
    summary = {"verdict": where.verdict, "truncated": list(where.truncated), "in_stratum": where.in_stratum}
    return envelope("locate", summary, {"Q": where.Q, "L": where.L, "units": units_json(data), **where.as_json()})


def history_json(steps, costs) -> list:
    """A training run's cost at its checkpoints: ``[{"step", "cost", "approx": {"cost"}}, …]`` (float64 runs:
    ``cost`` is ``null``)."""
    return [{"step": int(t), **json_numbers(cost=c)} for t, c in zip(steps, costs)]


def construction_json(params, meta: dict) -> dict:
    """The ``.json`` file ``construct`` writes: the parameters (:func:`symgeom.model.parameter_files.parameters_json`)
    and what they were constructed as (``summary``: the claim)."""
    return envelope("parameters", {"claim": meta["claim"]}, parameters_json(params, **meta))
