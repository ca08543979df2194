"""What every benchmark prints first: the machine and software it ran on."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Sequence

__all__ = ["machine_line", "percentiles", "print_table"]


def machine_line() -> str:
    """One line naming CPU count, memory, OS and Python."""
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or platform.machine()
    return f"machine: {os.cpu_count()} cores{mem}, {cpu}, {platform.system()} {platform.release()}, Python {sys.version.split()[0]}"


def percentiles(samples: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95 and max of ``samples``, in milliseconds when given seconds."""
    ordered = sorted(samples)
    if not ordered:
        return (float("nan"),) * 3  # type: ignore[return-value]
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print rows as an aligned plain-text table."""
    cells = [[str(c) for c in header]] + [
        [f"{c:.2f}" if isinstance(c, float) else str(c) for c in r] for r in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for i, r in enumerate(cells):
        print(
            "  ".join(c.rjust(w) if j else c.ljust(w) for j, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))
