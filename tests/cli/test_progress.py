"""Progress bars: on a terminal only, and drawn from the first report on (a question asked
before the work starts is not drawn over)."""

from __future__ import annotations

import io

from rse_cli.cli.context import AppContext


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_stderr_is_not_a_terminal():
    c = AppContext(stderr=io.StringIO())
    with c.progress("onboarding") as bar:
        assert bar is None
    assert c.stderr.getvalue() == ""


def test_the_bar_appears_at_the_first_report_only():
    c = AppContext(stderr=Terminal(), color=False)
    with c.progress("onboarding") as bar:
        assert bar is not None
        c.say("apply 3 change(s)?")
        assert c.stderr.getvalue() == "apply 3 change(s)?\n"  # nothing drawn yet
        bar.update(2, 3)
    assert "onboarding" in c.stderr.getvalue() and "2/3" in c.stderr.getvalue()


def test_a_counting_spinner_says_where_it_is():
    c = AppContext(stderr=Terminal(), color=False)
    with c.progress("sync", counting="events") as bar:
        assert bar is not None
        bar.advance("Général", 120)
    assert "Général" in c.stderr.getvalue() and "120 events" in c.stderr.getvalue()
