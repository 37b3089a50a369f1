"""Recipes: one per claim of docs/mathematics/, each a :class:`~symgeom.claims.recipe.Recipe` ``RECIPE`` with its
``derive(ctx) -> Derivation``.

Installed as ``symgeom.derivations``.  The order of :data:`RECIPES` (``{claim id: recipe}``) is the order of the
report.
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
    n3_merged,
    n4_dead_neurons,
    n5_split_clusters,
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

RECIPES = {recipe.id: recipe for recipe in (
    t1_recursive_truncation.RECIPE,
    t2_cone_geometry.RECIPE,
    t3_idempotence.RECIPE,
    t4_orthogonal_projection.RECIPE,
    t5_symmetry.RECIPE,
    g1_global_minimizer.RECIPE,
    g2_output_fiber.RECIPE,
    g3_degeneracy.RECIPE,
    g4_symmetry_count.RECIPE,
    n1_no_truncation.RECIPE,
    n2_strata.RECIPE,
    n3_merged.RECIPE,
    n4_dead_neurons.RECIPE,
    n5_split_clusters.RECIPE,
    # the paper's numbered statements, checked as stated (symgeom's own claims above are beyond the paper)
    p22_truncation.RECIPE,
    d21_truncation_map.RECIPE,
    h214_clustered.RECIPE,
    h252_cone.RECIPE,
    p23_global_minimum.RECIPE,
    e258_mu_range.RECIPE,
    p24_local_minimum.RECIPE,
    e271_value.RECIPE,
    p25_intermediate.RECIPE,
    e285_value.RECIPE,
)}
