"""Writing outputs: atomically (a temporary file in the same folder, then a rename), with the
permissions an ordinary ``open`` would give (``0666`` less the user's umask), and checking an
output folder before any long computation starts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ._errors import UsageError

NEW_FILE_MODE = 0o666
"""Permissions of a new file before the umask, as ``open(path, "w")`` would create it."""


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: an interrupted run leaves no half-written file,
    and the file gets mode ``0666 & ~umask`` (``mkstemp`` alone would leave ``0600``)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, NEW_FILE_MODE & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 with ``\\n`` line ends, atomically (see :func:`write_bytes`)."""
    write_bytes(path, text.encode("utf-8"))


def check_output_folder(out: Path, force: bool) -> None:
    """Refuse, without creating anything, an output folder symgeom could not write into: an
    existing non-folder, a non-empty folder (unless ``force``), or a folder that cannot be created
    or written."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory; choose a new folder")
    if out.is_dir():
        if any(out.iterdir()) and not force:
            raise UsageError(
                f"--out {out}: folder exists and is not empty; use --force to write into it, or choose another folder")
        if not os.access(out, os.W_OK):
            raise UsageError(f"--out {out}: folder is not writable")
        return
    parent = _nearest_existing(out)
    if not parent.is_dir():
        raise UsageError(f"--out {out}: cannot create the folder ({parent} is not a directory)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: cannot create the folder ({parent} is not writable)")


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (the current folder for a relative path)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def prepare_directory(out: Path, force: bool) -> Path:
    """Create ``out`` if needed, after :func:`check_output_folder`."""
    out = Path(out)
    check_output_folder(out, force)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--out {out}: cannot create the folder ({e.strerror or e})") from None
    return out
