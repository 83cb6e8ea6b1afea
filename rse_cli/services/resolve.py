"""People named in a user's file (CSV, manifest), looked up on the network side by side, and
the refusal that lists every problem at once before anything is written."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from rse_cli.domain import Person
from rse_cli.errors import NotFoundError
from rse_cli.network.base import Network
from rse_cli.services.people_csv import Problem, refusal

__all__ = ["refuse", "resolve_people"]


def resolve_people(network: Network, refs: Iterable[str]) -> dict[str, Person | str]:
    """Each distinct reference -> the person it names, or why none (not found, ambiguous).
    Lookups run `network.concurrency` at a time: a 500-line export is not 500 round trips in a row."""
    distinct = list(dict.fromkeys(refs))

    def one(ref: str) -> tuple[str, Person | str]:
        try:
            return ref, network.resolve_person(ref)
        except NotFoundError as exc:  # also AmbiguousError
            return ref, exc.message

    if not distinct:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(network.concurrency, len(distinct)))) as pool:
        return dict(pool.map(one, distinct))


def refuse(problems: list[Problem], *, skip_invalid: bool, where: str) -> None:
    """Raise with every problem at once, unless they are all droppable rows and the user said so."""
    error = refusal(problems, skip_invalid, where)
    if error is not None:
        raise error
