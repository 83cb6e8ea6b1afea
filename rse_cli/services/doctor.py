"""rse doctor: check, in the order a problem blocks the next, everything a champion's set-up needs.

Each check says what it found and, when something is wrong, the one thing to do about it. A check
that cannot run because an earlier one failed is reported as skipped, not as a second error.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from rse_cli.errors import AuthError, ConfigError, NetworkError, RseError, UsageError
from rse_cli.i18n import N_, _
from rse_cli.network.base import Capabilities, capabilities, check_settings

__all__ = ["Check", "DoctorInputs", "run"]

Status = Literal["ok", "fail", "warn", "skip"]


class Check(BaseModel):
    name: str  # stable key for --json: config, profile, token, server, rights, store, smtp, cron
    status: Status
    detail: str
    fix: str | None = None


@dataclass
class DoctorInputs:
    """What the checks need, injected by the CLI (tests swap any of them)."""

    config_path: Path
    load_settings: Callable[[], Any]
    token_source: Callable[[], tuple[str | None, str]]
    connect: Callable[[Any, str | None], Any]
    open_store: Callable[[Any], Any]
    crontab: Callable[[], str | None] = field(default=lambda: read_crontab())
    smtp_check: Callable[[Any], str] = field(default=lambda s: check_smtp(s))
    cron_commands: tuple[str, ...] = ("animate run", "campaign run", "sync", "digest send")


def read_crontab() -> str | None:
    """The user's crontab, or None when there is no crontab program or no crontab."""
    if shutil.which("crontab") is None:
        return None
    try:
        done = subprocess.run(["crontab", "-l"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def check_smtp(settings: Any) -> str:
    """Connect, STARTTLS and log in without sending anything; returns what was checked."""
    import smtplib
    import ssl

    steps = [_("{server} answers").format(server=f"{settings.smtp_host}:{settings.smtp_port}")]
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=min(settings.timeout, 10)) as smtp:
            if settings.smtp_starttls:
                ctx = ssl.create_default_context(cafile=str(settings.ca_bundle) if settings.ca_bundle else None)
                smtp.starttls(context=ctx)
                steps.append("STARTTLS")
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
                steps.append(_("login as {user}").format(user=settings.smtp_user))
    except smtplib.SMTPAuthenticationError:
        raise AuthError(
            _("the SMTP server refused the login of {user}").format(user=settings.smtp_user),
            hint=_("check smtp_user and RSE_SMTP_PASSWORD"),
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise NetworkError(
            _("{server} does not offer STARTTLS").format(server=f"{settings.smtp_host}:{settings.smtp_port}"),
            hint=_("use the submission port (587) of a server that offers STARTTLS"),
        ) from None
    except ssl.SSLError as exc:
        raise NetworkError(
            _("TLS with {server} failed: {reason}").format(server=settings.smtp_host, reason=exc.reason or exc),
            hint=_("set ca_bundle to the certificate authority that signed the SMTP server's certificate"),
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise NetworkError(
            _("cannot reach {server}: {reason}").format(server=f"{settings.smtp_host}:{settings.smtp_port}", reason=exc),
            hint=_("check smtp_host and smtp_port, and that this host may reach it"),
        ) from None
    return ", ".join(steps)


def _fail(name: str, exc: RseError) -> Check:
    return Check(name=name, status="fail", detail=exc.message, fix=exc.hint)


def run(inputs: DoctorInputs) -> list[Check]:
    """Every check, in order. Never raises for what it checks: a failure is a Check."""
    checks: list[Check] = []
    path = inputs.config_path
    try:
        settings = inputs.load_settings()
    except ConfigError as exc:
        checks.append(_fail("config", exc))
        return checks + _skipped("profile", "token", "server", "rights", "store", "smtp", "cron")
    caps = _capabilities(settings)
    if not settings.homeserver and (caps is None or caps.homeserver_setting):
        checks.append(
            Check(
                name="config",
                status="fail",
                detail=_("no server configured ({where})").format(
                    where=_("no config file at {path}").format(path=path) if not path.exists() else path
                ),
                fix=_("rse config init --homeserver https://… --user @you:server (then rse auth login)"),
            )
        )
        return checks + _skipped("profile", "token", "server", "rights", "store", "smtp", "cron")
    try:  # the connector's own table (`[profiles.NAME.<network>]`) is part of the config
        check_settings(settings)
    except ConfigError as exc:
        checks.append(_fail("config", exc))
        return checks + _skipped("profile", "token", "server", "rights", "store", "smtp", "cron")
    except UsageError:
        pass  # no such connector: the profile check says which are installed
    where = _("{path} is valid").format(path=path) if path.exists() else _("no config file: settings come from RSE_* variables")
    checks.append(Check(name="config", status="ok", detail=where))
    checks.append(_profile(settings))
    checks += _account(inputs, settings)
    checks.append(_store(inputs, settings))
    checks.append(_smtp(inputs, settings))
    checks.append(_cron(inputs, settings))
    return checks


def _capabilities(settings: Any) -> Capabilities | None:
    """The profile's connector's capabilities (None when no such connector is installed: the
    profile check reports that)."""
    try:
        return capabilities(settings)
    except UsageError:
        return None


def _skipped(*names: str) -> list[Check]:
    return [Check(name=n, status="skip", detail=_("not checked: fix the first problem above")) for n in names]


def _profile(settings: Any) -> Check:
    from rse_cli.network.base import connector

    try:
        plugin = connector(settings.network)
    except UsageError as exc:
        return _fail("profile", exc)
    if not plugin.capabilities.homeserver_setting:  # the connector's table says where (Viva Engage)
        return Check(
            name="profile",
            status="ok",
            detail=_("profile {profile}: {network}").format(profile=settings.profile, network=_(plugin.description)),
        )
    where = settings.homeserver or _("no server URL")
    return Check(
        name="profile",
        status="ok",
        detail=_("profile {profile}: {network}, {server}").format(
            profile=settings.profile, network=_(plugin.description), server=where
        ),
    )


# where the token came from, as the user reads it (the CLI's token_source() gives the key)
SOURCES = {"config file": N_("the config file"), "stored login": N_("the stored login")}


def _account(inputs: DoctorInputs, settings: Any) -> list[Check]:
    token, key = inputs.token_source()
    source = _(SOURCES[key]) if key in SOURCES else key
    # a device-code connector keeps its own sign-in (Viva Engage: msal's cache): no token to pass
    caps = _capabilities(settings)
    cached = not token and caps is not None and caps.login == "device_code"
    if not token and not cached:
        return [
            Check(
                name="token",
                status="fail",
                detail=_("no token for profile {profile}").format(profile=settings.profile),
                fix=_("rse auth login (or set RSE_TOKEN for cron)"),
            ),
            *_skipped("server", "rights"),
        ]
    try:
        network = inputs.connect(settings, token)
    except RseError as exc:
        return [_fail("server", exc), *_skipped("token", "rights")]
    out: list[Check] = []
    try:
        me = network.whoami()
    except NetworkError as exc:
        return [
            Check(
                name="token",
                status="skip",
                detail=_("token from {source}: not checked, the server is unreachable").format(source=source),
            ),
            _fail("server", exc),
            *_skipped("rights"),
        ]
    except AuthError as exc:
        if cached:  # not signed in, or the sign-in lapsed: the connector's message says which
            return [Check(name="token", status="fail", detail=exc.message, fix=exc.hint), *_skipped("server", "rights")]
        return [
            Check(
                name="token",
                status="fail",
                detail=_("the token from {source} is refused: {reason}").format(source=source, reason=exc.message),
                fix=_("rse auth login (the stored token was revoked or has expired)"),
            ),
            *_skipped("server", "rights"),
        ]
    except RseError as exc:
        return [_fail("server", exc), *_skipped("token", "rights")]
    who = f"{me.user_id} ({me.display_name})" if me.display_name else me.user_id
    if cached:
        out.append(
            Check(
                name="token",
                status="ok",
                detail=_("signed in (cached sign-in, refreshed silently): acts as {who}").format(who=who),
            )
        )
    else:
        out.append(
            Check(name="token", status="ok", detail=_("token from {source}: acts as {who}").format(source=source, who=who))
        )
    try:
        for name, ok, detail, fix in network.diagnose():
            out.append(Check(name=name, status="ok" if ok is True else "warn" if ok is None else "fail", detail=detail, fix=fix))
    except RseError as exc:
        out.append(_fail("server", exc))
    finally:
        network.close()
    return out


def _store(inputs: DoctorInputs, settings: Any) -> Check:
    from rse_cli.store.migrations import MIGRATIONS

    try:
        store = inputs.open_store(settings)
    except RseError as exc:
        return _fail("store", exc)
    try:
        applied = set(store.applied)
        missing = [mid for mid, _ in MIGRATIONS if mid not in applied]
        store.journal("doctor", "store", "ok", None)  # proves the store takes a write
    except Exception as exc:  # a read-only file or a dropped PostgreSQL connection
        return Check(
            name="store",
            status="fail",
            detail=_("{store}: cannot write: {reason}").format(store=settings.store_location(), reason=exc),
            fix=_("make the data directory writable, or set `store` to a writable path"),
        )
    finally:
        store.close()
    kind = "PostgreSQL" if store.dialect == "postgresql" else "SQLite"
    if missing:
        return Check(
            name="store",
            status="fail",
            detail=_("{kind} store misses migrations {ids}").format(kind=kind, ids=", ".join(missing)),
            fix=_("run any rse command with write access to apply them"),
        )
    where = "PostgreSQL" if kind == "PostgreSQL" else settings.store_location()
    return Check(
        name="store",
        status="ok",
        detail=_("{kind} store at {where}: writable, {n} migrations applied").format(kind=kind, where=where, n=len(applied)),
    )


def _smtp(inputs: DoctorInputs, settings: Any) -> Check:
    if not settings.smtp_host:
        return Check(name="smtp", status="skip", detail=_("no SMTP server configured (digests go to rooms only)"))
    try:
        return Check(name="smtp", status="ok", detail=inputs.smtp_check(settings))
    except RseError as exc:
        return _fail("smtp", exc)


def _cron(inputs: DoctorInputs, settings: Any) -> Check:
    table = inputs.crontab()
    fix = _("rse cron > rse.cron && crontab rse.cron (or add its lines to your crontab)")
    if table is None:
        return Check(name="cron", status="warn", detail=_("no crontab for this user: scheduled jobs do not run"), fix=fix)
    lines = [ln for ln in table.splitlines() if ln.strip() and not ln.lstrip().startswith("#") and "rse" in ln]
    mine = [ln for ln in lines if f"--profile {settings.profile} " in ln or "--profile" not in ln]
    missing = [cmd for cmd in inputs.cron_commands if not any(f" {cmd}" in ln for ln in mine)]
    if missing:
        return Check(
            name="cron", status="warn", detail=_("the crontab has no line for: {jobs}").format(jobs=", ".join(missing)), fix=fix
        )
    return Check(
        name="cron", status="ok", detail=_("the {n} scheduled jobs are in the crontab").format(n=len(inputs.cron_commands))
    )
