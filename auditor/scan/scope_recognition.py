"""Recognising the OAuth scopes a source file asks for.

Each file is read by its type (Python, JavaScript/TypeScript and Apps Script ``.gs``, Java,
Kotlin, Go, C#, JSON including ``appsscript.json``, YAML, and a few others for URLs and
literals). Comments are never read. A scope is
recognised in one of five forms:

``url``
    A full scope URL anywhere outside comments: ``https://www.googleapis.com/auth/NAME``
    (known or not; an unknown one is still a scope the app asks for) and the scope URLs the
    catalog knows outside that prefix (``https://mail.google.com/``, legacy feed URLs). A
    URL that goes on with a path (``https://mail.google.com/mail/u/0``) is a link, not a scope.
``short``
    A string literal (or YAML scalar) that equals a catalog short form *with a dot*
    (``"gmail.readonly"``, ``'drive.file'``) counts wherever it is. A short form without a
    dot (``drive``, ``calendar``, ``email``, ``profile``, ``openid``) is an ordinary word as
    often as a scope (``build("drive", "v3")``, ``user["email"]``), so it counts only in a
    scope context: the key, variable, parameter or call that introduces the literal, or one
    of the two brackets around it, has ``scope`` in its name (``scopes=[...]``,
    ``SCOPES = List.of(...)``, ``.setScopes(Arrays.asList(...))``, ``scope: 'openid email'``,
    a YAML ``scopes:`` key). A literal of several names separated by spaces or commas counts
    when every name is a scope and it is in a scope context or one of them has a dot or is
    ``openid``.
``java_constant``
    Java and Kotlin: ``<Api>Scopes.<CONSTANT>`` of the Google API client libraries
    (``GmailScopes.GMAIL_READONLY``, ``DriveScopes.DRIVE_FILE``, ``Oauth2Scopes.OPENID``).
``go_constant``
    Go: ``<package>.<Name>Scope`` of google.golang.org/api (``gmail.GmailReadonlyScope``,
    ``drive.DriveFileScope``, ``oauth2.OpenIDScope``).
``dotnet_constant``
    C#: ``<Api>Service.Scope.<Name>`` (or ``.ScopeConstants.``) of the Google API client
    libraries for .NET (``GmailService.Scope.GmailReadonly``, ``DriveService.Scope.Drive``,
    ``GmailService.Scope.MailGoogleCom``): the scope's name in Pascal case, as Go's without
    its ``Scope``.

A line that contains ``wsaudit: ignore`` is not read (an escape hatch for a scope that is
mentioned but never requested). Files that are wsaudit's own (manifests, reports, baselines,
waiver files) are skipped, so a manifest kept next to the code does not count as a use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.scan.lexer import JSON, PLAIN, SCOPE_WORD, YAML, LexedSource, Syntax, in_scope_context, lex
from auditor.catalog.scope_names import AUTH_PREFIX, canonical_scope

IGNORE_MARKER = re.compile(r"wsaudit:\s*ignore")
_AUTH_URL = re.compile(re.escape(AUTH_PREFIX) + r"([A-Za-z0-9._\-]+)(?![A-Za-z0-9_~%/?#-])")
_URL_PATH_CHAR = "A-Za-z0-9._~%/?#=&+-"
_TOKEN = re.compile(r"[^\s,]+")
_SEPARATOR = re.compile(r"[\s,]")
_MAX_LITERAL = 2000  # longer literals are prose or data, not scope lists
_JAVA_CONSTANT = re.compile(r"\b[A-Z][A-Za-z0-9]*Scopes\.([A-Z][A-Z0-9_]*)\b")
_GO_CONSTANT = re.compile(r"\b[a-z][a-z0-9_]*\.([A-Z][A-Za-z0-9]*Scope)\b")
_DOTNET_CONSTANT = re.compile(r"\b[A-Z][A-Za-z0-9]*Service\s*\.\s*Scope(?:Constants)?\s*\.\s*([A-Z][A-Za-z0-9]*)\b")
# Client-library constants by language: the pattern, and which table of ScopeNames maps them.
_CONSTANTS = {"java": (_JAVA_CONSTANT, "java"), "kotlin": (_JAVA_CONSTANT, "java"), "go": (_GO_CONSTANT, "go"),
              "csharp": (_DOTNET_CONSTANT, "dotnet")}
# Top-level keys of the files wsaudit itself reads or writes.
_OWN_FILE_KEYS = ("manifest_version", "report_version", "baseline_version", "waivers_version", "scan_report_version")
# Files wsaudit reads (manifests, baselines, waivers): recognised by their version key alone.
_OWN_INPUT_KEYS = ("manifest_version", "baseline_version", "waivers_version")
_SHELL_SCOPES = re.compile(r"--scopes?[= ]([^\s\"'`;|&]+)")


# ---------------------------------------------------------------------------- scope names


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


class ScopeNames:
    """Every spelling of every catalog scope that the scanner recognises."""

    def __init__(self, catalog: ScopeCatalog) -> None:
        self.dotted: dict[str, str] = {}
        self.bare: dict[str, str] = {}
        self.java: dict[str, str] = {}
        self.go: dict[str, str] = {"OpenIDScope": "openid"}
        self.dotnet: dict[str, str] = {}
        other_urls = []
        for entry in catalog:
            scope = entry.scope
            if "://" not in entry.short:
                (self.dotted if "." in entry.short else self.bare)[entry.short] = scope
            name = scope[len(AUTH_PREFIX):] if scope.startswith(AUTH_PREFIX) else scope.split("://", 1)[-1]
            if scope.startswith(AUTH_PREFIX) and "." in name:
                self.dotted.setdefault(name, scope)  # userinfo.email as well as its alias email
            self.java.setdefault(re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper(), scope)
            camel = _camel(name)
            self.go.setdefault(camel + "Scope", scope)
            self.dotnet.setdefault(camel, scope)
            if "://" in scope and not scope.startswith(AUTH_PREFIX):
                other_urls.append(scope)
        self.bare.setdefault("email", canonical_scope("email"))
        self.bare.setdefault("profile", canonical_scope("profile"))
        # Gmail's and the legacy feed URLs as the catalog spells them (a trailing slash may be
        # added, never dropped: https://mail.google.com alone is a link); a longer path is a link.
        alternatives = "|".join(re.escape(url) + ("" if url.endswith("/") else "/?")
                                for url in sorted(other_urls, key=len, reverse=True))
        self.other_url = re.compile(f"(?:{alternatives})(?![{_URL_PATH_CHAR}])") if other_urls else None
        self._by_bare_url = {url.rstrip("/"): url for url in other_urls}

    def urls(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str, str]]:
        """``(offset, written, scope)`` of every full scope URL in ``text[start:end]``."""
        end = len(text) if end is None else end
        for match in _AUTH_URL.finditer(text, start, end):
            name = match.group(1).rstrip(".-")
            if name:
                written = AUTH_PREFIX + name
                yield match.start(), written, written
        if self.other_url is not None:
            for match in self.other_url.finditer(text, start, end):
                written = match.group(0)
                yield match.start(), written, self._by_bare_url[written.rstrip("/")]

    def short(self, token: str, keyed: bool) -> str | None:
        """The scope a literal token names as a short form, given whether it is in a scope context."""
        if token in self.dotted:
            return self.dotted[token]
        if keyed and token in self.bare:
            return self.bare[token]
        return None

    def is_scope_name(self, token: str) -> bool:
        """Whether ``token`` is a scope written in any form (for literals of several names)."""
        return token in self.dotted or token in self.bare or bool(_AUTH_URL.fullmatch(token)) or (
            self.other_url is not None and self.other_url.fullmatch(token) is not None)

# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ScopeUse:
    """One place where code asks for a scope: ``form`` is how it was recognised (see above)."""

    scope: str
    path: str
    line: int
    column: int
    form: str
    written: str

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.scope)

# ---------------------------------------------------------------------------- scanning


class CodeScanner:
    """Finds scope uses in files; one instance serves a whole scan."""

    def __init__(self, catalog: ScopeCatalog) -> None:
        self.names = ScopeNames(catalog)

    def scan_text(self, path: str, text: str, syntax: Syntax) -> list[ScopeUse]:
        """Every scope use in ``text``, the content of the file ``path`` written in ``syntax``."""
        if syntax is YAML:
            return self._scan_yaml(path, text)
        source = lex(text, syntax)
        found: list[ScopeUse] = []

        def add(offset: int, scope: str, form: str, written: str) -> None:
            line, column = source.position(offset)
            found.append(ScopeUse(scope, path, line, column, form, written))

        for offset, written, scope in self.names.urls(source.code):
            add(offset, scope, "url", written)
        dotted, bare = self.names.dotted, self.names.bare
        for opening, content_start, content_end, _ in source.literals:
            if content_end == content_start or content_end - content_start > _MAX_LITERAL:
                continue
            content = text[content_start:content_end]
            if content in dotted:
                add(content_start, dotted[content], "short", content)
            elif content in bare:
                if in_scope_context(source, opening):
                    add(content_start, bare[content], "short", content)
            elif _SEPARATOR.search(content):
                self._several_names(source, opening, content_start, content, add)
        if syntax.name == "shell":
            # gcloud auth ... --scopes=drive.readonly,https://www.googleapis.com/auth/gmail.send
            for match in _SHELL_SCOPES.finditer(source.code):
                for token in _TOKEN.finditer(match.group(1)):
                    scope = self.names.short(token.group(0), True)
                    if scope is not None:
                        add(match.start(1) + token.start(), scope, "short", token.group(0))
        if syntax.name in _CONSTANTS:
            pattern, kind = _CONSTANTS[syntax.name]
            table = getattr(self.names, kind)
            for match in pattern.finditer(source.structure):
                scope = table.get(match.group(1))
                if scope is not None:
                    add(match.start(), scope, f"{kind}_constant", match.group(0))
        return _without_ignored(found, text)

    def _several_names(self, source: LexedSource, opening: int, content_start: int, content: str, add: Any) -> None:
        """A literal such as ``"openid email profile"``: every word a scope name, in context."""
        words = content.replace(",", " ").split()
        if not all(self.names.is_scope_name(word) for word in words):
            return
        strong = any(word in self.names.dotted or word == "openid" or "://" in word for word in words)
        if not strong and not in_scope_context(source, opening):
            return
        for token in _TOKEN.finditer(content):
            scope = self.names.short(token.group(0), True)
            if scope is not None:
                add(content_start + token.start(), scope, "short", token.group(0))

    def _scan_yaml(self, path: str, text: str) -> list[ScopeUse]:
        import yaml

        source = LexedSource(text, text, [])
        position = source.position
        try:
            documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        except yaml.YAMLError:
            # Templated or broken YAML: full URLs are still unambiguous.
            found = [ScopeUse(scope, path, *position(offset), "url", written)
                     for offset, written, scope in self.names.urls(text)]
            return _without_ignored(found, text)
        found: list[ScopeUse] = []
        seen: set[int] = set()

        def scalar(node: Any, keys: tuple[str, ...]) -> None:
            start, end = node.start_mark.index, node.end_mark.index
            for offset, written, scope in self.names.urls(text, start, end):
                found.append(ScopeUse(scope, path, *position(offset), "url", written))
            value = node.value if isinstance(node.value, str) else ""
            words = _TOKEN.findall(value)
            if not words or len(value) > _MAX_LITERAL:
                return
            keyed = any(SCOPE_WORD.search(key) for key in keys[-2:])
            if len(words) > 1:
                if not all(self.names.is_scope_name(word) for word in words):
                    return
                keyed = keyed or any(word in self.names.dotted or word == "openid" for word in words)
            cursor = start
            for word in words:
                scope = self.names.short(word, keyed)
                where = text.find(word, cursor, end)
                if where < 0:
                    where = start
                else:
                    cursor = where + len(word)
                if scope is not None:
                    found.append(ScopeUse(scope, path, *position(where), "short", word))

        def walk(node: Any, keys: tuple[str, ...]) -> None:
            if id(node) in seen:
                return
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                scalar(node, keys)
            elif isinstance(node, yaml.SequenceNode):
                for item in node.value:
                    walk(item, keys)
            elif isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    walk(key, keys)
                    name = key.value if isinstance(key, yaml.ScalarNode) else ""
                    walk(value, keys + (name,))

        for document in documents:
            if document is not None and not _is_own_yaml(document):
                walk(document, ())
        return _without_ignored(found, text)


def _is_own_yaml(document: Any) -> bool:
    import yaml

    return isinstance(document, yaml.MappingNode) and any(
        isinstance(key, yaml.ScalarNode) and key.value in _OWN_FILE_KEYS for key, _ in document.value)


def is_own_report(text: str, syntax: Syntax) -> bool:
    """Whether ``text`` is a file wsaudit wrote or reads, judged by its structure.

    A JSON object whose top level has ``report_version`` (or ``scan_report_version``) and
    ``tool.name == "wsaudit"``; SARIF whose driver is wsaudit; a JUnit document whose
    ``<testsuites>`` is named wsaudit; a manifest, baseline or waiver file (its version key
    at the top level). The text is parsed only when a cheap substring test passes.
    """
    stripped = text.lstrip()
    if syntax is JSON or (syntax is PLAIN and stripped.startswith("{")):
        if not stripped.startswith("{") or "wsaudit" not in text and not any(key in text for key in _OWN_INPUT_KEYS):
            return False
        try:
            document = json.loads(text)
        except ValueError:
            return False
        if not isinstance(document, dict):
            return False
        if any(key in document for key in _OWN_INPUT_KEYS):
            return True
        if "report_version" in document or "scan_report_version" in document:
            tool = document.get("tool")
            return isinstance(tool, dict) and tool.get("name") == "wsaudit"
        runs = document.get("runs") if "sarif" in str(document.get("$schema", "")) or "version" in document else None
        if isinstance(runs, list):
            return any(isinstance(run, dict) and isinstance(run.get("tool"), dict)
                       and isinstance(run["tool"].get("driver"), dict)
                       and run["tool"]["driver"].get("name") == "wsaudit" for run in runs)
        return False
    if stripped.startswith("<") and "<testsuites" in text[:4096]:
        return re.search(r"<testsuites\b[^>]*\bname=\"wsaudit\"", text[:4096]) is not None
    return False


def _without_ignored(found: list[ScopeUse], text: str) -> list[ScopeUse]:
    if "wsaudit" not in text:
        return found
    lines = text.splitlines()
    return [use for use in found if not IGNORE_MARKER.search(lines[use.line - 1] if use.line <= len(lines) else "")]
