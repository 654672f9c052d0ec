"""The syntax of a call in lexed source: matching brackets, the ``.name(...)`` chain after a
client, and the arguments the code states.

It reads the structure text of :class:`~auditor.scan.lexer.LexedSource` (comments and string
contents blanked), so a bracket or a dot inside a string is never mistaken for code;
:mod:`auditor.scan.calls` decides which API method a chain is.
"""

from __future__ import annotations

import bisect
import re

from auditor.scan.lexer import LexedSource

# An identifier in the languages scanned (JavaScript names may hold `$`).
IDENT = r"[A-Za-z_$][\w$]*"
# A segment of a chain, `.name` (group 2): after optional chaining (`?.`), a non-null
# assertion (TypeScript's `!.`, Kotlin's `!!.`), blanks and Python's line continuations.
_BLANKS = r"(?:\s|\\(?=\r?\n))*"
_SEGMENT = re.compile(_BLANKS + r"(?:!{1,2}" + _BLANKS + r")?(\?)?\." + _BLANKS + r"(" + IDENT + r")")
# A stated parameter: ``name=value`` or ``name: value``, or a quoted name in an object literal
# or dict (``'name': value``); the value is read when it is a literal.
_KEYWORD_VALUE = re.compile(r"(?:(?<![\w$])([A-Za-z_]\w*)\s*[=:]|([\"'])([A-Za-z_$][\w$]*)\2\s*:)"
                            r"\s*(?:([\"'`])([^\"'`\n]*)\4|([^\s,)}\]]))")
# Chain segments that are the client library's plumbing, not a resource or a method.
HELPER_SEGMENTS = frozenset({"execute", "list_next", "context", "close", "new_batch_http_request", "do"})
# What downloads the content of a method that can return it, as `alt=media` asks: Java's
# request methods, Go's call method and .NET's request methods, after the method
# (`.get(id).executeMediaAndDownloadTo(out)`, `.Get(id).Download()`, `.Get(id).DownloadAsync(stream)`).
# Python's client names a twin method instead (`get_media`).
MEDIA_DOWNLOADS = frozenset({"executeMedia", "executeMediaAsInputStream", "executeMediaAndDownloadTo", "Download",
                             "DownloadAsync", "DownloadWithStatus", "DownloadWithStatusAsync", "DownloadRange",
                             "DownloadRangeAsync"})
MEDIA_TWIN = "_media"


# How far an argument list may run: a bracket still open this many characters after it
# counts as never closed (its call runs to the text's end).
ARGUMENTS_LIMIT = 20000
_OPENERS = "([{"
_BRACKET = re.compile(r"[()\[\]{}]")
# What the keyword index files beside brackets: the commas between arguments (or entries) and
# the unpacking of another mapping or object (Python's ``**``, JavaScript's ``...``).
_TOKEN = re.compile(r"[()\[\]{},]|\*\*|\.\.\.")
_NON_BLANK = re.compile(r"\S")
_NAME = re.compile(IDENT)
# An argument that is a literal (strings are blanked in the structure: they read as nothing).
_WORD_LITERAL = re.compile(r"(?:true|false|null|undefined|[-+]?\.?\d[\w.]*)(?![\w$])")
# A callback (Node's ``(err, res) => …`` after the parameters), not a parameter object.
_CALLBACK = re.compile(r"(?:async\s+)?(?:function(?![\w$])|" + IDENT + r"\s*=>)")


def bracket_ends(structure: str) -> dict[int, int]:
    """For each opening bracket of ``structure`` that is closed, the offset just past the
    bracket that closes it: one pass over the text's brackets, so that each look-up costs
    nothing whatever the nesting (any closing bracket closes the innermost open one, as
    depth counts it)."""
    ends: dict[int, int] = {}
    open_at: list[int] = []
    for match in _BRACKET.finditer(structure):
        offset = match.start()
        if structure[offset] in _OPENERS:
            open_at.append(offset)
        elif open_at:
            ends[open_at.pop()] = offset + 1
    return ends


def closing_bracket(source: LexedSource, opening: int) -> int:
    """Offset just past the bracket matching the one at ``opening`` in ``source``'s
    structure (the text's end if none, or if it closes :data:`ARGUMENTS_LIMIT` characters
    or more after it)."""
    structure = source.structure
    end = source.bracket_ends.get(opening) if opening >= 0 else None
    if end is None or end - 1 - opening >= ARGUMENTS_LIMIT:
        if 0 <= opening < len(structure) and structure[opening] in _OPENERS:
            return len(structure)
        return _counted_closing(structure, opening)  # not at a bracket: count from there
    return end


