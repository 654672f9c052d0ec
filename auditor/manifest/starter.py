"""A starter manifest: what is known filled in, every question the rules ask left as a prompt.

The starter validates as written (``manifest_version``, ``app`` and ``scopes`` are real
values); everything else is a commented prompt line ``# key: <answer>`` at the indentation it
belongs, so removing the ``# `` and answering turns it into manifest YAML. An answer with a
fixed set of values lists them in the angle brackets (``<true|false>``, ``<kms|hsm|…>``),
read from the manifest schema so the prompts follow it.

The starter's inputs (scopes, an Apps Script project, the code's calls) are read by
:mod:`auditor.manifest.starter_inputs`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from auditor.catalog.scope_catalog import ScopeCatalog, ScopeInfo
from auditor.manifest.starter_inputs import AppsScriptProject, StarterInput
from auditor.rules.facts import APPROVED_USE_CASES, SIGN_IN_SCOPES, USE_CASE_APIS, USE_CASE_FAMILY
from auditor.model.errors import ErrorList, ManifestError
from auditor.catalog.scope_names import canonical_scope

_PLAIN_SCALAR = re.compile(r"[A-Za-z][A-Za-z0-9._/:-]*")
_SCOPE_PATTERN = re.compile(r"(https?://\S+|[A-Za-z][A-Za-z0-9._-]*)")


# ---------------------------------------------------------------------------- schema choices


@cache
def _schema() -> dict[str, Any]:
    from auditor.manifest.load import manifest_schema_path

    return json.loads(manifest_schema_path().read_text(encoding="utf-8"))


def choices(*path: str) -> str:
    """``<a|b|c>`` for the enumerated field at ``path`` of the manifest schema (``[]``: items)."""
    schema = _schema()
    node: dict[str, Any] = schema
    for token in path:
        node = _resolve(schema, node)
        node = node["items"] if token == "[]" else node["properties"][token]
    node = _resolve(schema, node)
    if node.get("type") == "boolean":
        return "<true|false>"
    values: list[str] = []
    for value in node["enum"]:
        if str(value) not in values:
            values.append(str(value))
    return "<" + "|".join(values) + ">"


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


# ---------------------------------------------------------------------------- rendering


def _scalar(value: str) -> str:
    return value if _PLAIN_SCALAR.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def _classification_label(entry: ScopeInfo) -> str:
    return entry.classification.replace("_", "-")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def prompts(self, indent: int, *lines: str) -> None:
        """Commented prompt lines; the ``# `` sits at ``indent`` so removing it leaves valid YAML."""
        pad = " " * indent
        self.lines.extend(pad + "# " + line for line in lines)

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


def _resolve_scopes(given: list[tuple[str, str]],
                    catalog: ScopeCatalog) -> tuple[list[tuple[str, ScopeInfo | None]], list[str]]:
    """Scopes in first-seen order, one per canonical name, each with its catalog entry.

    ``given`` pairs each scope with where it came from (a file, or ``--scope``).
    """
    resolved: list[tuple[str, ScopeInfo | None]] = []
    notes: list[str] = []
    seen: set[str] = set()
    for scope, origin in given:
        scope = scope.strip()
        if not _SCOPE_PATTERN.fullmatch(scope):
            raise ManifestError(f"{scope!r} is not a scope name (a full URL, or a short form such as gmail.readonly)",
                                origin)
        canonical = canonical_scope(scope)
        if canonical in seen:
            continue
        seen.add(canonical)
        entry = catalog.get(scope)
        if entry is None:
            suggestions = ", ".join(catalog.suggest(scope)) or "none"
            notes.append(f"{scope} is not in the scope catalog (closest known: {suggestions})")
        resolved.append((entry.short if entry else scope, entry))
    return resolved, notes


def _use_case_apis(entries: list[ScopeInfo | None]) -> list[str]:
    apis = []
    for entry in entries:
        if entry is None or entry.classification != "restricted":
            continue
        family = USE_CASE_FAMILY.get(entry.api, entry.api)
        if family in USE_CASE_APIS and family not in apis:
            apis.append(family)
    return apis


