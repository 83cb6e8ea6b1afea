"""Duration estimates for bulk jobs at Synapse's default rate limits (no network needed)."""

from __future__ import annotations

from rse_cli.services.onboarding import estimate


class Exempt:
    def __init__(self, answer):
        self.answer = answer

    def ratelimit_exempt(self):
        return self.answer


def test_welcome_dms_are_bound_by_room_creation():
    est = estimate(object(), invitations=200, messages=200, room_creations=200)
    # 200 DMs need 200 rooms: (200 - burst 10) / 0.016 per s, about 3.3 hours (MATRIX-NOTES)
    assert 3.2 * 3600 < est.seconds_at_default_limits < 3.4 * 3600
    assert est.exempt is None


def test_invitations_and_messages_share_one_bucket():
    est = estimate(Exempt(False), invitations=30, messages=30, room_creations=5)
    assert est.seconds_at_default_limits == (60 - 10) / 0.2 and est.exempt is False
    assert estimate(Exempt(True), invitations=1, messages=1, room_creations=1).exempt is True


def test_pacer_drops_to_one_in_flight_once_rate_limited():
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from rse_cli.services.onboarding import Pacer

    class Http:
        stats = {"rate_limited": 0}

    class Net:
        http = Http()

    pacer = Pacer(Net(), 4, start=4)
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
    Net.http.stats["rate_limited"] = 1
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, [1] * 8))
    assert peak == [4, 1]


def test_pacer_starts_slow():
    from rse_cli.services.onboarding import Pacer

    pacer = Pacer(object(), 16)
    assert pacer._allowed() == 1
    for _ in range(20):
        with pacer:
            pass
    assert pacer._allowed() == 16


def test_the_rough_estimate_counts_a_picture_like_the_plan_does(tmp_path):
    """Setting a picture is one more paced request; the topic of a new community is not (createRoom sets it)."""
    from rse_cli.services import manifest as mf
    from rse_cli.services.onboarding import Prepared, rough_estimate

    (tmp_path / "logo.gif").write_bytes(b"GIF89a" + bytes(20))
    path = tmp_path / "m.toml"
    path.write_text('[[community]]\nname = "A"\nalias = "a"\ntopic = "t"\nwelcome_post = "Bonjour"\n', encoding="utf-8")
    without = rough_estimate(object(), Prepared(mf.load(path), {}, []))
    path.write_text(path.read_text(encoding="utf-8") + 'avatar = "logo.gif"\n', encoding="utf-8")
    with_picture = rough_estimate(object(), Prepared(mf.load(path), {}, []))
    assert (without.messages, with_picture.messages) == (1, 2)
