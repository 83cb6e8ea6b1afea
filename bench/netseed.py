"""Seeding helpers for bench/sync_network.py: communities (a Space and its rooms) and messages,
created through the application service as the bench's admin account (no rate limit)."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx

C = "/_matrix/client/v3"


class Seeder:
    def __init__(self, url: str, as_token: str, admin: str, workers: int = 8) -> None:
        self.admin = admin
        self.client = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {as_token}"},
            timeout=120,
            limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
        )
        self.workers = workers

    def _post(self, path: str, body: dict) -> dict:
        r = self.client.post(path, params={"user_id": self.admin}, json=body)
        r.raise_for_status()
        return r.json()

    def _put(self, path: str, body: dict) -> dict:
        r = self.client.put(path, params={"user_id": self.admin}, json=body)
        r.raise_for_status()
        return r.json()

    def community(self, k: int, rooms: int, tag: str) -> list[str]:
        """One Space with `rooms` child rooms (linked both ways, as rse creates them); returns all their ids."""
        space = self._post(
            f"{C}/createRoom",
            {
                "name": f"{tag} communauté {k}",
                "preset": "private_chat",
                "creation_content": {"type": "m.space"},
                "room_alias_name": f"{tag}-{k}",
            },
        )["room_id"]
        via = [self.admin.split(":", 1)[1]]
        ids = [space]
        for j in range(rooms):
            room = self._post(
                f"{C}/createRoom",
                {
                    "name": f"Salon {j}",
                    "preset": "private_chat",
                    "initial_state": [
                        {"type": "m.space.parent", "state_key": space, "content": {"via": via, "canonical": True}},
                        {
                            "type": "m.room.join_rules",
                            "state_key": "",
                            "content": {"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": space}]},
                        },
                    ],
                },
            )["room_id"]
            self._put(f"{C}/rooms/{quote(space)}/state/m.space.child/{quote(room)}", {"via": via, "suggested": True})
            ids.append(room)
        return ids

    def communities(self, count: int, rooms: int, tag: str) -> list[str]:
        started = time.perf_counter()
        with ThreadPoolExecutor(self.workers) as pool:
            out = [r for ids in pool.map(lambda k: self.community(k, rooms, tag), range(count)) for r in ids]
        print(
            f"  created {count} communities x {rooms} rooms ({len(out)} rooms) in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        return out

    def messages(self, room_ids: list[str], per_room: int) -> int:
        """`per_room` messages in each room (several rooms written at once, each in order)."""
        started = time.perf_counter()

        def fill(room: str) -> None:
            for i in range(per_room):
                self._put(
                    f"{C}/rooms/{quote(room)}/send/m.room.message/{uuid.uuid4().hex}",
                    {"msgtype": "m.text", "body": f"message {i}", "m.mentions": {}},
                )

        with ThreadPoolExecutor(self.workers) as pool:
            list(pool.map(fill, room_ids))
        n = len(room_ids) * per_room
        if n >= 500:
            print(f"  sent {n:,} messages in {time.perf_counter() - started:.0f} s", flush=True)
        return n

    def close(self) -> None:
        self.client.close()
