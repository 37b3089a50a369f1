"""Running the claims: the context a recipe receives, and the registry of recipes.

Each claim of docs/mathematics/ has a recipe in ``derivations/`` (installed as
``symgeom.derivations``): a :class:`~symgeom.claims.recipe.Recipe` with its ``derive(ctx) -> Derivation``.  The context carries
the data, the depth ``L`` and the seed of every random choice, so the same inputs give the
same derivations, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from ..numbers import arith
from .._errors import ConstructionError, DataError, UsageError
from ..certify.certificates import Check, Derivation, REFUTED, UNDECIDED
from ..calculus.cost import DEFAULT_COST, Cost
from ..data.clusters import ClusterData
from ..model.network import Parameters, centred_parameters, random_parameters
from ..derivations import RECIPES
from ..global_minima.criterion import clustering_criterion
from ..global_minima.degeneracy import analyse
from ..global_minima.minimizer import global_minimizer
from ..local_minima.sequential import sequential_minimizer
from ..local_minima.dead_neurons import dead_neuron_family
from ..local_minima.families import merged_families, split_clusters
from ..local_minima.settling import settle_strata
from .budget import estimate, format_seconds
from .recipe import Recipe

__all__ = [
    "EXACT_DECISION_SIZE", "Context", "recipes", "paper_statement", "true_instead", "BEYOND_THE_PAPER", "claim_ids",
    "run_claims", "REDECIDE_MAX_SECONDS", "redecided",
]


EXACT_DECISION_SIZE = 200_000
"""Largest ``N Q²`` at which a float run decides exactly whether G1's construction exists beyond ``ρ < c`` (an exact
construction at ``Q = 8``, ``N = 10⁴`` takes about half a minute)."""


@dataclass(frozen=True, eq=False)
class Context:
    """What a recipe works on."""

    data: ClusterData
    L: int
    """Number of hidden layers (``L ≥ 1``)."""
    seed: int = 0
    """Seed of the random parameters and samples the checks use."""
    progress: Callable[[str], None] | None = field(default=None, repr=False)
    """Told what long work is under way inside a claim (e.g. which stratum), or ``None``."""
    cost: Cost = DEFAULT_COST
    """The cost the claims about values (N1, N2: bounds, minima, values) are stated and decided for: the
    paper's ``C_N`` (decided on ``C_N²``) unless asked otherwise."""
    exact_data: Callable[[], ClusterData] | None = field(default=None, repr=False)
    """For float data: the data as given, read exactly (a CSV's decimals are rational), to re-decide a float
    refutation (:func:`run_claims`); ``None``: the float values themselves, read exactly."""

    def __post_init__(self):
        if not isinstance(self.L, int) or self.L < 1:
            raise UsageError(f"the number of hidden layers L must be an integer >= 1, got {self.L!r}")

    @property
    def Q(self) -> int:
        return self.data.Q

    @property
    def kind(self) -> str:
        return self.data.kind

    @cached_property
    def exact(self) -> "Context":
        """The same claims on exact data: this context when the data are exact, else the data as given read
        exactly (:attr:`exact_data`), same depth and seed."""
        if self.kind.is_exact:
            return self
        data = self.exact_data() if self.exact_data is not None else self.data.with_kind(arith.Kind.EXACT)
        return Context(data, self.L, seed=self.seed, progress=self.progress, cost=self.cost)

    @cached_property
    def parameters(self) -> Parameters:
        """Seeded random parameters with invertible hidden weights, in the data's number kind,
        with biases centred on the data (:func:`~symgeom.model.network.centred_parameters`)."""
        return centred_parameters(random_parameters(self.Q, self.L, self.kind, seed=self.seed), self.data.X)


    @cached_property
    def _construction(self) -> tuple:
        """``(family, None)`` or ``(None, reason)``: the global minimizer is built once.  On float data beyond the
        closed-form criterion (``ρ ≥ c``) the construction's strict inequalities are decided exactly on the data
        as given first, up to :data:`EXACT_DECISION_SIZE` (float64 proposes a construction there; beyond that size
        its float status stands, with its tolerance)."""
        try:
            if (not self.kind.is_exact and self.L >= self.Q and self.data.N * self.Q ** 2 <= EXACT_DECISION_SIZE
                    and not clustering_criterion(self.data).holds):
                family, reason = self.exact._construction
                if reason is not None:
                    return None, f"{reason} (decided in exact arithmetic on the data as given)"
            return global_minimizer(self.data, self.L), None
        except ConstructionError as e:
            return None, str(e)

    @cached_property
    def sequential(self) -> tuple:
        """``(point, None)`` or ``(None, reason)``: G1's zero-cost point on sequentially separable data for
        ``L ≥ Q − 1`` (:func:`~symgeom.local_minima.sequential.sequential_minimizer`), built once, on the data read
        exactly (:attr:`exact`): its cost is decided as exactly 0 -- for float data up to :data:`EXACT_DECISION_SIZE`."""
        if not self.kind.is_exact and self.data.N * self.Q ** 2 > EXACT_DECISION_SIZE:
            return None, (f"the sequential construction is decided in exact arithmetic only up to N Q^2 = "
                          f"{EXACT_DECISION_SIZE} on float data (here {self.data.N * self.Q ** 2}); run with exact data")
        try:
            return sequential_minimizer(self.exact.data, self.L), None
        except ConstructionError as e:
            return None, str(e)

    def unavailable(self) -> str | None:
        """Why the explicit global minimizer (G1) cannot be built on these data, or ``None`` when it can."""
        return self._construction[1]

    @property
    def minimizer(self):
        """The family of global minimizers on the data (G1); raises
        :class:`~symgeom.ConstructionError` with the reason when it cannot be built."""
        family, reason = self._construction
        if reason is not None:
            theta = self.sequential[0]
            raise ConstructionError(reason if theta is None else (
                f"{reason}; G1 holds here by the sequential construction ({theta.hypothesis}), but this claim is about "
                "the cone construction's family (every cluster collapsed to the apex of its cone, invertible cumulative "
                "weights), which does not apply"))
        return family

    @property
    def collapsed_minimizer(self):
        """The zero-cost point G2 and G3's rank describe: the cone construction's family (:attr:`minimizer`) when it
        applies, else -- ``L ≥ Q`` -- the sequential construction's point (on the data read exactly, as
        :attr:`sequential`), where every cluster ends at one point of the last hidden layer too; raises like
        :attr:`minimizer` otherwise."""
        theta = self.sequential[0] if self.unavailable() is not None else None
        return self.minimizer if theta is None or theta.images is None else theta

    @cached_property
    def degeneracy(self):
        """:func:`~symgeom.global_minima.degeneracy.analyse` of the family (raises like :attr:`minimizer`)."""
        return analyse(self.minimizer)


    @cached_property
    def strata(self) -> list:
        """:func:`~symgeom.local_minima.settling.settle_strata`: every stratum on the data, ``S = ∅`` (N1) first."""
        def tell(i, n, label):
            if self.progress is not None:
                self.progress(f"strata: {i} of {n}, {label}")

        return settle_strata(self.data, self.L, tell, self.cost)

    @cached_property
    def merged(self) -> tuple:
        """:func:`~symgeom.local_minima.families.merged_families`: ``(families, left)``, the merged strata settled on
        the data and how many more exist unsettled."""
        def tell(i, n, label):
            if self.progress is not None:
                self.progress(f"merged strata: {i} of {n}, {label}")

        return merged_families(self.data, self.L, self.cost, tell)

    @cached_property
    def dead_neurons(self) -> list:
        """:func:`~symgeom.local_minima.dead_neurons.dead_neuron_family`: one point per number ``d < Q`` of neurons
        dead at every point."""
        if self.progress is not None:
            self.progress("dead neurons: reduced-rank points")
        return dead_neuron_family(self.data, self.L, self.cost)

    @cached_property
    def split_clusters(self) -> list:
        """:func:`~symgeom.local_minima.families.split_clusters`: per cluster one point collapsed alone, the rest
        fitted."""
        if self.progress is not None:
            self.progress("split clusters: one point alone per cluster")
        return split_clusters(self.data, self.L, self.cost)


