"""Run an audit over many manifests: load, evaluate, and (for large batches) use every core.

Results come back in input order as an iterator, so a report can stream them. Manifests
that cannot be read or are invalid yield their errors instead of a result.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any, Iterator

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.rules.engine import evaluate
from auditor.model.errors import AuditorError, InternalError, errors_in
from auditor.model.findings import ManifestResult
from auditor.manifest.load import load_manifest
from auditor.rules.packs import PolicyPack

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64


@dataclass(frozen=True)
class AuditSettings:
    packs: tuple[PolicyPack, ...]
    catalog: ScopeCatalog
    as_of: datetime.date
    max_bytes: int
    # The language of the findings' messages (the packs' rules are worded in it already).
    lang: str = "en"
    # A scan of the app's code (``audit --code``), judged against every manifest of the run.
    code: Any = None


Outcome = ManifestResult | list[AuditorError]

_settings: AuditSettings | None = None


def audit_one(path: str, settings: AuditSettings) -> Outcome:
    """Audit one manifest file; its errors instead when it cannot be audited."""
    try:
        manifest = load_manifest(path, settings.max_bytes)
        language = None
        if settings.lang != "en":
            from auditor.rules.i18n import message_language

            language = message_language(settings.lang)
        return evaluate(manifest, list(settings.packs), settings.catalog, settings.as_of, language,
                        code=settings.code)
    except AuditorError as error:
        return errors_in(error)
    except Exception as exc:  # a bug: report it for this file and go on with the others
        return [internal_error(exc, path)]


def internal_error(exc: Exception, path: str | None) -> InternalError:
    """An :class:`InternalError` for ``exc`` raised while handling ``path``."""
    import traceback

    trace = "".join(traceback.format_exception(exc))
    return InternalError(f"internal error: {type(exc).__name__}: {exc}", path, trace)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops them; otherwise each would print a
    traceback of its own."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _audit_in_worker(path: str) -> Outcome:
    assert _settings is not None
    return audit_one(path, _settings)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def audit_paths(paths: list[str], settings: AuditSettings, jobs: int | None = None) -> Iterator[Outcome]:
    """Audit ``paths`` in order; with more than one job and a large batch, in worker processes."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD or "-" in paths:
        for path in paths:
            yield audit_one(path, settings)
        return
    import multiprocessing

    global _settings
    _settings = settings
    # Forked workers inherit the compiled rules and the catalog instead of rebuilding them.
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=jobs, initializer=_ignore_interrupts) as pool:
        yield from pool.imap(_audit_in_worker, paths, chunksize=32)
