"""A stand-in for Google, served over real HTTP on 127.0.0.1 by a thread of the test process.

It emulates the four endpoints the probe talks to, closely enough that google-auth and
requests run unmodified against it:

* ``POST /token``: the OAuth 2.0 token endpoint (refresh-token grant, and the JWT-bearer
  grant of service accounts, whose RS256 signature is verified with the account's real
  public key);
* ``POST /tokeninfo``: what a token holds, numbers and booleans written as strings as
  Google does; 400 ``invalid_token`` for unknown or expired tokens;
* ``GET /admin/directory/v1/users``: users.list with paging;
* ``GET /admin/directory/v1/users/{key}/tokens``: tokens.list.

Faults are queued per route (``token``, ``tokeninfo``, ``users``, ``user_tokens``), or set
for good per Directory user: a status with headers, malformed JSON, a delay, or an answer
that echoes the request and its credentials back (:mod:`tests.probe.echo`). The server records every request line (never a
body), counts requests per route, measures how many Directory lookups were in flight at
once, and keeps every secret it handed out or was given, for the tests that check none of
them leaks.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.probe.echo import material as echo_material
from tests.probe.echo import render as render_echo
from tests.probe.echo import request_secrets

DIRECTORY_SCOPES = {
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.directory.user.security",
}


@dataclass
class Fault:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    malformed: bool = False
    echo: str | None = None  # a shape of tests.probe.echo.SHAPES


def fault(status: int = 200, *, retry_after: str | None = None, body: Any = None, delay: float = 0.0,
          malformed: bool = False, echo: str | None = None) -> Fault:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    raw = json.dumps(body).encode() if body is not None else None
    return Fault(status, headers, raw, delay, malformed, echo)


@dataclass
class ServiceAccount:
    email: str
    client_id: str
    public_key: Any
    # Subjects the admin allowed this account to impersonate, and with which scopes.
    delegated: dict[str, set[str]] = field(default_factory=dict)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class FakeGoogle:
    """Holds the emulated state; :meth:`start` serves it on an ephemeral port."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients: dict[str, str] = {}
        self.refresh_tokens: dict[str, tuple[str, str, str]] = {}  # token → (client id, scopes, email)
        self.service_accounts: dict[str, ServiceAccount] = {}
        self.tokens: dict[str, dict[str, str]] = {}
        self.secrets: set[str] = set()
        self.faults: dict[str, deque[Fault]] = {}
        self.fault_hook: Callable[[str, int], Fault | None] | None = None
        self.user_faults: dict[str, Fault] = {}  # user key → the fault every lookup of that user meets
        self.echoed: list[str] = []  # what each echoing answer said, before its shape's own escaping
        self.latency: dict[str, float] = {}
        self.request_lines: list[str] = []
        self.counts: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_at_start = 0  # the lookups in flight as each began, itself included, summed
        self.users: list[tuple[str, str]] = []
        self.user_grants: Callable[[int], list[dict[str, Any]]] = lambda index: []
        self.page_size_cap = 500
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ set-up helpers

    def secret(self, prefix: str) -> str:
        # With ``/``, ``+`` and ``=``, as real tokens and keys have: characters that URL, JSON
        # and HTML encodings spell differently.
        value = f"{prefix}-{secrets.token_urlsafe(18)}/{secrets.token_hex(3)}+{secrets.token_urlsafe(6)}="
        self.secrets.add(value)
        return value

    def issue_token(self, scopes: str, azp: str, email: str = "someone@example.com", expires_in: str = "3599",
                    aud: str | None = None) -> str:
        """A valid access token with this tokeninfo."""
        token = self.secret("ya29")
        self.tokens[token] = {"azp": azp, "aud": aud or azp, "sub": "1089", "scope": scopes, "exp": "1999999999",
                              "expires_in": expires_in, "email": email, "email_verified": "true",
                              "access_type": "offline"}
        return token

    def add_client(self, client_id: str) -> str:
        secret = self.secret("GOCSPX")
        self.clients[client_id] = secret
        return secret

    def add_refresh_token(self, client_id: str, scopes: str, email: str = "someone@example.com") -> str:
        token = self.secret("1//refresh")
        self.refresh_tokens[token] = (client_id, scopes, email)
        return token

    def add_service_account(self, email: str, client_id: str, public_key: Any) -> ServiceAccount:
        account = ServiceAccount(email, client_id, public_key)
        self.service_accounts[email] = account
        return account

    def add_users(self, count: int, grants: Callable[[int], list[dict[str, Any]]]) -> None:
        width = len(str(count))
        self.users = [(f"u{index:0{width}d}", f"user{index:0{width}d}@corp.example") for index in range(count)]
        self.user_grants = grants

    def queue(self, route: str, *faults: Fault) -> None:
        self.faults.setdefault(route, deque()).extend(faults)

    # ------------------------------------------------------------ serving

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGoogle:
        handler = type("Handler", (_Handler,), {"google": self})
        server = _QuietServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.request_queue_size = 256
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # ------------------------------------------------------------ routes

    def next_fault(self, route: str) -> Fault | None:
        with self.lock:
            self.counts[route] += 1
            number = self.counts[route]
            queued = self.faults.get(route)
            if queued:
                return queued.popleft()
        if self.fault_hook is not None:
            return self.fault_hook(route, number)
        return None

    def token_endpoint(self, form: dict[str, str]) -> tuple[int, Any]:
        grant = form.get("grant_type")
        if grant == "refresh_token":
            client_id = form.get("client_id", "")
            if self.clients.get(client_id) != form.get("client_secret"):
                return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}
            known = self.refresh_tokens.get(form.get("refresh_token", ""))
            if known is None or known[0] != client_id:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            scopes = form.get("scope") or known[1]
            token = self.issue_token(scopes, client_id, known[2])
            return 200, {"access_token": token, "expires_in": 3599, "scope": scopes, "token_type": "Bearer"}
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            assertion = form.get("assertion", "")
            self.secrets.add(assertion)
            return self._jwt_grant(assertion)
        return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"}

    def _jwt_grant(self, assertion: str) -> tuple[int, Any]:
        try:
            header_b64, payload_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64decode(header_b64))
            claims = json.loads(_b64decode(payload_b64))
            signature = _b64decode(signature_b64)
        except ValueError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT."}
        account = self.service_accounts.get(claims.get("iss", ""))
        if header.get("alg") != "RS256" or account is None:
            return 400, {"error": "invalid_grant", "error_description": "Invalid issuer or algorithm."}
        try:
            account.public_key.verify(signature, f"{header_b64}.{payload_b64}".encode(), padding.PKCS1v15(),
                                      hashes.SHA256())
        except Exception:  # noqa: BLE001 - any verification failure is a refusal
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if not claims.get("exp", 0) > time.time() - 60:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: Token must be a short-lived token"}
        scopes = claims.get("scope", "")
        subject = claims.get("sub")
        if subject is not None:
            allowed = account.delegated.get(subject, set())
            if not scopes or not set(scopes.split()) <= allowed:
                return 401, {"error": "unauthorized_client",
                             "error_description": "Client is unauthorized to retrieve access tokens using this method, "
                                                  "or client not authorized for any of the scopes requested."}
        token = self.issue_token(scopes, account.client_id, subject or account.email)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def tokeninfo(self, form: dict[str, str]) -> tuple[int, Any]:
        info = self.tokens.get(form.get("access_token", ""))
        if info is None or info.get("expires_in") == "expired":
            return 400, {"error": "invalid_token", "error_description": "Invalid Value"}
        return 200, info

    def _admin_token(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Bearer "):
            return False
        info = self.tokens.get(authorization[len("Bearer "):])
        return info is not None and DIRECTORY_SCOPES <= set(info["scope"].split())

    def users_list(self, query: dict[str, str], authorization: str | None) -> tuple[int, Any]:
        if not self._admin_token(authorization):
            return 403, {"error": {"code": 403, "message": "Not Authorized to access this resource/api"}}
        if query.get("customer") != "my_customer":
            return 400, {"error": {"code": 400, "message": "Bad Request"}}
        size = min(int(query.get("maxResults", "100")), self.page_size_cap)
        start = int(query["pageToken"][len("after-"):]) if "pageToken" in query else 0
        page = self.users[start:start + size]
        body: dict[str, Any] = {"kind": "admin#directory#users",
                                "users": [{"id": key, "primaryEmail": email, "kind": "admin#directory#user"}
                                          for key, email in page]}
        if start + size < len(self.users):
            body["nextPageToken"] = f"after-{start + size}"
        return 200, body

    def user_tokens(self, key: str, authorization: str | None) -> tuple[int, Any]:
        if not self._admin_token(authorization):
            return 403, {"error": {"code": 403, "message": "Not Authorized to access this resource/api"}}
        index = self._index_of(key)
        if index is None:
            return 404, {"error": {"code": 404, "message": "Resource Not Found: userKey"}}
        items = [{"kind": "admin#directory#token", "userKey": key, **grant} if isinstance(grant, dict) else grant
                 for grant in self.user_grants(index)]
        return 200, {"kind": "admin#directory#tokenList", "items": items} if items else {"kind": "admin#directory#tokenList"}

    def _index_of(self, key: str) -> int | None:
        if key.startswith("u") and key[1:].isdigit():
            index = int(key[1:])
            if index < len(self.users) and self.users[index][0] == key:
                return index
        return None


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)  # a client that hung up early is expected