def _counted_closing(structure: str, opening: int) -> int:
    """:func:`closing_bracket` for an offset that is not an opening bracket: the end of the
    first bracketed run after it that brings the count of open brackets back to none."""
    depth = 0
    for index in range(opening, min(len(structure), opening + ARGUMENTS_LIMIT)):
        char = structure[index]
        if char in _OPENERS:
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(structure)


def call_chain(source: LexedSource, start: int) -> list[tuple[str, int, tuple[int, int] | None]]:
    """The ``.name`` / ``.name(...)`` segments from ``start``: (name, offset, argument span)."""
    structure = source.structure
    segments = []
    position = start
    while True:
        match = _SEGMENT.match(structure, position)
        if not match:
            return segments
        name, offset = match.group(2), match.start(2)
        position = match.end()
        arguments = None
        after = re.match(r"\s*\(", structure[position:position + 200])
        if after:
            opening = position + after.end() - 1
            end = closing_bracket(source, opening)
            arguments = (opening, end)
            position = end
        segments.append((name, offset, arguments))


# How a client library takes a method's parameters, which says where the code could pass one
# that the call does not show: ``python`` (keyword arguments, ``**mapping``), ``node`` (one
# object of parameters, the first argument), ``apps_script`` (the path's parameters in order,
# then an object of the others), ``java`` and ``go`` (setters on a request object).
CallStyle = str


def stated_arguments(source: LexedSource, span: tuple[int, int], style: CallStyle,
                     positional: int = 0) -> tuple[tuple[tuple[str, str | None], ...], str]:
    """The parameters a call states in its brackets, and what may pass others out of sight.

    Stated: each ``name=value`` or ``name: value`` directly in the brackets, or directly in
    an object literal that is one of the arguments (Node's ``get({userId: 'me', format:
    'full'})``, Apps Script's optional arguments, Python's ``**{'q': query}``), with a quoted
    name or none (``{userId, q}`` states ``q``); never one of a call or object nested deeper
    (``id=pick(format="full")``, ``requestBody: {format: ...}``), which is another call's or
    the request body's. The first value of each name, read in the first
    :data:`ARGUMENTS_LIMIT` characters of the span (a bracket not closed by then runs to the
    text's end); ``None`` when the value is not a literal.

    Out of sight (the second value, empty when there is nothing): a mapping unpacked into the
    keyword arguments (``**options``), an object spread into the parameters (``...options``),
    a computed name (``[name]: value``), or, for Node and Apps Script, the object of
    parameters passed as a name or an expression (``list(params)``; Apps Script's first
    ``positional`` arguments are the path's). Any parameter may hide there.
    """
    opening, end = span
    end = min(end, opening + ARGUMENTS_LIMIT)
    index = source.keyword_index
    if style == "python":
        objects, unseen = _unpacked_into(source, opening, end)
    elif style == "dotnet":
        objects, unseen = [], ""  # an object in the brackets is a request body (`new File { Name = ... }`)
    else:
        objects, unseen = index.braces_in(opening, end), ""
        if style in ("node", "apps_script"):
            arguments = index.items_in(opening, end)
            shown = arguments[:1] if style == "node" else arguments[positional:]
            if any(_argument_kind(source, start, stop) == "opaque" for start, stop in shown):
                unseen = UNSEEN["object"]
    pairs = index.pairs_in(opening, end)
    for brace in objects:
        entries, hidden = _object_entries(source, brace, min(end, source.bracket_ends.get(brace, end)), style)
        pairs += entries
        unseen = unseen or hidden
    pairs.sort()
    found: dict[str, str | None] = {}
    for _offset, name, value in pairs:
        found.setdefault(name, value)
    return tuple(sorted(found.items())), unseen


def _unpacked_into(source: LexedSource, opening: int, end: int) -> tuple[list[int], str]:
    """Python: the dict literals unpacked into the keyword arguments of the call at
    ``opening`` (``**{'q': query}``), and what else is (``**options``), if anything."""
    structure = source.structure
    objects: list[int] = []
    unseen = ""
    for at in source.keyword_index.unpacking_in(opening, end):
        if not _unpacks(structure, at, "python"):
            continue
        after = _NON_BLANK.search(structure, at + 2, end)
        if after is not None and structure[after.start()] == "{":
            objects.append(after.start())
        else:
            unseen = UNSEEN["unpacked"]
    return objects, unseen


