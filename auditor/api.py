"""The library's front door: one call per judging command, each returning a :class:`Report`.

The command line is a thin layer over these calls (it parses options, renders and maps the
outcome to an exit code); a program that wants findings calls them directly::

    from auditor.api import run_audit

    report = run_audit(["examples/manifests"])
    for result in report.results:
        for finding in result.findings:
            print(finding.severity, finding.rule_id, finding.message)

Problems with what a call is given (a policy pack, a waiver file, a path that does not
exist) raise :class:`~auditor.model.errors.AuditorError`; a manifest that cannot be judged is
kept in ``report.errors`` and the others are still judged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Iterator, Sequence

from auditor.model.errors import AuditorError, PolicyError, errors_in
from auditor.model.findings import ManifestResult, PackInfo, Report, ReportStream
from auditor.manifest.yaml_source import DEFAULT_MAX_BYTES

# The largest source file ``audit --code`` reads, like ``scan-code``'s default.
CODE_FILE_LIMIT = 1024 * 1024


def pack_infos(packs: Iterable[Any]) -> tuple[PackInfo, ...]:
    """What reports say about each loaded pack."""
    return tuple(PackInfo(p.id, p.version, p.title, len(p.rules), p.source) for p in packs)


def load_audit_packs(policies: Sequence[str] = (), *, builtin: bool = True, lang: str = "en",
                     require_rules: bool = True) -> list[Any]:
    """The policy packs an audit evaluates, worded in ``lang``; raises when none has a rule
    (unless ``require_rules`` is false: a comparison has its own diff rules)."""
    from auditor.rules.packs import load_packs

    packs = load_packs(tuple(policies), builtin=builtin)
    if lang != "en":
        from auditor.rules.i18n import localize_packs

        packs = localize_packs(packs, lang)
    if require_rules and not any(pack.rules for pack in packs):
        raise NoPolicyLoaded("no policy pack loaded: give --policy with --no-builtin-policy")
    return packs


class NoPolicyLoaded(PolicyError):
    """Every pack given is empty (or none was given with the built-in packs turned off)."""

    def __str__(self) -> str:
        return f"error: {self.message}"


@dataclass(frozen=True)
class AuditPlan:
    """Everything an audit needs, loaded and checked before any manifest is read, so a bad
    policy, waiver or baseline file stops the run before it writes anything."""

    files: tuple[str, ...]
    packs: tuple[Any, ...]
    settings: Any  # auditor.rules.batch.AuditSettings
    waivers: Any  # auditor.rules.waivers.WaiverSet
    baseline: Any  # auditor.rules.baseline.Baseline
    baseline_path: str | None
    jobs: int | None

    def stream(self, on_result: Callable[[], None] | None = None) -> ReportStream:
        """The audit as a one-pass :class:`ReportStream` (flat memory for any batch size);
        ``on_result`` is called once per manifest handled (a progress bar's tick)."""
        from auditor import __version__
        from auditor.rules.batch import audit_paths

        errors: list[AuditorError] = []

        def results() -> Iterator[ManifestResult]:
            for outcome in audit_paths(list(self.files), self.settings, self.jobs):
                if on_result is not None:
                    on_result()
                if isinstance(outcome, ManifestResult):
                    yield self.baseline.apply(self.waivers.apply(outcome))
                else:
                    errors.extend(outcome)

        def notes() -> list[Any]:
            stale = self.baseline.stale_notes(self.baseline_path) if self.baseline_path else []
            return [*self.waivers.notes(), *stale]

        return ReportStream(__version__, pack_infos(self.packs), self.settings.as_of.isoformat(), results(), notes,
                            lambda: errors, rules=tuple(rule for pack in self.packs for rule in pack.rules),
                            lang=self.settings.lang)


def prepare_audit(paths: Sequence[str], *, policies: Sequence[str] = (), builtin_policies: bool = True,
                  waivers: str | None = None, baseline: str | None = None, as_of: datetime.date | None = None,
                  jobs: int | None = None, code: Sequence[str] = (), lang: str = "en",
                  max_size: int = DEFAULT_MAX_BYTES) -> AuditPlan:
    """Expand ``paths`` and load the packs, waivers, baseline, catalog and code scan."""
    import os

    from auditor.rules.batch import AuditSettings
    from auditor.rules.baseline import Baseline, load_baseline
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.manifest.load import expand_paths
    from auditor.rules.waivers import WaiverSet, load_waivers

    day = as_of or datetime.date.today()
    files = tuple(expand_paths(list(paths)))
    packs = load_audit_packs(policies, builtin=builtin_policies, lang=lang)
    waiver_set = WaiverSet(load_waivers(waivers) if waivers else [], day)
    accepted = Baseline(load_baseline(baseline) if baseline else [])
    settings = AuditSettings(tuple(packs), ScopeCatalog.load(), day, max_size, lang)
    if code:
        from auditor.scan.drift import scan_code

        for path in code:
            if not os.path.exists(path):
                raise AuditorError("no such file or folder (--code)", path)
        scanned = scan_code(tuple(code), settings.catalog, CODE_FILE_LIMIT, [path for path in files if path != "-"])
        settings = replace(settings, code=scanned)
    return AuditPlan(files, tuple(packs), settings, waiver_set, accepted, baseline, jobs)


def stream_audit(paths: Sequence[str], **options: Any) -> ReportStream:
    """Like :func:`run_audit`, as a one-pass stream: read ``iter_results()`` once, then
    ``summary``, ``waiver_notes()`` and ``errors``."""
    return prepare_audit(paths, **options).stream()


def run_audit(paths: Sequence[str], *, policies: Sequence[str] = (), builtin_policies: bool = True,
              waivers: str | None = None, baseline: str | None = None, as_of: datetime.date | None = None,
              jobs: int | None = None, code: Sequence[str] = (), lang: str = "en",
              max_size: int = DEFAULT_MAX_BYTES) -> Report:
    """Audit the manifests at ``paths`` (files or folders) against the built-in packs and
    those in ``policies``; the whole :class:`Report`."""
    return prepare_audit(paths, policies=policies, builtin_policies=builtin_policies, waivers=waivers,
                         baseline=baseline, as_of=as_of, jobs=jobs, code=code, lang=lang,
                         max_size=max_size).stream().collect()


def run_diff(base: str, head: str, *, policies: Sequence[str] = (), builtin_policies: bool = True,
             as_of: datetime.date | None = None, lang: str = "en", max_size: int = DEFAULT_MAX_BYTES) -> Report:
    """Compare two manifests or two folders of manifests in compliance terms."""
    from auditor.diff.run import sides_for

    old, new = sides_for(base, head, max_size)
    return diff_sides(old, new, policies=policies, builtin_policies=builtin_policies, as_of=as_of, lang=lang,
                      max_size=max_size)


def diff_sides(old: Any, new: Any, *, policies: Sequence[str] = (), builtin_policies: bool = True,
               as_of: datetime.date | None = None, lang: str = "en", max_size: int = DEFAULT_MAX_BYTES) -> Report:
    """Compare two loaded sides (``auditor.diff.run.Side``: paths or a git revision)."""
    from auditor import __version__
    from auditor.rules.batch import AuditSettings
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.diff.run import diff_report, run_diff as compare

    day = as_of or datetime.date.today()
    packs = load_audit_packs(policies, builtin=builtin_policies, lang=lang, require_rules=False)
    settings = AuditSettings(tuple(packs), ScopeCatalog.load(), day, max_size, lang)
    diff, errors = compare(old, new, settings)
    report = diff_report(diff, packs, day.isoformat(), __version__, lang)
    return replace(report, errors=tuple(errors))


def run_scan(paths: Sequence[str], manifest: str, *, max_file_size: int = CODE_FILE_LIMIT,
             as_of: datetime.date | None = None, lang: str = "en") -> Report:
    """Compare the scopes and Google API calls in the code at ``paths`` with a manifest; the
    report's fixed strings in ``lang`` (the findings' messages stay English)."""
    import os

    from auditor import __version__
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.manifest.load import load_manifest
    from auditor.scan.drift import scan_paths
    from auditor.scan.report import scan_report

    loaded = load_manifest(manifest)
    for path in paths:
        if not os.path.exists(path):
            raise AuditorError("no such file or folder", path)
    scanned = scan_paths(tuple(paths), loaded, ScopeCatalog.load(), max_file_size)
    return scan_report(scanned, __version__, (as_of or datetime.date.today()).isoformat(), lang)


def check_policy(policy: str, manifest: str, *, language: str | None = None, max_size: int = DEFAULT_MAX_BYTES,
                 timeout: float = 20.0, as_of: datetime.date | None = None) -> Report:
    """Check that a published privacy policy (a file or an https URL) discloses what the
    manifest declares; raises ``PolicyFetchError`` when the URL cannot be fetched."""
    from auditor import __version__
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.manifest.load import load_manifest
    from auditor.policy_check.source import load_policy
    from auditor.policy_check.verdicts import check_policy_text

    loaded = load_manifest(manifest)
    text = load_policy(policy, max_size, timeout)
    checked = check_policy_text(text, loaded, ScopeCatalog.load(), language)
    return Report.of(__version__, (checked.rulebook.pack,), (as_of or datetime.date.today()).isoformat(),
                     [checked.result])


__all__ = ["AuditPlan", "check_policy", "errors_in", "pack_infos", "prepare_audit", "run_audit", "run_diff",
           "run_scan", "stream_audit"]
