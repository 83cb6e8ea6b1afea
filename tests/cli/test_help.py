"""Meta-test: every command explains itself and shows an example."""

from __future__ import annotations

import re

import typer.main

from rse_cli.cli import app


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        path = (*prefix, name)
        if hasattr(cmd, "commands"):
            assert cmd.help, f"rse {' '.join(path)} has no help"
            yield from _commands(cmd, path)
        else:
            yield path, cmd


def test_every_command_has_help_and_an_example():
    root = typer.main.get_command(app)
    commands = list(_commands(root))
    assert len(commands) >= 15
    for path, cmd in commands:
        assert cmd.help and cmd.help.strip(), f"rse {' '.join(path)} has no help text"
        assert re.search(r"Example: .*\brse ", cmd.help), f"rse {' '.join(path)} has no example"
        for param in cmd.params:
            if param.param_type_name == "option":
                assert param.help, f"rse {' '.join(path)} {param.opts[0]} has no help"


def test_list_and_show_commands_have_json():
    root = typer.main.get_command(app)
    for path, cmd in _commands(root):
        if path[-1] in {"list", "show", "status"} or path == ("journal",):
            assert any("--json" in p.opts for p in cmd.params), f"rse {' '.join(path)} lacks --json"
