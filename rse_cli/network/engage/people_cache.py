"""The connector's store-backed caches (store/people.py), opened lazily: a person's Graph and
Yammer ids (each look-up spends Yammer's scarce requests), community creations in progress, and
the aliases communities were created with (Engage keeps none)."""

from __future__ import annotations

from typing import Any

from rse_cli.store.people import (
    EngagePerson,
    alias_of_community,
    community_of_alias,
    end_creation,
    pending_creation,
    person_by,
    remember_alias,
    remember_person,
    start_creation,
)


class PeopleCache:
    def __init__(self, location: str, profile: str) -> None:
        self._location = location
        self._profile = profile
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            from rse_cli.store import Store

            self._store = Store(self._location, profile=self._profile)
        return self._store

    def remember(self, yammer_id: str, *, graph_id: str | None, email: str | None, name: str | None) -> None:
        remember_person(self.store, EngagePerson(yammer_id, graph_id, email, name))

    def by_email(self, email: str) -> EngagePerson | None:
        return person_by(self.store, email=email)

    def by_graph(self, graph_id: str) -> EngagePerson | None:
        return person_by(self.store, graph_id=graph_id)

    def by_yammer(self, yammer_id: str) -> EngagePerson | None:
        return person_by(self.store, yammer_id=yammer_id)

    def pending(self, name: str) -> str | None:
        return pending_creation(self.store, name)

    def start(self, name: str, location: str) -> None:
        start_creation(self.store, name, location)

    def end(self, name: str) -> None:
        end_creation(self.store, name)

    def remember_alias(self, alias: str, community_id: str) -> None:
        remember_alias(self.store, alias, community_id)

    def community_of_alias(self, alias: str) -> str | None:
        return community_of_alias(self.store, alias)

    def alias_of(self, community_id: str) -> str | None:
        return alias_of_community(self.store, community_id)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
