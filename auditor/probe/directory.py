"""The two Admin SDK Directory calls the domain inventory needs: users.list and tokens.list.

Answers are parsed defensively: an entry of the wrong shape is skipped rather than trusted,
and booleans may arrive as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from auditor.probe.http_client import HttpClient, endpoint_of, probe_error
from auditor.probe.redaction import Secret
from auditor.probe.tokeninfo import parse_bool

GOOGLE_ADMIN_API_URL = "https://admin.googleapis.com"
SERVICE = "the Directory API"
# What tokens.list needs: the user list, and the tokens users granted to third-party apps.
DOMAIN_SCOPES = (
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.directory.user.security",
)
PAGE_SIZE = 500  # the most users.list returns per page
# The most a Directory answer may weigh: a page of 500 users is a few hundred KiB, so an
# answer this large is not one; it is cut off instead of filling memory.
MAX_PAGE_BYTES = 16 * 1024 * 1024
_AUTH_HINT = ("the admin (--subject) must be allowed to read users and their tokens, and the service account's "
              "client id authorized for the scopes in the Admin console (domain-wide delegation)")


@dataclass(frozen=True)
class DirectoryUser:
    key: str  # the immutable user id where given, else the primary e-mail
    email: str


@dataclass(frozen=True)
class AppGrant:
    """One third-party app's token for one user (``tokens.list`` item)."""

    client_id: str
    display_text: str
    scopes: tuple[str, ...]
    native_app: bool | None
    anonymous: bool | None


class DirectoryClient:
    """users.list (paged) and tokens.list against ``base_url`` (Google's or a stand-in)."""

    def __init__(self, http: HttpClient, base_url: str, token: Secret, customer: str = "my_customer") -> None:
        self.http = http
        self.root = base_url.rstrip("/") + "/admin/directory/v1"
        self.users_endpoint = endpoint_of(self.root + "/users")
        self.token = token
        self.customer = customer

    def user_pages(self) -> Iterator[list[DirectoryUser]]:
        """Every user of the domain, one page at a time."""
        page_token: str | None = None
        seen_tokens: set[str] = set()
        while True:
            params: dict[str, Any] = {"customer": self.customer, "maxResults": PAGE_SIZE, "orderBy": "email",
                                      "fields": "nextPageToken,users(id,primaryEmail)"}
            if page_token:
                params["pageToken"] = page_token
            response = self.http.call("GET", f"{self.root}/users", service=SERVICE, params=params, bearer=self.token,
                                      max_bytes=MAX_PAGE_BYTES)
            body = _body_of(response)
            yield [user for user in map(_user, _list(body.get("users"))) if user is not None]
            next_token = body.get("nextPageToken")
            if not isinstance(next_token, str) or not next_token:
                return
            if next_token in seen_tokens:
                raise probe_error(f"{SERVICE} returned the same page token twice; stopping instead of looping",
                                  response.endpoint)
            seen_tokens.add(next_token)
            page_token = next_token

    def tokens(self, user: DirectoryUser) -> list[AppGrant] | None:
        """The third-party tokens ``user`` granted; ``None`` when the user no longer exists."""
        url = f"{self.root}/users/{quote(user.key, safe='@')}/tokens"
        response = self.http.call("GET", url, service=SERVICE, bearer=self.token, max_bytes=MAX_PAGE_BYTES)
        if response.status == 404:
            return None
        body = _body_of(response)
        return [grant for grant in map(_grant, _list(body.get("items"))) if grant is not None]


def _body_of(response: Any) -> dict[str, Any]:
    """The JSON object of a successful Directory answer; a located error otherwise."""
    if response.status in (401, 403):
        raise response.unexpected(SERVICE, hint=_AUTH_HINT)
    if not response.ok:
        raise response.unexpected(SERVICE)
    return response.json_object(SERVICE)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _user(item: Any) -> DirectoryUser | None:
    if not isinstance(item, dict):
        return None
    email = item.get("primaryEmail") if isinstance(item.get("primaryEmail"), str) else ""
    key = item.get("id") if isinstance(item.get("id"), str) and item.get("id") else email
    return DirectoryUser(key, email or key) if key else None


def _grant(item: Any) -> AppGrant | None:
    if not isinstance(item, dict) or not isinstance(item.get("clientId"), str) or not item["clientId"].strip():
        return None
    scopes = tuple(scope for scope in _list(item.get("scopes")) if isinstance(scope, str) and scope.strip())
    display = item.get("displayText")
    return AppGrant(
        client_id=item["clientId"].strip(),
        display_text=display.strip() if isinstance(display, str) else "",
        scopes=scopes,
        native_app=parse_bool(item.get("nativeApp")),
        anonymous=parse_bool(item.get("anonymous")),
    )
