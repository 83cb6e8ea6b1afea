"""The one HTTP chokepoint: every request rse sends goes through `HttpClient.request`.

It owns timeouts, TLS (with a corporate CA bundle), a cap on requests in flight, retries
with exponential backoff and jitter (connection errors and 5xx, idempotent requests only),
and rate limiting: a 429 answer pauses *every* thread until the time the server asked for
(`Retry-After` header or Matrix's `retry_after_ms`), so rse paces itself with the server
instead of multiplying refused requests. Logs never contain a token.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import logging
import os
import random
import re
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from rse_cli import __version__
from rse_cli.errors import AuthError, ForbiddenError, NetworkError, NotFoundError, RateLimitedError, ServerError
from rse_cli.i18n import _

log = logging.getLogger("rse.http")

IDEMPOTENT_METHODS = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}
CONNECT_TIMEOUT = 5.0  # seconds for TCP and TLS: a server that does not answer in 5 s is not there
_SECRET_PARAMS = (
    r"(?:access_token|token|as_token|hs_token|password|passwd|secret|client_secret|api_key|apikey|key|sig|signature|code|auth)"
)
_TOKEN_PATTERNS = [
    re.compile(rf"((?:^|[?&;\s\"'(]){_SECRET_PARAMS}=)[^&#\s\"')]+", re.IGNORECASE),
    re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r'("(?:access_token|as_token|hs_token|password|token)"\s*:\s*")[^"]*'),
    # user-info in a URL: https://user:token@host -> https://***@host
    re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s\"'?#]+@"),
]


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove tokens and passwords from a string meant for a log or an error: URL user-info,
    secret query parameters, bearer tokens, JSON secrets, and the given secrets wherever they are."""
    for secret in secrets:
        if secret and len(secret) >= 4:  # a one-letter "secret" would blank out every message
            text = text.replace(secret, "***")
    for pattern in _TOKEN_PATTERNS[:-1]:
        text = pattern.sub(r"\1***", text)
    return _TOKEN_PATTERNS[-1].sub(r"\1***@", text)


