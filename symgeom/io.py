"""Writing outputs: atomically (a temporary file in the same folder, then a rename), with the
permissions an ordinary ``open`` would give (``0666`` less the user's umask), and checking an
output file or folder before any long computation starts.

symgeom writes regular files only: an existing output path that is a symbolic link, a named pipe, a
device or a socket is refused, with or without ``--force`` (replacing it would destroy it), and so is
a folder where a file is expected.  Without ``force`` a new file is created exclusively: of two runs
writing the same new name, one writes and the other is refused.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from pathlib import Path

from ._errors import UsageError

__all__ = [
    "NEW_FILE_MODE", "special_kind", "require_regular_file", "check_output_file", "write_bytes", "write_text",
    "check_output_folder", "prepare_directory",
]

NEW_FILE_MODE = 0o666
"""Permissions of a new file before the umask, as ``open(path, "w")`` would create it."""


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


_SPECIAL = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
            (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def special_kind(mode: int) -> str | None:
    """What a file of mode ``mode`` is when it is not a regular file (``"a named pipe"``, …), else ``None``."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _SPECIAL if test(mode)), "not a regular file")


def _not_regular(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a regular file, else ``None``.  Links are not followed: a
    link to a regular file is still a link, and writing through it would change another file."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # nothing there (or a parent is no folder)
        return None
    except OSError as e:
        return f"not readable ({e.strerror or e})"
    return special_kind(mode)


def require_regular_file(path: Path, what: str, expected: str, error=UsageError) -> int:
    """Refuse, before opening it, an input that is not a regular file -- a directory, a device such as
    ``/dev/zero`` (endless), a named pipe (would block) -- with ``error`` naming ``what`` the file was to be
    and what was ``expected``.  Links are followed.  Returns the file's size in bytes."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{path}: {what} file not found") from None
    except OSError as e:
        raise error(f"{path}: cannot read the {what} file ({e.strerror or e})") from None
    kind = special_kind(info.st_mode)
    if kind is not None:
        raise error(f"{path}: is {kind}, not a regular file; expected {expected}")
    return info.st_size


def _named(path: Path, option: str | None) -> str:
    """How a message names an output: ``path``, after the ``option`` it was given with (the caller's word)."""
    return f"{option} {path}" if option else str(path)


def check_output_file(path: Path, force: bool, option: str | None = None) -> None:
    """Refuse, before any work, an output file symgeom must not or cannot write: an existing path
    that is not a regular file (always), an existing file (unless ``force``; the error's remedy is then
    ``"force"``), a missing or unwritable folder.  ``option`` names how the caller was given the path."""
    path = Path(path)
    name = _named(path, option)
    what = _not_regular(path)
    if what is not None:
        raise UsageError(f"{name}: exists and is {what}; symgeom writes regular files only, choose another name")
    if path.exists() and not force:
        raise UsageError(f"{name}: file exists; choose another name, or overwrite it", remedy="force")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"{name}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{name}: folder {folder} is not writable")


def write_bytes(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` atomically: an interrupted run leaves no half-written file, and the
    file gets mode ``0666 & ~umask`` (``mkstemp`` alone would leave ``0600``).  The temporary file
    has a unique name in the target folder and is removed on every exit path.  An existing ``path``
    that is not a regular file is never replaced; with ``exclusive`` an existing file is not either
    (the file is linked into place, which fails if the name exists).  Failures to write (a full
    disk, a read-only file system) are :class:`UsageError` naming the file and the reason."""
    path = Path(path)
    what = _not_regular(path)
    if what is not None:
        raise UsageError(f"{path}: exists and is {what}; symgeom writes regular files only, choose another name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise UsageError(f"{path}: cannot write ({e.strerror or e})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, NEW_FILE_MODE & ~_umask())
        _move_into_place(tmp, path, exclusive)
    except OSError as e:
        raise UsageError(f"{path}: cannot write ({e.strerror or e})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _move_into_place(tmp: str, path: Path, exclusive: bool) -> None:
    """Rename ``tmp`` to ``path``; with ``exclusive``, only if no file of that name exists."""
    if not exclusive:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise UsageError(f"{path}: file exists (written by another run meanwhile); choose another name, or "
                         "overwrite it", remedy="force") from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise
        # a file system without hard links: claim the name exclusively, then fill it by rename
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE))
        try:
            os.replace(tmp, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise


def write_text(path: Path, text: str, exclusive: bool = False) -> None:
    """Write ``text`` to ``path`` as UTF-8 with ``\\n`` line ends, atomically (see :func:`write_bytes`)."""
    write_bytes(path, text.encode("utf-8"), exclusive)


def check_output_folder(out: Path, force: bool | None, files=(), folders=(), option: str | None = None) -> None:
    """Refuse, without creating anything, an output folder symgeom could not write into: an
    existing non-folder, a non-empty folder (unless ``force``; the error's remedy is then ``"force"``, none
    when ``force`` is ``None``: the caller offers no overwriting), a
    folder that cannot be created or written, or one where the ``files`` and ``folders`` to be written inside
    are in the way (a folder or a pipe where a file goes, a file where a folder goes).  ``option`` names how
    the caller was given the folder."""
    out = Path(out)
    name = _named(out, option)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{name}: exists and is not a directory; choose a new folder")
    if out.is_dir():
        if any(out.iterdir()) and force is None:  # the caller offers no overwriting
            raise UsageError(f"{name}: folder exists and is not empty; choose a new or empty folder")
        if any(out.iterdir()) and not force:
            raise UsageError(f"{name}: folder exists and is not empty; choose another folder, or write into it",
                             remedy="force")
        if not os.access(out, os.W_OK):
            raise UsageError(f"{name}: folder is not writable")
        _check_parts(out, files, folders, name)
        return
    parent = _nearest_existing(out)
    if not parent.is_dir():
        raise UsageError(f"{name}: cannot create the folder ({parent} is not a directory)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{name}: cannot create the folder ({parent} is not writable)")


def _check_parts(out: Path, files, folders, name: str) -> None:
    """The named ``files`` inside ``out`` are absent or regular files; the named ``folders`` absent or folders."""
    for part in files:
        what = _not_regular(out / part)
        if what is not None:
            raise UsageError(f"{name}: {out / part} exists and is {what}; symgeom writes regular files only, "
                             "remove it or choose another folder")
    for part in folders:
        if (out / part).exists() and not (out / part).is_dir():
            raise UsageError(f"{name}: {out / part} exists and is not a directory; symgeom writes its "
                             f"{part} there, remove it or choose another folder")


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (the current folder for a relative path)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def prepare_directory(out: Path, force: bool | None, option: str | None = None) -> Path:
    """Create ``out`` if needed, after :func:`check_output_folder` (``option`` as there)."""
    out = Path(out)
    check_output_folder(out, force, option=option)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"{_named(out, option)}: cannot create the folder ({e.strerror or e})") from None
    _lock(out, option)
    return out


_LOCKS: dict = {}
"""Open descriptors of the output folders this process holds locked, by ``(device, inode)``."""


def _lock(out: Path, option: str | None = None) -> None:
    """Hold an exclusive lock on the folder ``out`` until this process ends: a second run writing into the
    same folder at the same time is refused, not interleaved.  The same process may prepare it again."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    key = (os.fstat(fd).st_dev, os.fstat(fd).st_ino)
    if key in _LOCKS:
        os.close(fd)
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise UsageError(f"{_named(out, option)}: another symgeom run is writing into this folder; wait for it to finish, "
                         "or choose another folder") from None
    _LOCKS[key] = fd

