"""Recipes: one per claim of MATH.md, each ``derive(ctx) -> Derivation``.

Installed as ``symgeom.derivations``.  The order of :data:`RECIPES` is the order of the report.
"""

from . import (
    g1_global_minimizer,
    g2_output_fiber,
    g3_degeneracy,
    g4_symmetry_count,
    n1_no_truncation,
    n2_strata,
    t1_recursive_truncation,
    t2_cone_geometry,
    t3_idempotence,
    t4_orthogonal_projection,
    t5_symmetry,
)

RECIPES = {
    "T1": t1_recursive_truncation.derive,
    "T2": t2_cone_geometry.derive,
    "T3": t3_idempotence.derive,
    "T4": t4_orthogonal_projection.derive,
    "T5": t5_symmetry.derive,
    "G1": g1_global_minimizer.derive,
    "G2": g2_output_fiber.derive,
    "G3": g3_degeneracy.derive,
    "G4": g4_symmetry_count.derive,
    "N1": n1_no_truncation.derive,
    "N2": n2_strata.derive,
}
