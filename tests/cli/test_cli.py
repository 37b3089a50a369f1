"""The command line, through the real entry points."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from symgeom.cli import main


def test_check_table_lists_every_claim(capsys):
    assert main(["check"]) == 0  # nothing refuted on the default data
    out = capsys.readouterr().out
    for cid in ("T1", "T2", "T3", "T4", "T5"):
        assert any(line.startswith(cid + " ") and "proved" in line for line in out.splitlines())
    for cid in ("G1", "G2", "G3", "G4"):
        assert any(line.startswith(cid + " ") and "certified" in line for line in out.splitlines())
    assert "certified" in out and "residual 0" in out


def test_check_json(capsys):
    assert main(["check", "--json", "--L", "4"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["Q"], out["L"], out["N"], out["parameters"]) == (3, 4, 13, 5 * 12)
    assert out["data"]["delta"] == "1/5" and out["data"]["rho"] == "sqrt(6)/45"
    ids = [c["id"] for c in out["claims"]]
    own = ["T1", "T2", "T3", "T4", "T5", "G1", "G2", "G3", "G4", "N1", "N2", "N3", "N4", "N5"]
    assert ids[:14] == own and all(c["paper"] == "beyond the paper" for c in out["claims"][:14])
    paper = {c["id"]: c for c in out["claims"][14:]}
    assert set(paper) == {"P2.2", "D2.1", "H2.14", "H2.52", "P2.3", "E2.58", "P2.4", "E2.71", "P2.5", "E2.85"}
    assert paper["P2.3"]["paper"].startswith("Theorem 2.3") and paper["P2.3"]["status"] == "certified"
    # L = 4 != Q: Theorems 2.4 and 2.5 are stated for L = Q only
    assert all(paper[c]["status"] == "not_applicable" for c in ("P2.4", "E2.71", "P2.5", "E2.85"))
    expected = {"T": "proved", "G": "certified", "N": "certified"}
    for c in out["claims"][:11]:
        assert {"id", "status", "scope", "method", "detail"} <= set(c)
        assert c["status"] == expected[c["id"][0]]
        assert c["scope"] == ("all Q" if c["id"][0] == "T" else "these data")
        assert all(k.get("scope") for k in c["checks"])
        assert all(k["status"] in {"proved", "certified", "checked", "refuted", "undecided", "not_applicable"}
                   for k in c["checks"])
        assert any(k["status"] == "certified" and k.get("residual", k.get("margin")) == "0" for k in c["checks"])


def test_check_only_and_float(capsys):
    assert main(["check", "--only", "T4", "--float", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in out["claims"]] == ["T4"]
    data_check = out["claims"][0]["checks"][-1]
    assert data_check["status"] == "checked" and data_check["approx"]["tolerance"] > 0
    assert data_check["tolerance"] is None  # a float tolerance has no exact value


def test_refuted_claim_exits_1(capsys, monkeypatch):
    from symgeom.model.truncation import TruncationMap

    monkeypatch.setattr(TruncationMap, "__call__", lambda self, Z: Z)  # "no truncation at all"
    assert main(["check", "--only", "T1"]) == 1
    assert "T1 REFUTED" in capsys.readouterr().out


def test_example_then_check(tmp_path, capsys):
    path = tmp_path / "data.csv"
    assert main(["example", "--Q", "2", "--seed", "3", "--out", str(path)]) == 0
    assert path.read_text().startswith("x1,x2,cluster\n")
    assert main(["check", "--data", str(path), "--json", "--only", "T1"]) == 0
    out = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert out["Q"] == 2 and out["L"] == 2


@pytest.mark.slow
def test_report_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["report", "--out", str(a)]) == 0
    assert main(["report", "--out", str(b)]) == 0
    text = (a / "report.tex").read_text()
    assert text == (b / "report.tex").read_text()
    assert r"\documentclass" in text and text.count(r"\renewcommand{\claimid}{T") == 5
    assert "symgeom report" in text and r"\end{document}" in text


@pytest.mark.slow
def test_report_tex_identical_across_hash_seeds(tmp_path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"r{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "symgeom", "report", "--out", str(out), "--only", "T5"], check=True,
                       env=env, capture_output=True)
        outs.append((out / "report.tex").read_bytes())
    assert outs[0] == outs[1]


def console_script():
    """The installed ``symgeom`` script beside this interpreter (or on PATH)."""
    script = shutil.which("symgeom", path=str(Path(sys.executable).parent)) or shutil.which("symgeom")
    assert script, "the symgeom console script is not installed"
    return script


@pytest.mark.slow
def test_console_script_and_module_entry_points(tmp_path):
    for cmd in ([console_script()], [sys.executable, "-m", "symgeom"]):
        proc = subprocess.run(cmd + ["check", "--only", "T1", "--json"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["claims"][0]["status"] == "proved"
    proc = subprocess.run([console_script(), "check", "--data", str(tmp_path / "missing.csv")], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == "" and "not found" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv", [[], ["check", "--exact", "--float"], ["example"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2


@pytest.mark.slow
def test_check_json_identical_across_runs_and_hash_seeds():
    outs = []
    for seed in ("0", "1", "1"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-m", "symgeom", "check", "--json"], env=env, capture_output=True)
        assert proc.returncode == 0  # nothing refuted on the default data
        outs.append(proc.stdout)
    assert outs[0] == outs[1] == outs[2]


def test_progress_goes_to_stderr_and_quiet_silences_it(capsys):
    assert main(["check", "--only", "T1", "--json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # stdout is pure JSON
    assert "symgeom: [1/1] T1" in err
    assert main(["check", "--only", "T1", "--json", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_version(capsys):
    import symgeom

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out == f"symgeom {symgeom.__version__}\n" == "symgeom 0.1.0\n"
    proc = subprocess.run([console_script(), "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "symgeom 0.1.0\n"


def strict_json(text: str):
    """Parse ``text`` as strict JSON: ``NaN``, ``Infinity`` and ``-Infinity`` are errors."""

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("kind", ["--exact", "--float"])
@pytest.mark.parametrize("text", ["x1,cluster\n1,1\n1.5,1\n", "x1,x2,cluster\n3,0,1\n3.1,0,1\n0,3,2\n0,3.2,2\n"],
                         ids=["Q=1", "Q=2"])
def test_check_json_is_strict(tmp_path, capsys, kind, text):
    path = tmp_path / "d.csv"
    path.write_text(text)
    assert main(["check", "--data", str(path), "--json", "--quiet", kind]) in (0, 1)
    out = strict_json(capsys.readouterr().out)
    if out["Q"] == 1:  # h is infinite, and so are the bound c and the margin of G1: null
        assert out["data"]["h"] is None and out["data"]["approx"]["h"] is None
        assert out["global_minimizer"]["criterion"]["constant"] is None
        assert any("margin" in c and c["margin"] is None for c in out["claims"])


def test_json_approx_of_a_value_beyond_float64_is_null():
    from fractions import Fraction

    from symgeom.numbers.json_numbers import approx_json, json_numbers

    assert approx_json(Fraction(10**400)) is None and approx_json(Fraction(1, 4)) == 0.25
    assert json_numbers(x=Fraction(10**400)) == {"x": "1" + "0" * 400, "approx": {"x": None}}


def test_outputs_get_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        assert main(["example", "--Q", "2", "--out", str(tmp_path / "d.csv")]) == 0
        assert main(["report", "--only", "T1", "--quiet", "--out", str(tmp_path / "rep")]) == 0
    finally:
        os.umask(old)
    for path in (tmp_path / "d.csv", tmp_path / "rep" / "report.tex"):
        assert path.stat().st_mode & 0o777 == 0o640, path


def test_data_with_a_byte_order_mark(tmp_path, capsys):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + b"x1,x2,cluster\n3,0,1\n3.1,0,1\n0,3,2\n0,3.2,2\n")
    for kind in ("--exact", "--float"):
        assert main(["check", "--data", str(path), "--only", "T1", "--quiet", kind]) == 0


def test_progress_moves_inside_the_local_minima(capsys):
    assert main(["check", "--only", "N2"]) == 0
    err = capsys.readouterr().err
    assert [line.split(",")[0] for line in err.splitlines() if "strata:" in line] == \
        [f"symgeom: strata: {i} of 7" for i in range(1, 8)]
    assert main(["check", "--only", "N2", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_a_reader_going_away_stops_the_command_quietly():
    """`symgeom check 2>&1 | head -1`: once the reader of the progress lines has gone, the next line cannot be
    written; the command stops with 141 (128 + SIGPIPE), not as an internal error (3) or a refutation (1)."""
    proc = subprocess.Popen([sys.executable, "-m", "symgeom", "check"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    first = proc.stderr.readline()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141
    assert first.startswith(b"symgeom: ")
