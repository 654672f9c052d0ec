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

    return PublicSuffixList()


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
    return _suffix_list().privatesuffix(host)
