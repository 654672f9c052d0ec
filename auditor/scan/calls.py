"""Google API calls in source code, with file, line and column.

Works on a lexed file (``auditor.scan.lexer``): patterns run over the text with comments and
string literals blanked, so a call written in a comment or a string is never one. Recognised:

* **client libraries**: a client bound to an API (Python ``build("gmail", "v1")``, Node
  ``google.gmail({version: "v1"})``, Java ``new Gmail.Builder(...)`` or a ``Gmail``-typed
  name, Go ``gmail.NewService(...)`` or a ``*gmail.Service``), then a chain of resources
  ending in a method (``service.users().messages().list(...)``,
  ``srv.Users.Messages.List("me")``); a name bound to an intermediate resource
  (``msgs = service.users().messages()``) is followed too, and so is a client made by a
  function of the app that returns one (``service = get_service(creds)``) or a resource of
  one, in this file or in another (:mod:`auditor.scan.factories`); clients made side by
  side and unpacked (``drive, sheets = build(...), build(...)``) are bound by position;
* **Apps Script**: advanced services (``Gmail.Users.Messages.list("me")``) and built-in
  services (``DocumentApp.getUi()``) in ``.gs`` files and in the script files of a folder
  holding ``appsscript.json``;
* **raw HTTP**: a Google API URL in a string literal, with the verb of the call around it
  (``requests.post(url)``, ``fetch(url, {method: "POST"})``), matched to a path template.

A chain on a bound client that reaches no method is **unresolved**: reported, never guessed.
The arguments the code states (``format="full"``, ``q=...``, ``.setFormat("full")``) are kept
so that scope restrictions can be checked.
"""

from __future__ import annotations

import bisect
import re
from collections import ChainMap
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping

from auditor.scan.call_syntax import (
    HELPER_SEGMENTS,
    IDENT,
    MEDIA_DOWNLOADS,
    MEDIA_TWIN,
    UNSEEN,
    CallStyle,
    call_chain,
    closing_bracket,
    follows,
    given_call_options,
    kept_request_parameters,
    sends,
    setter_parameters,
    stated_arguments,
)
from auditor.scan.factories import (
    ANY_CALL,
    ARROW_BODY,
    ENDS_BODY,
    ENDS_RETURN,
    FAMILIES,
    GENERIC_NAMES,
    GO_FACTORY,
    LAMBDA_BODY,
    PY_CLASS,
    RETURNED,
    RETURNED_GROUP,
    RETURNED_NAME,
    ClientFactory,
    FactoryTable,
    LazyPattern,
    ModuleTable,
    brace_classes,
    group_of,
    grouped,
    brace_functions,
    imports,
    javascript_imports,
    called_here,
    is_definition,
    dotnet_factory,
    java_factory,
    kotlin_factory,
    module_path,
    property_name,
    python_functions,
    returned_items,
    starts_a_word,
    top_level,
)
from auditor.scan.lexer import LexedSource

if TYPE_CHECKING:
    from auditor.scan.methods import Api, ApiMethod, MethodTable, ResourceNode
    from auditor.scan.named_values import Parameter

# What a file imports from the other modules of its family (CallFinder._imported): its
# factories by the name it calls them by, the modules it names as a whole, and the
# attributes of the classes it imports by the name it calls them by.
ClassAttributes = dict[str, dict[str, tuple[str, str]]]
_Imported = tuple[dict[str, tuple[str, str]], dict[str, str], ClassAttributes]

# `build("gmail", "v1", ...)`: its API a literal (group 2) or a name (group 3), its version a
# literal (group 5) or a name (group 6); a name's value is found by auditor.scan.named_values.
def _py_build(names: str) -> str:
    return (r"(?<![\w$.])(?:[\w.]+\.)?(?:" + names + r")\(\s*(?:serviceName\s*=\s*)?(?:([\"'])([\w.]+)\1|(" + IDENT
            + r"))\s*,\s*(?:version\s*=\s*)?(?:([\"'])([\w.]+)\4|(" + IDENT + r")(?=\s*[,)]))")


# Any call of the client library's `build` (`build(`, `discovery.build(`,
# `googleapiclient.discovery.build(`), read in the structure: its arguments are read one by
# one when they are not two literals.
def _py_library_build(names: str) -> str:
    return (r"(?<![\w$.])(?:(?:googleapiclient|apiclient)\s*\.\s*)?(?:discovery\s*\.\s*)?(?:" + names
            + r")\s*\(")


_PY_BUILD = LazyPattern(_py_build("build"))
_PY_LIBRARY_BUILD = LazyPattern(_py_library_build("build"))
# `build` imported under another name (group 1): `from googleapiclient.discovery import
# build as gbuild`. Read in the code.
_PY_BUILD_ALIAS = LazyPattern(r"(?m)^[ \t]*from[ \t]+(?:googleapiclient|apiclient)[ \t]*\.[ \t]*discovery[ \t]+"
                              r"import[ \t]+\(?[^\n()]{0,500}?(?<![\w$])build[ \t]+as[ \t]+(" + IDENT + r")")
# A constant a Python module gives a word at its top level (group 1 its name, group 3 the
# word): `API_NAME = "gmail"`, `API_VERSION: str = 'v1'`. Read in the code (comments blanked).
_PY_CONSTANT = LazyPattern(r"(?m)^(" + IDENT + r")[ \t]*(?::[^=\n]{1,200})?=[ \t]*([\"'])([\w.]{1,100})\2[ \t]*$")
# `google[...]`, the client function of an API chosen by a key (in the structure), and the
# opening bracket of a call after it.
_NODE_INDEXED = LazyPattern(r"(?<![\w$.])(?:google|googleapis)\s*\[")
_OPENING_NEXT = LazyPattern(r"\s*\(")
_WORD_RUN = LazyPattern(r"\S+")
# A name given an instance of a class (group 2, maybe read on its module): `mail =
# Gmail(creds)`, `mail: Gmail = clients.Gmail(`. Read in the structure.
_PY_INSTANCE = LazyPattern(r"(?m)^[ \t]*((?:self[ \t]*\.[ \t]*)?" + IDENT + r")[ \t]*(?::[^=\n]{1,200})?=[ \t]*"
                           r"(" + IDENT + r"(?:[ \t]*\.[ \t]*" + IDENT + r"){0,8})[ \t]*\(")
# The same in JavaScript or TypeScript: `const mail = new Gmail(auth)`, `let mail: Gmail =
# new clients.Gmail(`.
_JS_INSTANCE = LazyPattern(r"(?<![\w$.])((?:this\s*\.\s*)?" + IDENT + r")\s*(?::\s*[\w$.<>]{1,200}\s*)?=\s*new\s+"
                           r"(" + IDENT + r"(?:\s*\.\s*" + IDENT + r")?)\s*\(")
# A class that extends others (group 1 its name, group 2 what it extends): Python's `class
# Sync(GoogleBase, clients.Mixin):`, JavaScript's `class Sync extends clients.Base<T>`. Read
# in the structure; a Python base is each item's leading name (`Base[T]`, not `metaclass=`).
_PY_SUBCLASS = LazyPattern(r"(?m)^[ \t]*class[ \t]+(" + IDENT + r")[ \t]*\(([^()]{1,500})\)")
_JAVA_SUBCLASS = LazyPattern(r"(?<![\w$.])class\s+(" + IDENT + r")(?:\s*<[^{};]{0,200}>)?\s+extends\s+("
                             + IDENT + r"(?:\s*\.\s*" + IDENT + r")*)")
# C# and Kotlin: `class RecoverTest : BaseTest`, `class DriveTest(name: String) : BaseTest()`,
# the base class first (an interface after it is no class).
_COLON_SUBCLASS = LazyPattern(r"(?<![\w$.])class\s+(" + IDENT + r")(?:\s*<[^{};]{0,200}>)?(?:\s*\([^()]{0,500}\))?"
                              r"\s*:\s*(" + IDENT + r"(?:\s*\.\s*" + IDENT + r")*)")
_JS_SUBCLASS = LazyPattern(r"(?<![\w$.])class\s+(" + IDENT + r")(?:\s*<[^{};]{0,200}>)?\s+extends\s+("
                           + IDENT + r"(?:\s*\.\s*" + IDENT + r")?)")
# The most attributes a class inherits from each class it extends: the attributes of a long
# line of classes, each adding its own, would otherwise be copied down the line (squared work).
_MAX_INHERITED = 64
_PY_BASE = LazyPattern(r"\s*(" + IDENT + r"(?:\s*\.\s*" + IDENT + r")?)\s*(?:\[|$)")
# An object a class makes (`Auth(`, `new Auth(`), and a method called on what a bracket
# closes (`.get_service(`: group 1). Read in the structure.
_NEW_OBJECT = LazyPattern(r"(?<![\w$.])(?:new\s+)?([A-Z][\w$]*)\s*\(")
_CHAINED_CALL = LazyPattern(r"\s*\.\s*(" + IDENT + r")\s*\(")
# How an argument the code computes is shown (`self.api_name`, `sys.argv[1]`): at most this long.
_SHOWN_ARGUMENT = 40


def _node_client_pattern(names: str) -> str:
    return r"(?<![\w$])(?:" + names + r")\s*\.\s*(\w+)\s*\("


_NODE_CLIENT = LazyPattern(_node_client_pattern("google|googleapis"))
# A value given to a key of an object literal given to a name (groups 1 and 2): `clients =
# {drive: `, `const clients: Clients = {sheets: google.sheets({...}), drive: ` (the entries
# before it hold braces one deep at most).
_HELD_IN_OBJECT = LazyPattern(r"(?<![\w$.])(" + IDENT + r")\s*(?::\s*[\w$.<>\[\]| ]{1,100})?=\s*\{"
                              r"(?:[^{}]|\{[^{}]{0,200}\}){0,300}?(?<![\w$.])(" + IDENT + r")\s*:\s*$")
# Names taken from an object by destructuring (group 1 the entries, group 2 the object):
# `const {files, permissions: perms} = drive;`. Read in the structure.
_DESTRUCTURED = LazyPattern(r"(?<![\w$.])(?:const|let|var)\s*\{([^{}]{1,500})\}\s*=\s*((?:this\s*\.\s*)?" + IDENT
                            + r"(?:\s*\.\s*" + IDENT + r")*)\s*(?=[;\n]|$)")
_ENTRY = LazyPattern(r"\s*(" + IDENT + r")\s*(?::\s*(" + IDENT + r")\s*)?(?:=[^,]*)?")
# Names given the clients a factory returns at once (see `_grouped_client`), up to the call:
# Python's `drive, sheets = ` (in brackets or not, `self.` attributes too); JavaScript's
# `const [drive, sheets] = await ` (group 1) and `const {drive, sheets: s} = ` (group 2).
_UNPACKED_TARGET = r"(?:(?:self|this)[ \t]*\.[ \t]*)?" + IDENT
_PY_UNPACKED = LazyPattern(r"(?:^|[\n;:])[ \t]*[(\[]?[ \t]*(" + _UNPACKED_TARGET + r"(?:[ \t]*,[ \t]*"
                           + _UNPACKED_TARGET + r")+)[ \t]*,?[ \t]*[)\]]?[ \t]*=[ \t]*(?:await[ \t]+)?$")
_JS_UNPACKED = LazyPattern(r"(?:^|[\n;{(])\s*(?:(?:const|let|var)\s*)?(?:\[([\w$\s,]{1,500})\]|\{([^{}]{1,500})\})"
                           r"\s*(?::[^=;{}]{1,200})?=\s*(?:await\s+)?$")
# The last names given several values at once before a point (group 1 the names), up to the
# values: Python's `drive, sheets = ` (in brackets or not), JavaScript's `const [drive,
# sheets] = ` (`let a, b = ` declares `a` and gives `b` the value); then how the values open
# (`await Promise.all([`, Python's `await asyncio.gather(`, a bracket, or nothing). Read in the
# structure.
_UNPACKING = LazyPattern(r"(?s:.*)(?:^|[\n;:{])[ \t]*(?:(?:const|let|var)\s*\[|[(\[]?)[ \t]*(" + _UNPACKED_TARGET
                         + r"(?:[ \t]*,[ \t]*" + _UNPACKED_TARGET + r")+)[ \t]*,?[ \t]*[)\]]?[ \t]*"
                         r"(?::[^=;{}\n]{1,200})?(?<![=!<>])=(?!=)[ \t]*")
_VALUES_OPEN = LazyPattern(r"(?:await\s+)?((?:Promise\s*\.\s*all|(?<![\w$.])(?:asyncio\s*\.\s*)?gather)\s*\(\s*)?"
                           r"([(\[]?)")
# What the values' brackets, commas and statement ends are read from.
_VALUE_MARK = LazyPattern(r"[()\[\]{},;\n]")
# How far before a client its unpacking is looked for, and how far its values are read.
_UNPACKING_REACH = 1000
# A client of a Cloud client library made (group 1 its class, one of `{names}`), and a name
# declared with its type (groups `client` and `name`), by language. Read in the structure.
_CLOUD_CLIENT_LANGUAGES = ("python", "javascript", "java")
_CLOUD_MADE = {"python": r"(?<![\w$])({names})\s*\(",
               "javascript": r"(?<![\w$.])new\s+(?:[\w$]+\s*\.\s*)*({names})\s*\(",
               "java": r"(?<![\w$.])({names})\s*\.\s*create\s*\("}
_CLOUD_TYPED = {"javascript": r"(?<![\w$.])(?P<name>" + IDENT + r")\s*\??\s*:\s*(?P<client>{names})(?![\w$])",
                "java": r"(?<![\w$.])(?P<client>{names})\s+(?P<name>" + IDENT + r")\s*[,);=]"}
# The end of a statement (in the structure, comments blanked).
_STATEMENT_END = LazyPattern(r"[ \t]*(?:;|\r?\n|$)")
# A Python function's definition (group 1 its name), from its line's start.
_PY_DEFINITION = LazyPattern(r"(?m)^[ \t]*(?:async[ \t]+)?def[ \t]+(" + IDENT + r")[ \t]*\(")
# An argument that names a client: a name, or an attribute of the instance.
_PASSED_NAME = LazyPattern(r"(?:(?:self|this)\s*\.\s*)?" + IDENT)
# A JavaScript or TypeScript function's definition, up to its parameters' opening bracket:
# `function copy(`, `copy = function (`, `copy = async (` (an arrow function), and a method
# at the start of its line, `async copy(`, `constructor(` (group 1, 2 or 3 its name). Read
# in the structure; the body's brace after the parameters is checked apart.
_JS_DEFINITION = LazyPattern(
    r"(?<![\w$.])function\s*\*?\s*(" + IDENT + r")\s*\("
    r"|(?<![\w$.])(" + IDENT + r")\s*[:=]\s*(?:async\s+)?(?:function\s*\*?\s*(?:" + IDENT + r"\s*)?)?\("
    r"|(?m:^)[ \t]*(?:(?:static|async|public|private|protected|override)\s+)*(" + IDENT + r")\s*\(")
