"""Run an audit over many manifests: load, evaluate, and (for large batches) use every core.

Results come back in input order as an iterator, so a report can stream them. Manifests
that cannot be read or are invalid yield their errors instead of a result.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.rules.engine import evaluate
from auditor.model.collector import cycle_collection_paused
from auditor.model.errors import AuditorError, InternalError, errors_in
from auditor.model.findings import STATUS_RANK, STATUSES, Finding, RuleInfo
from auditor.model.report import ManifestResult
from auditor.manifest.load import Manifest, load_manifest
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
    # Whether each result carries the inventory of its manifest's data flow, which only the
    # HTML report shows: building it and sending it from a worker costs about a tenth of
    # the audit of a manifest.
    inventory: bool = True
    # What a worker process sends for each manifest it judged, made from its result, when
    # the run has a single reader of findings that can take something cheaper than the
    # findings themselves: the JSON report's ``encoded_result`` (its lines, already written,
    # and the counts of the summary). ``None``: the result, packed (``pack_outcome``). It is
    # also given a folder of the run's own, where it may leave what is too large to send
    # (``None`` when there is none), for the reader to take and delete.
    sent_as: Callable[[ManifestResult, str | None], Any] | None = None


Outcome = ManifestResult | list[AuditorError]

_settings: AuditSettings | None = None
# The folder of the run's workers for ``AuditSettings.sent_as``.
_spill_folder: str | None = None
# The rules of the run, numbered: a worker names a finding's rule by its number.
_rules: tuple[RuleInfo, ...] = ()
_rule_numbers: dict[int, int] = {}


def audit_one(path: str, settings: AuditSettings) -> Outcome:
    """Audit one manifest file; its errors instead when it cannot be audited."""
    try:
        language = None
        if settings.lang != "en":
            from auditor.rules.rule_translation import message_language

            language = message_language(settings.lang)
        # Everything built for one manifest dies with it, without cycles: the collector
        # waits until it is done (see auditor.model.collector), and until the manifest is
        # gone, so that it looks at the result only, not at the whole document as well.
        with cycle_collection_paused():
            return _evaluated(load_manifest(path, settings.max_bytes), settings, language)
    except AuditorError as error:
        return errors_in(error)
    except Exception as exc:  # a bug: report it for this file and go on with the others
        return [internal_error(exc, path)]


def _evaluated(manifest: Manifest, settings: AuditSettings, language: Any) -> ManifestResult:
    """:func:`evaluate` of ``manifest`` for ``audit_one``, which passes it on without keeping
    it: the manifest is freed when this returns, still inside the collector's pause."""
    return evaluate(manifest, list(settings.packs), settings.catalog, settings.as_of, language,
                    code=settings.code, inventory=settings.inventory)


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


def _audit_in_worker(path: str) -> Any:
    assert _settings is not None
    outcome = audit_one(path, _settings)
    if _settings.sent_as is not None and isinstance(outcome, ManifestResult):
        return _settings.sent_as(outcome, _spill_folder)
    return pack_outcome(outcome, _rule_numbers)


# A finding on its way from a worker to the parent: its rule's number, its status's rank,
# pointer, line, column, message, fingerprint and inferred classifications. Its manifest is
# the result's path; its rule's text, shared by every finding of the rule, is not copied.
PackedFinding = tuple[int, int, str, int, int, str, str, tuple[Any, ...]]

# Pointers, messages and inferred classifications recur from finding to finding (a few
# thousand messages, a few hundred classifications in all), each time an object of its own:
# packed as one object each, pickle writes a chunk's repeats as references, which cuts the
# transfer by 40% and the parent's unpickling with it, and the JSON report finds each
# classification's text by identity.
_sent_texts: dict[str, str] = {}
_sent_inferred: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def pack_outcome(outcome: Outcome, rule_numbers: dict[int, int]) -> Any:
    """``outcome`` in the compact form :func:`unpack_outcome` reads: a result as tuples of
    plain values, or the outcome itself when it holds what tuples do not carry (a waiver,
    a rule outside the run's packs) and for errors."""
    if not isinstance(outcome, ManifestResult):
        return outcome
    path = outcome.path
    packed: list[PackedFinding] = []
    texts, inferred = _sent_texts, _sent_inferred
    if len(texts) >= 8192 or len(inferred) >= 1024:
        texts.clear()
        inferred.clear()
    for finding in outcome.findings:
        number = rule_numbers.get(id(finding.rule))
        if number is None or finding.waiver is not None or finding.manifest != path:
            return outcome
        packed.append((number, STATUS_RANK[finding.status], texts.setdefault(finding.pointer, finding.pointer),
                       finding.line, finding.column, texts.setdefault(finding.message, finding.message),
                       finding.fingerprint,
                       inferred.setdefault(finding.inferred, finding.inferred) if finding.inferred else ()))
    return (path, outcome.app, tuple(packed), outcome.inventory)


def unpack_outcome(packed: Any, rules: tuple[RuleInfo, ...]) -> Outcome:
    """The outcome :func:`pack_outcome` packed, its findings sharing the parent's rules."""
    if not isinstance(packed, tuple):
        return packed
    path, app, findings, inventory = packed
    statuses = STATUSES
    return ManifestResult(path, app, tuple([
        Finding(rules[number], statuses[status], path, pointer, line, column, message, fingerprint, None, inferred)
        for number, status, pointer, line, column, message, fingerprint, inferred in findings]), inventory)


