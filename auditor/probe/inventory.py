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
    tally = _Tally()
    http = directory.http
    slots = threading.BoundedSemaphore(workers * QUEUE_PER_WORKER)
    stop = threading.Event()
    failures: list[BaseException] = []
    in_flight: set[Future[list[AppGrant] | None]] = set()
    listed = 0
    listing_done = False
    interrupted = False
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wsaudit-inventory")

    def finished(user: DirectoryUser, future: Future[list[AppGrant] | None]) -> None:
        slots.release()
        try:
            grants = future.result()
        except (CancelledError, Cancelled):
            return
        except ProbeError as error:
            in_a_row = tally.fail(user, error)
            if in_a_row >= CONSECUTIVE_FAILURE_LIMIT and not stop.is_set():
                with tally.lock:
                    failures.append(ProbeError(f"{in_a_row} user lookups in a row failed, so the run stopped "
                                               f"(the last: {error.message})", error.path, hint=error.hint))
                stop.set()
                http.cancelled.set()
            if progress is not None:
                progress(tally.done, listed, listing_done)
            return
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread
            with tally.lock:
                failures.append(error)
            stop.set()
            http.cancelled.set()
            return
        scanned = tally.add(grants)
        if progress is not None:
            progress(scanned, listed, listing_done)

    def queue(user: DirectoryUser) -> bool:
        nonlocal listed
        while not slots.acquire(timeout=_POLL):
            if stop.is_set():
                return False
        if stop.is_set():
            slots.release()
            return False
        listed += 1
        future = executor.submit(directory.tokens, user)
        in_flight.add(future)
        future.add_done_callback(functools.partial(finished, user))
        return True

    try:
        try:
            for page in directory.user_pages():
                for user in page:
                    if not queue(user):
                        break
                if stop.is_set():
                    break
                in_flight.difference_update(f for f in list(in_flight) if f.done())
            else:
                listing_done = True
            _drain(in_flight)
        except KeyboardInterrupt:
            interrupted = True
        except Cancelled:
            pass
        except ProbeError as error:
            failures.append(error)
        stop.set()
        if interrupted or failures:
            http.cancelled.set()
        executor.shutdown(wait=False, cancel_futures=True)
        # Let the lookups already under way end (they stop at their next retry), so the
        # partial result counts each user either fully or not at all.
        _drain(in_flight)
    except KeyboardInterrupt:  # a second Ctrl-C while stopping: give up waiting
        interrupted = True
        http.cancelled.set()
    if progress is not None:
        progress(tally.done, listed, listing_done)

    unexpected = [error for error in failures if not isinstance(error, ProbeError)]
    if unexpected:
        raise unexpected[0]
    stopped_by = None
    stop_error = None
    if interrupted:
        stopped_by = "interrupted"
    elif failures:
        stop_error = failures[0]
        assert isinstance(stop_error, ProbeError)
        stopped_by = str(stop_error)
    with tally.lock:
        apps = _app_reports(tally, manifests, pack, catalog, as_of)
        scanned, gone = tally.scanned, tally.gone
        failed = tuple(sorted(tally.failed, key=lambda user: (user.email, user.key)))
    return DomainInventory(apps=apps, users_listed=listed, users_scanned=scanned, users_gone=gone,
                     complete=stopped_by is None and listing_done and scanned == listed and not failed,
                     stopped_by=stopped_by, interrupted=interrupted, failed_users=failed, stop_error=stop_error,
                     endpoint=directory.users_endpoint)


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