def _object_entries(source: LexedSource, brace: int, end: int, style: CallStyle) -> tuple[list[_Stated], str]:
    """The entries the object literal (or Python dict) at ``brace`` states, up to ``end``, and
    what may hide others in it: another object spread into it, a computed name."""
    index = source.keyword_index
    structure = source.structure
    entries = index.pairs_in(brace, end)
    spread = any(_unpacks(structure, at, style) for at in index.unpacking_in(brace, end))
    unseen = UNSEEN["spread"] if spread else ""
    if style == "python":
        # A dict's key is a string; a bare name is a variable holding one.
        named = [entry for entry in entries if source.code[entry[0]] in "'\""]
        return named, unseen or (UNSEEN["computed"] if len(named) < len(entries) else "")
    for item_start, item_end in index.items_in(brace, end):
        first = _NON_BLANK.search(structure, item_start, item_end)
        if first is None:
            continue
        if structure[first.start()] == "[":
            unseen = unseen or UNSEEN["computed"]
        name = _NAME.match(structure, first.start())
        if name and _NON_BLANK.search(structure, name.end(), item_end) is None:
            entries.append((name.start(), name.group(), None))  # shorthand: {userId, q}
    return entries, unseen


# The kinds of what may pass parameters a call does not show (``ApiCall.unseen``), taken
# from here so that a misspelt kind fails at once; a restriction's reason words each one
# from the report catalog (``scan.unseen.<kind>``).
UNSEEN = {kind: kind for kind in ("unpacked", "spread", "computed", "object", "request", "rest")}


def _unpacks(structure: str, at: int, style: CallStyle) -> bool:
    """Whether the ``**`` or ``...`` at ``at`` unpacks a mapping or object into the arguments
    or entries: Python's ``**`` where an argument or entry begins (not ``2**10``, a power),
    JavaScript's ``...`` (its ``**`` is a power, Python's ``...`` a value)."""
    if style != "python":
        return structure.startswith("...", at)
    return structure.startswith("**", at) and follows(structure, at, "(,{")


def _argument_kind(source: LexedSource, start: int, end: int) -> str:
    """``literal``, ``object`` (an object literal), ``callback`` or ``opaque`` (a name or an
    expression, which may hold anything): the argument between ``start`` and ``end``."""
    structure = source.structure
    first = _NON_BLANK.search(structure, start, end)
    if first is None:
        return "literal"  # nothing, or a string (blanked in the structure)
    at = first.start()
    char = structure[at]
    if char in _OPENERS:
        close = source.bracket_ends.get(at)
        if close is None or close > end:
            return "opaque"
        after = _NON_BLANK.search(structure, close, end)
        if char == "{" and after is None:
            return "object"
        if char == "(" and after is not None and structure.startswith("=>", after.start()):
            return "callback"
        return "opaque"
    word = _WORD_LITERAL.match(structure, at)
    if word and _NON_BLANK.search(structure, word.end(), end) is None:
        return "literal"
    return "callback" if _CALLBACK.match(structure, at) else "opaque"


# A ``name=value`` or ``name: value`` of the code: its offset, name and literal value (``None``
# when the value is not a literal).
_Stated = tuple[int, str, str | None]


