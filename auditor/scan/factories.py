"""Functions that return a Google API client, and where the code calls them.

Apps seldom call ``build("gmail", "v1")`` where they use the client: they write a function
that makes it (``def get_service(creds): return build(...)``, ``async function
getGmail(auth) { return google.gmail(...) }``, ``func newService(ctx) (*gmail.Service,
error)``, ``Gmail gmail() throws IOException``) and call that from other functions and other
files. Such a function is a **client factory**: each of its calls makes a client of its API,
so the name the call is assigned to is bound to that client, as a constructor's would be.

A factory is recognised by what it returns: in Python and JavaScript, a client made in its
``return`` statement (or an arrow function's or lambda's body), or a name bound to a client
in the same function, or a resource taken from either (``return build(...).files()``,
``return gmail.users.messages``), whose calls are then that resource's; in Go, Java, Kotlin
and C#, the client type it declares it returns. The enclosing function is found in one pass
over the file, whatever the number of ``return`` statements. Calls are matched by name
within one family of languages (``FAMILIES``), across the files of a scan; a name two
factories of different APIs share is ambiguous and is not followed, except in a file that
defines it or imports it from its module (``from app.gmail_client import get_service``,
``drive_client.get_service()``). Modules are known by their paths, so two of one name are
told apart by the folders an import names (``from app.gmail.client import``, ``from
.client import``, ``'./drive'``). A client a Python or JavaScript module binds at its top
level is followed into the files that import it by name (``from app.clients import
service``, ``import {gmail} from './client'``) or read on the module (``clients.service``). A property that returns a client (Python's
``@property``, a JavaScript getter) is read rather than called: its attribute
(``self.service``) is bound to the client instead. A function may return several clients
at once (``return drive, sheets``, ``return [drive, sheets]``, ``return {drive, sheets}``):
each is bound to the name the call's result is unpacked to, by position or by key
(``drive, sheets = get_services()``, ``const {drive} = getClients()``), or read by key on
the name given the whole object (``clients.drive``).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from auditor.scan.call_syntax import IDENT, closing_bracket

if TYPE_CHECKING:
    from auditor.scan.lexer import LexedSource

# The languages whose code calls each other's functions by name.
FAMILIES = {"python": "python", "javascript": "javascript", "java": "jvm", "kotlin": "jvm", "go": "go",
            "csharp": "dotnet"}

# A name's factory as a table of factories gives it: the API's name and version.
FactoryTable = Mapping[str, tuple[str, str]]


class LazyPattern:
    """A regular expression compiled on first use: most files, and the process that merges
    the files' results, never need most of a module's patterns (compiled at import, this
    module's and ``calls``'s cost each process that imports them about 30 M instructions).
    Each attribute read (``finditer``, ``search``...) is kept on the object, so later reads
    cost what a compiled pattern's do."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        value = getattr(self._compiled, name)
        setattr(self, name, value)
        return value


@dataclass(frozen=True, order=True)
class ClientFactory:
    """A function of ``family``'s code named ``name`` that returns a client of ``api`` at
    ``version`` (``kind`` ``"function"``), or a client the module itself binds to ``name``,
    which other modules may import (``"client"``), or a Python module's constant ``name``
    whose value ``api`` is an API's name or version (``"constant"``, ``version`` empty), or
    the client a class binds to an attribute of its instances (``"attribute"``, ``name``
    the class's and the attribute's: ``Gmail.service``), or a Go name declared with a
    client's type (``"field"``: a struct's field, a package's variable), which the other
    files of its package (its folder) read."""

    family: str
    name: str
    api: str
    version: str
    kind: str = "function"


def factory_table(factories: Iterable[ClientFactory], family: str) -> dict[str, tuple[str, str]]:
    """Name -> (API, version) of the ``family``'s factories, without the names that two
    factories of different APIs share."""
    found: dict[str, set[tuple[str, str]]] = {}
    for factory in factories:
        if factory.family == family and factory.kind == "function":
            found.setdefault(factory.name, set()).add((factory.api, factory.version))
    return {name: next(iter(apis)) for name, apis in sorted(found.items()) if len(apis) == 1}