def numbered_rules(settings: AuditSettings) -> tuple[RuleInfo, ...]:
    """The RuleInfo of every rule of the run's packs, in pack order."""
    return tuple(rule.info for pack in settings.packs for rule in pack.rules)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def audit_paths(paths: list[str], settings: AuditSettings, jobs: int | None = None) -> Iterator[Any]:
    """Audit ``paths`` in order; with more than one job and a large batch, in worker processes.
    Each outcome is a result or a manifest's errors, or, from a worker of a run with
    ``settings.sent_as``, what that made of a result."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD or "-" in paths:
        for path in paths:
            yield audit_one(path, settings)
        return
    import multiprocessing

    global _settings, _rules, _rule_numbers, _spill_folder
    _settings = settings
    folder, remove_at_exit = _new_spill_folder() if settings.sent_as is not None else (None, None)
    _spill_folder = folder
    # Made before the fork, so that workers and parent share each RuleInfo.
    _rules = numbered_rules(settings)
    _rule_numbers = {id(info): number for number, info in enumerate(_rules)}
    rules = _rules
    # Forked workers inherit the compiled rules and the catalog instead of rebuilding them.
    context = multiprocessing.get_context("fork")
    gate = _Gate(IN_FLIGHT_CHUNKS * jobs, CHUNK)
    try:
        yield from _pooled(paths, jobs, context, gate, rules)
    finally:
        if folder is not None:
            _remove_if_empty(folder, remove_at_exit)


def _pooled(paths: list[str], jobs: int, context: Any, gate: _Gate, rules: tuple[RuleInfo, ...]) -> Iterator[Any]:
    """The outcomes of ``paths`` from a pool of ``jobs`` workers, in order."""
    with _quiet_pool(jobs, context) as pool:
        # Stopping the pool joins its task thread, which may wait at the gate: open it first,
        # whether the reader stops here (an error, an early stop) or the interpreter exits
        # with this generator still open (Ctrl-C: the traceback keeps it alive), when the
        # pool's own finalizer runs after this one.
        from multiprocessing.util import Finalize

        Finalize(pool, gate.open, exitpriority=_BEFORE_THE_POOL)
        try:
            for packed in pool.imap(_audit_in_worker, gate.admit(paths), chunksize=CHUNK):
                gate.done()
                yield unpack_outcome(packed, rules)
        finally:
            gate.open()


def _new_spill_folder() -> tuple[str | None, Any]:
    """A new private folder for what the run's workers leave for the reader (see
    ``AuditSettings.sent_as``) and its removal at exit, with whatever is left in it, after
    the pool's workers are stopped; ``(None, None)`` when no folder can be made (workers
    then send everything)."""
    import shutil
    import tempfile
    from multiprocessing.util import Finalize

    try:
        folder = tempfile.mkdtemp(prefix="wsaudit-")
    except OSError:
        return None, None
    return folder, Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True},
                            exitpriority=_AFTER_THE_POOL)


def _remove_if_empty(folder: str, at_exit: Any) -> None:
    """Remove the run's folder now if the reader took everything in it (its removal at
    exit is then called off); else leave it to that removal (a stream collected rather than
    written keeps its results' files until then)."""
    try:
        os.rmdir(folder)
    except OSError:
        return
    at_exit.cancel()


def _quiet_pool(jobs: int, context: Any) -> Any:
    """A pool of ``jobs`` workers whose watching thread wakes only when a worker exits or
    the pool changes state, as in multiprocessing's ``ThreadPool``.

    The process ``Pool`` also wakes that thread whenever results wait in the pipe, and while
    the result thread reads a chunk of them it spins, taking the GIL from the report being
    written: about 0.07 ms of the parent's CPU per manifest, 12% of it. (Workers never
    retire here, no ``maxtasksperchild``, so no finished task needs the watcher.) Both names
    are the pool's internals: a Python without them gets the pool's own behaviour."""
    from multiprocessing.pool import Pool

    class QuietPool(Pool):
        def _get_sentinels(self) -> list[Any]:
            notifier = getattr(self, "_change_notifier", None)
            if notifier is None:  # pragma: no cover - the pool's internals changed
                return super()._get_sentinels()  # type: ignore[misc]
            return [notifier._reader]

    return QuietPool(processes=jobs, initializer=_ignore_interrupts, context=context)


# Finalizers run at exit by priority, highest first; the pool's own has 15.
_BEFORE_THE_POOL = 16
_AFTER_THE_POOL = 14

# Paths a worker takes at a time, and how many such chunks may wait, done or not, for the
# reader: without a bound, results of fast workers pile up while a slow format renders.
CHUNK = 32
IN_FLIGHT_CHUNKS = 4


class _Gate:
    """Lets paths into the pool a chunk at a time, only while fewer than ``limit`` chunks of
    results wait to be read, so memory stays flat whatever the speed of the reader. (By
    chunks rather than by paths: a semaphore's turn costs two thread switches' worth of
    Python, and the pool takes and returns whole chunks anyway.)"""

    def __init__(self, limit: int, chunk: int) -> None:
        import threading

        self._slots = threading.Semaphore(limit)
        self._limit = limit
        self._chunk = chunk
        self._read = 0
        self._open = False

    def admit(self, paths: list[str]) -> Iterator[str]:
        # Runs in the pool's task thread: blocking here holds back new work, not results.
        for start in range(0, len(paths), self._chunk):
            self._slots.acquire()
            if self._open:
                return
            yield from paths[start:start + self._chunk]

    def done(self) -> None:
        """One result was read: a chunk's worth frees a slot."""
        self._read += 1
        if self._read == self._chunk:
            self._read = 0
            self._slots.release()

    def open(self) -> None:
        """Release the task thread for good (the reader stopped or the run ended)."""
        self._open = True
        for _ in range(self._limit):
            self._slots.release()
