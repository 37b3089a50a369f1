"""Standard streams and messages: progress and errors only ever on stderr (dropped when it is closed), a
result that cannot be written is exit 2 with the reason, and every error is one printable line of bounded
length naming the input."""

import json
import os
import subprocess
import sys

import pytest

from symgeom.cli.exit_codes import EXIT_USAGE
from symgeom.cli.app import MAX_MESSAGE, one_line
from symgeom.cli import main

SYMGEOM = [sys.executable, "-m", "symgeom"]
ROWS = "x1,x2,cluster\n3,0,1\n3.1,0,1\n0,3,2\n0,3.2,2\n"


def _run_fds(args, **redirect):
    """``symgeom args`` in a subprocess with its standard streams as given (``None`` = closed)."""
    fds = {1: redirect.get("stdout", subprocess.PIPE), 2: redirect.get("stderr", subprocess.PIPE)}
    closed = [fd for fd, target in fds.items() if target is None]
    pre = (lambda: [os.close(fd) for fd in closed]) if closed else None
    return subprocess.run(SYMGEOM + args, stdin=subprocess.DEVNULL, text=True, preexec_fn=pre, timeout=120,
                          stdout=fds[1] if fds[1] is not None else subprocess.DEVNULL,
                          stderr=fds[2] if fds[2] is not None else subprocess.DEVNULL)


@pytest.mark.slow
def test_closed_stderr_keeps_the_json_on_stdout_clean():
    proc = _run_fds(["check", "--only", "T1", "--json"], stderr=None)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["claims"][0]["id"] == "T1"  # nothing but the JSON object


@pytest.mark.slow
def test_closed_stdout_is_an_error_not_a_lost_result():
    proc = _run_fds(["check", "--only", "T1"], stdout=None)
    assert proc.returncode == EXIT_USAGE and "standard output" in proc.stderr and "closed" in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_a_full_stdout_is_exit_2_with_the_reason():
    with open("/dev/full", "w") as full:
        proc = _run_fds(["check", "--only", "T1"], stdout=full)
    assert proc.returncode == EXIT_USAGE and "No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_a_full_stderr_on_bad_input_is_still_exit_2():
    with open("/dev/full", "w") as full:
        proc = _run_fds(["check", "--data", "/nonexistent.csv"], stderr=full)
    assert proc.returncode == EXIT_USAGE


@pytest.mark.parametrize("text, shown", [
    ("a\nb", "a\\nb"), ("bad\x00name", "bad\\x00name"), ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("two  spaces", "two spaces"),
])
def test_one_line_shows_control_characters_as_escapes(text, shown):
    assert one_line(text) == shown


def test_one_line_bounds_the_length():
    line = one_line("x" * 100_000)
    assert len(line) <= MAX_MESSAGE and line.endswith("(100000 characters)")


def _error(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE and out == "", (code, out, err)
    assert err.count("\n") == 1 and err.endswith("\n") and err[:-1].isprintable()  # one printable line
    assert len(err) <= MAX_MESSAGE + 80
    return err


def test_a_name_with_a_newline_is_printed_on_one_line(tmp_path, capsys):
    path = tmp_path / "bad\nname.csv"
    err = _error(capsys, ["check", "--data", str(path)])
    assert "bad\\nname.csv" in err


@pytest.mark.parametrize("content, words", [
    (ROWS.replace("\n", "\r"), ["line 1", "carriage return"]),
    (ROWS.replace("\n3.1", "\r3.1"), ["line 2", "carriage return"]),
    ("x1,x2,cluster\n" + "1" * 200_000 + ",0,1\n" + ROWS.split("\n", 1)[1], ["line 2"]),
    ("x1,x2,cluster\n\"3,0,1\n", ["line 2"]),
])
@pytest.mark.parametrize("kind", ["--exact", "--float"])
def test_csv_the_csv_module_cannot_split_is_a_data_error(tmp_path, capsys, content, words, kind):
    path = tmp_path / "d.csv"
    path.write_bytes(content.encode())
    err = _error(capsys, ["check", kind, "--data", str(path), "--only", "T1"])
    assert str(path) in err and all(w in err for w in words), err


def test_a_huge_file_of_nul_bytes_is_refused_from_its_first_line(tmp_path, capsys):
    path = tmp_path / "zeros.csv"
    with open(path, "wb") as f:
        f.truncate(2 << 30)  # 2 GiB of NUL bytes, sparse: nothing is written
    err = _error(capsys, ["check", "--data", str(path)])
    assert "NUL bytes" in err and "line 1" in err


def test_a_million_columns_are_refused_from_the_header(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    Q = 10**6
    path.write_text(",".join(f"x{c}" for c in range(1, Q + 1)) + ",cluster\n" + ",".join(["0"] * (Q + 1)) + "\n")
    err = _error(capsys, ["check", "--data", str(path)])
    assert "line 1" in err


def test_dependent_targets_are_blamed_on_the_targets_file(tmp_path, capsys):
    data, targets = tmp_path / "d.csv", tmp_path / "t.csv"
    data.write_text(ROWS)
    targets.write_text("y1,y2\n1,2\n2,4\n")
    err = _error(capsys, ["check", "--data", str(data), "--targets", str(targets)])
    assert f"{targets}: the targets are not linearly independent" in err


def test_report_refuses_an_output_folder_whose_parts_are_in_the_way(tmp_path, capsys):
    out = tmp_path / "r"
    (out / "report.tex").mkdir(parents=True)
    err = _error(capsys, ["report", "--only", "T1", "--out", str(out), "--force"])
    assert "report.tex" in err and "directory" in err
    out2 = tmp_path / "r2"
    out2.mkdir()
    (out2 / "figures").write_text("a file")
    err = _error(capsys, ["report", "--only", "T1", "--out", str(out2), "--force"])
    assert "figures" in err


def test_a_data_file_that_grew_while_read_is_named(tmp_path, capsys, monkeypatch):
    """The table is sized from a first count of the lines; rows beyond it mean the file grew meanwhile."""
    from symgeom.data import files

    path = tmp_path / "d.csv"
    path.write_text(ROWS)
    counted = files._lines
    monkeypatch.setattr(files, "_lines", lambda p, size: (counted(p, size)[0] - 2, counted(p, size)[1]))
    err = _error(capsys, ["check", "--data", str(path), "--only", "T1", "--max-seconds", "0"])
    assert f"{path}: the data file grew while it was read" in err
