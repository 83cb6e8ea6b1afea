"""The `rse` executable as cron runs it: `rse animate run` answers "nothing due" without loading
the full CLI, and hands everything else (due work, errors, other flags) to it unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from rse_cli.entry import _parse


def run(*args: str, fast: bool = True, importtime: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if not fast:
        env["RSE_FAST"] = "0"
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, "-m", "rse_cli", *args], capture_output=True, text=True, env=env, timeout=60)


def add(name: str, *schedule: str) -> None:
    done = run("animate", "add", name, "--community", "c", "--template", "weekly-question", "--tz", "UTC", *schedule)
    assert done.returncode == 0, done.stderr


def loaded(stderr: str) -> set[str]:
    """Top-level modules imported, from python -X importtime's report."""
    return {line.split("|")[-1].strip().split(".")[0] for line in stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.slow  # six rse processes, each timed with -X importtime
def test_nothing_due_answers_like_the_full_cli_without_loading_typer(isolated):
    add("later", "--at", "2099-12-15T12:00")
    for args in (
        ["animate", "run"],
        ["animate", "run", "--json"],
        ["--profile", "default", "animate", "run", "--only=later", "--json"],
    ):
        fast, full = run(*args, importtime=True), run(*args, fast=False, importtime=True)
        assert (fast.returncode, fast.stdout) == (full.returncode, full.stdout) == (0, "[]\n" if "--json" in args else "")
        assert "typer" not in loaded(fast.stderr) and "typer" in loaded(full.stderr)


@pytest.mark.slow  # five rse processes
def test_due_work_goes_to_the_full_cli_and_is_done(isolated):
    missed = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    add("late", "--at", missed)
    add("later", "--at", "2099-12-15T12:00")
    assert run("animate", "run", "--only", "later", "--json").stdout == "[]\n"  # only the one not due
    done = run("animate", "run")
    assert done.returncode == 0 and "0 posted, 1 skipped, 0 failed" in done.stderr
    assert "late" in done.stdout and "not posted late" in done.stdout
    again = run("animate", "run", "--json")
    assert (again.returncode, again.stdout) == (0, "[]\n")


def test_errors_are_reported_by_the_full_cli(isolated):
    bad = isolated / "bad.toml"
    bad.write_text("[profiles.default]\nlang = 'de'\n", encoding="utf-8")
    fast, full = run("--config", str(bad), "animate", "run"), run("--config", str(bad), "animate", "run", fast=False)
    assert fast.returncode == full.returncode != 0
    assert fast.stderr == full.stderr and f"{bad}: [profiles.default] lang" in fast.stderr


@pytest.mark.parametrize(
    ("argv", "shortcut"),
    [
        (["animate", "run"], {}),
        (
            ["-p", "prod", "--config=/etc/rse.toml", "animate", "run", "--json", "--only", "kudos"],
            {"profile": "prod", "config": "/etc/rse.toml", "json": True, "only": "kudos"},
        ),
        (["animate", "run", "--help"], None),
        (["animate", "run", "--format", "csv"], None),
        (["--verbose", "animate", "run"], None),
        (["animate", "run", "extra"], None),
        (["animate", "list"], None),
        (["animate"], None),
        (["--json", "animate", "run"], None),
        (["animate", "run", "--only"], None),
        (["-p", "a", "-p", "b", "animate", "run"], None),
    ],
)
def test_only_the_plain_cron_form_takes_the_shortcut(argv, shortcut):
    assert _parse(argv) == shortcut


def test_help_still_comes_from_the_full_cli(isolated):
    shown = run("animate", "run", "--help")
    assert shown.returncode == 0 and "Publish what is due" in shown.stdout


def test_a_mistyped_only_is_an_error_with_its_did_you_mean_not_a_silent_nothing_due(isolated):
    add("weekly-question", "--at", "2099-12-15T12:00")
    for fast in (True, False):
        typo = run("animate", "run", "--only", "weekly-questoin", fast=fast)
        assert typo.returncode == 4, typo.stderr
        assert "no animation named weekly-questoin" in typo.stderr and "did you mean weekly-question?" in typo.stderr


def run_at_a_terminal(*args: str, fast: bool = True, lang: str = "C.UTF-8") -> tuple[int, str, str]:
    """`rse ARGS` with stderr on a terminal (a pseudo-terminal), as a person runs it: exit code,
    stdout, and what the terminal showed."""
    import pty

    env = {**os.environ, "LANG": lang}
    if not fast:
        env["RSE_FAST"] = "0"
    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rse_cli", *args], stdout=subprocess.PIPE, stderr=slave, text=True, env=env, timeout=60
        )
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    return done.returncode, done.stdout, shown.decode().replace("\r\n", "\n")


@pytest.mark.slow  # six rse processes
def test_nothing_due_says_so_at_a_terminal_only_and_alike_in_both_paths(isolated):
    add("later", "--at", "2099-12-15T12:00")
    for lang, words in (("C.UTF-8", "nothing due now\n"), ("fr_FR.UTF-8", "rien à publier pour l'instant\n")):
        fast, full = run_at_a_terminal("animate", "run", lang=lang), run_at_a_terminal("animate", "run", fast=False, lang=lang)
        assert fast == full == (0, "", words)
    for fast in (True, False):  # cron: no terminal, no output at all (cron would mail it)
        quiet = run("animate", "run", fast=fast)
        assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
