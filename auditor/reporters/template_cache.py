"""Compiled report templates kept between runs, so that a run does not compile them again.

Jinja turns each template into Python code before it renders it: for the HTML report's five
templates that takes longer than auditing a manifest. The compiled code is kept in a folder
of the user's cache, one file per template, environment and version of wsaudit and of
Jinja, and Jinja checks each file against its template's source before using it, so an
edited template is compiled again. The folder is the ``WSAUDIT_CACHE_DIR`` environment
variable when it is set (set and empty: nothing is kept), else ``wsaudit`` in
``XDG_CACHE_HOME`` or ``~/.cache``; its ``templates`` folder is made readable by the user
alone.

A run never fails because of the cache: a folder that cannot be made, or that other users
could write to, is not used; a file that cannot be read is compiled again and one that
cannot be written is skipped. Imported by the template environments, which import Jinja.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import jinja2

CACHE_ENVIRONMENT_VARIABLE = "WSAUDIT_CACHE_DIR"


def cache_folder() -> Path | None:
    """The folder wsaudit keeps its cache in, or ``None`` when it is told to keep none."""
    given = os.environ.get(CACHE_ENVIRONMENT_VARIABLE)
    if given is not None:
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: the specification says to ignore it
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None  # no home folder known: nowhere to keep it (not the current folder)
        base = os.path.join(home, ".cache")
    return Path(base) / "wsaudit"


def bytecode_cache(kind: str) -> Any:
    """A Jinja bytecode cache for the templates of environment ``kind`` (``html``,
    ``markdown``, ``text``), or ``None`` when there is no usable cache folder."""
    folder = cache_folder()
    if folder is None:
        return None
    templates = folder / "templates"
    try:
        templates.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = os.lstat(templates)
    except (OSError, ValueError):  # ValueError: a path with a NUL character
        return None
    # Code is loaded from this folder: it must be a folder of this user's that nobody else
    # can write to.
    if (not stat.S_ISDIR(found.st_mode) or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            or (hasattr(os, "getuid") and found.st_uid != os.getuid())):
        return None
    # Environments compile one template differently, and so may another version of wsaudit
    # (its environments' settings) or of Jinja (the code it writes): each has its own files.
    from auditor import __version__

    return _ForgivingCache(str(templates), f"{kind}-{__version__}-jinja{jinja2.__version__}-%s.cache")


class _ForgivingCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates in files, for which a file that cannot be read
    or written only means compiling its template again."""

    def load_bytecode(self, bucket: Any) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file: the template is compiled again, and the file written anew
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full disk, or a folder made read-only meanwhile
            pass