def recipes() -> dict[str, Recipe]:
    """``{claim id: recipe}`` from ``symgeom.derivations`` (the top-level ``derivations/`` folder,
    installed inside the package)."""
    return RECIPES


def paper_statement(cid: str) -> str | None:
    """The paper's numbered statement a claim checks as stated (``"Theorem 2.3, (2.57), (2.59)"``), or ``None`` for
    symgeom's own claims, which are beyond the paper."""
    recipe = recipes().get(cid)
    return None if recipe is None else recipe.paper


def true_instead(cid: str) -> str | None:
    """For a claim on the paper's statement: what holds instead (or ``as stated``), in words."""
    recipe = recipes().get(cid)
    return None if recipe is None else recipe.instead


BEYOND_THE_PAPER = "beyond the paper"
"""The label of symgeom's own claims (its reconstruction: T1–T5, G1–G4, N1–N2)."""


def claim_ids() -> list[str]:
    """The ids of the implemented claims, in report order."""
    return list(recipes())


def run_claims(ctx: Context, only: str | None = None, progress=None) -> list[Derivation]:
    """Derive and check every claim (or only the one with id ``only``); ``progress(i, n, id)``
    is called before each claim."""
    RECIPES = recipes()

    if only is not None and only not in RECIPES:
        raise UsageError(f"{only!r} is an unknown claim; known claims are {', '.join(RECIPES)}")
    chosen = [(cid, recipe) for cid, recipe in RECIPES.items() if only is None or cid == only]
    out = []
    with arith.linalg_threads():
        for i, (cid, recipe) in enumerate(chosen, start=1):
            if progress is not None:
                progress(i, len(chosen), cid)
            out.append(redecided(ctx, recipe, _derive(ctx, recipe)))
    return out


