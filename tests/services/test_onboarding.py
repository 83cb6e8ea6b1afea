"""Duration estimates and pacing for bulk jobs, at the limits a connector declares (no network needed)."""

from __future__ import annotations

import pytest

from rse_cli.errors import ForbiddenError
from rse_cli.network.base import (
    Capabilities,
    Membership,
    RateLimit,
    RateModel,
    Structure,
)
from rse_cli.network.matrix import CAPABILITIES as MATRIX
from rse_cli.services.onboarding import estimate


class Net:
    """Just what estimates and pacing read from a Network: capabilities, concurrency, the
    server's answers about rate limits."""

    def __init__(self, exempt=None, capabilities=MATRIX, concurrency=8):
        self.exempt, self.capabilities, self.concurrency = exempt, capabilities, concurrency
        self.limited = False

    def ratelimit_exempt(self):
        if isinstance(self.exempt, Exception):
            raise self.exempt
        return self.exempt

    def rate_limited(self):
        return self.limited


def test_welcome_dms_are_bound_by_room_creation():
    est = estimate(Net(), invitations=200, messages=200, room_creations=200)
    # 200 DMs need 200 rooms: (200 - burst 10) / 0.016 per s, about 3.3 hours (MATRIX-NOTES)
    assert 3.2 * 3600 < est.seconds_at_default_limits < 3.4 * 3600
    assert est.exempt is None and "Synapse" in est.limits and "override_ratelimit" in est.fast_path
    assert "12 messages" in est.limits and "every 62.5 s" in est.limits  # --json: English, the rates filled in


def test_the_limits_are_said_in_the_run_language():
    """The connector's words are translated when shown, its rates formatted the French way."""
    from rse_cli.i18n import activate, current
    from rse_cli.l10n import L10n

    rates = estimate(Net(), invitations=1, messages=1, room_creations=1).rates
    before = current()
    try:
        activate("fr")
        said = rates.describe(L10n("fr").num)
        fast = rates.describe_fast_path()
    finally:
        activate(before)
    assert said.startswith("les limites de débit par défaut de Synapse") and "toutes les 62,5 s" in said
    assert fast.startswith("un administrateur du serveur") and "override_ratelimit" in fast


def test_invitations_and_messages_share_one_bucket():
    est = estimate(Net(False), invitations=30, messages=30, room_creations=5)
    assert est.seconds_at_default_limits == (60 - 10) / 0.2 and est.exempt is False
    assert estimate(Net(True), invitations=1, messages=1, room_creations=1).exempt is True
    # a server that refuses to tell is "cannot tell", not a failure
    assert estimate(Net(ForbiddenError("no")), invitations=1, messages=1, room_creations=1).exempt is None


def test_the_estimate_follows_the_connector_rate_model_not_synapse():
    """A feed network with separate buckets and an asynchronous community creation (as Viva
    Engage declares): the service computes with what the connector says."""
    feed = Capabilities(
        structure=Structure.feed,
        membership=Membership.direct,
        rate_limits=RateModel(
            messages=RateLimit(per_second=10 / 30),
            invitations=RateLimit(per_second=1.0),
            community_creation_seconds=60.0,
            described="the feed's limits",
        ),
    )
    est = estimate(Net(capabilities=feed), invitations=100, messages=40, room_creations=2, communities=2)
    assert est.seconds_at_default_limits == 120.0  # messages: 40 / (1/3) = 120 s; creations: 2 x 60 s; invitations: 100 s
    assert (est.limits, est.fast_path) == ("the feed's limits", None)
    assert (
        estimate(Net(capabilities=feed), invitations=0, messages=0, room_creations=3, communities=3).seconds_at_default_limits
        == 180.0
    )


def test_pacer_drops_to_one_in_flight_once_rate_limited():
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from rse_cli.services.onboarding import Pacer

    net = Net()
    pacer = Pacer(net, 4, start=4)
    lock, peak, busy = threading.Lock(), [0, 0], [0]

    def work(phase: int) -> None:
        with pacer:
            with lock:
                busy[0] += 1
                peak[phase] = max(peak[phase], busy[0])
            time.sleep(0.02)
            with lock:
                busy[0] -= 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, [0] * 16))
    net.limited = True  # the server answered 429 once: one person at a time from now on
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, [1] * 8))
    assert peak == [4, 1]


