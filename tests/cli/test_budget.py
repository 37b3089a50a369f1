"""Sizes against a time budget: work estimated beyond ``--max-seconds`` is refused before the data are read
(exit 2, one line naming the input, the estimate and the override, nothing written); the override runs it."""

import os

import pytest

from symgeom.claims import budget
from symgeom.cli import main
from symgeom.data.clusters import example_data
from symgeom.data.files import csv_text, data_size, read_csv

GOOD = "x1,x2,cluster\n3,0,1\n3.1,0,1\n0,3,2\n0,3.1,2\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def unreadable_rows(tmp_path, rows=10):
    """A data file whose header is good and whose rows are not numbers: reading it fails, so a refusal that
    names the budget instead shows that the budget came first."""
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,cluster\n" + "abc,1,1\n" * rows)
    return path


@pytest.mark.parametrize("command", ["check", "report", "construct"])
def test_refused_before_reading_and_nothing_written(tmp_path, capsys, command):
    path = unreadable_rows(tmp_path)
    out = {"check": [], "report": ["--out", str(tmp_path / "rep")], "construct": ["--out", str(tmp_path / "t.json")]}
    before = sorted(os.listdir(tmp_path))
    code, stdout, err = run(capsys, command, "--data", str(path), "--max-seconds", "0.001", *out[command])
    assert code == 2 and stdout == "" and err.count("\n") == 1
    assert str(path) in err and "estimated at" in err and "--max-seconds" in err and "Q = 2, L = 2, N = 10" in err
    assert "not a number" not in err  # refused before the rows were read
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("override", ["0", "inf", "1e9"])
def test_override_runs_the_work(tmp_path, capsys, override):
    path = tmp_path / "d.csv"
    path.write_text(GOOD)
    code, _, err = run(capsys, "check", "--data", str(path), "--only", "T1", "--max-seconds", "0.001")
    assert code == 2 and "--max-seconds" in err
    code, out, err = run(capsys, "check", "--data", str(path), "--only", "T1", "--quiet", "--max-seconds", override)
    assert code == 0 and "T1" in out and err == ""


