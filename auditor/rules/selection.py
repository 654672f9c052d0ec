"""Where a rule looks in a manifest: the elements a ``select`` pattern picks, the fields its
``needs`` find missing, and the node a rule's ``at`` names (the node a finding is shown at,
the nearest one the manifest has, is :meth:`~auditor.manifest.yaml_source.YamlDocument.nearest`).

An element the manifest leaves out is :data:`ABSENT`, so that a rule can still say what is
missing; missing fields are named as a reader finds them (``scopes[0].requested``).
"""

from __future__ import annotations

from typing import Any, Iterator

from auditor.manifest.schema_check import dotted
from auditor.manifest.yaml_source import escape_pointer_token

# The element a pattern names when the manifest leaves it out.
ABSENT = object()


def select(data: Any, pattern: str, when_absent: str) -> Iterator[tuple[str, Any]]:
    """``(pointer, element)`` for each element ``pattern`` selects, in document order.

    A pattern without ``*`` always yields its one element, ``ABSENT`` when the manifest
    leaves it out (so the rule can say what is missing). A ``*`` over a missing list yields
    the list's own pointer as ``ABSENT`` when ``when_absent`` is ``incomplete``.
    """
    # One level of the pattern at a time, each level's elements expanded in order: the same
    # elements in the same order as a depth-first walk, without a generator per node. A
    # missing list stands for its items and is not walked further (``final``).
    level: list[tuple[str, Any, bool]] = [("", data, False)]
    for token in pattern.split("/")[1:]:
        deeper: list[tuple[str, Any, bool]] = []
        if token == "*":
            for entry in level:
                pointer, node, final = entry
                if final:
                    deeper.append(entry)
                elif node is ABSENT:
                    if when_absent == "incomplete":
                        deeper.append((pointer, ABSENT, True))
                elif isinstance(node, list):
                    deeper += [(f"{pointer}/{index}", item, False) for index, item in enumerate(node)]
                elif isinstance(node, dict):
                    deeper += [(f"{pointer}/{escape_pointer_token(key)}", node[key], False) for key in sorted(node)]
        else:
            escaped = escape_pointer_token(token)
            for entry in level:
                pointer, node, final = entry
                if final:
                    deeper.append(entry)
                else:
                    child = node.get(token, ABSENT) if isinstance(node, dict) else ABSENT
                    deeper.append((f"{pointer}/{escaped}", child, False))
        level = deeper
    return iter([(pointer, node) for pointer, node, _final in level])


def _lookup(root: Any, path: str) -> Any:
    node = root
    for token in path.split("/"):
        if isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return ABSENT
    return node


def missing_fields(needs: tuple[tuple[str, ...], ...], subject: dict[str, Any], pointer: str,
                   data: dict[str, Any], alternative: str = " or ") -> tuple[list[str], str | None]:
    """The fields of ``needs`` that the manifest leaves out, named as a reader finds them,
    and the pointer of the first missing field of the element itself (``None`` if none).

    A path with a leading ``/`` is looked up in the manifest; any other path in the
    element, or in its facts when it starts with ``facts/`` or ``manifest_facts/`` (a fact
    that enrichment leaves unset when the manifest does not say enough to compute it).
    """
    missing: list[str] = []
    # Missing fields by the missing object they sit in: several fields of one missing object
    # are named as that object ("app.limited_use_statement", not each of its fields).
    parents: dict[str, list[str]] = {}
    first_field: str | None = None
    for alternatives in needs:
        names = []
        for path in alternatives:
            absolute = path.startswith("/")
            if (_lookup(data, path[1:]) if absolute else _lookup(subject, path)) is not ABSENT:
                break
            # Named only once known to be missing: most needs are met.
            if absolute:
                names.append(readable(path))
            else:
                names.append(path.replace("/", ".") if path.startswith(_FACT_ROOTS) else readable(f"{pointer}/{path}"))
            if first_field is None and not absolute and not path.startswith(_FACT_ROOTS):
                first_field = f"{pointer}/{path}"
        else:
            missing.append(alternative.join(names))
            if len(alternatives) == 1 and not alternatives[0].startswith(_FACT_ROOTS):
                gap = _missing_object(data if alternatives[0].startswith("/") else subject, alternatives[0])
                if gap is not None:
                    shown = readable(gap) if alternatives[0].startswith("/") else readable(f"{pointer}/{gap}")
                    parents.setdefault(shown, []).append(missing[-1])
    for shown, names in parents.items():
        if len(names) > 1:
            at = missing.index(names[0])
            missing = [name for name in missing if name not in names]
            missing.insert(at, shown)
    return missing, first_field


def _missing_object(root: Any, path: str) -> str | None:
    """The shortest missing prefix of ``path`` when it is shorter than the path (the field
    sits in an object the manifest leaves out), else ``None``."""
    tokens = path.strip("/").split("/")
    node = root
    for depth, token in enumerate(tokens[:-1]):
        if not (isinstance(node, dict) and token in node):
            prefix = "/".join(tokens[:depth + 1])
            return "/" + prefix if path.startswith("/") else prefix
        node = node[token]
    return None


_FACT_ROOTS = ("facts/", "manifest_facts/")


def readable(pointer: str) -> str:
    """``/scopes/0/requested`` → ``scopes[0].requested``, as messages name a place."""
    return dotted(int(token) if token.isdigit() else token for token in pointer.split("/")[1:])


def target_pointer(pointer: str, at: str | None) -> str:
    """The node a finding names: ``at`` (absolute, or below ``pointer``), else ``pointer`` itself."""
    if not at:
        return pointer
    return at if at.startswith("/") else f"{pointer}/{at}"