def render_starter(request: StarterInput, catalog: ScopeCatalog) -> tuple[str, list[str]]:
    """The starter manifest text and notes for the user (unknown scopes, missing scopes)."""
    scopes, notes = _starter_scopes(request, catalog)
    code = request.code
    needed_by = {canonical_scope(scope): calls for scope, calls in (code.scopes if code else ())}
    app_type = request.app_type or (request.apps_script.app_type if request.apps_script else None)
    data_scopes = [name for name, entry in scopes if canonical_scope(name) not in SIGN_IN_SCOPES] or [scopes[0][0]]

    out = _Writer()
    _write_header(out, request)
    _write_app(out, request, app_type)
    _write_use_cases(out, [entry for _, entry in scopes])
    out.add("", "scopes:")
    for name, entry in scopes:
        _write_scope(out, name, entry, needed_by.get(canonical_scope(name)), catalog)
    _write_auth(out)
    _write_disclosure_and_consent(out)
    _write_data(out, data_scopes)
    _write_storage(out)
    _write_transfers(out, request.apps_script)
    _write_human_access(out)
    _write_security(out)
    return out.text(), notes


def _starter_scopes(request: StarterInput,
                    catalog: ScopeCatalog) -> tuple[list[tuple[str, ScopeInfo | None]], list[str]]:
    """The scopes from every source (the Apps Script project, ``--scope``, ``--from-code``),
    with the notes the user should read; ``openid`` stands in when none was given, so the
    starter still validates."""
    given = [(scope, request.apps_script.path) for scope in (request.apps_script.scopes if request.apps_script else ())]
    given += [(scope, "--scope") for scope in request.scopes]
    code = request.code
    given += [(scope, "--from-code") for scope, _ in (code.scopes if code else ())]
    scopes, notes = _resolve_scopes(given, catalog)
    if code:
        notes.extend(code.notes)
    if request.apps_script and not request.apps_script.scopes:
        notes.append(f"{request.apps_script.path} has no oauthScopes, so Apps Script infers the scopes from the "
                     "code; list them in oauthScopes or with --scope")
    if not scopes:
        notes.append("no scope given: the starter lists openid as a placeholder; "
                     "replace it with the scopes the app requests")
        scopes = [("openid", catalog.get("openid"))]
    return scopes, notes


def _write_header(out: _Writer, request: StarterInput) -> None:
    out.add(
        "# Workspace Auditor app manifest (manifest_version 1), started with `wsaudit init`.",
        "#",
        "# It validates as it stands; `wsaudit audit` lists what the policy rules still need.",
        "# Each commented `key: <answer>` line is one of those questions: remove the \"# \",",
        "# replace the angle brackets with the answer (they list the allowed values where",
        "# there is a fixed set) and drop the lines that do not apply.",
    )
    if request.apps_script:
        out.add(f"# Scopes and app type read from {request.apps_script.path}.")
    if request.code:
        out.add(f"# Scopes chosen from the Google API calls in {', '.join(request.code.paths)}: the least-privileged",
                "# set that authorizes every call (`wsaudit audit --code` checks it stays so).")


def _write_app(out: _Writer, request: StarterInput, app_type: str | None) -> None:
    out.add("manifest_version: 1", "", "app:")
    out.add(f"  name: {json.dumps(request.name or 'TODO: app name shown on the consent screen', ensure_ascii=False)}")
    out.add(f"  developer: {json.dumps(request.developer or 'TODO: legal entity that ships the app', ensure_ascii=False)}")
    out.add(f"  type: {app_type or 'web'}  # {choices('app', 'type')[1:-1].replace('|', ', ')}")
    out.prompts(2,
                "description: <one paragraph on what the app does for its users>",
                "oauth_client_ids: [<client id ending in .apps.googleusercontent.com>]",
                f"audience: {choices('app', 'audience')}  # internal: only your own organisation's accounts",
                "homepage_url: <https URL of the home page>",
                "privacy_policy_url: <https URL of the privacy policy>",
                "limited_use_statement:",
                "  url: <https URL where the Limited Use statement is published>",
                "  text: <the statement's wording>",
                "data_deletion_docs_url: <https URL of the help page on managing and deleting data>",
                "security_contact: <security e-mail address>")