class KeywordIndex:
    """Every ``name=value`` and ``name: value`` of a file's code (and ``'name': value`` after
    an opening brace or a comma), found in one pass and filed under the bracket that directly
    holds it; beside them, filed the same way, every opening brace, every comma and every
    ``**`` and ``...``. A call's own arguments are then looked up in work that grows with what
    the call states, however many calls are nested in its brackets.

    A pair inside a string literal (``q="format=full"``) is not code and is not filed.
    """

    def __init__(self, code: str, structure: str, literal_starts: frozenset[int] = frozenset()) -> None:
        # By offset of an opening bracket: the pairs directly inside it, and the opening
        # braces, commas and unpackings directly inside it, each in text order.
        self._held: dict[int, list[_Stated]] = {}
        self._braces: dict[int, list[int]] = {}
        self._commas: dict[int, list[int]] = {}
        self._unpacking: dict[int, list[int]] = {}
        open_at: list[int] = []
        tokens = _TOKEN.finditer(structure)
        token = next(tokens, None)
        for match in _KEYWORD_VALUE.finditer(code):
            start = match.start()
            while token is not None and token.start() < start:
                self._token(token.start(), token.group(), open_at)
                token = next(tokens, None)
            if not open_at:
                continue
            if match.group(1) is not None:
                if structure[start] != code[start]:
                    continue  # inside a string literal
                name = match.group(1)
            elif start in literal_starts and follows(structure, start, "{,"):
                # A quoted name begins an entry (after a brace or a comma): in `c ? 'a' : 'b'`
                # the quoted text before the colon is no key.
                name = match.group(3)
            else:
                continue
            self._held.setdefault(open_at[-1], []).append((start, name, match.group(5) if match.group(4) else None))
        while token is not None:
            self._token(token.start(), token.group(), open_at)
            token = next(tokens, None)

    def _token(self, offset: int, token: str, open_at: list[int]) -> None:
        if token in _OPENERS:
            if token == "{" and open_at:
                self._braces.setdefault(open_at[-1], []).append(offset)
            open_at.append(offset)
        elif not open_at:
            return
        elif token == ",":
            self._commas.setdefault(open_at[-1], []).append(offset)
        elif token in ("**", "..."):
            self._unpacking.setdefault(open_at[-1], []).append(offset)
        else:  # any closing bracket closes the innermost open one, as in bracket_ends
            open_at.pop()

    def pairs_in(self, opening: int, end: int) -> list[_Stated]:
        """The pairs directly in the bracket at ``opening``, before ``end``."""
        pairs = self._held.get(opening, ())
        return list(pairs[:bisect.bisect_left(pairs, (end,))])

    def braces_in(self, opening: int, end: int) -> list[int]:
        """The opening braces directly in the bracket at ``opening``, before ``end``."""
        return _before(self._braces.get(opening, []), end)

    def unpacking_in(self, opening: int, end: int) -> list[int]:
        """The ``**`` and ``...`` directly in the bracket at ``opening``, before ``end``."""
        return _before(self._unpacking.get(opening, []), end)

    def items_in(self, opening: int, end: int) -> list[tuple[int, int]]:
        """The spans of the arguments (or entries) directly in the bracket at ``opening``,
        which closes at or runs to ``end``: the text between the bracket and its commas."""
        bounds = [opening, *_before(self._commas.get(opening, []), end), end - 1]
        return [(bounds[index] + 1, bounds[index + 1]) for index in range(len(bounds) - 1)]


def _before(offsets: list[int], end: int) -> list[int]:
    return offsets[:bisect.bisect_left(offsets, end)]


def follows(structure: str, at: int, characters: str) -> bool:
    """Whether the last character before ``at`` that is not blank is one of ``characters``
    (the blanks crossed are the run just before ``at``, so each token's look back is its own)."""
    before = at - 1
    while before >= 0 and structure[before].isspace():
        before -= 1
    return before >= 0 and structure[before] in characters


def setter_parameters(source: LexedSource, segments: list[tuple[str, int, tuple[int, int] | None]]) -> dict[str, str | None]:
    """Java ``.setFormat("full")`` and Go ``.Format("full")`` after the method call."""
    found: dict[str, str | None] = {}
    for name, offset, arguments in segments:
        if (arguments is None or name in HELPER_SEGMENTS or name in MEDIA_DOWNLOADS
                or name[:1].lower() + name[1:] in ("execute", "do")):
            continue
        parameter = name[3:] if name.startswith("set") and len(name) > 3 and name[3].isupper() else name
        parameter = parameter[:1].lower() + parameter[1:]
        inner = source.code[arguments[0] + 1:arguments[1] - 1].strip()
        literal = re.fullmatch(r"\"([^\"\n]*)\"", inner)
        found[parameter] = literal.group(1) if literal else None
    return found


# How far after a request kept in a name its uses are read: the rest of its block, up to this
# many characters (past it, the request may get any parameter).
KEPT_REACH = 4000
# What a kept request is used for besides its parameters and its sending: what gives another
# object, whose own calls follow (.NET's `request.MediaDownloader.ProgressChanged += ...`,
# Java's `request.getMediaHttpDownloader()`, Go's `call.Header()`), and what gives the request
# back with no parameter set (Go's `call.Context(ctx)`, Java's `setDisableGZipContent(true)`).
_KEPT_HELPERS = frozenset({"MediaDownloader", "MediaUploader", "getMediaHttpDownloader", "getMediaHttpUploader",
                           "Header", "getRequestHeaders"})
