"""Certificates anyone can check: ``verify.py`` (standard library only, run with ``python3 -I -S``) accepts
the certificates symgeom writes and rejects every tampered copy with exit 1 and a line naming the check."""

import copy
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from symgeom import verify_certificates
from symgeom.verify_certificates import canonical_sha256
from symgeom.reports.certificate_files import (VERIFIER, certificates, empty_certificate, global_certificate, rank_certificate,
    stratum_certificate, write_certificates)
from symgeom.calculus.cost import cost
from symgeom.data.clusters import ClusterData
from symgeom.data.embedded import default_data
from symgeom.local_minima.settling import settle_strata
from symgeom.global_minima.minimizer import global_minimizer
from symgeom.model.network import Parameters

SCHEMA = json.loads((Path(verify_certificates.__file__).parent / "schemas" / "certificate.schema.json").read_text())


def _run_verifier(folder: Path, *names):
    """``python3 -I -S verify.py NAMES`` in ``folder``: isolated, no site packages, no symgeom."""
    return subprocess.run([sys.executable, "-I", "-S", VERIFIER, *names], cwd=folder, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """Certificates of the embedded data: G1's minimizer and every settled stratum (mean-squared cost)."""
    data = default_data()
    zero = global_minimizer(data, 3).member()
    certs = {"global_minimizer": global_certificate(data, zero, "mean-squared"),
             "degeneracy": rank_certificate(data, zero, 9, "mean-squared")}
    for s in settle_strata(data, 3):
        if s.minimizer is not None:
            certs["stratum-{" + ",".join(map(str, s.truncated)) + "}"] = stratum_certificate(
                data, s.minimizer.params, s.truncated, s.bound, s.cost, "mean-squared")
    folder = tmp_path_factory.mktemp("certs")
    write_certificates(folder, certs)
    return folder, certs


def test_every_certificate_of_the_embedded_data_is_accepted(embedded):
    folder, certs = embedded
    proc = _run_verifier(folder)
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.splitlines()
    assert len(lines) == len(certs) == 9 and all(line.startswith("ok ") for line in lines)
    assert "global_minimizer: cost = 0 exactly" in proc.stdout


def test_certificates_follow_their_schema(embedded):
    for cert in embedded[1].values():
        jsonschema.validate(cert, SCHEMA)
    broken = copy.deepcopy(embedded[1]["global_minimizer"])
    del broken["data_sha256"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_the_verifier_is_standard_library_only():
    text = Path(verify_certificates.__file__).read_text()
    imports = {line.split()[1].split(".")[0] for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"hashlib", "json", "sys", "fractions", "pathlib"}
    assert len(text.splitlines()) <= 300


def _fraction_bound(cert) -> Fraction:
    """B_U of a stratum certificate by brute force in the test: the weighted least squares of the kept rows,
    solved through SymPy's exact rational linear algebra (an independent route to the verifier's)."""
    import sympy as sp

    data, claim = cert["data"], cert["claim"]
    rows = [(Fraction(1, 2 * cert["N"]), [Fraction(v) for v in x], [Fraction(v) for v in data["targets"][j - 1]])
            for x, j in zip(data["points"], data["labels"]) if j in claim["kept"]]
    Z = sp.Matrix([[sp.Rational(str(v)) for v in x] + [1] for _, x, _ in rows])
    T = sp.Matrix([[sp.Rational(str(v)) for v in y] for _, _, y in rows])
    coef = (Z.T * Z).pinv() * Z.T * T
    R = Z * coef - T
    return Fraction(str(sum(R[i, k] ** 2 for i in range(R.rows) for k in range(R.cols)) / (2 * cert["N"])))


def test_stratum_bounds_agree_with_an_independent_least_squares(embedded):
    for name, cert in embedded[1].items():
        if cert["kind"] == "stratum_local_minimum":
            assert Fraction(cert["claim"]["bound"]) == _fraction_bound(cert), name


# -- tampering ---------------------------------------------------------------------------
def _rehash(cert):
    cert["data_sha256"] = canonical_sha256(cert["data"])
    return cert


def _bump_weight(c):
    c["parameters"]["weights"][0][0][0] = str(Fraction(c["parameters"]["weights"][0][0][0]) + Fraction(1, 7))


def _remove_point(c):
    del c["data"]["points"][0], c["data"]["labels"][0]


def _remove_point_consistently(c):
    _remove_point(c)
    c["N"] -= 1
    c["sizes"][0] -= 1
    _rehash(c)


def _move_kept_point(c):
    """A kept point moved (digest redone): B_U and the cost change.  (A truncated point moved within its
    collapsing region leaves a valid certificate about other data: ``data_sha256`` binds the data.)"""
    row = next(n for n, j in enumerate(c["data"]["labels"]) if j in c["claim"]["kept"])
    c["data"]["points"][row][0] = str(Fraction(c["data"]["points"][row][0]) + Fraction(1, 3))
    _rehash(c)


def _bump_output_bias(c):
    c["parameters"]["biases"][-1][0] = str(Fraction(c["parameters"]["biases"][-1][0]) + Fraction(1, 7))


def _drop_condition(c):
    c["claim"]["dies_in"].pop(next(iter(c["claim"]["dies_in"])))


def _smaller_bound(c):
    c["claim"]["bound"] = str(Fraction(c["claim"]["bound"]) - Fraction(1, 10**6))


def _cost_off(c):
    c["claim"]["cost"] = str(Fraction(c["claim"]["cost"]) + Fraction(1, 10**30))


TAMPERINGS = {
    "a weight changed": (_bump_weight, "cost ="),
    "a point removed": (_remove_point, "the data hold N ="),
    "a point removed, counts and digest redone": (_remove_point_consistently, "cost"),
    "a kept point moved, digest redone": (_move_kept_point, ""),
    "an output bias changed": (_bump_output_bias, "cost ="),
    "a sign condition dropped": (_drop_condition, "no collapsing layer named"),
    "a smaller bound": (_smaller_bound, "B_U ="),
    "the cost off by 1/10^30": (_cost_off, "cost ="),
}


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=list(TAMPERINGS))
def test_a_tampered_stratum_certificate_is_rejected(embedded, tmp_path, tamper):
    change, words = TAMPERINGS[tamper]
    cert = copy.deepcopy(embedded[1]["stratum-{1}"])
    change(cert)
    write_certificates(tmp_path, {"stratum-{1}": cert})
    proc = _run_verifier(tmp_path)
    assert proc.returncode == 1 and proc.stdout.startswith("FAIL stratum-{1}: ") and words in proc.stdout, proc.stdout


@pytest.mark.parametrize("tamper", ["an output bias changed", "a point removed", "the cost off by 1/10^30"])
def test_a_tampered_global_certificate_is_rejected(embedded, tmp_path, tamper):
    change, words = TAMPERINGS[tamper]
    cert = copy.deepcopy(embedded[1]["global_minimizer"])
    change(cert)
    write_certificates(tmp_path, {"global_minimizer": cert})
    proc = _run_verifier(tmp_path)
    assert proc.returncode == 1 and "FAIL global_minimizer" in proc.stdout and words in proc.stdout, proc.stdout


# -- the rank certificate (G3) ------------------------------------------------------------------
def test_the_verifier_recomputes_the_cluster_jacobian_and_its_rank(embedded):
    """The verifier's J_F (its own backward pass) equals symgeom's closed form entry by entry; SymPy's rank of it is
    Q^2 = 9 and the claimed dimension is L(Q^2 + Q) + Q = 39 (Q = L = 3), counted by hand."""
    import sympy as sp

    from symgeom.calculus.derivatives import cluster_jacobian

    cert = embedded[1]["degeneracy"]
    Q, points, labels, targets = verify_certificates.read_data(cert)
    weights, biases = verify_certificates.read_parameters(cert, Q)
    rows = []
    for k in range(1, Q + 1):
        x = points[labels.index(k)]
        rows += verify_certificates.jacobian(weights, verify_certificates.forward(weights, biases, x)[1], x)
    data = default_data()
    JF = cluster_jacobian(global_minimizer(data, 3).member(), data)
    assert [[Fraction(str(v)) for v in row] for row in JF] == rows
    assert sp.Matrix([[sp.Rational(str(v)) for v in row] for row in rows]).rank() == 9
    assert cert["claim"]["rank"] == 9 and cert["claim"]["dimension"] == 3 * (9 + 3) + 3 == len(rows[0]) - 9
    jsonschema.validate(cert, SCHEMA)


def _claim_rank(value):
    def change(c):
        c["claim"]["rank"] = value
    return change


def _claim_dimension(c):
    c["claim"]["dimension"] += 1


def _uncollapse(c):
    c["claim"]["collapse"]["2"] = None


def _wrong_layer(c):
    c["claim"]["collapse"]["1"] = 2 if c["claim"]["collapse"]["1"] != 2 else 1


def _bump_output_weight(c):
    """(A hidden weight changed a little may stay on the zero set -- a true certificate of another point.)"""
    c["parameters"]["weights"][-1][1][2] = str(Fraction(c["parameters"]["weights"][-1][1][2]) - Fraction(1, 10**30))


RANK_TAMPERINGS = {
    "an output weight changed by 1/10^30": (_bump_output_weight, "cost ="),
    "an output bias changed": (_bump_output_bias, "cost ="),
    "a point removed": (_remove_point, "the data hold N ="),
    "a smaller rank claimed": (_claim_rank(8), "rank J_F = 9 (Q^2 = 9, P = 48), the certificate claims rank 8"),
    "a larger rank claimed": (_claim_rank(10), "the certificate claims rank 10"),
    "another dimension claimed": (_claim_dimension, "dimension 40"),
    "a cluster not collapsed": (_uncollapse, "cluster 2 is not collapsed"),
    "a wrong collapsing layer": (_wrong_layer, "(cluster 1) is not strictly inactive in layer"),
}


@pytest.mark.parametrize("tamper", RANK_TAMPERINGS, ids=list(RANK_TAMPERINGS))
def test_a_tampered_rank_certificate_is_rejected(embedded, tmp_path, tamper):
    change, words = RANK_TAMPERINGS[tamper]
    cert = copy.deepcopy(embedded[1]["degeneracy"])
    change(cert)
    write_certificates(tmp_path, {"degeneracy": cert})
    proc = _run_verifier(tmp_path)
    assert proc.returncode == 1 and proc.stdout.startswith("FAIL degeneracy: ") and words in proc.stdout, proc.stdout


def _same_image_certificate():
    """Q = 2, L = 1: both clusters die in layer 1 (W_1 = I, b_1 = 0 on the points (-1, -1) and (-2, -3)) and both
    outputs are b_2.  With both targets set to b_2 = (1, 1) the cost is 0, but F_1 = F_2 for every parameter near
    the point: J_F has two equal row blocks [0 | I], rank 2 < Q^2 = 4 (by hand)."""
    data = ClusterData.from_arrays([[Fraction(-1), Fraction(-1)], [Fraction(-2), Fraction(-3)]], [1, 2])
    theta = Parameters.from_lists([[["1", "0"], ["0", "1"]], [["0", "0"], ["0", "0"]]], [["0", "0"], ["1", "1"]])
    cert = rank_certificate(data, theta, 4, "mean-squared")
    cert["data"]["targets"] = [["1", "1"], ["1", "1"]]
    return _rehash(cert)


def test_a_zero_cost_point_whose_jacobian_is_rank_deficient_is_rejected(tmp_path):
    cert = _same_image_certificate()
    honest = copy.deepcopy(cert)
    honest["claim"].update({"rank": 2, "dimension": 6 + 6 - 2})
    write_certificates(tmp_path, {"claims-4": cert, "claims-2": honest})
    proc = _run_verifier(tmp_path)
    lines = dict(line.split(": ", 1) for line in proc.stdout.splitlines())
    assert proc.returncode == 1
    assert lines["FAIL claims-4"].startswith("rank J_F = 2 (Q^2 = 4, P = 12)")
    assert lines["FAIL claims-2"].startswith("rank J_F = 2 (Q^2 = 4, P = 12)")  # rank Q^2 is what G3 needs


def test_a_collapsed_image_on_a_kink_is_rejected(tmp_path):
    """Q = 1, L = 2: the cluster {-1, -2} dies in layer 1 (W_1 = 1, b_1 = 0); its image 0 meets layer 2 with
    pre-activation b_2 = 0, where sigma has no derivative: F_1 is not smooth there, whatever the rank."""
    data = _one_dimensional(["-1", "-2"], [1, 1], ["1"])
    theta = Parameters.from_lists([[["1"]], [["1"]], [["1"]]], [["0"], ["0"], ["1"]])
    assert cost(theta, data) == 0
    write_certificates(tmp_path, {"degeneracy": rank_certificate(data, theta, 1, "mean-squared")})
    proc = _run_verifier(tmp_path)
    assert proc.returncode == 1 and "cluster 1's image has a pre-activation 0 after layer 1" in proc.stdout, proc.stdout


# -- hand-built certificates, answers known by hand ------------------------------------------
def _one_dimensional(points, labels, targets):
    return ClusterData.from_arrays([[Fraction(p)] for p in points], labels, [[Fraction(t)] for t in targets])


def test_a_point_outside_its_region_is_rejected_though_its_cost_is_the_bound(tmp_path):
    """Q = 1, one cluster at 0 and 2, target 1: W_1 = 1, b_1 = 0, W_2 = 0, b_2 = 1 fits it exactly (cost 0 =
    B_U), but the point 0 has pre-activation 0: not strictly active, so not in the region of S = {}."""
    data = _one_dimensional(["0", "2"], [1, 1], ["1"])
    theta = Parameters.from_lists([[["1"]], [["0"]]], [["0"], ["1"]])
    assert cost(theta, data) == 0
    cert = stratum_certificate(data, theta, (), 0, 0, "mean-squared")
    write_certificates(tmp_path, {"stratum-{}": cert})
    proc = _run_verifier(tmp_path)
    assert proc.returncode == 1 and "kept row 1 (cluster 1) is not strictly active" in proc.stdout


def _hull_data():
    """Q = 2: cluster 1 holds (1, 1), the mean of cluster 2's (0, 0), (2, 0), (2, 2), (0, 2)."""
    pts = [(1, 1), (5, 5), (0, 0), (2, 0), (2, 2), (0, 2)]
    return ClusterData.from_arrays([[Fraction(a), Fraction(b)] for a, b in pts], [1, 1, 2, 2, 2, 2])


def test_an_empty_stratum_certificate_and_its_tamperings(tmp_path):
    data = _hull_data()
    weights = {3: Fraction(1, 4), 4: Fraction(1, 4), 5: Fraction(1, 4), 6: Fraction(1, 4)}
    good = empty_certificate(data, 1, (1,), 1, weights, "paper")
    jsonschema.validate(good, SCHEMA)
    negative = copy.deepcopy(good)
    negative["claim"]["weights"] = {"3": "1/2", "4": "-1/4", "5": "1/2", "6": "1/4"}
    wrong = copy.deepcopy(good)
    wrong["claim"]["weights"] = {"3": "1/2", "4": "1/2"}  # (1, 0), not (1, 1)
    shifted = copy.deepcopy(good)
    shifted["claim"]["weights"] = {"3": "1/4", "4": "1/4", "5": "1/4", "6": "1/4", "2": "0"}
    write_certificates(tmp_path, {"empty-{1}": good, "negative": negative, "wrong": wrong, "kept-weight": shifted})
    proc = _run_verifier(tmp_path)
    lines = dict(line.split(": ", 1) for line in proc.stdout.splitlines())
    assert proc.returncode == 1
    assert lines["ok   empty-{1}"].startswith("row 1 = a convex combination of 4 kept points")
    assert "nonnegative" in lines["FAIL negative"]
    assert "do not reproduce row 1" in lines["FAIL wrong"]
    assert "not kept" in lines["FAIL kept-weight"]


# -- the command --------------------------------------------------------------------------
def _certify(tmp_path, *args):
    from symgeom.cli import main

    out = tmp_path / "certs"
    assert main(["certify", "--quiet", "--out", str(out), *args]) == 0
    return out


@pytest.mark.parametrize("cost", ["paper", "mean-squared"])
def test_certify_writes_what_the_verifier_accepts(tmp_path, capsys, cost):
    out = _certify(tmp_path, "--cost", cost)
    assert "python3 -I -S verify.py" in capsys.readouterr().out
    proc = _run_verifier(out)
    assert proc.returncode == 0 and proc.stdout.count("\nok ") + proc.stdout.startswith("ok ") == 9, proc.stdout
    assert "ok   degeneracy: rank J_F = Q^2 = 9" in proc.stdout  # embedded data: Q = 3, L = 3
    for path in out.glob("*.json"):
        cert = json.loads(path.read_text())
        jsonschema.validate(cert, SCHEMA)
        assert cert["cost_function"] == cost and cert["inputs"] == {"data": None, "targets": None}


@pytest.mark.slow
@pytest.mark.parametrize("Q", [2, 3, 4, 5])
def test_certify_on_example_data_with_input_hashes(tmp_path, capsys, Q):
    import hashlib

    from symgeom.cli import main

    data = tmp_path / "d.csv"
    assert main(["example", "--Q", str(Q), "--seed", "3", "--out", str(data)]) == 0
    out = _certify(tmp_path, "--data", str(data))
    capsys.readouterr()
    proc = _run_verifier(out)
    names = sorted(p.stem for p in out.glob("*.json"))
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == len(names) >= 2 ** Q - 1, proc.stdout
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    assert all(json.loads((out / f"{n}.json").read_text())["inputs"]["data"] == {"name": "d.csv", "sha256": digest}
               for n in names)


def test_check_and_report_name_the_certificates_they_write(tmp_path, capsys):
    import hashlib

    from symgeom.cli import main

    folder = tmp_path / "c"
    assert main(["check", "--quiet", "--json", "--only", "N1", "--certificates", str(folder)]) == 0
    named = json.loads(capsys.readouterr().out)["certificates"]
    assert named["verify"] == f"cd {folder} && python3 -I -S verify.py" and len(named["files"]) == 9
    for name, digest in named["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert _run_verifier(folder).returncode == 0
    out, certs = tmp_path / "r", tmp_path / "rc"
    assert main(["report", "--quiet", "--only", "N1", "--out", str(out), "--certificates", str(certs)]) == 0
    tex = (out / "report.tex").read_text()
    assert r"\section{Certificates}" in tex and r"python3 -I -S verify.py" in tex
    assert all(digest[:16] in tex for digest in json.loads(json.dumps(named))["files"].values())
    assert main(["check", "--quiet", "--only", "T1", "--certificates", str(certs)]) == 2  # not a new folder


@pytest.mark.parametrize("L", [2, 3])
def test_certify_on_sequentially_separable_data(tmp_path, capsys, L):
    """Three clusters near a line (0, 4, 8 along x1; not sufficiently clustered): the zero-cost point comes from
    the sequential construction; with L = Q every cluster collapses and G3's rank certificate is written too, with
    L = Q - 1 the last cluster is not collapsed and no rank is claimed.  The verifier accepts them all."""
    csv = tmp_path / "line.csv"
    from symgeom.global_minima.criterion import clustering_criterion

    lift = {1: (0, 0), 2: (Fraction(3, 10), 0), 3: (0, Fraction(2, 10))}  # means off the line, barely
    pts = [(4 * (j - 1) + d, d / 10 + lift[j][0], -d / 10 + lift[j][1], j) for j in (1, 2, 3)
           for d in (Fraction(-1, 2), Fraction(0), Fraction(1, 2))]
    assert not clustering_criterion(ClusterData.from_arrays([p[:3] for p in pts], [p[3] for p in pts])).holds
    csv.write_text("x1,x2,x3,cluster\n" + "".join(",".join(str(float(v)) for v in p[:3]) + f",{p[3]}\n" for p in pts))
    out = _certify(tmp_path, "--data", str(csv), "--L", str(L))
    capsys.readouterr()
    proc = _run_verifier(out)
    assert proc.returncode == 0, proc.stdout
    names = {p.stem for p in out.glob("*.json")}
    assert "global_minimizer" in names and ("degeneracy" in names) == (L == 3)
    collapse = json.loads((out / "global_minimizer.json").read_text())["claim"]["collapse"]
    assert collapse == ({"1": 1, "2": 2, "3": 3} if L == 3 else {"1": 1, "2": 2, "3": None})
    if L == 3:
        assert "ok   degeneracy: rank J_F = Q^2 = 9" in proc.stdout


def test_an_empty_stratum_at_one_hidden_layer_and_its_tamperings(tmp_path):
    """Two touching clusters: (1, 0) of cluster 2 is the midpoint of cluster 1's segment, so with L = 1 the stratum
    S = {1} is empty (every truncated point dies in the one layer); the certificate names both combinations, checked
    here in Fractions and by the verifier, which refuses the same combination at L = 2 and a moved weight."""
    pts = [(0, 0), (2, 0), (1, 0), (1, 2), (3, 3)]
    data = ClusterData.from_arrays([[Fraction(a), Fraction(b)] for a, b in pts], [1, 1, 2, 2, 2])
    strata = settle_strata(data, 1)
    good = certificates(data, strata)["empty-{1}"]
    jsonschema.validate(good, SCHEMA)
    claim = good["claim"]
    left = {int(r): Fraction(v) for r, v in claim["truncated_weights"].items()}
    right = {int(r): Fraction(v) for r, v in claim["weights"].items()}
    assert sum(left.values()) == sum(right.values()) == 1 and min(left.values()) >= 0 and min(right.values()) >= 0
    mix = lambda w: [sum(v * pts[r - 1][c] for r, v in w.items()) for c in range(2)]  # noqa: E731
    assert mix(left) == mix(right) and {pts[r - 1] for r in left} <= {(0, 0), (2, 0)}
    deeper = copy.deepcopy(good)
    deeper["L"] = 2
    moved = copy.deepcopy(good)
    moved["claim"]["truncated_weights"] = {"1": "3/4", "2": "1/4"}
    write_certificates(tmp_path, {"empty-{1}": good, "deeper": deeper, "moved": moved})
    proc = _run_verifier(tmp_path)
    lines = dict(line.split(": ", 1) for line in proc.stdout.splitlines())
    assert proc.returncode == 1
    assert lines["ok   empty-{1}"].startswith("a convex combination of 2 truncated points (L = 1) = a convex combination")
    assert "only with one hidden layer" in lines["FAIL deeper"]
    assert "do not reproduce" in lines["FAIL moved"]
