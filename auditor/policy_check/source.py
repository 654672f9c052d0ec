"""The policy as plain text, with the way back to a line and column of the source file.

HTML is read with the standard library's :class:`html.parser.HTMLParser`: only character data
is kept, ``script``, ``style`` and similar elements are dropped with their content, and
nothing is ever run or fetched. Each piece of text remembers where it started in the source,
so a finding can point at the line and column a reader's editor opens, even in HTML.
Markdown and plain text are kept as they are (their markup does not disturb word matching).
"""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from auditor.model.errors import AuditorError

FORMATS = ("html", "markdown", "text")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")
# Elements whose content is not policy text a reader sees.
_SKIPPED = frozenset({"script", "style", "template", "svg", "math", "object", "iframe", "noscript"})
# Elements that end a passage: a new line in the extracted text keeps sentences apart.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt", "figcaption",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "td", "th", "title", "tr", "ul",
})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class PolicySourceError(AuditorError):
    """The policy file cannot be read as text (missing, too large, binary, undecodable)."""


@dataclass(frozen=True)
class PolicyText:
    """The readable text of a policy and a map from text offsets to source positions.

    ``anchors`` holds ``(text_offset, line, column)`` triples, sorted: from each anchor on,
    the text follows the source character for character until the next anchor (HTML adds
    anchors after every tag and character reference; a text file has one anchor).
    """

    source: str
    format: str
    text: str
    anchors: tuple[tuple[int, int, int], ...]
    newlines: tuple[int, ...]

    @classmethod
    def build(cls, source: str, text_format: str, text: str, anchors: list[tuple[int, int, int]]) -> PolicyText:
        newlines = tuple(match.start() for match in re.finditer("\n", text))
        return cls(source, text_format, text, tuple(anchors), newlines)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column in the source file of the character at ``offset``."""
        index = bisect.bisect_right(self.anchors, (offset, float("inf"), float("inf"))) - 1
        start, line, column = self.anchors[max(index, 0)]
        first = bisect.bisect_left(self.newlines, start)
        last = bisect.bisect_left(self.newlines, offset)
        if last == first:
            return line, column + offset - start
        return line + (last - first), offset - self.newlines[last - 1]


def detect_format(name: str, head: str, content_type: str | None = None) -> str:
    """``html``, ``markdown`` or ``text``: from the media type, the file name, then the content."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media == "text/markdown":
        return "markdown"
    lowered = name.lower().split("?")[0]
    if lowered.endswith(_HTML_SUFFIXES):
        return "html"
    if lowered.endswith(_MARKDOWN_SUFFIXES):
        return "markdown"
    if lowered.endswith(".txt"):
        return "text"
    start = head.lstrip()[:1024].lower()
    if start.startswith("<") and any(mark in start for mark in ("<!doctype html", "<html", "<body", "<head", "<p>")):
        return "html"
    return "text"


def decode_policy(raw: bytes, shown: str, charset: str | None = None) -> str:
    """Text of the policy bytes: UTF-8 (or the charset a web server declared), with line
    breaks normalised to ``\\n``; binary content is refused."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise PolicySourceError("binary content (NUL byte): this is not a text, Markdown or HTML file", shown)
    if raw.startswith(codecs.BOM_UTF8):
        raw, charset = raw[len(codecs.BOM_UTF8):], "utf-8"
    encoding = "utf-8"
    if charset:
        try:
            encoding = codecs.lookup(charset).name
        except LookupError:
            encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise PolicySourceError(f"the file is not valid {encoding} text (byte {exc.start})", shown) from None
    if not text.strip():
        raise PolicySourceError("the policy is empty", shown)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_policy_file(path: str, max_bytes: int) -> bytes:
    """The bytes of a local policy file, refusing folders, FIFOs and devices (never opened
    for reading) and files over ``max_bytes``."""
    from auditor.manifest.file_reading import read_bytes

    raw = read_bytes(path, max_bytes, path, PolicySourceError)
    if len(raw) > max_bytes:
        raise PolicySourceError(f"the policy is larger than the {max_bytes} byte limit", path,
                                hint="raise the limit with --max-size if the file is genuine")
    return raw


def load_policy(spec: str, max_bytes: int, timeout: float) -> PolicyText:
    """The policy named on the command line: a local file, or an https URL fetched with
    :func:`auditor.policy_check.fetch.fetch_policy`."""
    from auditor.policy_check.fetch import fetch_policy, is_url, shown_url

    if is_url(spec):
        page = fetch_policy(spec, max_bytes, timeout)
        shown = shown_url(spec)
        text = decode_policy(page.body, shown, page.charset)
        return policy_text(shown, text, detect_format(page.url, text, page.content_type))
    text = decode_policy(read_policy_file(spec, max_bytes), spec)
    return policy_text(spec, text, detect_format(spec, text))


def policy_text(source: str, text: str, text_format: str) -> PolicyText:
    """The :class:`PolicyText` of a decoded policy in ``text_format``."""
    if text_format == "html":
        return _html_text(source, text)
    return PolicyText.build(source, text_format, text, [(0, 1, 1)])


class _TextExtractor(HTMLParser):
    """Collects character data outside skipped elements, each piece with its source position."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.anchors: list[tuple[int, int, int]] = []
        self.length = 0
        self.skipping: list[str] = []

    def _add(self, text: str) -> None:
        if self.skipping or not text:
            return
        line, offset = self.getpos()
        self.anchors.append((self.length, line, offset + 1))
        self.parts.append(text)
        self.length += len(text)

    def _break(self) -> None:
        if not self.skipping and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
            self.length += 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED and tag not in _VOID:
            self.skipping.append(tag)
        elif tag in _BLOCKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        self._add(data)

    def handle_entityref(self, name: str) -> None:
        from html import unescape

        self._add(unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        from html import unescape

        self._add(unescape(f"&#{name};"))


def _html_text(source: str, markup: str) -> PolicyText:
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    text = "".join(extractor.parts)
    if not text.strip():
        raise PolicySourceError("the HTML page has no readable text", source)
    return PolicyText.build(source, "html", text, extractor.anchors or [(0, 1, 1)])