def _write_use_cases(out: _Writer, entries: list[ScopeInfo | None]) -> None:
    out.add("", "# The approved use case of each Workspace API whose restricted scopes the app requests.")
    out.prompts(0, "use_cases:")
    for api in _use_case_apis(entries) or ["<gmail|drive|chat|meet>"]:
        approved = APPROVED_USE_CASES.get(api)
        use_case = "<" + "|".join(sorted(approved)) + ">" if approved else choices("use_cases", "[]", "use_case")
        out.prompts(0, f"  - api: {api}", f"    use_case: {use_case}",
                    "    description: <what the feature does for the user>",
                    f"    user_facing: {choices('use_cases', '[]', 'user_facing')}")


def _write_scope(out: _Writer, name: str, entry: ScopeInfo | None, calls: tuple[str, ...] | None,
                 catalog: ScopeCatalog) -> None:
    """One scope item, after comments on what the catalog knows of it and, with
    ``--from-code``, the calls it was chosen for."""
    if entry is None:
        out.add(f"  # {name} - not in the scope catalog: check the spelling (`wsaudit scopes TEXT`).")
    else:
        out.add(f"  # {name} - {_classification_label(entry)} scope of the {entry.api} API",
                f"  #   Google's consent text: {entry.description or '(none)'}")
        if entry.status != "active":
            out.add(f"  #   Retired: {entry.note or 'Google no longer grants it.'}")
        if entry.narrower:
            narrower = ", ".join(catalog.get(url).short if catalog.get(url) else url for url in entry.narrower)
            out.add(f"  #   Narrower alternatives: {narrower}")
    if calls:
        from auditor.model.text_safety import printable

        # File names come from outside: printable keeps the comment on its line.
        shown = ", ".join(calls[:5]) + (f" and {len(calls) - 5} more" if len(calls) > 5 else "")
        out.add(f"  #   From the code: {printable(shown)}")
    out.add(f"  - scope: {_scalar(name)}")
    if entry is None or entry.classification != "non_sensitive":
        out.prompts(4, "justification: <which feature needs this scope, and why>")
    if entry is not None and entry.narrower:
        out.prompts(4, "narrower_rejected_because: <why none of the narrower alternatives serves>")
    out.prompts(4, f"requested: {choices('scopes', '[]', 'requested')}",
                "features: [<name of a feature that uses the scope>]")


def _write_auth(out: _Writer) -> None:
    out.add("", "# How OAuth tokens are obtained and kept.")
    out.prompts(0, "auth:",
                f"  flow: {choices('auth', 'flow')}",
                f"  incremental_auth: {choices('auth', 'incremental_auth')}",
                f"  impersonates: {choices('auth', 'impersonates')}  # domain-wide delegation only",
                "  token_storage:",
                f"    location: {choices('auth', 'token_storage', 'location')}",
                f"    encrypted: {choices('auth', 'token_storage', 'encrypted')}",
                f"    key_management: {choices('auth', 'token_storage', 'key_management')}")


def _write_disclosure_and_consent(out: _Writer) -> None:
    out.add("", "# The in-product disclosure shown before the consent request.")
    out.prompts(0, "disclosure:", *(
        f"  {key}: {choices('disclosure', key)}" for key in (
            "in_product", "placement", "shown_in_normal_usage", "identifies_app", "describes_data_types",
            "describes_usage", "describes_sharing", "bundled_with_unrelated")))

    out.add("", "# How consent is collected.")
    out.prompts(0, "consent:", *(
        f"  {key}: {choices('consent', key)}" for key in (
            "immediately_follows_disclosure", "affirmative_action", "navigation_away_counts_as_consent",
            "auto_dismissing", "collection_before_consent")))


