"""People named in a user's file (CSV, manifest), looked up on the network side by side, and
the refusal that lists every problem at once before anything is written."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from rse_cli.domain import Person
from rse_cli.errors import NotFoundError
from rse_cli.i18n import _
from rse_cli.network.base import Network
from rse_cli.services.concurrency import side_by_side
from rse_cli.services.people_csv import Problem, refusal

__all__ = ["did_you_mean", "refuse", "resolve_people"]


def resolve_people(network: Network, refs: Iterable[str], *, pool: ThreadPoolExecutor | None = None) -> dict[str, Person | str]:
    """Each distinct reference -> the person it names, or why none (not found, ambiguous).
    Lookups run `network.concurrency` at a time: a 500-line export is not 500 round trips in a row.
    `pool`: share the caller's (its other reads, e.g. the communities, run alongside)."""
    distinct = list(dict.fromkeys(refs))
    if not distinct:
        return {}
    # the network may find many at once (a Synapse admin reads the accounts' list): the rest, and
    # whoever it did not find, one by one (each "not found" comes from there, with its reason)
    found: dict[str, Person | str] = dict(network.find_people(distinct))
    left = [ref for ref in distinct if ref not in found]

    def one(ref: str) -> tuple[str, Person | str]:
        try:
            return ref, network.resolve_person(ref)
        except NotFoundError as exc:  # also AmbiguousError
            return ref, exc.message

    if pool is not None:
        found.update(pool.map(one, left))
    else:
        with side_by_side(network, len(left)) as own:
            found.update(own.map(one, left))
    return {ref: found[ref] for ref in distinct}


def refuse(problems: list[Problem], *, skip_invalid: bool, where: str) -> None:
    """Raise with every problem at once, unless they are all droppable rows and the user said so."""
    error = refusal(problems, skip_invalid, where)
    if error is not None:
        raise error


def did_you_mean(word: str, known: Iterable[str], n: int = 2) -> str:
    """' (did you mean `a` or `b`?)' for the close matches of `word` among `known` (difflib,
    compared casefolded), else ''. For a name the user typed that names nothing."""
    by_key = {k.casefold(): k for k in known if k}
    near = [by_key[k] for k in difflib.get_close_matches(word.casefold(), list(by_key), n=n, cutoff=0.8)]
    if not near:
        return ""
    if len(near) == 1:
        return _(" (did you mean `{name}`?)").format(name=near[0])
    return _(" (did you mean `{a}` or `{b}`?)").format(a=near[0], b=near[1])
