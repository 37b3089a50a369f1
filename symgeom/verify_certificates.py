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
  pre-activation ``> 0``, the strict inequalities hold on a neighbourhood of the parameters
  (pre-activations are continuous in them), and there the network restricted to ``U`` is the affine
  map ``x ↦ A x + c`` (``σ`` acts as the identity).  So near the point ``C ≥ Σ_{n∈U} w_n |A x_n + c −
  y_n|² ≥ B_U := min over (A, c)`` of that sum, the other points adding ``≥ 0``.  A point with ``C =
  B_U`` exactly is therefore a local minimum.  ``B_U`` is recomputed from the normal equations
  ``[A c] M = R`` with ``M = Σ w_n z_n z_nᵀ``, ``R = Σ w_n y_n z_nᵀ``, ``z_n = (x_n, 1)``: they are always
  consistent and any solution attains the minimum; Gaussian elimination finds one (free unknowns 0).
  The claimed region ``R_S`` is checked as well: every point of a truncated cluster has all
  pre-activations ``< 0`` in the layer the certificate names for it.
* Empty stratum.  A point ``x_r`` of a truncated cluster equal to ``Σ λ_n x_n`` with ``λ_n ≥ 0``,
  ``Σ λ_n = 1`` over kept points: pre-activations are affine in a layer's input, so when every kept
  point is strictly active in layers ``1..ℓ`` their layer inputs combine the same way and ``x_r``'s
  pre-activations in layer ``ℓ`` are a convex combination of positive numbers.  ``x_r`` is then never
  inactive where ``U`` is active: no parameter lies in ``R_S``.
