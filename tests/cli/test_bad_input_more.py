"""More bad and odd inputs, table-driven: each gets its documented exit status, exactly one line on
stderr that names the input, no traceback, and nothing written."""

import os
import stat
from pathlib import Path

import pytest

from symgeom.cli import check_command, report_command
from symgeom.cli import loading
from symgeom.cli.exit_codes import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE
from symgeom.cli import main

GOOD = "x1,x2,cluster\n3,0,1\n3.1,0,1\n0,3,2\n0,3.2,2\n"
TARGETS = "y1,y2\n1,0\n0,1\n"
HULL = "x1,x2,cluster\n0.1,0.1,1\n5,5,1\n4,6,1\n-2,0,2\n2,0,2\n0,2,2\n0,-2,2\n"
"""A point of cluster 1 inside the convex hull of cluster 2: no hyperplane separates them."""
PARAMS_Q2 = '{"kind": "exact", "weights": [[["1", "0"], ["0", "1"]], [["1", "0"], ["0", "1"]]], "biases": [["0", "0"], ["0", "0"]]}'


def write(tmp: Path, name: str, content) -> str:
    """A file in ``tmp`` (text or bytes); its path as a string."""
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return str(path)


def folder(tmp: Path, name: str, *files: str) -> str:
    """A folder in ``tmp`` holding ``files``; its path as a string."""
    path = tmp / name
    path.mkdir()
    for f in files:
        (path / f).write_text("mine")
    return str(path)


def fifo(tmp: Path) -> str:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    path = tmp / "pipe.csv"
    os.mkfifo(path)
    return str(path)


def dev_zero(tmp: Path) -> str:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this system")
    return "/dev/zero"


def raising(error):
    """A stand-in for :func:`symgeom.claims.registry.run_claims` that raises ``error``."""

    def run(*args, **kwargs):
        raise error

    return run


