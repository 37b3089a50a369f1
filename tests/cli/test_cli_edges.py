"""The edges a new user meets first: help pages with a description and two examples, one error format, ``example
--out -``, a training table in words, exit codes as an enum; and the CLI's own shape (dispatch by
``set_defaults(run=...)``, small modules, library messages that name no option)."""

import argparse
import ast
import re
from pathlib import Path

import pytest

import symgeom
from symgeom._errors import DataError, UsageError
from symgeom.cli import main
from symgeom.cli.app import build_parser, remedy_option
from symgeom.cli.exit_codes import ExitCode
from symgeom.local_minima.locate import StratumGroup

SUBCOMMANDS = ["check", "report", "construct", "certify", "locate", "train", "example"]
PACKAGE = Path(symgeom.__file__).parent


def _subparsers():
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_help_page_has_a_description_and_two_examples(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    description = _subparsers()[command].description
    assert description and len(description) > 80 and description.splitlines()[0] in out
    examples = out.split("\nexamples:\n", 1)[1].splitlines()
    commands = [line for line in examples if line.startswith("  symgeom ")]
    assert len(commands) == 2 and all(line.split()[1] == command for line in commands)
    assert len(examples) == 4  # each example followed by what it does


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_is_dispatched_by_its_run_default(command):
    run = _subparsers()[command].get_default("run")
    assert callable(run) and run.__name__ == f"cmd_{command}"


@pytest.mark.parametrize("argv, needle", [
    (["check", "--frobnicate"], "--frobnicate"),                      # argparse's own error
    (["check", "--data", "missing.csv"], "not found"),                # symgeom's own error
    (["locate", "--params", "-"], "standard input"),
    (["example", "--Q", "0", "--out", "d.csv"], "--Q"),
])
def test_one_error_format_everywhere(argv, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert err.startswith(f"symgeom {argv[0]}: error: ") and needle in err and err.count("\n") == 1


def test_an_interruption_is_reported_in_the_same_format(capsys, monkeypatch):
    from symgeom.cli import check_command

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(check_command, "run_claims", interrupt)
    assert main(["check", "--only", "T1", "--quiet"]) == ExitCode.INTERRUPTED
    assert capsys.readouterr().err == "symgeom check: error: interrupted\n"


def test_the_command_line_adds_the_option_a_library_error_asks_for():
    assert remedy_option(DataError("float64 cannot hold cluster 1; use exact arithmetic", remedy="exact")) == " (--exact)"
    assert remedy_option(UsageError("beyond the budget", remedy="budget", remedy_value=7)) == \
        " (--max-seconds 7, or --max-seconds 0 for no limit)"
    assert remedy_option(DataError("no remedy")) == ""


def test_a_budget_refusal_names_the_option_only_on_the_command_line(capsys):
    from symgeom.claims.budget import require_within

    with pytest.raises(UsageError) as e:
        require_within("check", "d.csv", 3, 3, 10**7, "exact", 1.0)
    assert "--" not in str(e.value) and e.value.remedy == "budget" and e.value.remedy_value > 1
    assert main(["check", "--max-seconds", "0.001", "--quiet"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("symgeom check: error: ") and "(--max-seconds " in err


def _raised_strings(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for c in ast.walk(node.exc):
                if isinstance(c, ast.Constant) and isinstance(c.value, str):
                    yield node.lineno, c.value


NOT_YET = set()
"""Library modules whose messages still name a command-line option."""


def test_library_error_messages_name_no_command_line_option():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("cli/") or rel in NOT_YET:
            continue
        for line, text in _raised_strings(ast.parse(path.read_text())):
            if re.search(r"(^|\s|\()--[a-z]", text):
                found.append(f"{rel}:{line}: {text[:60]}")
    assert found == []


def test_example_writes_the_csv_to_stdout_with_out_dash(tmp_path, capsys):
    assert main(["example", "--Q", "2", "--seed", "3", "--out", "-"]) == 0
    out, err = capsys.readouterr()
    assert main(["example", "--Q", "2", "--seed", "3", "--out", str(tmp_path / "d.csv")]) == 0
    assert out == (tmp_path / "d.csv").read_text() and out.startswith("x1,x2,cluster\n") and err == ""
    rows = out.splitlines()[1:]
    assert {row.split(",")[2] for row in rows} == {"1", "2"}


@pytest.mark.parametrize("group, words", [
    (StratumGroup((1, 2, 3), (), True, (0,), 0), "in stratum S = {1, 2, 3} (every cluster collapsed)"),
    (StratumGroup((1,), (2, 3), True, (0,), 0), "in stratum S = {1} (clusters 2, 3 kept)"),
    (StratumGroup((), (), False, (0,), 0), "outside every stratum (clusters 1, 2, 3 mixed)"),
    (StratumGroup((2,), (3,), False, (0,), 0), "outside every stratum (cluster 2 collapsed; cluster 3 kept; "
                                               "cluster 1 mixed)"),
])
def test_train_groups_are_named_in_words(group, words):
    from symgeom.cli.train_command import group_label

    assert group_label(group, 3) == words


def test_train_table_shows_bound_and_gap_only_when_they_say_something(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["train", "--inits", "4", "--steps", "20", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    header = next(line for line in out.splitlines() if line.startswith("where the runs ended"))
    labels = [line for line in out.splitlines() if line.startswith(("in stratum", "outside every stratum"))]
    assert labels and "{}" not in "".join(labels)
    if all("kept" not in line for line in labels):  # U = {} everywhere: B_U = 0, the gap is the cost
        assert "B_U" not in header and "gap" not in header and "No group keeps a cluster" in out
    else:
        assert "B_U" in header and "mean gap" in header


def test_exit_codes_are_an_enum_with_the_documented_values():
    assert {c.name: int(c) for c in ExitCode} == {"OK": 0, "REFUTED": 1, "USAGE": 2, "INTERNAL": 3,
                                                 "INTERRUPTED": 130, "CLOSED_PIPE": 141, "TERMINATED": 143}


def test_cli_modules_and_functions_are_small():
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        text = path.read_text()
        assert text.count("\n") <= 400, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno - node.lineno + 1 <= 50, f"{path.name}: {node.name}"


def test_an_output_folder_in_the_way_names_its_option_and_only_an_offered_remedy(tmp_path, capsys):
    folder = tmp_path / "full"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    assert main(["check", "--only", "T1", "--quiet", "--certificates", str(folder)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"symgeom check: error: --certificates {folder}: folder exists and is not empty")
    assert "--force" not in err and "--out" not in err  # check has no --force, and the folder came with --certificates
    assert main(["report", "--only", "T1", "--quiet", "--out", str(folder)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"symgeom report: error: --out {folder}: folder exists and is not empty") and \
        err.rstrip().endswith("(--force)")
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
