"""The `rse` executable: a fast answer for cron's `rse animate run` when nothing is due, else the CLI.

Cron runs `rse animate run` every few minutes and nearly every time nothing is due. Building
typer's command tree and its parameter validators costs about 100 ms before any command
runs, so the plain cron form of that command is recognised here, the store is asked whether
anything is due, and "nothing" is answered without loading typer. Everything else (another
flag, `--help`, something due, any error) goes through the normal CLI, which then does all
the work and prints every message, so behaviour cannot differ between the two paths. A person
at a terminal (stderr a tty) is told "nothing due" by both; cron, without one, gets no output and
the shortcut loads no catalog.
`RSE_FAST=0` turns the shortcut off.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main", "nothing_due"]

# global options (before the command) and `animate run` options the shortcut understands
_GLOBAL_VALUED = {"--profile": "profile", "-p": "profile", "--config": "config"}
_RUN_VALUED = {"--only": "only"}


def _parse(argv: list[str]) -> dict[str, str | bool] | None:
    """The options of `[--profile P] [--config F] animate run [--json] [--only NAME]`, or None
    when argv is anything else."""
    opts: dict[str, str | bool] = {}
    args = list(argv)
    command: list[str] = []
    while args:
        arg = args.pop(0)
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        valued = _RUN_VALUED if command else _GLOBAL_VALUED
        if name in valued:
            if not eq:
                if not args:
                    return None
                inline = args.pop(0)
            if not inline or valued[name] in opts:
                return None
            opts[valued[name]] = inline
        elif arg == "--json" and command == ["animate", "run"]:
            opts["json"] = True
        elif arg.startswith("-") or len(command) == 2:
            return None
        else:
            command.append(arg)
            if command != ["animate", "run"][: len(command)]:
                return None
    return opts if command == ["animate", "run"] else None


def nothing_due(argv: list[str]) -> bool:
    """True when argv is the plain form of `rse animate run` and nothing is due: the answer
    (no output, or `[]` with --json; "nothing due" on stderr when it is a terminal) has then been
    printed. False: run the full CLI."""
    if os.environ.get("RSE_FAST") == "0":
        return False
    opts = _parse(argv)
    if opts is None:
        return False
    try:
        from pathlib import Path

        from rse_cli.clock import now
        from rse_cli.config import load_settings
        from rse_cli.services.animations import all_animations, due
        from rse_cli.store import Store

        config = opts.get("config") or None
        settings = load_settings(config_path=Path(str(config)) if config else None, profile=opts.get("profile") or None)  # type: ignore[arg-type]
        store = Store(settings.store_location(), profile=settings.profile, clock=now)
        try:
            todo = due(store, now())
            if opts.get("only") and not any(a.name == opts["only"] for a in all_animations(store)):
                return False  # an unknown name: the full CLI says so, with its did-you-mean
        finally:
            store.close()
    except Exception:  # noqa: BLE001 - the full CLI reports it properly
        return False
    only = opts.get("only")
    if any(only is None or anim.name == only for anim, _, _ in todo):
        return False
    if opts.get("json"):
        sys.stdout.write("[]\n")
    if sys.stderr.isatty():  # a person, not cron: answer (the catalog is loaded only then)
        from rse_cli.i18n import _, activate, early_language

        activate(early_language(argv))
        sys.stderr.write(_("nothing due now") + "\n")  # as cli/animate.py says it
        sys.stderr.flush()
    return True


def main() -> None:
    if nothing_due(sys.argv[1:]):
        sys.exit(0)
    from rse_cli.i18n import activate, early_language

    activate(early_language(sys.argv[1:]))  # before the command modules build their help texts
    from rse_cli.cli import main as cli_main

    cli_main()
