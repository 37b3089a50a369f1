"""The referee of the differential harness (tests/claims/test_no_false_word.py): symgeom's `check` run in-process on a
:class:`~generators.DataSet`, and every word it says held against tests/independent.py.

:class:`Referee` checks one exact run (refutations confirmed or not, ranks and nullities against the referee's
Jacobian ranks, bounds and costs against Fraction computations, ``not_reached`` against the referee's LP
construction); :func:`compare` holds the float run's words against the exact run's.  A :class:`Finding` is one false
word, printed with its data as CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

import independent as ind
from generators import DataSet

T_CLAIMS, G_CLAIMS, N_CLAIMS = ("T1", "T2", "T3", "T4", "T5"), ("G1", "G2", "G3", "G4"), ("N1", "N2")
STRONG = {"proved", "certified", "checked"}


@dataclass
class Finding:
    dataset: DataSet
    mode: str
    claim: str
    said: str
    truth: str

    def text(self) -> str:
        ds = self.dataset
        cmd = f"symgeom check --data data.csv{' --targets targets.csv' if ds.targets else ''} --L {ds.L}" + \
              (" --float" if self.mode == "float" else "")
        return (f"--- {ds.name}, Q = {ds.Q}, L = {ds.L}, {self.mode}: {self.claim}\n    symgeom said: {self.said}\n"
                f"    true: {self.truth}\n    re-run: {cmd}\n# data.csv\n{ds.csv()}"
                + (f"# targets.csv\n{ds.targets_csv()}" if ds.targets else ""))


# -- running symgeom in-process, as `check` does ---------------------------------------------
def run_check(ds: DataSet, mode: str, folder: Path, with_t: bool = True):
    """``(ctx, derivations)`` of ``symgeom check --data … --L … [--float]`` in-process (cli's parser, context and
    claim runner), or ``(None, message)`` when the data are refused."""
    from symgeom.cli import app as cli
    from symgeom.cli import loading
    from symgeom._errors import DataError, UsageError
    from symgeom.claims.registry import run_claims

    data = folder / "data.csv"
    data.write_text(ds.csv())
    argv = ["check", "--data", str(data), "--L", str(ds.L), "--json", "--quiet"]
    if ds.targets:
        (folder / "targets.csv").write_text(ds.targets_csv())
        argv += ["--targets", str(folder / "targets.csv")]
    if mode == "float":
        argv.append("--float")
    args = cli.build_parser().parse_args(argv)
    try:
        ctx = loading.make_context(args)
    except (DataError, UsageError) as e:
        return None, str(e)
    chosen = (T_CLAIMS if with_t else ()) + G_CLAIMS + (N_CLAIMS if ds.strata else ())
    return ctx, [d for cid in chosen for d in run_claims(ctx, cid)]


def fparams(params):
    """symgeom parameters as the referee's Fraction arrays ``(Ws, bs)``."""
    return [ind.fmat(W) for W in params.weights], [ind.fmat(b) for b in params.biases]


@dataclass
class Point:
    """The referee's view of one exported point."""

    cost: Fraction
    pre: list
    rank: int | None
    """``rank J`` (certified lower bound from two primes), ``None`` where a pre-activation vanishes."""


def look(params, X, labels, Y, paper: bool = False) -> Point:
    Ws, bs = fparams(params)
    pre, _ = ind.forward(Ws, bs, X)
    C = ind.cost(Ws, bs, X, labels, Y, paper)
    return Point(C, pre, ind.jacobian_rank(Ws, bs, X, pre) if ind.all_nonzero(pre) else None)


def collapsed_clusters(pre, labels) -> bool:
    """Every cluster has a first hidden layer where all its points are strictly inactive in every coordinate, the
    same layer for all its points: after it their activations coincide (0), before it they pass no derivative, so
    the points of a cluster share one Jacobian and ``rank J ≤ Q²``."""
    labels = np.asarray(labels)
    for j in np.unique(labels):
        dead = [tuple(bool((u[:, n] < 0).all()) for u in pre) for n in np.flatnonzero(labels == j)]
        firsts = {d.index(True) if True in d else None for d in dead}
        if len(firsts) != 1 or None in firsts:
            return False
    return True