# A module's factories and clients by (module, name), as an importing file finds them. The
# module is the file's path without its suffix, or any end of it (``clients``,
# ``app/clients``, ``src/app/clients`` for ``src/app/clients.py``): an import names as much
# of it as it needs to tell it apart (:func:`imports`).
ModuleTable = Mapping[tuple[str, str], tuple[str, str, str]]


def module_path(path: str) -> str:
    """A source file's path without its suffix, ``/``-separated: the module other files
    import it as; a JavaScript ``index`` file or a Python ``__init__`` file is its folder's."""
    parts = path.replace("\\", "/").rstrip("/").split("/")
    parts[-1] = parts[-1].split(".", 1)[0]
    if parts[-1] in ("index", "__init__") and len(parts) > 1:
        parts.pop()
    return "/".join(parts)


def module_name(path: str) -> str:
    """The last word of :func:`module_path`: the name other files import a source file by."""
    return module_path(path).rsplit("/", 1)[-1]


def module_table(named: Iterable[tuple[str, ClientFactory]], family: str
                 ) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(module, name) -> (API, version, kind) of the ``family``'s factories and clients,
    each given with the path of its file, under every end of the file's module path
    (``clients``, ``app/clients``...; a Go field, of its folder's), without the pairs two
    files give different values (two ``utils`` modules are told apart by the folders an
    import names)."""
    found: dict[tuple[str, str], set[tuple[str, str, str]]] = {}
    for path, factory in named:
        if factory.family == family:
            parts = module_path(path).split("/")
            if factory.kind == "field":
                parts = parts[:-1] or [""]  # a Go package is its folder
            for first in range(len(parts)):
                found.setdefault(("/".join(parts[first:]), factory.name), set()).add(
                    (factory.api, factory.version, factory.kind))
    return {key: next(iter(values)) for key, values in sorted(found.items()) if len(values) == 1}


# What a file imports from other modules: Python's `from x.y import a, b as c`, `import x.y
# as m`; JavaScript's `import {a, b as c} from './x'`, `const {a, b: c} = require('./x')`,
# and a whole module under a name (`import * as m from`, `import m from`, `const m =
# require(...)`). Read in the code with comments blanked (the paths are strings).
_PY_FROM = LazyPattern(r"(?m)^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^()]{0,2000}\)|[^\n;]{1,2000})")
_PY_IMPORT = LazyPattern(r"(?m)^[ \t]*import[ \t]+([^\n;]{1,2000})")
# (A list of names is read up to the next bracket, so that unclosed braces cost linear work.)
_JS_NAMED = LazyPattern(r"(?:import\s*(?:type\s+)?\{([^{}();=]{0,2000})\}\s*from"
                        r"|(?:const|let|var)\s*\{([^{}();=]{0,2000})\}\s*=\s*require\s*\()"
                        r"\s*([\"'`])([^\"'`\n]{1,500})\3")
_JS_WHOLE = LazyPattern(r"(?:import\s*\*\s*as\s+(" + IDENT + r")\s+from|import\s+(" + IDENT + r")\s+from"
                        r"|(?:const|let|var)\s+(" + IDENT + r")\s*=\s*require\s*\()\s*([\"'`])([^\"'`\n]{1,500})\4")
_IMPORTED = LazyPattern(r"\s*(" + IDENT + r")(?:\s*(?:\bas\b|:)\s*(" + IDENT + r"))?\s*")


def imports(code: str, python: bool, path: str = "") -> tuple[list[tuple[str, str, str, int]], dict[str, str]]:
    """The names a file (at ``path``) imports from other modules, each as (the name it
    uses, the module, the name there, where), and the modules it names as a whole (the name
    it uses -> the module). A module is given as a path without suffix (see
    :data:`ModuleTable`): ``app/clients`` for ``from app.clients import``, the path beside
    the file for a relative import (``from .clients import``, ``'./clients'``). A Python
    ``from app import clients`` may import a module as well as a name: it is given both
    ways."""
    folder = posixpath.dirname(path.replace("\\", "/"))
    names: list[tuple[str, str, str, int]] = []
    modules: dict[str, str] = {}
    if python:
        for match in _PY_FROM.finditer(code):
            dots, dotted = match.group(1), match.group(2)
            module = dotted.replace(".", "/")
            if dots:  # relative: from the file's folder, one folder up for each dot after the first
                module = posixpath.normpath(posixpath.join(folder, *[".."] * (len(dots) - 1), module))
                module = "" if module == "." else module
            for item in match.group(3).strip("()").split(","):
                imported = _IMPORTED.fullmatch(item)
                if imported:
                    local = imported.group(2) or imported.group(1)
                    modules[local] = f"{module}/{imported.group(1)}" if module else imported.group(1)
                    if module:
                        names.append((local, module, imported.group(1), match.start()))
        for match in _PY_IMPORT.finditer(code):
            for item in match.group(1).split(","):
                words = item.split()
                if words and re.fullmatch(r"[\w.]+", words[0]):
                    # `import app.config` is read as `app.config.X`: the dotted path is its name.
                    modules[words[2] if len(words) == 3 and words[1] == "as" else words[0]] = words[0].replace(".", "/")
        return names, modules
    named, whole = javascript_imports(code)
    names = [(local, _javascript_module(folder, module), name, at) for local, module, name, at in named
             if not _is_package(module)]
    modules = {local: _javascript_module(folder, module) for local, module in whole.items() if not _is_package(module)}
    return names, modules


def _javascript_module(folder: str, written: str) -> str:
    """The module a JavaScript import of the project names (``./lib/gmail.js`` in
    ``web/src`` is ``web/src/lib/gmail``; ``@/lib/gmail`` is ``lib/gmail``)."""
    if written.startswith("."):
        written = posixpath.normpath(posixpath.join(folder, written))
    elif written.startswith(("@/", "~/")):
        written = written[2:]
    return module_path(written)


def javascript_imports(code: str) -> tuple[list[tuple[str, str, str, int]], dict[str, str]]:
    """What a JavaScript or TypeScript file imports, as :func:`imports` gives it but with
    each module's path as written (``./client``, ``@googleapis/drive``)."""
    names: list[tuple[str, str, str, int]] = []
    for match in _JS_NAMED.finditer(code):
        for item in (match.group(1) if match.group(1) is not None else match.group(2)).split(","):
            imported = _IMPORTED.fullmatch(item)
            if imported:
                names.append((imported.group(2) or imported.group(1), match.group(4), imported.group(1), match.start()))
    whole = {match.group(1) or match.group(2) or match.group(3): match.group(5) for match in _JS_WHOLE.finditer(code)}
    return names, whole


def _is_package(path: str) -> bool:
    """Whether a JavaScript import names a package (``googleapis``, ``@googleapis/drive``)
    rather than a file of the project (``./client``, ``../lib/gmail``, or through a path
    alias such as ``@/lib/gmail`` or ``~/lib/gmail``)."""
    if path.startswith((".", "/", "@/", "~/")):
        return False
    return "/" not in path or path.startswith("@")


def top_level(structure: str, offsets: Iterable[int], python: bool) -> set[int]:
    """Which of ``offsets`` are at a module's top level: on a line without indentation in
    Python, outside every brace in JavaScript. One pass over the file."""
    wanted = sorted(set(offsets))
    if python:
        found_here: set[int] = set()
        line_start = previous = 0
        for offset in wanted:
            # Only the text since the previous offset is searched for a newer line break.
            newline = structure.rfind("\n", previous, offset)
            if newline >= 0:
                line_start = newline + 1
            previous = offset
            if structure[line_start] not in " \t":
                found_here.add(offset)
        return found_here
    found: set[int] = set()
    depth = 0
    index = 0
    for match in _BRACE.finditer(structure):
        while index < len(wanted) and wanted[index] < match.start():
            if depth == 0:
                found.add(wanted[index])
            index += 1
        if index == len(wanted):
            return found
        depth = depth + 1 if match.group() == "{" else max(0, depth - 1)
    found.update(offset for offset in wanted[index:] if depth == 0)
    return found


# ---------------------------------------------------------------------------- returned clients

# What comes before a client made by a `return` statement.
RETURNED = LazyPattern(r"(?<![\w$.])return[ \t]+(?:\(\s*)?(?:await\s+)?(?:new\s+)?$")
# Parameters of a function: brackets inside them (a default value's call) one level deep.
_PARAMETERS = r"\((?:[^()]|\([^()]*\))*\)"
# A TypeScript type after a parameter list, up to the body; it may hold object types one
# level deep (`Promise<{drive: drive_v3.Drive; sheets: sheets_v4.Sheets}>`).
_RETURN_TYPE = r"(?:\s*:\s*(?:[^{};=()]|\{[^{}()]{0,300}\}){1,200}?)?"
# A client made by the body of an arrow function or of a Python lambda given to a name:
# `const getGmail = (auth) => google.gmail(...)`, `get_service = lambda: build(...)`.
ARROW_BODY = LazyPattern(r"(?<![\w$.])(" + IDENT + r")\s*[:=]\s*(?:async\s+)?(?:" + _PARAMETERS + "|" + IDENT + r")"
                         + _RETURN_TYPE + r"\s*=>\s*(?:\(\s*)?(?:await\s+)?(?:new\s+)?$")
# What follows a returned client (the end of the statement: no call on it, no second value),
# and a client an arrow function or lambda gives (which may be an item of a list of them). A
# line that goes on with a dot (`return (build(...)` then `.files())`) goes on with the
# expression, in brackets or in JavaScript.
_NOT_GOING_ON = r"(?![ \t\r\n)]*\??\.(?!\.))"
ENDS_RETURN = LazyPattern(r"[ \t]*\)*[ \t]*(?:[;}]|\n" + _NOT_GOING_ON + "|$)")
ENDS_BODY = LazyPattern(r"[ \t]*\)*[ \t]*(?:[;,}\]]|\n" + _NOT_GOING_ON + "|$)")
LAMBDA_BODY = LazyPattern(r"(?<![\w$.])(" + IDENT + r")\s*=\s*lambda\b[^:\n]{0,200}:\s*$")


# A name returned (group 1), alone or with a chain after it (``return service``, ``return
# service.users()``), which is read apart. (A pattern run over a whole file begins with its
# keyword, which the engine looks for quickly, and checks what comes before it afterwards.)
RETURNED_NAME = LazyPattern(r"return(?<![\w$.]return)[ \t]+(" + IDENT + r")(?=[ \t]*(?:[;}.\\\n]|\?\.|$))")


# ---------------------------------------------------------------------------- several clients returned

# A `return` that may give several values (read in the structure): `return drive, sheets`,
# `return (build(...), build(...))`, `return [drive, sheets]`, `return {drive, sheets:
# google.sheets(...)}`. The values themselves are read by :func:`returned_items`.
RETURNED_GROUP = LazyPattern(r"return(?<![\w$.]return)[ \t]+(?=[(\[{]|[\w$.]+[ \t]*[,(])")
# A key of a JavaScript object's entry and what follows it up to the value: `drive: `, or
# the shorthand `drive` (the key is the value's name).
_KEYED_ENTRY = LazyPattern(r"\s*(" + IDENT + r")\s*(:\s*)?")
# How far a `return` without brackets is read for its values.
_BARE_LIMIT = 2000


def grouped(items: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    """What a factory table holds for a factory that returns several clients at once (a
    Python tuple, a JavaScript array or object): each client's key (its position, or its
    key in the object) with its API, then with its version, in braces. No API's name or
    version holds a brace, a comma or ``=``, so a table's other entries never read as one."""
    return ("{" + ",".join(f"{key}={api}" for key, (api, _) in items.items()) + "}",
            "{" + ",".join(f"{key}={version}" for key, (_, version) in items.items()) + "}")


def group_of(api_of: tuple[str, str]) -> dict[str, tuple[str, str]] | None:
    """The clients of a factory entry :func:`grouped` wrote, by key; ``None`` for one client."""
    if not api_of[0].startswith("{"):
        return None
    apis = [item.partition("=") for item in api_of[0][1:-1].split(",")]
    versions = [item.partition("=")[2] for item in api_of[1][1:-1].split(",")]
    return {key: (api, version) for (key, _, api), version in zip(apis, versions)}


def returned_items(source: LexedSource, at: int, python: bool) -> list[tuple[str, int, int]]:
    """The values of the `return` whose expression starts at ``at``, when it gives several:
    each value's key (its position; in a JavaScript object, its key) and its span in the
    structure, the value alone (after an entry's key). Empty for a single value, or for a
    list or object the code goes on to read from (``return [a, b][0]``)."""
    structure = source.structure
    opener = structure[at]
    if opener in ("([" if python else "[{"):
        end = closing_bracket(source, at)
        if structure[end - 1] not in ")]}" or not ENDS_RETURN.match(structure, end):
            return []  # not closed, or read from
        spans = source.keyword_index.items_in(at, end)
    elif python and opener != "{":
        spans = _bare_items(source, at)
    else:
        return []
    if opener == "{":
        keyed = []
        for start, stop in spans:
            entry = _KEYED_ENTRY.match(structure, start, stop)
            if entry is not None and (entry.group(2) or not structure[entry.end():stop].strip()):
                keyed.append((entry.group(1), entry.end() if entry.group(2) else entry.start(1), stop))
        return keyed
    if len(spans) < 2:
        return []  # `return (build(...))`: one value in brackets
    return [(str(position), start, stop) for position, (start, stop) in enumerate(spans)
            if structure[start:stop].strip()]


def _bare_items(source: LexedSource, at: int) -> list[tuple[int, int]]:
    """The spans of a Python `return`'s values written without brackets (``return a, b``),
    up to the end of its line or statement; one span for a single value."""
    structure = source.structure
    spans: list[tuple[int, int]] = []
    start = index = at
    limit = min(len(structure), at + _BARE_LIMIT)
    while index < limit:
        char = structure[index]
        if char in "([{":
            index = closing_bracket(source, index)
            continue
        if char in ")]};\n":
            break
        if char == ",":
            spans.append((start, index))
            start = index + 1
        index += 1
    spans.append((start, index))
    return spans


# ---------------------------------------------------------------------------- enclosing functions

# A `def` line (group 1 the function's name), and a `class` line (group 1 the class's).
PY_DEF = LazyPattern(r"[ \t]*(?:async[ \t]+)?def[ \t]+(" + IDENT + r")")
PY_CLASS = LazyPattern(r"[ \t]*class[ \t]+(" + IDENT + r")")
_PY_BRACKET = LazyPattern(r"[()\[\]{}]")


def python_functions(structure: str, offsets: Iterable[int], opener: LazyPattern = PY_DEF
                     ) -> dict[int, tuple[str, int] | None]:
    """For each offset of a Python file's structure, the innermost function it is in: its
    name and the offset of its ``def`` line, or ``None`` at module level (with ``opener``
    :data:`PY_CLASS`, the innermost class instead). One pass over the lines: a line inside
    brackets (a call's continuation) neither opens nor closes one."""
    wanted = sorted(set(offsets))
    found: dict[int, tuple[str, int] | None] = {}
    if not wanted:
        return found
    stack: list[tuple[int, str, int]] = []  # indentation, name, offset of the def line
    depth = 0
    index = 0
    start = 0
    length = len(structure)
    while start <= length and index < len(wanted):
        end = structure.find("\n", start)
        if end < 0:
            end = length
        line = structure[start:end]
        if depth == 0 and line.strip():
            indentation = len(line) - len(line.lstrip(" \t"))
            while stack and stack[-1][0] >= indentation:
                stack.pop()
            definition = opener.match(line)
            if definition:
                stack.append((indentation, definition.group(1), start))
        while index < len(wanted) and wanted[index] <= end:
            found[wanted[index]] = (stack[-1][1], stack[-1][2]) if stack else None
            index += 1
        for bracket in _PY_BRACKET.findall(line):
            depth = depth + 1 if bracket in "([{" else max(0, depth - 1)
        start = end + 1
    for offset in wanted[index:]:
        found[offset] = (stack[-1][1], stack[-1][2]) if stack else None
    return found


_BRACE = LazyPattern(r"[{}]")
# The most braces looked through, from a `return` outwards, for the function it is in.
_MAX_LEVELS = 64
_CONTROL = LazyPattern(r"(?:(?<![\w$.])(?:if|for|while|switch|catch|with)\s*" + _PARAMETERS
                       + r"|(?<![\w$.])(?:else|try|finally|do))\s*$")
_NAMED_FUNCTION = LazyPattern(
    r"(?:(?<![\w$.])function\s*\*?\s*(" + IDENT + r")\s*" + _PARAMETERS
    + r"|(?<![\w$.])(" + IDENT + r")\s*[:=]\s*(?:async\s+)?function\s*\*?\s*(?:" + IDENT + r"\s*)?" + _PARAMETERS
    + r"|(?<![\w$.])(" + IDENT + r")\s*[:=]\s*(?:async\s+)?(?:" + _PARAMETERS + "|" + IDENT + r")"
    + _RETURN_TYPE + r"\s*=>"
    + r"|(?<![\w$.])(" + IDENT + r")\s*" + _PARAMETERS + r")" + _RETURN_TYPE + r"\s*$")
_ANONYMOUS = LazyPattern(r"(?:(?<![\w$.])function\s*\*?\s*" + _PARAMETERS + _RETURN_TYPE + r"|=>)\s*$")
_NOT_NAMES = frozenset({"if", "for", "while", "switch", "catch", "with", "function", "return", "typeof", "await",
                        "new", "super", "import", "require"})


def brace_functions(structure: str, offsets: Iterable[int]) -> dict[int, tuple[str, int] | None]:
    """For each offset of a JavaScript or TypeScript file's structure, the innermost named
    function it is in (a declaration, a method, a function or arrow function given to a
    name): its name and the offset of its opening brace; ``None`` outside any, or in an
    anonymous function (a callback). Blocks of ``if``, ``for``, ``try``... are looked
    through; one pass over the file's braces."""
    wanted = sorted(set(offsets))
    found: dict[int, tuple[str, int] | None] = {}
    kinds: dict[int, str | None] = {}  # what each brace opens, read once however many ask
    open_at: list[int] = []
    index = 0
    for match in _BRACE.finditer(structure):
        while index < len(wanted) and wanted[index] < match.start():
            found[wanted[index]] = _named_function(structure, open_at, kinds)
            index += 1
        if index == len(wanted):
            return found
        if match.group() == "{":
            open_at.append(match.start())
        elif open_at:
            open_at.pop()
    for offset in wanted[index:]:
        found[offset] = _named_function(structure, open_at, kinds)
    return found


# The head of a JavaScript or TypeScript class's body (group 1 its name): `class Gmail {`,
# `export default class Gmail extends Base<T> implements Api {`.
_CLASS_HEAD = LazyPattern(r"(?<![\w$.])class\s+(" + IDENT + r")(?:\s*<[^{};]{0,200}>)?"
                          r"(?:\s+(?:extends|implements)\s+[^{};=()]{1,200})?\s*$")


def brace_classes(structure: str, offsets: Iterable[int]) -> dict[int, tuple[str, bool] | None]:
    """For each offset of a JavaScript or TypeScript file's structure, the innermost class
    it is in: its name, and whether the offset is directly in the class's body (a field)
    rather than in one of its methods; ``None`` outside any class. One pass over the
    file's braces; what each opens is read once."""
    wanted = sorted(set(offsets))
    found: dict[int, tuple[str, bool] | None] = {}
    # For each open brace: the innermost class at that depth (its name and depth), if any.
    open_at: list[tuple[str, int] | None] = []
    index = 0
    for match in _BRACE.finditer(structure):
        while index < len(wanted) and wanted[index] < match.start():
            found[wanted[index]] = _innermost_class(open_at)
            index += 1
        if index == len(wanted):
            return found
        if match.group() == "{":
            head = structure[max(0, match.start() - 300):match.start()]
            opened = _CLASS_HEAD.search(head) if "class" in head else None
            open_at.append((opened.group(1), len(open_at)) if opened else open_at[-1] if open_at else None)
        elif open_at:
            open_at.pop()
    for offset in wanted[index:]:
        found[offset] = _innermost_class(open_at)
    return found


def _innermost_class(open_at: list[tuple[str, int] | None]) -> tuple[str, bool] | None:
    if not open_at or open_at[-1] is None:
        return None
    name, depth = open_at[-1]
    return name, depth == len(open_at) - 1


# What a brace opens, for brace_functions: a block to look through, a function (by name),
# or an anonymous function, where the search stops.
_BLOCK = ""
_ANONYMOUS_FUNCTION = None


def _named_function(structure: str, open_at: list[int], kinds: dict[int, str | None]) -> tuple[str, int] | None:
    for opening in reversed(open_at[-_MAX_LEVELS:]):
        if opening not in kinds:
            kinds[opening] = _opened_by(structure[max(0, opening - 300):opening])
        kind = kinds[opening]
        if kind is _ANONYMOUS_FUNCTION:
            return None
        if kind:
            return kind, opening
    return None


def _opened_by(head: str) -> str | None:
    """What the brace after ``head`` opens: a function's name, ``_BLOCK`` (a statement's
    block, an object, a class) or ``_ANONYMOUS_FUNCTION``."""
    if _CONTROL.search(head):
        return _BLOCK
    named = _NAMED_FUNCTION.search(head)
    if named:
        name = next(group for group in named.groups() if group)
        if name not in _NOT_NAMES:
            return name
    return _ANONYMOUS_FUNCTION if _ANONYMOUS.search(head) else _BLOCK


# A Python property (`@property`, `@functools.cached_property`) on the line above a `def`,
# possibly among other decorators.
_PY_PROPERTY = LazyPattern(r"(?:^|\n)[ \t]*@(?:functools[ \t]*\.[ \t]*)?(?:cached_)?property[ \t]*\n"
                           r"(?:[ \t]*@[^\n]*\n)*[ \t]*$")


# A JavaScript getter's head, up to its body (group 1 its name): `get gmail() {`. One pattern
# for every name: a pattern made for each factory's name would be compiled again for each
# (Python's cache of patterns holds 512), a millisecond each.
_JS_GETTER = LazyPattern(r"(?<![\w$.])get\s+(" + IDENT + r")\s*\(\s*\)" + _RETURN_TYPE + r"\s*$")


def property_name(structure: str, language: str, name: str, defined_at: int) -> str | None:
    """The attribute a function defined at ``defined_at`` is read as, when it is a property
    (Python's ``@property``, a JavaScript getter: ``get gmail() {``): ``self.<name>`` or
    ``this.<name>``; ``None`` when it is called."""
    head = structure[max(0, defined_at - 300):defined_at]
    if language == "python":
        return f"self.{name}" if _PY_PROPERTY.search(head) else None
    getter = _JS_GETTER.search(head) if "get" in head else None
    return f"this.{name}" if getter and getter.group(1) == name else None


# ---------------------------------------------------------------------------- declared return types

# Go: `func newService(ctx context.Context) (*gmail.Service, error)`, a method too.
GO_FACTORY = LazyPattern(r"func(?<![\w$.]func)\s+(?:\([^()]{0,200}\)\s*)?(" + IDENT + r")\s*\([^()]{0,500}\)\s*\(?\s*"
                         r"\*\s*(\w+)\s*\.\s*Service\b")


def java_factory(classes: str) -> re.Pattern[str]:
    """Java: a method declared to return a client, ``Gmail gmail(...)`` (group 1 the class,
    group 2 the name); a call never has a type before its name. A match after a letter or
    digit is part of a longer name (``MyGmail``): see :func:`starts_a_word`."""
    return re.compile(r"(" + classes + r")\s+(" + IDENT + r")\s*\(")


def dotnet_factory(classes: str) -> re.Pattern[str]:
    """C#: a method declared to return a client, ``DriveService GetService(...)``, ``async
    Task<DriveService> CreateAsync(...)`` (group 1 the class, group 2 the name)."""
    return re.compile(r"(?<![\w$.])(?:Task\s*<\s*)?(?:[\w.]+\.)?(" + classes + r")\s*>?\s+(" + IDENT + r")\s*\(")


def starts_a_word(structure: str, offset: int) -> bool:
    """Whether no letter, digit, ``_`` or ``$`` comes before ``offset``."""
    return offset == 0 or not (structure[offset - 1].isalnum() or structure[offset - 1] in "_$")


def kotlin_factory(classes: str) -> re.Pattern[str]:
    """Kotlin: ``fun gmail(...): Gmail`` (group 1 the name, group 2 the class)."""
    return re.compile(r"fun(?<![\w$.]fun)\s+(?:<[^<>]{0,200}>\s*)?(?:[\w.]+\.)?(" + IDENT + r")\s*"
                      r"\([^()]{0,500}\)\s*:\s*(?:[\w.]+\.)?(" + classes + r")\??(?![\w$.])")


# ---------------------------------------------------------------------------- calls of factories

# What a function's definition has before its name (it is no call of it).
_DEFINED_AFTER = LazyPattern(r"(?:(?<![\w$.])(?:def|function\s*\*?|fun(?:\s*<[^<>]{0,200}>)?)"
                             r"|(?<![\w$.])func(?:\s*\([^()]{0,200}\))?)\s*$")
# What follows the parameters of a method's definition: its body (after a return type or
# Java's `throws`), where a call is followed by anything else.
_BODY_AFTER = LazyPattern(r"\s*(?::[^;{}=()\n]{0,200})?(?:throws[\w\s.,]{0,200})?\{")


# A call of a function, on its own or on an object or module (``get_service(...)``,
# ``self.get_service(...)``, ``auth.getGmail(...)``): the match starts at the first qualifier
# and ends at the opening bracket; the function's name is group 1. (Every call matches: the
# name is looked up in a table, so that the cost does not grow with the number of names.)
ANY_CALL = LazyPattern(r"(?<![\w$.])(?:" + IDENT + r"\s*\.\s*){0,8}(" + IDENT + r")\s*\(")


# Names too common to be taken for a factory's when called on an object the code does not
# name as its own (``config.get(...)``, ``pool.connect(...)``): only ``get(...)`` on its own,
# or ``self.get(...)``, ``this.get(...)``.
GENERIC_NAMES = frozenset({
    "apply", "build", "call", "client", "connect", "create", "default", "execute", "get", "init", "list", "load",
    "main", "make", "new", "open", "run", "service", "setup", "start",
})
_OWN_OBJECT = LazyPattern(r"(?:self|this|cls)\s*\.\s*$")


def called_here(qualifier: str, name: str) -> bool:
    """Whether a call of the factory ``name`` written after ``qualifier`` (``""``,
    ``"self."``, ``"auth."``...) is taken for a call of it."""
    return not qualifier or name not in GENERIC_NAMES or _OWN_OBJECT.fullmatch(qualifier) is not None


def is_definition(structure: str, name_start: int, end: int) -> bool:
    """Whether the name at ``name_start`` whose brackets close at ``end`` is a function's
    definition rather than a call of it."""
    if _DEFINED_AFTER.search(structure, max(0, name_start - 240), name_start):
        return True
    return _BODY_AFTER.match(structure, end) is not None