# What may come between a function's parameters and its body's brace: a return type, an arrow.
_JS_BEFORE_BODY = LazyPattern(r"\s*(?::[^{};=]{1,200}?)?\s*(?:=>\s*)?\{")
# A JavaScript parameter's name (`service`, `service?: drive_v3.Drive`, `service = null`).
_JS_PARAMETER = LazyPattern(r"\s*(" + IDENT + r")\s*\??\s*(?::|=|$)")
_NOT_FUNCTIONS = frozenset({"if", "for", "while", "switch", "catch", "with", "return", "function", "typeof"})
# A Python string literal's prefix (`f"..."`, `rb"..."`).
_PREFIX = r"[rRbBfFuU]{1,2}"
# A `+` that joins a literal to what follows it, and a value it joins (a name, an attribute,
# a call of a few arguments): read in the code (in the structure, a literal is blanks).
_JOINED = LazyPattern(r"\s*\+\s*")
_JOINED_VALUE = LazyPattern(IDENT + r"(?:\s*\.\s*" + IDENT + r")*(?:\s*\([^()]{0,200}\))?")
_STRING_PREFIX = LazyPattern(_PREFIX + r"(?=[\"'])")
# The most pieces read of a URL joined with `+`.
_MAX_JOINED = 16
# A name given a literal (group 1), up to the literal: `url = `, `const url: string = `.
_URL_NAME = LazyPattern(r"(?<![\w$.])(" + IDENT + r")\s*(?::\s*[\w$.]{1,100}\s*)?=\s*(?:" + _PREFIX + r")?$")
# What comes before an argument: a bracket or a comma, maybe a keyword (`(`, `, sheets=`).
_ARGUMENT_HEAD = LazyPattern(r"[(,]\s*(?:" + IDENT + r"\s*=(?!=)\s*)?$")
# A name given as a whole argument (group 1): `f(drive)`, `g(a, self.service)`, `h(sheets=sheets)`.
_NAMED_ARGUMENT = LazyPattern(r"[(,]\s*(?:" + IDENT + r"\s*=(?!=)\s*)?((?:(?:self|this)\s*\.\s*)?" + IDENT
                              + r")\s*(?=[,)])")
# Rounds of clients passed on: a client passed to a function that passes it to another.
_PASSING_ROUNDS = 3
# The package's object read on the package itself: `require('googleapis').google.drive(`.
_REQUIRED_PACKAGE = LazyPattern(r"require\s*\(\s*([\"'])googleapis\1\s*\)\s*\.\s*$")
# A name declared with the TypeScript type of a client (a parameter, a property): `drive:
# drive_v3.Drive`, `gmail?: gmail_v1.Gmail`, `dir: admin_directory_v1.Admin`.
_NODE_TYPED = LazyPattern(r"(?<![\w$.])(" + IDENT + r")\s*\??\s*:\s*([a-z][a-z0-9]*)_((?:[a-z]+_)?v\d\w*)\s*\.\s*"
                          r"([A-Z]\w*)(?![\w$])")
# A Node client function's version: a quoted word, as its argument or as the value of its
# options object's `version` entry (`{version: 'v1', auth}`; a quoted key too, or the
# shorthand `version`: group 2 empty). Each matched where an argument or entry starts.
_NODE_VERSION = LazyPattern(r"\s*([\"'`])(\w+)\1")
_NODE_OPTIONS = LazyPattern(r"\s*\{")
_VERSION_KEY = LazyPattern(r"\s*(?:version|([\"'])version\1)\s*(:|\Z)")
_SPREAD = LazyPattern(r"\s*\.\.\.")
_SCRIPT_NAME = LazyPattern(r"\s*(" + IDENT + r")\s*\Z")
# `new Gmail.Builder(` in Java, `Gmail.Builder(` in Kotlin.
_JAVA_BUILDER = LazyPattern(r"(?<![\w$.])(?:new\s+)?(?:[\w.]+\.)?([A-Z]\w*)\s*\.\s*Builder\s*\(")
# An import's optional name before the path; the keyword itself is not one (`import "..."`).
_GO_IMPORT = LazyPattern(r"(?:^|[\s(])(?:(?!import\s)(\w+)\s+)?\"google\.golang\.org/api/([\w/]+?)/(v\d\w*)\"")
# A namespace of a .NET client library the file uses (group 1 its words before the version,
# group 2 the version), in a directive (`using Google.Apis.Drive.v3;`, `using Drive =
# Google.Apis.Drive.v3;`) or before a client class's name (`new Google.Apis.Drive.v3.DriveService(`).
_DOTNET_NAMESPACE = LazyPattern(r"(?<![\w.])Google\.Apis\.((?:\w+\.)+?)((?:[a-z]+_)?v\d\w*)"
                                r"(?=[ \t]*;|\.\w+Service\b)")
_GO_TYPED = LazyPattern(r"(?<![\w$.])(\w+)\s+\*\s*(\w+)\s*\.\s*Service\b")
_ASSIGNED = LazyPattern(r"((?:(?:this|self)\s*\.\s*)?" + IDENT + r")\s*(?::=|=)\s*(?:await\s+)?(?:new\s+)?$")
# A name declared with its type and given a value, at the start of a statement: TypeScript's
# `const client: gmail_v1.Gmail =`, Python's `service: Resource =` or `Optional[Resource]`,
# Kotlin's `val service: Gmail =`. (Without it the type's last word would be taken for the
# name.) A block's opening word is no name: `except: service = build(...)` assigns `service`.
_DECLARED_WITH_TYPE = LazyPattern(
    r"(?:^|[\n;{])[ \t]*(?:(?:export|declare|const|let|var|val|private|public|protected|readonly|static|override)"
    r"[ \t]+)*(?!(?:else|try|except|finally|default)\b)((?:(?:this|self)[ \t]*\.[ \t]*)?" + IDENT + r")[ \t]*:[ \t]*"
    r"[\w$.]+(?:[ \t]*[<\[][^=;(){}\n]*?[>\]])?(?:[ \t]*\|[ \t]*[\w$.]+)*[ \t]*=[ \t]*(?:await[ \t]+)?(?:new[ \t]+)?$")
# The name a `with` statement gives the client it opens: `with build(...) as service:`.
_WITH_AS = LazyPattern(r"\s*as\s+(" + IDENT + r")(?![\w$])")


def _on_bound_client(qualifier: str, bindings: _Bindings) -> bool:
    """Whether a call written after ``qualifier`` (``"service."``, ``"self.svc."``) is a
    segment of a chain on a name bound to a client or resource."""
    words = re.sub(r"\s+", "", qualifier).split(".")
    return words[0] in bindings or (words[0] in ("self", "this") and len(words) > 2 and
                                    f"{words[0]}.{words[1]}" in bindings)


def _filled_in(source: LexedSource, calls: list[tuple[int, int, str, tuple[str, str]]]
               ) -> list[tuple[str | None, str | None]]:
    """The (API, version) each call of a parametric factory makes a client of, its
    arguments filling in the parameters the factory's table entry names (see
    :mod:`auditor.scan.named_values`); ``None`` for a part whose value is not known."""
    from auditor.scan.named_values import parameter_in

    wanted = []
    for start, end, _name, api_of in calls:
        parameters = [parameter_in(text) for text in api_of]
        wanted.append((source.structure.index("(", start), end,
                       [parameter for parameter in parameters if parameter is not None]))
    filled: list[tuple[str | None, str | None]] = []
    for (_start, _end, _name, api_of), values in zip(calls, source.python_values.arguments(wanted)):
        given = iter(values)
        api_name, version = (next(given) if parameter_in(text) is not None else text for text in api_of)
        filled.append((api_name, version))
    return filled


def _not_followed(source: LexedSource, start: int, written: str, names: list[str], found: FileCalls,
                  path: str) -> None:
    """A client made at ``start`` of an API (or version) given by ``names``, whose value
    the code computes: reported as unresolved, its calls not followed, nothing guessed."""
    from auditor.rules.i18n import Phrase

    line, column = source.position(start)
    found.unresolved.append(UnresolvedCall(path, line, column, "", written,
                                           Phrase("scan.reasons.api_not_stated", names=names)))


def _shown_argument(text: str, start: int = 0, stop: int | None = None) -> str:
    """An argument (``text``, or its part from ``start`` to ``stop``) as a finding shows it:
    its blanks collapsed, cut short past ``_SHOWN_ARGUMENT`` characters (its words are read
    only that far)."""
    words: list[str] = []
    length = -1
    for word in _WORD_RUN.finditer(text, start, len(text) if stop is None else stop):
        words.append(word.group())
        length += len(word.group()) + 1
        if length > _SHOWN_ARGUMENT:
            return " ".join(words)[:_SHOWN_ARGUMENT - 1] + "\u2026"
    return " ".join(words)


def _node_version(source: LexedSource, opening: int, end: int) -> tuple[str | None, str | None]:
    """The version the arguments of a Node client function (``google.gmail(...)``), which
    open at ``opening``, give as a literal; else what gives it, as written: the options
    object's ``version`` entry, else its spread (``...options``), else the argument itself
    (``options``, ``VERSION``); ``(None, None)`` when they give none. Each argument and entry
    is read from where it starts, so that calls whose brackets never close cost no more
    than their own text."""
    code, index = source.code, source.keyword_index
    items = index.items_in(opening, end)
    if not items:
        return None, None
    start, stop = items[0]
    options = _NODE_OPTIONS.match(source.structure, start, stop)
    if options is None:
        return _script_word(source, start, stop)
    spread = None
    brace = options.end() - 1
    for entry_start, entry_stop in index.items_in(brace, closing_bracket(source, brace)):
        key = _VERSION_KEY.match(code, entry_start, entry_stop)
        if key:
            # `version: ...`, or the shorthand `version` (a name the code gives the version).
            return _script_word(source, key.end() if key.group(2) else entry_start, entry_stop)
        if spread is None and _SPREAD.match(code, entry_start, entry_stop):
            spread = _shown_argument(code, entry_start, entry_stop)
    return None, spread


def _script_word(source: LexedSource, start: int, stop: int) -> tuple[str | None, str | None]:
    """The word the JavaScript expression from ``start`` to ``stop`` stands for: a quoted
    word, or a name a ``const`` gives one (``named_values.script_constants``); else ``None``
    and the expression as written (``None`` for none)."""
    literal = _NODE_VERSION.match(source.code, start, stop)
    if literal:
        return literal.group(2), None
    name = _SCRIPT_NAME.match(source.code, start, stop)
    word = source.script_constants.get(name.group(1)) if name else None
    if word is not None:
        return word, None
    return None, _shown_argument(source.code, start, stop) or None


# How to tell the function an offset of a file is in, by call style (see _Bindings.at).
_ENCLOSING = {"python": python_functions, "node": brace_functions}
# The class each offset is in, for an instance's attributes (`self.service`), which each
# class binds for itself or inherits.
_ENCLOSING_CLASS = {"python": lambda structure, offsets: python_functions(structure, offsets, PY_CLASS),
                    "node": brace_classes}
# A word of code.
_WORD = LazyPattern(r"(?<![\w$])" + IDENT)
# The most characters of objects read before a bound name (`self.mail.`, `app.clients.`).
_OWNER_REACH = 120
# Those objects read backwards from the dot after them (`.liam.fles` for `self.mail.`).
_OBJECTS_BACKWARDS = LazyPattern(r"\.\s*[\w$]+(?:\s*\.\s*[\w$]+)*")
_DOT_BETWEEN = LazyPattern(r"\s*\.\s*")
_GO_ASSIGNED = LazyPattern(r"(" + IDENT + r")\s*(?:,\s*" + IDENT + r")?\s*:?=\s*$")
_URL = LazyPattern(r"https://([a-z0-9.-]+\.googleapis\.com)(/[^\s\"'`?#]*)?")
_VERB_CALL = LazyPattern(r"(?:^|[.\s(])(get|post|put|patch|delete|Get|Post|Put|Patch|Delete)\s*$")
# The method an options object states (`method: "POST"`, `"method": "post"`): group 2.
_METHOD_OPTION = LazyPattern(r"(?i)(?<![\w$])([\"']?)method\1\s*[:=]\s*([\"'`])(?P<verb>\w+)\2")
# An options object given to a request call by name, after the URL: group 1 the name.
_OPTIONS_NAME = LazyPattern(r"\s*,\s*(" + IDENT + r")\s*[,)]")
# How far before a request call the object its options name is looked for.
_OPTIONS_REACH = 2000
# An HTTP verb given to a request call by position: first, before the URL (requests'
# `request("POST", url)`), or second, after it (httplib2's `request(url, "POST")`).
_HTTP_VERB = r"([\"'])(GET|POST|PUT|PATCH|DELETE|HEAD|get|post|put|patch|delete|head)\1"
_VERB_FIRST = LazyPattern(r"(?<![\w$])request\s*\(\s*" + _HTTP_VERB + r"\s*,\s*$")
_VERB_SECOND = LazyPattern(r"\s*,\s*" + _HTTP_VERB)
# The start of an options object whose `url` a request call is given: `request({url: `.
_URL_OPTION = LazyPattern(r"(?<![\w$])(?:fetch|request|axios)\s*\(\s*\{\s*url\s*:$")
_NEW_REQUEST = LazyPattern(r"NewRequest(?:WithContext)?\s*\(\s*(?:\w+\s*,\s*)?$")

# Java client classes and the API behind each (the class is the API's canonical name).
JAVA_CLASSES = {
    "Gmail": ("gmail", None), "Drive": ("drive", None), "Calendar": ("calendar", None),
    "Sheets": ("sheets", None), "Docs": ("docs", None), "Slides": ("slides", None),
    "Tasks": ("tasks", None), "PeopleService": ("people", None), "Classroom": ("classroom", None),
    "Script": ("script", None), "HangoutsChat": ("chat", None), "Forms": ("forms", None),
    "Keep": ("keep", None), "DriveActivity": ("driveactivity", None), "Directory": ("admin", "directory_v1"),
    "Reports": ("admin", "reports_v1"), "DataTransfer": ("admin", "datatransfer_v1"),
    "Groupssettings": ("groupssettings", None), "Licensing": ("licensing", None), "Vault": ("vault", None),
    "CloudIdentity": ("cloudidentity", None), "AlertCenter": ("alertcenter", None),
    "Reseller": ("reseller", None), "GroupsMigration": ("groupsmigration", None), "CloudSearch": ("cloudsearch", None),
}
# The classes as alternatives of a pattern.
_JAVA_CLASS_NAMES = "|".join(sorted(JAVA_CLASSES))


