"""An independent referee for symgeom's numbers: Python ``Fraction`` arithmetic and numpy only.

Nothing here calls symgeom.  Parameters arrive as lists of weight matrices and bias vectors (their entries are
read through their decimal text, ``Fraction(str(v))``), data as ``Q x N`` lists of Fractions.

- :func:`forward`: the network ``x^(ℓ) = σ(W_ℓ x^(ℓ-1) + b_ℓ)``, ``x^(L+1) = W_{L+1} x^(L) + b_{L+1}`` in Fractions,
  with every hidden pre-activation;
- :func:`cost`: ``C = (1/2N) Σ |x^(L+1) − y_j|²``;
- :func:`stratum_bound`: ``B_U = (1/2N) ‖Y_U^ext (I − Π_U)‖²``, ``Π_U`` the projector onto the row space of
  ``[X_U; 1ᵀ]``, by an exact row basis and exact normal equations;
- :func:`in_stratum`: the point-by-point definition of ``R_S`` (kept points strictly active in every hidden layer,
  each point of a truncated cluster strictly inactive in all coordinates of *some* layer);
- :func:`jacobian_mod`: the Jacobian ``∂x^(L+1)_n/∂θ`` of every point, stacked (``NQ x P``, the order of
  ``vec(W_1), b_1, …``), modulo a prime, from the chain rule on the activation pattern of the exact forward pass;
- :func:`rank_mod`: rank modulo a prime by Gaussian elimination (a lower bound of the rank over Q);
  :func:`exact_rank`: fraction-free (Bareiss) elimination over the integers, for confirmation;
- :func:`separable_point`: for ``S = {k}``, an explicit point of ``R_S`` of cost ``B_U`` whenever an LP finds an
  affine function positive on ``U`` and negative on cluster ``k`` (float LP proposes, Fractions decide).
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import numpy as np

PRIMES = (67108859, 67108837)
"""Two primes below ``2^26``: residues multiply in int64 without overflow (``< 2^52``, sums of a few terms)."""

ZERO, ONE = Fraction(0), Fraction(1)


def fr(v) -> Fraction:
    """A number read through its text (symgeom's exact rationals print as ``p/q``)."""
    return v if isinstance(v, Fraction) else Fraction(str(v))


def fmat(A) -> np.ndarray:
    """An object array of Fractions."""
    A = np.asarray(A, dtype=object)
    return np.vectorize(fr, otypes=[object])(A) if A.size else A


def forward(Ws, bs, X):
    """``(pre, out)``: the hidden pre-activations ``[W_ℓ x^(ℓ-1) + b_ℓ]`` (``L`` arrays ``Q x N``) and the output."""
    x, pre = fmat(X), []
    for W, b in zip(Ws[:-1], bs[:-1]):
        u = W.dot(x) + b.reshape(-1, 1)
        pre.append(u)
        x = np.where(u > 0, u, ZERO)
    return pre, Ws[-1].dot(x) + bs[-1].reshape(-1, 1)


def targets_ext(Y, labels) -> np.ndarray:
    """``Y^ext``: column ``n`` is ``y_{labels[n]}``."""
    return fmat(Y)[:, np.asarray(labels) - 1]


def point_weights(labels, paper: bool) -> np.ndarray:
    """``w_n``: ``1/2N`` for ``C = (1/2N) Σ |r_n|²``; ``1/N_j`` for the paper's ``C_N² = Σ_j (1/N_j) Σ_i |r_{j,i}|²``."""
    labels = np.asarray(labels)
    if not paper:
        return np.full(labels.size, Fraction(1, 2 * labels.size), dtype=object)
    sizes = {int(j): int((labels == j).sum()) for j in np.unique(labels)}
    return np.array([Fraction(1, sizes[int(j)]) for j in labels], dtype=object)


def cost(Ws, bs, X, labels, Y, paper: bool = False) -> Fraction:
    """``Σ_n w_n |x^(L+1)_n − y_{j(n)}|²`` (:func:`point_weights`: ``C`` or the paper's ``C_N²``)."""
    _, out = forward(Ws, bs, X)
    r = out - targets_ext(Y, labels)
    return sum((r * r).sum(axis=0) * point_weights(labels, paper), ZERO)


def _rref_rows(M: list) -> list:
    """Indices of a maximal set of linearly independent rows of ``M`` (exact, greedy in order)."""
    basis, keep = [], []
    for i, row in enumerate(M):
        v = list(row)
        for piv, b in basis:
            if v[piv] != 0:
                f = v[piv] / b[piv]
                v = [a - f * c for a, c in zip(v, b)]
        piv = next((c for c, a in enumerate(v) if a != 0), None)
        if piv is not None:
            basis.append((piv, v))
            keep.append(i)
    return keep


def solve(A: list, B: list) -> list:
    """``X`` with ``A X = B`` for an invertible square ``A`` (Gauss–Jordan in Fractions); ``B`` is ``n x m``."""
    n = len(A)
    M = [list(A[i]) + list(B[i]) for i in range(n)]
    for c in range(n):
        p = next(r for r in range(c, n) if M[r][c] != 0)
        M[c], M[p] = M[p], M[c]
        inv = 1 / M[c][c]
        M[c] = [a * inv for a in M[c]]
        for r in range(n):
            if r != c and M[r][c] != 0:
                f = M[r][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return [row[n:] for row in M]


def least_squares(X, labels, Y, U, w=None):
    """``(G, residual)``: an exact least-squares fit ``G = [A | c]`` (``Q x (Q+1)``) of the points of the clusters
    ``U`` to their targets, and ``Y_U^ext − G [X_U; 1ᵀ]`` (``Q x n_U``), from a row basis ``B`` of ``[X_U; 1ᵀ]``:
    ``C = T Bᵀ (B Bᵀ)⁻¹``, the residual of projecting each row of ``T = Y_U^ext`` onto the row space."""
    X = fmat(X)
    idx = np.flatnonzero(np.isin(labels, list(U)))
    Z = np.vstack([X[:, idx], np.full((1, idx.size), ONE, dtype=object)])
    T = targets_ext(Y, np.asarray(labels)[idx])
    rows = _rref_rows(Z.tolist())
    B = Z[rows]
    Bw = B if w is None else B * np.asarray(w, dtype=object)[idx]  # weighted normal equations C (B W Bᵀ) = T W Bᵀ
    gram = Bw.dot(B.T)
    C = np.array(solve(gram.tolist(), Bw.dot(T.T).tolist()), dtype=object).T  # Q x r
    G = np.full((T.shape[0], Z.shape[0]), ZERO, dtype=object)
    G[:, rows] = C
    return G, T - G.dot(Z)


def stratum_bound(X, labels, Y, U, paper: bool = False) -> Fraction:
    """``B_U``: the (weighted) least-squares residual of the clusters ``U`` alone, ``Σ_{n ∈ U} w_n |r_n|²`` with the
    weights of :func:`point_weights` (``1/2N``, ``N`` all points; or ``1/N_j``)."""
    w = point_weights(labels, paper)
    _, R = least_squares(X, labels, Y, U, w)
    return sum((R * R).sum(axis=0) * w[np.isin(labels, list(U))], ZERO)


def in_stratum(pre, labels, S) -> tuple[bool, str]:
    """``(holds, why not)``: the point-by-point ``R_S`` -- kept points have every hidden pre-activation ``> 0``; every
    point of a cluster in ``S`` has all pre-activations ``< 0`` in at least one hidden layer."""
    labels = np.asarray(labels)
    kept = ~np.isin(labels, list(S))
    for l, u in enumerate(pre, start=1):
        bad = np.flatnonzero(~(u[:, kept] > 0).all(axis=0))
        if bad.size:
            return False, f"kept point {int(np.flatnonzero(kept)[bad[0]])} not strictly active in layer {l}"
    for n in np.flatnonzero(~kept):
        if not any((u[:, n] < 0).all() for u in pre):
            return False, f"point {int(n)} of truncated cluster {int(labels[n])} strictly inactive in no layer"
    return True, ""


def all_nonzero(pre) -> bool:
    """No hidden pre-activation vanishes (the cost is smooth there)."""
    return all((u != 0).all() for u in pre)


def to_mod(A, p: int) -> np.ndarray:
    """Fractions modulo ``p`` (int64); raises when a denominator is divisible by ``p``."""
    A = np.asarray(A, dtype=object)
    flat = []
    for v in A.reshape(-1):
        v = fr(v)
        if v.denominator % p == 0:
            raise ZeroDivisionError(f"denominator divisible by {p}")
        flat.append(v.numerator % p * pow(v.denominator, -1, p) % p)
    return np.array(flat, dtype=np.int64).reshape(A.shape)


def jacobian_mod(Ws, bs, X, pre, p: int) -> np.ndarray:
    """``J`` (``NQ x P``, rows point by point): ``∂F_a/∂W_ℓ[i,j] = M_ℓ[a,i] x^(ℓ-1)_j`` and
    ``∂F_a/∂b_ℓ[i] = M_ℓ[a,i]``, ``M_{L+1} = I``, ``M_ℓ = (∂F/∂x^(ℓ)) D_ℓ`` with ``∂F/∂x^(L) = W_{L+1}`` and
    ``∂F/∂x^(ℓ-1) = M_ℓ W_ℓ``; ``D_ℓ`` the activation pattern of each point.  Modulo ``p``."""
    Q, N = len(Ws[0]), fmat(X).shape[1]
    L = len(Ws) - 1
    acts = [fmat(X)] + [np.where(u > 0, u, ZERO) for u in pre]
    acts = [to_mod(a, p) for a in acts]
    Wm = [to_mod(W, p) for W in Ws]
    M = [None] * (L + 1)
    M[L] = np.broadcast_to(np.eye(Q, dtype=np.int64), (N, Q, Q))
    G = np.broadcast_to(Wm[L], (N, Q, Q))
    for l in range(L - 1, -1, -1):
        D = np.array([(u > 0) for u in pre[l].T], dtype=np.int64)  # N x Q
        M[l] = G * D[:, None, :] % p
        G = np.matmul(M[l], Wm[l]) % p
    blocks = []
    for l in range(L + 1):
        dW = M[l][:, :, :, None] * acts[l].T[:, None, None, :] % p  # N x Q(a) x Q(i) x Q(j)
        blocks += [dW.reshape(N, Q, Q * Q), M[l]]
    return np.concatenate(blocks, axis=2).reshape(N * Q, -1)


def rank_mod(A: np.ndarray, p: int) -> int:
    """Rank of an int64 matrix modulo ``p`` (row reduction)."""
    A = np.array(A, dtype=np.int64) % p
    r = 0
    for c in range(A.shape[1]):
        nz = np.flatnonzero(A[r:, c])
        if nz.size == 0:
            continue
        piv = r + nz[0]
        A[[r, piv]] = A[[piv, r]]
        A[r] = A[r] * pow(int(A[r, c]), -1, p) % p
        below = np.flatnonzero(A[:, c])
        below = below[below != r]
        A[below] = (A[below] - A[below, c][:, None] * A[r]) % p
        r += 1
        if r == A.shape[0]:
            break
    return r


def exact_rank(A) -> int:
    """Rank over Q: each row scaled to integers, then fraction-free (Bareiss) elimination on Python integers."""
    rows = []
    for row in np.asarray(A, dtype=object).tolist():
        row = [fr(v) for v in row]
        m = lcm(*[v.denominator for v in row]) if row else 1
        rows.append([int(v * m) for v in row])
    n, r, prev = len(rows[0]) if rows else 0, 0, 1
    for c in range(n):
        piv = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        for i in range(r + 1, len(rows)):
            rows[i] = [(rows[r][c] * a - rows[i][c] * b) // prev for a, b in zip(rows[i], rows[r])]
        prev = rows[r][c]
        r += 1
    return r


def jacobian_rank(Ws, bs, X, pre) -> int:
    """``rank J`` certified from below: the larger of the ranks modulo :data:`PRIMES` (each is ``≤`` the rank over Q)."""
    return max(rank_mod(jacobian_mod(Ws, bs, X, pre, p), p) for p in PRIMES)


def kernel_vector(M: list) -> list:
    """A nonzero exact solution of ``M w = 0`` (``M`` has fewer independent rows than columns)."""
    rows = [list(r) for r in M]
    n = len(rows[0])
    piv_cols, r = [], 0
    for c in range(n):
        p = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        rows[r] = [a / rows[r][c] for a in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        piv_cols.append(c)
        r += 1
    free = next(c for c in range(n) if c not in piv_cols)
    w = [ZERO] * n
    w[free] = ONE
    for i, c in enumerate(piv_cols):
        w[c] = -rows[i][free]
    return w


def separating_function(X, labels, U, k):
    """``(a, β)`` in Fractions with ``a·x − β > 0`` on the clusters ``U`` and ``< 0`` on cluster ``k`` (exactly),
    proposed by a float LP (``a·x − β ≥ 1`` / ``≤ −1``), rounded, then checked; ``None`` when none is found."""
    from scipy.optimize import linprog

    Xf = np.asarray(fmat(X), dtype=float)
    Q = Xf.shape[0]
    labels = np.asarray(labels)
    pos, neg = Xf[:, np.isin(labels, list(U))], Xf[:, labels == k]
    A_ub = np.vstack([np.hstack([-pos.T, np.ones((pos.shape[1], 1))]), np.hstack([neg.T, -np.ones((neg.shape[1], 1))])])
    res = linprog(np.zeros(Q + 1), A_ub=A_ub, b_ub=-np.ones(A_ub.shape[0]), bounds=[(-1e6, 1e6)] * (Q + 1),
                  method="highs")
    if res.status != 0:
        return None
    v = [Fraction(float(t)).limit_denominator(10**9) for t in res.x]
    a, beta = np.array(v[:Q], dtype=object), v[Q]
    s = a.dot(fmat(X)) - beta
    if (s[np.isin(labels, list(U))] > 0).all() and (s[labels == k] < 0).all():
        return a, beta
    return None


def separable_point(X, labels, Y, k: int, L: int, paper: bool = False):
    """``(Ws, bs)``: a point of ``R_{{k}}`` with cost ``B_U`` (``U`` the other clusters), or ``None``.

    With ``ŷ = A x + c`` a least-squares fit of ``U``, ``w ⊥ span{y_j − y_k : j ∈ U}``, ``s(x) = a·x − β`` separating,
    ``F = I + (1 − w) e_mᵀ / w_m`` (so ``F w = 1``) and ``λ`` large: layer 1 ``F(ŷ(x) − y_k + λ s(x) w)`` (``> 0`` on
    ``U``, ``< 0`` on cluster ``k``), layers ``2..L`` ``σ(z + 1)``, output ``P F⁻¹ (z − (L−1)1) + y_k`` with ``P`` the
    projector onto ``w^⊥``: ``U ↦ ŷ(x)`` (fitted values of ``U`` lie in ``aff{y_j : j ∈ U}``), ``k ↦ y_k``."""
    Q = len(Y)
    U = [j for j in range(1, Q + 1) if j != k]
    sep = separating_function(X, labels, U, k)
    if sep is None:
        return None
    a, beta = sep
    Yf = fmat(Y)
    G, _ = least_squares(X, labels, Y, U, point_weights(labels, paper))
    A, c = G[:, :Q], G[:, Q]
    w = np.array(kernel_vector([(Yf[:, j - 1] - Yf[:, k - 1]).tolist() for j in U]), dtype=object)
    m = next(i for i in range(Q) if w[i] != 0)
    F = np.eye(Q, dtype=object) * ONE
    F[:, m] += (np.full(Q, ONE, dtype=object) - w) / w[m]
    Xf = fmat(X)
    g = F.dot(A.dot(Xf) + (c - Yf[:, k - 1]).reshape(-1, 1))  # F (ŷ(x) − y_k), Q x N
    s = a.dot(Xf) - beta
    labels = np.asarray(labels)
    need = [ZERO] + [-g[i, n] / s[n] for n in np.flatnonzero(labels != k) for i in range(Q)] \
        + [g[i, n] / -s[n] for n in np.flatnonzero(labels == k) for i in range(Q)]
    lam = max(need) + 1
    W1 = F.dot(A + lam * np.outer(w, a))
    b1 = F.dot(c - Yf[:, k - 1] - lam * beta * w)
    P = np.eye(Q, dtype=object) * ONE - np.outer(w, w) / w.dot(w)
    Finv = np.array(solve(F.tolist(), (np.eye(Q, dtype=object) * ONE).tolist()), dtype=object)
    Wout = P.dot(Finv)
    ones = np.full(Q, ONE, dtype=object)
    Ws = [W1] + [np.eye(Q, dtype=object) * ONE for _ in range(L - 1)] + [Wout]
    bs = [b1] + [ones.copy() for _ in range(L - 1)] + [Yf[:, k - 1] - Wout.dot((L - 1) * ones)]
    return Ws, bs