_KEPT_PASSING = frozenset({"Context", "setDisableGZipContent"})
# What sends a request: Java's `execute...()`, Go's `Do()` and `Pages()`, .NET's `Execute...()`,
# and the downloads.
_SENDS = re.compile(r"(?:[eE]xecute\w*|Do|Pages)")
_BRACES = re.compile(r"[{}]")
# A name or a property given a value (`request.Q = "x"`, Go's `call := ...`; not a
# comparison, not a lambda's `=>`), and the literal it is given.
_ASSIGNED = re.compile(r"\s*:?=(?![=>])")
_LITERAL_VALUE = re.compile(r"\s*=\s*\"([^\"\n]*)\"\s*(?:;|\r?\n|$)")


def sends(segment: str) -> bool:
    """Whether a segment after a method sends its request (or downloads what it returns)."""
    return segment in MEDIA_DOWNLOADS or _SENDS.fullmatch(segment) is not None


def given_call_options(segment: str, arguments: tuple[int, int] | None) -> bool:
    """Whether a Go ``Do`` or ``Download`` is given call options, which may set any parameter
    (``Do(googleapi.QueryParameter("q", q))``)."""
    return segment in ("Do", "Download") and arguments is not None and arguments[1] - arguments[0] > 2  # not "()"


def kept_request_parameters(source: LexedSource, name: str, end: int, style: CallStyle
                            ) -> tuple[dict[str, str | None], bool] | None:
    """The parameters a request kept in ``name`` (``var request = service.Files.Get(id);``,
    the statement ending at ``end``) gets from the statements after it, to the end of its
    block, and whether it is downloaded: .NET's and Kotlin's properties (``request.Q =
    "x"``), Java's setters (``request.setQ("x")``), Go's call options (``call.Q("x")``, also
    ``call = call.PageToken(t)``). The block is read for :data:`KEPT_REACH` characters at
    most. ``None`` when the name is used otherwise (given on, returned, read, Go's ``Do``
    given options), or the reach ends before the block does and before the request is
    sent: the request may then get any parameter. A new value given to the name ends the
    reading."""
    structure, code = source.structure, source.code
    limit = min(len(structure), end + KEPT_REACH)
    block_end = _block_end(structure, end, limit)
    found: dict[str, str | None] = {}
    downloaded = sent = False
    uses = re.compile(r"(?<![\w$.])" + re.escape(name) + r"(?![\w$])")
    again = re.compile(r"\s*:?=\s*" + re.escape(name) + r"\s*\.")
    for use in uses.finditer(structure, end, limit if block_end is None else block_end):
        segments = call_chain(source, use.end())
        if not segments:
            if _ASSIGNED.match(structure, use.end()) is None:
                return None  # given on, returned or compared
            if again.match(structure, use.end()) is None:
                return found, downloaded  # a new value: the request is done with
            continue  # `call = call.PageToken(t)`: read at the next use
        for index, (segment, offset, arguments) in enumerate(segments):
            if segment in _KEPT_HELPERS:
                break
            if segment in _KEPT_PASSING:
                continue
            if sends(segment):
                sent = True
                downloaded = downloaded or segment in MEDIA_DOWNLOADS
                if style == "go" and given_call_options(segment, arguments):
                    return None
                break  # what follows reads the response
            if arguments is not None and segment != "set":
                found.update(setter_parameters(source, [(segment, offset, arguments)]))
                continue
            after = offset + len(segment)
            if arguments is not None or index != len(segments) - 1 or not _ASSIGNED.match(structure, after):
                return None  # a property read, or Java's generic `set(name, value)`
            literal = _LITERAL_VALUE.match(code, after)
            found.setdefault(segment[:1].lower() + segment[1:], literal.group(1) if literal else None)
    if block_end is None and not sent:
        return None
    return found, downloaded


def _block_end(structure: str, start: int, limit: int) -> int | None:
    """Where the block around ``start`` closes (its ``}``), or ``None`` past ``limit``."""
    depth = 0
    for brace in _BRACES.finditer(structure, start, limit):
        if structure[brace.start()] == "{":
            depth += 1
        elif depth == 0:
            return brace.start()
        else:
            depth -= 1
    return None
