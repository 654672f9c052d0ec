"""Drive a (mutated) input through every stage that reads it, in this process.

Each ``drive_*`` function feeds one input to the stages a user's command would run on it:
load and check it, and when it is usable, audit with it and render every registered report
format, the disclosure and the diff. Bad input may only surface as
:class:`~auditor.model.errors.AuditorError`, which the functions let through; any other exception
is a crash. Every run has a time limit, so a hang is a failure too rather than a stuck job.
"""

from __future__ import annotations

import io
import signal
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator

from auditor import __version__
from auditor.rules.batch import AuditSettings, audit_one
from auditor.rules.baseline import Baseline, load_baseline, render_baseline
from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.diff.run import Side, diff_report, run_diff
from auditor.disclosure import build_disclosure, render_disclosure
from auditor.disclosure.i18n import available_languages
from auditor.model.errors import AuditorError
from auditor.model.report import ManifestResult, PackInfo, Report
from auditor.manifest.load import Manifest, load_manifest, load_manifest_bytes
from auditor.rules.packs import PolicyPack, load_pack, load_packs
from auditor.reporters import FORMATS, RenderOptions, renderer
from auditor.rules.waivers import WaiverSet, load_waivers
from tests.fuzz.seeds import AS_OF, manifest_seeds, pack_seeds

# Far above what any input of these sizes needs (tens of milliseconds), low enough that a
# hang ends the example instead of the job.
TIME_LIMIT_SECONDS = 20.0


class Hang(Exception):
    """An input kept a stage busy past the time limit (not an AuditorError: a defect)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in this (main) thread when the block runs longer than ``seconds``."""

    def expire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Context:
    """What every run shares, built once: the packs, the catalog, a few audited seeds."""

    settings: AuditSettings
    references: tuple[Manifest, ...]
    results: tuple[ManifestResult, ...]
    baseline: bytes


@cache
def context() -> Context:
    seed_pack = next(seed for seed in pack_seeds() if seed.name == "acme-rules.yaml")
    packs = load_packs() + [_pack_from_bytes(seed_pack.raw, seed_pack.name)]
    settings = AuditSettings(tuple(packs), ScopeCatalog.load(), AS_OF, 5 * 1024 * 1024)
    # A few seeds for packs, waivers and baselines to judge: the one the waivers name, the
    # one with the most findings, and the smallest.
    chosen = ("receipt-tracker.yaml", "meeting-scheduler-addon.yaml", "minimal.yaml")
    references = tuple(load_manifest_bytes(seed.raw, f"examples/{seed.name}")
                       for seed in manifest_seeds() if seed.name in chosen)
    results = tuple(audit_one_manifest(manifest, settings) for manifest in references)
    baseline = render_baseline(results, __version__).encode("utf-8")
    return Context(settings, references, results, baseline)


def _pack_from_bytes(raw: bytes, name: str) -> PolicyPack:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        return load_pack(path, name)


def audit_one_manifest(manifest: Manifest, settings: AuditSettings) -> ManifestResult:
    from auditor.rules.engine import evaluate

    return evaluate(manifest, list(settings.packs), settings.catalog, settings.as_of)


def _pick(raw: bytes, choices: tuple[Any, ...]) -> Any:
    """One of ``choices``, chosen by the input's bytes: every choice is exercised over a run,
    each input costs one rendering, and an input alone reproduces its run."""
    return choices[zlib.crc32(raw) % len(choices)]


_RENDERINGS = tuple((name, options) for name in FORMATS
                    for options in (RenderOptions(), RenderOptions(color=True, verbose=True, fail_on="info", strict=True)))


def render_report(packs: tuple[PolicyPack, ...], results: list[ManifestResult], raw: bytes,
                  waivers: WaiverSet | None = None) -> None:
    """Render ``results`` with one registered reporter (chosen by ``raw``) into a buffer, and
    encode the text as the command would write it (UTF-8)."""
    name, options = _pick(raw, _RENDERINGS)
    report = Report.of(__version__, tuple(PackInfo(p.id, p.version, p.title, len(p.rules), p.source) for p in packs),
                       AS_OF.isoformat(), results, waivers.notes() if waivers else (),
                       rules=tuple(rule for pack in packs for rule in pack.rules))
    buffer = io.StringIO()
    renderer(name)(report, buffer, options)
    buffer.getvalue().encode("utf-8")


def disclose(manifest: Manifest, catalog: ScopeCatalog, raw: bytes) -> None:
    """One disclosure ``wsaudit disclose`` can write for ``manifest`` (chosen by ``raw``)."""
    disclosure = build_disclosure(manifest.model, catalog)
    language, output_format, in_product = _pick(raw[::-1], tuple(
        (language, output_format, in_product) for language in available_languages()
        for output_format in ("markdown", "html") for in_product in (False, True)))
    render_disclosure(disclosure, output_format, language, in_product=in_product, updated=AS_OF).encode("utf-8")


