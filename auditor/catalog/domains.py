"""Registrable domains (eTLD+1) of URLs, from the Public Suffix List bundled with the
``publicsuffixlist`` package: no download at run time. Imported lazily, only when a
manifest gives the URLs to compare."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit


@cache
def _suffix_list() -> Any:
    from publicsuffixlist import PublicSuffixList

    # Rules are matched in their Unicode spelling; encoding every rule to punycode as well
    # would triple the start-up cost of the list. Hosts are decoded before the lookup instead.
    return PublicSuffixList(accept_encoded_idn=False)


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
    found = _suffix_list().privatesuffix(_unicode_labels(host))
    if found is None:
        return None
    # In the host's own spelling: the last labels, as many as the registrable domain has.
    return ".".join(host.split(".")[-(found.count(".") + 1):])
