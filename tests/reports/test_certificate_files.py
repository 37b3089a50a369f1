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
from symgeom.reports.certificate_files import (VERIFIER, empty_certificate, global_certificate, stratum_certificate,
    write_certificates)
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
    certs = {"global_minimizer": global_certificate(data, global_minimizer(data, 3).member(), "mean-squared")}
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
    assert len(lines) == len(certs) == 8 and all(line.startswith("ok ") for line in lines)
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
    assert proc.returncode == 0 and proc.stdout.count("\nok ") + proc.stdout.startswith("ok ") == 8, proc.stdout
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
    assert named["verify"] == f"cd {folder} && python3 -I -S verify.py" and len(named["files"]) == 8
    for name, digest in named["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert _run_verifier(folder).returncode == 0
    out, certs = tmp_path / "r", tmp_path / "rc"
    assert main(["report", "--quiet", "--only", "N1", "--out", str(out), "--certificates", str(certs)]) == 0
    tex = (out / "report.tex").read_text()
    assert r"\section{Certificates}" in tex and r"python3 -I -S verify.py" in tex
    assert all(digest[:16] in tex for digest in json.loads(json.dumps(named))["files"].values())
    assert main(["check", "--quiet", "--only", "T1", "--certificates", str(certs)]) == 2  # not a new folder
