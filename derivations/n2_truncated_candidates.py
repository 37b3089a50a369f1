"""N2 -- the ``2^Q − 1`` announced local minima, read as the candidates that collapse the clusters
of a proper subset ``S`` and fit the output map by least squares.  Each is settled in the full
parameter space; where the verdicts differ from the announcement, the report says what would
have to be true for it to hold."""

from __future__ import annotations

from symgeom.certificates import CERTIFIED, NOT_APPLICABLE, REFUTED, Check, Derivation, Step, combine

ID = "N2"
TITLE = "The 2^Q - 1 announced local minima"
STATEMENT = (
    r"(Our reading of the abstract.) For every proper subset $S \subsetneq \{1, \dots, Q\}$, the configuration that "
    r"collapses the clusters of $S$ (one per layer), keeps every other point strictly inside the open forward cones "
    r"and uses the least-squares output map is a local minimum of $\mathcal{C}$ in the full parameter space."
)


def as_claim(v) -> Check:
    """A verdict read against the claim "this candidate is a local minimum"."""
    c = v.certificate
    if v.verdict == "local_minimum":
        return Check(c.status, c.method, c.detail, c.residual, c.margin, c.tolerance)
    if v.verdict in ("not_critical", "saddle"):
        carriers = ", ".join(f"{n} = {x:.3g}" for n, x in v.gradient_carriers)
        why = (f"exact nonzero gradient, |grad C| = {v.gradient_norm:.3g} ({carriers}); a step along -grad C lowers "
               "the cost" if v.verdict == "not_critical" else "a direction of negative curvature lowers the cost")
        return Check(REFUTED, c.method, c.detail, c.residual, c.margin, c.tolerance,
                     counterexample=f"S = {v.candidate.label}: {why}")
    return Check(NOT_APPLICABLE, c.method, f"undecided: {c.detail}")


def derive(ctx) -> Derivation:
    verdicts = ctx.local_minima
    if not isinstance(verdicts, list):
        return Derivation(ID, TITLE, STATEMENT, (Step(r"\text{N2}", "The candidates cannot be built here.",
                                                      Check(NOT_APPLICABLE, "construction", str(verdicts)), key=True),))
    steps = []
    for v in verdicts:
        claim = as_claim(v)
        steps.append(Step(rf"S = {_set(v.candidate.truncated)}:\ \mathcal{{C}} \approx {float(v.candidate.cost):.6g},\ "
                          rf"\text{{{v.verdict.replace('_', ' ')}}}",
                          f"Candidate S = {v.candidate.label}: {v.certificate.method}.", claim, key=True))
    restricted = combine([v.output_layer_minimum for v in verdicts],
                         "every candidate: gradient with respect to the output layer exactly zero")
    steps.append(Step(r"\nabla_{W_{L+1}, b_{L+1}} \mathcal{C} = 0 \text{ for every } S",
                      "What does hold: each candidate minimizes the cost restricted to the output layer (a convex "
                      "quadratic there). The announcement would hold for the cost restricted to the output layer, "
                      "or with the hidden layers held fixed.", restricted))
    count = sum(v.verdict == "local_minimum" for v in verdicts)
    steps.append(Step(rf"\#\{{\text{{local minima among the candidates}}\}} = {count} \text{{ of }} {len(verdicts)}",
                      "The tally.", Check(CERTIFIED if ctx.kind == "exact" else "checked", "count of the verdicts above",
                                          ", ".join(f"{v.candidate.label}: {v.verdict}" for v in verdicts),
                                          tolerance=None if ctx.kind == "exact" else 0)))
    return Derivation(ID, TITLE, STATEMENT, tuple(steps))


def _set(S) -> str:
    return r"\{" + ", ".join(map(str, S)) + r"\}" if S else r"\emptyset"
