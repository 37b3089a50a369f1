"""N5 -- clusters split across activation patterns: one point of a cluster collapsed alone, the rest fitted.

On the open region where one point ``n`` of a cluster with other points dies in hidden layer 1 and every other point is
active in every layer, ``C ≥ B_{−n}`` (the weighted least-squares residual of the other points): the network is one
affine map on them and sends ``n`` to one output.  The explicit points of :func:`~symgeom.local_minima.families.split_clusters`
reach it (certified on the data): local minima at or below N1's value."""

from __future__ import annotations

from symgeom.certify.certificates import NOT_APPLICABLE, Check, Scope, Step, combine
from symgeom.claims.recipe import Recipe
from symgeom.local_minima.families import split_counts_text

from ._common import data_steps

ID = "N5"
TITLE = "Clusters split across activation patterns"
STATEMENT = (
    r"Let $R_{-n}$ be the open set where the point $x_n$ of a cluster with other points is strictly inactive in hidden "
    r"layer 1 and every other point strictly active in every hidden layer. On it $\mathcal{C} \ge B_{-n}$, the weighted "
    r"least-squares residual of the other points, at most N1's value; when a hyperplane cuts $x_n$ off from the other "
    r"points, a point of $R_{-n}$ attains it for every $L \ge 1$: a local minimum."
)


def bound_step() -> Step:
    """(a): the bound on the region, an argument (N2 (a) on the other points)."""
    return Step(r"\mathcal{C} \ge B_{-n} \text{ on } R_{-n}",
                r"On $R_{-n}$ every other point is active in every layer, so the network is one affine map on them and "
                r"they pay at least their least-squares residual $B_{-n}$ (N2 (a)); $x_n$ has $x^{(1)} = 0$ and pays "
                r"at least $0$. Dropping a point from a least-squares problem cannot raise its residual: $B_{-n} \le B$.",
                None)


def family_step(ctx) -> Step:
    """(b): the points on the data, one combined certificate."""
    splits = ctx.split_clusters
    if not splits:
        check = Check(NOT_APPLICABLE, "split clusters", "no cluster has two points")
        text = "no cluster has two points"
    else:
        text = split_counts_text(splits)
        check = combine([s.certificate for s in splits], "every split settled: exact cost equal to the bound and every "
                        "strict sign condition", "; ".join(f"cluster {s.cluster}, row {s.row + 1}: {s.verdict}"
                                                             for s in splits), scope=Scope.these_data())
    return Step(r"\theta_{-n} \in R_{-n},\ \mathcal{C}(\theta_{-n}) = B_{-n}",
                r"Layer 1 is $\lambda s(x) \mathbf{1} + c(x) - e_k$: $s$ a hyperplane cutting $x_n$ off, $c$ the "
                r"barycentric fit of the other points, $\lambda$ large. On the other points the coordinates of layer 1 sum "
                r"to $Q \lambda s(x)$, so $R = I - \mathbf{1}\mathbf{1}^T/Q$ decodes $c(x)$ there and $e_k$ at $x_n$: the "
                r"output map $Y R$ with bias $y_k$. Per cluster one split: the first point the LP cuts off, extreme "
                r"points first, each group by the leave-one-out drop of N1's residual (one local minimum per cluster, "
                rf"not the lowest). On these data: {text}.", check, key=True)


def derive(ctx):
    return RECIPE.derivation(data_steps((bound_step(), family_step(ctx))),
                             STATEMENT + ctx.cost.value_note("B_{-n}", short=True))


__all__ = ["derive", "ID", "TITLE", "STATEMENT"]


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