def confirmed_rank(params, X, pre, reported: int) -> int:
    """The exact rank of ``J`` when the modular ranks disagree with ``reported`` (Bareiss on the exact Jacobian,
    built by exact central differences: on a fixed activation pattern the outputs are affine in each parameter)."""
    return ind.exact_rank(exact_jacobian(*fparams(params), X, pre))


def exact_jacobian(Ws, bs, X, pre) -> np.ndarray:
    """``J`` (``NQ x P``) in Fractions, column by column, ``(F(θ + t e_i) − F(θ − t e_i)) / 2t`` with ``t`` small enough
    to keep every pre-activation's sign (the outputs are affine in each single parameter on a fixed pattern)."""
    L = len(Ws) - 1
    t = Fraction(1, 10**12)
    cols = []
    for l in range(L + 1):
        for which in ("W", "b"):
            shape = Ws[l].shape if which == "W" else bs[l].shape
            for idx in np.ndindex(*shape):
                outs = []
                for sgn in (1, -1):
                    W2, b2 = [W.copy() for W in Ws], [b.copy() for b in bs]
                    (W2 if which == "W" else b2)[l][idx] += sgn * t
                    p2, o2 = ind.forward(W2, b2, X)
                    assert all(((a > 0) == (u > 0)).all() and ((a < 0) == (u < 0)).all() for a, u in zip(p2, pre))
                    outs.append(o2)
                cols.append(((outs[0] - outs[1]) / (2 * t)).T.reshape(-1))
    return np.stack(cols, axis=1)


