"""Progress on stderr, only on a terminal (cron mails and pipes get no bar): one helper for
every long command (onboard apply, sandbox seed, sync)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rse_cli.cli.context import AppContext

__all__ = ["Bar", "progress"]


class Bar:
    """What services report to: `update(done, total)` for a known amount of work,
    `advance(where, n)` for a count that grows (events synced, per room). The bar appears at
    the first report, so a question asked before the work starts is not drawn over."""

    def __init__(self, rich_progress: Any) -> None:
        self._progress = rich_progress
        self._task = rich_progress.add_task("", total=None)
        self._started = False

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._progress.start()

    def update(self, done: int, total: int) -> None:
        self._start()
        self._progress.update(self._task, completed=done, total=total)

    def advance(self, where: str, n: int) -> None:
        self._start()
        self._progress.update(self._task, description=where, advance=n)

    def stop(self) -> None:
        if self._started:
            self._progress.stop()


@contextmanager
def progress(c: AppContext, label: str, *, counting: str | None = None) -> Iterator[Bar | None]:
    """A transient bar labelled `label` (or, with `counting`, a spinner showing where it is and
    how many `counting` so far); None when stderr is not a terminal."""
    if not (hasattr(c.stderr, "isatty") and c.stderr.isatty()):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn

    if counting is None:
        columns: tuple[Any, ...] = (label, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    else:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} " + counting))
    bar = Bar(Progress(*columns, console=c.err, transient=True))
    try:
        yield bar
    finally:
        bar.stop()
