"""Jinja2 environments for the templates in ``reports/templates/``.

HTML templates are autoescaped (every template name ending in ``.html`` or ``.html.j2``);
no value is printed with a control or bidi formatting character raw (see
:mod:`auditor.model.text_safety`), and the ``bdi`` filter isolates a value printed as text, so
right-to-left text in it cannot reorder the words around it.
Markdown is rendered without HTML autoescaping; values that come from a manifest go through
the ``cell`` filter (inside a table cell), the ``md`` filter (in running text) or the
``html_text`` filter (inside an HTML tag of the document).

Markdown goes into pull-request comments, where GitHub turns ``@name`` and ``@org/team``
into a notification. A backslash does not stop that, and neither does a character reference
(``&#64;``): the mention is found in the rendered text. Text in a code span or a ``<code>``
element is never a mention, so every mention-shaped word from outside is put in one.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from auditor.model.text_safety import printable


# Characters that can start Markdown or HTML constructs anywhere in a line: emphasis, code,
# links and images, tables, strikethrough, tags and entities.
_MARKDOWN_ESCAPES = {char: "\\" + char for char in "\\`*_[]()!|~{}"}
_MARKDOWN_ESCAPES.update({"<": "&lt;", ">": "&gt;", "&": "&amp;", "\r": " ", "\n": " "})
_MARKDOWN_TABLE = str.maketrans(_MARKDOWN_ESCAPES)


_LAYOUT_TO_SPACE = str.maketrans({"\r": " ", "\n": " ", "\t": " "})
# What GitHub reads as a mention: "@" not preceded by a letter, digit or underscore (so an
# e-mail address is not one), then a user or organisation name, maybe "/team". Matching a
# little more than GitHub does only puts a harmless word in code.
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?")
# A bare URL as GitHub's renderer (cmark-gfm's autolink extension) finds one in text. Its end
# is decided here, the way that extension decides it: trailing punctuation and a ")" that
# closes a parenthesis opened before the URL are not part of it.
_BARE_URL = re.compile(r"(?<![A-Za-z0-9_.+-])(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = "?!.,:;*_~"
# Characters an autolink ``<…>`` cannot hold, and "|", which ends a table cell even there.
_AUTOLINK_UNSAFE = str.maketrans({"<": "%3C", ">": "%3E", "|": "%7C", " ": "%20", "\\": "%5C"})
# Characters that mean something to Markdown or HTML, written as character references
# inside HTML tags of a Markdown document (where backslash escapes are not read).
_HTML_ENTITIES = str.maketrans({char: f"&#{ord(char)};" for char in "&<>\"'`*_[]()!|~\\{}#:"})


def _visible(value: Any) -> str:
    """One line of text: line breaks and tabs as spaces, other controls and bidi or
    invisible formatting characters written as visible escapes."""
    return printable(str(value).translate(_LAYOUT_TO_SPACE))


def _url_end(text: str, start: int, end: int) -> int:
    """Where the bare URL ``text[start:end]`` really ends: without trailing punctuation, and
    without closing parentheses that have no opening one inside the URL."""
    while end > start:
        last = text[end - 1]
        url = text[start:end]
        if last in _URL_TRAILING or (last == ")" and url.count(")") > url.count("(")):
            end -= 1
        else:
            break
    return end


def _escape_words(text: str) -> str:
    """Text without URLs, made inert: Markdown escapes, mentions in code spans."""
    # The name holds only letters, digits, "-", "_", "." and "/": nothing ends the span early.
    return _defuse_mentions(text, _MARKDOWN_TABLE, "`{}`")


def _defuse_mentions(text: str, table: dict[int, str], mention_format: str) -> str:
    """``text`` translated by ``table``, each ``@mention`` shown through ``mention_format``
    instead, so that GitHub notifies nobody."""
    pieces = []
    position = 0
    for mention in _MENTION.finditer(text):
        pieces.append(text[position:mention.start()].translate(table))
        pieces.append(mention_format.format(mention.group()))
        position = mention.end()
    pieces.append(text[position:].translate(table))
    return "".join(pieces)


def escape_markdown_text(value: Any) -> str:
    """Make ``value`` inert in Markdown: no emphasis, links, images, HTML or table breaks.

    Safe both in running text and inside a table cell (line breaks become spaces); a
    leading ``#``, ``-``, ``+`` or ``1.`` cannot start a heading or a list either. Control
    and bidi characters are shown as escapes (``\\x1b``, ``\\u202e``), and a mention-shaped
    ``@name`` is put in a code span so that it notifies no one.

    A bare URL is written as an autolink, ``<https://…>``. GitHub links bare URLs on its own,
    reading the Markdown source: a backslash escaping the ``)`` after a URL would be taken
    into the link (``…readonly%5C``) and shown. In ``<…>`` the URL is one unit that neither
    escapes nor the punctuation around it can change, and it links to exactly itself.
    """
    pieces = []
    position = 0
    text = _visible(value)
    for match in _BARE_URL.finditer(text):
        end = _url_end(text, match.start(), match.end())
        url = text[match.start():end]
        if url.lower() in ("http://", "https://", "www.") or end <= match.start():
            continue
        pieces.append(_escape_words(text[position:match.start()]))
        target = url if not url.lower().startswith("www.") else f"http://{url}"
        if target == url:
            pieces.append(f"<{url.translate(_AUTOLINK_UNSAFE)}>")
        else:
            # GitHub links "www." text to http://; say so explicitly rather than leave it to chance.
            pieces.append(f"[{_escape_words(url)}](<{target.translate(_AUTOLINK_UNSAFE)}>)")
        position = end
    pieces.append(_escape_words(text[position:]))
    text = "".join(pieces)
    if text[:1] in ("#", "-", "+"):
        text = "\\" + text
    else:
        digits = len(text) - len(text.lstrip("0123456789"))
        if digits and text[digits:digits + 1] in (".", ")"):
            text = text[:digits] + "\\" + text[digits:]
    return text


# Table cells need nothing more than running text does.
escape_markdown_cell = escape_markdown_text


def escape_markdown_html(value: Any) -> str:
    """``value`` as inert text inside an HTML element of a Markdown document (a
    ``<summary>``, say), where Markdown escapes are not read: character references for
    everything Markdown or HTML could act on, mentions inside ``<code>``."""
    return _defuse_mentions(_visible(value), _HTML_ENTITIES, "<code>{}</code>")


def _html_printable(value: Any) -> Any:
    """Every value a template prints, before autoescaping: controls and bidi formatting
    characters as visible escapes. Markup is ours (or already made safe) and passes."""
    if value is None or hasattr(value, "__html__") or isinstance(value, (int, float)):
        return value
    return printable(value)


def bidi_isolate(value: Any) -> Any:
    """A value printed as text in HTML, in a ``<bdi>`` element: its own direction, and no
    effect on the direction of the text around it."""
    # The same texts come back finding after finding (a rule's title, remediation and
    # quote, a manifest's path, recurring messages): each plain text is isolated once.
    if type(value) is str:
        isolated = _ISOLATED.get(value)
        if isolated is None:
            if len(_ISOLATED) >= 4096:
                _ISOLATED.clear()
            isolated = _ISOLATED[value] = _isolate(value)
        return isolated
    return _isolate(value)


def _isolate(value: Any) -> Any:
    import markupsafe

    inner = markupsafe.Markup(printable(value.__html__())) if hasattr(value, "__html__") else printable(value)
    return markupsafe.Markup("<bdi>%s</bdi>") % inner


_ISOLATED: dict[str, Any] = {}


@cache
def html_environment() -> Any:
    """The autoescaping environment for HTML templates."""
    import jinja2

    from auditor.reporters.template_cache import bytecode_cache
    from auditor.resources import templates_dir

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=bytecode_cache("html"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "html.j2"), default_for_string=True,
                                            default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=_html_printable,
    )
    environment.filters["bdi"] = bidi_isolate
    return environment


@cache
def markdown_environment() -> Any:
    import jinja2

    from auditor.reporters.template_cache import bytecode_cache
    from auditor.resources import templates_dir

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=bytecode_cache("markdown"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["cell"] = escape_markdown_cell
    environment.filters["md"] = escape_markdown_text
    environment.filters["html_text"] = escape_markdown_html
    return environment
