"""rse doctor against a real Synapse, with one fault at a time: each line names what is wrong and the fix."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import ssl
import threading
from pathlib import Path

import pytest


def _checks(result) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(result.stdout)}


def _configure(rse, homeserver, tmp_path: Path) -> None:
    rse("config", "init", "--homeserver", homeserver.url, "--user", homeserver.admin)


def test_all_good_exits_zero_and_says_who(rse, homeserver, tmp_path):
    _configure(rse, homeserver, tmp_path)
    result = rse("doctor")
    assert f"✓ token: token from RSE_TOKEN: acts as {homeserver.admin}" in result.stdout
    assert "✓ server:" in result.stdout and "Synapse" in result.stdout
    assert "✓ store:" in result.stdout and "writable" in result.stdout
    assert "- smtp: no SMTP server configured" in result.stdout
    checks = _checks(rse("doctor", "--json"))
    assert list(checks) == ["config", "profile", "token", "server", "rights", "store", "smtp", "cron"]
    assert checks["rights"]["status"] in ("ok", "warn")  # an admin; exempt or not on this test server
    assert checks["cron"]["status"] == "warn" and "crontab" in checks["cron"]["fix"]


def test_wrong_token(rse, homeserver, tmp_path, monkeypatch):
    _configure(rse, homeserver, tmp_path)
    monkeypatch.setenv("RSE_TOKEN", "syt_not_a_real_token")
    result = rse("doctor", ok=False)
    assert result.exit_code == 8
    assert "✗ token: the token from RSE_TOKEN is refused" in result.stdout
    assert "fix: rse auth login" in result.stdout
    assert "syt_not_a_real_token" not in result.stdout + result.stderr


def test_server_down(rse, tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("RSE_HOMESERVER", f"http://127.0.0.1:{port}")
    result = rse("doctor", "--json", ok=False)
    checks = _checks(result)
    assert result.exit_code == 8
    assert checks["server"]["status"] == "fail" and "cannot reach" in checks["server"]["detail"]
    assert checks["token"]["status"] == "skip"
    assert checks["store"]["status"] == "ok"  # later checks still run


def test_unwritable_store(rse, homeserver, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store's folder should be")
    monkeypatch.setenv("RSE_STORE", str(blocker / "rse.db"))
    checks = _checks(rse("doctor", "--json", ok=False))
    assert checks["store"]["status"] == "fail" and "cannot open" in checks["store"]["detail"]
    assert checks["token"]["status"] == "ok"


def test_no_config_at_all_says_config_init(cli):
    result = cli("doctor", ok=False)
    assert result.exit_code == 8
    assert "✗ config: no server configured" in result.stdout
    assert "fix: rse config init" in result.stdout
    assert "- token: not checked" in result.stdout


# -- TLS: the server's certificate is checked against the configured CA bundle ------------------


def _ca_and_server_cert(tmp_path: Path, name: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = tmp_path / f"{name}-ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain = tmp_path / f"{name}-server.pem"
    chain.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_pem, chain


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server that refuses every token, as a homeserver would refuse a revoked one."""
    ca_pem, chain = _ca_and_server_cert(tmp_path, "company")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."}).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", ca_pem
    server.shutdown()


def test_bad_ca_then_right_ca(rse, tls_server, tmp_path, monkeypatch):
    url, right_ca = tls_server
    wrong_ca, _ = _ca_and_server_cert(tmp_path, "other")
    monkeypatch.setenv("RSE_HOMESERVER", url)
    monkeypatch.setenv("RSE_CA_BUNDLE", str(wrong_ca))
    checks = _checks(rse("doctor", "--json", ok=False))
    assert checks["server"]["status"] == "fail"
    assert "ca_bundle" in checks["server"]["fix"]
    monkeypatch.setenv("RSE_CA_BUNDLE", str(right_ca))
    checks = _checks(rse("doctor", "--json", ok=False))
    assert checks["token"]["status"] == "fail"  # TLS passed: the server itself refused the token
    assert "refused" in checks["token"]["detail"]