@dataclass(frozen=True)
class ApiCall:
    """One call of a Google API method, or of an Apps Script built-in service.

    ``scopes`` are the full scope URLs any one of which authorizes it (before restrictions);
    ``parameters`` the arguments the code states (value ``None`` when not a literal);
    ``unseen`` the kind of what may pass others the code does not show there (``**options``,
    a request object set up elsewhere: a key of ``call_syntax.UNSEEN``), empty when nothing can.
    """

    path: str
    line: int
    column: int
    api: str
    method: str
    kind: str
    scopes: tuple[str, ...]
    parameters: tuple[tuple[str, str | None], ...] = ()
    unseen: str = ""

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.method)

    @property
    def stated(self) -> dict[str, str | None]:
        return dict(self.parameters)


# The client style of each lexer's language (see call_syntax.stated_arguments).
_STYLES = {"python": "python", "javascript": "node", "java": "java", "kotlin": "java", "go": "go", "csharp": "dotnet"}
# Verbs whose Apps Script method takes the request body before the path's parameters.
_BODY_VERBS = frozenset({"POST", "PUT", "PATCH"})


def _objects_before(structure: str, dot: int) -> tuple[int, str] | None:
    """The objects a dot at ``dot`` follows (``self.mail``, ``app.clients``; blanks around
    the dots dropped) and where they start: ``None`` when no name comes before the dot, the
    first object is a call's or an item's result (``f().a.``), or the objects run past
    :data:`_OWNER_REACH` characters. Read in reverse, in one match."""
    floor = max(0, dot - _OWNER_REACH)
    backwards = structure[floor:dot + 1][::-1]
    found = _OBJECTS_BACKWARDS.match(backwards)
    if found is None:
        return None
    after = found.end()
    while after < len(backwards) and backwards[after] in " \t\r\n":
        after += 1
    if (after < len(backwards) and backwards[after] == ".") or (after == len(backwards) and floor > 0):
        return None
    words = [word[::-1] for word in reversed(_DOT_BETWEEN.split(found.group()[1:].strip()))]
    if any(word[0].isdigit() for word in words):
        return None
    return dot - found.end() + 1, ".".join(words)


def _destructured(source: LexedSource, bindings: _Bindings) -> None:
    """Names a JavaScript file takes from a client or its resources by destructuring
    (``const {files, permissions: perms} = drive;``, ``= clients.gmail.users``) are bound to
    those resources."""
    for match in _DESTRUCTURED.finditer(source.structure):
        written = re.sub(r"\s+", "", match.group(2)).split(".")
        # The longest bound start: `clients.gmail` of `clients.gmail.users`.
        size = next((size for size in range(len(written), 0, -1) if ".".join(written[:size]) in bindings), 0)
        if not size:
            continue
        binding = bindings.at(".".join(written[:size]), match.start(), None, {})
        node: ResourceNode | None = binding.node
        for word in written[size:]:
            node = node.resources.get(word.replace("_", "").lower()) if node is not None else None
        for item in match.group(1).split(","):
            entry = _ENTRY.fullmatch(item)
            key = entry.group(1).replace("_", "").lower() if entry else ""
            resource = node.resources.get(key) if node is not None else None
            if resource is not None:
                bindings.bind(entry.group(2) or entry.group(1), match.start(), _Binding(binding.api, resource))


def _taken(source: LexedSource, api: Api | None, end: int, python: bool, ends: LazyPattern | None) -> str | None:
    """What the expression that makes a client of ``api`` (``None``: a parametric factory's)
    and ends at ``end`` gives where ``ends`` matches after it (``None``: anywhere, for a
    value given to a name): ``""``, the client itself; the keys of a resource taken from it
    in the same expression (``build(...).files()``, ``google.drive(...).files``), joined
    by ``/``; ``None`` for anything else, such as a method's request or response."""
    structure = source.structure
    chain = call_chain(source, end) if api is not None else []
    if not chain:
        return "" if ends is None or ends.match(structure, end) else None
    node, keys = api.root, []  # type: ignore[union-attr]
    for name, offset, arguments in chain:
        key = name.replace("_", "").lower()
        # A Python client's resources are methods (`files()`), a Node client's properties.
        if key not in node.resources or (arguments is None) == python:
            return None
        node = node.resources[key]
        keys.append(key)
        end = arguments[1] if arguments else offset + len(name)
    return "/".join(keys) if (ends or ENDS_RETURN).match(structure, end) else None


def _with_resource(api_of: tuple[str, str], keys: str) -> tuple[str, str]:
    """A factory table's entry for a factory that returns the resource ``keys`` (see
    :func:`_taken`) of the client ``api_of``: the keys after its version and a slash, which
    no API's version holds (``("drive", "v3/files")``)."""
    return (api_of[0], f"{api_of[1]}/{keys}") if keys else api_of


def _returned_groups(source: LexedSource, python: bool, groups: list[int],
                     functions: dict[int, tuple[str, int] | None],
                     made: list[tuple[int, int, tuple[str, str], str | None]],
                     named: dict[str, list[tuple[int, tuple[str, str]]]]) -> Iterator[tuple[str, tuple[str, str], int]]:
    """The functions that return several clients at once, from the `return` statements
    whose values start at ``groups``: a value is a client made there, or a name the same
    function binds to one (``return drive, sheets``, ``return {drive, sheets:
    google.sheets(...)}``). The values that are not clients are left out of the entry."""
    structure = source.structure
    made_at = {start: (end, api) for start, end, api, _ in made}
    for at in groups:
        function = functions[at]
        if function is None:
            continue
        items: dict[str, tuple[str, str]] = {}
        for key, start, stop in returned_items(source, at, python):
            value = structure[start:stop].strip()
            api = None
            if value in named:
                api = next((api for site, api in named[value] if functions[site] == function), None)
                if api is not None and "/" in api[1]:
                    api = None  # a resource (see `_with_resource`): not among the clients of a group
            else:
                start += len(structure[start:stop]) - len(structure[start:stop].lstrip())
                end, api = made_at.get(start, (stop, None))
                if structure[end:stop].strip(" \t\n)"):
                    api = None  # a call on the client, not the client itself
            if api is not None:
                items[key] = api
        if items:
            yield function[0], grouped(items), function[1]


def _passes_clients(source: LexedSource, bindings: _Bindings, found: FileCalls) -> bool:
    """Whether the file may pass a client to a function: a bound name, or a client made, as
    an argument (after a bracket or a comma, maybe a keyword). Most files do not, and are
    spared reading their functions' definitions."""
    structure = source.structure
    if any(_ARGUMENT_HEAD.search(structure, max(0, start - 100), start) for start, _, _, _ in found.made):
        return True
    return any(re.sub(r"\s+", "", match.group(1)) in bindings for match in _NAMED_ARGUMENT.finditer(structure))


def _arguments(source: LexedSource, opening: int, end: int, parameters: list[Parameter], python: bool
               ) -> list[tuple[str, int] | str | None]:
    """The argument (its text and offset) a call gives each of ``parameters``: in Python
    as :meth:`NamedValues.chosen` reads it; in JavaScript by position, up to a spread."""
    if python:
        return source.python_values.chosen(opening, end, parameters)
    code = source.code
    positional: list[tuple[str, int]] = []
    for start, stop in source.keyword_index.items_in(opening, end):
        if code[start:stop].lstrip().startswith("..."):
            break
        positional.append((code[start:stop], start))
    return [positional[parameter.position] if parameter.position is not None and parameter.position < len(positional)
            else None for parameter in parameters]


def _package_read_on(source: LexedSource, start: int) -> int:
    """Where the expression starts whose first name (``google``, a client's class) is at
    ``start``: before the module it is read on (``gapis.google``, after ``import * as gapis
    from 'googleapis'``; ``google_chat.ChatServiceClient``) or the package
    (``require('googleapis').google``), else ``start``."""
    structure = source.structure
    before = start - 1
    while before >= 0 and structure[before] in " \t\r\n":
        before -= 1
    if before < 0 or structure[before] != ".":
        return start
    objects = _objects_before(structure, before)
    if objects is not None:
        return objects[0]
    required = _REQUIRED_PACKAGE.search(source.code, max(0, start - 80), start)
    return required.start() if required else start


def _options_verb(source: LexedSource, name: str, before: int) -> str | None:
    """The HTTP verb of the options object last given to ``name`` within
    :data:`_OPTIONS_REACH` characters before ``before`` (its ``method``, else GET); ``None``
    when no such object is found (the options come from elsewhere)."""
    code = source.code
    start = max(0, before - _OPTIONS_REACH)
    given = None
    for given in re.finditer(r"(?<![\w$.])" + re.escape(name) + r"\s*=\s*\{", code[start:before]):
        pass
    if given is None:
        return None
    brace = start + given.end() - 1
    option = _METHOD_OPTION.search(code, brace, min(closing_bracket(source, brace), brace + _OPTIONS_REACH))
    return option.group("verb").upper() if option else "GET"


def _set_up_apart(after: list[tuple[str, int, tuple[int, int] | None]], style: CallStyle) -> bool:
    """Whether a Java, Kotlin, Go or .NET request may get parameters the chain ``after`` its
    method does not show: the chain does not send it (Java's ``execute()``,
    ``executeMedia()``…, Go's ``Do()``, ``Download()`` or ``Pages()``, .NET's ``Execute()``,
    ``ExecuteAsync()``, ``Download(stream)``…: see :func:`sends`), so setters or properties
    may be set elsewhere; a segment before the sending one is not a call with arguments
    (Kotlin's ``.apply { q = query }``; a .NET chain holds no setters); or Go's ``Do`` or
    ``Download`` gets call options, which may set any parameter."""
    for name, _offset, arguments in after:
        if style != "dotnet" and given_call_options(name, arguments):
            return True
        if sends(name):
            return False
        if arguments is None and style != "dotnet":
            return True
    return True


@dataclass(frozen=True)
class UnresolvedCall:
    """A call-like chain on a Google client that matches no method: reported, not guessed."""

    path: str
    line: int
    column: int
    api: str
    written: str
    reason: str

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.written)


@dataclass
class _Binding:
    api: Api
    node: ResourceNode


def _unpacked_name(structure: str, start: int) -> str | None:
    """The name given the value that starts at ``start`` when it is one of several given
    several names at once (``drive, sheets = build(...), build(...)``, ``const [drive, sheets]
    = await Promise.all([getDrive(auth), getSheets(auth)])``): the name at its position; ``""``
    when the statement unpacks values but this one is not among them as a whole, or the
    names and values do not pair up; ``None`` when ``start`` is not in such a statement."""
    unpacking = _UNPACKING.match(structure, max(0, start - _UNPACKING_REACH), start)
    if unpacking is None:
        return None
    opened = _VALUES_OPEN.match(structure, unpacking.end(), start)
    # Inside the call's brackets and the values' own, a line break does not end the statement.
    depth = base = (1 if opened.group(1) else 0) + (1 if opened.group(2) else 0)
    position = 0
    item_start = at = opened.end()
    chosen = None
    limit = min(len(structure), start + _UNPACKING_REACH)
    while True:
        mark = _VALUE_MARK.search(structure, at, limit)
        stop = mark.start() if mark else limit
        if chosen is None and stop > start:  # (the value itself starts with no mark)
            if depth != base or structure[item_start:start].replace("\\", "").strip() not in ("", "await", "new"):
                return ""
            chosen = position
        if mark is None:
            break
        char = structure[stop]
        at = stop + 1
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < base:
                break
        elif char == ",":
            if depth == base:
                position += 1
                item_start = at
        elif depth == 0 and (char == ";" or not structure.endswith(("\\", "\\\r"), 0, stop)):
            break  # the statement's end (not a line continuation)
    if chosen is None:
        return None  # the statement ends before the value: not given by it
    names = [re.sub(r"\s+", "", name) for name in unpacking.group(1).split(",")]
    values = position + (1 if structure[item_start:stop].strip() else 0)
    return names[chosen] if values == len(names) else ""


class _Bindings:
    """The names a file gives clients and resources, each with every place it is given one.

    Code often gives one name clients of several APIs, one per function (``service =
    build("drive", ...)`` in one, ``service = build("gmail", ...)`` in the next). A use of
    the name reads the binding made last before it in the same function; else the last one
    before it outside any function (or, when there is none above, the first one there: a
    function written above the code that binds its client); else the last one before it
    anywhere (a client passed from one function to another), or the first.
    """

    def __init__(self) -> None:
        self._sites: dict[str, list[tuple[int, _Binding]]] = {}

    def __bool__(self) -> bool:
        return bool(self._sites)

    def __contains__(self, name: str) -> bool:
        return name in self._sites

    def names(self) -> list[str]:
        return sorted(self._sites)

    def bind(self, name: str, at: int, binding: _Binding) -> None:
        """Give ``name`` ``binding`` at offset ``at`` (the expression that makes it)."""
        sites = self._sites.setdefault(name, [])
        if sites and sites[-1][0] > at:
            bisect.insort(sites, (at, binding), key=_OFFSET)
        else:
            sites.append((at, binding))

    def clients(self) -> Iterator[tuple[str, int, _Binding]]:
        """Each binding of a plain name (not ``self.x``) to a client, with where it is made."""
        for name, sites in self._sites.items():
            if "." not in name:
                for at, binding in sites:
                    if binding.node is binding.api.root:
                        yield name, at, binding

    def attributes(self, owner: str) -> Iterator[tuple[str, int, _Binding]]:
        """Each binding of an attribute of ``owner`` (``self``, ``this``) to a client
        (``self.service``): the attribute's name, and where it is made."""
        prefix = owner + "."
        for name, sites in self._sites.items():
            if name.startswith(prefix) and name.count(".") == 1:
                for at, binding in sites:
                    if binding.node is binding.api.root:
                        yield name[len(prefix):], at, binding

    def shared(self, names: Iterable[str]) -> list[str]:
        """Which of ``names`` have been given more than one binding."""
        return [name for name in names if len(self._sites[name]) > 1]

    def offsets(self, name: str) -> list[int]:
        return [at for at, _ in self._sites[name]]

    def by_function(self, names: Iterable[str], functions: Mapping[int, object],
                    classes: Mapping[int, tuple[str, object] | None] | None = None
                    ) -> dict[str, dict[object, list[tuple[int, _Binding]]]]:
        """For each of ``names``, its bindings by the function they are made in
        (``functions`` gives it for each offset, ``None`` outside any), in order; and those of
        an instance's attribute (``self.service``) also by the class they are made in
        (``classes`` gives it, when given)."""
        grouped: dict[str, dict[object, list[tuple[int, _Binding]]]] = {}
        for name in names:
            groups = grouped[name] = {}
            by_class = classes is not None and name.startswith(_INSTANCE_OWNERS)
            for site in self._sites[name]:
                groups.setdefault(functions.get(site[0]), []).append(site)
                place = classes.get(site[0]) if by_class else None  # type: ignore[union-attr]
                if place is not None:
                    groups.setdefault((_IN_CLASS, place[0]), []).append(site)
        return grouped

    def at(self, name: str, use: int, functions: Mapping[int, object] | None,
           grouped: dict[str, dict[object, list[tuple[int, _Binding]]]],
           classes: Mapping[int, tuple[str, object] | None] | None = None) -> _Binding:
        """The binding of ``name`` a use at offset ``use`` reads; ``functions`` gives the
        function each offset of a use is in, ``grouped`` the bindings of each name that has
        several by function (:meth:`by_function`), when the language tells them apart; an
        instance's attribute not bound in the use's function reads its class's binding
        (``classes`` gives the class of each use)."""
        sites = self._sites[name]
        if len(sites) == 1:
            return sites[0][1]
        groups = grouped.get(name)
        if groups is not None and functions is not None:
            here = functions.get(use)
            if here is not None and here in groups:
                own = groups[here]
                index = bisect.bisect_right(own, use, key=_OFFSET)
                if index:
                    return own[index - 1][1]
            place = classes.get(use) if classes is not None else None
            if place is not None and (_IN_CLASS, place[0]) in groups:
                return _last_before(groups[(_IN_CLASS, place[0])], use)
            if None in groups:
                return _last_before(groups[None], use)
        return _last_before(sites, use)


