"""Token sources: turn what the user points at into an access token.

Four sources, one at a time: an access token in an environment variable; an
authorized-user JSON file (client id, client secret, refresh token); a service-account JSON
file (optionally impersonating a user through domain-wide delegation); and Application
Default Credentials. google-auth builds and refreshes the credentials; this module gives
it the token endpoint to use and the timeout, and translates its errors.

Problems with what the user gave (a missing variable, an unreadable or malformed file) are
:class:`~auditor.model.errors.AuditorError` (exit 2); an endpoint that cannot be reached or
refuses the credentials is a :class:`~auditor.model.errors.ProbeError` (exit 3).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any

import google.auth
import google.auth.exceptions
import google.auth.transport
import google.oauth2.credentials
import google.oauth2.service_account
import requests

from auditor.model.errors import AuditorError
from auditor.probe.deadline import Watchdog
from auditor.probe.http_client import (AnswerTooLarge, HttpClient, connection_problem, endpoint_of, probe_error,
                                       read_limited, size_words)
from auditor.probe.redaction import Secret, redact, remember

log = logging.getLogger("auditor.probe.credentials")

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
MAX_CREDENTIALS_BYTES = 1024 * 1024
# A token response is a few hundred bytes; a larger answer is cut off, not read into memory.
MAX_TOKEN_ANSWER_BYTES = 1024 * 1024
TOKEN_ENDPOINT = "the token endpoint"
# Fields of a credentials file that are secret, whichever type it is.
_SECRET_FIELDS = ("refresh_token", "client_secret", "private_key", "private_key_id", "token", "access_token")


@dataclass(frozen=True)
class TokenSource:
    """Where the access token comes from (exactly one of ``env_var``, ``path``, ``adc``)."""

    env_var: str | None = None
    path: str | None = None
    adc: bool = False
    subject: str | None = None
    scopes: tuple[str, ...] = ()
    token_uri: str | None = None

    def describe(self) -> str:
        if self.env_var:
            return f"the access token in ${self.env_var}"
        if self.path:
            return f"the credentials in {self.path}"
        return "Application Default Credentials"


class _Answer(google.auth.transport.Response):
    """An answer read to the end, in the shape google-auth reads."""

    def __init__(self, status: int, headers: Any, data: bytes) -> None:
        self._status, self._headers, self._data = status, headers, data

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> Any:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data


class _TimedRequest(google.auth.transport.Request):
    """The transport google-auth calls the token endpoint with: the probe's timeout as a
    deadline for each whole exchange, and a size cap on the answer.

    google-auth passes no timeout of its own there, so without this it would wait for its
    two-minute default, and read an answer of any size into memory.
    """

    def __init__(self, session: requests.Session, timeout: float, watchdog: Watchdog | None = None) -> None:
        self._session = session
        self._timeout = timeout
        self._watchdog = watchdog or Watchdog()

    def __call__(self, url: str, method: str = "GET", body: Any = None, headers: Any = None,
                 timeout: float | None = None, **kwargs: Any) -> Any:
        log.debug("%s %s (google-auth)", method, endpoint_of(url))
        seconds = min(timeout or self._timeout, self._timeout)
        with self._watchdog.deadline(seconds) as deadline:
            raw: requests.Response | None = None
            try:
                raw = self._session.request(method, url, data=body, headers=headers, timeout=seconds, stream=True,
                                            **kwargs)
                data = read_limited(raw, MAX_TOKEN_ANSWER_BYTES)
                if deadline.expired:  # the cut-off connection may look like an answer that ended
                    raise requests.exceptions.ReadTimeout()
                answer = _Answer(raw.status_code, raw.headers, data)
                raw = None
                return answer
            except AnswerTooLarge:
                raise probe_error(f"{TOKEN_ENDPOINT} answered with more than {size_words(MAX_TOKEN_ANSWER_BYTES)}, "
                                  "more than the probe reads from it", endpoint_of(url),
                                  hint="check that --token-uri points at an OAuth 2.0 token endpoint") from None
            except requests.exceptions.RequestException as exc:
                cause = requests.exceptions.ReadTimeout() if deadline.expired else exc
                raise google.auth.exceptions.TransportError(cause) from None
            finally:
                if raw is not None:
                    raw.close()


def obtain_access_token(source: TokenSource, http: HttpClient) -> Secret:
    """The access token of ``source``, refreshed through its token endpoint where needed."""
    if source.env_var:
        value = os.environ.get(source.env_var, "").strip()
        if not value:
            raise AuditorError(f"the environment variable {source.env_var} is not set or empty",
                               f"${source.env_var}", hint="export the access token in it before running the probe")
        return Secret(value)
    request = _TimedRequest(http.auth_session(), http.timeout, http.watchdog)
    if source.path:
        credentials, token_uri = _from_file(source)
    else:
        credentials, token_uri = _from_adc(source, request)
    return _refresh(credentials, request, token_uri)


def load_credentials_file(path: str) -> dict[str, Any]:
    """Read a credentials JSON file and register its secret fields (never show them)."""
    from auditor.manifest.file_reading import read_bytes

    # Refuses folders, FIFOs and devices without opening them; never quotes the content.
    raw = read_bytes(path, MAX_CREDENTIALS_BYTES, path, AuditorError)
    if len(raw) > MAX_CREDENTIALS_BYTES:
        raise AuditorError("too large for a credentials file", path)
    try:
        info = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # The parser's message could quote part of the file, which holds secrets.
        raise AuditorError("not a JSON credentials file (the file could not be parsed as JSON)", path) from None
    if not isinstance(info, dict):
        raise AuditorError("not a JSON credentials file (expected a JSON object)", path)
    for field in _SECRET_FIELDS:
        if isinstance(info.get(field), str):
            remember(info[field])
    return info


def _require(info: dict[str, Any], fields: tuple[str, ...], kind: str, path: str) -> None:
    missing = [field for field in fields if not isinstance(info.get(field), str) or not info[field]]
    if missing:
        raise AuditorError(f"{kind} credentials file lacks {', '.join(missing)}", path)


def _from_file(source: TokenSource) -> tuple[Any, str]:
    assert source.path is not None
    path = source.path
    info = load_credentials_file(path)
    kind = info.get("type")
    if kind == "authorized_user":
        if source.subject:
            raise AuditorError("--subject needs a service-account credentials file; this one is an authorized user", path)
        _require(info, ("client_id", "client_secret", "refresh_token"), "the authorized-user", path)
        # google-auth's from_authorized_user_info always uses Google's endpoint and drops the
        # file's token_uri, so the credentials are built with the endpoint chosen here.
        token_uri = source.token_uri or _string(info.get("token_uri")) or GOOGLE_TOKEN_URI
        credentials = google.oauth2.credentials.Credentials(
            token=None,
            refresh_token=info["refresh_token"],
            token_uri=token_uri,
            client_id=info["client_id"],
            client_secret=info["client_secret"],
            scopes=list(source.scopes) or None,
        )
        return credentials, token_uri
    if kind == "service_account":
        _require(info, ("client_email", "private_key"), "the service-account", path)
        if not source.scopes:
            raise AuditorError("a service account needs --scopes naming the scopes to request", path)
        token_uri = source.token_uri or _string(info.get("token_uri")) or GOOGLE_TOKEN_URI
        try:
            credentials = google.oauth2.service_account.Credentials.from_service_account_info(
                {**info, "token_uri": token_uri}, scopes=list(source.scopes), subject=source.subject or None)
        except (ValueError, TypeError, KeyError):
            # The underlying message may quote the key; say only what is wrong.
            raise AuditorError("the service account's private_key could not be read as a PEM RSA key", path) from None
        return credentials, token_uri
    shown = kind if isinstance(kind, str) else None
    raise AuditorError(
        f"unsupported credentials type {shown!r}" if shown else "the credentials file has no \"type\" field",
        path, hint="give an authorized_user or service_account JSON file, or use --adc for other kinds",
    )


def _from_adc(source: TokenSource, request: _TimedRequest) -> tuple[Any, str]:
    named = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if named:
        try:  # only to learn its secrets, so that they are masked wherever they might surface
            load_credentials_file(named)
        except AuditorError:
            pass  # google-auth reports the problem with the file
    try:
        credentials, _project = google.auth.default(scopes=list(source.scopes) or None, request=request)
    except google.auth.exceptions.DefaultCredentialsError as exc:
        # Its message names files and environment variables, never their contents.
        raise AuditorError(f"no usable Application Default Credentials: {_first_sentence(str(exc))}", "--adc",
                           hint="set GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default login`") from None
    for field in ("refresh_token", "client_secret", "token"):
        value = getattr(credentials, field, None)
        if isinstance(value, str):
            remember(value)
    if source.token_uri and hasattr(credentials, "with_token_uri"):
        credentials = credentials.with_token_uri(source.token_uri)
    if source.subject:
        if not hasattr(credentials, "with_subject"):
            raise AuditorError("--subject needs service-account Application Default Credentials", "--adc")
        credentials = credentials.with_subject(source.subject)
    if getattr(credentials, "requires_scopes", False):
        raise AuditorError("these Application Default Credentials need --scopes naming the scopes to request", "--adc")
    token_uri = getattr(credentials, "_token_uri", None) or source.token_uri or GOOGLE_TOKEN_URI
    return credentials, token_uri


def _refresh(credentials: Any, request: _TimedRequest, token_uri: str) -> Secret:
    endpoint = endpoint_of(token_uri)
    try:
        credentials.refresh(request)
    except google.auth.exceptions.RefreshError as exc:
        raise probe_error(f"{TOKEN_ENDPOINT} refused the credentials: {_refresh_detail(exc)}", endpoint,
                          hint="check the credentials file, the scopes and, for --subject, the domain-wide delegation") from None
    except google.auth.exceptions.TransportError as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, requests.exceptions.Timeout):
            raise probe_error(f"{TOKEN_ENDPOINT} did not answer within {request._timeout:g} s", endpoint,
                              hint="check the network, or allow more time with --timeout") from None
        raise probe_error(f"cannot reach {TOKEN_ENDPOINT}: {connection_problem(cause)}", endpoint,
                          hint="check --token-uri and the network") from None
    except google.auth.exceptions.GoogleAuthError as exc:
        raise probe_error(f"{TOKEN_ENDPOINT} could not be used: {type(exc).__name__}", endpoint) from None
    except (TypeError, ValueError, KeyError, AttributeError):
        # google-auth trips over a 200 answer that is not a token response.
        raise probe_error(f"{TOKEN_ENDPOINT} answered with something that is not a token response (malformed JSON)",
                          endpoint, hint="check that --token-uri points at an OAuth 2.0 token endpoint") from None
    token = getattr(credentials, "token", None)
    if not isinstance(token, str) or not token:
        raise probe_error(f"{TOKEN_ENDPOINT} returned no access token", endpoint)
    secret = Secret(token)
    refreshed = getattr(credentials, "refresh_token", None)
    if isinstance(refreshed, str):
        remember(refreshed)
    log.debug("obtained an access token from %s", endpoint)
    return secret


def _refresh_detail(exc: google.auth.exceptions.RefreshError) -> str:
    """The OAuth error code and description of a refused refresh, shortened; secrets masked."""
    data = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        text = data["error"]
        if isinstance(data.get("error_description"), str) and data["error_description"]:
            text += f" ({data['error_description']})"
    elif isinstance(data, str) and data.strip():
        text = data
    else:
        text = str(exc.args[0]) if exc.args else "no reason given"
    text = " ".join(redact(text).split())
    return text[:200] + ("…" if len(text) > 200 else "")


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    head, dot, _rest = text.partition(". ")
    return head + ("." if dot else "")
