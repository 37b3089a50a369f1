"""Re-check symgeom's certificates without symgeom: ``python3 -I -S verify.py [FILE ...]``.

Standard library only.  Every number is an exact rational (``fractions.Fraction``); nothing a
certificate claims is trusted: each claim is recomputed from the certificate's own data and
parameters.  With no FILE, every ``*.json`` certificate in this file's folder is checked.  One line
per certificate; exit status 0 when all hold, 1 when any fails (2 when none is found).

The mathematics each check relies on:

* Network.  ``x⁽⁰⁾ = x``, ``x⁽ˡ⁾ = σ(W_ℓ x⁽ˡ⁻¹⁾ + b_ℓ)`` for the hidden layers ``ℓ = 1..L`` with
  ``σ(u)_i = max(u_i, 0)``, output ``W_{L+1} x⁽ᴸ⁾ + b_{L+1}``.
* Costs.  Both are ``C = Σ_n w_n |r_n|²`` over the points ``n`` with residual ``r_n`` = output minus
  the target of the point's cluster: ``"paper"`` is the square ``C_N²`` of the paper's cost, with
  ``w_n = 1/N_j`` for a point of cluster ``j``; ``"mean-squared"`` has ``w_n = 1/(2N)``.
* Global minimum.  ``C ≥ 0``, so a point with ``C = 0`` exactly is a global minimum.
* Stratum local minimum (``S`` truncated, ``U`` kept).  If every point of ``U`` has every hidden
  pre-activation ``> 0``, the strict inequalities hold near the parameters (pre-activations are
  continuous in them), and there the network on ``U`` is an affine map ``x ↦ A x + c``.  So near the
  point ``C ≥ Σ_{n∈U} w_n |A x_n + c − y_n|² ≥ B_U := min over (A, c)`` of that sum: a point with ``C =
  B_U`` is a local minimum.  ``B_U`` is recomputed from the normal equations ``[A c] M = R``, ``M = Σ w_n z_n z_nᵀ``,
  ``R = Σ w_n y_n z_nᵀ``, ``z_n = (x_n, 1)``: always consistent, any solution (Gaussian elimination) attains it.
  The region ``R_S`` is checked too: every point of a truncated cluster has all pre-activations ``< 0`` in the
  layer the certificate names for it.
* Empty stratum.  A point ``x_r`` of a truncated cluster equal to ``Σ λ_n x_n`` (``λ_n ≥ 0``, ``Σ λ_n = 1``) over
  kept points: pre-activations are affine in a layer's input, so where every kept point is strictly active in
  layers ``1..ℓ`` their inputs combine the same way, and ``x_r``'s pre-activations in layer ``ℓ`` are convex
  combinations of positive numbers: never inactive where ``U`` is active, so no parameter lies in ``R_S``.  With
  ``L = 1`` a convex combination of truncated points (each dies in the one layer) may stand for ``x_r``.
* Rank (G3).  At a zero-cost point where every cluster ``k`` is strictly inactive in a layer ``ℓ_k``
  and the pre-activations of its image ``x⁽ˡᵏ⁾ = 0`` after it are nonzero, all points of ``k`` share one
  output ``F_k(θ)``, smooth near the point, and there ``C⁻¹(0) = F⁻¹(Y)``.  ``J_F`` (``Q² x P``; for one
  point per cluster ``∂F/∂W_ℓ[a,b] = M_ℓ[:,a] x⁽ˡ⁻¹⁾_b``, ``∂F/∂b_ℓ = M_ℓ``, ``M_{L+1} = I``, ``M_ℓ =
  M_{ℓ+1} W_{ℓ+1} D_ℓ``, ``D_ℓ`` = diag(pre-activation > 0)) is recomputed, its rank found by Gaussian
  elimination.  Rank ``Q²`` makes ``F`` a submersion: near the point ``C⁻¹(0)`` is a manifold of
  dimension ``P − Q²`` (regular value theorem).
* Binding.  ``N``, the cluster sizes and ``data_sha256`` (SHA-256 of the data's canonical JSON) must
  match the data inside the certificate: a removed or moved point is detected.
"""

import hashlib
import json
import sys
from fractions import Fraction
from pathlib import Path

__all__ = ["FORMAT", "VERSION", "Failed", "canonical_sha256", "verify", "main"]  # a script; these are its entry points
FORMAT, VERSION = "symgeom-certificate", 1


class Failed(Exception):
    """A check that does not hold; its text names the check."""


