"""Every bad input: one line on stderr naming the input and what is expected, exit 2, nothing written."""

import os

import pytest

from symgeom.cli import main

GOOD = "x1,x2,cluster\n1,0,1\n1.1,0,1\n0,1,2\n0,1.1,2\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


CASES = {
    "missing": (None, "data file not found"),
    "empty": ("", "the file is empty"),
    "blank lines only": ("\n\n", "the file is empty"),
    "bad header": ("a,b,cluster\n1,0,1\n", "header must be 'x1,...,xQ,cluster'"),
    "header without cluster": ("x1,x2\n1,0\n", "header must be"),
    "no rows": ("x1,x2,cluster\n", "no data rows"),
    "ragged row": ("x1,x2,cluster\n1,0,1\n1,1\n", "line 3: expected 3 fields"),
    "non-numeric": ("x1,x2,cluster\n1,abc,1\n0,1,2\n", "line 2, column x2: 'abc' is not a number"),
    "nan": ("x1,x2,cluster\n1,nan,1\n0,1,2\n", "'nan' is not a finite number"),
    "infinite": ("x1,x2,cluster\n1,-inf,1\n0,1,2\n", "'-inf' is not a finite number"),
    "label outside": ("x1,x2,cluster\n1,0,1\n0,1,3\n", "cluster label 3 is outside 1..2"),
    "label zero": ("x1,x2,cluster\n1,0,0\n0,1,2\n", "cluster label 0 is outside 1..2"),
    "label not integer": ("x1,x2,cluster\n1,0,1.5\n0,1,2\n", "cluster label '1.5' is not an integer"),
    "empty cluster": ("x1,x2,cluster\n1,0,1\n0,1,1\n", "cluster 2 has no points"),
    "dependent means": ("x1,x2,x3,cluster\n0,0,0,1\n1,1,1,2\n2,2,2,3\n", "not affinely independent"),
    "coincident means": ("x1,x2,cluster\n0,0,1\n2,2,1\n0,2,2\n2,0,2\n", "not affinely independent"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_data(tmp_path, capsys, name):
    text, message = CASES[name]
    path = tmp_path / "data.csv"
    if text is not None:
        path.write_text(text)
    before = sorted(os.listdir(tmp_path))
    code, out, err = run(capsys, "check", "--data", str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err and str(path) in err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == before


def test_unreadable_file(tmp_path, capsys):
    path = tmp_path / "data.csv"
    path.write_text(GOOD)
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything
        path = tmp_path
        expected = "is a directory"
    else:
        expected = "cannot read"
    code, _, err = run(capsys, "check", "--data", str(path))
    assert code == 2 and expected in err


TARGETS = {
    "dependent": ("y1,y2\n1,1\n2,2\n", "targets are not linearly independent (rank 1, expected Q = 2)"),
    "wrong dimension": ("y1,y2,y3\n1,0,0\n0,1,0\n", "targets of dimension 3, data of dimension 2"),
    "wrong rows": ("y1,y2\n1,0\n", "expected 2 target rows"),
    "non-numeric": ("y1,y2\n1,x\n0,1\n", "'x' is not a number"),
    "empty": ("", "targets file is empty"),
}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_bad_targets(tmp_path, capsys, name):
    text, message = TARGETS[name]
    (tmp_path / "d.csv").write_text(GOOD)
    (tmp_path / "y.csv").write_text(text)
    code, out, err = run(capsys, "check", "--data", str(tmp_path / "d.csv"), "--targets", str(tmp_path / "y.csv"))
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_bad_depth(capsys, value):
    with pytest.raises(SystemExit) as e:
        main(["check", "--L", value])
    _, err = capsys.readouterr()
    assert e.value.code == 2 and "--L" in err and ">= 1" in err and err.count("\n") == 1


def test_unknown_claim(capsys):
    code, _, err = run(capsys, "check", "--only", "Z9")
    assert code == 2 and "unknown claim" in err and "T1" in err


@pytest.mark.slow
def test_report_refuses_non_empty_folder(tmp_path, capsys):
    out = tmp_path / "rep"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, _, err = run(capsys, "report", "--out", str(out), "--only", "T1")
    assert code == 2 and "not empty" in err and "--force" in err
    assert sorted(os.listdir(out)) == ["keep.txt"]
    code, _, _ = run(capsys, "report", "--out", str(out), "--only", "T1", "--force")
    assert code == 0 and (out / "report.tex").exists() and (out / "keep.txt").read_text() == "mine"


def test_example_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "d.csv"
    target.write_text("precious")
    code, _, err = run(capsys, "example", "--out", str(target))
    assert code == 2 and "exists" in err and target.read_text() == "precious"


def test_point_in_two_clusters(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,cluster\n1,0,1\n0,1,2\n0.5,0.5,1\n0.5,0.50,2\n")
    code, _, err = run(capsys, "check", "--data", str(path))
    assert code == 2 and "point 3 of cluster 1 and point 4 of cluster 2 are the same point" in err


def test_duplicates_within_a_cluster_are_fine(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,cluster\n3,0,1\n3,0,1\n0,3,2\n0.1,3,2\n")
    code, _, _ = run(capsys, "check", "--data", str(path), "--only", "T1")
    assert code == 0


def test_absurd_dimension(tmp_path, capsys):
    Q = 65
    header = ",".join(f"x{c}" for c in range(1, Q + 1)) + ",cluster"
    rows = [",".join("1" if c == j else "0" for c in range(Q)) + f",{j + 1}" for j in range(Q)]
    path = tmp_path / "d.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    code, _, err = run(capsys, "check", "--data", str(path))
    assert code == 2 and "Q=65 is too large" in err and "Q <= 64" in err


def test_absurd_size(monkeypatch, capsys):
    import symgeom.data.clusters

    monkeypatch.setattr(symgeom.data.clusters, "MAX_N", 10)  # a stand-in for 10^8: the same check, smaller data
    code, _, err = run(capsys, "check")
    assert code == 2 and "N=13 points is too many" in err


def test_output_not_writable(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "report", "--out", str(blocker / "sub"))
    assert code == 2 and "cannot create the folder" in err
    code, _, err = run(capsys, "example", "--out", str(blocker / "d.csv"))
    assert code == 2 and "does not exist" in err


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    from symgeom import io

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(io.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        io.write_text(tmp_path / "out.tex", "half")
    assert list(tmp_path.iterdir()) == []


def test_single_point_clusters_leave_only_the_stratum_certificate_of_n1(tmp_path, capsys):
    import json

    path = tmp_path / "d.csv"
    path.write_text("x1,x2,cluster\n3,0,1\n0,3,2\n")
    code, out, _ = run(capsys, "check", "--data", str(path), "--json")
    claims = {c["id"]: c for c in json.loads(out)["claims"]}
    n1 = claims["N1"]  # two points are fitted exactly: N1 is a zero-cost minimum; the closed forms need more points
    assert n1["status"] == "certified" and any("affinely span" in c["detail"] for c in n1["checks"])
    assert json.loads(out)["local_minima"][0]["cost"] == "0"
    assert claims["G1"]["status"] == "certified"  # collapsing needs no noise
