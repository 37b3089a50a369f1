"""Mutation check: one sign broken in the forward pass, in the truncation map and in the Jacobian, in
turn; the claim checks must then fail (a suite that still passes would not be testing the core)."""

import pytest

from symgeom import Context, run_claims
from symgeom.numbers import arith
from symgeom.calculus import derivatives
from symgeom.model import network
from symgeom.certify.certificates import CERTIFIED, PROVED, REFUTED
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


def broken_backward(params, pattern):
    """The backward products with the sign of the last hidden layer's block flipped."""
    Ms = REAL_BACKWARD(params, pattern)
    return [-M if l == params.L - 1 else M for l, M in enumerate(Ms)]


MUTATIONS = {
    "forward": (network, "forward", broken_forward),
    "truncation": (TruncationMap, "__call__", broken_truncation),
    "jacobian": (derivatives, "_backward", broken_backward),
}


def assert_claims_hold(ctx):
    """The claim tests' core: no claim refuted, T1-T5 proved for all Q, every G- and N-claim certified (symgeom's own
    claims; the paper's statements have their verdicts in tests/paper/test_paper.py)."""
    from symgeom.claims.registry import claim_ids, paper_statement

    ds = {cid: run_claims(ctx, cid)[0] for cid in claim_ids() if not paper_statement(cid)}
    for d in ds.values():
        assert d.status != REFUTED, f"{d.id} refuted: {d.main.counterexample}"
        expected = PROVED if d.id.startswith("T") else CERTIFIED
        assert d.status == expected, (d.id, d.status)


@pytest.fixture(params=sorted(MUTATIONS))
def mutation(request, monkeypatch):
    target, name, broken = MUTATIONS[request.param]
    monkeypatch.setattr(target, name, broken)
    return request.param


def test_claims_hold_unmutated():
    assert_claims_hold(Context(example_data(2, 5), 2))


def test_each_mutation_fails_the_claims(mutation):
    with pytest.raises(AssertionError):
        assert_claims_hold(Context(example_data(2, 5), 2))