class _Handler(BaseHTTPRequestHandler):
    google: FakeGoogle
    protocol_version = "HTTP/1.1"  # keep-alive, as Google serves
    # Headers and body go out in separate writes; with Nagle on, each answer would wait for
    # the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        return

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def _serve(self, method: str) -> None:
        google = self.google
        with google.lock:
            google.request_lines.append(f"{method} {self.path}")
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        form = {key: values[0] for key, values in parse_qs(raw.decode("utf-8")).items()}
        path = parts.path
        route, directory_key = self._route(method, path)
        if route is None:
            self._send(404, {"error": "not_found"})
            return
        counted = route == "user_tokens"
        if counted:
            with google.lock:
                google.in_flight += 1
                google.max_in_flight = max(google.max_in_flight, google.in_flight)
                google.in_flight_at_start += google.in_flight
        try:
            time.sleep(google.latency.get(route, 0.0))
            planned = google.next_fault(route)
            if route == "user_tokens" and directory_key in google.user_faults:
                planned = google.user_faults[directory_key]
            if planned is not None and planned.delay:
                time.sleep(planned.delay)
            if planned is not None and planned.echo:
                self._echo(planned, method, raw, form)
                return
            if planned is not None and (planned.status != 200 or planned.malformed or planned.body is not None):
                if planned.malformed:
                    self._send_raw(200, b'{"users": [ {"id": "u1", oops', planned.headers)
                else:
                    body = planned.body if planned.body is not None else json.dumps(
                        {"error": {"code": planned.status, "message": "Backend Error"}}).encode()
                    self._send_raw(planned.status, body, planned.headers)
                return
            authorization = self.headers.get("Authorization")
            if route == "token":
                status, body = google.token_endpoint(form)
            elif route == "tokeninfo":
                status, body = google.tokeninfo(form)
            elif route == "users":
                status, body = google.users_list(query, authorization)
            else:
                status, body = google.user_tokens(directory_key or "", authorization)
            self._send(status, body)
        finally:
            if counted:
                with google.lock:
                    google.in_flight -= 1

    @staticmethod
    def _route(method: str, path: str) -> tuple[str | None, str | None]:
        if method == "POST" and path == "/token":
            return "token", None
        if method == "POST" and path == "/tokeninfo":
            return "tokeninfo", None
        prefix = "/admin/directory/v1/users"
        if method == "GET" and path == prefix:
            return "users", None
        if method == "GET" and path.startswith(prefix + "/") and path.endswith("/tokens"):
            return "user_tokens", unquote(path[len(prefix) + 1:-len("/tokens")])
        return None, None

    def _echo(self, planned: Fault, method: str, raw: bytes, form: dict[str, str]) -> None:
        request_text = f"{method} {self.path} HTTP/1.1\n{self.headers}\n{raw.decode('utf-8', 'replace')}"
        said = echo_material(request_text, request_secrets(dict(self.headers.items()), form))
        content_type, body = render_echo(planned.echo or "", planned.status, said)
        with self.google.lock:
            self.google.echoed.append(said)
        self._send_raw(planned.status, body, {**planned.headers, "Content-Type": content_type})

    def _send(self, status: int, body: Any) -> None:
        self._send_raw(status, json.dumps(body).encode(), {})

    def _send_raw(self, status: int, raw: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        if "Content-Type" not in headers:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

