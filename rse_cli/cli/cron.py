"""rse cron: the crontab lines that run rse's scheduled jobs, ready to paste."""

from __future__ import annotations

from typing import Annotated

import typer

from rse_cli.cli.options import JsonOpt, ctx_of
from rse_cli.i18n import N_, _

# (minute hour dom month dow, sub-command, what it does); spread off the hour on purpose
JOBS = [
    ("*/5 * * * *", "animate run", N_("publish the animations that are due, exactly once")),
    ("*/15 * * * *", "campaign run", N_("send the onboarding campaign steps that are due")),
    ("7 * * * *", "sync", N_("pull new events for audits, digests, kudos and leader briefs")),
    ("30 8 * * MON", "digest send --period week --sync", N_("send the weekly digests")),
]

HELP = _("""Print crontab lines for animate run, campaign run, sync and digests, ready to paste.

The lines use the full path of this rse, the active profile, and RSE_CONFIG_DIR /
RSE_DATA_DIR when set. The token: put RSE_TOKEN in the crontab's environment (or log in
with `rse auth login` as the cron user).

Example: rse cron >> my-crontab && crontab my-crontab""")


def executable() -> str:
    """The full path of the rse being run, so cron (with its bare PATH) finds the same one."""
    import os
    import shutil
    import sys

    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if argv0 and os.path.basename(argv0) in ("rse", "rse.exe") and os.path.exists(argv0):
        return os.path.abspath(argv0)
    found = shutil.which("rse")
    if found:
        return os.path.abspath(found)
    return f"{os.path.abspath(sys.executable)} -m rse_cli"


def cron(
    ctx: typer.Context,
    log: Annotated[
        str, typer.Option("--log", help=_("File each job appends its output to (default: the data dir's cron.log)."))
    ] = "",
    json_: JsonOpt = False,
) -> None:
    import os
    import shlex

    from rse_cli.config import data_dir

    c = ctx_of(ctx)
    profile = c.settings.profile
    exe = executable()
    env = " ".join(
        f"{k}={shlex.quote(os.environ[k])}" for k in ("RSE_CONFIG_DIR", "RSE_DATA_DIR", "RSE_CONFIG") if os.environ.get(k)
    )
    logfile = log or str(data_dir() / "cron.log")
    jobs = []
    for when, sub, what in JOBS:
        command = f"{exe} --profile {shlex.quote(profile)} {sub} >> {shlex.quote(logfile)} 2>&1"
        line = f"{when} {env + ' ' if env else ''}{command}".replace("%", "\\%")  # cron reads a bare % as a newline
        jobs.append({"schedule": when, "command": command, "env": env, "purpose": what, "line": line})
    if json_:
        import json

        c.stdout.write(json.dumps(jobs, ensure_ascii=False, indent=2) + "\n")
        return
    out = [
        "# "
        + _("rse jobs for profile {profile} (crontab -e, then paste). Times are the host's local time.").format(profile=profile),
        "# " + _("The token: add a line RSE_TOKEN=… above, or run `rse auth login` as this user."),
    ]
    for job in jobs:
        out += [f"# {_(job['purpose'])}", job["line"]]
    c.stdout.write("\n".join(out) + "\n")