def number(text):
    """An exact rational from its text (``"3"``, ``"-1/7"``, ``"0.25"``); anything else fails."""
    if not isinstance(text, str) or len(text) > 100000:
        raise Failed(f"not a number written as text: {str(text)[:40]!r}")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise Failed(f"not a number: {text[:40]!r}") from None


def matrix(rows, n_rows, n_cols, what):
    """A list of ``n_rows`` rows of ``n_cols`` exact numbers."""
    if not isinstance(rows, list) or len(rows) != n_rows or any(not isinstance(r, list) or len(r) != n_cols for r in rows):
        raise Failed(f"{what} is not a {n_rows} x {n_cols} table")
    return [[number(v) for v in r] for r in rows]


def canonical_sha256(data):
    """SHA-256 of the data's canonical JSON (sorted keys, no blanks), as symgeom writes it."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def read_data(cert):
    """``(Q, points, labels, targets)`` of the certificate, with ``N``, sizes and digest checked."""
    Q, data = cert["Q"], cert["data"]
    if not isinstance(Q, int) or Q < 1:
        raise Failed(f"Q = {Q!r} is not a positive integer")
    labels = data["labels"]
    points = matrix(data["points"], len(labels), Q, "data points")
    targets = matrix(data["targets"], Q, Q, "targets")
    if any(not isinstance(j, int) or not 1 <= j <= Q for j in labels):
        raise Failed("a cluster label is not one of 1..Q")
    sizes = [labels.count(j) for j in range(1, Q + 1)]
    if cert["N"] != len(labels) or cert["sizes"] != sizes:
        raise Failed(f"the data hold N = {len(labels)} points of sizes {sizes}, the certificate claims "
                     f"N = {cert['N']}, sizes {cert['sizes']}")
    if canonical_sha256(data) != cert["data_sha256"] or min(sizes) < 1:
        raise Failed("data_sha256 does not match the data in the certificate" if min(sizes) else "a cluster has no point")
    return Q, points, labels, targets


def read_parameters(cert, Q):
    """``(weights, biases)``: ``L + 1`` square matrices and vectors of size ``Q``."""
    L, params = cert["L"], cert["parameters"]
    if not isinstance(L, int) or L < 1 or len(params["weights"]) != L + 1:
        raise Failed(f"parameters do not describe L = {L!r} hidden layers")
    weights = [matrix(W, Q, Q, f"W_{l}") for l, W in enumerate(params["weights"], 1)]
    return weights, matrix(params["biases"], L + 1, Q, "the biases")


def forward(weights, biases, x):
    """``(output, pre-activations of each hidden layer)`` of the point ``x``, exactly."""
    pre_all = []
    for W, b in zip(weights[:-1], biases[:-1]):
        pre_all.append([sum(w * v for w, v in zip(row, x)) + c for row, c in zip(W, b)])
        x = [max(u, 0) for u in pre_all[-1]]
    out = [sum(w * v for w, v in zip(row, x)) + c for row, c in zip(weights[-1], biases[-1])]
    return out, pre_all


def point_weights(cert, labels, sizes):
    """``w_n`` of the certificate's cost function for every point."""
    if (name := cert["cost_function"]) not in ("paper", "mean-squared"):
        raise Failed(f"unknown cost function {name!r}")
    return [Fraction(1, sizes[j - 1]) if name == "paper" else Fraction(1, 2 * len(labels)) for j in labels]


def echelon(M, R):
    """Gauss–Jordan elimination of ``M`` in place, each row operation repeated on the rows of ``R``; the pivot
    columns (their number is the rank of ``M``)."""
    pivots = []
    for col in range(len(M[0]) if M else 0):
        r = len(pivots)
        piv = next((i for i in range(r, len(M)) if M[i][col] != 0), None)
        if piv is None:
            continue
        M[r], M[piv], R[r], R[piv] = M[piv], M[r], R[piv], R[r]
        for i in range(len(M)):
            if i != r and M[i][col] != 0:
                f = M[i][col] / M[r][col]
                M[i], R[i] = [a - f * b for a, b in zip(M[i], M[r])], [a - f * b for a, b in zip(R[i], R[r])]
        pivots.append(col)
    return pivots


