"""Recipes: one per claim of docs/mathematics/, each ``derive(ctx) -> Derivation``.

Installed as ``symgeom.derivations``.  The order of :data:`RECIPES` is the order of the report.
"""

from . import (
    d21_truncation_map,
    e258_mu_range,
    e271_value,
    e285_value,
    g1_global_minimizer,
    g2_output_fiber,
    g3_degeneracy,
    g4_symmetry_count,
    n1_no_truncation,
    n2_strata,
    p22_truncation,
    p23_global_minimum,
    p24_local_minimum,
    p25_intermediate,
    h214_clustered,
    h252_cone,
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
    # the paper's numbered statements, checked as stated (symgeom's own claims above are beyond the paper)
    "P2.2": p22_truncation.derive,
    "D2.1": d21_truncation_map.derive,
    "H2.14": h214_clustered.derive,
    "H2.52": h252_cone.derive,
    "P2.3": p23_global_minimum.derive,
    "E2.58": e258_mu_range.derive,
    "P2.4": p24_local_minimum.derive,
    "E2.71": e271_value.derive,
    "P2.5": p25_intermediate.derive,
    "E2.85": e285_value.derive,
}