def _write_data(out: _Writer, data_scopes: list[str]) -> None:
    out.add("", "# Each kind of user data obtained through the scopes, and what it is used for.")
    out.prompts(0, "data:",
                "  - id: <data-id>",
                "    description: <what the data is, in words a user understands>",
                f"    source_scopes: [{', '.join(_scalar(name) for name in data_scopes)}]",
                f"    categories: [{choices('data', '[]', 'categories', '[]')}]",
                f"    purposes: [{choices('data', '[]', 'purposes', '[]')}]",
                f"    secondary_purposes: [{choices('data', '[]', 'secondary_purposes', '[]')}]",
                "    # Only for aggregated_analytics: how the data is aggregated and anonymised.",
                "    aggregation:",
                "      method: <how records are combined, e.g. weekly counts per domain>",
                "      anonymization: <what removes the link to a person, e.g. no user ids kept>",
                f"      internal_only: {choices('data', '[]', 'aggregation', 'internal_only')}")


def _write_storage(out: _Writer) -> None:
    out.add("", "# Where each data element is kept (OAuth tokens are described under auth).")
    out.prompts(0, "storage:",
                "  - id: <storage-id>",
                "    data: [<data-id>]",
                f"    location: {choices('storage', '[]', 'location')}",
                "    encryption_at_rest:",
                f"      enabled: {choices('storage', '[]', 'encryption_at_rest', 'enabled')}",
                "      algorithm: <e.g. AES-256-GCM>",
                f"      key_management: {choices('storage', '[]', 'encryption_at_rest', 'key_management')}",
                "    retention: <ISO 8601 duration such as P30D, until_user_deletes, until_account_closed or indefinite>",
                "    region: <where the data is kept>")


def _write_transfers(out: _Writer, apps_script: AppsScriptProject | None) -> None:
    out.add("", "# Every recipient of user data outside the app's own systems.")
    if apps_script and apps_script.url_fetch_whitelist:
        out.add("# The Apps Script project may fetch these URLs; describe each one that receives user data:")
        out.add(*(f"#   {url}" for url in apps_script.url_fetch_whitelist))
    out.prompts(0, "transfers:",
                "  - id: <transfer-id>",
                "    recipient: <who receives the data>",
                f"    recipient_type: {choices('transfers', '[]', 'recipient_type')}",
                "    data: [<data-id>]",
                f"    purpose: {choices('transfers', '[]', 'purpose')}",
                f"    user_consent: {choices('transfers', '[]', 'user_consent')}",
                "    transport:",
                f"      protocol: {choices('transfers', '[]', 'transport', 'protocol')}",
                f"      tls_min_version: {choices('transfers', '[]', 'transport', 'tls_min_version')}",
                f"    network: {choices('transfers', '[]', 'network')}")


def _write_human_access(out: _Writer) -> None:
    out.add("", "# Who may read user data, and on what basis.")
    out.prompts(0, "human_access:",
                "  - role: <support, engineering, trust_and_safety, ...>",
                "    data: [<data-id>]",
                f"    basis: {choices('human_access', '[]', 'basis')}",
                f"    consent_documented: {choices('human_access', '[]', 'consent_documented')}")


def _write_security(out: _Writer) -> None:
    out.add("", "# The security programme.")
    out.prompts(0, "security:",
                "  casa:",
                f"    completed: {choices('security', 'casa', 'completed')}",
                "    tier: <1|2|3>",
                "    date: <YYYY-MM-DD of the assessment>",
                f"    letter_of_assessment: {choices('security', 'casa', 'letter_of_assessment')}",
                f"  isms: {choices('security', 'isms')}",
                f"  owasp_top10_reviewed: {choices('security', 'owasp_top10_reviewed')}",
                "  incident_response:",
                f"    notifies_google: {choices('security', 'incident_response', 'notifies_google')}",
                "    contact: <security e-mail address>",
                f"  https_only: {choices('security', 'https_only')}")


def check_starter(text: str) -> None:
    """Refuse to hand out a starter that would not validate (a defect, never the user's input)."""
    from auditor.manifest.load import check_manifest
    from auditor.manifest.yaml_source import parse_yaml

    errors = check_manifest(parse_yaml(text, "<starter manifest>"))
    if errors:
        raise ErrorList(errors)


def build_starter(request: StarterInput, catalog: ScopeCatalog | None = None) -> tuple[str, list[str]]:
    """Render and check the starter manifest for ``request``."""
    text, notes = render_starter(request, catalog or ScopeCatalog.load())
    check_starter(text)
    return text, notes

