"""Mutation check: one sign broken in the forward pass, in the truncation map, in the Jacobian and in the exact
output map on an activation pattern, in turn; each mutation must refute exactly the claims that rest on what it
breaks (a suite that still passes would not be testing the core, and one that refutes other claims would be
testing something else).

G1's certificate computes the network's output on each activation region through the exact affine map of that
pattern (:func:`symgeom.model.regions.affine_on_pattern`, behind the float filter), not through
:func:`symgeom.model.network.forward`; when the filter cannot certify, the exact computation through ``forward``
decides.  The two paths are independent on purpose (a certificate that recomputes the network its own way does not
inherit a bug of the forward pass), so each is shown here to catch the mutation of its own computation while the
other stays unaffected."""

import sys

import pytest

from symgeom import Context, run_claims
from symgeom.numbers import arith
from symgeom.calculus import derivatives, statistics
from symgeom.global_minima import minimizer
from symgeom.model import network, regions
from symgeom.certify.certificates import CERTIFIED, PROVED, REFUTED, UNDECIDED
from symgeom.claims.registry import claim_ids, paper_statement
from symgeom.data.clusters import example_data
from symgeom.model.truncation import TruncationMap


def broken_forward(params, X):
    """The forward pass with the output bias subtracted instead of added."""
    pre, xs = [], [X]
    for l, (W, b) in enumerate(zip(params.weights, params.biases), start=1):
        u = arith.matmul(W, xs[-1]) + (b[:, None] if l <= params.L else -b[:, None])
        pre.append(u)
        xs.append(arith.relu(u) if l <= params.L else u)
    return pre, xs


def broken_truncation(self, Z):
    """τ(z) = W⁻¹(σ(Wz + b) + b): the bias added back instead of subtracted."""
    b = self.b[:, None] if Z.ndim == 2 else self.b
    return arith.matmul(self.W_inv, arith.relu(arith.matmul(self.W, Z) + b) + b)


REAL_BACKWARD = derivatives._backward
REAL_AFFINE_ON_PATTERN = regions.affine_on_pattern
REAL_RESIDUAL_MOMENTS = statistics.residual_moments


def broken_backward(params, pattern):
    """The backward products with the sign of the last hidden layer's block flipped."""
    Ms = REAL_BACKWARD(params, pattern)
    return [-M if l == params.L - 1 else M for l, M in enumerate(Ms)]


def broken_affine_on_pattern(params, pattern, upto):
    """The exact affine map of an activation pattern with 1 added to the output's constant term."""
    A, c = REAL_AFFINE_ON_PATTERN(params, pattern, upto)
    return (A, c + 1) if upto == params.L + 1 else (A, c)


def broken_residual_moments(A, S, y):
    """A group's squared residual from its moments with the cross term added instead of subtracted."""
    total, cross = REAL_RESIDUAL_MOMENTS(A, S, y)
    return total + 4 * (y @ (A @ S)[:, -1]), cross


MUTATIONS = {
    "forward": (network, "forward", broken_forward),
    "truncation": (TruncationMap, "__call__", broken_truncation),
    "jacobian": (derivatives, "_backward", broken_backward),
    "output on a pattern": (regions, "affine_on_pattern", broken_affine_on_pattern),
    "cost from moments": (statistics, "residual_moments", broken_residual_moments),
}

REFUTED_BY = {
    "forward": {"T1", "N2"},
    "truncation": {"T1", "T2", "T3", "T4"},
    "jacobian": {"G3", "G4", "N1", "N2"},
    "output on a pattern": {"G1", "G3", "G4"},
    "cost from moments": {"N1", "N3"},
}

UNDECIDED_BY = {"cost from moments": {"N2", "N5"}}
"""Claims a mutation leaves undecided rather than refuted: a stratum point that fails its certificate is no
evidence against the stratum's minimum (N2 says ``undecided``), though it is no longer certified; likewise a split
point (N5)."""
"""The exact set of symgeom's own claims each mutation refutes on ``example_data(2, 5)`` at ``L = 2``: T1 compares
the forward pass with the recursive truncation, N1/N2/N3 evaluate their points' costs through the forward pass; T1–T4
evaluate the truncation maps; G3/G4 (Hessian ranks) and N1/N2 (tangent directions in the kernel of the Hessian)
use the Jacobian; G1 certifies its cost on each activation region, and G3/G4 build on G1's construction."""


def mutate(monkeypatch, target, name, broken):
    """Replace ``target.name`` by ``broken`` everywhere symgeom holds it (a module that imported the function by
    name holds its own reference), so the mutation reaches every caller."""
    original = getattr(target, name)
    monkeypatch.setattr(target, name, broken)
    if isinstance(target, type):
        return
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("symgeom") and module is not None:
            for attr, value in list(vars(module).items()):
                if value is original:
                    monkeypatch.setattr(module, attr, broken)


def own_claims(ctx, only=None) -> dict:
    """``{id: status}`` of symgeom's own claims (the paper's statements have their verdicts in
    tests/paper/test_paper.py)."""
    return {cid: run_claims(ctx, cid)[0].status for cid in claim_ids()
            if not paper_statement(cid) and (only is None or cid in only)}


def holding(cid: str) -> str:
    """The status of an own claim that holds: T1–T5 proved for all Q, every G- and N-claim certified."""
    return PROVED if cid.startswith("T") else CERTIFIED


def context():
    return Context(example_data(2, 5), 2)


def test_claims_hold_unmutated():
    assert own_claims(context()) == {cid: holding(cid) for cid in claim_ids() if not paper_statement(cid)}


@pytest.mark.parametrize("which", sorted(MUTATIONS))
def test_each_mutation_refutes_exactly_its_claims(which, monkeypatch):
    mutate(monkeypatch, *MUTATIONS[which])
    statuses = own_claims(context())
    assert {cid for cid, s in statuses.items() if s == REFUTED} == REFUTED_BY[which]
    undecided = UNDECIDED_BY.get(which, set())
    assert {cid for cid, s in statuses.items() if s == UNDECIDED} == undecided, statuses
    assert all(s == holding(cid) for cid, s in statuses.items() if cid not in REFUTED_BY[which] | undecided), statuses


@pytest.mark.parametrize("which, refuted", [("forward", True), ("output on a pattern", False)])
def test_g1_exact_path_catches_the_forward_mutation_alone(which, refuted, monkeypatch):
    """With the float filter off, G1 is certified through ``forward``: the forward mutation refutes it, and the
    mutation of the pattern's affine map (the filtered path) no longer touches it."""
    mutate(monkeypatch, *MUTATIONS[which])
    monkeypatch.setattr(minimizer, "_filtered_certificate_checks", lambda params, data, order: None)
    assert own_claims(context(), only={"G1"}) == {"G1": REFUTED if refuted else CERTIFIED}


def test_strata_exact_path_catches_the_forward_mutation(monkeypatch):
    """With the float filter off, the strata's costs come from ``forward``: the forward mutation refutes N1–N3."""
    mutate(monkeypatch, *MUTATIONS["forward"])
    monkeypatch.setattr(statistics, "cluster_regions", lambda params, data: None)
    statuses = own_claims(context(), only={"N1", "N2", "N3"})
    assert {cid for cid, s in statuses.items() if s == REFUTED} == {"N1", "N2", "N3"}, statuses