# name: (argv from tmp_path, exit status, texts stderr must contain (the first names the input), patch)
CASES = {
    "repeated --only": (lambda t: ["check", "--only", "T1", "--only", "T2"], EXIT_USAGE,
                        ["--only", "given more than once"], None),
    "repeated --data": (lambda t: ["check", "--data", write(t, "a.csv", GOOD), "--data", write(t, "b.csv", GOOD)],
                        EXIT_USAGE, ["--data", "given more than once"], None),
    "repeated --out": (lambda t: ["report", "--out", str(t / "a"), "--out", str(t / "b")], EXIT_USAGE,
                       ["--out", "given more than once"], None),
    "repeated --Q": (lambda t: ["example", "--Q", "2", "--Q", "3", "--out", str(t / "d.csv")], EXIT_USAGE,
                     ["--Q", "given more than once"], None),
    "repeated --exact": (lambda t: ["check", "--exact", "--exact"], EXIT_USAGE, ["--exact", "given more than once"], None),
    "repeated --force": (lambda t: ["example", "--out", str(t / "d.csv"), "--force", "--force"], EXIT_USAGE,
                         ["--force", "given more than once"], None),
    "L over budget": (lambda t: ["check", "--L", "65"], EXIT_USAGE, ["--L 65", "L <= 64"], None),
    "L over budget, report": (lambda t: ["report", "--L", "1000", "--out", str(t / "rep")], EXIT_USAGE,
                              ["--L 1000", "L <= 64"], None),
    "L zero": (lambda t: ["check", "--L", "0"], EXIT_USAGE, ["--L", ">= 1"], None),
    "data is a directory": (lambda t: ["check", "--data", folder(t, "dir")], EXIT_USAGE, ["dir", "is a directory"], None),
    "data is /dev/zero": (lambda t: ["check", "--data", dev_zero(t)], EXIT_USAGE,
                          ["/dev/zero", "character device", "not a regular file"], None),
    "data is a FIFO": (lambda t: ["check", "--data", fifo(t)], EXIT_USAGE, ["pipe.csv", "named pipe"], None),
    "targets is a FIFO": (lambda t: ["check", "--data", write(t, "d.csv", GOOD), "--targets", fifo(t)], EXIT_USAGE,
                          ["pipe.csv", "named pipe", "targets"], None),
    "data from stdin": (lambda t: ["check", "--data", "-"], EXIT_USAGE, ["--data -", "standard input"], None),
    "targets from stdin": (lambda t: ["check", "--targets", "-"], EXIT_USAGE, ["--targets -", "standard input"], None),
    "semicolons": (lambda t: ["check", "--data", write(t, "semi.csv", GOOD.replace(",", ";"))], EXIT_USAGE,
                   ["semi.csv", "semicolons", "expects commas"], None),
    "tabs": (lambda t: ["check", "--data", write(t, "tab.csv", GOOD.replace(",", "\t"))], EXIT_USAGE,
             ["tab.csv", "tabs", "expects commas"], None),
    "tabs, float": (lambda t: ["check", "--float", "--data", write(t, "tab.csv", GOOD.replace(",", "\t"))], EXIT_USAGE,
                    ["tab.csv", "tabs", "expects commas"], None),
    "BOM and semicolons": (lambda t: ["check", "--data", write(t, "bs.csv", b"\xef\xbb\xbf" + GOOD.replace(",", ";").encode())],
                           EXIT_USAGE, ["bs.csv", "semicolons"], None),
    "targets with semicolons": (lambda t: ["check", "--data", write(t, "d.csv", GOOD),
                                           "--targets", write(t, "y.csv", TARGETS.replace(",", ";"))],
                                EXIT_USAGE, ["y.csv", "semicolons", "'y1,y2'"], None),
    "beyond float64, exact": (lambda t: ["check", "--data", write(t, "big.csv", GOOD.replace("3.1", "1e400"))], EXIT_USAGE,
                              ["big.csv", "beyond the range", "1.0e+400"], None),
    "beyond float64, float": (lambda t: ["check", "--float", "--data", write(t, "big.csv", GOOD.replace("3.1", "1e400"))],
                              EXIT_USAGE, ["big.csv", "line 3, column x1", "beyond the float64 range", "exact mode"], None),
    "division by zero": (lambda t: ["check", "--data", write(t, "z.csv", GOOD.replace("3.1", "1/0"))], EXIT_USAGE,
                         ["z.csv", "'1/0' is not a number"], None),
    "not UTF-8": (lambda t: ["check", "--data", write(t, "l1.csv", "x1,x2,cluster\n3,0,1\n\xe9,0,1\n".encode("latin-1"))],
                  EXIT_USAGE, ["l1.csv", "not UTF-8"], None),
    "example into a directory": (lambda t: ["example", "--out", folder(t, "dir")], EXIT_USAGE,
                                 ["dir", "is a directory"], None),
    "example into a directory, forced": (lambda t: ["example", "--out", folder(t, "dir"), "--force"], EXIT_USAGE,
                                         ["dir", "is a directory"], None),
    "example into a missing folder": (lambda t: ["example", "--out", str(t / "no" / "d.csv")], EXIT_USAGE,
                                      ["d.csv", "does not exist"], None),
    "report into a non-empty folder": (lambda t: ["report", "--out", folder(t, "rep", "keep.txt")], EXIT_USAGE,
                                       ["rep", "not empty", "--force"], None),
    "report into a file": (lambda t: ["report", "--out", write(t, "rep.tex", "mine")], EXIT_USAGE,
                           ["rep.tex", "not a directory"], None),
    "report under a file": (lambda t: ["report", "--out", str(Path(write(t, "f", "mine")) / "sub")], EXIT_USAGE,
                            ["sub", "cannot create the folder"], None),
    "no-solutions without handout": (lambda t: ["report", "--no-solutions", "--out", str(t / "rep")], EXIT_USAGE,
                                     ["--no-solutions", "--handout"], None),
    "unknown option": (lambda t: ["check", "--frobnicate"], EXIT_USAGE, ["--frobnicate"], None),
    "internal error": (lambda t: ["check", "--only", "T1"], EXIT_INTERNAL,
                       ["symgeom check", "internal error", "RuntimeError", "boom", "bug", "--debug"],
                       raising(RuntimeError("boom\nsecond line"))),
    "internal error in report": (lambda t: ["report", "--out", str(t / "rep")], EXIT_INTERNAL,
                                 ["symgeom report", "internal error", "ZeroDivisionError"], raising(ZeroDivisionError("x"))),
    "interrupted": (lambda t: ["check", "--only", "T1"], EXIT_INTERRUPTED, ["interrupted"], raising(KeyboardInterrupt())),
    # construct
    "construct: --truncate with too few layers": (lambda t: ["construct", "--truncate", "1,2", "--L", "1", "--out",
                                                             str(t / "t.json")], EXIT_USAGE, ["needs L >= |S| = 2"], None),
    "construct: all clusters truncated": (lambda t: ["construct", "--truncate", "1,2,3", "--out", str(t / "t.json")],
                                          EXIT_USAGE, ["at least one cluster must be kept"], None),
    "construct: label 0": (lambda t: ["construct", "--truncate", "0", "--out", str(t / "t.json")], EXIT_USAGE,
                           ["[0]", "distinct labels in 1..3"], None),
    "construct: repeated label": (lambda t: ["construct", "--truncate", "1,1", "--out", str(t / "t.json")], EXIT_USAGE,
                                  ["[1, 1]", "distinct labels"], None),
    "construct: not a label list": (lambda t: ["construct", "--truncate", "one", "--out", str(t / "t.json")], EXIT_USAGE,
                                    ["--truncate", "comma"], None),
    "construct: below Q - 1 layers": (lambda t: ["construct", "--L", "1", "--out", str(t / "t.json")], EXIT_USAGE,
                                      ["L >= Q - 1 = 2"], None),
    "construct: wrong suffix": (lambda t: ["construct", "--out", str(t / "t.txt")], EXIT_USAGE, ["t.txt", ".json, .npz, .pt or .pth"],
                                None),
    "construct: file exists": (lambda t: ["construct", "--out", write(t, "t.json", "mine")], EXIT_USAGE,
                               ["t.json", "exists", "--force"], None),
    "construct: missing folder": (lambda t: ["construct", "--out", str(t / "no" / "t.json")], EXIT_USAGE,
                                  ["t.json", "does not exist"], None),
    "construct: inseparable clusters": (lambda t: ["construct", "--data", write(t, "hull.csv", HULL), "--truncate", "1",
                                                   "--out", str(t / "t.json")], EXIT_USAGE, ["not separated"], None),
    # locate
    "locate: missing file": (lambda t: ["locate", "--params", str(t / "none.json")], EXIT_USAGE, ["none.json"], None),
    "locate: not JSON": (lambda t: ["locate", "--params", write(t, "p.json", "{not json")], EXIT_USAGE, ["p.json"], None),
    "locate: width differs from the data": (lambda t: ["locate", "--params", write(t, "p.json", PARAMS_Q2)], EXIT_USAGE,
                                            ["width Q = 2", "dimension Q = 3"], None),
    "locate: NaN weight": (lambda t: ["locate", "--params", write(t, "p.json", PARAMS_Q2.replace('"1"', '"nan"', 1)),
                                      "--data", write(t, "d.csv", GOOD)], EXIT_USAGE, ["p.json", "'nan' is not a number"], None),
    # train
    "train: zero runs": (lambda t: ["train", "--inits", "0"], EXIT_USAGE, ["--inits", ">= 1"], None),
    "train: negative step size": (lambda t: ["train", "--lr", "-1"], EXIT_USAGE, ["--lr", "positive"], None),
    "train: unknown optimizer": (lambda t: ["train", "--optimizer", "sgd"], EXIT_USAGE, ["--optimizer", "sgd"], None),
    "train: output folder not empty": (lambda t: ["train", "--out", folder(t, "runs", "keep.txt")], EXIT_USAGE,
                                       ["runs", "not empty"], None),
    # report and example
    "report: zero training runs": (lambda t: ["report", "--train", "0", "--out", str(t / "rep")], EXIT_USAGE,
                                   ["--train", ">= 1"], None),
    "example: Q = 0": (lambda t: ["example", "--Q", "0", "--out", str(t / "d.csv")], EXIT_USAGE, ["--Q", ">= 1"], None),
    "example: Q too large": (lambda t: ["example", "--Q", "65", "--out", str(t / "d.csv")], EXIT_USAGE, ["Q", "1..64"], None),
    "check: unknown claim": (lambda t: ["check", "--only", "Z9"], EXIT_USAGE, ["'Z9'", "unknown claim"], None),
    "check: negative seed": (lambda t: ["check", "--seed", "-1"], EXIT_USAGE, ["--seed", ">= 0"], None),
}