* Binding.  ``N``, the cluster sizes and ``data_sha256`` (SHA-256 of the data's canonical JSON) must
  match the data inside the certificate: a removed or moved point is detected.
"""

import hashlib
import json
import sys
from fractions import Fraction
from pathlib import Path

__all__ = [
    "FORMAT", "VERSION", "KINDS", "Failed", "number", "matrix", "canonical_sha256", "read_data", "read_parameters",
    "forward", "point_weights", "squared", "weighted_least_squares", "check_cost", "check_global",
    "check_collapses", "check_stratum", "check_empty", "CHECKS", "verify", "main",
]

FORMAT, VERSION = "symgeom-certificate", 1
KINDS = ("global_minimum", "stratum_local_minimum", "empty_stratum")


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
    if canonical_sha256(data) != cert["data_sha256"]:
        raise Failed("data_sha256 does not match the data in the certificate")
    if min(sizes) < 1:
        raise Failed("a cluster has no point")
    return Q, points, labels, targets


def read_parameters(cert, Q):
    """``(weights, biases)``: ``L + 1`` square matrices and vectors of size ``Q``."""
    L, params = cert["L"], cert["parameters"]
    if not isinstance(L, int) or L < 1 or len(params["weights"]) != L + 1 or len(params["biases"]) != L + 1:
        raise Failed(f"parameters do not describe L = {L!r} hidden layers")
    weights = [matrix(W, Q, Q, f"W_{l}") for l, W in enumerate(params["weights"], 1)]
    biases = [[number(v) for v in b] for b in params["biases"]]
    if any(len(b) != Q for b in biases):
        raise Failed("a bias is not a vector of size Q")
    return weights, biases


def forward(weights, biases, x):
    """``(output, pre-activations of each hidden layer)`` of the point ``x``, exactly."""
    pre_all = []
    for W, b in zip(weights[:-1], biases[:-1]):
        pre = [sum(w * v for w, v in zip(row, x)) + c for row, c in zip(W, b)]
        pre_all.append(pre)
        x = [max(u, 0) for u in pre]
    out = [sum(w * v for w, v in zip(row, x)) + c for row, c in zip(weights[-1], biases[-1])]
    return out, pre_all


def point_weights(cert, labels, sizes):
    """``w_n`` of the certificate's cost function for every point."""
    name = cert["cost_function"]
    if name == "paper":
        return [Fraction(1, sizes[j - 1]) for j in labels]
    if name == "mean-squared":
        return [Fraction(1, 2 * len(labels))] * len(labels)
    raise Failed(f"unknown cost function {name!r}")


def squared(r):
    return sum(v * v for v in r)


def weighted_least_squares(rows, Q):
    """``B_U = min over (A, c) of Σ w |A x + c − y|²`` over ``rows = [(w, x, y)]``, by the normal equations."""
    z = [(w, list(x) + [Fraction(1)], y) for w, x, y in rows]
    n = Q + 1
    M = [[sum(w * a[i] * a[k] for w, a, _ in z) for k in range(n)] for i in range(n)]
    R = [[sum(w * y[q] * a[i] for w, a, y in z) for q in range(Q)] for i in range(n)]
    pivots, r = [], 0  # eliminate on [M | R], the unknowns being the columns of [A c]^T
    for col in range(n):
        piv = next((i for i in range(r, n) if M[i][col] != 0), None)
        if piv is None:
            continue
        M[r], M[piv], R[r], R[piv] = M[piv], M[r], R[piv], R[r]
        for i in range(n):
            if i != r and M[i][col] != 0:
                f = M[i][col] / M[r][col]
                M[i] = [a - f * b for a, b in zip(M[i], M[r])]
                R[i] = [a - f * b for a, b in zip(R[i], R[r])]
        pivots.append(col)
        r += 1
    if any(any(v != 0 for v in R[i]) for i in range(r, n)):
        raise Failed("the normal equations are inconsistent (cannot happen for least squares)")
    X = [[Fraction(0)] * Q for _ in range(n)]
    for i, col in enumerate(pivots):
        X[col] = [v / M[i][col] for v in R[i]]
    fit = lambda a: [sum(X[i][q] * a[i] for i in range(n)) for q in range(Q)]  # noqa: E731
    return sum(w * squared([u - v for u, v in zip(fit(a), y)]) for w, a, y in z)


def check_cost(cert, Q, points, labels, targets):
    """The forward pass of every point, the cost, and the pre-activations (rows 1-based)."""
    weights, biases = read_parameters(cert, Q)
    sizes = [labels.count(j) for j in range(1, Q + 1)]
    w = point_weights(cert, labels, sizes)
    passes = [forward(weights, biases, x) for x in points]
    cost = sum(wn * squared([o - t for o, t in zip(out, targets[j - 1])]) for wn, (out, _), j in zip(w, passes, labels))
    claimed = number(cert["claim"]["cost"])
    if cost != claimed:
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
    for key, layer in collapse.items():
        k = int(key)
        if layer is None:
            continue
        for n, j in enumerate(labels):
            if j == k:
                values = pre[n][layer - 1]
                if max(values) >= 0:
                    raise Failed(f"row {n + 1} (cluster {k}) is not strictly inactive in layer {layer}")
                conditions += len(values)
                slack = min(-max(values), slack) if slack is not None else -max(values)
    return conditions, slack


def check_stratum(cert, Q, points, labels, targets):
    claim = cert["claim"]
    truncated, kept = sorted(claim["truncated"]), sorted(claim["kept"])
    if sorted(truncated + kept) != list(range(1, Q + 1)) or not kept:
        raise Failed(f"truncated {truncated} and kept {kept} do not split the clusters 1..{Q}, with U non-empty")
    cost, w, pre = check_cost(cert, Q, points, labels, targets)
    rows = [(w[n], points[n], targets[j - 1]) for n, j in enumerate(labels) if j in kept]
    bound = weighted_least_squares(rows, Q)
    if bound != number(claim["bound"]):
        raise Failed(f"B_U = {bound}, the certificate claims {claim['bound']}")
    if cost != bound:
        raise Failed(f"cost = {cost} differs from B_U = {bound}")
    conditions, slack = 0, None
    dies_in = claim["dies_in"]
    for n, j in enumerate(labels):
        if j in kept:
            values = [u for layer in pre[n] for u in layer]
            if min(values) <= 0:
                raise Failed(f"kept row {n + 1} (cluster {j}) is not strictly active in every hidden layer")
            low = min(values)
        else:
            layer = dies_in.get(str(n + 1))
            if not isinstance(layer, int) or not 1 <= layer <= cert["L"]:
                raise Failed(f"no collapsing layer named for truncated row {n + 1} (cluster {j})")
            values = pre[n][layer - 1]
            if max(values) >= 0:
                raise Failed(f"truncated row {n + 1} (cluster {j}) is not strictly inactive in layer {layer}")
            low = -max(values)
        conditions += len(values)
        slack = low if slack is None else min(slack, low)
    return f"cost = B_U = {bound}, {conditions} strict sign conditions, min slack {slack}"


def check_empty(cert, Q, points, labels, targets):
    claim = cert["claim"]
    truncated, kept = set(claim["truncated"]), set(claim["kept"])
    row = claim["point"]
    if not isinstance(row, int) or not 1 <= row <= len(labels) or labels[row - 1] not in truncated:
        raise Failed(f"row {row!r} is not a point of a truncated cluster")
    weights = {int(r): number(v) for r, v in claim["weights"].items()}
    if any(not 1 <= r <= len(labels) or labels[r - 1] not in kept for r in weights):
        raise Failed("a weight is on a point that is not kept")
    if any(v < 0 for v in weights.values()) or sum(weights.values()) != 1:
        raise Failed("the weights are not nonnegative with sum 1")
    combination = [sum(v * points[r - 1][c] for r, v in weights.items()) for c in range(Q)]
    if combination != points[row - 1]:
        raise Failed(f"the weights do not reproduce row {row}")
    return f"row {row} = a convex combination of {len(weights)} kept points: the stratum is empty"


CHECKS = {"global_minimum": check_global, "stratum_local_minimum": check_stratum, "empty_stratum": check_empty}


def verify(path):
    """``(True, line)`` when the certificate at ``path`` holds, ``(False, line)`` naming the failed check."""
    try:
        cert = json.loads(Path(path).read_text(encoding="utf-8"))
        if cert.get("format") != FORMAT or cert.get("version") != VERSION or cert.get("kind") not in KINDS:
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
    failed = 0
    for path in paths:
        ok, line = verify(path)
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {path.stem}: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
