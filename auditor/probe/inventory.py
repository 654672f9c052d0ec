"""Domain inventory: which third-party apps hold which scopes, across every user of a domain.

The users are listed page by page on the calling thread while a bounded pool of worker
threads reads each user's tokens; at most a few times the pool size of lookups wait in the
queue, so memory stays flat however large the domain. Results are folded into per-app
tallies as they arrive.

A user whose lookup fails for good (after the retries of 429 and 5xx) is recorded with the
reason and the run goes on: one odd account must not cost the inventory of the rest of the
domain. The run stops early only when it cannot go on usefully: the user list itself cannot
be read, many lookups in a row fail (the credentials were revoked, the service went away),
or it is interrupted (Ctrl-C). Then the lookups in flight finish (or give up at their next
retry), and the inventory of the users scanned so far is returned, marked incomplete, with
the reason.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.model.errors import AuditorError, ErrorList, ProbeError, errors_in
from auditor.model.findings import Finding
from auditor.manifest.load import Manifest, expand_paths, load_manifest
from auditor.rules.packs import PolicyPack
from auditor.probe.directory import AppGrant, DirectoryClient, DirectoryUser
from auditor.probe.evidence import classification_of, judge_grants
from auditor.probe.http_client import Cancelled
from auditor.probe.inventory_model import AppReport, DomainInventory, FailedUser, GrantedScope
from auditor.probe.redaction import redact
from auditor.catalog.scope_names import canonical_scope

# Lookups queued per worker: enough to keep every worker busy between pages of users.
QUEUE_PER_WORKER = 4
# This many failed lookups in a row, with no success between them, mean that no lookup will
# succeed (revoked credentials, a service gone away): the run stops instead of trying them all.
CONSECUTIVE_FAILURE_LIMIT = 50
_POLL = 0.2

Progress = Callable[[int, int, bool], None]


@dataclass
class _AppTally:
    display_names: Counter[str] = field(default_factory=Counter)
    users: int = 0
    scope_users: Counter[str] = field(default_factory=Counter)


class _Tally:
    """Per-app counts, folded in from worker threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.apps: dict[str, _AppTally] = {}
        self.scanned = 0
        self.gone = 0
        self.failed: list[FailedUser] = []
        self.failures_in_a_row = 0

    @property
    def done(self) -> int:
        return self.scanned + len(self.failed)

    def fail(self, user: DirectoryUser, error: ProbeError) -> int:
        """Record ``user``'s failed lookup; the number of failures since the last success."""
        with self.lock:
            self.failed.append(FailedUser(user.key, user.email, error.message))
            self.failures_in_a_row += 1
            return self.failures_in_a_row

    def add(self, grants: list[AppGrant] | None) -> int:
        by_client: dict[str, tuple[str, set[str]]] = {}
        for grant in grants or []:
            name, scopes = by_client.setdefault(grant.client_id, (grant.display_text, set()))
            scopes.update(canonical_scope(scope) for scope in grant.scopes)
        with self.lock:
            self.scanned += 1
            self.failures_in_a_row = 0
            if grants is None:
                self.gone += 1
            for client_id, (name, scopes) in by_client.items():
                tally = self.apps.setdefault(client_id, _AppTally())
                tally.users += 1
                if name:
                    tally.display_names[name] += 1
                tally.scope_users.update(scopes)
            return self.done


def index_manifests(paths: Iterable[str], max_bytes: int) -> dict[str, Manifest]:
    """Client id → manifest, for every manifest under ``paths``; two claiming one id is an error."""
    index: dict[str, Manifest] = {}
    errors: list[AuditorError] = []
    for path in expand_paths(list(paths)):
        try:
            manifest = load_manifest(path, max_bytes)
        except AuditorError as error:
            errors.extend(errors_in(error))
            continue
        for position, client_id in enumerate(manifest.data["app"].get("oauth_client_ids") or []):
            client_id = str(client_id).strip()
            other = index.get(client_id)
            if other is not None and other.path != manifest.path:
                line, column = manifest.locate(f"/app/oauth_client_ids/{position}")
                errors.append(AuditorError(f"client id {client_id} is also claimed by {other.path}",
                                           manifest.path, line, column))
                continue
            index[client_id] = manifest
    if errors:
        raise ErrorList(errors)
    return index


