"""The Matrix connector (client-server API, plus Synapse's admin API when rse runs as an admin),
registered as the entry point `rse.networks: matrix`.

Mapping: a community is a Space and its channels are the Space's child rooms; roles are power
levels (the levels come from `[profiles.NAME.matrix]`, see settings.py). The package:
client.py (HTTP, identity, raw state), communities.py, members.py, messages.py (sends and direct
conversations), events.py (history), ids.py (ids, aliases and links, offline), settings.py,
network.py (MatrixNetwork, assembled), and here what the connector declares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rse_cli.domain import Role
from rse_cli.i18n import N_
from rse_cli.names import slug
from rse_cli.network.base import (
    Capabilities,
    Membership,
    RateLimit,
    RateModel,
    Structure,
    table_settings,
)
from rse_cli.network.matrix.events import map_event
from rse_cli.network.matrix.ids import MatrixAddressing, check_user, matrix_link
from rse_cli.network.matrix.network import MatrixNetwork
from rse_cli.network.matrix.settings import MatrixSettings

if TYPE_CHECKING:
    from rse_cli.config import Settings

__all__ = [
    "CAPABILITIES",
    "MatrixAddressing",
    "MatrixNetwork",
    "MatrixSettings",
    "SYNAPSE_DEFAULTS",
    "connector",
    "map_event",
    "matrix_link",
    "slug",
]

# Synapse's default limits (MATRIX-NOTES): invitations count against rc_message, one bucket
SYNAPSE_DEFAULTS = RateModel(
    messages=RateLimit(per_second=0.2, burst=10),
    invitations_share_messages=True,
    room_creations=RateLimit(per_second=0.016, burst=10),
    dm_creates_room=True,
    described=N_(
        "Synapse's default rate limits ({messages} messages and invitations a minute together, "
        "one room creation every {room_creations_every} s)"
    ),
    fast_path=N_(
        "a server admin lifts the limits of this account "
        '(POST /_synapse/admin/v1/users/<user>/override_ratelimit {"messages_per_second": 0, "burst_count": 0}), '
        "or, as an admin, set `join = true` in the manifest (admin force-join is not rate limited)"
    ),
)

CAPABILITIES = Capabilities(
    structure=Structure.rooms,
    membership=Membership.invite,
    force_join=True,
    direct_messages=True,
    roles=frozenset({Role.animator, Role.moderator}),
    server_idempotency=True,
    threads=True,
    reactions=True,
    pictures=True,
    identifiers=("id", "email", "name"),
    changes_since=True,  # a filtered /sync since a stored token (changes.py)
    dated_memberships=True,
    login="password",
    rate_limits=SYNAPSE_DEFAULTS,
)
MatrixNetwork.capabilities = CAPABILITIES


class _MatrixConnector:
    name = "matrix"
    description = N_("Matrix (Synapse): communities are Spaces, channels are their rooms")  # translated where shown
    capabilities = CAPABILITIES
    settings_model = MatrixSettings

    def addressing(self, settings: Settings) -> MatrixAddressing:
        check_user(settings)
        return MatrixAddressing.from_settings(settings, table_settings(settings, "matrix", MatrixSettings))

    def connect(self, settings: Settings, *, token: str | None = None, transport: Any = None) -> MatrixNetwork:
        return MatrixNetwork.from_settings(settings, token=token, transport=transport)


connector = _MatrixConnector()
