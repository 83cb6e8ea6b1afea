"""rse doctor: is everything in place? One line per check, with the fix."""

from __future__ import annotations

import typer

from rse_cli.cli.options import JsonOpt, ctx_of
from rse_cli.i18n import N_, _, ngettext

MARKS = {"ok": "✓", "fail": "✗", "warn": "!", "skip": "-"}
# each check's name as the user reads it (--json keeps the stable `name`)
NAMES = {
    "config": N_("config"),
    "profile": N_("profile"),
    "token": N_("token"),
    "server": N_("server"),
    "rights": N_("rights"),
    "store": N_("store"),
    "smtp": N_("smtp"),
    "cron": N_("cron"),
}


HELP = _("""Check the config, the token, the server, the account's rights, the store, SMTP and cron.

Each line says what was found and, when something is wrong, what to do. Exits non-zero (8) when a
check fails; warnings (!) do not change the exit code.

Example: rse doctor --json""")


def doctor(ctx: typer.Context, json_: JsonOpt = False) -> None:
    import json

    from rse_cli.config import default_config_path
    from rse_cli.errors import FindingsError
    from rse_cli.services.doctor import DoctorInputs, run
    from rse_cli.store import Store

    c = ctx_of(ctx)
    path = c.config_path or default_config_path()

    def connect(settings, token):
        # one quick try: a doctor reports an unreachable server at once instead of retrying for a minute
        settings = settings.model_copy(update={"max_retries": 0, "timeout": min(settings.timeout, 10.0)})
        if c.network_factory is not None:
            return c.network_factory(settings, token=token)
        from rse_cli.network.base import connect as connect_network

        return connect_network(settings, token=token)

    checks = run(
        DoctorInputs(
            config_path=path,
            load_settings=lambda: c.settings,
            token_source=c.token_source,
            connect=connect,
            open_store=lambda s: Store(s.store_location(), profile=s.profile),
        )
    )
    if json_:
        c.stdout.write(json.dumps([ch.model_dump() for ch in checks], ensure_ascii=False, indent=2) + "\n")
    else:
        for ch in checks:
            name = _(NAMES[ch.name]) if ch.name in NAMES else ch.name
            c.stdout.write(_("{mark} {name}: {detail}").format(mark=MARKS[ch.status], name=name, detail=ch.detail) + "\n")
            if ch.fix and ch.status in ("fail", "warn"):
                c.stdout.write("    " + _("fix: {fix}").format(fix=ch.fix) + "\n")
    failed = [_(NAMES[ch.name]) if ch.name in NAMES else ch.name for ch in checks if ch.status == "fail"]
    if failed:
        raise FindingsError(
            ngettext("{n} check failed: {names}", "{n} checks failed: {names}", len(failed)).format(
                n=len(failed), names=", ".join(failed)
            )
        )
