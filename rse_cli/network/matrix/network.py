"""MatrixNetwork: the Matrix connection rse's services use, assembled from its parts."""

from __future__ import annotations

from rse_cli.network.matrix.communities import Communities
from rse_cli.network.matrix.events import Events
from rse_cli.network.matrix.members import Members
from rse_cli.network.matrix.messages import Messages

__all__ = ["MatrixNetwork"]


class MatrixNetwork(Communities, Members, Messages, Events):
    """The Matrix client-server API, plus Synapse's admin API when rse runs as an admin."""
