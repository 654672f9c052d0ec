"""HTTP for the probe: a deadline and a size cap for every call, retries with backoff,
errors translated.

Every call goes through :class:`HttpClient`. Each attempt must be over (connected, sent,
answer read to the end) within the timeout, however slowly the server drips its answer
(:mod:`auditor.probe.deadline`), and the answer is read in chunks and abandoned as soon as
it passes the caller's size cap, so a huge answer costs neither time nor memory. A
response of 429 or 5xx is retried with exponential backoff and jitter, waiting at least as
long as a ``Retry-After`` header asks. Network failures and timeouts become a
:class:`~auditor.model.errors.ProbeError` naming the endpoint (scheme, host and path: never the
query, never a header), and every message passes through
:func:`~auditor.probe.redaction.redact` before any of it is shortened for display.
"""

from __future__ import annotations

import codecs
import email.utils
import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import requests.utils

from auditor import __version__
from auditor.model.errors import ProbeError
from auditor.probe.deadline import DeadlineAdapter, Watchdog
from auditor.probe.redaction import Secret, redact, redact_head

log = logging.getLogger("auditor.probe.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_DETAIL_LIMIT = 200
# How much of an error answer is searched for the words shown (of which _DETAIL_LIMIT are).
_DETAIL_WINDOW = 16 * 1024
# What an answer may weigh unless the caller says otherwise; tokeninfo answers in bytes.
DEFAULT_MAX_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


class Cancelled(Exception):
    """The run is being interrupted: raised instead of starting or retrying a call."""


def probe_error(message: str, endpoint: str | None, hint: str | None = None) -> ProbeError:
    """A :class:`ProbeError` whose message and hint have had every known secret masked."""
    return ProbeError(redact(message), endpoint, hint=redact(hint) if hint else None)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a call answered with 429 or 5xx."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    # A server that asks for a longer pause than this gets an error instead of a stalled run.
    max_retry_after: float = 120.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The pause before retry number ``retry`` (1-based).

        Exponential, with half of each step drawn at random: concurrent workers that failed
        together spread out, while every pause still grows.
        """
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay or HTTP date); ``None`` if unusable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # RFC 9110 dates are in GMT
        import datetime

        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def endpoint_of(url: str) -> str:
    """``url`` without user info, query and fragment: how errors and logs name an endpoint."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def connection_problem(exc: BaseException) -> str:
    """A short, secret-free description of why a connection failed."""
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "resolve" in text:
        return "host name not found"
    if "ssl" in text or "certificate" in text:
        return "TLS handshake failed"
    if "reset" in text or "aborted" in text or "disconnected" in text:
        return "the server closed the connection"
    if "unreachable" in text:
        return "network unreachable"
    return "network error"


def size_words(count: int) -> str:
    """``1 MiB``, ``16 MiB``, ``512 KiB`` or ``900 bytes``."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


@dataclass(frozen=True)
class Response:
    """What an endpoint answered: status, parsed JSON (``None`` when the body is not JSON),
    and the bytes of the body (never more than the call's size cap)."""

    status: int
    body: Any
    content: bytes
    charset: str
    endpoint: str
    attempts: int

    @property
    def text(self) -> str:
        return self.content.decode(self.charset, errors="replace")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error_code(self) -> str | None:
        """OAuth's ``error`` string, when the body carries one."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), str):
            return self.body["error"]
        return None

    def detail(self) -> str:
        """The server's own words about an error, on one line and shortened."""
        body = self.body
        words = ""
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, str):
                description = body.get("error_description")
                words = error + (f": {description}" if isinstance(description, str) and description else "")
            elif isinstance(error, dict) and isinstance(error.get("message"), str):
                words = error["message"]
        if not words:
            words = self.text
        # Secrets are masked first, on the whole of what may be shown: a cut made before
        # masking could leave most of a long secret in view.
        shown, cut = redact_head(words, _DETAIL_WINDOW)
        shown = " ".join(shown.split())
        if cut or len(shown) > _DETAIL_LIMIT:
            shown = shown[:_DETAIL_LIMIT] + "…"
        return shown or "(empty body)"

    def json_object(self, service: str) -> dict[str, Any]:
        """The body as a JSON object, or an error saying the answer was malformed."""
        if not isinstance(self.body, dict):
            raise probe_error(f"{service} answered HTTP {self.status} with malformed JSON (not a JSON object)",
                              self.endpoint, hint="check that the URL points at the right service")
        return self.body

    def unexpected(self, service: str, hint: str | None = None) -> ProbeError:
        """The error for a status the caller does not handle."""
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return probe_error(f"{service} answered HTTP {self.status}{tries}: {self.detail()}", self.endpoint, hint)


class HttpClient:
    """Makes the probe's HTTP calls; safe to share between threads.

    Each thread gets its own ``requests`` session (and so its own kept-alive connections).
    Setting :attr:`cancelled` makes every thread stop before its next call or retry.
    """

    def __init__(self, timeout: float, retry: RetryPolicy | None = None, pool_size: int = 4,
                 rng: random.Random | None = None) -> None:
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.pool_size = pool_size
        self.cancelled = threading.Event()
        self._rng = rng or random.Random()
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self._origins: dict[str, dict[str, Any]] = {}
        self.calls = 0
        self.retries = 0
        self.watchdog = Watchdog()

    def session(self) -> requests.Session:
        """This thread's session for the probe's own calls (created on first use).

        It does not read the environment on every request (``trust_env`` off): that costs
        more than the request itself against a fast endpoint, and would let a ``.netrc``
        entry replace the ``Authorization`` header. Proxies and the CA bundle are taken
        from the environment once per endpoint instead (see :meth:`_environment`).
        """
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._new_session()
            session.trust_env = False
            self._local.session = session
        return session

    def auth_session(self) -> requests.Session:
        """A session for google-auth's token requests, which reads the environment itself."""
        return self._new_session()

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=self.pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = f"wsaudit/{__version__} (live probe)"
        return session

    def _environment(self, url: str) -> dict[str, Any]:
        """Proxies (honouring ``NO_PROXY``) and CA bundle from the environment, per origin."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        settings = self._origins.get(origin)
        if settings is None:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            settings = {"proxies": requests.utils.get_environ_proxies(url), "verify": bundle or True}
            self._origins[origin] = settings
        return settings

    def call(self, method: str, url: str, *, service: str, params: dict[str, Any] | None = None,
             form: dict[str, str | Secret] | None = None, bearer: Secret | None = None,
             max_bytes: int = DEFAULT_MAX_BYTES) -> Response:
        """Make one call, retrying 429 and 5xx; any other status is returned to the caller.

        ``form`` is sent as an url-encoded body (a :class:`Secret` value is revealed only
        there); ``bearer`` goes into the ``Authorization`` header. Neither ever reaches the URL.
        An answer larger than ``max_bytes`` is an error, found out without reading more of it.
        """
        headers = {"Accept": "application/json"}
        if bearer is not None:
            headers["Authorization"] = "Bearer " + bearer.reveal()
        data = {key: value.reveal() if isinstance(value, Secret) else value for key, value in form.items()} if form else None
        endpoint = endpoint_of(url)
        attempt = 0
        while True:
            attempt += 1
            if self.cancelled.is_set():
                raise Cancelled()
            started = time.monotonic()
            answer = self._send(method, url, params, data, headers, service, endpoint, max_bytes)
            with self._count_lock:
                self.calls += 1
            log.debug("%s %s -> HTTP %d in %d ms (attempt %d)", method, endpoint, answer.status,
                      (time.monotonic() - started) * 1000, attempt)
            response = _response(answer, endpoint, attempt)
            if answer.status not in RETRY_STATUSES or attempt >= self.retry.attempts:
                return response
            pause = self._pause(answer, attempt, service, endpoint)
            with self._count_lock:
                self.retries += 1
            log.debug("%s %s: HTTP %d, retrying in %.2f s", method, endpoint, answer.status, pause)
            if self.cancelled.wait(pause):
                raise Cancelled()

    def _send(self, method: str, url: str, params: Any, data: Any, headers: dict[str, str], service: str,
              endpoint: str, max_bytes: int) -> _Answer:
        """One attempt, from connecting to the last byte of the answer, within the timeout."""
        with self.watchdog.deadline(self.timeout) as deadline:
            raw: requests.Response | None = None
            try:
                raw = self.session().request(method, url, params=params, data=data, headers=headers, stream=True,
                                             timeout=self.timeout, allow_redirects=False, **self._environment(url))
                if 300 <= raw.status_code < 400:
                    # Following a redirect could carry the token to another host.
                    raise probe_error(f"{service} answered with a redirect (HTTP {raw.status_code}), which the probe "
                                      "does not follow", endpoint, hint="give the final URL of the endpoint")
                content = read_limited(raw, max_bytes)
                if deadline.expired:  # the cut-off connection may look like an answer that ended
                    raise requests.exceptions.ReadTimeout()
                answer = _Answer(raw.status_code, content, raw.headers.get("Retry-After"),
                                 raw.headers.get("Content-Type", ""))
                raw = None  # read to the end: the connection goes back to the pool
                return answer
            except AnswerTooLarge:
                raise probe_error(f"{service} answered with more than {size_words(max_bytes)}, more than the probe "
                                  "reads from it", endpoint, hint="check that the URL points at the right service") from None
            except requests.exceptions.RequestException as exc:
                raise self._failure(exc, deadline.expired, service, endpoint) from None
            finally:
                if raw is not None:
                    raw.close()

    def _failure(self, exc: requests.exceptions.RequestException, expired: bool, service: str,
                 endpoint: str) -> ProbeError:
        """A failed attempt as a secret-free error: the deadline, the network, or the answer."""
        cause = exc.args[0] if exc.args else None
        if expired or isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(cause).lower():
            return probe_error(f"{service} did not answer within {self.timeout:g} s", endpoint,
                               hint="check the network, or allow more time with --timeout")
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return probe_error(f"the connection to {service} broke while its answer was being read", endpoint)
        if isinstance(exc, requests.exceptions.ConnectionError):
            return probe_error(f"cannot reach {service}: {connection_problem(exc)}", endpoint,
                               hint="check the URL and the network")
        return probe_error(f"the request to {service} failed ({type(exc).__name__})", endpoint)

    def _pause(self, answer: _Answer, attempt: int, service: str, endpoint: str) -> float:
        backoff = self.retry.backoff(attempt, self._rng)
        asked = parse_retry_after(answer.retry_after)
        if asked is None:
            return backoff
        if asked > self.retry.max_retry_after:
            raise probe_error(f"{service} is rate limiting (HTTP {answer.status}) and asks to wait {asked:.0f} s, "
                              f"longer than the {self.retry.max_retry_after:.0f} s the probe waits", endpoint,
                              hint="run again later, or with a lower --concurrency")
        return max(asked + self._rng.uniform(0, self.retry.base_delay / 2), backoff)


class AnswerTooLarge(Exception):
    """An answer went past its size cap while being read."""


@dataclass(frozen=True)
class _Answer:
    """One attempt's answer, read to the end."""

    status: int
    content: bytes
    retry_after: str | None
    content_type: str


def read_limited(raw: requests.Response, max_bytes: int) -> bytes:
    """The (decoded) body of a streamed answer; :class:`AnswerTooLarge` past ``max_bytes``.

    A declared length over the cap fails before anything is read; otherwise the body is
    read a chunk at a time and given up as soon as it passes the cap, so memory never holds
    much more than ``max_bytes`` whatever the server sends.
    """
    declared = raw.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise AnswerTooLarge()
    body = bytearray()
    for chunk in raw.iter_content(_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise AnswerTooLarge()
    return bytes(body)


def _charset(content_type: str) -> str:
    """The declared charset of a body when Python knows it, else UTF-8."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            try:
                return codecs.lookup(value.strip().strip('"')).name
            except LookupError:
                break
    return "utf-8"


def _response(answer: _Answer, endpoint: str, attempts: int) -> Response:
    try:
        body = json.loads(answer.content) if answer.content else None
    except (ValueError, RecursionError):
        body = None
    return Response(answer.status, body, answer.content, _charset(answer.content_type), endpoint, attempts)
