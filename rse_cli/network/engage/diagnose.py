"""`rse doctor` on Viva Engage: what a champion's set-up needs beyond a working sign-in, each
with the one thing to do about it.

- Microsoft Graph answers and the network is in native mode (Graph manages communities only
  there: https://learn.microsoft.com/en-us/graph/api/resources/community);
- the Yammer REST API answers (conversations, private messages, likes);
- the permissions granted to the app are the ones rse asks for (auth.GRAPH_SCOPES, YAMMER_SCOPES);
- the champion is a verified admin (the Data Export API: complete syncs) or not (feeds: partial);
- private messages are allowed, refused, or not known yet (the API does not say before one is sent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rse_cli.errors import ForbiddenError, RseError, UsageError
from rse_cli.i18n import _
from rse_cli.network.engage.auth import GRAPH_SCOPES, YAMMER_SCOPES

if TYPE_CHECKING:
    from rse_cli.network.engage.network import EngageNetwork

Check = tuple[str, bool | None, str, str | None]

__all__ = ["diagnose"]


def diagnose(net: EngageNetwork) -> list[Check]:
    return [_graph(net), _yammer(net), _permissions(net), _rights(net), _direct_messages(net)]


def _graph(net: EngageNetwork) -> Check:
    url = net.graph.http.base_url
    try:
        net.graph.call("GET", "/employeeExperience/communities", params={"$top": "1"})
    except UsageError as exc:  # the network is legacy (clients._legacy_error)
        return ("graph", False, exc.message, exc.hint)
    except ForbiddenError as exc:
        return ("graph", False, _("Microsoft Graph refuses to list communities: {reason}").format(reason=exc.message), exc.hint)
    except RseError as exc:  # unreachable, or a sign-in refused for Graph (consent withdrawn)
        return ("graph", False, exc.message, exc.hint)
    return ("graph", True, _("Microsoft Graph answers at {url}; the network is in native mode").format(url=url), None)


def _yammer(net: EngageNetwork) -> Check:
    try:
        net.me()
    except RseError as exc:
        return ("yammer", False, exc.message, exc.hint)
    return ("yammer", True, _("the Viva Engage API (Yammer) answers at {url}").format(url=net.yammer.http.base_url), None)


def _permissions(net: EngageNetwork) -> Check:
    if net.auth is None:
        return (
            "permissions",
            None,
            _("a token given from outside (RSE_TOKEN): rse cannot tell which permissions it carries"),
            _("unset RSE_TOKEN and run `rse auth login` to use the profile's own sign-in"),
        )
    granted = " ".join(net.auth.granted_scopes().values()).split()
    short = {g.rsplit("/", 1)[-1].casefold() for g in granted}
    missing = [s.rsplit("/", 1)[-1] for s in GRAPH_SCOPES + YAMMER_SCOPES if s.rsplit("/", 1)[-1].casefold() not in short]
    if missing:
        return (
            "permissions",
            False,
            _("permissions not granted to the app: {missing}").format(missing=", ".join(missing)),
            _(
                "ask the tenant admin to add them to the app registration and grant admin consent "
                "(API permissions > Grant admin consent), then run `rse auth login` again"
            ),
        )
    names = ", ".join(s.rsplit("/", 1)[-1] for s in GRAPH_SCOPES + YAMMER_SCOPES)
    return ("permissions", True, _("granted: {names}").format(names=names), None)


def _rights(net: EngageNetwork) -> Check:
    me = net.whoami()
    if me.admin:
        return (
            "rights",
            True,
            _("{user} is a verified admin: sync reads the Data Export API (every message)").format(
                user=me.display_name or me.user_id
            ),
            None,
        )
    return (
        "rights",
        None,
        _(
            "{user} is not a verified admin: sync reads the community feeds, which Microsoft says may leave out "
            "messages of long threads, so audits and digests say they may be incomplete"
        ).format(user=me.display_name or me.user_id),
        _("ask a Viva Engage admin to make this account a verified admin (Data Export API), or accept approximate audits"),
    )


def _direct_messages(net: EngageNetwork) -> Check:
    allowed = net.dm_available()
    if allowed is True:
        return ("dms", True, _("private messages are allowed in this network"), None)
    if allowed is False:
        if net.settings.welcome_by_mention:
            return (
                "dms",
                True,
                _("private messages are disabled in this network: welcomes are @mentions in the community (welcome_by_mention)"),
                None,
            )
        return (
            "dms",
            False,
            _("private messages are disabled in this network"),
            _(
                "set `welcome_by_mention = true` in [profiles.NAME.engage] (welcomes become @mentions in the community), "
                "or ask the Viva Engage admin to allow private messages"
            ),
        )
    return (
        "dms",
        None,
        _("whether private messages are allowed is not known until one is sent (Viva Engage's API does not say)"),
        _("ask the Viva Engage admin, then set `dms_enabled = true` (or false) in [profiles.NAME.engage]"),
    )
