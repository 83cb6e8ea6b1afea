"""The two APIs rse calls on Viva Engage, both through the one HTTP chokepoint (network/http.py).

- Microsoft Graph (communities, their Microsoft 365 group's members and owners, users):
  https://learn.microsoft.com/en-us/graph/api/resources/engagement-api-overview
- the Yammer REST API v1 (messages, private messages, users by e-mail, likes):
  https://learn.microsoft.com/en-us/rest/api/yammer/rest-api-rate-limits

Each request carries a token for its own audience, fetched per request so a long campaign
outlives the one-hour access tokens. Yammer's limits (10 requests per 30 s per user per app,
reads included; exceeding one makes every endpoint answer 429) are paced here, before the
request, rather than discovered through 429s: Yammer does not document a Retry-After.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from rse_cli.errors import AuthError, ForbiddenError, RseError, ServerError, UsageError
from rse_cli.network.http import HttpClient

_GRAPH_CODE = re.compile(r"""['"]code['"]\s*:\s*['"]([A-Za-z_.]+)['"]""")


def graph_code(exc: RseError) -> str | None:
    """Graph's error code ({"error": {"code": …}}); http.py keeps only the error's text."""
    if exc.errcode:
        return exc.errcode
    found = _GRAPH_CODE.search(exc.message)
    return found.group(1) if found else None


class Pacer:
    """At most `requests` starts in any `window` seconds (a sliding window), across threads."""

    def __init__(
        self,
        requests: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.requests = requests
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0

    def wait(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.window:
                    self._starts.popleft()
                if len(self._starts) < self.requests:
                    self._starts.append(now)
                    return
                delay = self.window - (now - self._starts[0])
            self.waited += delay
            self._sleep(delay)


Token = Callable[[bool], str]  # fresh=True: the server refused the cached token, get a new one


def _with_token(http: HttpClient, token: Token, method: str, path: str, kw: dict[str, Any]) -> Any:
    """One request; a 401 (a token invalidated before its end) is retried once with a fresh token."""
    try:
        return http.request(method, path, token=token(False), **kw)
    except AuthError as exc:
        if exc.status != 401:
            raise
    return http.request(method, path, token=token(True), **kw)


class GraphClient:
    def __init__(self, http: HttpClient, token: Token) -> None:
        self.http = http
        self._token = token

    def call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            return _with_token(self.http, self._token, method, path, kw)
        except ForbiddenError as exc:
            if _legacy(exc):
                raise _legacy_error() from None
            raise _graph_forbidden(exc) from None
        except ServerError as exc:
            if _legacy(exc):
                raise _legacy_error() from None
            raise

    def pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a Graph collection, following @odata.nextLink."""
        answer = self.call("GET", path, params=params)
        while True:
            yield from answer.get("value", [])
            nxt = answer.get("@odata.nextLink")
            if not nxt:
                return
            answer = self.call("GET", nxt.removeprefix(self.http.base_url))

    def post_with_headers(self, path: str, json: Any) -> tuple[int, dict[str, str], Any]:
        """A POST whose answer matters by its headers (202 + Operation-Location): http.py
        returns bodies only, so this one request reads the response itself, through the same
        httpx client (same TLS, timeouts and transport). No retry: creation is not idempotent."""
        import json as jsonlib

        http = self.http
        http._wait_gate()
        response = http._client.request(
            "POST",
            path,
            content=jsonlib.dumps(json).encode(),
            headers={"Authorization": f"Bearer {self._token(False)}", "Content-Type": "application/json"},
        )
        http.stats["requests"] += 1
        if response.status_code == 429:
            from rse_cli.network.http import _retry_after

            http._close_gate(_retry_after(response) or 5.0)
            return self.post_with_headers(path, json)
        if response.status_code >= 400:
            err = http._http_error(response, f"POST {path}")
            if isinstance(err, RseError) and _legacy(err):
                raise _legacy_error()
            if isinstance(err, ForbiddenError):
                raise _graph_forbidden(err)
            raise err
        body = response.json() if response.content else {}
        return response.status_code, dict(response.headers), body


def _legacy(exc: RseError) -> bool:
    text = exc.message.lower()
    return "native mode" in text or "nativemode" in text or "legacy" in text


def _legacy_error() -> UsageError:
    return UsageError(
        "this Viva Engage network is not in native mode: Microsoft Graph manages communities only in native-mode networks",
        hint="ask the Viva Engage admin to complete the native-mode migration "
        "(https://learn.microsoft.com/en-us/viva/engage/configure-your-viva-engage-network/overview-native-mode)",
    )


def _graph_forbidden(exc: ForbiddenError) -> ForbiddenError:
    code = graph_code(exc)
    return ForbiddenError(
        f"{exc.message}",
        status=403,
        errcode=code,
        hint="the app lacks a permission or admin consent: the tenant admin grants Community.ReadWrite.All, "
        "GroupMember.ReadWrite.All and User.Read.All (Microsoft Graph) and access_as_user (Yammer), "
        "then run `rse auth login` again; changing a community also needs you to be its admin",
    )


class YammerClient:
    """Yammer's limits are counted per bucket ("messages", "autocomplete", "other": independent
    windows, rest-api-rate-limits), so each bucket has its own pacer."""

    def __init__(self, http: HttpClient, token: Token, pacers: dict[str, Pacer]) -> None:
        self.http = http
        self._token = token
        self.pacers = pacers

    @staticmethod
    def bucket(path: str) -> str:
        if path.startswith("/messages"):
            return "messages"
        if path.startswith("/autocomplete"):
            return "autocomplete"
        return "other"

    def call(self, method: str, path: str, **kw: Any) -> Any:
        self.pacers[self.bucket(path)].wait()
        try:
            return _with_token(self.http, self._token, method, path, kw)
        except ForbiddenError as exc:
            raise ForbiddenError(
                exc.message,
                status=403,
                errcode=exc.errcode,
                hint="Viva Engage refused: you may not be a member of this community, "
                "or the tenant disabled what was asked (e.g. private messages)",
            ) from None

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params={k: v for k, v in params.items() if v is not None} or None)