def _derive(ctx: Context, recipe: Recipe) -> Derivation:
    try:
        return recipe.derive(ctx)
    except ConstructionError as e:  # the one place where an impossible construction becomes a result
        return recipe.not_applicable(str(e))


REDECIDE_MAX_SECONDS = 600.0
"""An exact re-decision estimated (:func:`symgeom.claims.budget.estimate`) beyond this is not run: the claim is then
``undecided`` (the default time budget of a command)."""


def redecided(ctx: Context, recipe: Recipe, derivation: Derivation) -> Derivation:
    """A float result never refutes on its own.  When a check of a float run refutes, the claim is derived
    again in exact rational arithmetic on the rational data (:attr:`Context.exact`), and that verdict decides
    (:attr:`~symgeom.certify.certificates.Derivation.redecision`): an exact refutation refutes with its exact
    counterexample; otherwise the float refutations are numerical warnings and the status is the exact one
    (or ``undecided``).  Exact runs are returned as they are (their float sub-checks never refute:
    :attr:`~symgeom.certify.certificates.Derivation.warnings`)."""
    if ctx.kind.is_exact or not any(c.status == REFUTED for c in derivation.checks):
        return derivation

    seconds = estimate("check", ctx.Q, ctx.L, ctx.data.N, "exact", strata=derivation.id.startswith("N"))
    if seconds > REDECIDE_MAX_SECONDS:
        return derivation.redecided(Check(UNDECIDED, "float refutation not re-decided in exact arithmetic",
                                          f"the exact run is estimated at {format_seconds(seconds)}, beyond "
                                          f"{format_seconds(REDECIDE_MAX_SECONDS)}"))
    if ctx.progress is not None:
        ctx.progress(f"{derivation.id}: a float check refutes; re-deciding in exact rational arithmetic")
    try:
        exact = _derive(ctx.exact, recipe)
    except DataError as e:  # the data as given cannot be held exactly after all: nothing decides
        return derivation.redecided(Check(UNDECIDED, "float refutation not re-decided in exact arithmetic",
                                          f"the data could not be read exactly: {e}"))
    main = exact.main
    return derivation.redecided(Check(main.status, "re-decided in exact rational arithmetic on the data as given: "
                                      + main.method, main.detail, main.residual, main.margin, main.tolerance,
                                      main.counterexample, main.scope))
