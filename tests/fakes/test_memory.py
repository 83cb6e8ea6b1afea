"""The in-memory reference network keeps its promises (the conformance suite covers the protocol;
here: what only the fake has — worlds, tokens, the 429 knob, flavours)."""

from __future__ import annotations

import pytest

from rse_cli.config import Settings
from rse_cli.domain import Message
from rse_cli.errors import AuthError, ForbiddenError, RateLimitedError, UsageError
from rse_cli.network import base


def settings_for(world, network: str = "memory") -> Settings:
    return Settings.model_construct(**{**Settings().model_dump(), "network": network, "homeserver": world.url})


def test_state_outlives_a_connection(memory_world):
    me = memory_world.add_person("Camille", "camille@example.org", admin=True)
    first = base.connector("memory").connect(settings_for(memory_world), token=memory_world.token(me))
    created = first.create_community("Ventes", alias="ventes", topic=None)
    first.close()
    with pytest.raises(RuntimeError):
        first.whoami()  # a closed connection is not silently reused
    second = base.connector("memory").connect(settings_for(memory_world), token=memory_world.token(me))
    assert second.get_community("~ventes").id == created.id


def test_a_wrong_token_or_a_missing_world_is_refused(memory_world):
    with pytest.raises(AuthError):
        base.connector("memory").connect(settings_for(memory_world), token="nope")
    with pytest.raises(UsageError):
        base.connector("memory").connect(Settings(homeserver="https://memory.invalid/absent"), token="x")


def test_a_world_answers_only_to_its_own_flavour(memory_world, memory_feed_world):
    me = memory_world.add_person("Camille", None)
    with pytest.raises(UsageError):
        base.connector("memory-feed").connect(settings_for(memory_world, "memory-feed"), token=memory_world.token(me))


def test_the_429_knob_counts_requests(memory_world):
    me = memory_world.add_person("Camille", None)
    net = base.connector("memory").connect(settings_for(memory_world), token=memory_world.token(me))
    memory_world.throttle(net.max_retries)  # exactly as many 429s as retries: the call still succeeds
    net.whoami()
    assert memory_world.throttled == 0 and net.rate_limited()
    memory_world.throttle(net.max_retries + 1)
    with pytest.raises(RateLimitedError):
        net.whoami()


def test_feed_without_server_idempotency_posts_twice_and_dms_can_be_disabled(memory_feed_world):
    w = memory_feed_world
    me, bob = w.add_person("Camille", None, admin=True), w.add_person("Bob", "bob@example.org")
    net = base.connector("memory-feed").connect(settings_for(w, "memory-feed"), token=w.token(me))
    feed = net.create_community("Ventes", alias="ventes", topic=None)
    net.send(feed.id, Message("bonjour"), "t1")
    net.send(feed.id, Message("bonjour"), "t1")  # like Yammer: no idempotency key
    assert w.bodies(feed.id) == ["bonjour", "bonjour"]
    assert net.invite(feed, bob) is True and w.room(feed.id).members[bob] == "join"  # direct membership
    w.dms_disabled = True
    with pytest.raises(ForbiddenError):
        net.direct_room(bob)


def test_the_addressing_reads_this_networks_alias_syntax_only():
    from tests.fakes.memory import MemoryAddressing

    a = MemoryAddressing()
    assert a.alias_ref("ventes") == "~ventes" and a.bare_alias("~ventes") == a.bare_alias("ventes") == "ventes"
    # Matrix's syntax means nothing here: left as written, so a manifest refuses it as not bare
    assert a.bare_alias("#ventes:rse.test") == "#ventes:rse.test"
