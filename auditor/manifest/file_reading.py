"""Reading a text file the auditor was pointed at, before anything parses it.

Manifests, policy packs, waivers, baselines and credential files all arrive as paths a user
typed. This module reads them the one careful way:

* anything that is not a regular file (a directory, a FIFO, a device, a socket) is refused
  from ``os.stat`` without opening it, since opening a FIFO blocks and a device can be
  endless;
* no more than a size cap is read, and a larger file is refused with a hint;
* UTF-16 and UTF-32 text, NUL bytes (binary content), invalid UTF-8 and empty files are
  refused with the line and column where the problem starts.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from auditor.model.errors import AuditorError, ManifestError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def position_of_offset(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


_FILE_KINDS = (
    (stat.S_ISDIR, "is a directory, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def refuse_special_file(mode: int, shown: str, error_type: type[AuditorError]) -> None:
    """Raise ``error_type`` unless ``mode`` (from ``os.stat``) is a regular file's."""
    if stat.S_ISREG(mode):
        return
    for test, message in _FILE_KINDS:
        if test(mode):
            raise error_type(message, shown)
    raise error_type("is not a regular file", shown)


def read_bytes(path: str | Path, max_bytes: int, shown: str, error_type: type[AuditorError] = ManifestError) -> bytes:
    """Up to ``max_bytes + 1`` bytes of a regular file.

    The file is checked with ``os.stat`` before it is opened: opening a FIFO for reading
    blocks until a writer comes, and a device can be endless. It is opened non-blocking and
    checked again, in case it was swapped for something else in between.
    """
    try:
        refuse_special_file(os.stat(path).st_mode, shown, error_type)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise error_type("no such file", shown) from None
    except OSError as exc:
        raise error_type(f"cannot read the file: {exc.strerror or exc}", shown) from None
    try:
        try:
            status = os.fstat(descriptor)
            refuse_special_file(status.st_mode, shown, error_type)
            # Read from the descriptor itself: a buffered file object costs four more system
            # calls per file (a terminal check, a seek, a second status, a read to see the
            # end), each dearer than its work when a batch reads thousands of small manifests.
            # Ask for the size the file has plus one byte, not for max_bytes + 1: a read sets
            # aside all it asks for first, and a manifest of a few KiB would pay for the limit.
            data = os.read(descriptor, min(status.st_size, max_bytes) + 1)
            if len(data) != status.st_size:
                # The file grew or shrank, tells no size (like /proc files) or came in parts:
                # read on to its end, up to the limit.
                data = _read_on(descriptor, data, max_bytes)
        finally:
            os.close(descriptor)
    except OSError as exc:
        raise error_type(f"cannot read the file: {exc.strerror or exc}", shown) from None
    return data


def _read_on(descriptor: int, data: bytes, max_bytes: int) -> bytes:
    """``data`` and what follows it in the file, up to ``max_bytes + 1`` bytes in all."""
    chunks = [data]
    total = len(data)
    while total <= max_bytes:
        chunk = os.read(descriptor, min(max_bytes + 1 - total, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_text(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None,
              error_type: type[AuditorError] = ManifestError) -> str:
    """Read a file as UTF-8 text, refusing what is too large, binary or not UTF-8."""
    shown = display or str(path)
    return decode_bytes(read_bytes(path, max_bytes, shown, error_type), shown, max_bytes, error_type)


_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
              (b"\xfe\xff", "UTF-16"))


def wide_encoding(raw: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` when ``raw`` starts with that encoding's byte-order mark
    or looks like it (an ASCII first character next to NUL bytes)."""
    for mark, name in _WIDE_BOMS:
        if raw.startswith(mark):
            return name
    head = raw[:4]
    if len(head) == 4 and head[1:4] == b"\x00\x00\x00" or head[:3] == b"\x00\x00\x00":
        return "UTF-32"
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        return "UTF-16"
    return None


def decode_bytes(raw: bytes, shown: str, max_bytes: int = DEFAULT_MAX_BYTES,
                 error_type: type[AuditorError] = ManifestError, kind: str = "YAML") -> str:
    """Check and decode the raw bytes of a YAML (or ``kind``) file (see :func:`read_text`)."""
    if len(raw) > max_bytes:
        raise error_type(
            f"the file is larger than the {_format_size(max_bytes)} limit",
            shown,
            1,
            1,
            hint="raise the limit with --max-size if the file is genuine",
        )
    wide = wide_encoding(raw)
    if wide is not None:
        raise error_type(f"the file is {wide} text; wsaudit reads UTF-8", shown, 1, 1, hint="save the file as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        text_before = raw[:nul].decode("utf-8", errors="replace")
        line, column = position_of_offset(text_before, len(text_before))
        raise error_type(f"binary content (NUL byte): this is not a {kind} text file", shown, line, column)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8")
        line, column = position_of_offset(good, len(good))
        raise error_type(
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", shown, line, column,
            hint="save the file as UTF-8",
        ) from None
    if not text.strip():
        raise error_type("the file is empty", shown, 1, 1)
    return text


def _format_size(size: int) -> str:
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    if size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} bytes"