def url_secrets(url: str) -> tuple[str, ...]:
    """The secrets a URL carries (user-info, secret query values), to redact wherever they appear."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    found = [unquote(p) for p in (parts.username, parts.password) if p]
    found += [p for p in (parts.username, parts.password) if p]
    found += [v for k, v in parse_qsl(parts.query) if re.fullmatch(_SECRET_PARAMS, k, re.IGNORECASE) and v]
    return tuple(found)


def speaks_plain_http(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a plain HTTP server listens there (asked when a TLS handshake fails or hangs)."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"HEAD / HTTP/1.0\r\nHost: " + host.encode("idna") + b"\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
    except (OSError, UnicodeError):
        return False


def ssl_context(ca_bundle: Path | None, verify: bool) -> ssl.SSLContext | bool:
    if not verify:
        return False
    cafile = str(ca_bundle) if ca_bundle else os.environ.get("SSL_CERT_FILE") or None
    if cafile and not Path(cafile).is_file():
        raise NetworkError(
            _("CA bundle {path} does not exist").format(path=cafile), hint=_("fix `ca_bundle` in the config or SSL_CERT_FILE")
        )
    if cafile:
        return ssl.create_default_context(cafile=cafile)
    try:
        import certifi  # httpx's own dependency

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover
        return ssl.create_default_context()


def _retry_after(response: httpx.Response) -> float | None:
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(header)
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    try:
        ms = response.json().get("retry_after_ms")
    except (ValueError, AttributeError):
        ms = None
    return ms / 1000.0 if isinstance(ms, (int, float)) else None


class HttpClient:
    """A JSON-over-HTTP client bound to one server and one token.

    `transport` is injectable (respx, httpx.MockTransport) and so are `sleep` and `clock`,
    so that fault injection tests never really wait.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        verify: ssl.SSLContext | bool = True,
        concurrency: int = 8,
        max_retries: int = 5,
        rate_limit_patience: float = 3600.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._url_secrets = url_secrets(self.base_url)
        self.shown_url = redact(self.base_url, self._url_secrets)  # what messages may print
        self._probe = transport is None  # a real network: a TLS failure may be a plain HTTP port
        self._token = token
        self.max_retries = max_retries
        self.rate_limit_patience = rate_limit_patience
        self._sleep = sleep
        self._clock = clock
        self._slots = threading.BoundedSemaphore(concurrency)
        self._gate_lock = threading.Lock()
        self._not_before = 0.0
        self.stats = {"requests": 0, "retries": 0, "rate_limited": 0}
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, connect_timeout)),
            verify=verify,
            transport=transport,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            headers={"User-Agent": f"rse/{__version__}"},
            trust_env=False,  # proxies and CAs come from rse's own settings, explicitly
        )

    # -- token -------------------------------------------------------------------------
    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def set_token(self, token: str | None) -> None:
        self._token = token

    def _redact(self, text: str) -> str:
        return redact(text, (self._token or "", *self._url_secrets))

    # -- requests ----------------------------------------------------------------------
    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        auth: bool = True,
        idempotent: bool | None = None,
        token: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Any:
        """Send one request, retrying what is safe to retry; return the decoded JSON body.
        `json` is sent as JSON; `body` as raw bytes of `content_type` (a media upload)."""
        idempotent = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        headers = {}
        bearer = token or (self._token if auth else None)
        if auth and not bearer:
            raise AuthError(_("not logged in"), hint=_("run `rse auth login` or set RSE_TOKEN"))
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        content = body if json is None else jsonlib.dumps(json, ensure_ascii=False).encode()
        if content is not None:
            headers["Content-Type"] = "application/json" if json is not None else content_type or "application/octet-stream"
        what = f"{method} {self._redact(path)}"
        attempt = 0
        waited_for_limits = 0.0
        while True:
            self._wait_gate()
            started = self._clock()
            try:
                with self._slots:
                    self.stats["requests"] += 1
                    response = self._client.request(method, path, params=params, content=content, headers=headers)
            except (
                httpx.ConnectError,
                httpx.ConnectTimeout,
                httpx.ReadError,
                httpx.ReadTimeout,
                httpx.WriteError,
                httpx.WriteTimeout,
                httpx.RemoteProtocolError,
                httpx.PoolTimeout,
            ) as exc:
                # a failed connect never reached the server: safe to retry whatever the method
                safe = idempotent or isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
                if self._plain_http(exc):  # retrying a TLS handshake with an HTTP server only waits longer
                    raise self._network_error(exc, what, plain_http=True) from None
                if safe and attempt < self.max_retries:
                    attempt += 1
                    self._backoff(attempt, what, type(exc).__name__)
                    continue
                raise self._network_error(exc, what) from None
            elapsed = (self._clock() - started) * 1000
            log.debug("%s -> %s (%.0f ms)", what, response.status_code, elapsed)
            if response.status_code == 429:
                delay = _retry_after(response)
                delay = self._jitter_backoff(attempt + 1) if delay is None else delay
                self.stats["rate_limited"] += 1
                if waited_for_limits + delay > self.rate_limit_patience:
                    raise RateLimitedError(
                        _("{what}: the server keeps refusing with 429 (rate limited)").format(what=what),
                        status=429,
                        errcode="M_LIMIT_EXCEEDED",
                        hint=_("ask a server admin to exempt this account (Synapse: override_ratelimit)"),
                    )
                waited_for_limits += delay
                self._close_gate(delay)
                log.debug("%s rate limited: pausing %.2f s", what, delay)
                continue
            if response.status_code >= 500 and idempotent and attempt < self.max_retries:
                attempt += 1
                self._backoff(attempt, what, str(response.status_code))
                continue
            if response.status_code >= 400:
                raise self._http_error(response, what)
            if not response.content:
                return {}
            try:
                return response.json()
            except ValueError:
                raise ServerError(
                    _("{what}: the server answered with something that is not JSON").format(what=what),
                    status=response.status_code,
                ) from None

    # -- pacing ------------------------------------------------------------------------
    def _wait_gate(self) -> None:
        while True:
            with self._gate_lock:
                delay = self._not_before - self._clock()
            if delay <= 0:
                return
            self._sleep(delay)

    def _close_gate(self, delay: float) -> None:
        with self._gate_lock:
            self._not_before = max(self._not_before, self._clock() + delay)

    def _jitter_backoff(self, attempt: int) -> float:
        return random.uniform(0, min(30.0, 0.5 * 2**attempt))

    def _backoff(self, attempt: int, what: str, why: str) -> None:
        self.stats["retries"] += 1
        delay = self._jitter_backoff(attempt)
        log.debug("%s failed (%s): retry %d/%d in %.2f s", what, why, attempt, self.max_retries, delay)
        self._sleep(delay)

    # -- errors ------------------------------------------------------------------------
    def _plain_http(self, exc: Exception) -> bool:
        """Whether an https:// connection failed because the port speaks plain HTTP."""
        if not self.base_url.lower().startswith("https://") or not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
            return False
        text = str(exc).upper()
        if "WRONG_VERSION_NUMBER" in text or "RECORD_LAYER_FAILURE" in text or "HTTP_REQUEST" in text:
            return True
        if not self._probe:
            return False
        url = httpx.URL(self.base_url)
        return speaks_plain_http(url.host, url.port or 443)

    def _network_error(self, exc: Exception, what: str, *, plain_http: bool = False) -> NetworkError:
        detail = self._redact(str(exc))
        log.debug("%s: %s: %s", what, type(exc).__name__, detail)  # Python's wording for --verbose only
        if isinstance(exc, httpx.TimeoutException):
            why = _("no answer in time")
        elif isinstance(exc, httpx.ConnectError):
            why = _("the connection failed")
        else:
            why = _("the connection broke off")
        hint = _("check the server URL and your network")
        if plain_http:
            hint = _("the server speaks plain HTTP: use {url} or check the port").format(
                url=self.shown_url.replace("https://", "http://", 1)
            )
        elif "CERTIFICATE_VERIFY_FAILED" in detail or "SSL" in detail:
            why = _("its TLS certificate could not be verified")
            hint = _("set `ca_bundle` to your company's CA file")
        return NetworkError(_("{what}: cannot reach {url} ({why})").format(what=what, url=self.shown_url, why=why), hint=hint)

    def _http_error(self, response: httpx.Response, what: str) -> Exception:
        try:
            body = response.json()
        except ValueError:
            body = {}
        errcode = body.get("errcode") if isinstance(body, dict) else None
        error = body.get("error") if isinstance(body, dict) else None
        status = response.status_code
        text = f"{what}: {status} {errcode or response.reason_phrase}" + (f": {self._redact(str(error))}" if error else "")
        if status == 401:
            return AuthError(text, status=status, errcode=errcode, hint=_("the token was refused: run `rse auth login` again"))
        if status == 403:
            return ForbiddenError(text, status=status, errcode=errcode)
        if status == 404:
            return NotFoundError(text, status=status, errcode=errcode)
        return ServerError(text, status=status, errcode=errcode)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