def run_inventory(directory: DirectoryClient, manifests: dict[str, Manifest], pack: PolicyPack,
                  catalog: ScopeCatalog, as_of: datetime.date, workers: int,
                  progress: Progress | None = None) -> DomainInventory:
    """List every user, read each one's tokens with ``workers`` threads, and report per app.

    A user whose lookup fails is recorded and the run goes on. Returns a partial inventory
    (``complete`` false) when a lookup failed, when the user list could not be read, when
    :data:`CONSECUTIVE_FAILURE_LIMIT` lookups failed in a row, or when interrupted; an
    unexpected exception in a worker is re-raised once the pool has stopped.
    """
    run = _InventoryRun(directory, workers, progress)
    run.execute()
    return run.inventory(manifests, pack, catalog, as_of)


class _InventoryRun:
    """One inventory's state, shared by the listing thread and the workers' completion
    callbacks: the tally, the queue's slots, the lookups in flight and why the run stopped."""

    def __init__(self, directory: DirectoryClient, workers: int, progress: Progress | None) -> None:
        self.directory = directory
        self.http = directory.http
        self.progress = progress
        self.tally = _Tally()
        self.slots = threading.BoundedSemaphore(workers * QUEUE_PER_WORKER)
        self.stop = threading.Event()
        self.failures: list[BaseException] = []
        self.in_flight: set[Future[list[AppGrant] | None]] = set()
        self.listed = 0
        self.listing_done = False
        self.interrupted = False
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wsaudit-inventory")

    def execute(self) -> None:
        """List and look up every user, then stop the pool; the outcome stays on ``self``."""
        try:
            self._list_and_look_up()
            self.stop.set()
            if self.interrupted or self.failures:
                self.http.cancelled.set()
            self.executor.shutdown(wait=False, cancel_futures=True)
            # Let the lookups already under way end (they stop at their next retry), so the
            # partial result counts each user either fully or not at all.
            _drain(self.in_flight)
        except KeyboardInterrupt:  # a second Ctrl-C while stopping: give up waiting
            self.interrupted = True
            self.http.cancelled.set()
        self._report_progress(self.tally.done)

    def _list_and_look_up(self) -> None:
        """Queue each user of each page as it arrives and wait for the lookups; an
        interruption, a cancelled run or an unreadable user list ends it early."""
        try:
            for page in self.directory.user_pages():
                for user in page:
                    if not self._queue(user):
                        break
                if self.stop.is_set():
                    break
                self.in_flight.difference_update(f for f in list(self.in_flight) if f.done())
            else:
                self.listing_done = True
            _drain(self.in_flight)
        except KeyboardInterrupt:
            self.interrupted = True
        except Cancelled:
            pass
        except ProbeError as error:
            self.failures.append(error)

    def _queue(self, user: DirectoryUser) -> bool:
        """Hand ``user``'s lookup to the pool once a slot is free; false when the run stopped."""
        while not self.slots.acquire(timeout=_POLL):
            if self.stop.is_set():
                return False
        if self.stop.is_set():
            self.slots.release()
            return False
        self.listed += 1
        future = self.executor.submit(self.directory.tokens, user)
        self.in_flight.add(future)
        future.add_done_callback(functools.partial(self._finished, user))
        return True

    def _finished(self, user: DirectoryUser, future: Future[list[AppGrant] | None]) -> None:
        """A lookup ended (on a worker thread): fold it into the tally, or record why not."""
        self.slots.release()
        try:
            grants = future.result()
        except (CancelledError, Cancelled):
            return
        except ProbeError as error:
            self._lookup_failed(user, error)
            return
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread
            with self.tally.lock:
                self.failures.append(error)
            self.stop.set()
            self.http.cancelled.set()
            return
        self._report_progress(self.tally.add(grants))

    def _lookup_failed(self, user: DirectoryUser, error: ProbeError) -> None:
        """Record the failed user; too many failures in a row stop the whole run."""
        in_a_row = self.tally.fail(user, error)
        if in_a_row >= CONSECUTIVE_FAILURE_LIMIT and not self.stop.is_set():
            with self.tally.lock:
                self.failures.append(ProbeError(f"{in_a_row} user lookups in a row failed, so the run stopped "
                                                f"(the last: {error.message})", error.path, hint=error.hint))
            self.stop.set()
            self.http.cancelled.set()
        self._report_progress(self.tally.done)

    def _report_progress(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, self.listed, self.listing_done)

    def inventory(self, manifests: dict[str, Manifest], pack: PolicyPack, catalog: ScopeCatalog,
                  as_of: datetime.date) -> DomainInventory:
        """The inventory of the users scanned, marked incomplete with the reason when the run
        stopped early; re-raises an unexpected exception of a worker."""
        unexpected = [error for error in self.failures if not isinstance(error, ProbeError)]
        if unexpected:
            raise unexpected[0]
        stopped_by = None
        stop_error = None
        if self.interrupted:
            stopped_by = "interrupted"
        elif self.failures:
            stop_error = self.failures[0]
            assert isinstance(stop_error, ProbeError)
            stopped_by = str(stop_error)
        tally = self.tally
        with tally.lock:
            apps = _app_reports(tally, manifests, pack, catalog, as_of)
            scanned, gone = tally.scanned, tally.gone
            failed = tuple(sorted(tally.failed, key=lambda user: (user.email, user.key)))
        return DomainInventory(apps=apps, users_listed=self.listed, users_scanned=scanned, users_gone=gone,
                               complete=stopped_by is None and self.listing_done and scanned == self.listed
                               and not failed,
                               stopped_by=stopped_by, interrupted=self.interrupted, failed_users=failed,
                               stop_error=stop_error, endpoint=self.directory.users_endpoint)


