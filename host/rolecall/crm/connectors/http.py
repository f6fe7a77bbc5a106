"""The one HTTP layer every CRM connector uses: bearer token, timeouts, retries, JSON, paging.

`HttpClient` wraps `httpx.Client` for one CRM instance. It resolves relative paths
against the API root and host-absolute paths against the origin; an absolute URL (a
next-page link) must stay on the same origin, so the token is never sent elsewhere.
Redirects are not followed for the same reason.

Failures become `ConnectorError`s (the `CrmHttpError` subclass when the CRM answered):

- 429 and 5xx, timeouts and transport errors are retried with exponential backoff and
  jitter, honouring `Retry-After`, at most `RetryPolicy.max_attempts` attempts and at
  most `max_total_wait_s` seconds of waiting; then they are raised as retryable.
- A request that is not idempotent (a `POST` that creates) is retried only when it
  cannot have reached the CRM (429, connection refused): after a timeout or a 5xx the
  record may exist, so the caller must look it up before creating again (see
  `create_once`).
- 401/403 (token wrong or expired), 404, other 4xx, certificate errors and malformed
  JSON are not retryable. With a `TokenSource` (an OAuth sign-in), a 401 makes the
  source refresh its access token once and the same request is sent again: a 401 is
  answered before the CRM does any work, so even a create is not duplicated.

TLS verification stays on; `verify` may name a CA file (tests) but can never be False.
Tokens are never logged and never appear in an error message; log lines carry the
method, the path without its query (queries hold phone numbers) and the status.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from rolecall._version import __version__
from rolecall.crm.connectors.base import ConnectorError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
"""Connect 5 s, read (and write, pool) 20 s."""


def read_timeout(seconds: float) -> httpx.Timeout:
    """Connect 5 s (or less when `seconds` is shorter), read (and write, pool) `seconds`."""
    return httpx.Timeout(seconds, connect=min(5.0, seconds))


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
"""PATCH counts: connectors only PATCH absolute values, so repeating one is harmless."""

Params = Mapping[str, str | int | float | bool]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one request."""

    max_attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_total_wait_s: float = 30.0
    """Waiting (backoff and Retry-After) for one request never adds up to more than this."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay_s, self.max_delay_s, self.max_total_wait_s) < 0:
            raise ValueError("delays must not be negative")

    def backoff(self, attempt: int, rng: Callable[[], float]) -> float:
        """The wait after failed attempt `attempt` (1-based): exponential, half jittered."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return ceiling / 2 + rng() * ceiling / 2


@dataclass(frozen=True)
class HttpOptions:
    """Everything about the transport a caller (or a test) may choose."""

    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    verify: str | ssl.SSLContext | None = None
    """None: the system's trust store. A path: a CA bundle (tests). Never False."""
    sleep: Callable[[float], None] = time.sleep
    rng: Callable[[], float] = random.random
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        # The annotation already excludes booleans; this stops a caller that ignores it.
        if isinstance(self.verify, bool):
            raise ValueError("TLS verification cannot be switched off; pass a CA file instead")


class TokenSource(Protocol):
    """Where a client gets its bearer token when it is not a fixed one (OAuth)."""

    def access_token(self) -> str:
        """A token to send now (refreshed first when it is about to expire)."""
        ...

    def rejected(self, token: str) -> str | None:
        """`token` got a 401: a fresh one, or None when no other can be had."""
        ...


class _FixedToken:
    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def rejected(self, token: str) -> str | None:
        return None


class CrmHttpError(ConnectorError):
    """The CRM answered with an error status (or not at all, for transport failures)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        error_code: str = "",
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable, status=status)
        self.error_code = error_code
        """The CRM's own error code, e.g. Salesforce `INVALID_FIELD`."""
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Response:
    """A successful answer: status, headers and the decoded JSON body (None when empty)."""

    status: int
    headers: httpx.Headers
    body: Any


