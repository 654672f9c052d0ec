"""The probe's two runs, assembled from the parts: one token against one manifest, and the
inventory of a domain. The command line calls these and maps their outcome to exit codes.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from auditor import __version__
from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.model.errors import AuditorError
from auditor.model.report import ManifestResult, PackInfo, Report
from auditor.manifest.load import load_manifest
from auditor.rules.packs import PolicyPack
from auditor.probe.credentials import TokenSource, obtain_access_token
from auditor.probe.directory import DOMAIN_SCOPES, GOOGLE_ADMIN_API_URL, DirectoryClient
from auditor.probe.evidence import judge_token, load_probe_pack
from auditor.probe.http_client import HttpClient, endpoint_of
from auditor.probe.inventory import Progress, index_manifests, run_inventory
from auditor.probe.inventory_model import DomainInventory
from auditor.probe.tokeninfo import GOOGLE_TOKENINFO_URL, fetch_tokeninfo


@dataclass(frozen=True)
class Endpoints:
    tokeninfo: str = GOOGLE_TOKENINFO_URL
    token: str | None = None  # None: the credentials file's own, else Google's
    admin_api: str = GOOGLE_ADMIN_API_URL


@dataclass(frozen=True)
class ProbeSettings:
    source: TokenSource
    endpoints: Endpoints
    timeout: float = 10.0
    concurrency: int = 8
    customer: str = "my_customer"


def check_endpoint(url: str, option: str) -> str:
    """``url`` if it is an absolute http(s) URL; plain http only to a loopback address,
    since the probe sends credentials to it."""
    parts = urlsplit(url)
    shown = endpoint_of(url)  # a query or user info may hold a secret: never echo them
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AuditorError(f"{shown!r} is not an absolute http(s) URL", option)
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise AuditorError(f"{shown!r}: the URL must not carry a query, a fragment or user info", option)
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise AuditorError(f"{shown!r} would send credentials over plain HTTP", option,
                           hint="use https; plain http is accepted only for a loopback address such as 127.0.0.1")
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def quiet_library_logs() -> None:
    """google-auth warns through logging (e.g. while looking for ADC); without a handler,
    Python would print those warnings on stderr."""
    logging.getLogger("google.auth").addHandler(logging.NullHandler())


def _client(settings: ProbeSettings, pool: int = 4) -> HttpClient:
    return HttpClient(settings.timeout, pool_size=pool)


def _report(pack: PolicyPack, as_of: datetime.date, results: list[ManifestResult],
            inventory: DomainInventory | None = None) -> Report:
    info = PackInfo(pack.id, pack.version, pack.title, len(pack.rules), pack.source)
    return Report.of(__version__, (info,), as_of.isoformat(), results, rules=pack.rules, domain_inventory=inventory,
                     lang=pack.lang)


def _probe_pack(lang: str) -> PolicyPack:
    """The probe's rules worded in ``lang`` (their findings and the report follow it)."""
    from auditor.rules.rule_translation import localize_packs

    return localize_packs([load_probe_pack()], lang)[0]


def probe_manifest(path: str, settings: ProbeSettings, max_bytes: int, as_of: datetime.date,
                   lang: str = "en") -> Report:
    """Load the manifest, obtain the token, ask tokeninfo about it, and report the drift
    (in ``lang``)."""
    manifest = load_manifest(path, max_bytes)  # before any network traffic: fail fast on a bad file
    pack = _probe_pack(lang)
    endpoints = settings.endpoints
    check_endpoint(endpoints.tokeninfo, "--tokeninfo-url")
    if endpoints.token:
        check_endpoint(endpoints.token, "--token-uri")
    quiet_library_logs()
    http = _client(settings)
    source = _with_token_uri(settings.source, endpoints.token)
    token = obtain_access_token(source, http)
    info = fetch_tokeninfo(http, endpoints.tokeninfo, token)
    result = judge_token(manifest, info.scopes, info.client_ids, pack, ScopeCatalog.load(), as_of)
    return _report(pack, as_of, [result])


def probe_domain(manifest_paths: tuple[str, ...], settings: ProbeSettings, max_bytes: int, as_of: datetime.date,
                 progress: Progress | None = None, lang: str = "en") -> Report:
    """Inventory the third-party tokens of every user of the domain: a report whose results
    are the drift of each app that has a manifest, carrying the inventory itself (in ``lang``).

    A partial inventory (interrupted, or a lookup failed) is reported too; its
    ``complete`` flag says so.
    """
    manifests = index_manifests(manifest_paths, max_bytes) if manifest_paths else {}
    pack = _probe_pack(lang)
    endpoints = settings.endpoints
    check_endpoint(endpoints.admin_api, "--admin-api-url")
    if endpoints.token:
        check_endpoint(endpoints.token, "--token-uri")
    quiet_library_logs()
    source = settings.source
    if not source.scopes and not source.env_var:
        source = replace(source, scopes=DOMAIN_SCOPES)
    source = _with_token_uri(source, endpoints.token)
    http = _client(settings, pool=settings.concurrency + 1)
    token = obtain_access_token(source, http)
    directory = DirectoryClient(http, endpoints.admin_api, token, settings.customer)
    inventory = run_inventory(directory, manifests, pack, ScopeCatalog.load(), as_of, settings.concurrency, progress)
    results = [ManifestResult(app.manifest, app.app_name or "", app.drift)
               for app in inventory.apps if app.manifest is not None]
    return _report(pack, as_of, results, inventory)


def _with_token_uri(source: TokenSource, token_uri: str | None) -> TokenSource:
    return source if token_uri is None else replace(source, token_uri=token_uri)