def test_pacer_starts_at_the_declared_burst_then_opens_up():
    """The server takes its burst at once (Synapse: 10 messages and invitations), so the first
    people go out side by side; then one more at a time up to the concurrency setting. A limit
    without a burst starts one at a time; no declared limit, at the concurrency setting."""
    from rse_cli.network.base import RateLimit, RateModel
    from rse_cli.services.onboarding import Pacer

    pacer = Pacer(Net(), 16)
    assert pacer._allowed() == 10
    for _ in range(20):
        with pacer:
            pass
    assert pacer._allowed() == 16
    assert Pacer(Net(), 4)._allowed() == 4  # never above the concurrency setting
    tight = MATRIX.model_copy(update={"rate_limits": RateModel(messages=RateLimit(per_second=1, burst=3))})
    assert Pacer(Net(capabilities=tight), 16)._allowed() == 3
    no_burst = MATRIX.model_copy(update={"rate_limits": RateModel(invitations=RateLimit(per_second=1))})
    assert Pacer(Net(capabilities=no_burst), 16)._allowed() == 1
    unlimited = MATRIX.model_copy(update={"rate_limits": RateModel()})
    assert Pacer(Net(capabilities=unlimited, concurrency=8), 8)._allowed() == 8


def test_the_rough_estimate_counts_a_picture_like_the_plan_does(tmp_path):
    """Setting a picture is one more paced request; the topic of a new community is not (createRoom sets it)."""
    from rse_cli.services import manifest as mf
    from rse_cli.services.onboarding import Prepared, rough_estimate

    (tmp_path / "logo.gif").write_bytes(b"GIF89a" + bytes(20))
    path = tmp_path / "m.toml"
    path.write_text('[[community]]\nname = "A"\nalias = "a"\ntopic = "t"\nwelcome_post = "Bonjour"\n', encoding="utf-8")
    without = rough_estimate(Net(), Prepared(mf.load(path), {}, []))
    path.write_text(path.read_text(encoding="utf-8") + 'avatar = "logo.gif"\n', encoding="utf-8")
    with_picture = rough_estimate(Net(), Prepared(mf.load(path), {}, []))
    assert (without.messages, with_picture.messages) == (1, 1)  # the post: a message, as the plan line says
    assert (without.other_writes, with_picture.other_writes) == (0, 1)  # the picture: paced like one
    assert with_picture.seconds_at_default_limits == without.seconds_at_default_limits  # both under the burst


def test_set_up_reads_each_community_once_and_side_by_side(memory_world, tmp_path):
    """Issue 15: resolving people and reading the communities run in one pool, before any write,
    and plan + apply read each community (and its members) once, not once per phase."""
    import threading
    import time

    from rse_cli.network import base
    from rse_cli.services import onboard_run
    from rse_cli.store import Store
    from rse_cli.templating import Templates
    from tests.fakes.test_memory import settings_for

    me = memory_world.add_person("Camille", "camille@example.org", admin=True)
    for i in range(12):
        memory_world.add_person(f"P{i}", f"p{i}@corp.example")
    net = base.connector("memory").connect(settings_for(memory_world), token=memory_world.token(me))
    existing = net.create_community("Déjà là", alias="deja", topic=None)
    (tmp_path / "hr.csv").write_text(
        "email;first_name;department\n" + "".join(f"p{i}@corp.example;P{i};D{i % 3}\n" for i in range(12)), encoding="utf-8"
    )
    (tmp_path / "m.toml").write_text(
        '[people]\ncsv = "hr.csv"\n'
        + "".join(
            f'\n[[community]]\nname = "C{k}"\nalias = "{alias}"\nrooms = []\nwelcome_dm = false\n'
            f'members_where = {{ department = "D{k}" }}\n'
            for k, alias in enumerate(["deja", "c1", "c2"])
        ),
        encoding="utf-8",
    )
    calls: dict[str, int] = {}
    busy, peak, lock = [0], [0], threading.Lock()

    def counted(name, fn):
        def wrapper(*args, **kw):
            with lock:
                calls[name] = calls.get(name, 0) + 1
                busy[0] += 1
                peak[0] = max(peak[0], busy[0])
            time.sleep(0.02)  # a round trip: reads in a row would never overlap
            try:
                return fn(*args, **kw)
            finally:
                with lock:
                    busy[0] -= 1

        return wrapper

    for name in ("get_community", "list_members", "resolve_person"):
        setattr(net, name, counted(name, getattr(net, name)))
    store = Store(str(tmp_path / "rse.db"))
    result = onboard_run.apply_manifest(net, store, tmp_path / "m.toml", templates=Templates(None, "fr"), plan_first=True)
    assert result.summary["communities_created"] == 2 and result.summary["invited"] == 12
    assert calls["resolve_person"] == 12
    assert calls["get_community"] == 3  # once per community, for plan and apply together
    assert calls["list_members"] == 1  # the one that existed; a new community has nobody to read
    assert peak[0] >= 4  # people and communities read side by side
    assert existing.id == net.get_community("~deja").id