def diff(base: Manifest, head_path: str, settings: AuditSettings) -> None:
    """``wsaudit diff`` between a seed and its mutant, both ways, in every format (cheap)."""
    name = "manifest.yaml"
    base_side = Side("base", {name: lambda: base})
    head_side = Side("head", {name: lambda: load_manifest(head_path)})
    for old, new in ((base_side, head_side), (head_side, base_side)):
        compared, _errors = run_diff(old, new, settings)
        for name in FORMATS:
            for fail_on in ("high", "never"):
                report = diff_report(compared, settings.packs, AS_OF.isoformat(), __version__)
                buffer = io.StringIO()
                renderer(name)(report, buffer, RenderOptions(fail_on=fail_on))
                buffer.getvalue().encode("utf-8")


@cache
def seed_baseline(seed: bytes, display: str) -> tuple[Manifest, bytes]:
    """A seed loaded under its mutant's name, and the baseline ``--write-baseline`` writes for
    it, so that the baseline (and the waivers) can match the mutant's findings."""
    ctx = context()
    manifest = load_manifest_bytes(seed, display)
    return manifest, render_baseline([audit_one_manifest(manifest, ctx.settings)], __version__).encode("utf-8")


def drive_manifest(raw: bytes, seed: bytes, folder: Path) -> bool:
    """Audit, report, disclose and diff (against its seed) one manifest; whether it was valid."""
    ctx = context()
    path = folder / "mutant.yaml"
    path.write_bytes(raw)
    base, baseline = seed_baseline(seed, str(path))
    (folder / "baseline.json").write_bytes(baseline)
    with time_limit(TIME_LIMIT_SECONDS):
        outcome = audit_one(str(path), ctx.settings)
        valid = isinstance(outcome, ManifestResult)
        if valid:
            waivers = WaiverSet(load_waivers(str(folder / "waivers.yaml")), AS_OF)
            accepted = Baseline(load_baseline(str(folder / "baseline.json")))
            result = accepted.apply(waivers.apply(outcome))
            render_report(ctx.settings.packs, [result], raw, waivers)
            render_baseline([result], __version__).encode("utf-8")
            disclose(load_manifest(str(path)), ctx.settings.catalog, raw)
        else:
            for error in outcome:
                str(error).encode("utf-8")
        diff(base, str(path), ctx.settings)
    return valid


def drive_pack(raw: bytes, folder: Path) -> bool:
    """Load a policy pack (alone, then beside the built-in one), audit the seeds with it and
    render a report; whether it loaded. Errors propagate from the first load."""
    ctx = context()
    path = folder / "pack.yaml"
    path.write_bytes(raw)
    with time_limit(TIME_LIMIT_SECONDS):
        packs = tuple(load_packs([str(path)], builtin=False))
        try:
            load_packs([str(path)])
        except AuditorError:
            pass  # its rule ids may clash with the built-in pack's: that is an error, not a crash
        settings = AuditSettings(packs, ctx.settings.catalog, AS_OF, ctx.settings.max_bytes)
        results = [audit_one_manifest(manifest, settings) for manifest in ctx.references]
        render_report(packs, results, raw)
    return True


def drive_waivers(raw: bytes, folder: Path) -> bool:
    """Load a waiver file, apply it to the audited seeds and report; whether it loaded."""
    ctx = context()
    path = folder / "waivers-mutant.yaml"
    path.write_bytes(raw)
    with time_limit(TIME_LIMIT_SECONDS):
        waivers = WaiverSet(load_waivers(str(path)), AS_OF)
        results = [waivers.apply(result) for result in ctx.results]
        render_report(ctx.settings.packs, results, raw, waivers)
    return True


def drive_baseline(raw: bytes, folder: Path) -> bool:
    """Load a baseline, apply it to the audited seeds, write it again and report."""
    ctx = context()
    path = folder / "baseline-mutant.json"
    path.write_bytes(raw)
    with time_limit(TIME_LIMIT_SECONDS):
        accepted = Baseline(load_baseline(str(path)))
        results = [accepted.apply(result) for result in ctx.results]
        accepted.unused()
        render_baseline(results, __version__).encode("utf-8")
        render_report(ctx.settings.packs, results, raw)
    return True


def prepare_folder(folder: Path) -> Path:
    """A folder holding the valid waiver file that manifest runs apply."""
    from tests.fuzz.seeds import waiver_seeds

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "waivers.yaml").write_bytes(waiver_seeds()[0].raw)
    return folder


def run_guarded(drive: Callable[..., bool], *args: Any) -> str:
    """``"valid"``, ``"invalid"`` (an AuditorError) — anything else propagates."""
    try:
        return "valid" if drive(*args) else "invalid"
    except AuditorError as error:
        str(error).encode("utf-8")
        return "invalid"
