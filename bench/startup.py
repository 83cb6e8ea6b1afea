"""Start-up time of `rse --help` against the bare interpreter (goal: under 150 ms more).

Run: python bench/startup.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_ms(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    rse = Path(sys.executable).parent / ("rse.exe" if os.name == "nt" else "rse")  # not a shell shim
    rse_cmd = [str(rse), "--help"] if rse.exists() else [sys.executable, "-m", "rse_cli", "--help"]
    bare = median_ms([sys.executable, "-c", "pass"], runs)
    help_ = median_ms(rse_cmd, runs)
    sub = median_ms([*rse_cmd[:-1], "community", "--help"], runs)
    extra = help_ - bare
    print(f"python -c pass        median {bare:7.1f} ms  ({runs} runs)")
    print(f"rse --help            median {help_:7.1f} ms")
    print(f"rse community --help  median {sub:7.1f} ms")
    print(f"rse --help costs {extra:.1f} ms more than the bare interpreter (goal < 150 ms): {'OK' if extra < 150 else 'MISSED'}")


if __name__ == "__main__":
    main()
