"""Ask the tokeninfo endpoint what an access token holds.

The token travels in the body of a POST, never in the URL (a URL ends up in proxy and
server logs). tokeninfo writes numbers and booleans as strings (``"expires_in": "3599"``,
``"email_verified": "true"``), and a proxy standing in for it may not, so every field is
parsed defensively: a value of the wrong shape is treated as absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.probe.http_client import HttpClient, probe_error
from auditor.probe.redaction import Secret, redact
from auditor.catalog.scope_names import canonical_scope

GOOGLE_TOKENINFO_URL = "https://oauth2.googleapis.com/tokeninfo"
SERVICE = "the tokeninfo endpoint"
# tokeninfo answers with a few hundred bytes; anything past this is not tokeninfo.
MAX_ANSWER_BYTES = 1024 * 1024
# tokeninfo answers 400 with one of these when the token is unknown, revoked or expired.
_INVALID_TOKEN_ERRORS = frozenset({"invalid_token", "invalid_request", "invalid_grant"})


@dataclass(frozen=True)
class TokenInfo:
    """What tokeninfo says about a token; scopes in canonical (full URL) form, sorted."""

    scopes: tuple[str, ...]
    azp: str | None
    aud: str | None
    email: str | None
    email_verified: bool | None
    expires_in: int | None

    @property
    def client_ids(self) -> tuple[str, ...]:
        """The client ids the token names (``azp``, then ``aud`` when it differs)."""
        ids: list[str] = []
        for value in (self.azp, self.aud):
            if value and value not in ids:
                ids.append(value)
        return tuple(ids)


def parse_int(value: Any) -> int | None:
    """An integer from a JSON number or a numeric string; ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def parse_bool(value: Any) -> bool | None:
    """A boolean from a JSON boolean or the strings ``"true"`` / ``"false"``; ``None`` otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return redact(value.strip())  # shown in findings: an echoed secret must not be
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a service account's numeric client id, sent as a number
    return None


def parse_scopes(value: Any) -> tuple[str, ...]:
    """Scopes from a space-separated string (or, defensively, a list of strings)."""
    if isinstance(value, str):
        names = value.split()
    elif isinstance(value, list):
        names = [item for item in value if isinstance(item, str)]
    else:
        names = []
    return tuple(sorted({canonical_scope(redact(name)) for name in names if name.strip()}))


def parse_tokeninfo(document: dict[str, Any]) -> TokenInfo:
    """Build a :class:`TokenInfo` from tokeninfo's JSON object."""
    return TokenInfo(
        scopes=parse_scopes(document.get("scope")),
        azp=_text(document.get("azp")),
        aud=_text(document.get("aud")),
        email=_text(document.get("email")),
        email_verified=parse_bool(document.get("email_verified")),
        expires_in=parse_int(document.get("expires_in")),
    )


def fetch_tokeninfo(http: HttpClient, url: str, token: Secret) -> TokenInfo:
    """What ``url`` (a tokeninfo endpoint) says about ``token``."""
    response = http.call("POST", url, service=SERVICE, form={"access_token": token}, max_bytes=MAX_ANSWER_BYTES)
    if response.status in (400, 401) and (response.error_code() in _INVALID_TOKEN_ERRORS or response.status == 401):
        raise probe_error(f"the access token is invalid or has expired ({SERVICE} answered {response.detail()})",
                          response.endpoint, hint="obtain a fresh access token and run the probe again")
    if not response.ok:
        raise response.unexpected(SERVICE)
    info = parse_tokeninfo(response.json_object(SERVICE))
    if info.expires_in is not None and info.expires_in <= 0:
        raise probe_error(f"the access token has expired ({SERVICE} reports expires_in {info.expires_in})",
                          response.endpoint, hint="obtain a fresh access token and run the probe again")
    return info