def _two_communities(memory_world, tmp_path, people=8):
    from rse_cli.network import base
    from tests.fakes.test_memory import settings_for

    me = memory_world.add_person("Camille", "camille@example.org", admin=True)
    for i in range(people):
        memory_world.add_person(f"Q{i}", f"q{i}@corp.example")
    net = base.connector("memory").connect(settings_for(memory_world), token=memory_world.token(me))
    (tmp_path / "hr.csv").write_text(
        "email;first_name;department\n" + "".join(f"q{i}@corp.example;Q{i};D{i % 2}\n" for i in range(people)),
        encoding="utf-8",
    )
    (tmp_path / "m.toml").write_text(
        '[people]\ncsv = "hr.csv"\n'
        + "".join(
            f'\n[[community]]\nname = "Rapide {k}"\nalias = "rapide{k}"\nrooms = []\nwelcome_dm = false\n'
            f'members_where = {{ department = "D{k}" }}\n'
            for k in range(2)
        ),
        encoding="utf-8",
    )
    return net


def test_a_community_that_cannot_be_set_up_is_reported_before_anyone_is_invited(memory_world, tmp_path):
    """A set-up failure (here a permission refused at creation) is raised before anyone is invited
    (the communities are all set up first), and a re-run completes the job."""
    from rse_cli.errors import ForbiddenError
    from rse_cli.services import onboarding
    from rse_cli.store import Store
    from rse_cli.templating import Templates

    net = _two_communities(memory_world, tmp_path)
    create = net.create_community

    def refused(name, **kw):
        if name == "Rapide 1":
            raise ForbiddenError("creating communities is reserved to admins")
        return create(name, **kw)

    net.create_community = refused
    store = Store(str(tmp_path / "rse.db"))
    with pytest.raises(ForbiddenError):
        onboarding.apply(net, store, tmp_path / "m.toml", templates=Templates(None, "fr"))
    net.create_community = create
    again = onboarding.apply(net, store, tmp_path / "m.toml", templates=Templates(None, "fr"))
    assert again.summary["communities_created"] == 1  # the other one was made by the failed run
    assert again.summary["invited"] == 8 and again.summary.get("failed", 0) == 0  # nobody was invited before


def test_an_alias_written_in_the_networks_syntax_finds_the_community_made_under_the_bare_one(memory_world, tmp_path):
    """The network's addressing reads the manifest's alias (here `~deja`, Matrix's `#deja:server`):
    a re-run finds the community rse made under `deja` instead of planning another."""
    from rse_cli.network import base
    from rse_cli.services.onboarding.common import prepare
    from tests.fakes.test_memory import settings_for

    me = memory_world.add_person("Camille", "camille@example.org", admin=True)
    net = base.connector("memory").connect(settings_for(memory_world), token=memory_world.token(me))
    existing = net.create_community("Déjà là", alias="deja", topic=None)
    path = tmp_path / "m.toml"
    path.write_text(
        '[[community]]\nname = "Déjà là"\nalias = "~deja"\nrooms = []\nwelcome_dm = false\n\n'
        '[[community]]\nname = "Neuve"\nalias = "neuve"\nrooms = []\nwelcome_dm = false\n',
        encoding="utf-8",
    )
    prepared = prepare(net, path)
    assert prepared.problems == []
    assert [(spec.alias, prepared.seen(spec).community) for spec in prepared.manifest.communities] == [
        ("deja", net.get_community(existing.id)),
        ("neuve", None),
    ]