@pytest.mark.parametrize("value", ["-1", "nan", "ten", "-inf"])
def test_bad_budget_values(capsys, value):
    with pytest.raises(SystemExit) as e:
        main(["check", f"--max-seconds={value}"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1 and "--max-seconds" in err and ">= 0" in err


def test_repeated_budget_is_refused(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check", "--max-seconds", "5", "--max-seconds", "6"])
    assert e.value.code == 2 and "more than once" in capsys.readouterr().err


def test_long_estimates_are_said_and_short_ones_not():
    heard = []
    seconds = budget.require_within("check", "d.csv", 2, 2, 10**7, "exact", 0, note=heard.append)
    assert seconds > budget.NOTE_SECONDS and len(heard) == 1 and "Q = 2, L = 2, N = 10000000" in heard[0]
    heard.clear()
    assert budget.require_within("check", "d.csv", 2, 2, 10, "float", 600, note=heard.append) < budget.NOTE_SECONDS
    assert heard == []


def test_estimate_grows_with_every_size():
    base = budget.estimate("check", 3, 3, 1000, "exact")
    assert budget.estimate("check", 4, 3, 1000, "exact") > base
    assert budget.estimate("check", 3, 4, 1000, "exact") > base
    assert budget.estimate("check", 3, 3, 2000, "exact") > base
    assert budget.estimate("check", 3, 3, 1000, "float") < base
    assert budget.estimate("check", 3, 3, 1000, "exact", strata=False) < base
    assert budget.estimate("construct", 3, 3, 1000, "exact") < base
    # the features are the model's: s = 2 + 7 settlings (the strata |S| <= 2 of Q = 3), P = (L+1)(Q^2+Q) = 48
    assert budget.settled_strata(3, 3) == 7 and budget.settled_strata(3, 1) == 4
    assert budget.settled_strata(3, 3, False) == 0
    assert budget.features("check", 3, 3, 13) == (1.0, 13 * 4, 1.0, 0.0, 9 * 13 * 3 * 3, 9 * 9 * 3, 9 * 48**3, 0.0, 0.0)
    assert budget.features("check", 3, 3, 13, "float", strata=False) == \
        (1.0, 13 * 4, 1.0, 0.0, 2 * 13 * 3 * 3, 2 * 9 * 3, 0.0, 2 * 48**3, 0.0)
    assert budget.features("report", 5, 3, 13)[3] == 1.0 and budget.features("report", 5, 3, 13)[6] == 0.0
    assert budget.features("construct", 3, 3, 13) == (1.0, 13 * 4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 13 * 48)


def test_exact_rank_threshold_is_the_degeneracy_module_s():
    from symgeom.global_minima.degeneracy import EXACT_RANK_MAX_Q
    assert budget.EXACT_RANK_MAX_Q == EXACT_RANK_MAX_Q


@pytest.mark.parametrize("kind", ["exact", "float"])
@pytest.mark.parametrize("command", ["check", "report", "construct"])
@pytest.mark.parametrize("strata", [True, False])
def test_estimate_never_decreases_in_N_L_or_Q(kind, command, strata):
    sizes = [(Q, L, N) for Q in range(1, 11) for L in (1, 2, 3, 5, 8, 12, 20) for N in (1, 30, 10**3, 10**5, 10**7)]
    est = {(Q, L, N): budget.estimate(command, Q, L, N, kind, strata) for Q, L, N in sizes}
    for (Q, L, N), t in est.items():
        for bigger in ((Q + 1, L, N), (Q, L + 1, N), (Q, L, 10 * N)):
            if bigger in est:
                assert est[bigger] >= t, (command, kind, (Q, L, N), bigger)


@pytest.mark.parametrize("command, Q, L, N, kind", [
    ("check", 8, 8, 10**4, "float"),                 # README scale target check-float-Q8
    ("check", 6, 6, example_data(6).N, "exact"),     # check-exact-Q6 on `symgeom example --Q 6`
    ("check", 5, 5, example_data(5).N, "exact"),     # check-exact-Q5
    ("report", 5, 5, example_data(5).N, "exact"),    # report-Q5
])
def test_readme_benchmarks_are_within_the_default_budget(command, Q, L, N, kind):
    seconds = budget.require_within(command, "d.csv", Q, L, N, kind, budget.BUDGET_SECONDS)
    assert seconds < budget.BUDGET_SECONDS / 5  # measured 10-60 s: the model is within a factor 3 of such runs


@pytest.mark.parametrize("command, Q, L, N, kind", [
    ("check", 8, 8, 10**6, "exact"),
    ("check", 16, 64, 100, "float"),
    ("report", 16, 64, 100, "exact"),
    ("check", 2, 2, 10**8, "exact"),
    ("construct", 2, 2, 10**9, "exact"),
])
def test_huge_work_is_still_refused(command, Q, L, N, kind):
    with pytest.raises(budget.UsageError, match="beyond the budget of 10 min"):
        budget.require_within(command, "d.csv", Q, L, N, kind, budget.BUDGET_SECONDS)


def test_seconds_are_formatted_by_scale():
    assert [budget.format_seconds(s) for s in (0.5, 42, 720, 3 * 3600, 10 * 86400)] == \
        ["0.5 s", "42 s", "12 min", "3.0 h", "10 days"]


@pytest.mark.parametrize("ending", ["\n", ""])
def test_data_size_counts_like_the_reader(tmp_path, ending):
    data = example_data(3, seed=2)
    path = tmp_path / "d.csv"
    path.write_text(csv_text(data).rstrip("\n") + ending)
    assert data_size(path)[:2] == (3, data.N) == (read_csv(path).Q, read_csv(path).N)


def test_data_size_names_a_bad_header_like_the_reader(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text(GOOD.replace(",", ";"))
    code, _, err = run(capsys, "check", "--data", str(path))
    assert code == 2 and "semicolons" in err and err.count("\n") == 1


def test_long_numbers_are_counted(tmp_path, capsys):
    """Exact arithmetic on numbers of d digits costs about d²: 20 points of 1990 digits (over a minute of
    CPU) are refused under a budget of 30 s, while the same points with 16 digits pass."""
    import random

    from symgeom.cli import main

    rng = random.Random(1)

    def points(d):
        rows = ["x1,x2,cluster"]
        for j, (cx, cy) in enumerate([(3, 0), (0, 3)], 1):
            for _ in range(10):
                digits = "".join(rng.choice("0123456789") for _ in range(d))
                rows.append(f"{cx}.{digits},{cy}.{digits[::-1]},{j}")
        return "\n".join(rows) + "\n"

    long, short = tmp_path / "long.csv", tmp_path / "short.csv"
    long.write_text(points(1990))
    short.write_text(points(16))
    assert data_size(long).digits >= 1990 * 2 // 3 and data_size(short).digits < 40
    assert budget.estimate("check", 2, 2, 20, "exact", digits=data_size(long).digits) > 60
    assert budget.estimate("check", 2, 2, 20, "exact", digits=data_size(short).digits) == \
        budget.estimate("check", 2, 2, 20, "exact")
    code = main(["check", "--data", str(long), "--max-seconds", "30"])
    err = capsys.readouterr().err
    assert code == 2 and "digits" in err and "--max-seconds" in err
