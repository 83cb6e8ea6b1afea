"""The HTTP chokepoint: secrets in URLs never reach a message or a log, and https:// pointed at a
plain-HTTP port fails within the connect timeout with a hint (a real server on 127.0.0.1)."""

from __future__ import annotations

import logging
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rse_cli.errors import NetworkError, RseError
from rse_cli.network.http import HttpClient, redact, url_secrets

TOKEN = "syt_c2VjcmV0_UserInfoToken_42"


class _Plain(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"errcode": "M_UNKNOWN", "error": "nope"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def plain_http():
    """A plain HTTP server on 127.0.0.1 (a free port)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Plain)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


class _Patient(socketserver.BaseRequestHandler):
    """An HTTP server that waits for the end of the request headers before answering anything,
    as Synapse's does: a TLS ClientHello (no blank line in it) gets no answer at all."""

    def handle(self):
        data = b""
        self.request.settimeout(30)
        try:
            while b"\r\n\r\n" not in data:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            pass


@pytest.fixture
def patient_http():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Patient)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("connect_timeout", [1.0, 3.0])
@pytest.mark.parametrize("kind", ["answers garbage with 400", "waits for headers"])
def test_tls_against_a_plain_http_port_fails_fast_with_a_hint(plain_http, patient_http, connect_timeout, kind):
    port = plain_http if kind.startswith("answers") else patient_http
    client = HttpClient(f"https://rse:{TOKEN}@127.0.0.1:{port}", token=TOKEN, connect_timeout=connect_timeout)
    started = time.monotonic()
    with pytest.raises(NetworkError) as exc:
        client.get("/_matrix/client/versions", auth=False)
    assert time.monotonic() - started < connect_timeout + 2  # one attempt and a one-second probe, no retries
    assert "the server speaks plain HTTP: use http://" in exc.value.hint and f"127.0.0.1:{port}" in exc.value.hint
    assert TOKEN not in str(exc.value) and "rse:" not in str(exc.value)


def test_user_info_and_secret_query_values_are_redacted_everywhere(plain_http, caplog):
    caplog.set_level(logging.DEBUG, logger="rse.http")
    client = HttpClient(f"http://rse:{TOKEN}@127.0.0.1:{plain_http}", token="another-token-value", max_retries=0)
    with pytest.raises(RseError) as exc:
        client.get(f"/_matrix/client/v3/sync?access_token={TOKEN}&since=s1&sig=abcdef123")
    text = str(exc.value) + (exc.value.hint or "") + caplog.text
    assert "400" in str(exc.value) and "since=s1" in str(exc.value)
    assert TOKEN not in text and "abcdef123" not in text and "another-token-value" not in text
    assert client.shown_url == f"http://***@127.0.0.1:{plain_http}"


def test_unreachable_server_message_names_no_secret():
    client = HttpClient(f"http://admin:{TOKEN}@127.0.0.1:9/?token={TOKEN}", max_retries=0, connect_timeout=1)
    with pytest.raises(NetworkError) as exc:
        client.get("/x", auth=False)
    assert TOKEN not in str(exc.value) and "127.0.0.1:9" in str(exc.value)


@pytest.mark.parametrize(
    "raw,shown",
    [
        (f"https://user:{TOKEN}@matrix.example.org/x", "https://***@matrix.example.org/x"),
        (f"GET /sync?access_token={TOKEN}&since=1", "GET /sync?access_token=***&since=1"),
        (f"POST https://h/x?password={TOKEN}#frag", "POST https://h/x?password=***#frag"),
        (f"Authorization: Bearer {TOKEN}", "Authorization: Bearer ***"),
        (f'{{"access_token": "{TOKEN}"}}', '{"access_token": "***"}'),
        ("mailto:someone@example.org and http://example.org/a@b", "mailto:someone@example.org and http://example.org/a@b"),
    ],
)
def test_redact(raw, shown):
    assert redact(raw) == shown


def test_url_secrets_are_found_to_redact_them_anywhere():
    secrets = url_secrets(f"https://rse:{TOKEN}@h/?api_key=k3y-value&x=1")
    assert TOKEN in secrets and "k3y-value" in secrets and "1" not in secrets
    assert redact(f"failed for {TOKEN} and k3y-value", secrets) == "failed for *** and ***"


def test_cli_error_for_a_token_in_the_homeserver_url(cli, plain_http, monkeypatch):
    monkeypatch.setenv("RSE_HOMESERVER", f"https://rse:{TOKEN}@127.0.0.1:{plain_http}")
    monkeypatch.setenv("RSE_USER", "@rse:rse.test")
    monkeypatch.setenv("RSE_TOKEN", "syt_env_token_value")
    started = time.monotonic()
    result = cli("community", "list", ok=False)
    assert time.monotonic() - started < 15
    assert result.exit_code == 5, result.stderr
    assert "plain HTTP" in result.stderr
    assert TOKEN not in result.stderr + result.stdout and "syt_env_token_value" not in result.stderr + result.stdout