# The objects whose attributes each class binds for itself (`self.service`, `this.gmail`),
# and what marks a group of bindings by class rather than by function.
_INSTANCE_OWNERS = ("self.", "this.")
_IN_CLASS = object()


def _last_before(sites: list[tuple[int, _Binding]], use: int) -> _Binding:
    """The binding of the last of ``sites`` (in order) at or before ``use``, else the first."""
    index = bisect.bisect_right(sites, use, key=_OFFSET)
    return sites[index - 1][1] if index else sites[0][1]


_OFFSET = itemgetter(0)


@dataclass
class FileCalls:
    """What one file gave: its calls, its unresolved chains and the client factories it
    defines."""

    calls: list[ApiCall] = field(default_factory=list)
    unresolved: list[UnresolvedCall] = field(default_factory=list)
    factories: list[ClientFactory] = field(default_factory=list)
    # Each client made (by a constructor or a factory's call): where its expression starts
    # and ends, of which API, and the name it is given (``None`` when none).
    made: list[tuple[int, int, Api, str | None]] = field(default_factory=list, repr=False)
    # The same for a client whose API or version is a parameter of the function that makes
    # it (Python's `build(api_name, version)`), with (API, version) as a table of factories
    # holds them (see auditor.scan.named_values).
    parametric: list[tuple[int, int, tuple[str, str], str | None]] = field(default_factory=list, repr=False)
    # The constants of other modules the file imports and needs the value of, for a client's
    # API or version, by their modules' names for them (see CallFinder._wanted).
    wanted: list[str] = field(default_factory=list)


# Rounds of factories found in a file: a factory whose client comes from another factory
# of the same file is found in the round after that one.
_FACTORY_ROUNDS = 3


