"""rse digest send: to the community's main room on the real Synapse, and by e-mail through a
real local SMTP server (aiosmtpd); the same period's digest is sent once."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from tests.cli.test_audit import planted, send_as  # noqa: F401 - the fixture is shared
from tests.conftest import unique


def _messages(homeserver, room_id: str) -> list[dict]:
    page = homeserver.api("GET", f"/_matrix/client/v3/rooms/{room_id}/messages", params={"dir": "b", "limit": 100})
    return [e for e in page["chunk"] if e["type"] == "m.room.message"]


def test_digest_posted_once_in_the_main_room(rse, homeserver, planted):
    rse("sync", planted["alias"])
    dry = rse("digest", "send", "--community", planted["alias"], "--dry-run")
    assert "Qui connaît la procédure de note de frais ?" in dry.stdout
    assert len([m for m in _messages(homeserver, planted["room"]) if "📰" in m["content"]["body"]]) == 0

    [first] = rse.json("digest", "send", "--community", planted["alias"], "--period", "week")
    assert first["status"] == "sent" and first["event_id"] and first["recipient"] == "room"
    event = homeserver.api("GET", f"/_matrix/client/v3/rooms/{planted['room']}/event/{first['event_id']}")
    body = event["content"]["body"]
    assert "Audit Test" in body
    assert "Le nouveau badge arrive lundi" in body  # the post with a reply is among the best
    assert "Qui connaît la procédure de note de frais ?" in body  # still waiting
    assert "Bob Durand" in body and "Carol Petit" in body  # newcomers to welcome
    assert event["content"]["m.mentions"] == {}  # nobody pinged
    assert "<a href=" in event["content"]["formatted_body"]

    [again] = rse.json("digest", "send", "--community", planted["alias"], "--period", "week")
    assert again["status"] == "already sent" and again["event_id"] == first["event_id"]
    digests = [m for m in _messages(homeserver, planted["room"]) if "📰" in m["content"]["body"]]
    assert len(digests) == 1

    # the digest is rse's own message: it does not count as the community's activity
    rse("sync", planted["alias"])
    [c] = rse.json("audit", planted["alias"])["communities"]
    assert c["metrics"]["posts"] == 2


def test_digest_in_english_with_a_user_template(rse, homeserver, planted, tmp_path, monkeypatch):
    rse("sync", planted["alias"])
    result = rse("--lang", "en", "digest", "send", "--community", planted["alias"], "--dry-run")
    assert "A question is still waiting for an answer" in result.stdout  # one question: singular
    mine = tmp_path / "tpl" / "en"
    mine.mkdir(parents=True)
    (mine / "digest.md.j2").write_text("Custom digest of {{ community }}: {{ questions | length }} waiting\n", encoding="utf-8")
    monkeypatch.setenv("RSE_TEMPLATES_DIR", str(tmp_path / "tpl"))
    result = rse("--lang", "en", "digest", "send", "--community", planted["alias"], "--dry-run")
    assert "Custom digest of Audit Test: 1 waiting" in result.stdout


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _start_smtp(**options):
    aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is a dev dependency (pip install -e '.[dev]')")
    from rse_cli.sandbox.server import find_free_port

    inbox = Inbox()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=find_free_port(), **options)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp_server():
    controller, inbox = _start_smtp()
    yield controller, inbox
    controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that nothing trusts unless told to (its own CA)."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rse test SMTP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_digest_emailed_over_starttls_with_a_login(rse, homeserver, planted, tmp_path, monkeypatch):
    """The default set-up of a corporate relay: STARTTLS on 587, then AUTH; the certificate is checked."""
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = self_signed_certificate(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"digest-bot", b"s3cret-pw")
        logins.append((ok, session.ssl is not None))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    controller, inbox = _start_smtp(
        tls_context=tls, require_starttls=True, auth_required=True, auth_require_tls=True, authenticator=authenticator
    )
    try:
        for name, value in {
            "HOST": "127.0.0.1",
            "PORT": str(controller.port),
            "USER": "digest-bot",
            "PASSWORD": "s3cret-pw",
            "FROM": "rse@corp.test",
        }.items():
            monkeypatch.setenv(f"RSE_SMTP_{name}", value)
        rse("sync", planted["alias"])
        to = f"email:{unique('direction')}@corp.test"

        untrusted = rse("digest", "send", "--community", planted["alias"], "--to", to, ok=False)
        assert untrusted.exit_code == 5 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr
        assert logins == [] and not inbox.messages  # no password sent to a server rse could not verify

        monkeypatch.setenv("RSE_CA_BUNDLE", str(cert))
        monkeypatch.setenv("RSE_SMTP_PASSWORD", "wrong-pw")
        refused = rse("digest", "send", "--community", planted["alias"], "--to", to, ok=False)
        assert refused.exit_code != 0 and "refused the login of digest-bot" in refused.stderr
        assert "wrong-pw" not in refused.stderr + refused.stdout

        monkeypatch.setenv("RSE_SMTP_PASSWORD", "s3cret-pw")
        result = rse("digest", "send", "--community", planted["alias"], "--to", to, "--json")
        assert [d["status"] for d in json.loads(result.stdout)] == ["sent"]
        assert "s3cret-pw" not in result.stderr + result.stdout
        # smtplib tries each offered mechanism with the wrong password; then one login that works, all over TLS
        assert [ok for ok, _ in logins].count(True) == 1 and logins[-1][0] and all(tls for _, tls in logins)
        assert len(inbox.messages) == 1
        assert "Audit Test" in inbox.messages[0]["Subject"]
    finally:
        controller.stop()


def test_digest_emailed_once_through_a_real_smtp_server(rse, homeserver, planted, smtp_server, monkeypatch):
    controller, inbox = smtp_server
    monkeypatch.setenv("RSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RSE_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("RSE_SMTP_STARTTLS", "false")
    monkeypatch.setenv("RSE_SMTP_FROM", "rse@corp.test")
    rse("sync", planted["alias"])
    to = f"email:{unique('equipe')}@corp.test"
    [sent] = rse.json("digest", "send", "--community", planted["alias"], "--to", to)
    assert sent["status"] == "sent"
    [again] = rse.json("digest", "send", "--community", planted["alias"], "--to", to)
    assert again["status"] == "already sent"
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == to.removeprefix("email:") and msg["From"] == "rse@corp.test" and "Audit Test" in msg["Subject"]
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Qui connaît la procédure de note de frais ?" in plain and "<a href=" in html
    journal = rse.json("journal", "--action", "digest*")
    assert any(j["action"] == "digest-email" and j["outcome"] == "ok" for j in journal)


def test_starttls_refused_is_a_clear_network_error(rse, homeserver, planted, smtp_server, monkeypatch):
    controller, inbox = smtp_server
    monkeypatch.setenv("RSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RSE_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("RSE_SMTP_PASSWORD", "hunter2-secret")
    rse("sync", planted["alias"])
    result = rse("digest", "send", "--community", planted["alias"], "--to", "email:x@corp.test", ok=False)
    assert result.exit_code == 5 and "STARTTLS" in result.stderr
    assert "hunter2-secret" not in result.stderr + result.stdout and not inbox.messages
    shown = rse("config", "show", "--json")
    assert "hunter2-secret" not in shown.stdout
    # not sent, so a later run may try again
    monkeypatch.setenv("RSE_SMTP_STARTTLS", "false")
    monkeypatch.delenv("RSE_SMTP_PASSWORD")
    [ok] = rse.json("digest", "send", "--community", planted["alias"], "--to", "email:x@corp.test")
    assert ok["status"] == "sent" and len(inbox.messages) == 1


def test_digest_lists_upcoming_animations_from_the_hook_and_newcomers(tmp_path):
    """Service level, on a controlled history: the `upcoming` hook feeds the "coming up" section."""
    from datetime import timedelta

    from rse_cli.services import digest
    from rse_cli.store import Store
    from tests.services.test_health import MATRIX, NOW, World, settings, uid

    world = World(Store(str(tmp_path / "rse.db")))
    c = world.community("ventes", "Ventes", rooms=("Annonces", "Général"), members={uid("zoe"): 0, uid("yan"): 0})
    world.join(c["space"], uid("zoe"), 2)
    world.join(c["space"], uid("yan"), 40)
    hot = world.event(c["Général"], uid("yan"), 3, body="Nouveau catalogue en ligne")
    world.event(c["Général"], uid("zoe"), 2.5, "reply", body="Super", parent=hot)
    world.event(c["Général"], uid("zoe"), 2.4, "reaction", parent=hot)
    seen = []

    def upcoming(community, start, end):
        seen.append((community.name, end - start))
        return [digest.Animation(title="Café questions", at=NOW + timedelta(days=2), where="Général")]

    [d] = digest.send(
        world.store,
        settings(lang="en"),
        network_factory=None,
        period="week",
        dry_run=True,
        now=NOW,
        upcoming=upcoming,
        addressing=MATRIX,
    )
    assert seen == [("Ventes", timedelta(days=7))] and d.period == "2026-W47" and d.status == "dry run"
    assert "Coming up" in d.text and "Café questions" in d.text
    assert "Nouveau catalogue en ligne" in d.text and "1 reply, 1 reaction" in d.text
    assert "Zoe" in d.text and "Yan](" not in d.text  # only who joined during the week is welcomed
    from rse_cli.store import events as ev

    assert digest.main_room(ev.communities(world.store, addressing=MATRIX)[0]) == c["Général"]  # "Général" before "Annonces"