# -- the referee ---------------------------------------------------------------------------
class Referee:
    """Checks one exact run; ``findings`` collects every false word, ``facts`` what it established."""

    def __init__(self, ds: DataSet, ctx, derivations):
        self.ds, self.ctx, self.by_id = ds, ctx, {d.id: d for d in derivations}
        self.X, self.Y, self.labels = ds.X(), ds.Y(), list(ds.labels)
        self.findings: list[Finding] = []
        self.facts: dict = {}

    def say(self, claim, said, truth):
        self.findings.append(Finding(self.ds, "exact", claim, said, truth))

    def rank_of(self, params, point: Point, reported_rank: int, what: str) -> int:
        """The referee's rank; where the modular rank falls short of ``reported_rank``, the exact rank decides."""
        if point.rank is not None and point.rank < reported_rank and params.count <= 120:
            return confirmed_rank(params, self.X, point.pre, reported_rank)
        return point.rank

    def global_minimizer(self):
        ctx, Q, L = self.ctx, self.ds.Q, self.ds.L
        if ctx.unavailable() is not None:
            return
        fam, deg = ctx.minimizer, ctx.degeneracy
        params = fam.member()
        pt = look(params, self.X, self.labels, self.Y)
        dim = L * (Q * Q + Q) + Q
        self.facts["G"] = pt
        if pt.cost != 0:
            self.say("G1 exported point", "cost 0", f"cost {pt.cost}")
        if pt.rank is None:
            self.say("G1 exported point", "strict sign conditions", "a hidden pre-activation is 0")
            return
        r = self.rank_of(params, pt, deg.hessian_rank, "H")
        self.facts["G_rank"] = r
        exactly = ""
        if r == Q * Q and collapsed_clusters(pt.pre, self.labels):
            exactly = "; exactly, since each cluster dies in one layer, so its points share their Jacobian: rank <= Q^2"
        if deg.hessian_rank != r:
            self.say("G3 hessian_rank / hessian_nullity", f"rank {deg.hessian_rank}, nullity {deg.nullity}",
                     f"rank J = rank H = {r}, nullity {params.count - r} (Fraction pass, rank >= {r} modulo "
                     f"{ind.PRIMES}{exactly})")
        if deg.jacobian_rank != r:
            self.say("G3 rank J_F", f"{deg.jacobian_rank}", f"{r} (all points of a cluster share their Jacobian here)")
        self.tangent_blocks(fam, params, deg)
        for cid in ("G3", "G4"):
            d = self.by_id.get(cid)
            if d is not None and d.status == "refuted" and params.count - r == dim:
                self.say(cid, f"refuted: {d.main.counterexample}", f"nullity {params.count - r} = L(Q^2+Q)+Q = {dim}: holds")
            if d is not None and d.status in STRONG and params.count - r != dim:
                self.say(cid, d.status, f"nullity {params.count - r} != L(Q^2+Q)+Q = {dim}")

    def tangent_blocks(self, fam, params, deg):
        """Each block's added rank (symgeom's directions, the referee's rank mod p) and ``J V = 0`` mod p."""
        from symgeom.global_minima.degeneracy import TANGENT_BLOCKS, tangent_blocks

        if not params.kind.is_exact:
            return
        blocks = tangent_blocks(fam, params, self.ctx.data)
        V = np.hstack([blocks[n] for n in TANGENT_BLOCKS])
        Ws, bs = fparams(params)
        p = ind.PRIMES[0]
        Vm = ind.to_mod(V, p)
        J = ind.jacobian_mod(Ws, bs, self.X, self.facts["G"].pre, p)
        if (np.matmul(J, Vm) % p).any():
            self.say("G4 tangent directions", "J_F V = 0", f"J V != 0 modulo {p}")
        width, before = 0, 0
        for name in TANGENT_BLOCKS:
            width += blocks[name].shape[1]
            r = ind.rank_mod(ind.to_mod(V[:, :width], p), p)  # a lower bound; the counts it is held to are exact
            if deg.block_counts.get(name) is not None and deg.block_counts[name] != r - before:
                self.say(f"G4 rank added by the {name} directions", f"{deg.block_counts[name]}", f"{r - before}")
            before = r

    def strata(self):
        try:
            from symgeom.local_minima.strata import minimizer_dimension
        except ImportError:  # no longer part of symgeom: no word of it to check
            minimizer_dimension = None
        ctx = self.ctx
        if not any(cid in self.by_id for cid in ("N1", "N2")):
            return
        for st in ctx.strata:
            label = "S = {" + ", ".join(map(str, st.truncated)) + "}"
            self.paper = getattr(getattr(st, "cost_kind", None), "value", "mean-squared") == "paper"
            B = ind.stratum_bound(self.X, self.labels, self.Y, st.kept, self.paper)
            if ind.fr(st.bound) != B:
                self.say(f"{label} bound B_U", str(st.bound), str(B))
            if st.minimizer is None:
                self.not_reached(st, label, B)
                continue
            pt = look(st.minimizer.params, self.X, self.labels, self.Y, self.paper)
            if ind.fr(st.cost) != pt.cost:
                self.say(f"{label} cost at the exported point", str(st.cost), str(pt.cost))
            inside, why = ind.in_stratum(pt.pre, self.labels, st.truncated)
            if st.verdict == "local_minimum" and not (inside and pt.cost == B):
                self.say(f"{label} verdict", "local_minimum", f"cost {pt.cost} vs B_U {B}; in R_S: {inside} {why}")
            if st.verdict != "local_minimum" and inside and pt.cost == B:
                self.say(f"{label} verdict", f"{st.verdict} ({st.reason})",
                         f"its own exported point has cost B_U = {B} and lies in R_S (point by point)")
            self.nullities(st, label, pt, inside and pt.cost == B)
            if minimizer_dimension and inside and pt.cost == B and pt.rank is not None and st.hessian_nullity is not None:
                m = minimizer_dimension(ctx.data, ctx.L, st.kept, len(st.truncated))
                r = self.rank_of(st.minimizer.params, pt, st.minimizer.params.count - st.hessian_nullity, "H")
                if m != st.minimizer.params.count - r:
                    self.say(f"{label} symgeom.local_minima.strata.minimizer_dimension", f"{m}",
                             f"dim ker H = {st.minimizer.params.count - r} (and check reports {st.manifold_dimension})")

    def nullities(self, st, label, pt: Point, at_minimum: bool):
        """At a point of ``R_S`` with ``C = B_U`` the residual term of the Hessian vanishes (normal equations of
        ``U``, zero residuals on ``S``), so ``nullity H = P − rank J``."""
        if st.hessian_nullity is None or not self.ctx.data.kind.is_exact:
            return
        params = st.minimizer.params
        if not at_minimum or pt.rank is None:
            self.say(f"{label} hessian_nullity", f"{st.hessian_nullity}",
                     "no Hessian of that form: " + ("not a point of R_S at B_U" if not at_minimum else "a pre-activation is 0"))
            return
        r = self.rank_of(params, pt, params.count - st.hessian_nullity, "H")
        if st.hessian_nullity != params.count - r:
            self.say(f"{label} hessian_nullity", f"{st.hessian_nullity}", f"{params.count - r} (P - rank J, rank J = {r})")
        if st.manifold_dimension is not None and st.manifold_dimension != params.count - r:
            self.say(f"{label} manifold_dimension", f"{st.manifold_dimension}", f"dim ker H = {params.count - r}")

    def not_reached(self, st, label, B):
        """``not_reached`` for ``S = {k}``: the referee's own construction decides."""
        if len(st.truncated) != 1 or st.L < 1:
            return
        k = st.truncated[0]
        made = ind.separable_point(self.X, self.labels, self.Y, k, st.L, self.paper)
        if made is None:
            return
        Ws, bs = made
        pre, _ = ind.forward(Ws, bs, self.X)
        C = ind.cost(Ws, bs, self.X, self.labels, self.Y, self.paper)
        inside, _ = ind.in_stratum(pre, self.labels, st.truncated)
        if inside and C == B:
            self.say(f"{label} verdict", f"{st.verdict} ({st.reason})",
                     f"reached: an LP separates cluster {k} from U; the explicit point (layer 1 collapses cluster {k}, "
                     f"output on w^perp) has exact cost {C} = B_U and lies in R_S")

    def refutations(self):
        """Every ``refuted`` claim must be confirmed by the referee."""
        for cid, d in self.by_id.items():
            if d.status != "refuted":
                continue
            if cid in ("G3", "G4") and "G_rank" in self.facts:
                continue  # decided in global_minimizer against the referee's nullity
            if cid == "G1" and "G" in self.facts and self.facts["G"].cost != 0:
                continue
            self.say(cid, f"refuted: {d.main.counterexample}", "no independent confirmation of this counterexample")


