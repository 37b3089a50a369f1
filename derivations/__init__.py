"""Recipes: one per claim of MATH.md, each ``derive(ctx) -> Derivation``.

Installed as ``symgeom.derivations``.  The order of :data:`RECIPES` is the order of the report.
"""

from . import t1_recursive_truncation, t2_cone_geometry, t3_idempotence, t4_orthogonal_projection, t5_symmetry

RECIPES = {
    "T1": t1_recursive_truncation.derive,
    "T2": t2_cone_geometry.derive,
    "T3": t3_idempotence.derive,
    "T4": t4_orthogonal_projection.derive,
    "T5": t5_symmetry.derive,
}