def weighted_least_squares(rows, Q):
    """``B_U = min over (A, c) of Σ w |A x + c − y|²`` over ``rows = [(w, x, y)]``, by the normal equations."""
    z = [(w, list(x) + [Fraction(1)], y) for w, x, y in rows]
    n = Q + 1
    M = [[sum(w * a[i] * a[k] for w, a, _ in z) for k in range(n)] for i in range(n)]
    R = [[sum(w * y[q] * a[i] for w, a, y in z) for q in range(Q)] for i in range(n)]
    pivots = echelon(M, R)  # the unknowns are the columns of [A c]^T
    if any(any(v != 0 for v in R[i]) for i in range(len(pivots), n)):
        raise Failed("the normal equations are inconsistent (cannot happen for least squares)")
    X = [[Fraction(0)] * Q for _ in range(n)]
    for i, col in enumerate(pivots):
        X[col] = [v / M[i][col] for v in R[i]]
    fit = lambda a: [sum(X[i][q] * a[i] for i in range(n)) for q in range(Q)]  # noqa: E731
    return sum(w * sum((u - v) ** 2 for u, v in zip(fit(a), y)) for w, a, y in z)


def check_cost(cert, Q, points, labels, targets):
    """The forward pass of every point, the cost, and the pre-activations (rows 1-based)."""
    weights, biases = read_parameters(cert, Q)
    w = point_weights(cert, labels, [labels.count(j) for j in range(1, Q + 1)])
    passes = [forward(weights, biases, x) for x in points]
    cost = sum(wn * sum((o - t) ** 2 for o, t in zip(out, targets[j - 1])) for wn, (out, _), j in zip(w, passes, labels))
    if cost != (claimed := number(cert["claim"]["cost"])):
        raise Failed(f"cost = {cost}, the certificate claims {claimed}")
    return cost, w, [pre for _, pre in passes]


def check_global(cert, Q, points, labels, targets):
    cost, _, pre = check_cost(cert, Q, points, labels, targets)
    if cost != 0:
        raise Failed(f"cost = {cost} is not 0")
    conditions, slack = check_collapses(cert["claim"]["collapse"], pre, labels, Q)
    return f"cost = 0 exactly (a global minimum), {conditions} strict sign conditions, min slack {slack}"


def check_collapses(collapse, pre, labels, Q):
    """Each cluster ``k`` with ``collapse[k] = ℓ`` has every point strictly inactive in hidden layer ``ℓ``."""
    conditions, slack = 0, None
    for k, layer in ((int(key), layer) for key, layer in collapse.items() if layer is not None):
        if not isinstance(layer, int) or not 1 <= layer <= len(pre[0]):
            raise Failed(f"cluster {k}'s collapsing layer {layer!r} is not a hidden layer")
        for n, j in enumerate(labels):
            if j == k:
                values = pre[n][layer - 1]
                if max(values) >= 0:
                    raise Failed(f"row {n + 1} (cluster {k}) is not strictly inactive in layer {layer}")
                conditions, slack = conditions + len(values), min(-max(values), -max(values) if slack is None else slack)
    return conditions, slack


def check_stratum(cert, Q, points, labels, targets):
    claim = cert["claim"]
    truncated, kept = sorted(claim["truncated"]), sorted(claim["kept"])
    if sorted(truncated + kept) != list(range(1, Q + 1)) or not kept:
        raise Failed(f"truncated {truncated} and kept {kept} do not split the clusters 1..{Q}, with U non-empty")
    cost, w, pre = check_cost(cert, Q, points, labels, targets)
    rows = [(w[n], points[n], targets[j - 1]) for n, j in enumerate(labels) if j in kept]
    if (bound := weighted_least_squares(rows, Q)) != number(claim["bound"]):
        raise Failed(f"B_U = {bound}, the certificate claims {claim['bound']}")
    if cost != bound:
        raise Failed(f"cost = {cost} differs from B_U = {bound}")
    conditions, slack, dies_in = 0, None, claim["dies_in"]
    for n, j in enumerate(labels):
        if j in kept:
            values = [u for layer in pre[n] for u in layer]
            if (low := min(values)) <= 0:
                raise Failed(f"kept row {n + 1} (cluster {j}) is not strictly active in every hidden layer")
        else:
            layer = dies_in.get(str(n + 1))
            if not isinstance(layer, int) or not 1 <= layer <= cert["L"]:
                raise Failed(f"no collapsing layer named for truncated row {n + 1} (cluster {j})")
            values = pre[n][layer - 1]
            if (low := -max(values)) <= 0:
                raise Failed(f"truncated row {n + 1} (cluster {j}) is not strictly inactive in layer {layer}")
        conditions, slack = conditions + len(values), low if slack is None else min(slack, low)
    return f"cost = B_U = {bound}, {conditions} strict sign conditions, min slack {slack}"


