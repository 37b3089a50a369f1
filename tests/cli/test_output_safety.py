"""Outputs never destroy what is in their way: a non-regular file at an output path is refused even
with ``--force``, a new file is created exclusively, temporary files vanish on every exit path, and a
folder another run is writing into is refused."""

import errno
import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from symgeom import io as symio
from symgeom._errors import UsageError
from symgeom.cli.exit_codes import EXIT_USAGE
from symgeom.cli import main
from symgeom.reports.report import tex_engine

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _leftovers(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@needs_fifo
@pytest.mark.parametrize("command", [["construct"], ["example"]])
def test_force_never_replaces_a_named_pipe(tmp_path, capsys, command):
    pipe = tmp_path / ("f.json" if command == ["construct"] else "f.csv")
    os.mkfifo(pipe)
    code, out, err = _run(capsys, command + ["--out", str(pipe), "--force"])
    assert code == EXIT_USAGE and out == ""
    assert len(err.strip().splitlines()) == 1 and str(pipe) in err and "named pipe" in err
    assert pipe.is_fifo()  # still the pipe it was
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("command", [["construct"], ["example"]])
def test_force_never_replaces_a_symbolic_link(tmp_path, capsys, command):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / ("l.json" if command == ["construct"] else "l.csv")
    link.symlink_to(target)
    code, _, err = _run(capsys, command + ["--out", str(link), "--force"])
    assert code == EXIT_USAGE and "symbolic link" in err and str(link) in err
    assert link.is_symlink() and target.read_text() == "keep me"


def test_a_regular_file_is_still_replaced_with_force(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("old")
    code, out, _ = _run(capsys, ["example", "--out", str(path), "--force"])
    assert code == 0 and "wrote" in out and path.read_text().startswith("x1,")


def test_new_files_are_created_exclusively(tmp_path):
    path = tmp_path / "t.json"
    symio.write_text(path, "first", exclusive=True)
    with pytest.raises(UsageError, match="file exists"):
        symio.write_text(path, "second", exclusive=True)  # another run got there first
    assert path.read_text() == "first" and _leftovers(tmp_path) == []
    symio.write_text(path, "forced")  # not exclusive: replaced
    assert path.read_text() == "forced"


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full_disk(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(symio.os, "replace", full_disk)
    with pytest.raises(UsageError, match="No space left on device"):
        symio.write_text(tmp_path / "r.tex", "text")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_a_usage_error_with_the_reason(tmp_path, capsys, monkeypatch):
    def full_disk(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(symio.os, "replace", full_disk)
    monkeypatch.setattr(symio.os, "link", full_disk)
    code, out, err = _run(capsys, ["example", "--out", str(tmp_path / "d.csv")])
    assert code == EXIT_USAGE and "No space left on device" in err and "d.csv" in err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_another_run_writes_into_is_refused(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another run holds it
        with pytest.raises(UsageError, match="another symgeom run"):
            symio.prepare_directory(out, force=True)
    finally:
        os.close(fd)
    assert symio.prepare_directory(out, force=True) == out  # free again: taken, and kept by this process
    assert symio.prepare_directory(out, force=True) == out


def test_tex_runs_without_shell_escape():
    engine = tex_engine()
    if engine is None:
        pytest.skip("no TeX engine")
    assert any("no-shell-escape" in word for word in engine)


@pytest.mark.slow
def test_sigterm_removes_temporary_folders(tmp_path):
    """A run ended by SIGTERM unwinds like an exception: its ``TemporaryDirectory`` is removed."""
    script = textwrap.dedent(f"""
        import sys, tempfile, time
        from symgeom.cli import app as cli, check_command
        def cmd_check(args):
            with tempfile.TemporaryDirectory(prefix="symgeom-tex-", dir={str(tmp_path)!r}) as work:
                print(work, flush=True)
                time.sleep(60)
        check_command.cmd_check = cmd_check
        sys.exit(cli.main(["check"]))
    """)
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as proc:
        work = Path(proc.stdout.readline().strip())
        assert work.is_dir()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 5
    while work.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not work.exists()


# -- parameter files: checked before they are loaded ----------------------------------------
def _locate(capsys, params):
    return _run(capsys, ["locate", "--params", str(params)])


def _npz(path: Path, arrays: dict, declared: dict | None = None) -> Path:
    """An ``.npz`` of ``arrays``; ``declared`` replaces a member by a bare header declaring that shape."""
    import io
    import zipfile

    import numpy as np

    with zipfile.ZipFile(path, "w") as z:
        for name, a in arrays.items():
            buf = io.BytesIO()
            if declared and name in declared:
                np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False,
                                                          "shape": declared[name]})
            else:
                np.lib.format.write_array(buf, np.asarray(a))
            z.writestr(name + ".npy", buf.getvalue())
    return path


def _identity_npz(path: Path, **changes):
    import numpy as np

    arrays = {"L": np.int64(1), "Q": np.int64(3), "W1": np.eye(3), "W2": np.eye(3), "b1": np.zeros(3),
              "b2": np.zeros(3)}
    arrays.update(changes)
    return arrays


@pytest.mark.parametrize("make, words", [
    (lambda t: "/dev/zero", ["/dev/zero", "character device"]),
    (lambda t: t, ["is a directory"]),
])
def test_params_must_be_a_regular_file(tmp_path, capsys, make, words):
    code, out, err = _locate(capsys, make(tmp_path))
    assert code == EXIT_USAGE and out == "" and len(err.strip().splitlines()) == 1
    assert all(w in err for w in words)


@needs_fifo
def test_params_never_block_on_a_named_pipe(tmp_path, capsys):
    pipe = tmp_path / "theta.json"
    os.mkfifo(pipe)
    code, _, err = _locate(capsys, pipe)
    assert code == EXIT_USAGE and "named pipe" in err


def test_npz_declaring_a_huge_array_is_refused_from_its_header(tmp_path, capsys):
    path = _npz(tmp_path / "t.npz", _identity_npz(tmp_path), declared={"W1": (100000, 100000)})
    code, _, err = _locate(capsys, path)
    assert code == EXIT_USAGE and "'W1' has shape (100000, 100000)" in err


@pytest.mark.parametrize("change, words", [
    ({"W1": (1 + 1j) * __import__("numpy").eye(3)}, ["'W1' holds complex128"]),
    ({"L": __import__("numpy").float64(1.7)}, ["'L' is a float64", "expected one integer"]),
    ({"L": __import__("numpy").int64(10**6)}, ["L = 1000000"]),
])
def test_npz_with_the_wrong_kind_of_numbers_is_refused(tmp_path, capsys, change, words):
    path = _npz(tmp_path / "t.npz", _identity_npz(tmp_path, **change))
    code, _, err = _locate(capsys, path)
    assert code == EXIT_USAGE and all(w in err for w in words), err


def test_deeply_nested_json_is_refused_before_parsing(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text("[" * 100000 + "]" * 100000)
    code, _, err = _locate(capsys, path)
    assert code == EXIT_USAGE and "nested deeper" in err and len(err) < 300


def test_a_valid_npz_is_still_read(tmp_path, capsys):
    import numpy as np

    from symgeom import load_parameters

    path = _npz(tmp_path / "t.npz", _identity_npz(tmp_path))
    params = load_parameters(path)
    assert params.L == 1 and params.Q == 3 and np.array_equal(params.weights[0], np.eye(3))


@pytest.mark.parametrize("target", ["/proc/symgeom-test.json", "/sys/symgeom-test.json"])
def test_an_unwritable_file_system_is_a_usage_error(capsys, target):
    if not os.path.isdir(os.path.dirname(target)):
        pytest.skip(f"no {os.path.dirname(target)} on this system")
    code, out, err = _run(capsys, ["construct", "--out", target])
    assert code == EXIT_USAGE and out == "" and err.count("\n") == 1 and target in err and "cannot write" in err