def snapshot(root: Path) -> list:
    """Every path under ``root`` (FIFOs included) with its size: what a run might have written."""
    return sorted((str(p.relative_to(root)), p.lstat().st_size if not stat.S_ISFIFO(p.lstat().st_mode) else -1)
                  for p in root.rglob("*"))


def test_enough_cases():
    assert len(CASES) + FIRST_ROUND >= 90


FIRST_ROUND = 35
"""The bad inputs of tests/cli/test_bad_input.py (one test each)."""


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(tmp_path, capsys, monkeypatch, name):
    make_argv, status, needles, patch = CASES[name]
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the default output folder would land here
    argv = make_argv(work)
    if patch is not None:
        monkeypatch.setattr(check_command, "run_claims", patch)
        monkeypatch.setattr(report_command, "run_claims", patch)
    before = snapshot(work)
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    out, err = capsys.readouterr()
    assert code == status, err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert all(n in err for n in needles), err
    assert "Traceback" not in err
    assert out == ""
    assert snapshot(work) == before


def test_internal_error_with_debug_prints_the_traceback(capsys, monkeypatch):
    monkeypatch.setattr(check_command, "run_claims", raising(RuntimeError("boom")))
    assert main(["--debug", "check", "--only", "T1"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: boom" in err
    assert err.splitlines()[-1].startswith("symgeom check: error: internal error (RuntimeError: boom)")


def test_report_refuses_a_non_empty_folder_before_computing(tmp_path, capsys, monkeypatch):
    import time

    out = Path(folder(tmp_path, "rep", "keep.txt"))
    monkeypatch.setattr(report_command, "run_claims", raising(AssertionError("computed before refusing")))
    monkeypatch.setattr(loading, "load_data", raising(AssertionError("loaded data before refusing")))
    start = time.perf_counter()
    assert main(["report", "--out", str(out)]) == EXIT_USAGE
    assert time.perf_counter() - start < 0.5
    assert "not empty" in capsys.readouterr().err
    assert sorted(os.listdir(out)) == ["keep.txt"]


def test_file_named_dash_is_read_as_dot_slash_dash(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text(GOOD)
    assert main(["check", "--data", "./-", "--only", "T1", "--quiet"]) == 0
