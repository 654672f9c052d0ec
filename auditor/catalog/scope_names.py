"""Scope spelling: the short and the full form of an OAuth scope name the same scope."""

from __future__ import annotations

AUTH_PREFIX = "https://www.googleapis.com/auth/"

# OpenID Connect scopes stay bare; ``email`` and ``profile`` are Google's aliases of the
# ``userinfo`` scopes, so both spellings canonicalise to the userinfo URL.
_ALIASES = {
    "email": AUTH_PREFIX + "userinfo.email",
    "profile": AUTH_PREFIX + "userinfo.profile",
}
_BARE = frozenset({"openid"})


def canonical_scope(scope: str) -> str:
    """Return the full URL of ``scope`` (``openid`` stays bare).

    ``gmail.readonly`` → ``https://www.googleapis.com/auth/gmail.readonly``; a full URL is
    returned unchanged apart from surrounding white space.
    """
    name = scope.strip()
    if name in _BARE:
        return name
    if name in _ALIASES:
        return _ALIASES[name]
    if "://" in name:
        return name
    return AUTH_PREFIX + name


def short_scope(scope: str) -> str:
    """Return the short form used in manifests and client libraries where one exists."""
    full = canonical_scope(scope)
    for short, url in _ALIASES.items():
        if full == url:
            return short
    if full.startswith(AUTH_PREFIX):
        return full[len(AUTH_PREFIX):]
    return full
