"""Registrable domains (eTLD+1) of URLs, from the Public Suffix List bundled with the
``publicsuffixlist`` package: no download at run time. Imported lazily, only when a
manifest gives the URLs to compare.

The list has about 10,000 rules; parsing all of them costs about 25 ms, more than the rest
of a one-manifest audit's judging. A host can only match rules that end in its own last
label, so the parser is given those lines alone, found by searching the list's text for
that label (a few milliseconds), once per last label met; a batch that meets many labels
has the whole list parsed once instead.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

# A label's search and parse take a few milliseconds, the whole list's parse about 25: past
# this many last labels (a batch of many countries' hosts), the whole list is parsed once and
# answers for every label, so that no batch pays more than a few searches and one parse.
_LABELS_APART = 8
# The parsed rules of each last label met so far, until the whole list replaces them.
_by_label: dict[str, Any] = {}
_whole: list[Any] = []


@cache
def _list_text() -> str | None:
    """The bundled list's text, lowercased (as the parser lowercases each line); ``None``
    when the package does not say where its file is."""
    try:
        from publicsuffixlist import ENCODING, ERRORMODE, PSLFILE
    except ImportError:  # pragma: no cover - depends on the package's version
        return None
    with open(PSLFILE, "rb") as source:
        return source.read().decode(ENCODING, ERRORMODE).lower()


def _suffix_list(last_label: str) -> Any:
    """The parsed list that answers for a host ending in ``last_label``: that label's part
    of it (:func:`_rules_for`), or the whole list once enough labels have been met."""
    if _whole:
        return _whole[0]
    found = _by_label.get(last_label)
    if found is None:
        text = _list_text() if len(_by_label) < _LABELS_APART else None
        if text is not None:
            found = _by_label[last_label] = _rules_for(text, last_label)
        else:
            from publicsuffixlist import PublicSuffixList

            # Rules are matched in their Unicode spelling; encoding every rule to punycode
            # as well would triple the cost of parsing. Hosts are decoded before the lookup.
            found = PublicSuffixList(accept_encoded_idn=False)
            _whole.append(found)
            _by_label.clear()
            _list_text.cache_clear()
    return found


def _rules_for(text: str, last_label: str) -> Any:
    """The list (its lowercased ``text``) as far as a host ending in ``last_label`` can
    tell: the parser given the lines whose rule ends in that label. Any rule a lookup of
    such a host can hit does (``label``, ``….label``, ``!label``, ``*.….label``), and the
    parser's longest rule is then the longest of these, where the lookup starts: the
    answers are the whole list's."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(_rule_lines(text, last_label), accept_encoded_idn=False)


def _rule_lines(text: str, label: str) -> list[str]:
    """The lines of ``text`` (split at line feeds, as the parser reads its file) whose rule,
    read as the parser reads it (the text before the first space, trailing blanks
    stripped), ends in the label ``label``: is it, or ``!`` and it, or ends in ``.`` and it."""
    lines: list[str] = []
    find, rfind = text.find, text.rfind
    dotted, excepted = "." + label, "!" + label
    hit = find(label) if label else -1
    while hit != -1:
        start = rfind("\n", 0, hit) + 1
        end = find("\n", hit)
        if end == -1:
            end = len(text)
        line = text[start:end]
        rule = line.split(" ")[0].rstrip()
        if rule == label or rule.endswith(dotted) or rule == excepted:
            lines.append(line)
        hit = find(label, end + 1)
    return lines


def _unicode_labels(host: str) -> str:
    """``host`` with its punycode labels (``xn--…``) decoded, as the list's rules are written."""
    if "xn--" not in host:
        return host
    labels = []
    for label in host.split("."):
        try:
            labels.append(label.encode("ascii").decode("idna") if label.startswith("xn--") else label)
        except UnicodeError:
            labels.append(label)
    return ".".join(labels)


def registrable_domain(url: str | None) -> str | None:
    """The registrable domain (eTLD+1) of ``url``'s host; ``None`` for an IP address, a bare
    public suffix or no host."""
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:  # a malformed authority, such as an unclosed IPv6 bracket
        return None
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return None
    looked_up = _unicode_labels(host)
    found = _suffix_list(looked_up.lower().rpartition(".")[2]).privatesuffix(looked_up)
    if found is None:
        return None
    # In the host's own spelling: the last labels, as many as the registrable domain has.
    return ".".join(host.split(".")[-(found.count(".") + 1):])
