"""E2.58 -- the range (2.58) of Theorem 2.3: zero cost for every ``µ ∈ (−D, −2δ|u_Q|)^Q``, including the step
(4.59) (earlier collapse points stay in later forward cones), and the companion paper's range as the steelman."""

from __future__ import annotations

from dataclasses import replace

from symgeom.certify.certificates import CERTIFIED, REFUTED, UNDECIDED, Derivation, Step
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe

from . import _paper

ID = "E2.58"
PAPER = "Theorem 2.3, (2.58), (4.26), (4.59)"
TITLE = "(2.58): zero cost on the whole range of the collapse parameters"
STATEMENT = (
    r"The paper's (2.58): the construction of Theorem 2.3 reaches $C_N = 0$ for every $\mu \in (-D, -2\delta|u_Q|)^Q$, "
    r"$D$ the largest number with (4.26). Its step (4.59) keeps the earlier collapse points $\bar x_{0,j} - \mu_j f_j$, "
    r"$j < \ell$, fixed in layer $\ell$ without checking them against the forward cone of layer $\ell$."
)
INSTEAD = ("zero cost for |mu| small enough that every earlier collapse point stays in the later forward cones "
           "(e.g. the companion paper's 2 delta < |mu| < 3 delta with theta_* >= pi/2); on Q = 2 data part of (2.58) "
           "always fails, for every theta_0; on other data a failure is shown for symgeom's theta_0 = (pi - max "
           "theta_*,j)/2, and whether a smaller theta_0 (a shorter range) saves (2.58) there is not decided")


def derive(ctx) -> Derivation:
    _paper.require(ctx)
    c = _paper.choices(ctx)
    checks = {}
    for name in ("inner", "edge", "past_centroid", "companion"):
        shifts, ok = c[name]
        checks[name] = _paper.sign_check(ctx, shifts, _paper.run(ctx, shifts, ctx.L), name, ok)
    for name in ("edge", "past_centroid"):
        if checks[name].status == REFUTED and not c[name][1]:  # mu not certified in (2.58): refutes nothing
            checks[name] = replace(checks[name], status=UNDECIDED, counterexample=None)
    refuting = [checks[n] for n in ("edge", "past_centroid") if checks[n].status == REFUTED]
    # a statement for every mu of the range: samples that hold leave it undecided; one certified failure refutes it
    edge = refuting[0] if refuting else replace(
        checks["edge"], status=UNDECIDED if checks["edge"].status == CERTIFIED else checks["edge"].status,
        method=checks["edge"].method + "; at the sampled mu only, not every mu of (2.58)")
    steel = checks["companion"]
    if steel.status == REFUTED:  # the steelman failing refutes nothing of the paper
        steel = replace(steel, status=UNDECIDED, counterexample=None, detail=steel.detail + "; the steelman fails here")
    return RECIPE.derivation((
        Step(r"\mu_j = -\tfrac{3}{2} \cdot 2\delta|u_Q|", r"A $\mu$ well inside (2.58).", checks["inner"]),
        Step(rf"\mu_j \approx -0.97\,D,\ D \approx {c['D']:.6g}",
             r"A $\mu$ near the far end of (2.58), certified inside it (4.26) in balls; the step (4.59) is checked, not assumed.",
             edge, key=True),
        Step(r"\mu_j = -1.01\,|\bar x - \bar x_{0,j}|",
             r"Every collapse point just past the centroid $\bar x$ (certified inside (2.58) when so marked). "
             r"$D$ grows with the free constant $\theta_0$ of (4.24); symgeom takes $\theta_0 = (\pi - \max_j "
             r"\theta_{*,j})/2$. A failure here refutes (2.58) read for that $\theta_0$ (the theorem fixes no "
             r"$\theta_0$); a smaller $\theta_0$ shrinks $D$ and may leave this $\mu$ outside the range.",
             checks["past_centroid"]),
        Step(r"\mu_j \in (-3\delta, -2\delta)",
             r"Steelman: the companion paper (arXiv:2405.07098, its section 6) takes the collapse point at distance in "
             r"$(2\delta, 3\delta)$ and $\theta_* \ge \pi/2$; then every collapse point lies on the segment from its "
             r"mean to $\bar x$, inside every later cone. (For $Q \ge 3$ this range lies outside (2.58): "
             r"$3\delta < 2\delta\sqrt{Q}$.)", steel),
        Step(r"Q = 2:\ D = d - \delta/\sin(\theta_*/2) > d/2",
             r"For $Q = 2$, $d = |\bar x_{0,1} - \bar x_{0,2}|$: $f_2 = -f_1$ and (4.26) gives $D = d - \delta/\sin(\theta_*/2)$, "
             r"above $d/2$ because $\sin(\theta_*/2) > 4\delta/d$. For $\mu_1 = \mu_2 = -t$, $d/2 < t < D$, the first "
             r"collapse point minus the second is $-(2t - d) f_2$: strictly inside the backward cone of layer 2, so both "
             r"clusters end at one point and $C_N squared = |y_1 - y_2|^2 > 0$. Part of (2.58) fails on every $Q = 2$ data set."),
    ))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
