"""The HTTP chokepoint under faults a real server won't produce on demand (respx)."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from rse_cli.errors import AuthError, ForbiddenError, NetworkError, NotFoundError, RateLimitedError, ServerError
from rse_cli.network.http import HttpClient, redact

BASE = "https://matrix.example.org"
TOKEN = "syt_c2VjcmV0_TOKENVALUE_0123"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeClock:
    """A clock that advances when the client sleeps, so pacing is testable without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def client(**kw) -> tuple[HttpClient, FakeClock]:
    clock = FakeClock()
    slept = Sleeps()

    def sleep(s):
        slept.append(s)
        clock.sleep(s)

    c = HttpClient(BASE, token=TOKEN, sleep=sleep, clock=clock, **kw)
    c.slept = slept  # type: ignore[attr-defined]
    return c, clock


@respx.mock
def test_429_with_retry_after_ms_pauses_then_succeeds():
    route = respx.get(f"{BASE}/x").mock(
        side_effect=[
            httpx.Response(429, json={"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 1500}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    c, clock = client()
    assert c.get("/x") == {"ok": True}
    assert route.call_count == 2
    assert clock.now == pytest.approx(1.5)
    assert c.stats["rate_limited"] == 1


@respx.mock
def test_429_with_retry_after_header_is_honoured_even_for_post():
    route = respx.post(f"{BASE}/invite").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}, json={"errcode": "M_LIMIT_EXCEEDED"}),
            httpx.Response(200, json={}),
        ]
    )
    c, clock = client()
    c.post("/invite", json={"user_id": "@a:x"})
    assert route.call_count == 2 and clock.now == pytest.approx(3.0)


@respx.mock
def test_endless_429_gives_up_after_patience_with_a_hint():
    respx.get(f"{BASE}/x").mock(return_value=httpx.Response(429, json={"retry_after_ms": 60_000}))
    c, _ = client(rate_limit_patience=300)
    with pytest.raises(RateLimitedError) as exc:
        c.get("/x")
    assert "override_ratelimit" in str(exc.value)


@respx.mock
def test_5xx_retried_for_idempotent_requests_only():
    get = respx.get(f"{BASE}/g").mock(side_effect=[httpx.Response(502), httpx.Response(503), httpx.Response(200, json={"a": 1})])
    post = respx.post(f"{BASE}/p").mock(return_value=httpx.Response(500, json={"errcode": "M_UNKNOWN", "error": "boom"}))
    c, _ = client()
    assert c.get("/g") == {"a": 1} and get.call_count == 3
    with pytest.raises(ServerError, match="500 M_UNKNOWN: boom"):
        c.post("/p", json={})
    assert post.call_count == 1  # a POST that may have been applied is never replayed
    assert c.slept and all(0 <= s <= 30 for s in c.slept)


@respx.mock
def test_retries_are_bounded():
    route = respx.put(f"{BASE}/s").mock(return_value=httpx.Response(503))
    c, _ = client(max_retries=2)
    with pytest.raises(ServerError):
        c.put("/s", json={})
    assert route.call_count == 3


@respx.mock
def test_connection_errors_retried_then_reported_without_token():
    route = respx.get(f"{BASE}/g").mock(side_effect=httpx.ConnectError("refused"))
    c, _ = client(max_retries=2)
    with pytest.raises(NetworkError) as exc:
        c.get("/g")
    assert route.call_count == 3
    assert "cannot reach https://matrix.example.org" in str(exc.value) and TOKEN not in str(exc.value)


@respx.mock
def test_read_timeout_on_post_is_not_replayed():
    route = respx.post(f"{BASE}/p").mock(side_effect=httpx.ReadTimeout("slow"))
    c, _ = client()
    with pytest.raises(NetworkError):
        c.post("/p", json={})
    assert route.call_count == 1


@respx.mock
@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (403, ForbiddenError), (404, NotFoundError), (400, ServerError)])
def test_status_codes_map_to_typed_errors(status, error):
    respx.get(f"{BASE}/e").mock(return_value=httpx.Response(status, json={"errcode": "M_X", "error": f"bad {TOKEN}"}))
    c, _ = client()
    with pytest.raises(error) as exc:
        c.get("/e")
    assert exc.value.status == status and exc.value.errcode == "M_X"
    assert TOKEN not in str(exc.value)


def test_no_token_is_an_auth_error_with_the_fix():
    c = HttpClient(BASE)
    with pytest.raises(AuthError, match="not logged in") as exc:
        c.get("/x")
    assert "rse auth login" in exc.value.hint


@respx.mock
def test_bearer_header_sent_and_logs_redacted(caplog):
    route = respx.get(f"{BASE}/_matrix/client/v3/sync").mock(return_value=httpx.Response(200, json={}))
    c, _ = client()
    with caplog.at_level(logging.DEBUG, logger="rse.http"):
        c.get("/_matrix/client/v3/sync", params={"access_token": TOKEN})
    assert route.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "GET /_matrix/client/v3/sync -> 200" in caplog.text
    assert TOKEN not in caplog.text


def test_redact_removes_tokens_in_urls_headers_and_json():
    text = f'GET /x?access_token={TOKEN}&a=1 Authorization: Bearer {TOKEN} {{"password": "hunter2"}}'
    out = redact(text)
    assert TOKEN not in out and "hunter2" not in out and "a=1" in out


@respx.mock
def test_tls_error_of_a_plain_http_port_is_not_retried_and_says_so():
    route = respx.get(f"{BASE}/x").mock(
        side_effect=httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)")
    )
    c, clock = client()
    with pytest.raises(NetworkError) as exc:
        c.get("/x")
    assert route.call_count == 1 and clock.now == 0  # one attempt, no backoff
    assert exc.value.hint == "the server speaks plain HTTP: use http://matrix.example.org or check the port"


@respx.mock
def test_secrets_in_the_base_url_never_appear_in_errors():
    base = f"https://bot:{TOKEN}@matrix.example.org"
    respx.get("https://matrix.example.org/x").mock(side_effect=httpx.ConnectError(f"cannot connect to {base}/x"))
    c = HttpClient(base, token="tok-en-42", max_retries=0, sleep=lambda s: None)
    with pytest.raises(NetworkError) as exc:
        c.get("/x")
    assert TOKEN not in str(exc.value) and "https://***@matrix.example.org" in str(exc.value)
