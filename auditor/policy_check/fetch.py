"""Fetch a published privacy policy over https, with the probe's safety rules.

https only; same-host redirects only (a redirect to another host, or to http, is refused);
a size cap counted on the bytes actually received; and one deadline for the whole request,
so a server that trickles bytes cannot hold a CI job. ``requests`` is imported when a URL is
fetched, never at start-up. Every failure is a :class:`PolicyFetchError` naming the URL
without its query (exit code 3).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from auditor import __version__
from auditor.model.errors import AuditorError

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


class PolicyFetchError(AuditorError):
    """The policy page could not be fetched (unreachable, refused, too large, too slow)."""


class PolicyUrlError(AuditorError):
    """The policy URL cannot be used as given (not https, malformed): a usage error."""


@dataclass(frozen=True)
class FetchedPage:
    url: str
    content_type: str | None
    charset: str | None
    body: bytes


def shown_url(url: str) -> str:
    """``url`` without user info, query and fragment: how messages name it."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def is_url(text: str) -> bool:
    return "://" in text and urlsplit(text).scheme.lower() in ("http", "https", "ftp", "file")


def check_url(url: str) -> None:
    """Refuse, before any network use, a URL that is not https or has no host."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise PolicyUrlError(f"only https URLs are fetched, not {parts.scheme}://", shown_url(url),
                             hint="give the https address of the policy, or a local file")
    if not parts.hostname:
        raise PolicyUrlError("the URL has no host name", shown_url(url))


def _same_origin(first: str, second: str) -> bool:
    a, b = urlsplit(first), urlsplit(second)
    return (b.scheme.lower() == "https" and (a.hostname or "").lower() == (b.hostname or "").lower()
            and (a.port or 443) == (b.port or 443))


def _problem(exc: BaseException) -> str:
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return "the TLS handshake failed or the certificate is not trusted"
    if isinstance(exc, requests.exceptions.Timeout):
        return "the server did not answer in time"
    text = str(exc).lower()
    if "timed out" in text or "timeout" in text:
        return "the server did not answer in time"
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "resolve" in text or "nodename" in text:
        return "host name not found"
    return "network error"


def fetch_policy(url: str, max_bytes: int, timeout: float) -> FetchedPage:
    """GET ``url`` and return its body, within ``max_bytes`` and ``timeout`` seconds overall."""
    import requests

    check_url(url)
    deadline = time.monotonic() + timeout
    headers = {"User-Agent": f"wsaudit/{__version__} (privacy policy check)", "Accept-Encoding": "identity",
               "Accept": "text/html, text/markdown, text/plain;q=0.9, */*;q=0.1"}
    current = url
    with requests.Session() as session:
        for _ in range(MAX_REDIRECTS + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PolicyFetchError(f"no answer within {timeout:g} s", shown_url(url))
            try:
                response = session.get(current, headers=headers, stream=True, allow_redirects=False,
                                       timeout=(min(remaining, 10.0), remaining))
            except requests.exceptions.RequestException as exc:
                raise PolicyFetchError(f"cannot fetch the policy: {_problem(exc)}", shown_url(current)) from None
            with response:
                if response.is_redirect:
                    target = urljoin(current, response.headers.get("Location", ""))
                    if not _same_origin(current, target):
                        raise PolicyFetchError(f"refused a redirect to another host or to http: {shown_url(target)}",
                                               shown_url(current), hint="give the final https address of the policy")
                    current = target
                    continue
                if response.status_code != 200:
                    raise PolicyFetchError(f"the server answered HTTP {response.status_code}", shown_url(current))
                body = _read_body(response, max_bytes, deadline, timeout, shown_url(current))
                content_type = response.headers.get("Content-Type")
                charset = requests.utils.get_encoding_from_headers(response.headers) if content_type else None
                if charset == "ISO-8859-1" and "charset" not in (content_type or "").lower():
                    charset = None  # requests' default for text/*, not what the server said
                return FetchedPage(current, content_type, charset, body)
    raise PolicyFetchError(f"more than {MAX_REDIRECTS} redirects", shown_url(url))


def _read_body(response: object, max_bytes: int, deadline: float, timeout: float, shown: str) -> bytes:
    import requests

    declared = getattr(response, "headers", {}).get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PolicyFetchError(f"the page is larger than the {max_bytes} byte limit ({declared} bytes)", shown,
                               hint="raise the limit with --max-size if the page is genuine")
    chunks: list[bytes] = []
    size = 0
    raw = response.raw  # type: ignore[attr-defined]
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PolicyFetchError(f"the page did not arrive within {timeout:g} s", shown)
            _limit_wait(raw, remaining)
            # read1: at most one read from the socket, so a server trickling bytes is caught
            # by the deadline instead of filling a whole buffer first.
            chunk = raw.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise PolicyFetchError(f"the page is larger than the {max_bytes} byte limit", shown,
                                       hint="raise the limit with --max-size if the page is genuine")
            chunks.append(chunk)
    except (requests.exceptions.RequestException, OSError, ValueError) as exc:
        raise PolicyFetchError(f"the download failed: {_problem(exc)}", shown) from None
    except Exception as exc:  # urllib3's own errors (ReadTimeoutError, ProtocolError)
        if type(exc).__module__.startswith("urllib3"):
            raise PolicyFetchError(f"the download failed: {_problem(exc)}", shown) from None
        raise
    return b"".join(chunks)


def _limit_wait(raw: object, seconds: float) -> None:
    """Let no single socket read outlast the deadline (best effort: urllib3 keeps the
    connection on the response while the body is streamed)."""
    connection = getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.01))
        except OSError:
            pass
