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
kept in ``report.errors`` and the others are still judged. The live probe's calls
(:func:`run_probe`, :func:`run_inventory`) raise ``ProbeError`` when Google's endpoints
cannot be reached; :func:`verify_readiness` returns the verification answers, not a report.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from auditor.model.errors import AuditorError, PolicyError, errors_in
from auditor.model.report import EncodedResult, ManifestResult, PackInfo, Report, ReportStream
from auditor.manifest.file_reading import DEFAULT_MAX_BYTES

if TYPE_CHECKING:  # the probe imports requests and google-auth: only when a probe runs
    from auditor.probe.run import ProbeSettings
    from auditor.verification.readiness import Readiness

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
        from auditor.rules.rule_translation import localize_packs

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
                elif isinstance(outcome, EncodedResult):
                    yield outcome  # sent only by runs without waivers or a baseline, as is
                else:
                    errors.extend(outcome)

        def notes() -> list[Any]:
            stale = self.baseline.stale_notes(self.baseline_path) if self.baseline_path else []
            return [*self.waivers.notes(), *stale]

        return ReportStream(__version__, pack_infos(self.packs), self.settings.as_of.isoformat(), results(), notes,
                            lambda: errors, rules=tuple(rule for pack in self.packs for rule in pack.rules),
                            lang=self.settings.lang, expected=len(self.files))


def prepare_audit(paths: Sequence[str], *, policies: Sequence[str] = (), builtin_policies: bool = True,
                  waivers: str | None = None, baseline: str | None = None, as_of: datetime.date | None = None,
                  jobs: int | None = None, code: Sequence[str] = (), lang: str = "en",
                  max_size: int = DEFAULT_MAX_BYTES, inventory: bool = True, json_only: bool = False) -> AuditPlan:
    """Expand ``paths`` and load the packs, waivers, baseline, catalog and code scan.
    ``inventory=False`` leaves out each result's data-flow inventory (``ManifestResult.inventory``
    is then ``None``), which only the HTML report shows. ``json_only`` says that the JSON
    report (:func:`auditor.reporters.json_report.render`) will be the stream's only reader:
    without waivers and a baseline, which read the findings, a batch's worker processes then
    send each manifest's findings as that report's lines
    (:class:`~auditor.model.report.EncodedResult`)."""
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
    sent_as = None
    if json_only and not waivers and not baseline:
        from auditor.reporters.json_report import encoded_result

        sent_as = encoded_result
    settings = AuditSettings(tuple(packs), ScopeCatalog.load(), day, max_size, lang, inventory=inventory,
                             sent_as=sent_as)
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


# A domain inventory's progress: (users done, users listed so far, whether the listing is done).
InventoryProgress = Callable[[int, int, bool], None]


def run_probe(manifest: str, *, access_token_env: str | None = None, credentials: str | None = None,
              adc: bool = False, subject: str | None = None, scopes: Sequence[str] = (),
              tokeninfo_url: str | None = None, token_uri: str | None = None, timeout: float = 10.0,
              max_size: int = DEFAULT_MAX_BYTES, as_of: datetime.date | None = None, lang: str = "en") -> Report:
    """Compare the scopes a live access token holds with what ``manifest`` declares.

    Give one token source: ``access_token_env`` (the name of an environment variable holding
    the token, never the token itself), ``credentials`` (an authorized-user or
    service-account JSON file; ``subject`` for domain-wide delegation) or ``adc``. The
    endpoints default to Google's. Raises ``ProbeError`` when an endpoint cannot be reached
    or refuses the credentials, :class:`~auditor.model.errors.AuditorError` for unusable input.
    The findings and the report's words are in ``lang``.
    """
    from auditor.probe.run import probe_manifest

    settings = _probe_settings(access_token_env, credentials, adc, subject, scopes, timeout,
                               tokeninfo_url=tokeninfo_url, token_uri=token_uri)
    return probe_manifest(manifest, settings, max_size, as_of or datetime.date.today(), lang)


