"""Where the comments and string literals of a source file are, and what introduces a literal.

A small lexer per language family, enough to tell code from comments and to find string
literals (escapes, raw and triple-quoted strings, Go and JavaScript backquotes). It does not
parse: :func:`in_scope_context` looks back from a literal over the blanked text to the key,
variable or call that introduces it, bracket by bracket.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.scan.call_syntax import KeywordIndex
    from auditor.scan.named_values import NamedValues

# "scope" as a word or a camelCase / snake_case part: scopes, SCOPES, oauthScopes, set_scope;
# not telescope, nor AngularJS's $scope.
SCOPE_WORD = re.compile(r"(?<![A-Za-z$])[Ss]cope|Scope|SCOPE")
_MAX_HEAD = 4000


@dataclass(frozen=True)
class Syntax:
    """Where comments and string literals are in a language."""

    name: str
    line_comments: tuple[str, ...]
    block_comments: tuple[tuple[str, str], ...]
    quotes: tuple[str, ...]  # longest first
    raw_quotes: frozenset[str] = frozenset()  # no backslash escapes
    multiline_quotes: frozenset[str] = frozenset()  # besides triple quotes
    # Openings of strings without backslash escapes that end at a lone `"`, a doubled one
    # standing for itself, and may run over lines (C#'s verbatim `@"C:\dir\"`).
    verbatim_quotes: frozenset[str] = frozenset()


_C_COMMENTS = (("/*", "*/"),)
PYTHON = Syntax("python", ("#",), (), ('"""', "'''", '"', "'"))
JAVASCRIPT = Syntax("javascript", ("//",), _C_COMMENTS, ('"', "'", "`"), multiline_quotes=frozenset("`"))
JAVA = Syntax("java", ("//",), _C_COMMENTS, ('"""', '"', "'"))
KOTLIN = Syntax("kotlin", ("//",), _C_COMMENTS, ('"""', '"', "'"), raw_quotes=frozenset({'"""'}))
GO = Syntax("go", ("//",), _C_COMMENTS, ('"', "'", "`"), raw_quotes=frozenset("`"), multiline_quotes=frozenset("`"))
JSON = Syntax("json", ("//",), _C_COMMENTS, ('"',))
YAML = Syntax("yaml", ("#",), (), ())
PLAIN = Syntax("plain", (), (), ())  # a file named on the command line whose type is not known: URLs only
# C#: a raw string literal (`"""`) has no escapes; a verbatim one (`@"..."`, interpolated
# `$@"..."` or `@$"..."`) none but `""`.
CSHARP = Syntax("csharp", ("//",), _C_COMMENTS, ('$@"', '@$"', '"""', '@"', '"', "'"), raw_quotes=frozenset({'"""'}),
                verbatim_quotes=frozenset({'$@"', '@$"', '@"'}))
# Languages read for scope strings only (no call is recognised in them).
SHELL = Syntax("shell", ("#",), (), ('"', "'"), raw_quotes=frozenset("'"), multiline_quotes=frozenset({'"', "'"}))
TERRAFORM = Syntax("terraform", ("#", "//"), _C_COMMENTS, ('"',))
PHP = Syntax("php", ("//", "#"), _C_COMMENTS, ('"', "'"), multiline_quotes=frozenset({'"', "'"}))
RUBY = Syntax("ruby", ("#",), (), ('"', "'"), multiline_quotes=frozenset({'"', "'"}))
SYNTAXES = {syntax.name: syntax for syntax in (PYTHON, JAVASCRIPT, JAVA, KOTLIN, GO, JSON, YAML, PLAIN, SHELL,
                                               TERRAFORM, CSHARP, PHP, RUBY)}

