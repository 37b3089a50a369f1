"""What the commands print as JSON: the shared pieces (strict JSON text, numbers with their float64 values, the
data, the units) and the object of ``check --json``; ``locate --json`` and ``train --json`` build theirs from these.
"""

from __future__ import annotations

import json

from ..calculus.cost import cost
from ..certify.certificates import CERTIFIED, CHECKED, NOT_APPLICABLE, json_number
from ..claims.registry import BEYOND_THE_PAPER, paper_statement
from ..data.clusters import ClusterData
from ..local_minima.settling import strata_counts
from ..model.units import Units

__all__ = ["json_text", "units_json", "check_json"]


def _approx(x):
    """The float64 value of ``x`` for JSON, or ``None`` when it has none: infinite (``h`` for
    ``Q = 1``) or beyond the float64 range."""
    try:
        return json_number(float(x))
    except OverflowError:
        return None


def json_text(obj, **options) -> str:
    """Strict JSON (no ``NaN`` or ``Infinity``, which strict parsers reject)."""
    return json.dumps(obj, allow_nan=False, **options)


def _data_json(data: ClusterData) -> dict:
    return {
        "source": data.source, "kind": data.kind, "sizes": list(data.sizes),
        "delta": json_number(data.delta), "h": json_number(data.h), "rho": json_number(data.rho),
        "approx": {"delta": _approx(data.delta), "h": _approx(data.h), "rho": _approx(data.rho)},
    }


def units_json(data: ClusterData) -> dict:
    """The ``units`` object of the JSON outputs: the change of units the data were computed in
    (:class:`symgeom.model.units.Units`; ``c = 0``, ``s = t = 1`` when they are as given)."""
    return (data.units or Units.identity(data.Q)).as_json()


def check_json(ctx, derivations, certs: dict | None) -> dict:
    """The object ``check --json`` prints: the sizes, the data, the units, the cost, every claim, the global
    minimizer (when a G claim ran), the local minima and their counts (when an N claim ran), the certificates."""
    data = ctx.data
    out = {
        "Q": data.Q, "L": ctx.L, "N": data.N, "parameters": data.parameter_count(ctx.L),
        "data": _data_json(data), "units": units_json(data), "cost_function": ctx.cost.as_json(),
        "claims": [{**d.as_json(), "paper": paper_statement(d.id) or BEYOND_THE_PAPER} for d in derivations],
    }
    if any(d.id.startswith("G") for d in derivations):
        out["global_minimizer"] = _minimizer_json(ctx, derivations)
    if any(d.id.startswith("N") for d in derivations):
        out["local_minima"] = [st.as_json() for st in ctx.strata]
        out["strata_counts"] = strata_counts(ctx.strata)
    if certs is not None:
        out["certificates"] = certs
    return out


def _minimizer_json(ctx, derivations) -> dict:
    """The ``global_minimizer`` block of ``check --json``."""
    if ctx.unavailable() is not None:
        return _sequential_json(ctx, derivations)
    fam = ctx.minimizer
    by_id = {d.id: d for d in derivations}
    # ranks re-decided exactly (a float check refuted G3 or G4) are the exact ones
    redecided = any(by_id[g].redecision is not None for g in ("G3", "G4") if g in by_id)
    deg = ctx.exact.degeneracy if redecided else ctx.degeneracy
    C = cost(fam.member(), ctx.data)
    return {
        "cost": json_number(C),
        "status": by_id["G1"].status if "G1" in by_id else (CERTIFIED if C == 0 and ctx.kind.is_exact else CHECKED),
        "order": list(fam.order),
        "min_margin": json_number(min(fam.margins)),
        "manifold_dimension": _manifold_dimension(deg),
        "tangent_dimension": deg.nullity if deg.checks["tangent"].status in (CERTIFIED, CHECKED) else None,
        "hessian_rank": deg.hessian_rank,
        "hessian_nullity": deg.nullity,
        "symmetry_dimension": deg.symmetry_rank,
        "rho_by_layer": [json_number(r) for r in fam.rho_by_layer],
        "criterion": {"holds": fam.criterion.holds, "constant": json_number(fam.criterion.constant),
                      "gamma": json_number(fam.criterion.gamma)},
    }


def _sequential_json(ctx, derivations) -> dict:
    """The ``global_minimizer`` block when the cone construction does not apply: the peeling construction's
    order, hypothesis and collapsing layers when G1 holds by it, else the reason."""
    theta = ctx.sequential[0] if "G1" in {d.id for d in derivations} else None
    if theta is None:
        return {"status": NOT_APPLICABLE, "reason": ctx.unavailable()}
    return {"cost": "0", "status": next(d.status for d in derivations if d.id == "G1"), "order": list(theta.order),
            "hypothesis": theta.hypothesis, "collapse": {str(k): l for k, l in theta.collapse.items()},
            "reason": f"the cone construction does not apply: {ctx.unavailable()}"}


def _manifold_dimension(deg):
    """``P − Q²`` when ``rank J_F = Q²`` is certified or checked: near the construction every cluster stays
    collapsed, so ``C⁻¹(0) = F⁻¹(Y)`` there, and ``F`` is a submersion (regular value theorem); else ``None``."""
    Q = deg.params.Q
    if deg.jacobian_rank == Q * Q and deg.checks["jacobian_rank"].status in (CERTIFIED, CHECKED):
        return deg.params.count - Q * Q
    return None
