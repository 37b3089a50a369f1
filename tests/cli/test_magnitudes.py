"""Numbers of any magnitude: exact data at 1e-300 .. 1e300 and cluster spreads down to 1e-200 run to a
verdict (no internal error, nothing refuted), float mode changes units where float64 needs it, and
``check --json`` is strict JSON."""

import json
from fractions import Fraction

import pytest

from symgeom.cli import main
from symgeom.data.clusters import example_data

CLAIMS = ("T1", "T2", "T3", "T4", "T5", "G1", "G2", "G3", "G4", "N1", "N2", "N3")


def _reject_constant(name):
    raise ValueError(f"non-strict JSON constant {name}")


def strict_json(text: str) -> dict:
    """``text`` parsed by a strict parser: ``NaN`` / ``Infinity`` raise."""
    return json.loads(text, parse_constant=_reject_constant)


def scaled_csv(path, Q: int, exponent: int, spread_exponent: int = 0):
    """``symgeom example --Q Q`` data, each point moved towards its cluster's first point by ``10^spread_exponent``,
    then scaled by ``10^exponent``: written as exact decimals."""
    data = example_data(Q, 1)
    first = {}
    lines = [",".join([f"x{i + 1}" for i in range(Q)] + ["cluster"])]
    for n in range(data.N):
        k = int(data.labels[n])
        x = [Fraction(int(v.p), int(v.q)) for v in data.X[:, n]]
        base = first.setdefault(k, x)
        moved = [(b + (v - b) * Fraction(10) ** spread_exponent) * Fraction(10) ** exponent for v, b in zip(x, base)]
        lines.append(",".join(f"{m.numerator}/{m.denominator}" if m.denominator != 1 else str(m.numerator)
                              for m in moved) + f",{k}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("exponent, spread", [(300, 0), (-300, 0), (0, -200), (300, -200)])
def test_exact_check_at_any_magnitude(tmp_path, capsys, exponent, spread):
    csv = scaled_csv(tmp_path / "d.csv", 2, exponent, spread)
    assert main(["check", "--quiet", "--json", "--data", str(csv)]) == 0
    out = strict_json(capsys.readouterr().out)
    assert all(c["status"] != "refuted" for c in out["claims"])


@pytest.mark.parametrize("exponent", [100, -100])
def test_float_check_changes_units_beyond_float_range(tmp_path, capsys, exponent):
    csv = scaled_csv(tmp_path / "d.csv", 2, exponent)
    assert main(["check", "--quiet", "--float", "--json", "--only", "T1", "--data", str(csv)]) == 0
    captured = capsys.readouterr()
    units = strict_json(captured.out)["units"]
    # beyond the safe range the inputs are translated to the midpoint c of their bounding box (to 10^-2 of the
    # half-width) and scaled by s = 10^k with the extent about c in [s, 10 s)
    example = example_data(2, 1).X
    lo, hi = ([Fraction(int(v.p), int(v.q)) * Fraction(10) ** exponent for v in f(axis=1)] for f in (example.min, example.max))
    c = [Fraction(x) for x in units["c"]]
    half = max(h - l for l, h in zip(lo, hi)) / 2
    assert all(abs(ci - (h + l) / 2) <= half / 100 for ci, l, h in zip(c, lo, hi))
    extent = max(max(h - ci, ci - l) for ci, l, h in zip(c, lo, hi))
    assert Fraction(units["t"]) == 1 and Fraction(units["s"]) <= extent < 10 * Fraction(units["s"])
    err = captured.err.strip()
    assert "\n" not in err and f"s = 1e{exponent}" in err


@pytest.mark.parametrize("Q", [1, 2, 3, 4, 5, pytest.param(6, marks=pytest.mark.slow)])  # Q = 6: exact G1-G4 ranks, seconds
def test_check_json_is_strict(tmp_path, capsys, Q):
    csv = tmp_path / "d.csv"
    assert main(["example", "--Q", str(Q), "--out", str(csv)]) == 0
    only = [] if Q <= 2 else ["--only", "G1"]
    capsys.readouterr()
    assert main(["check", "--quiet", "--json", "--data", str(csv)] + only) == 0
    assert strict_json(capsys.readouterr().out)["Q"] == Q


@pytest.mark.parametrize("options", [["--exact"], ["--float"], ["--L", "4"], ["--only", "N2"], ["--seed", "3"],
                                     ["--float", "--L", "4", "--only", "G3", "--seed", "5"]])
def test_check_json_is_strict_for_every_option(tmp_path, capsys, options):
    targets = tmp_path / "t.csv"
    targets.write_text("y1,y2,y3\n2,0,0\n0,1,0\n1,1,1\n")
    assert main(["check", "--quiet", "--json", "--targets", str(targets)] + options) in (0, 1)
    strict_json(capsys.readouterr().out)


SUBNORMAL = "x1,x2,cluster\n0,0,1\n2E-322,1E-322,1\n-2E-322,-1E-322,1\n3E-321,1E-321,2\n3.2E-321,1.1E-321,2\n2.8E-321,9E-322,2\n"
"""Two clusters of extent 3 times 10^-321: float64 reads them as subnormals, keeping a few bits of each."""


def test_subnormal_data_are_read_exactly_before_float_mode(tmp_path, capsys):
    csv = tmp_path / "sub.csv"
    csv.write_text(SUBNORMAL)
    values = {}
    for kind in ("--float", "--exact"):
        assert main(["check", "--quiet", "--json", "--only", "T1", kind, "--data", str(csv)]) == 0
        out = strict_json(capsys.readouterr().out)
        s = Fraction(out["units"]["s"])  # lengths shown are divided by s
        values[kind] = (out["data"]["approx"]["rho"],) + tuple(float(Fraction(out["data"]["approx"][k]) * s) for k in ("delta", "h"))
    assert values["--float"] == pytest.approx(values["--exact"], rel=1e-13)  # not the subnormals' few bits


BASE = "x1,x2,cluster\n0,0,1\n0.2,0.1,1\n-0.2,-0.1,1\n3,1,2\n3.2,1.1,2\n2.8,0.9,2\n"


def test_exact_check_with_huge_targets(tmp_path, capsys):
    """Targets diag(1e300, 1): float mode refuses them (no common unit t holds both) and points to --exact;
    exact mode decides them without converting the cost's scale (10^600) to float64."""
    data, targets = tmp_path / "d.csv", tmp_path / "t.csv"
    data.write_text(BASE)
    targets.write_text("y1,y2\n1e300,0\n0,1\n")
    assert main(["check", "--quiet", "--float", "--data", str(data), "--targets", str(targets)]) == 2
    assert "--exact" in capsys.readouterr().err
    assert main(["check", "--quiet", "--json", "--exact", "--data", str(data), "--targets", str(targets)]) == 0
    assert all(c["status"] != "refuted" for c in strict_json(capsys.readouterr().out)["claims"])


@pytest.mark.slow
def test_exact_report_draws_huge_data_in_scaled_units(tmp_path, capsys):
    """The figures of data at 1e200 are drawn in float mode's units (labelled on the figures), not converted
    to float64 as given (which overflowed)."""
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,cluster\n" + "".join(f"{line.rsplit(',', 1)[0].replace(',', 'e200,')}e200,{line.rsplit(',', 1)[1]}\n"
                                                 for line in BASE.split()[1:]))
    assert main(["report", "--quiet", "--exact", "--data", str(data), "--out", str(tmp_path / "rep")]) == 0
    assert {p.name for p in (tmp_path / "rep" / "figures").iterdir()} >= {"construction.pdf"}  # rho is tabulated