SYNTAX_BY_SUFFIX = {
    ".py": PYTHON, ".pyi": PYTHON,
    ".js": JAVASCRIPT, ".mjs": JAVASCRIPT, ".cjs": JAVASCRIPT, ".jsx": JAVASCRIPT, ".ts": JAVASCRIPT,
    ".tsx": JAVASCRIPT, ".mts": JAVASCRIPT, ".cts": JAVASCRIPT, ".gs": JAVASCRIPT,
    ".java": JAVA, ".kt": KOTLIN, ".kts": KOTLIN, ".go": GO,
    ".json": JSON, ".jsonc": JSON, ".yaml": YAML, ".yml": YAML,
    ".sh": SHELL, ".bash": SHELL, ".zsh": SHELL, ".tf": TERRAFORM, ".tfvars": TERRAFORM, ".hcl": TERRAFORM,
    ".cs": CSHARP, ".php": PHP, ".rb": RUBY,
}


def syntax_for(name: str) -> Syntax | None:
    """The syntax of a file, by its name; ``None`` for a file type that is not scanned."""
    dot = name.rfind(".")
    return SYNTAX_BY_SUFFIX.get(name[dot:].lower()) if dot > 0 else None


class LexedSource:
    """One file's text; ``code`` has its comments blanked, ``structure`` its literals too.

    Blanking keeps every offset (and line break) where it was, so a position found in either
    copy is a position in the file. ``structure`` is built on first use: most files never
    need it.
    """

    def __init__(self, text: str, code: str, literals: list[tuple[int, int, int, int]]) -> None:
        self.text = text
        self.code = code
        # (start of the opening quote, content start, content end, end of the closing quote)
        self.literals = literals
        self.line_starts = line_starts(text)
        self._structure: str | None = None

    @cached_property
    def bracket_ends(self) -> dict[int, int]:
        """``call_syntax.bracket_ends`` of the structure, worked out on first use."""
        from auditor.scan.call_syntax import bracket_ends

        return bracket_ends(self.structure)

    @cached_property
    def keyword_index(self) -> KeywordIndex:
        """``call_syntax.KeywordIndex`` of the code and its structure, built on first use."""
        from auditor.scan.call_syntax import KeywordIndex

        return KeywordIndex(self.code, self.structure, frozenset(start for start, _, _, _ in self.literals))

    @cached_property
    def python_values(self) -> NamedValues:
        """``named_values.NamedValues`` of a Python file, built on first use."""
        from auditor.scan.named_values import NamedValues

        return NamedValues(self)

    @property
    def python_values_used(self) -> NamedValues | None:
        """``python_values`` when something has built it, else ``None`` (without building it)."""
        return self.__dict__.get("python_values")

    @cached_property
    def script_constants(self) -> dict[str, str | None]:
        """``named_values.script_constants`` of a JavaScript or TypeScript file, read on first use."""
        from auditor.scan.named_values import script_constants

        return script_constants(self)

    @property
    def structure(self) -> str:
        if self._structure is None:
            self._structure = _blank_spans(self.code, [(start, end) for start, _, _, end in self.literals])
        return self._structure

    def structure_window(self, start: int, end: int) -> str:
        """``structure[start:end]``, without blanking the whole file for it."""
        if self._structure is not None:
            return self._structure[start:end]
        first = max(0, bisect.bisect_right(self.literals, start, key=lambda literal: literal[0]) - 1)
        spans = []
        for literal_start, _, _, literal_end in self.literals[first:]:
            if literal_start >= end:
                break
            if literal_end > start:
                spans.append((max(literal_start, start) - start, min(literal_end, end) - start))
        return _blank_spans(self.code[start:end], spans)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(piece: str) -> str:
    return _NOT_NEWLINE.sub(" ", piece) if "\n" in piece else " " * len(piece)


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append(_blank(text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


def _quote_pattern(quote: str, syntax: Syntax, index: int) -> str:
    """The regular expression of one string literal, its content in group ``body<index>``."""
    q = re.escape(quote)
    if quote in syntax.verbatim_quotes:
        return rf'{q}(?P<body{index}>(?:[^"]|"")*+)"?'
    multiline = len(quote) == 3 or quote in syntax.multiline_quotes
    if len(quote) == 3:
        body = r"[\s\S]*?" if quote in syntax.raw_quotes else r"(?:[^\\]|\\[\s\S])*?"
        return rf"{q}(?P<body{index}>{body})(?:{q}|\Z)"
    plain = f"[^{q}]" if multiline else f"[^{q}\\n]"
    if quote in syntax.raw_quotes:
        body = f"{plain}*"
    else:
        plain = f"[^\\\\{q}]" if multiline else f"[^\\\\{q}\\n]"
        body = rf"{plain}*(?:\\[\s\S]{plain}*)*"
    return rf"{q}(?P<body{index}>{body}){q}?"


@cache
def _token_pattern(syntax: Syntax) -> re.Pattern[str] | None:
    """One pattern for every comment and literal of ``syntax``, longest opening first."""
    alternatives: list[tuple[int, str]] = []
    for index, opening in enumerate(syntax.line_comments):
        alternatives.append((len(opening), f"(?P<comment{index}>{re.escape(opening)}[^\\n]*)"))
    for index, (opening, closing) in enumerate(syntax.block_comments):
        pattern = f"{re.escape(opening)}[\\s\\S]*?(?:{re.escape(closing)}|\\Z)"
        alternatives.append((len(opening), f"(?P<block{index}>{pattern})"))
    for index, quote in enumerate(syntax.quotes):
        alternatives.append((len(quote), f"(?P<quote{index}>{_quote_pattern(quote, syntax, index)})"))
    if not alternatives:
        return None
    alternatives.sort(key=lambda item: -item[0])
    return re.compile("|".join(pattern for _, pattern in alternatives))


def lex(text: str, syntax: Syntax) -> LexedSource:
    """Find the comments and string literals of ``text``."""
    pattern = _token_pattern(syntax)
    if pattern is None:
        return LexedSource(text, text, [])
    comments: list[tuple[int, int]] = []
    literals: list[tuple[int, int, int, int]] = []
    for match in pattern.finditer(text):
        kind = match.lastgroup or ""
        if kind.startswith("quote"):
            content_start, content_end = match.span("body" + kind[5:])
            literals.append((match.start(), content_start, content_end, match.end()))
        else:
            comments.append(match.span())
    return LexedSource(text, _blank_spans(text, comments), literals)


def _segment(source: LexedSource, position: int) -> tuple[int, int | None]:
    """Start of the list item or statement that ``position`` is in, and the bracket around it.

    Scans back over the structure (literals and comments blanked): the segment ends at a
    ``,``, ``;``, line break or opening bracket at the same depth; the enclosing bracket is
    the first unmatched opening one (``None`` past a ``;`` or too far back).
    """
    limit = max(0, position - _MAX_HEAD)
    window = source.structure_window(limit, position)
    depth = 0
    segment_start: int | None = None
    for index in range(len(window) - 1, -1, -1):
        char = window[index]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            if depth == 0:
                return limit + (index + 1 if segment_start is None else segment_start), limit + index
            depth -= 1
        elif depth == 0 and char in ",;\n":
            if segment_start is None:
                segment_start = index + 1
            if char == ";":
                return limit + segment_start, None
    return limit + (0 if segment_start is None else segment_start), None


def in_scope_context(source: LexedSource, position: int, levels: int = 2) -> bool:
    """Whether the literal at ``position`` is introduced by a name with "scope" in it.

    Looks at the literal's own list item or statement (``scope: 'openid'``), then at what
    introduces each of the ``levels`` brackets around it (``scopes=[``,
    ``.setScopes(Arrays.asList(``).
    """
    for _ in range(levels + 1):
        start, bracket = _segment(source, position)
        if SCOPE_WORD.search(source.code, start, position):
            return True
        if bracket is None:
            return False
        position = bracket
    return False