class CallFinder:
    """Finds calls in one lexed file; one instance serves a whole scan."""

    def __init__(self, table: MethodTable) -> None:
        from auditor.scan.apps_script import load_apps_script_facts

        self.table = table
        self.apps_script = load_apps_script_facts()
        built_in = "|".join(sorted(self.apps_script.built_in))
        self._built_in = re.compile(r"(?<![\w$.])(" + built_in + r")\s*\.\s*(" + IDENT + r")\s*\(")
        # The advanced services' pattern and APIs, by the project's services (see _advanced_services).
        self._services: dict[tuple[tuple[str, str, str], ...], tuple[re.Pattern[str], dict[str, tuple[str, str]]]] = {}
        self._ui = re.compile(r"\.\s*(" + "|".join(sorted(self.apps_script.ui_methods)) + r")\s*\(")
        # The last table of modules whose clients, classes and Go fields were listed by module
        # (see _by_module), and those lists.
        self._clients_of: tuple[ModuleTable | None, dict[str, list[str]], dict[str, ClassAttributes],
                                dict[str, dict[str, tuple[str, str]]]] = (None, {}, {}, {})
        # The clients of the Cloud client libraries by class, made on first use.
        self._cloud: dict[str, tuple[Api, dict[str, str]]] | None = None
        # The API names and versions of the table: what a module's exported constant may be.
        self._api_words: frozenset[str] | None = None

    def _api(self, name: str, version: str | None = None) -> Api | None:
        """The API ``name`` at ``version`` of the method table, or the client of a Cloud
        client library (``chat``, ``v1#ChatServiceClient``: see :mod:`auditor.scan.cloud_clients`)."""
        if version and "#" in version:
            return next((api for api, _ in self._cloud_classes().values()
                         if (api.name, api.version) == (name, version)), None)
        return self.table.api(name, version)

    def _cloud_classes(self) -> dict[str, tuple[Api, dict[str, str]]]:
        """:func:`~auditor.scan.cloud_clients.cloud_clients` of the table, made once: each
        client class's API and modules."""
        if self._cloud is None:
            from auditor.scan.cloud_clients import cloud_clients

            self._cloud = cloud_clients(self.table)
        return self._cloud

    # ------------------------------------------------------------------ entry point

    def find(self, path: str, source: LexedSource, language: str, apps_script: bool) -> tuple[list[ApiCall], list[UnresolvedCall]]:
        """Every call in the file ``path`` (``language`` is the lexer's syntax name)."""
        found = self.find_all(path, source, language, apps_script)
        return found.calls, found.unresolved

    def find_all(self, path: str, source: LexedSource, language: str, apps_script: bool,
                 factories: FactoryTable | None = None, modules: ModuleTable | None = None,
                 services: tuple[tuple[str, str, str], ...] = ()) -> FileCalls:
        """Every call in the file ``path`` (``language`` is the lexer's syntax name) and the
        client factories it defines (and, in Python and JavaScript, the clients it binds at
        its top level and to its classes' instances; in Python, its constants that name an
        API); ``factories`` are those of other files of the same family of languages,
        ``modules`` their factories, clients, classes and constants by module, which the
        file's imports name (see :mod:`auditor.scan.factories`): a factory the file defines
        itself takes the place of another file's of the same name, and one it imports by its
        module, of a name other files share."""
        found = FileCalls()
        structure = source.structure
        bindings = _Bindings()
        imported = self._imported(source, language, modules or {}, bindings, path)
        packages, fields = self._made_clients(source, language, bindings, found, path, modules or {})
        if apps_script and language == "javascript":
            self._apps_script(source, found, path, services)
        style = _STYLES.get(language, "node")
        family = FAMILIES.get(language)
        if family is not None:
            self._factory_clients(source, language, family, packages, factories or {}, modules or {}, imported,
                                  bindings, found, path, style)
        if language == "go":
            found.factories += [ClientFactory("go", name, api, version, "field") for name, api, version in fields]
        elif language in ("java", "kotlin", "csharp"):
            self._class_fields(source, path, modules or {}, bindings, found, language)
        if language in ("python", "javascript"):
            self._classes(source, language, imported[2], bindings, found)
        if language == "javascript" and bindings and "{" in structure:
            _destructured(source, bindings)
        if language in ("python", "javascript") and bindings and _passes_clients(source, bindings, found):
            python = language == "python"
            definitions = self._python_definitions(source) if python else self._script_definitions(source)
            self._clients_passed(source, bindings, found, definitions, python)
        if language == "python":
            found.factories += self._python_constants(source)
            found.wanted = self._wanted(source, path)
        if bindings:
            self._follow_bindings(source, structure, bindings, found, path, style)
            # One use read through two names of one client (`this.slides`, and `slides` in an
            # earlier round) is one call.
            found.calls = list(dict.fromkeys(found.calls))
            found.unresolved = list(dict.fromkeys(found.unresolved))
        self._rest(source, found, path)
        return found

    # ------------------------------------------------------------------ client bindings

    def _made_clients(self, source: LexedSource, language: str, bindings: _Bindings, found: FileCalls, path: str,
                      modules: ModuleTable) -> tuple[dict[str, Api], list[tuple[str, str, str]]]:
        """The clients the file makes with a client library's own constructors, or declares
        with its types. Returns, for Go, the API of each package the file imports and the
        client fields it declares (name, API, version); for C#, the API of each client class
        its ``using`` directives name."""
        packages: dict[str, Api] = {}
        fields: list[tuple[str, str, str]] = []
        if language == "python":
            self._python_clients(source, bindings, found, path)
        elif language == "javascript":
            self._node_clients(source, bindings, found, path)
        elif language in ("java", "kotlin"):
            self._java_clients(source, bindings, language == "kotlin")
        elif language == "csharp":
            packages = self._dotnet_clients(source, bindings, found, path)
        elif language == "go":
            packages = self._go_clients(source, bindings)
            self._go_package_fields(source, path, modules, bindings)
            fields = sorted({(name, binding.api.name, binding.api.version) for name, at, binding in bindings.clients()
                             if at >= 0})
        if language in _CLOUD_CLIENT_LANGUAGES and ("ServiceClient" in source.code
                                                    or "ServiceAsyncClient" in source.code):
            self._cloud_clients(source, language, bindings, found, path)
        return packages, fields

    def _bind_name(self, structure: str, start: int, go: bool = False) -> str | None:
        unpacked = None if go else _unpacked_name(structure, start)
        if unpacked is not None:
            return unpacked or None
        head = structure[max(0, start - 200):start]
        match = _GO_ASSIGNED.search(head) if go else _DECLARED_WITH_TYPE.search(head) or _ASSIGNED.search(head)
        if not match:
            # A client kept in an object given to a name: `const clients = {drive: google.drive(...)}`.
            held = None if go else _HELD_IN_OBJECT.search(head)
            return f"{held.group(1)}.{held.group(2)}" if held else None
        return re.sub(r"\s+", "", match.group(1))

    def _python_clients(self, source: LexedSource, bindings: _Bindings, found: FileCalls, path: str) -> None:
        """Clients made by ``build``: of the API its literals name, or its arguments stand for
        (constants, or the parameters of a parametric factory: ``found.parametric``). In a
        file of the client library, a ``build`` whose API or version the code computes is
        reported as unresolved."""
        named: list[int] = []  # where the builds start whose arguments are not two literals
        seen: set[int] = set()
        builds, library_builds = _PY_BUILD, _PY_LIBRARY_BUILD
        aliases = sorted({match.group(1) for match in _PY_BUILD_ALIAS.finditer(source.code)}) if " as " in source.code \
            else []
        if aliases:
            names = "|".join(["build", *aliases])
            builds, library_builds = re.compile(_py_build(names)), re.compile(_py_library_build(names))
        for match in builds.finditer(source.code):
            if source.structure[match.start()] == " ":
                continue  # inside a string
            seen.add(match.start())
            if match.group(2) is None or match.group(5) is None:
                named.append(match.start())
                continue
            api = self._api(match.group(2), match.group(5))
            if api is not None:
                self._python_client(source, match.start(), api, bindings, found, path)
        if "apiclient" not in source.code:  # googleapiclient, or its old name
            return
        structure = source.structure
        named.extend(match.start() for match in library_builds.finditer(structure) if match.start() not in seen)
        if not named:
            return
        from auditor.scan.named_values import Parameter

        wanted = [Parameter(0, "serviceName"), Parameter(1, "version")]
        read = []
        for start in sorted(named):
            opening = structure.index("(", start)
            end = closing_bracket(source, opening)
            given = source.python_values.chosen(opening, end, wanted)
            # Without both, or in its own definition, it is not the client library's build.
            if all(isinstance(argument, tuple) for argument in given) and not is_definition(structure, start, end):
                read.append((start, end, given))
        resolved = iter(source.python_values.values([argument for _, _, given in read for argument in given]))
        for start, end, given in read:
            self._named_build(source, start, end, given, [next(resolved) for _ in given], bindings, found, path)

    def _named_build(self, source: LexedSource, start: int, end: int, given: list[tuple[str, int]],
                     values: list[object], bindings: _Bindings, found: FileCalls, path: str) -> None:
        """The client of a ``build`` at ``start`` whose API and version are ``given`` (each
        argument's text and offset) and stand for ``values`` (see ``NamedValues.values``)."""
        from auditor.scan.named_values import Parameter, table_text

        api_name, version = values
        if isinstance(api_name, str) and isinstance(version, str):
            api = self._api(api_name, version)
            if api is not None:
                self._python_client(source, start, api, bindings, found, path)
        elif isinstance(api_name, (str, Parameter)) and isinstance(version, (str, Parameter)):
            found.parametric.append((start, end, (table_text(api_name), table_text(version)),
                                     self._python_client_name(source, end, start)))
        else:
            # One unpacked argument may give both: `build(*arguments)`.
            arguments = {at: (_shown_argument(text), value) for (text, at), value in zip(given, values)}
            written = ", ".join(text for text, _ in arguments.values())
            # `build`, or the name the file imports it under.
            called = source.structure[start:source.structure.index("(", start)].rsplit(".", 1)[-1].strip()
            _not_followed(source, start, f"{called}({written}, ...)",
                          [text for text, value in arguments.values() if value is None], found, path)

    def _python_client_name(self, source: LexedSource, end: int, start: int) -> str | None:
        managed = _WITH_AS.match(source.structure, end)
        return managed.group(1) if managed else self._bind_name(source.structure, start)

    def _python_client(self, source: LexedSource, start: int, api: Api, bindings: _Bindings, found: FileCalls,
                       path: str) -> None:
        """The client of ``api`` made by the ``build`` call at ``start``: bound to the name
        it is given (by assignment or ``with ... as``), any chain on it resolved."""
        end = closing_bracket(source, source.code.index("(", start))
        name = self._python_client_name(source, end, start)
        if name:
            bindings.bind(name, start, _Binding(api, api.root))
        found.made.append((start, end, api, name))
        self._bind_resource(bindings, api, start, self._resolve(
            source, api, api.root, start, end, found, path, name or "build(...)", "python"))

    def _node_clients(self, source: LexedSource, bindings: _Bindings, found: FileCalls, path: str) -> None:
        clients = _NODE_CLIENT
        if "googleapis" in source.code:
            # `import {google as g} from 'googleapis'`, `const {google: g} = require('googleapis')`.
            aliases = sorted({re.escape(local) for local, module, name, _ in javascript_imports(source.code)[0]
                              if module == "googleapis" and name == "google" and local != "google"})
            if aliases:
                clients = re.compile(_node_client_pattern("|".join(["google", "googleapis", *aliases])))
        for match in clients.finditer(source.structure):
            name_of_api = match.group(1)
            if name_of_api not in ("auth", "options", "discoverAPI"):
                self._node_client(source, _package_read_on(source, match.start()), match.end() - 1, name_of_api,
                                  bindings, found, path, f"google.{name_of_api}(...)")
        for match in _NODE_INDEXED.finditer(source.structure):
            self._node_indexed_client(source, match.start(), match.end() - 1, bindings, found, path)
        if "@googleapis/" in source.code:
            for start, opening, name_of_api, written in _package_clients(source):
                self._node_client(source, start, opening, name_of_api, bindings, found, path, f"{written}(...)")
        for match in _NODE_TYPED.finditer(source.structure):
            name, api_name, version, client_class = match.groups()
            if client_class.lower() == api_name:  # the client, not a schema or a resource of the API
                api = self._api(api_name, version)
                if api is not None:
                    bindings.bind(name, match.start(), _Binding(api, api.root))

    def _node_client(self, source: LexedSource, start: int, opening: int, name_of_api: str,
                     bindings: _Bindings, found: FileCalls, path: str, label: str) -> None:
        """The client made by the call of a Node API function (``google.gmail``, or the
        ``gmail`` of ``@googleapis/gmail``) at ``start``, whose arguments open at ``opening``:
        bound to the name it is assigned to, and any chain on the call itself resolved."""
        end = closing_bracket(source, opening)
        version, unstated = _node_version(source, opening, end)
        if version is None:
            if unstated is not None and self._api(name_of_api) is not None:
                _not_followed(source, start, label, [unstated], found, path)
            return
        api = self._api(name_of_api, version)
        if api is None:
            return
        name = self._bind_name(source.structure, start)
        if name:
            bindings.bind(name, start, _Binding(api, api.root))
        found.made.append((start, end, api, name))
        self._bind_resource(bindings, api, start, self._resolve(source, api, api.root, start, end, found, path,
                                                                name or label, "node"))

    def _node_indexed_client(self, source: LexedSource, start: int, bracket: int, bindings: _Bindings,
                             found: FileCalls, path: str) -> None:
        """``google['gmail']({...})``, or a key a ``const`` gives a word: the client of the API
        it names; ``google[api](...)``, whose API the code computes: reported as unresolved."""
        after = closing_bracket(source, bracket)
        opening = _OPENING_NEXT.match(source.structure, after)
        if opening is None:
            return  # not called: `google[name]` kept or passed on
        name_of_api, unstated = _script_word(source, bracket + 1, after - 1)
        shown = _shown_argument(source.code, bracket + 1, after - 1)
        if name_of_api is not None:
            self._node_client(source, start, opening.end() - 1, name_of_api, bindings, found, path,
                              f"google[{shown}](...)")
        elif unstated is not None:
            _not_followed(source, start, f"google[{shown}](...)", [unstated], found, path)

    @staticmethod
    def _bind_resource(bindings: _Bindings, api: Api, at: int, resolved: tuple[str, ResourceNode] | None) -> None:
        """A name given a resource of the client made in the same expression at ``at``
        (``events = google.calendar(...).events``) is bound to that resource, not the client."""
        if resolved is not None:
            bindings.bind(resolved[0], at, _Binding(api, resolved[1]))

    def _java_clients(self, source: LexedSource, bindings: _Bindings, kotlin: bool) -> None:
        """Clients made with a builder, and names declared with a client's type: Java's
        ``Gmail service``, Kotlin's ``service: Gmail`` (not ``Gmail.Users``, a resource)."""
        if "com.google.api.services" not in source.code:
            return
        for match in _JAVA_BUILDER.finditer(source.structure):
            known = JAVA_CLASSES.get(match.group(1))
            name = self._bind_name(source.structure, match.start())
            if known and name:
                api = self._api(*known)
                if api is not None:
                    bindings.bind(name, match.start(), _Binding(api, api.root))
        classes = _JAVA_CLASS_NAMES
        if kotlin:
            typed = re.compile(r"(?<![\w$.])(" + IDENT + r")\s*:\s*(?:[\w.]+\.)?(" + classes + r")(?![\w$.])")
            name_group, class_group = 1, 2
        else:
            typed = re.compile(r"(?<![\w$.])(?:[\w.]+\.)?(" + classes + r")\s+(" + IDENT + r")\s*[,);=]")
            name_group, class_group = 2, 1
        for match in typed.finditer(source.structure):
            api = self._api(*JAVA_CLASSES[match.group(class_group)])
            if api is not None:
                bindings.bind(match.group(name_group), match.start(), _Binding(api, api.root))

    def _cloud_clients(self, source: LexedSource, language: str, bindings: _Bindings, found: FileCalls,
                       path: str) -> None:
        """Clients of Google's Cloud client libraries for Workspace APIs, in a file that
        imports one: made (``chat_v1.ChatServiceClient(...)``, ``new ChatServiceClient(...)``,
        ``ChatServiceClient.create()``) and bound like a constructor's, or declared with the
        client's type (Java's ``ChatServiceClient client``, TypeScript's ``client:
        ChatServiceClient``)."""
        code, structure = source.code, source.structure
        # The module a file imports the library from (Python: its last part, `chat_v1`, as
        # `from google.apps import chat_v1` writes it).
        clients = {name: api for name, (api, packages) in self._cloud_classes().items()
                   if name in code and language in packages
                   and (packages[language].rpartition(".")[2] if language == "python" else packages[language]) in code}
        if not clients:
            return
        names = "|".join(sorted(clients))
        made, typed = _CLOUD_MADE[language], _CLOUD_TYPED.get(language)
        style = _STYLES[language]
        for match in re.finditer(made.format(names=names), structure):
            api = clients[match.group(1)]
            start = _package_read_on(source, match.start()) if language == "python" else match.start()
            end = closing_bracket(source, structure.find("(", match.end(1)))
            name = self._bind_name(structure, start)
            if name:
                bindings.bind(name, start, _Binding(api, api.root))
            found.made.append((start, end, api, name))
            self._resolve(source, api, api.root, start, end, found, path, name or match.group(1), style)
        if typed is not None:
            for match in re.finditer(typed.format(names=names), structure):
                api = clients[match.group("client")]
                bindings.bind(match.group("name"), match.start(), _Binding(api, api.root))

    def _class_fields(self, source: LexedSource, path: str, modules: ModuleTable, bindings: _Bindings,
                      found: FileCalls, language: str) -> None:
        """The fields each Java, Kotlin or C# class of the file declares with a client's
        type, filed with the file's factories (``BaseTest.service``); and those a class
        inherits from the class it extends, of the file or of another (found by its name,
        which is its file's: in the file's folder, its package, first): bound in its body,
        where its methods read them (``service.users()``, ``this.service.users()``)."""
        structure = source.structure
        if "class" not in structure:
            return
        sites = list(bindings.clients())
        places = brace_classes(structure, [at for _, at, _ in sites])
        own: dict[str, dict[str, set[tuple[str, str]]]] = {}
        for name, at, binding in sites:
            place = places.get(at)
            if place is not None and place[1]:  # directly in the class's body: a field
                own.setdefault(place[0], {}).setdefault(name, set()).add((binding.api.name, binding.api.version))
        fields = {cls: {name: next(iter(apis)) for name, apis in named.items() if len(apis) == 1}
                  for cls, named in own.items()}
        classes_of = self._by_module(modules)[1] if modules else {}
        folder = module_path(path).rpartition("/")[0]
        for match in (_JAVA_SUBCLASS if language == "java" else _COLON_SUBCLASS).finditer(structure):
            name, base = match.group(1), re.sub(r"\s+", "", match.group(2)).rsplit(".", 1)[-1]
            inherited = fields.get(base) if base != name else None
            if inherited is None:
                # Of the same package (several `BaseTest`s in a tree), else the only one so named.
                module = classes_of.get(f"{folder}/{base}" if folder else base) or classes_of.get(base, {})
                inherited = module.get(base, {})
            body = structure.find("{", match.end(), match.end() + 300)
            mine = fields.setdefault(name, {})
            for attribute, api_of in sorted(inherited.items())[:_MAX_INHERITED]:
                api = self._api(*api_of)
                if attribute not in mine and api is not None and body >= 0:
                    mine[attribute] = api_of
                    bindings.bind(attribute, body, _Binding(api, api.root))
        found.factories += sorted(ClientFactory(FAMILIES[language], f"{cls}.{name}", *api_of, "attribute")
                                  for cls, named in fields.items() for name, api_of in named.items())

    def _dotnet_clients(self, source: LexedSource, bindings: _Bindings, found: FileCalls, path: str
                        ) -> dict[str, Api]:
        """Clients of the .NET client libraries: made with ``new DriveService(...)`` (bound to
        the name it is given, a chain on it resolved) or declared with the class as their
        type (a field, a parameter: ``DriveService service``). Returns each client class the
        file's ``using`` directives (or names written in full) give with its API. The class
        is the API's canonical name and ``Service`` (``Google.Apis.Drive.v3.DriveService``,
        ``Google.Apis.Admin.Directory.directory_v1.DirectoryService``), the version the
        namespace's last word; a class given two versions is left out."""
        if "Google.Apis." not in source.code:
            return {}
        given: dict[str, set[tuple[str, str]]] = {}
        for match in _DOTNET_NAMESPACE.finditer(source.structure):
            canonical = match.group(1).rstrip(".").rsplit(".", 1)[-1]
            name = (JAVA_CLASSES.get(canonical) or (canonical.lower(), None))[0]
            given.setdefault(canonical + "Service", set()).add((name, match.group(2)))
        classes: dict[str, Api] = {}
        for class_name, apis in given.items():
            api = self._api(*next(iter(apis))) if len(apis) == 1 else None
            if api is not None:
                classes[class_name] = api
        if not classes:
            return classes
        names = "|".join(sorted(classes))
        structure = source.structure
        for match in re.finditer(r"(?<![\w$.])new\s+(?:[\w.]+\.)?(" + names + r")\s*\(", structure):
            self._factory_client(source, match.start(), closing_bracket(source, match.end() - 1),
                                 f"new {match.group(1)}", classes[match.group(1)], bindings, found, path, "dotnet")
        typed = r"(?<![\w$.])(?:[\w.]+\.)?(" + names + r")\??\s+(" + IDENT + r")\s*[,);={]"
        for match in re.finditer(typed, structure):
            api = classes[match.group(1)]
            bindings.bind(match.group(2), match.start(), _Binding(api, api.root))
        return classes

    def _go_clients(self, source: LexedSource, bindings: _Bindings) -> dict[str, Api]:
        """Clients made by a Go package's constructor, and names declared with its client's
        type; the API of each package the file imports, by the name the code gives it."""
        packages: dict[str, Api] = {}
        for match in _GO_IMPORT.finditer(source.code):
            alias, package, version = match.groups()
            if package.startswith("admin/"):
                # google.golang.org/api/admin/directory/v1 is package admin, API admin directory_v1.
                api = self._api("admin", f"{package.split('/', 1)[1]}_{version}")
                package_name = alias or "admin"
            else:
                api = self._api(package, version)
                package_name = alias or package
            if api is not None:
                packages[package_name] = api
        if not packages:
            return packages
        names = "|".join(sorted(packages))
        constructor = re.compile(r"(?<![\w$.])(" + names + r")\s*\.\s*New(?:Service)?\s*\(")
        for match in constructor.finditer(source.structure):
            name = self._bind_name(source.structure, match.start(), go=True)
            if name:
                api = packages[match.group(1)]
                bindings.bind(name, match.start(), _Binding(api, api.root))
        for match in _GO_TYPED.finditer(source.structure):
            if match.group(2) in packages:
                api = packages[match.group(2)]
                bindings.bind(match.group(1), match.start(), _Binding(api, api.root))
        return packages

    def _go_package_fields(self, source: LexedSource, path: str, modules: ModuleTable, bindings: _Bindings) -> None:
        """The names the other files of a Go file's package (its folder) declare with a
        client's type (``Slides *slides.Service`` in a struct, ``var srv *drive.Service``),
        bound from the file's start where the file does not bind them itself: read through
        any receiver (``getServices().Slides``, ``c.cal``)."""
        if not modules:
            return
        fields = self._by_module(modules)[2].get(module_path(path).rpartition("/")[0])
        if not fields:
            return
        # Only the fields the file names: a package of many files costs each its own length.
        for name in sorted(set(_WORD.findall(source.structure)) & fields.keys()):
            api = self._api(*fields[name])
            if api is not None and name not in bindings:
                bindings.bind(name, -1, _Binding(api, api.root))

    # ------------------------------------------------------------------ client factories

    def _factory_clients(self, source: LexedSource, language: str, family: str, packages: dict[str, Api],
                         others: FactoryTable, modules: ModuleTable,
                         imports_of: _Imported, bindings: _Bindings, found: FileCalls, path: str,
                         style: CallStyle) -> None:
        """The file's client factories (in ``found.factories``, with the clients it binds at
        its top level), and the clients made by calls of them or of ``others``' factories,
        or imported from ``modules`` (``imports_of``: see ``_imported``): bound like a
        constructor's."""
        own: dict[str, set[tuple[str, str]]] = {}
        # The API each of the file's own factory names was last followed as (the other
        # files' factories, never copied, are followed in the first round).
        applied: dict[str, tuple[str, str]] = {}
        properties: set[tuple[str, int]] = set()
        imported, whole_modules, _ = imports_of
        outside: Mapping[str, tuple[str, str]] = ChainMap(imported, others) if imported else others
        for round_number in range(_FACTORY_ROUNDS):
            for name, api, defined_at in self._defined_factories(source, language, packages, found):
                attribute = property_name(source.structure, language, name, defined_at) if defined_at >= 0 else None
                if attribute is None:
                    own.setdefault(name, set()).add(api)
                elif (attribute, defined_at) not in properties:
                    # A property's client is read, not called: `self.service.users()`.
                    properties.add((attribute, defined_at))
                    target = self._factory_target(api)
                    if target is not None:
                        bindings.bind(attribute, defined_at, _Binding(*target))
            # Two factories of different APIs in one file: no telling which (None).
            mine = {name: next(iter(apis)) if len(apis) == 1 else None for name, apis in own.items()}
            fresh: Mapping[str, tuple[str, str] | None]
            if round_number == 0:
                fresh = ChainMap(mine, outside)  # type: ignore[arg-type]
                if not mine and not outside:
                    break
            else:
                fresh = {name: api for name, api in mine.items()
                         if api is not None and applied.get(name, outside.get(name)) != api}
                if not fresh:
                    break
            applied.update((name, api) for name, api in mine.items() if api is not None)
            self._calls_of_factories(source, language, fresh, bindings, found, path, style,
                                     (modules, whole_modules) if round_number == 0 else None)
        found.factories = sorted(ClientFactory(family, name, *next(iter(apis)))
                                 for name, apis in own.items() if len(apis) == 1)
        if language in ("python", "javascript"):
            clients = list(bindings.clients())
            top = top_level(source.structure, [at for _, at, _ in clients], language == "python")
            found.factories += sorted({ClientFactory(family, name, binding.api.name, binding.api.version, "client")
                                       for name, at, binding in clients if at in top})

    @staticmethod
    def _wanted(source: LexedSource, path: str) -> list[str]:
        """The names the file imports (``from config import API_NAME as NAME``, ``import
        config``) whose value a client's API or version needed and no module of the scan
        has given yet, each by its module's name for it (``API_NAME``): only such a
        constant is worth another round of scanning."""
        values = source.python_values_used
        if values is None or not values.unknown:
            return []
        unknown = values.unknown
        names, whole = imports(source.code, True, path)
        by_local = {local: name for local, _, name, _ in names}
        wanted = set()
        for written in unknown:
            local, _, name = written.rpartition(".")
            if not local and name in by_local:
                wanted.add(by_local[name])
            elif local in whole:
                wanted.add(name)
        return sorted(wanted)

    def _python_constants(self, source: LexedSource) -> list[ClientFactory]:
        """The constants a Python module gives an API's name or version at its top level
        (``API_NAME = "gmail"``), which other modules may import."""
        code, structure = source.code, source.structure
        words = self._api_words
        if words is None:
            words = self._api_words = frozenset(word for api in self.table.apis for word in api)
        return sorted({ClientFactory("python", match.group(1), match.group(3), "", "constant")
                       for match in _PY_CONSTANT.finditer(code)
                       if match.group(3) in words and structure[match.start()] == code[match.start()]
                       and not follows(structure, match.start(), "([{,")})

    def _imported(self, source: LexedSource, language: str, modules: ModuleTable, bindings: _Bindings, path: str
                  ) -> _Imported:
        """What the file imports from the modules of ``modules``: a client is bound to the
        name the file gives it; a factory is returned (by that name), with the modules the
        file names as a whole (for ``clients.get_service()``) and the classes whose
        instances hold clients (by the name the file calls them by: ``Gmail``,
        ``clients.Gmail``); a constant is given to the file's named values
        (``config.API_NAME`` for a module named as a whole)."""
        if not modules or language not in ("python", "javascript"):
            return {}, {}, {}
        names, whole = imports(source.code, language == "python", path)
        clients_of, classes_of, _ = self._by_module(modules)
        classes: ClassAttributes = {}
        # A module's clients, constants and classes read on the module (`clients.service`)
        # where the file names it as a whole.
        for local, module in sorted(whole.items()):
            names += [(f"{local}.{name}", module, name, 0) for name in clients_of.get(module, ())]
            classes.update((f"{local}.{name}", attributes) for name, attributes in classes_of.get(module, {}).items())
        factories: dict[str, tuple[str, str]] = {}
        for local, module, name, at in names:
            entry = modules.get((module, name))
            if entry is None:
                attributes = classes_of.get(module, {}).get(name)
                if attributes:
                    classes[local] = attributes
                continue
            if entry[2] == "function":
                factories[local] = entry[:2]
                continue
            if entry[2] == "constant":
                source.python_values.imported[local] = entry[0]
                continue
            api = self._api(*entry[:2])
            if api is not None:
                bindings.bind(local, at, _Binding(api, api.root))
        return factories, whole, classes

    def _by_module(self, modules: ModuleTable
                   ) -> tuple[dict[str, list[str]], dict[str, ClassAttributes], dict[str, dict[str, tuple[str, str]]]]:
        """The names of the clients and constants of each module of ``modules``, the
        attributes its classes bind to clients (module -> class -> attribute -> (API,
        version)), and the Go fields of each folder (folder -> name -> (API, version)), worked
        out once for each table (the table is the same for every file of a round)."""
        if self._clients_of[0] is not modules:
            clients_of: dict[str, list[str]] = {}
            classes_of: dict[str, ClassAttributes] = {}
            fields_of: dict[str, dict[str, tuple[str, str]]] = {}
            for (module, name), entry in modules.items():
                if entry[2] in ("client", "constant"):
                    clients_of.setdefault(module, []).append(name)
                elif entry[2] == "attribute":
                    class_name, _, attribute = name.partition(".")
                    classes_of.setdefault(module, {}).setdefault(class_name, {})[attribute] = entry[:2]
                elif entry[2] == "field":
                    fields_of.setdefault(module, {})[name] = entry[:2]
            self._clients_of = (modules, clients_of, classes_of, fields_of)
        return self._clients_of[1], self._clients_of[2], self._clients_of[3]

    def _classes(self, source: LexedSource, language: str, imported: ClassAttributes, bindings: _Bindings,
                 found: FileCalls) -> None:
        """The clients a class binds to its instances' attributes (``self.service =
        build(...)`` in a method of ``Gmail``; ``this.gmail = google.gmail(...)``, or a
        JavaScript class's field), filed with the file's factories; and, for them and the
        classes the file imports, the instances the file makes (``mail = Gmail(creds)``,
        ``const mail = new Gmail(auth)``): ``mail.service`` is bound to the client."""
        family = FAMILIES[language]
        mine = self._class_attributes(source, language, bindings)
        if mine or imported:
            mine = self._inherited(source, language, mine, imported, bindings)
        found.factories += sorted(ClientFactory(family, f"{name}.{attribute}", *api, "attribute")
                                  for name, attributes in mine.items() for attribute, api in attributes.items())
        known = ChainMap(mine, imported)  # a class of the file's own before an imported one
        if not any(known.values()):
            return
        for match in (_PY_INSTANCE if language == "python" else _JS_INSTANCE).finditer(source.structure):
            attributes = known.get(re.sub(r"\s+", "", match.group(2)))
            if not attributes:
                continue
            holder = re.sub(r"\s+", "", match.group(1))  # `mail`, `self.mail`
            for attribute, api_of in sorted(attributes.items()):
                api = self._api(*api_of)
                if api is not None:
                    bindings.bind(f"{holder}.{attribute}", match.start(2), _Binding(api, api.root))

    @staticmethod
    def _class_attributes(source: LexedSource, language: str, bindings: _Bindings) -> ClassAttributes:
        """The attributes each class of the file binds to a client, and its (API, version);
        an attribute given clients of two APIs is left out (no telling which an instance
        holds)."""
        python = language == "python"
        # `self.service = ...`, `this.gmail = ...` (True); a name bound directly in a
        # JavaScript class's body is a field (False), elsewhere a variable.
        if not python and "class" not in source.code:
            return {}
        sites = [(*site, True) for site in bindings.attributes("self" if python else "this")]
        if not python:
            sites += [(*site, False) for site in bindings.clients()]
        if not sites:
            return {}
        offsets = [at for _, at, _, _ in sites]
        if python:
            classes = {at: (found[0], False) if found else None
                       for at, found in python_functions(source.structure, offsets, PY_CLASS).items()}
        else:
            classes = brace_classes(source.structure, offsets)
        own: dict[str, dict[str, set[tuple[str, str]]]] = {}
        for attribute, at, binding, on_instance in sites:
            place = classes[at]
            if place is not None and (on_instance or place[1]):
                own.setdefault(place[0], {}).setdefault(attribute, set()).add((binding.api.name, binding.api.version))
        return {name: {attribute: next(iter(apis)) for attribute, apis in attributes.items() if len(apis) == 1}
                for name, attributes in own.items()}

    @staticmethod
    def _python_definitions(source: LexedSource) -> dict[str, tuple[int, list[Parameter]]]:
        """The file's Python functions by name, each with where its ``def`` line starts (where
        its parameters are bound) and its parameters; a class's name stands for its
        ``__init__``. A function the file defines twice is left out."""
        structure = source.structure
        if "def" not in source.code:
            return {}
        definitions: dict[str, list[int]] = {}
        for match in _PY_DEFINITION.finditer(structure):
            definitions.setdefault(match.group(1), []).append(match.start())
        constructors = definitions.get("__init__", [])
        for at, place in python_functions(structure, constructors, PY_CLASS).items():
            if place is not None and place[0] not in definitions:
                definitions.setdefault(place[0], []).append(at)  # `Writer(...)` fills `__init__`'s
        values = source.python_values
        return {name: (found_at[0], list(values.parameters_of(found_at[0]).values()))
                for name, found_at in definitions.items() if len(found_at) == 1}

    @staticmethod
    def _script_definitions(source: LexedSource) -> dict[str, tuple[int, list[Parameter]]]:
        """:meth:`_python_definitions` in JavaScript and TypeScript: each function's body's
        brace (where its parameters are bound) and its parameters by position; a class's name
        stands for its ``constructor``."""
        from auditor.scan.named_values import Parameter

        structure = source.structure
        definitions: dict[str, list[tuple[int, list[Parameter]]]] = {}
        constructors: list[tuple[int, list[Parameter]]] = []
        for match in _JS_DEFINITION.finditer(structure):
            name = match.group(1) or match.group(2) or match.group(3)
            if name in _NOT_FUNCTIONS:
                continue
            opening = match.end() - 1
            end = closing_bracket(source, opening)
            body = _JS_BEFORE_BODY.match(structure, end)
            if body is None:
                continue
            parameters = []
            for position, (start, stop) in enumerate(source.keyword_index.items_in(opening, end)):
                written = _JS_PARAMETER.match(source.code, start, stop)
                if written:
                    parameters.append(Parameter(position, written.group(1)))
            found = (body.end() - 1, parameters)
            (constructors if name == "constructor" else definitions.setdefault(name, [])).append(found)
        for at, place in brace_classes(structure, [at for at, _ in constructors]).items():
            if place is not None and place[0] not in definitions:
                definitions[place[0]] = [found for found in constructors if found[0] == at]  # `new Writer(...)`
        return {name: found_at[0] for name, found_at in definitions.items() if len(found_at) == 1}

    def _clients_passed(self, source: LexedSource, bindings: _Bindings, found: FileCalls,
                        definitions: dict[str, tuple[int, list[Parameter]]], python: bool) -> None:
        """A client the file passes to one of its ``definitions`` (``copy_template(drive)``,
        ``Writer(slides)`` or ``new Writer(slides)`` for its constructor) is bound to the
        parameter that receives it (by position or keyword, as the call fills parameters),
        in that function; a parameter given clients of two APIs is left out. In rounds, for
        a client passed on again."""
        if not definitions:
            return
        structure = source.structure
        made = {start: api for start, _, api, _ in found.made}
        bound: set[tuple[int, str]] = set()
        for _ in range(_PASSING_ROUNDS):
            given: dict[tuple[int, str], list[_Binding]] = {}
            for match in ANY_CALL.finditer(structure):
                definition = definitions.get(match.group(1))
                qualifier = re.sub(r"\s+", "", structure[match.start():match.start(1)])
                if definition is None or qualifier not in ("", "self.", "cls.", "this."):
                    continue
                opening = match.end() - 1
                end = closing_bracket(source, opening)
                if is_definition(structure, match.start(1), end):
                    continue
                defined_at, parameters = definition
                for parameter, argument in zip(parameters, _arguments(source, opening, end, parameters, python)):
                    if isinstance(argument, tuple) and (defined_at, parameter.name) not in bound:
                        binding = self._passed(argument, bindings, made)
                        if binding is not None:
                            given.setdefault((defined_at, parameter.name), []).append(binding)
            fresh = {key: found_at[0] for key, found_at in given.items()
                     if len({(binding.api, id(binding.node)) for binding in found_at}) == 1}
            if not fresh:
                return
            for (defined_at, name), binding in fresh.items():
                bindings.bind(name, defined_at, binding)
                bound.add((defined_at, name))

    @staticmethod
    def _passed(argument: tuple[str, int], bindings: _Bindings, made: dict[int, Api]) -> _Binding | None:
        """The client (or resource) an argument passes: a bound name, or a client made there."""
        text, at = argument
        written = text.strip()
        at += len(text) - len(text.lstrip())
        api = made.get(at)
        if api is not None:
            return _Binding(api, api.root)
        if _PASSED_NAME.fullmatch(written):
            name = re.sub(r"\s+", "", written)
            if name in bindings:
                return bindings.at(name, at, None, {})
        return None

    def _inherited(self, source: LexedSource, language: str, own: ClassAttributes, imported: ClassAttributes,
                   bindings: _Bindings) -> ClassAttributes:
        """``own`` with what each class of the file inherits from the classes it extends, of
        the file or imported (``class Sync(GoogleBase)``, ``class Mail extends
        clients.Base``): their attributes, which the class's own take the place of; an
        attribute two of them give clients of different APIs is left out. Down a line of the
        file's classes, a class inherits what the classes above it inherit. In the body of
        such a class, an inherited attribute (``self.service`` of a base in another module)
        is bound where the class starts, for its methods to read."""
        python = language == "python"
        if "class" not in source.code:
            return own
        structure = source.structure
        resolved: ClassAttributes = dict(own)
        inherited_at: list[tuple[int, dict[str, tuple[str, str]]]] = []
        for match in (_PY_SUBCLASS if python else _JS_SUBCLASS).finditer(structure):
            name = match.group(1)
            if python:
                bases = [found.group(1) for item in match.group(2).split(",") if (found := _PY_BASE.match(item))]
            else:
                bases = [match.group(2)]
            given: dict[str, set[tuple[str, str]]] = {}
            for base in bases:
                base = re.sub(r"\s+", "", base)
                # `from clients import Gmail` then `class Gmail(Gmail)`: the imported one.
                attributes = (resolved.get(base) if base != name else None) or imported.get(base) or {}
                for attribute, api in islice(attributes.items(), _MAX_INHERITED):
                    given.setdefault(attribute, set()).add(api)
            inherited = {attribute: next(iter(apis)) for attribute, apis in given.items()
                         if len(apis) == 1 and attribute not in own.get(name, {})}
            if inherited:
                resolved[name] = {**resolved.get(name, {}), **inherited}
                # Where the class starts: its name in Python, its body's brace in JavaScript.
                at = match.start(1) if python else structure.find("{", match.end(), match.end() + 300)
                if at >= 0:
                    inherited_at.append((at, inherited))
        owner = "self." if python else "this."
        for at, inherited in inherited_at:
            for attribute, api_of in sorted(inherited.items()):
                api = self._api(*api_of)
                if api is not None:
                    bindings.bind(owner + attribute, at, _Binding(api, api.root))
        return resolved

    def _defined_factories(self, source: LexedSource, language: str, packages: dict[str, Api],
                           found: FileCalls) -> Iterator[tuple[str, tuple[str, str], int]]:
        """Each function of the file that returns a client: its name, (API, version) and
        where it is defined (its ``def`` line or its body's brace; -1 when not looked for)."""
        structure = source.structure
        if language == "go":
            for match in GO_FACTORY.finditer(structure):
                api = packages.get(match.group(2))
                if api is not None:
                    yield match.group(1), (api.name, api.version), -1
            return
        if language == "csharp":
            if packages:
                for match in dotnet_factory("|".join(sorted(packages))).finditer(structure):
                    yield match.group(2), (packages[match.group(1)].name, packages[match.group(1)].version), -1
            return
        if language in ("java", "kotlin"):
            if "com.google.api.services" not in source.code:
                return
            classes = _JAVA_CLASS_NAMES
            kotlin = language == "kotlin"
            for match in (kotlin_factory(classes) if kotlin else java_factory(classes)).finditer(structure):
                if not (kotlin or starts_a_word(structure, match.start())):
                    continue
                name, class_name = (match.group(1), match.group(2)) if kotlin else (match.group(2), match.group(1))
                api = self._api(*JAVA_CLASSES[class_name])
                if api is not None:
                    yield name, (api.name, api.version), -1
            return
        yield from self._returned_clients(source, language == "python", found)

    @staticmethod
    def _returned_clients(source: LexedSource, python: bool, found: FileCalls
                          ) -> Iterator[tuple[str, tuple[str, str], int]]:
        """:meth:`_defined_factories` in Python and JavaScript: a client returned where it is
        made, or made under a name the same function returns; and several such clients
        returned at once (see :func:`~auditor.scan.factories.grouped`)."""
        structure = source.structure
        returned: list[tuple[int, tuple[str, str]]] = []
        named: dict[str, list[tuple[int, tuple[str, str]]]] = {}
        made = [(start, end, (api.name, api.version), name) for start, end, api, name in found.made]
        clients = {start: api for start, _, api, _ in found.made}
        for start, end, api, name in made + found.parametric:
            head = structure[max(0, start - 300):start]
            client = clients.get(start)
            if RETURNED.search(head):
                # The client itself, or a resource taken from it; not a call on it.
                taken = _taken(source, client, end, python, ENDS_RETURN)
                if taken is not None:
                    returned.append((start, _with_resource(api, taken)))
                continue
            body_of, marker = (LAMBDA_BODY, "lambda") if python else (ARROW_BODY, "=>")
            body = body_of.search(head) if marker in head else None
            taken = _taken(source, client, end, python, ENDS_BODY if body else None)
            if taken is None:
                continue
            if body:
                yield body.group(1), _with_resource(api, taken), -1
            elif name and "." not in name:
                named.setdefault(name, []).append((start, _with_resource(api, taken)))
        returns = [(match.start(), match.group(1), match.end()) for match in RETURNED_NAME.finditer(structure)
                   if match.group(1) in named] if named else []
        groups = [match.end() for match in RETURNED_GROUP.finditer(structure)] if made else []
        if not returned and not returns and not groups:
            return
        offsets = [start for start, _ in returned] + [start for start, _, _ in returns] + groups
        offsets += [start for sites in named.values() for start, _ in sites]
        functions = (python_functions if python else brace_functions)(structure, offsets)
        for start, api in returned:
            function = functions[start]
            if function is not None:
                yield function[0], api, function[1]
        for start, name, end in returns:
            function = functions[start]
            if function is None:
                continue
            for made_at, api in named[name]:
                if functions[made_at] == function:
                    # The name's client, or a resource of it (`return service.users()`).
                    taken = _taken(source, clients.get(made_at), end, python, ENDS_RETURN)
                    if taken == "" or (taken and "/" not in api[1]):
                        yield function[0], _with_resource(api, taken), function[1]
                    break
        if groups:
            yield from _returned_groups(source, python, groups, functions, made, named)

    def _calls_of_factories(self, source: LexedSource, language: str, factories: Mapping[str, tuple[str, str] | None],
                            bindings: _Bindings, found: FileCalls, path: str, style: CallStyle,
                            modules: tuple[ModuleTable, dict[str, str]] | None = None) -> None:
        """Each call of one of ``factories`` makes a client: bound to the name it is given,
        and any chain on the call itself resolved. A segment of a chain on a bound client
        (``service.users()``) is no call of a factory that shares its name. With
        ``modules`` (the modules' table and the modules the file names as a whole), a call
        on a module (``clients.get_service()``) is one of that module's factory."""
        structure = source.structure
        parametric: list[tuple[int, int, str, tuple[str, str]]] = []
        for match in ANY_CALL.finditer(structure):
            name = match.group(1)
            qualifier = structure[match.start():match.start(1)]
            api_of = None
            if qualifier and modules is not None:
                written = re.sub(r"\s+", "", qualifier).rstrip(".")
                module = written.rsplit(".", 1)[-1]
                # `clients.get_service()`; `app.clients.get_service()` after `import app.clients`.
                entry = modules[0].get((modules[1].get(written) or modules[1].get(module, module), name))
                api_of = entry[:2] if entry is not None and entry[2] == "function" else None
            if api_of is None:
                api_of = factories.get(name)
            if api_of is None:
                continue
            if not called_here(qualifier, name) or (qualifier and _on_bound_client(qualifier, bindings)):
                continue
            opening = match.end() - 1
            end = closing_bracket(source, opening)
            if is_definition(structure, match.start(1), end):
                continue
            if api_of[0].startswith("(") or api_of[1].startswith("("):
                parametric.append((match.start(), end, name, api_of))
                continue
            group = group_of(api_of)
            if group is not None:
                self._grouped_client(source, match.start(), end, group, bindings, found, style)
                continue
            target = self._factory_target(api_of)
            if target is not None:
                self._factory_client(source, match.start(), end, name, target[0], bindings, found, path, style,
                                     target[1])
        self._factories_on_new_objects(source, factories, bindings, found, path, style)
        if parametric and language == "python":
            from auditor.scan.named_values import parameter_in

            for (start, end, name, given), api_of in zip(parametric, _filled_in(source, parametric)):
                if None in api_of:
                    unknown = [parameter_in(text).name for text, value in zip(given, api_of)  # type: ignore[union-attr]
                               if value is None]
                    _not_followed(source, start, f"{name}(...)", unknown, found, path)
                    continue
                api = self._api(*api_of)  # type: ignore[arg-type]
                if api is not None:
                    self._factory_client(source, start, end, name, api, bindings, found, path, style)

    def _factories_on_new_objects(self, source: LexedSource, factories: Mapping[str, tuple[str, str] | None],
                                  bindings: _Bindings, found: FileCalls, path: str, style: CallStyle) -> None:
        """A factory method called on the object a class makes in the same expression:
        ``Auth().get_service()``, ``new GmailFactory(auth).getGmail()`` (a class's name
        begins with a capital letter). A name too common to be a factory's is not taken for
        one here either, nor a segment of a chain on what a factory of a capitalised name
        makes (``Create_Service(...).users()``)."""
        structure = source.structure
        for match in _NEW_OBJECT.finditer(structure):
            if match.group(1) in factories:
                continue
            end = closing_bracket(source, match.end() - 1)
            method = _CHAINED_CALL.match(structure, end)
            if method is None or method.group(1) in GENERIC_NAMES:
                continue
            api_of = factories.get(method.group(1))
            if api_of is None or api_of[0].startswith(("(", "{")) or api_of[1].startswith("("):
                continue  # (a parametric factory's arguments are read after its own name)
            target = self._factory_target(api_of)
            if target is not None:
                self._factory_client(source, match.start(), closing_bracket(source, method.end() - 1),
                                     method.group(1), target[0], bindings, found, path, style, target[1])

    def _grouped_client(self, source: LexedSource, start: int, end: int, group: dict[str, tuple[str, str]],
                        bindings: _Bindings, found: FileCalls, style: CallStyle) -> None:
        """The clients the call at ``start`` of a factory that returns several makes, each
        bound to the name the code unpacks it to: by position (``drive, sheets =``, ``const
        [drive, sheets] =``) or by key (``const {drive, sheets: s} =``); given to one name
        (``const clients =``), each client of an object is bound to that name's key
        (``clients.drive``)."""
        structure = source.structure
        head = structure[max(0, start - 300):start]
        targets: list[tuple[str, str]] = []
        if style == "python":
            unpacked = _PY_UNPACKED.search(head)
            if unpacked:
                targets = [(str(position), re.sub(r"\s+", "", name))
                           for position, name in enumerate(unpacked.group(1).split(","))]
        elif style == "node":
            unpacked = _JS_UNPACKED.search(head)
            if unpacked and unpacked.group(1) is not None:
                targets = [(str(position), name.strip()) for position, name in enumerate(unpacked.group(1).split(","))
                           if name.strip()]
            elif unpacked:
                entries = [_ENTRY.fullmatch(item) for item in unpacked.group(2).split(",")]
                targets = [(entry.group(1), entry.group(2) or entry.group(1)) for entry in entries if entry]
        if not targets:
            bound = self._bind_name(structure, start)
            if bound:
                targets = [(key, f"{bound}.{key}") for key in group if not key.isdigit()]
        for key, name in targets:
            api = self._api(*group[key]) if key in group and name != "_" else None  # `_`: a value set aside
            if api is not None:
                bindings.bind(name, start, _Binding(api, api.root))
                found.made.append((start, end, api, name))

    def _factory_client(self, source: LexedSource, start: int, end: int, name: str, api: Api, bindings: _Bindings,
                        found: FileCalls, path: str, style: CallStyle, node: ResourceNode | None = None) -> None:
        """The client of ``api`` the call of the factory ``name`` at ``start`` makes (or its
        resource ``node``, for a factory that returns one), or a C# constructor's (``new
        DriveService``): bound to the name it is given, and any chain on the call itself
        resolved."""
        node = node or api.root
        bound = self._bind_name(source.structure, start, go=style == "go")
        if bound:
            bindings.bind(bound, start, _Binding(api, node))
        if node is api.root:  # (a resource is no client to pass on or return)
            found.made.append((start, end, api, bound))
        self._bind_resource(bindings, api, start, self._resolve(
            source, api, node, start, end, found, path, bound or f"{name}(...)", style))

    def _factory_target(self, api_of: tuple[str, str]) -> tuple[Api, ResourceNode] | None:
        """The client, and the resource of it, a factory's entry names (see ``_with_resource``)."""
        version, _, keys = api_of[1].partition("/")
        api = self._api(api_of[0], version)
        if api is None:
            return None
        node = api.root
        for key in keys.split("/") if keys else ():
            node = node.resources.get(key)  # type: ignore[assignment]
            if node is None:
                return None
        return api, node

    # ------------------------------------------------------------------ chains

    def _follow_bindings(self, source: LexedSource, structure: str, bindings: _Bindings,
                         found: FileCalls, path: str, style: CallStyle) -> None:
        """Resolve the chain after each use of a bound name, in rounds: a resource bound in
        one round (``msgs = service.users().messages()``) is followed in the next. Each round
        is one pass over the file's words, whatever the number of names."""
        done: set[str] = set()
        enclosing = _ENCLOSING.get(style)
        for _ in range(3):  # a resource bound from a resource bound from a client
            # The names waiting to be followed, by their last word, then by what comes
            # before it: nothing (or `self`, `this`), else a module (`clients.service`).
            pending: dict[str, dict[str, list[str]]] = {}
            for name in bindings.names():
                if name not in done:
                    done.add(name)
                    head, _, last = name.rpartition(".")
                    pending.setdefault(last, {}).setdefault("" if head in ("this", "self") else head, []).append(name)
            if not pending:
                return
            uses = []
            for match in _WORD.finditer(structure):
                by_head = pending.get(match.group())
                if by_head is not None:
                    owned = self._owner_start(structure, match.start(), style)
                    if owned is not None:
                        owner = owned[1]
                        if owner is not None and "." in owner.removeprefix("self.").removeprefix("this.") \
                                and owner not in by_head:
                            continue  # another object's field (`a.b.service`), not a module's
                        names = by_head.get("", []) if owner in (None, "this", "self") or style == "go" else []
                        if len(names) > 1 and owner in (None, "this", "self"):
                            # `this.slides` reads the attribute, `slides` the name, where both are bound.
                            names = [name for name in names if (owner is None) != ("." in name)] or names
                        if owner is not None and owner in by_head:
                            names = names + by_head[owner]
                        if names:
                            uses.append((owned[0], match.end(), names))
            # The function of each use and binding, when a name used here has several.
            shared = bindings.shared(name for by_head in pending.values() for names in by_head.values()
                                     for name in names)
            functions = classes = None
            grouped: dict[str, dict[object, list[tuple[int, _Binding]]]] = {}
            if shared and enclosing is not None:
                offsets = [offset for name in shared for offset in bindings.offsets(name)]
                used_at = [root_start for root_start, _, _ in uses]
                functions = enclosing(structure, offsets + used_at)
                attributes = [name for name in shared if name.startswith(_INSTANCE_OWNERS)]
                if attributes:
                    classes = _ENCLOSING_CLASS[style](structure, [offset for name in attributes
                                                                  for offset in bindings.offsets(name)] + used_at)
                grouped = bindings.by_function(shared, functions, classes)
            made: list[tuple[str, int, _Binding]] = []
            for root_start, end, names in uses:
                for name in names:
                    binding = bindings.at(name, root_start, functions, grouped, classes)
                    resolved = self._resolve(source, binding.api, binding.node, root_start, end, found, path, name,
                                             style, use=True)
                    if resolved is not None and resolved[0] not in done:
                        made.append((resolved[0], root_start, _Binding(binding.api, resolved[1])))
            for name, at, binding in made:
                bindings.bind(name, at, binding)

    @staticmethod
    def _owner_start(structure: str, start: int, style: CallStyle) -> tuple[int, str | None] | None:
        """Where the use of a bound name at ``start`` begins, and the object before it: the
        name itself (no object), or the object that keeps the client (``this.gmail``,
        ``self.service``, a module's ``clients.service``, an instance of a class
        ``mail.service`` or ``self.mail.service``; in Go, a struct's field read through any
        receiver, ``m.svc`` of ``svc *gmail.Service``, also a call's result,
        ``getServices().Slides``; a module named by its dotted path, ``app.clients.service``).
        ``None`` after a call's or an item's result (but in Go), or past 120 characters of
        objects."""
        before = start - 1
        while before >= 0 and structure[before] in " \t\r\n":
            before -= 1
        if before < 0 or structure[before] != ".":
            return start, None
        objects = _objects_before(structure, before)
        if objects is None and style == "go":
            return start, ""  # a Go field read on any receiver: a call's result too (`getServices().Slides`)
        return objects

    def _call_parameters(self, source: LexedSource, method: ApiMethod, twin: bool,
                         segments: list[tuple[str, int, tuple[int, int] | None]], root_start: int, style: CallStyle
                         ) -> tuple[dict[str, str | None], str]:
        """The parameters a call of ``method`` states (in its brackets, by setters after it, by
        the statements after a request kept in a name), ``alt=media`` when it downloads, and
        what may pass others out of sight (see :class:`ApiCall`). ``segments`` are the
        method's and those after it in the chain."""
        arguments, after = segments[0][2], segments[1:]
        # Apps Script passes the path's parameters (and a request body) in order first.
        positional = method.paths[0].count("{") if method.paths else 0
        positional += 1 if method.verb in _BODY_VERBS else 0
        stated, unseen = stated_arguments(source, arguments, style, positional)
        parameters = dict(stated)
        if style != "dotnet":  # (a .NET request's parameters are properties, set apart)
            for key_name, value in setter_parameters(source, after).items():
                parameters.setdefault(key_name, value)
        downloaded = twin or any(part[0] in MEDIA_DOWNLOADS for part in after)
        if style in ("java", "go", "dotnet") and _set_up_apart(after, style):
            kept = self._kept_request(source, root_start, segments, style)
            if kept is None:
                unseen = unseen or UNSEEN["request"]
            else:
                for key_name, value in kept[0].items():
                    parameters.setdefault(key_name, value)
                downloaded = downloaded or kept[1]
        if method.media_download and downloaded:
            parameters["alt"] = "media"
        return parameters, unseen

    def _kept_request(self, source: LexedSource, root_start: int,
                      segments: list[tuple[str, int, tuple[int, int] | None]], style: CallStyle
                      ) -> tuple[dict[str, str | None], bool] | None:
        """What the statements after it give a request that a statement keeps in a name whole
        (``var request = service.Files.Get(id);``, ``call := srv.Users.Messages.List("me")``,
        setters in the chain too): see :func:`kept_request_parameters`. ``segments`` are the
        method's and those after it. ``None`` when the chain is not such a statement's whole
        value, a segment after the method is no setter (Kotlin's ``.apply { q = query }``),
        or the chain sends the request itself (Go's ``Do`` given call options)."""
        if any(arguments is None for _, _, arguments in segments) or any(sends(part[0]) for part in segments[1:]):
            return None
        end = segments[-1][2][1]
        if _STATEMENT_END.match(source.structure, end) is None:
            return None
        name = self._bind_name(source.structure, root_start, go=style == "go")
        if name is None or not re.fullmatch(IDENT, name):
            return None
        return kept_request_parameters(source, name, end, style)

    def _resolve(self, source: LexedSource, api: Api, node: ResourceNode, root_start: int, start: int,
                 found: FileCalls, path: str, root: str, style: CallStyle, use: bool = False
                 ) -> tuple[str, ResourceNode] | None:
        """Follow the chain at ``start``; record a call or an unresolved chain. ``style`` is how
        the client takes a method's parameters (see :func:`stated_arguments`).

        Returns ``(name, resource)`` when the chain ends on a resource and is assigned to a
        name (an intermediate binding), or when ``use`` (a use of a bound name, not the
        expression that makes a client) is given whole to a name; else ``None``.
        """
        structure = source.structure
        segments = call_chain(source, start)
        if not segments:
            # A bound name (``use``) given whole to another (`self._slides = slides`, `svc = service`).
            name = self._bind_name(structure, root_start) if use and _STATEMENT_END.match(structure, start) else None
            return (name, node) if name else None
        current = node
        written = [root]
        for index, (name, offset, arguments) in enumerate(segments):
            key = name.replace("_", "").lower()
            written.append(name + ("()" if arguments else ""))
            method, twin = self._method_called(api, current, name, key, arguments, style)
            if method is not None:
                parameters, unseen = self._call_parameters(source, method, twin, segments[index:], root_start, style)
                line, column = source.position(offset)
                found.calls.append(ApiCall(path, line, column, api.name, method.id, "client", method.scopes,
                                           tuple(sorted(parameters.items())), unseen))
                return None
            if key in current.resources:
                current = current.resources[key]
                continue
            if index == 0 or name in HELPER_SEGMENTS or name.endswith("_next"):
                return None  # not an API chain (service.close(), a pagination helper)
            if arguments is None and index == len(segments) - 1:
                return None  # a property, not a call
            from auditor.rules.i18n import Phrase

            line, column = source.position(segments[0][1])
            found.unresolved.append(UnresolvedCall(
                path, line, column, api.name, ".".join(written),
                Phrase("scan.reasons.no_method", api=api.name, version=api.version, name=repr(name))))
            return None
        # The chain ends on a resource: an intermediate binding when assigned.
        if current is not node:
            name = self._bind_name(structure, root_start)
            if name:
                return name, current
        return None

    def _method_called(self, api: Api, resource: ResourceNode, name: str, key: str,
                       arguments: tuple[int, int] | None, style: CallStyle) -> tuple[ApiMethod | None, bool]:
        """The method of ``resource`` a chain's segment ``name`` (``key`` normalised) calls,
        if any, and whether it is the Python client's twin of a method that can return the
        content itself (``files().get_media(...)``), which asks for the content. A client
        that renames a method whose name its language reserves is followed: Apps Script's
        ``remove`` for ``delete``; Java's and Kotlin's API name before the word
        (``classroomReturn``, ``calendarImport``)."""
        if arguments is None:
            return None, False
        method = resource.methods.get(key)
        if method is not None or key in resource.resources:
            return method, False
        if style == "python" and name.endswith(MEDIA_TWIN):
            twin = resource.methods.get(key.removesuffix(MEDIA_TWIN.replace("_", "")))
            if twin is not None and twin.media_download:
                return twin, True
        elif style == "apps_script" and name in self.apps_script.renamed:
            return resource.methods.get(self.apps_script.renamed[name]), False
        elif style == "java" and key.startswith(api.name) and len(key) > len(api.name):
            return resource.methods.get(key[len(api.name):]), False
        return None, False

    # ------------------------------------------------------------------ Apps Script

    def _apps_script(self, source: LexedSource, found: FileCalls, path: str,
                     services: tuple[tuple[str, str, str], ...] = ()) -> None:
        """Apps Script's built-in services, and its advanced services: by their usual names
        and versions, and as the project's ``appsscript.json`` enables them (``services``:
        the name the script calls one by, its API and version)."""
        structure = source.structure
        for match in self._built_in.finditer(structure):
            service = self.apps_script.built_in[match.group(1)]
            scopes = service.scopes_for(match.group(2))
            if not scopes:
                continue
            line, column = source.position(match.start())
            found.calls.append(ApiCall(path, line, column, "apps_script", f"{match.group(1)}.{match.group(2)}",
                                       "apps_script", scopes))
        for match in self._ui.finditer(structure):
            line, column = source.position(match.start(1))
            found.calls.append(ApiCall(path, line, column, "apps_script", f"Ui.{match.group(1)}", "apps_script",
                                       self.apps_script.ui_scopes))
        advanced, apis = self._advanced_services(services)
        for match in advanced.finditer(structure):
            api = self._api(*apis[match.group(1)])
            if api is not None:
                self._resolve(source, api, api.root, match.start(), match.end(), found, path, match.group(1),
                              "apps_script")

    def _advanced_services(self, services: tuple[tuple[str, str, str], ...]
                           ) -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
        """The pattern that finds the advanced services' names, and the (API, version) of
        each: the usual ones, and ``services`` (in place of a usual one of the same name);
        made once for each set of services."""
        known = self._services.get(services)
        if known is None:
            apis = dict(self.apps_script.advanced)
            apis.update((symbol, (api, version)) for symbol, api, version in services)
            pattern = re.compile(r"(?<![\w$.])(" + "|".join(sorted(map(re.escape, apis))) + r")(?=\s*\.\s*[A-Z])")
            known = self._services[services] = (pattern, apis)
        return known

    # ------------------------------------------------------------------ raw HTTP

    def _rest(self, source: LexedSource, found: FileCalls, path: str) -> None:
        from auditor.rules.i18n import Phrase

        text = source.text
        starts: dict[int, tuple[int, int, int]] | None = None  # each literal by its opening quote
        for _, content_start, content_end, literal_end in source.literals:
            if content_end - content_start < 24 or "googleapis.com" not in text[content_start:content_end]:
                continue
            content = text[content_start:content_end]
            match = _URL.match(content)
            if not match or match.group(2) is None or match.group(2).startswith(("/auth/", "/discovery/")):
                continue
            url = match.group(0)
            if match.end() == len(content) and _JOINED.match(source.code, literal_end):
                # A literal that "+" joins to others: `".../files/" + id + "/export"`.
                if starts is None:
                    starts = {start: (first, last, end) for start, first, last, end in source.literals}
                joined = _URL.match(self._joined(source, content, literal_end, starts))
                url = joined.group(0) if joined else url
            # Placeholders of f-strings and template literals stand for one segment each.
            url = re.sub(r"\$?\{[^}/]*\}", "X", url)
            verb = self._verb(source, content_start - 1, literal_end)
            if verb is None:
                verb = self._verb_of_named_url(source, content_start - 1, literal_end)
            methods, known_host = self.table.match_url(url, verb)
            line, column = source.position(content_start)
            if len(methods) == 1:
                method = methods[0]
                found.calls.append(ApiCall(path, line, column, method.api, method.id, "rest", method.scopes, (),
                                           UNSEEN["rest"]))
            elif methods:
                found.unresolved.append(UnresolvedCall(
                    path, line, column, methods[0].api, url,
                    Phrase("scan.reasons.verb_not_stated", methods=", ".join(m.id for m in methods))))
            elif known_host and verb is not None:
                # Only a URL an HTTP call is made with: a base URL kept in a constant is no call.
                found.unresolved.append(UnresolvedCall(path, line, column, "", url,
                                                       Phrase("scan.reasons.no_path")))

    @staticmethod
    def _joined(source: LexedSource, content: str, literal_end: int, starts: dict[int, tuple[int, int, int]]) -> str:
        """``content`` with what ``+`` joins to it after ``literal_end``: each literal's text
        (``starts`` gives each literal's content and end by its opening quote), and ``X`` for
        each value the code computes (a name, an attribute, a call), up to
        :data:`_MAX_JOINED` pieces or the first piece that is neither."""
        code, text = source.code, source.text
        position = literal_end
        for _ in range(_MAX_JOINED):
            joined = _JOINED.match(code, position)
            if joined is None:
                break
            position = joined.end()
            prefix = _STRING_PREFIX.match(code, position)  # Python's f"...", r"..."
            literal = starts.get(prefix.end() if prefix else position)
            value = None if literal else _JOINED_VALUE.match(code, position)
            if literal:
                content += text[literal[0]:literal[1]]
                position = literal[2]
            elif value:
                content += "X"
                position = value.end()
            else:
                break
        return content

    def _verb_of_named_url(self, source: LexedSource, quote: int, literal_end: int) -> str | None:
        """The HTTP verb of a URL given to a name (``url = "https://..."``, ``const url =
        `...```): that of the request it is given to next, within :data:`_OPTIONS_REACH`
        characters, as its first argument (``UrlFetchApp.fetch(url, options)``)."""
        structure = source.structure
        assigned = _URL_NAME.search(structure, max(0, quote - 120), quote)
        if assigned is None:
            return None
        name = assigned.group(1)
        used = re.compile(r"\(\s*(" + re.escape(name) + r")\s*[,)]").search(
            structure, literal_end, literal_end + _OPTIONS_REACH)
        return None if used is None else self._verb(source, used.start(1), used.end(1))

    @staticmethod
    def _verb(source: LexedSource, opening: int, end: int) -> str | None:
        """The HTTP verb of the call whose argument the literal at ``opening`` is."""
        structure = source.structure
        # Python string prefixes (f"...", rb"...") sit between the bracket and the quote.
        head = re.sub(r"(?<![\w$])" + _PREFIX + "$", "", structure[max(0, opening - 120):opening]).rstrip()
        if _NEW_REQUEST.search(structure[max(0, opening - 200):opening]):
            verb = re.search(r"NewRequest(?:WithContext)?\s*\(\s*(?:\w+\s*,\s*)?(?:\"(\w+)\"|http\.Method(\w+))\s*,\s*$",
                             source.code[max(0, opening - 200):opening])
            if verb:
                return (verb.group(1) or verb.group(2)).upper()
        if not head.endswith("("):
            # requests' `session.request("POST", "https://...")`; an options object whose
            # `url` the literal is: `request({url: "https://...", method: "POST"})`.
            verb_first = _VERB_FIRST.search(source.code, max(0, opening - 120), opening)
            if verb_first:
                return verb_first.group(2).upper()
            if not _URL_OPTION.search(head):
                return None
            close = closing_bracket(source, structure.rfind("(", 0, opening))
            option = _METHOD_OPTION.search(source.code, end, close)
            return option.group("verb").upper() if option else "GET"
        callee = head[:-1].rstrip()
        simple = _VERB_CALL.search(callee)
        if simple:
            return simple.group(1).upper()
        if re.search(r"(?:fetch|request|axios)$", callee):
            close = closing_bracket(source, structure.rfind("(", 0, opening))
            option = _METHOD_OPTION.search(source.code, end, close)
            if option:
                return option.group("verb").upper()
            named = _OPTIONS_NAME.match(source.code, end)
            if named:  # `UrlFetchApp.fetch(url, options)` after `const options = {method: "post"}`
                return _options_verb(source, named.group(1), opening)
            # httplib2's `Http().request("https://...", "POST")`: the method second.
            second = _VERB_SECOND.match(source.code, end) if callee.endswith("request") else None
            return second.group(2).upper() if second else "GET"
        return None