def _drain(futures: set[Future[list[AppGrant] | None]]) -> None:
    """Wait for ``futures`` in short steps, so that Ctrl-C is noticed at once."""
    pending = {future for future in futures if not future.done()}
    while pending:
        _done, pending = wait(pending, timeout=_POLL)


def _app_reports(tally: _Tally, manifests: dict[str, Manifest], pack: PolicyPack, catalog: ScopeCatalog,
                 as_of: datetime.date) -> tuple[AppReport, ...]:
    """One report per app, with the drift the probe's rules find for an app that has a
    manifest. Names and scopes come from the server and are masked here, once per app, so
    that a server echoing a credential back cannot put it in a report."""
    reports = []
    for client_id, app in tally.apps.items():
        names = sorted(app.display_names.items(), key=lambda pair: (-pair[1], pair[0]))
        scope_users = {redact(scope): count for scope, count in sorted(app.scope_users.items())}
        scopes = tuple(GrantedScope(scope, classification_of(catalog, scope), count)
                       for scope, count in scope_users.items())
        manifest = manifests.get(client_id)
        drift: tuple[Finding, ...] = ()
        if manifest is not None:
            drift = tuple(judge_grants(manifest, scope_users.keys(), pack, catalog, as_of, users=scope_users))
        reports.append(AppReport(
            client_id=redact(client_id),
            display_name=redact(names[0][0]) if names else "",
            users=app.users,
            scopes=scopes,
            manifest=manifest.path if manifest else None,
            app_name=manifest.app_name if manifest else None,
            drift=drift,
        ))
    reports.sort(key=lambda report: (-report.users, report.client_id))
    return tuple(reports)
