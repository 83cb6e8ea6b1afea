"""Reads and writes side by side, as many as the network allows in flight."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rse_cli.network.base import Network


def side_by_side(network: Network, n: int) -> ThreadPoolExecutor:
    """A pool for `n` jobs of a few requests each: `network.concurrency` threads at most (the
    HTTP chokepoint bounds the requests in flight the same way), at least one."""
    return ThreadPoolExecutor(max_workers=max(1, min(network.concurrency, n)))