def referee(ds, ctx, derivations) -> list[Finding]:
    r = Referee(ds, ctx, derivations)
    r.global_minimizer()
    r.strata()
    r.refutations()
    return r.findings


# -- float against exact ----------------------------------------------------------------------
def agree(exact: str, flt: str) -> bool:
    """Float agrees with exact: the same word, both in {proved, certified, checked}, or float ``undecided``."""
    return flt == exact or flt == "undecided" or (exact in STRONG and flt in STRONG)


def compare(ds, exact, flt) -> list[Finding]:
    """The float run's words against the exact run's."""
    (ectx, eder), (fctx, fder) = exact, flt
    out = []
    fby = {d.id: d for d in fder}
    for d in eder:
        f = fby.get(d.id)
        if f is not None and not agree(d.status, f.status):
            out.append(Finding(ds, "float", d.id, f"{f.status}: {f.main.counterexample or f.main.detail}",
                               f"exact says {d.status}"))
    if any(d.id in ("N1", "N2") for d in eder):
        for es, fs in zip(ectx.strata, fctx.strata):
            label = "S = {" + ", ".join(map(str, es.truncated)) + "}"
            if not agree(es.certificate.status, fs.certificate.status):
                out.append(Finding(ds, "float", f"{label} verdict", f"{fs.verdict} ({fs.certificate.status}: {fs.reason})",
                                   f"exact: {es.verdict} ({es.certificate.status})"))
            if es.hessian_nullity is not None and fs.hessian_nullity is not None and es.hessian_nullity != fs.hessian_nullity:
                out.append(Finding(ds, "float", f"{label} hessian_nullity", str(fs.hessian_nullity),
                                   f"exact: {es.hessian_nullity}"))
    if ectx.unavailable() is None and fctx.unavailable() is None:
        e, f = ectx.degeneracy, fctx.degeneracy
        if f.checks["hessian_rank"].status != "undecided" and e.nullity != f.nullity:
            out.append(Finding(ds, "float", "G3 hessian_nullity", f"{f.nullity}", f"exact: {e.nullity}"))
    return out
