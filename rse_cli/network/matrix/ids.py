"""Matrix ids, aliases, media references and links: the only place rse parses or builds them.

Usable without a connection (reports built from the store link with it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from rse_cli.errors import ConfigError

if TYPE_CHECKING:
    from rse_cli.config import Settings
    from rse_cli.network.matrix.settings import MatrixSettings

# https://spec.matrix.org/v1.11/appendices/#user-identifiers (historical ids allowed)
USER_ID = re.compile(r"^@[\x21-\x39\x3b-\x7e]+:[A-Za-z0-9.\-\[\]:]+$")
MXC = re.compile(r"^mxc://[A-Za-z0-9.:\[\]-]+/[A-Za-z0-9_-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def localpart(ref: str) -> str:
    """'#ventes:example.org' -> 'ventes', '@marc:example.org' -> 'marc'."""
    return ref.lstrip("#@").split(":", 1)[0]


def check_user(settings: Settings) -> None:
    """The configured account must be a full Matrix ID: links and the server name come from it."""
    if settings.user is not None and not USER_ID.match(settings.user):
        raise ConfigError(
            f"{settings.source}: [profiles.{settings.profile}] user: expected a full Matrix ID such as "
            f"@champion:example.org, got {settings.user!r}",
            hint="`rse auth login` writes it for you",
        )


def matrix_link(client_url: str, server_name: str | None, target: str, event_id: str | None = None) -> str:
    """A link a Matrix client opens: a person, a room, or an event in a room.

    Rooms carry `?via=` (version-12 room ids name no server to join through); people don't.
    """
    if target.startswith("@"):
        return f"{client_url}{quote(target, safe='@:')}"
    path = quote(target, safe="!#@:") + (f"/{quote(event_id, safe='$')}" if event_id else "")
    return f"{client_url}{path}" + (f"?via={server_name}" if server_name else "")


@dataclass(frozen=True)
class MatrixAddressing:
    client_url: str = "https://matrix.to/#/"
    server_name: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, table: MatrixSettings) -> MatrixAddressing:
        server = settings.user.split(":", 1)[1] if settings.user and ":" in settings.user else None
        return cls(client_url=table.client_url, server_name=server)

    def community_key(self, ref: str) -> str:
        ref = ref.strip()
        return (localpart(ref) if ref.startswith("#") else ref).casefold()

    def community_keys(self, community_id: str, name: str, alias: str | None) -> set[str]:
        return {community_id.casefold(), name.casefold(), localpart(alias or "").casefold()} - {""}

    def alias_ref(self, alias: str) -> str:
        return f"#{localpart(alias)}"

    def bare_alias(self, alias: str) -> str:
        # the server part goes whatever it names: rse creates aliases on the account's own server
        return alias.lstrip("#").split(":")[0]

    def is_person_id(self, ref: str) -> bool:
        return bool(USER_ID.match(ref))

    def person_problem(self, ref: str) -> str | None:
        ref = ref.strip()
        if not ref:
            return "empty"
        if ref.startswith("@"):
            if ":" not in ref:
                return None  # a bare localpart: completed with the account's server
            return None if USER_ID.match(ref) else f"{ref!r} is not a Matrix ID (@name:server)"
        if "@" in ref:
            return None if EMAIL.match(ref) else f"{ref!r} is not an e-mail address"
        return None

    def short_name(self, person_id: str) -> str:
        return localpart(person_id)

    def is_picture_ref(self, ref: str) -> bool:
        return ref.startswith("mxc://")

    def picture_problem(self, ref: str) -> str | None:
        return None if MXC.match(ref) else f"{ref!r} is not a valid mxc:// URL (mxc://server/media-id)"

    def link(self, target: str, event_id: str | None = None) -> str:
        return matrix_link(self.client_url, self.server_name, target, event_id)
