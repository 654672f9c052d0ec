"""Gather the two sides of ``wsaudit diff``: two files, two folders, or a git revision
against the working tree; audit both sides, compare each pair of manifests, and give the
outcome as the :class:`~auditor.model.report.Report` every format renders."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import Callable, Sequence

from auditor.rules.batch import AuditSettings
from auditor.rules.engine import evaluate
from auditor.model.errors import AuditorError, ManifestError, errors_in
from auditor.manifest.load import MANIFEST_SUFFIXES, Manifest, expand_paths, load_manifest, load_manifest_bytes
from auditor.model.report import PackInfo, Report
from auditor.diff.changes import compare_manifests
from auditor.diff.compliance_diff import ComplianceDiff, ManifestDiff
from auditor.rules.packs import PolicyPack

Loader = Callable[[], Manifest]


@dataclass(frozen=True)
class Side:
    """One side of a comparison: manifests by the name they are paired on."""

    label: str
    manifests: dict[str, Loader]


def side_from_paths(paths: list[str], max_bytes: int, relative_to: str | None = None) -> Side:
    """Manifests on disk. Inside a folder given alone they pair by their path below it."""
    found: dict[str, Loader] = {}
    for path in expand_paths(paths):
        key = os.path.relpath(path, relative_to).replace(os.sep, "/") if relative_to else path
        found[key] = (lambda p=path: load_manifest(p, max_bytes))
    return Side(" ".join(paths), found)


def _git(args: list[str], cwd: str = ".") -> str:
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise ManifestError("git is not installed; --git-ref needs it") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ManifestError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return completed.stdout.decode("utf-8", "replace")


def side_from_git(ref: str, paths: list[str], max_bytes: int) -> Side:
    """The manifests under ``paths`` as they were at revision ``ref``, keyed like the
    working tree's (paths relative to the current folder)."""
    top = _git(["rev-parse", "--show-toplevel"]).strip()
    _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
    here = os.path.relpath(os.getcwd(), top)
    found: dict[str, Loader] = {}
    for path in paths:
        in_repo = os.path.normpath(os.path.join(here, path)).replace(os.sep, "/")
        if in_repo == ".":
            in_repo = ""
        listing = _git(["ls-tree", "-r", "--name-only", "--full-tree", ref, "--", in_repo or "."], cwd=top)
        for name in sorted(listing.splitlines()):
            parts = name.split("/")
            if not name.endswith(MANIFEST_SUFFIXES) or any(part.startswith(".") for part in parts):
                continue
            display = os.path.relpath(os.path.join(top, name), os.getcwd()).replace(os.sep, "/")

            def load(name: str = name, display: str = display) -> Manifest:
                raw = subprocess.run(["git", "show", f"{ref}:{name}"], cwd=top, capture_output=True,
                                     timeout=60).stdout
                return load_manifest_bytes(raw, f"{ref}:{display}", max_bytes)

            found[display] = load
    return Side(ref, found)


def run_diff(base: Side, head: Side, settings: AuditSettings) -> tuple[ComplianceDiff, list[AuditorError]]:
    """Audit both sides and compare every pair (a name on one side only is added/removed)."""
    from auditor.rules.rule_translation import message_language

    compared: list[ManifestDiff] = []
    errors: list[AuditorError] = []
    packs = list(settings.packs)
    # Both sides are audited in the report's language (the packs are worded in it already).
    language = message_language(settings.lang)
    for name in sorted(set(base.manifests) | set(head.manifests)):
        sides = []
        for side in (base, head):
            loader = side.manifests.get(name)
            manifest = None
            if loader is not None:
                try:
                    manifest = loader()
                except AuditorError as error:
                    errors.extend(errors_in(error))
                    sides = None
                    break
            sides.append(manifest)
        if sides is None:
            continue
        old, new = sides
        results = [evaluate(m, packs, settings.catalog, settings.as_of, language) if m else None for m in (old, new)]
        compared.append(compare_manifests(old, new, results[0], results[1], settings.catalog, settings.lang))
    return ComplianceDiff(base.label, head.label, tuple(compared)), errors


def diff_report(diff: ComplianceDiff, packs: Sequence[PolicyPack], as_of: str, version: str,
                lang: str = "en") -> Report:
    """The comparison as a report: one result per pair of manifests, the diff rules
    described next to the packs' rules, and the comparison itself for the formats that
    show it whole (JSON's ``diff`` object, the pull-request Markdown), worded in ``lang``."""
    from auditor.rules.policy_facts import diff_rules
    from auditor.rules.rule_translation import diff_language

    local = diff_language(lang)
    rules = (*(rule for pack in packs for rule in pack.rules), *(local.rules if local else diff_rules()).rules)
    return Report.of(version, tuple(PackInfo(p.id, p.version, p.title, len(p.rules), p.source) for p in packs), as_of,
                     [pair.result() for pair in diff.manifests], rules=rules, diff=diff, lang=lang)


def sides_for(base: str, head: str, max_bytes: int) -> tuple[Side, Side]:
    """Two files pair with each other; two folders pair their manifests by relative path."""
    if os.path.isfile(base) and os.path.isfile(head):
        return (Side(base, {head: lambda: load_manifest(base, max_bytes)}),
                Side(head, {head: lambda: load_manifest(head, max_bytes)}))
    if os.path.isdir(base) and os.path.isdir(head):
        return side_from_paths([base], max_bytes, base), side_from_paths([head], max_bytes, head)
    for path in (base, head):
        if not os.path.exists(path):
            raise ManifestError("no such file or folder", path)
    raise ManifestError("compare two files or two folders, not one of each", head)
