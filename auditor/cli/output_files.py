"""Writing report and baseline files so that nothing is ever lost.

A report is written to a temporary file in the target's folder and renamed over the target
only once it is complete: an interrupted or failed run leaves the previous file as it was,
and a reader never sees half a report. A symbolic link is followed, so the link stays and its
target gets the report. A target that is not a regular file (``/dev/null``, ``/dev/stdout``, a
named pipe, a terminal) is written in place: renaming onto it would replace the device or pipe
with a plain file. Before any work starts, :func:`check_outputs` refuses
an output that is one of the run's inputs or that two outputs share.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

from auditor.model.errors import AuditorError

STDIO = "-"


class OutputError(AuditorError):
    """An output path that cannot be used: it is an input, is taken twice, or cannot be written."""


def _identity(path: str) -> tuple[str, object]:
    """What makes two spellings of a path the same file: its device and inode when it exists
    (links and ``a/../a`` included), else its absolute, normalised spelling."""
    try:
        status = os.stat(path)
    except OSError:
        return ("path", os.path.normcase(os.path.abspath(path)))
    return ("inode", (status.st_dev, status.st_ino))


def check_outputs(outputs: Iterable[tuple[str, str | None]], inputs: Iterable[str]) -> None:
    """Refuse, before any work, ``(option, path)`` outputs that would overwrite an input or
    each other. ``None`` and ``-`` stand for stdout and are never files."""
    seen_inputs = {_identity(path): path for path in inputs if path and path != STDIO}
    taken: dict[tuple[str, object], str] = {}
    for option, path in outputs:
        if path is None or path == STDIO:
            continue
        identity = _identity(path)
        if identity in seen_inputs:
            raise OutputError(f"{option} would overwrite the input {seen_inputs[identity]}; "
                              "write the output somewhere else", path)
        if identity in taken:
            raise OutputError(f"{option} names the same file as {taken[identity]}; give each output its own file",
                              path)
        taken[identity] = option
        if os.path.isdir(path):
            raise OutputError(f"{option} names a folder; give a file name", path)


def check_single_stdin(paths: Iterable[str]) -> None:
    """Standard input can be read once: ``-`` given twice is a usage error."""
    if sum(1 for path in paths if path == STDIO) > 1:
        raise OutputError("'-' (standard input) is given more than once; it can be read only once", STDIO)


# Temporary files being written. A name is added before its file is created, so whatever
# moment an interruption hits, discard_partial_outputs() can remove what exists.
_pending: set[str] = set()


def discard_partial_outputs() -> None:
    """Remove the temporary files of outputs still being written (after Ctrl-C)."""
    for temporary in sorted(_pending):
        try:
            os.unlink(temporary)
        except OSError:
            pass
    _pending.clear()


def _create_temporary(folder: str, name: str) -> tuple[int, str]:
    """A new file ``.NAME.XXXXXXXX.part`` in ``folder``, registered before it exists."""
    import secrets

    while True:
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.part")
        _pending.add(temporary)
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), temporary
        except FileExistsError:
            _pending.discard(temporary)


@contextmanager
def atomic_text_file(path: str) -> Iterator[TextIO]:
    """Open a UTF-8 text stream whose content replaces ``path`` only when the block ends
    normally. Parent folders are created; the new file keeps the old one's permissions (or
    gets the usual ones for a new file)."""
    if _is_special(path):
        with _in_place(path) as handle:
            yield handle
        return
    path = os.path.realpath(path) if os.path.islink(path) else path
    folder = os.path.dirname(os.path.abspath(path))
    temporary = ""
    try:
        os.makedirs(folder, exist_ok=True)
        descriptor, temporary = _create_temporary(folder, os.path.basename(path))
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path) from None
    except BaseException:
        discard_partial_outputs()
        raise
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
        _pending.discard(temporary)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        _pending.discard(temporary)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write: {exc.strerror or exc}", path) from None
        raise


def _is_special(path: str) -> bool:
    """Whether ``path`` exists and is something other than a regular file or a folder."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextmanager
def _in_place(path: str) -> Iterator[TextIO]:
    """Write straight into a device or pipe: there is no previous content to keep."""
    try:
        handle = open(path, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path) from None
    try:
        with handle:
            yield handle
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path) from None


def _mode_for(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomically(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (see :func:`atomic_text_file`)."""
    with atomic_text_file(path) as handle:
        handle.write(text)
