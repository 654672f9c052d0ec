"""What a Python name stands for where the code uses it, for clients whose API the code
names with a variable rather than a literal.

Two shapes are common in published samples and the apps built from them::

    API_NAME = "gmail"                               # a constant
    service = build(API_NAME, API_VERSION, credentials=creds)

    def create_service(secret_file, api_name, api_version, *scopes):
        API_SERVICE_NAME = api_name                  # a parameter, maybe renamed
        ...
        return build(API_SERVICE_NAME, API_VERSION, credentials=creds)

    service = create_service(SECRET, "gmail", "v1", SCOPES)

A name is read as the string given to it last before the use in the same function (an
assignment of a literal, or of another name read the same way), else as a parameter of that
function, else as the module's (the last one above the use, or the first one when none is
above: a function written before the module's constants), else as a constant the file
imports from another module of the scan (:attr:`NamedValues.imported`, by its name or read
on its module: ``config.API_NAME``). Anything else (a name computed, imported from
elsewhere or given several values in one statement) stands for nothing known: no client is
guessed from it.

In JavaScript and TypeScript only a file's ``const`` declarations of a quoted word are read
(:func:`script_constants`), for the version or the API key of a Node client
(``google.gmail({version: VERSION})``, ``google[API](...)``).

A function that passes a parameter to ``build`` is a **parametric factory**: where a table
of factories would hold its API and version, it holds the parameters they come from
(:func:`table_text`), which each call of it fills in (:meth:`NamedValues.arguments`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from auditor.scan.call_syntax import IDENT, closing_bracket, follows
from auditor.scan.factories import PY_DEF, python_functions

if TYPE_CHECKING:
    from auditor.scan.lexer import LexedSource


@dataclass(frozen=True)
class Parameter:
    """A parameter of a function: its position among the arguments a call passes (``self``
    and ``cls`` not counted; ``None`` for one that only a keyword passes), its name, and its
    default when that is a literal."""

    position: int | None
    name: str
    default: str | None = None


# A parameter in a table of factories: "(2 api_version)", "(- api_name=gmail)". API names and
# versions are words, so the two never meet.
_PARAMETER_TEXT = re.compile(r"\((\d+|-) (" + IDENT + r")(?:=([\w.]+))?\)")


def table_text(value: str | Parameter) -> str:
    """How a table of factories holds an API's name or version: the value, or the
    parameter it comes from."""
    if isinstance(value, str):
        return value
    position = "-" if value.position is None else str(value.position)
    default = "" if value.default is None else f"={value.default}"
    return f"({position} {value.name}{default})"


def parameter_in(text: str) -> Parameter | None:
    """The parameter ``text`` stands for, or ``None`` when it is a value."""
    match = _PARAMETER_TEXT.fullmatch(text)
    if match is None:
        return None
    position = None if match.group(1) == "-" else int(match.group(1))
    return Parameter(position, match.group(2), match.group(3))


# A statement that gives a name a literal word or another name: `API = "gmail"`, `api:
# str = 'gmail'`, `API_SERVICE_NAME = api_name` (group 1 the name; group 3 the literal's
# text, or group 4 the other name). Read in the code, whose comments are blanked.
_ASSIGNMENT = re.compile(r"(?m)^[ \t]*(" + IDENT + r")[ \t]*(?::[^=\n]{1,200})?=[ \t]*(?:([\"'])([\w.]{1,100})\2|("
                         + IDENT + r"))[ \t]*$")
# One parameter of a definition: `name`, `name: type`, `name='gmail'`, `*scopes`, `**kw`.
# (Matched against the stripped text, so that no two runs of blanks meet.)
_DEFINED_PARAMETER = re.compile(r"(\*{0,2})\s*(" + IDENT + r")?\s*(?::[^=]*)?(?:=\s*(?:([\"'])([\w.]+)\3|.*))?",
                                re.DOTALL)
_LITERAL = re.compile(r"\s*([\"'])([\w.]{1,100})\1\s*")
_NAME = re.compile(r"\s*(" + IDENT + r")\s*")
_DOTTED = re.compile(r"\s*" + IDENT + r"(?:\s*\.\s*" + IDENT + r")+\s*")
_KEYWORD = re.compile(r"\s*(" + IDENT + r")\s*=(?!=)")
# How many names one use may go through (`A = B`, `B = api_name`...).
_MAX_STEPS = 4

Value = str | Parameter | None


class NamedValues:
    """The values the names of one Python file stand for (see the module's text). The
    file's assignments are read once, on first use; each batch of uses costs one pass over
    the file's lines, to find the function each use is in."""

    def __init__(self, source: LexedSource) -> None:
        self._source = source
        # (name, function) -> the offsets of its assignments there, and (literal, other name).
        self._assigned: dict[tuple[str, object], tuple[list[int], list[tuple[str | None, str | None]]]] | None = None
        self._parameters: dict[int, dict[str, Parameter]] = {}
        # The constants the file imports from other modules of the scan, by the name it reads
        # them as (`API_NAME`, `config.API_NAME`): set before the first use.
        self.imported: dict[str, str] = {}
        # The names (`API_NAME`, `config.API_NAME`) a use needed and found no value for.
        self.unknown: set[str] = set()

    def values(self, uses: Iterable[tuple[str, int]]) -> list[Value]:
        """What each of ``uses`` (an expression's text in the code and its offset) stands
        for: a string, a parameter of the function it is in, or ``None``."""
        found: list[Value] = []
        names: list[tuple[int, str, int]] = []  # (index in found, name, offset)
        for text, at in uses:
            literal = _LITERAL.fullmatch(text)
            name = None if literal else _NAME.fullmatch(text)
            found.append(literal.group(2) if literal else None)
            if name:
                names.append((len(found) - 1, name.group(1), at))
            elif not literal and _DOTTED.fullmatch(text):
                dotted = re.sub(r"\s+", "", text)  # `config.API_NAME`
                found[-1] = self.imported.get(dotted)
                if found[-1] is None:
                    self.unknown.add(dotted)
        if names:
            assigned = self._assignments()
            functions = python_functions(self._source.structure, [at for _, _, at in names])
            for index, name, at in names:
                found[index] = self._value(assigned, name, at, functions[at])
                if found[index] is None:
                    self.unknown.add(name)
        return found

    def arguments(self, calls: Iterable[tuple[int, int, list[Parameter]]]) -> list[list[str | None]]:
        """For each call (where its arguments open, where they end, the parameters wanted),
        the value it gives each parameter: by keyword, else by position, else the default;
        ``None`` when not known (a value computed, a parameter of the calling function, or a
        place an unpacked list or mapping may fill)."""
        chosen = [self.chosen(opening, end, wanted) for opening, end, wanted in calls]
        resolved = iter(self.values([choice for choices in chosen for choice in choices if isinstance(choice, tuple)]))
        answers: list[list[str | None]] = []
        for choices in chosen:
            values = [next(resolved) if isinstance(choice, tuple) else choice for choice in choices]
            answers.append([value if isinstance(value, str) else None for value in values])
        return answers

    def chosen(self, opening: int, end: int, wanted: list[Parameter]) -> list[tuple[str, int] | str | None]:
        """The argument (its text and offset) a call whose brackets open at ``opening`` and
        end at ``end`` gives each of ``wanted``; where an unpacked list or mapping may give
        it, that argument (``*args``, ``**options``); else the parameter's default, or
        ``None``."""
        code = self._source.code
        positional: list[tuple[str, int]] = []
        keywords: dict[str, tuple[str, int]] = {}
        # The first unpacked list (`*`) and the first unpacked mapping (`**`).
        unpacked: dict[str, tuple[str, int]] = {}
        for start, stop in self._source.keyword_index.items_in(opening, end):
            text = code[start:stop]
            keyword = _KEYWORD.match(text)
            if keyword:
                keywords[keyword.group(1)] = (text[keyword.end():], start + keyword.end())
            elif text.lstrip().startswith("*"):
                unpacked.setdefault("**" if text.lstrip().startswith("**") else "*", (text, start))
            elif text.strip() and not unpacked and not keywords:
                positional.append((text, start))
        chosen: list[tuple[str, int] | str | None] = []
        for parameter in wanted:
            if parameter.name in keywords:
                chosen.append(keywords[parameter.name])
            elif parameter.position is not None and parameter.position < len(positional):
                chosen.append(positional[parameter.position])
            elif parameter.position is not None and unpacked:
                chosen.append(unpacked.get("*", unpacked.get("**")))
            elif "**" in unpacked:
                chosen.append(unpacked["**"])
            else:
                chosen.append(parameter.default)
        return chosen

    # ------------------------------------------------------------------ reading the file

    def _assignments(self) -> dict[tuple[str, object], tuple[list[int], list[tuple[str | None, str | None]]]]:
        if self._assigned is not None:
            return self._assigned
        code, structure = self._source.code, self._source.structure
        sites = []
        for match in _ASSIGNMENT.finditer(code):
            start = match.start(1)
            # Not in a string, and not a keyword argument on a line of its own.
            if structure[start] == code[start] and not follows(structure, match.start(), "([{,"):
                sites.append((start, match.group(1), match.group(3) if match.group(2) else None, match.group(4)))
        functions = python_functions(structure, [start for start, _, _, _ in sites])
        assigned: dict[tuple[str, object], tuple[list[int], list[tuple[str | None, str | None]]]] = {}
        for start, name, literal, other in sites:
            offsets, values = assigned.setdefault((name, functions[start]), ([], []))
            offsets.append(start)
            values.append((literal, other))
        self._assigned = assigned
        return assigned

    def _value(self, assigned, name: str, at: int, function: tuple[str, int] | None, steps: int = 0) -> Value:
        if steps > _MAX_STEPS:
            return None
        own = assigned.get((name, function))
        if own is not None and function is not None:
            index = bisect.bisect_left(own[0], at)
            if index:
                return self._given(assigned, own[0][index - 1], own[1][index - 1], function, steps)
        if function is not None:
            parameter = self.parameters_of(function[1]).get(name)
            if parameter is not None:
                return parameter
        module = assigned.get((name, None))
        if module is None:
            return self.imported.get(name)
        index = bisect.bisect_left(module[0], at)
        index = index - 1 if index else 0
        return self._given(assigned, module[0][index], module[1][index], None, steps)

    def _given(self, assigned, at: int, value: tuple[str | None, str | None], function, steps: int) -> Value:
        literal, other = value
        if literal is not None:
            return literal
        return self._value(assigned, other, at, function, steps + 1) if other else None

    def parameters_of(self, defined_at: int) -> dict[str, Parameter]:
        """The parameters of the function whose ``def`` line starts at ``defined_at``."""
        if defined_at in self._parameters:
            return self._parameters[defined_at]
        found: dict[str, Parameter] = {}
        self._parameters[defined_at] = found
        structure = self._source.structure
        definition = PY_DEF.match(structure, defined_at)
        opening = structure.find("(", definition.end(), definition.end() + 200) if definition else -1
        if opening < 0 or structure[definition.end():opening].strip():
            return found
        end = closing_bracket(self._source, opening)
        position: int | None = 0
        for index, (start, stop) in enumerate(self._source.keyword_index.items_in(opening, end)):
            match = _DEFINED_PARAMETER.fullmatch(self._source.code[start:stop].strip())
            if match is None:
                continue
            stars, name = match.group(1), match.group(2)
            if stars:
                position = None  # what follows `*args` or `*` only a keyword passes
                continue
            if name is None or (index == 0 and name in ("self", "cls")):
                continue
            found[name] = Parameter(position, name, match.group(4))
            if position is not None:
                position += 1
        return found


# A JavaScript or TypeScript declaration (`const VERSION =`, `let api: string =`, `export
# var x =`; group 1 the keyword, group 2 the name), and a quoted word as its whole value.
# Read in the code.
_SCRIPT_DECLARATION = re.compile(r"(?<![\w$.])(const|let|var)\s+(" + IDENT + r")\s*(?::\s*[\w$.]{1,100}\s*)?=\s*")
# The next name of the same declaration (`, B = `; group 2, as in the declaration's pattern).
_SCRIPT_NEXT = re.compile(r"\s*,\s*()(" + IDENT + r")\s*(?::\s*[\w$.]{1,100}\s*)?=\s*")
_SCRIPT_WORD = re.compile(r"([\"'`])([\w.]{1,100})\1(?=\s*[;,)\n]|\s*$)")


def script_constants(source: LexedSource) -> dict[str, str | None]:
    """The words a JavaScript or TypeScript file's ``const`` declarations give names
    (``const VERSION = 'v1'``). A name declared more than once in the file stands for its
    word only where every declaration gives that word; else (another word in another
    function, a value computed, a ``let`` or ``var`` that may change) for none (``None``),
    since which one a use reads is not told."""
    code, structure = source.code, source.structure
    found: dict[str, str | None] = {}
    for match in _SCRIPT_DECLARATION.finditer(code):
        if structure[match.start()] != code[match.start()]:
            continue  # inside a string
        declared: re.Match[str] | None = match
        while declared is not None:  # `const A = 'x', B = 'y'`: each name in turn
            word = _SCRIPT_WORD.match(code, declared.end())
            value = word.group(2) if word and match.group(1) == "const" else None
            name = declared.group(2)
            found[name] = value if found.get(name, value) == value else None
            declared = _SCRIPT_NEXT.match(code, word.end()) if word else None
    return found