class HttpClient:
    """One CRM's API, reached with one bearer token."""

    def __init__(
        self,
        crm: str,
        api_root: str,
        token: str | TokenSource,
        *,
        headers: Mapping[str, str] | None = None,
        options: HttpOptions | None = None,
    ) -> None:
        if isinstance(token, str):
            _check_token(crm, token)
            token = _FixedToken(token)
        self._tokens: TokenSource = token
        parts = urlsplit(api_root)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"not an absolute http(s) URL: {api_root!r}")
        self.crm = crm
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.api_root = api_root if api_root.endswith("/") else api_root + "/"
        self.options = options or HttpOptions()
        self.retry = self.options.retry
        all_headers = {
            "Accept": "application/json",
            "User-Agent": f"rolecall/{__version__}",
            **(headers or {}),
        }
        kwargs: dict[str, Any] = {
            "headers": all_headers,
            "timeout": self.options.timeout,
            "follow_redirects": False,
        }
        if self.options.verify is not None:
            kwargs["verify"] = self._ssl_context(self.options.verify)
        if self.options.transport is not None:
            kwargs["transport"] = self.options.transport
        self._client = httpx.Client(**kwargs)

    def __repr__(self) -> str:  # never show the token
        return f"HttpClient({self.crm!r}, {self.api_root!r})"

    @staticmethod
    def _ssl_context(verify: str | ssl.SSLContext) -> ssl.SSLContext:
        if isinstance(verify, ssl.SSLContext):
            return verify
        return ssl.create_default_context(cafile=verify)

    def close(self) -> None:
        self._client.close()

    def sleep(self, seconds: float) -> None:
        self.options.sleep(seconds)

    # -- URLs -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """`path` made absolute: relative to the API root, `/…` to the origin."""
        if path.startswith(("https://", "http://")):
            parts = urlsplit(path)
            if f"{parts.scheme}://{parts.netloc}" != self.origin:
                raise ConnectorError(
                    f"{self.crm} pointed to another host ({parts.netloc}); not following it",
                    retryable=False,
                )
            return path
        if path.startswith("/"):
            return self.origin + path
        return self.api_root + path

    # -- requests ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Response:
        """Sends the request, retrying what may be retried; the decoded answer or an error."""
        method = method.upper()
        url = self.url(path)
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        label = f"{self.crm} {method} {urlsplit(url).path}"
        waited = 0.0
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            token = self._tokens.access_token()
            _check_token(self.crm, token)
            try:
                response = self._client.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers={**(headers or {}), "Authorization": f"Bearer {token}"},
                )
            except httpx.TimeoutException as exc:
                error = CrmHttpError(f"{label} timed out ({type(exc).__name__})", retryable=True)
                sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                retry_after = None
            except httpx.TransportError as exc:
                if _is_certificate_error(exc):
                    raise CrmHttpError(
                        f"{label}: the server's TLS certificate could not be verified ({exc})",
                        retryable=False,
                    ) from None
                error = CrmHttpError(f"{label} failed: {type(exc).__name__}", retryable=True)
                sent = not isinstance(exc, httpx.ConnectError)
                retry_after = None
            else:
                if response.status_code < 300:
                    return Response(
                        response.status_code, response.headers, _decode(response, label)
                    )
                if response.status_code == 401 and not refreshed:
                    refreshed = True
                    if self._tokens.rejected(token) is not None:
                        log.info("%s: 401, sending again with a refreshed token", label)
                        attempt -= 1
                        continue
                error = _status_error(response, label, self.crm)
                if not error.retryable:
                    raise error
                sent = response.status_code != 429  # 429: rejected before any work was done
                retry_after = error.retry_after_s

            if attempt >= self.retry.max_attempts or (sent and not safe):
                raise error
            delay = (
                retry_after
                if retry_after is not None
                else self.retry.backoff(attempt, self.options.rng)
            )
            if waited + delay > self.retry.max_total_wait_s:
                raise error
            log.warning(
                "%s; attempt %d of %d, retrying in %.2f s",
                error.message,
                attempt,
                self.retry.max_attempts,
                delay,
            )
            self.options.sleep(delay)
            waited += delay

    def get(self, path: str, *, params: Params | None = None, **kw: Any) -> Any:
        return self.request("GET", path, params=params, **kw).body

    def post(self, path: str, *, json: Any = None, **kw: Any) -> Response:
        return self.request("POST", path, json=json, **kw)

    def patch(self, path: str, *, json: Any = None, **kw: Any) -> Response:
        return self.request("PATCH", path, json=json, **kw)

    def put(self, path: str, *, json: Any = None, **kw: Any) -> Response:
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> Response:
        return self.request("DELETE", path, **kw)

    def paginate(
        self,
        path: str,
        next_page: Callable[[Any], tuple[str, Params | None] | None],
        *,
        params: Params | None = None,
        method: str = "GET",
        json: Callable[[Params | None], Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_pages: int = 200,
    ) -> Iterator[Any]:
        """Yields every page body. `next_page(body)` says where the next one is, or None.

        For POST searches (HubSpot), `json(params)` builds each page's body from the
        params `next_page` returned (the cursor), and the request counts as idempotent.
        """
        seen: set[tuple[str, str]] = set()
        current: tuple[str, Params | None] | None = (path, params)
        pages = 0
        while current is not None:
            where, page_params = current
            key = (where, jsonlib.dumps(dict(page_params or {}), sort_keys=True))
            if key in seen:
                raise ConnectorError(f"{self.crm} returned the same page twice", retryable=False)
            seen.add(key)
            pages += 1
            if pages > max_pages:
                raise ConnectorError(
                    f"{self.crm} returned more than {max_pages} pages; stopping", retryable=False
                )
            if json is not None:
                body = self.request(
                    method, where, json=json(page_params), headers=headers, idempotent=True
                ).body
            else:
                body = self.request(method, where, params=page_params, headers=headers).body
            yield body
            current = next_page(body)


def _decode(response: httpx.Response, label: str) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise CrmHttpError(
            f"{label} returned malformed JSON (HTTP {response.status_code})",
            retryable=False,
            status=response.status_code,
        ) from None


def _status_error(response: httpx.Response, label: str, crm: str) -> CrmHttpError:
    status = response.status_code
    code, detail = _crm_message(response)
    suffix = f": {detail}" if detail else ""
    if status in (401, 403):
        what = "rejected the token" if status == 401 else "refused access with this token"
        return CrmHttpError(
            f"{label}: {crm} {what} (HTTP {status}); the token is wrong or expired, or lacks "
            f"the permission; sign in again with `rolecall crm connect {crm}` (or store a "
            f"new token in the keyring as 'crm:{crm}'){suffix}",
            retryable=False,
            status=status,
            error_code=code,
        )
    if status == 404:
        return CrmHttpError(
            f"{label}: not found (HTTP 404){suffix}", retryable=False, status=404, error_code=code
        )
    if status in RETRY_STATUSES:
        return CrmHttpError(
            f"{label}: HTTP {status}{suffix}",
            retryable=True,
            status=status,
            error_code=code,
            retry_after_s=_retry_after(response.headers.get("Retry-After")),
        )
    return CrmHttpError(
        f"{label}: HTTP {status}{suffix}", retryable=False, status=status, error_code=code
    )


def _crm_message(response: httpx.Response) -> tuple[str, str]:
    """The CRM's error code and message, from the three vendors' error shapes."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return "", ""
    code: Any = ""
    message: Any = ""
    if isinstance(body, list) and body and isinstance(body[0], dict):  # Salesforce
        code, message = body[0].get("errorCode", ""), body[0].get("message", "")
    elif isinstance(body, dict) and isinstance(body.get("error"), dict):  # Dataverse
        code, message = body["error"].get("code", ""), body["error"].get("message", "")
    elif isinstance(body, dict):  # HubSpot
        code, message = body.get("category", ""), body.get("message", "")
    return str(code)[:100], " ".join(str(message).split())[:500]


def _check_token(crm: str, token: str) -> None:
    if not token or any(c in token for c in "\r\n"):
        raise ConnectorError(f"the {crm} token is empty or malformed", retryable=False)


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_certificate_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
