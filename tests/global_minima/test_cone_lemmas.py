"""The G1 cone lemmas (symgeom.global_minima.cone_lemmas): the certificates must be able to fail, and the lemmas hold on
random instances computed here with numpy from the construction's own recipe for the rows."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symgeom.global_minima.cone_lemmas import Premise, cone_lemma_checks, positive_combination
from symgeom.global_minima.cones import complement_simplex


def test_every_lemma_is_proved():
    assert len(cone_lemma_checks()) == 14 and all(c.status == "proved" for c in cone_lemma_checks())


def test_positive_combination_refuses_what_does_not_follow():
    a, b = sp.symbols("a b", positive=True)
    x = sp.Symbol("x", real=True)
    p = Premise(a - b, "a >= b", strict=True)
    assert positive_combination("ok", 2 * a - 2 * b, [(2, p)], strict=True).status == "proved"
    assert positive_combination("wrong identity", 2 * a - b, [(2, p)], strict=True).status == "refuted"
    assert positive_combination("sign unknown", x * (a - b), [(x, p)], strict=False).status == "refuted"
    weak = Premise(a - b, "a >= b")
    assert positive_combination("not strict", a - b, [(1, weak)], strict=True).status == "refuted"


def test_membership_on_random_cones():
    """Rows h v + t g_i with the construction's t: every d with v.d > gamma|d| has W d > 0, and < -gamma|d|
    gives W d < 0 (at random directions in cones slightly inside the bound)."""
    rng = np.random.default_rng(0)
    for Q in (2, 3, 5, 8):
        for _ in range(20):
            n = rng.standard_normal(Q)
            h = np.linalg.norm(n)
            G = complement_simplex(n)
            gamma = rng.uniform(0.05, 0.9)
            t = gamma * np.max(np.abs(n)) / (Q * np.max(np.abs(G)))
            W = n[None, :] + t * G.T
            assert np.all(t * np.linalg.norm(G, axis=0) <= gamma * h + 1e-12)
            v = n / h
            for sign in (1, -1):
                u = rng.standard_normal(Q)
                u -= (u @ v) * v
                u /= np.linalg.norm(u) if np.linalg.norm(u) > 0 else 1
                ang = np.arctan(np.sqrt(1 - gamma**2) / gamma) * 0.999
                d = sign * (np.cos(ang) * v) + np.sin(ang) * u
                assert sign * (v @ d) > gamma * np.linalg.norm(d)
                assert np.all(sign * (W @ d) > 0)