# Where Google's per-API Node packages are (`@googleapis/drive`, whose API function is
# `drive`).
_PACKAGES = "@googleapis/"


def _package_clients(source: LexedSource) -> Iterator[tuple[int, int, str, str]]:
    """Each call of the API function of a per-API Node package (``@googleapis/drive``) the
    file imports or requires: where the call starts, its opening bracket, the API's name and
    the call as written (``drive``, an alias, or ``module.drive``)."""
    named, whole = javascript_imports(source.code)
    # The name the code calls -> the package; the name of a whole module -> its package.
    functions = {local: path[len(_PACKAGES):] for local, path, name, _ in named
                 if path.startswith(_PACKAGES) and name == path[len(_PACKAGES):]}
    modules = {local: path[len(_PACKAGES):] for local, path in whole.items()
               if path.startswith(_PACKAGES) and path[len(_PACKAGES):].isidentifier()}
    if not functions and not modules:
        return
    alternatives = [f"(?P<function>{'|'.join(map(re.escape, sorted(functions)))})"] if functions else []
    if modules:
        alternatives.append(rf"(?P<module>{'|'.join(map(re.escape, sorted(modules)))})\s*\.\s*(?P<attribute>\w+)")
    for call in re.compile(r"(?<![\w$.])(?:" + "|".join(alternatives) + r")\s*\(").finditer(source.structure):
        parts = call.groupdict()
        if parts.get("function"):
            yield call.start(), call.end() - 1, functions[parts["function"]], parts["function"]
        elif modules[parts["module"]] == parts["attribute"]:
            yield call.start(), call.end() - 1, parts["attribute"], f"{parts['module']}.{parts['attribute']}"