def run_inventory(manifests: Sequence[str] = (), *, access_token_env: str | None = None,
                  credentials: str | None = None, adc: bool = False, subject: str | None = None,
                  scopes: Sequence[str] = (), admin_api_url: str | None = None, token_uri: str | None = None,
                  customer: str = "my_customer", concurrency: int = 8, timeout: float = 10.0,
                  progress: InventoryProgress | None = None, max_size: int = DEFAULT_MAX_BYTES,
                  as_of: datetime.date | None = None, lang: str = "en") -> Report:
    """Inventory the third-party tokens of every user of a Workspace domain (Admin SDK
    Directory API), matching apps to the manifests under ``manifests`` by their
    ``oauth_client_ids``; token sources as for :func:`run_probe` (without scopes, a service
    account asks for the two Directory scopes the inventory needs).

    The report's ``domain_inventory`` holds every app; its results are the drift of each app
    that has a manifest. A run that stopped early (a lookup failed, Ctrl-C) still returns
    its partial inventory: ``domain_inventory.interrupted`` and ``domain_inventory.problem()``
    say why. The findings and the report's words are in ``lang``.
    """
    import logging
    import time

    from auditor.probe.run import probe_domain

    settings = _probe_settings(access_token_env, credentials, adc, subject, scopes, timeout,
                               admin_api_url=admin_api_url, token_uri=token_uri, concurrency=concurrency,
                               customer=customer)
    started = time.monotonic()
    report = probe_domain(tuple(manifests), settings, max_size, as_of or datetime.date.today(), progress, lang)
    inventory = report.domain_inventory
    logging.getLogger("auditor.probe.inventory").info(
        "inventory: %d users scanned in %.1f s with %d concurrent lookups; %d apps",
        inventory.users_scanned, time.monotonic() - started, concurrency, len(inventory.apps))
    return report


def _probe_settings(access_token_env: str | None, credentials: str | None, adc: bool, subject: str | None,
                    scopes: Sequence[str], timeout: float, *, tokeninfo_url: str | None = None,
                    admin_api_url: str | None = None, token_uri: str | None = None, concurrency: int = 8,
                    customer: str = "my_customer") -> ProbeSettings:
    """The probe's settings (``auditor.probe.run.ProbeSettings``), once the token source is
    known to be exactly one; scopes in short or full form."""
    from auditor.catalog.scope_names import canonical_scope
    from auditor.probe.credentials import TokenSource
    from auditor.probe.directory import GOOGLE_ADMIN_API_URL
    from auditor.probe.run import Endpoints, ProbeSettings
    from auditor.probe.tokeninfo import GOOGLE_TOKENINFO_URL

    given = [name for name, value in (("access_token_env", access_token_env), ("credentials", credentials),
                                      ("adc", adc)) if value]
    if len(given) != 1:
        raise AuditorError("give exactly one token source: access_token_env, credentials or adc"
                           + (f" (got {', '.join(given)})" if given else ""))
    if subject and access_token_env:
        raise AuditorError("subject works with credentials (a service account) or adc")
    wanted = tuple(dict.fromkeys(canonical_scope(scope) for scope in scopes))
    return ProbeSettings(
        source=TokenSource(env_var=access_token_env, path=credentials, adc=adc, subject=subject, scopes=wanted),
        endpoints=Endpoints(tokeninfo=tokeninfo_url or GOOGLE_TOKENINFO_URL, token=token_uri,
                            admin_api=admin_api_url or GOOGLE_ADMIN_API_URL),
        timeout=timeout, concurrency=concurrency, customer=customer)


def verify_readiness(manifest: str, *, as_of: datetime.date | None = None,
                     max_size: int = DEFAULT_MAX_BYTES) -> Readiness:
    """What Google's OAuth verification will ask about the app of ``manifest``, answered from
    it: a :class:`~auditor.verification.readiness.Readiness` whose ``findings`` are the pieces
    still missing (render it with ``auditor.verification.render.render_readiness``). Raises
    :class:`~auditor.model.errors.AuditorError` for a manifest that does not load."""
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.manifest.load import load_manifest
    from auditor.verification.readiness import assess_readiness

    loaded = load_manifest(manifest, max_size)
    return assess_readiness(loaded, ScopeCatalog.load(), as_of or datetime.date.today())


__all__ = ["AuditPlan", "InventoryProgress", "check_policy", "errors_in", "pack_infos", "prepare_audit", "run_audit",
           "run_diff", "run_inventory", "run_probe", "run_scan", "stream_audit", "verify_readiness"]