def convex_weights(weights, allowed, labels, what):
    """``{row: λ}`` read from the certificate: on points of the clusters ``allowed``, nonnegative, summing to 1."""
    weights = {int(r): number(v) for r, v in weights.items()}
    if any(not 1 <= r <= len(labels) or labels[r - 1] not in allowed for r in weights):
        raise Failed(f"a weight is on a point that is not {what}")
    if any(v < 0 for v in weights.values()) or sum(weights.values()) != 1:
        raise Failed(f"the {what} weights are not nonnegative with sum 1")
    return weights


def check_empty(cert, Q, points, labels, targets):
    claim, row = cert["claim"], cert["claim"].get("point")
    left = {str(row): "1"} if row is not None else claim["truncated_weights"]
    left = convex_weights(left, set(claim["truncated"]), labels, "truncated")
    if len(left) > 1 and cert["L"] != 1:
        raise Failed("several truncated points combine only with one hidden layer, where every one of them dies")
    weights = convex_weights(claim["weights"], set(claim["kept"]), labels, "kept")
    mix = lambda w: [sum(v * points[r - 1][c] for r, v in w.items()) for c in range(Q)]  # noqa: E731
    what = f"row {row}" if row is not None else f"a convex combination of {len(left)} truncated points (L = 1)"
    if mix(weights) != mix(left):
        raise Failed(f"the weights do not reproduce {what}")
    return f"{what} = a convex combination of {len(weights)} kept points: the stratum is empty"


def jacobian(weights, pre, x):
    """The ``Q x P`` Jacobian of the output at ``x`` in the parameters (module docstring), from its pre-activations."""
    inputs, Q = [x] + [[max(u, 0) for u in layer] for layer in pre], len(x)
    M, blocks = [[Fraction(int(i == j)) for j in range(Q)] for i in range(Q)], []
    for l in range(len(weights) - 1, -1, -1):  # M = M_{l+1}, the layer W_{l+1} with input x^(l)
        blocks.insert(0, [[m * v for m in row for v in inputs[l]] + row for row in M])
        if l:
            M = [[sum(row[a] * weights[l][a][c] for a in range(Q)) * (pre[l - 1][c] > 0) for c in range(Q)] for row in M]
    return [sum((b[q] for b in blocks), []) for q in range(Q)]


def check_rank(cert, Q, points, labels, targets):
    check_global(cert, Q, points, labels, targets)
    weights, biases = read_parameters(cert, Q)
    claim, rows = cert["claim"], []
    for k in range(1, Q + 1):
        layer, x = claim["collapse"].get(str(k)), points[labels.index(k)]
        if layer is None:
            raise Failed(f"cluster {k} is not collapsed: its points need not share one output near the point")
        pre = forward(weights, biases, x)[1]
        if any(u == 0 for values in pre[layer:] for u in values):
            raise Failed(f"cluster {k}'s image has a pre-activation 0 after layer {layer}: F_{k} is not smooth there")
        rows += jacobian(weights, pre, x)
    P, rank = len(rows[0]), len(echelon(rows, [[] for _ in rows]))
    if rank != claim["rank"] or rank != Q * Q or claim["dimension"] != P - rank:
        raise Failed(f"rank J_F = {rank} (Q^2 = {Q * Q}, P = {P}), the certificate claims rank {claim['rank']}, "
                     f"dimension {claim['dimension']}")
    return f"rank J_F = Q^2 = {rank} at a zero-cost point: near it C^-1(0) is a manifold of dimension {P - rank}"


CHECKS = {"global_minimum": check_global, "stratum_local_minimum": check_stratum, "empty_stratum": check_empty,
          "rank": check_rank}


def verify(path):
    """``(True, line)`` when the certificate at ``path`` holds, ``(False, line)`` naming the failed check."""
    try:
        cert = json.loads(Path(path).read_text(encoding="utf-8"))
        if cert.get("format") != FORMAT or cert.get("version") != VERSION or cert.get("kind") not in CHECKS:
            raise Failed(f"not a {FORMAT} of version {VERSION} of a known kind")
        return True, CHECKS[cert["kind"]](cert, *read_data(cert))
    except Failed as e:
        return False, str(e)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as e:
        return False, f"malformed certificate ({type(e).__name__}: {str(e)[:80]})"


def main(argv):
    paths = [Path(a) for a in argv] or sorted(p for p in Path(__file__).resolve().parent.glob("*.json"))
    if not paths:
        print("no certificate found")
        return 2
    results = [(path, *verify(path)) for path in paths]
    for path, ok, line in results:
        print(f"{'ok  ' if ok else 'FAIL'} {path.stem}: {line}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
