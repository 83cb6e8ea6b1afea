"""The Viva Engage connector, registered as `engage` (entry point group `rse.networks`).

Mapping: a community is a Viva Engage community (Microsoft Graph, native-mode networks only),
whose one conversation feed is its Yammer group; members and admins are its Microsoft 365
group's members and owners (animator = owner: Engage has no moderator role). Posts, replies,
private messages and likes go through the Yammer REST API as the champion who signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rse_cli.domain import Role
from rse_cli.i18n import N_
from rse_cli.network.base import Capabilities, Membership, RateLimit, RateModel, Structure
from rse_cli.network.engage.ids import EngageAddressing
from rse_cli.network.engage.network import DirectMessagesDisabled, EngageNetwork
from rse_cli.network.engage.settings import EngageSettings, engage_settings

if TYPE_CHECKING:
    from rse_cli.config import Settings
    from rse_cli.network.engage.auth import EngageAuth

__all__ = ["CAPABILITIES", "DirectMessagesDisabled", "EngageNetwork", "EngageSettings", "build", "connector"]

# https://learn.microsoft.com/en-us/rest/api/yammer/rest-api-rate-limits: 10 requests in 30 s per
# user per app, for the messages endpoints and for all the others (reads included), one bucket
# as far as rse is concerned. Community creation is asynchronous: one poll at least, > 30 s apart
# (https://learn.microsoft.com/en-us/graph/api/resources/engagementasyncoperation).
YAMMER_LIMITS = RateModel(
    messages=RateLimit(per_second=10 / 30, burst=10),
    invitations=RateLimit(per_second=10 / 30, burst=10),  # Graph's Engage limit is of the same order
    community_creation_seconds=62.0,
    reads=RateLimit(per_second=10 / 30, burst=10),
    described=N_(
        "Viva Engage's documented limits ({messages} messages a minute, {invitations} member additions a minute, "
        "over a minute to create a community)"
    ),
)

CAPABILITIES = Capabilities(
    structure=Structure.feed,
    membership=Membership.direct,
    force_join=False,
    direct_messages=True,  # unless the tenant disabled them: EngageNetwork.dm_available()
    roles=frozenset({Role.animator}),
    server_idempotency=False,
    threads=True,
    reactions=True,
    reaction_keys=False,  # a like is the only reaction (read back as 👍)
    pictures=False,
    topics=True,
    unique_names=True,  # Graph refuses a taken community name (the creation operation fails)
    identifiers=("id", "email", "name"),
    changes_since=True,
    dated_memberships=False,
    login="device_code",
    homeserver_setting=False,  # Microsoft's endpoints, in [profiles.NAME.engage]
    rate_limits=YAMMER_LIMITS,
)
EngageNetwork.capabilities = CAPABILITIES


class EngageConnector:
    name = "engage"
    description = N_(
        "Viva Engage (Microsoft Graph + Yammer REST, device-code sign-in): one feed per community"
    )  # translated where shown
    capabilities = CAPABILITIES
    settings_model = EngageSettings

    def addressing(self, settings: Settings) -> EngageAddressing:
        return EngageAddressing(engage_settings(settings).web_url)

    def auth(self, settings: Settings) -> EngageAuth:
        """The msal sign-in of this profile (device-code login, token cache, status)."""
        from rse_cli.config import data_dir
        from rse_cli.network.engage.auth import EngageAuth, cache_path

        verify: Any = str(settings.ca_bundle) if settings.ca_bundle else settings.verify_tls
        return EngageAuth(engage_settings(settings), cache_path(data_dir(), settings.profile), verify=verify)

    def connect(self, settings: Settings, *, token: str | None = None, transport: Any = None) -> EngageNetwork:
        """Tokens come from the profile's msal cache (`rse auth login`), refreshed silently; a `token`
        (RSE_TOKEN) is used as the bearer of both APIs instead (a token broker in front of both)."""
        import time

        es = engage_settings(settings)
        if token:
            return build(settings, es, graph_token=lambda fresh: token, yammer_token=lambda fresh: token, transport=transport)
        auth = self.auth(settings)
        return build(
            settings,
            es,
            graph_token=lambda fresh: auth.token("graph", fresh),
            yammer_token=lambda fresh: auth.token("yammer", fresh),
            transport=transport,
            sleep=time.sleep,
            clock=time.monotonic,
            auth=auth,
        )


def build(
    settings: Settings,
    es: EngageSettings,
    *,
    graph_token: Callable[[bool], str],
    yammer_token: Callable[[bool], str],
    transport: Any = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
    auth: EngageAuth | None = None,
) -> EngageNetwork:
    """The network from its parts; tests pass the fake's clock so that pacing and polling run in fake
    time. `auth`: the msal sign-in behind the token functions (sign-in, status and logout use it)."""
    import time

    from rse_cli.network.engage.clients import GraphClient, Pacer, YammerClient
    from rse_cli.network.engage.people_cache import PeopleCache
    from rse_cli.network.http import HttpClient, ssl_context

    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    verify = ssl_context(settings.ca_bundle, settings.verify_tls)

    def http(url: str) -> HttpClient:
        return HttpClient(
            url,
            timeout=settings.timeout,
            verify=verify,
            concurrency=settings.concurrency,
            max_retries=settings.max_retries,
            transport=transport,
            sleep=sleep,
            clock=clock,
        )

    def pacer(window: float) -> Pacer:
        return Pacer(es.rate_requests, window, clock=clock, sleep=sleep)

    graph = GraphClient(http(es.graph_url), graph_token)
    # autocomplete: 10 in 10 s; the others: 10 in 30 s
    pacers = {
        "messages": pacer(es.rate_window_seconds),
        "other": pacer(es.rate_window_seconds),
        "autocomplete": pacer(es.rate_window_seconds / 3),
    }
    yammer = YammerClient(http(es.yammer_url), yammer_token, pacers)
    people = PeopleCache(settings.store_location(), settings.profile)
    return EngageNetwork(
        es, graph, yammer, people=people, concurrency=min(settings.concurrency, 4), sleep=sleep, clock=clock, auth=auth
    )


connector = EngageConnector()
