"""Answers that echo a request back, as careless or hostile endpoints do, and the list of
every spelling of a secret that must then not reach the probe's output.

The spellings are computed here on their own, from the standard library's encoders, so
that the tests do not check the probe's masking against itself.
"""

from __future__ import annotations

import base64
import html
import json
import re
from urllib.parse import quote, quote_plus

SHAPES = ("json", "oauth", "text", "html", "long")
# Prefixes of 9, 10 and 11 bytes put what follows at each of the three base64 alignments.
BASIC_PREFIXES = ("client-1:", "client-12:", "client-123:")


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group().lower(), text)


def _entities(text: str, decimal: bool) -> str:
    return "".join(char if char.isalnum() else (f"&#{ord(char)};" if decimal else f"&#x{ord(char):X};")
                   for char in text)


def encodings(secret: str) -> list[str]:
    """The secret as an echo may write it: raw, URL-encoded (every way), JSON-escaped,
    HTML-escaped, base64 (both alphabets, with and without padding, and inside a Basic
    credential at each alignment)."""
    data = secret.encode("utf-8")
    standard = base64.b64encode(data).decode()
    forms = [
        secret,
        quote(secret, safe=""), _lower_hex(quote(secret, safe="")), quote(secret), quote_plus(secret),
        _lower_hex(quote_plus(secret)), quote(quote(secret, safe=""), safe=""),
        json.dumps(secret)[1:-1].replace("/", "\\/"),
        "".join(f"\\u{ord(char):04x}" for char in secret), "".join(f"\\u{ord(char):04X}" for char in secret),
        html.escape(secret), _entities(secret, decimal=True), _entities(secret, decimal=False),
        standard, standard.rstrip("="), base64.urlsafe_b64encode(data).decode(),
        base64.urlsafe_b64encode(data).decode().rstrip("="),
    ]
    for prefix in BASIC_PREFIXES:
        blob = (prefix + secret + ":after").encode()
        forms += ["Basic " + base64.b64encode(blob).decode(), base64.urlsafe_b64encode(blob).decode().rstrip("=")]
    return forms


def forbidden(secret: str) -> list[str]:
    """What must not appear in any output: each encoding of the secret, the base64
    characters that carry only the secret's bits at each alignment, and any 12 characters
    of the secret in a row (a cut-off echo)."""
    data = secret.encode("utf-8")
    found = [form for form in encodings(secret) if not form.startswith("Basic ") and not form.endswith(":after")]
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode().rstrip("=")
        first = -(-8 * offset // 6)  # the first character whose 6 bits all belong to the secret
        last = 8 * (offset + len(data)) // 6
        core = encoded[first:last]
        found += [core, core.replace("+", "-").replace("/", "_")]
    found += [secret[start:start + 12] for start in range(len(secret) - 11)]
    return sorted(set(found))


def request_secrets(headers: dict[str, str], form: dict[str, str]) -> list[str]:
    """The credentials a request carried: a bearer token, and secret form fields."""
    found = []
    authorization = headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        found.append(authorization[len("Bearer "):])
    found += [form[name] for name in ("access_token", "refresh_token", "client_secret", "assertion") if form.get(name)]
    return found


def material(request_text: str, secrets: list[str]) -> str:
    """What an echo says: every encoding of each secret the request carried, then the request."""
    return " ".join(form for secret in secrets for form in encodings(secret)) + "\n" + request_text


def render(shape: str, status: int, material: str) -> tuple[str, bytes]:
    """An error answer of ``shape`` that carries ``material``."""
    if shape == "json":
        body = json.dumps({"error": {"code": status, "message": "Invalid request: " + material,
                                     "errors": [{"reason": "badRequest", "message": material}]}})
        return "application/json; charset=UTF-8", body.replace("/", "\\/").encode()
    if shape == "oauth":
        return "application/json", json.dumps({"error": "invalid_token", "error_description": material}).encode()
    if shape == "text":
        return "text/plain; charset=utf-8", ("Bad request. " + material).encode()
    if shape == "html":
        page = (f"<!DOCTYPE html><html><head><title>Error {status}</title></head><body><h1>Error {status}</h1>"
                f"<pre>{html.escape(material)}</pre></body></html>")
        return "text/html; charset=UTF-8", page.encode()
    if shape == "long":
        # The first secret straddles the 200th character, where a shown message is cut.
        return "text/plain", ("x" * 180 + " " + material + " " + "y" * 20_000).encode()
    raise ValueError(shape)
