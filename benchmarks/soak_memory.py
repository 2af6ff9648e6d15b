"""What the soak's request mix retains, in process: tracemalloc snapshots diffed over cycles.

Run from the repository root:  ``python benchmarks/soak_memory.py [CYCLES] [--frames N]``

With ``--minutes-per-round M`` everything runs under freezegun and the clock moves M minutes a
round (EC2 forgets terminated instances an hour after, DRS's on-demand snapshots expire after an
hour): what a server that runs for hours keeps once what expires has expired.

One client (the soak's own loop, ``bench.soak_client``, 20 requests a round with a drill whose
recovery instance is terminated and whose jobs are deleted) runs under ``mock_drs`` against 4
servers. After a warm-up of CYCLES rounds a snapshot is taken, then CYCLES more rounds, then a
second one; the growth between them is printed grouped by traceback (the innermost frames of
this repository or moto), largest first, with the bytes per round. What a round retains for good
shows as a size that grows with CYCLES; caches that fill up and stop do not.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

import bench  # noqa: E402


class TimedSoak(bench.Soak):
    """The soak's requests, with the frozen clock moved on after each (20 a round)."""

    clock: Any = None
    seconds_per_request = 0.0

    def call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return super().call(fn, **kwargs)
        finally:
            if self.clock is not None:
                self.clock.tick(self.seconds_per_request)


def rounds(client: object, servers: list[str], count: int) -> float:
    soak = TimedSoak(count * 20)
    started = time.process_time()
    bench.soak_client(soak, client, servers, 0)
    if soak.server_errors or soak.other_errors:
        print("errors:", soak.server_messages, soak.other_errors[:3])
    return (time.process_time() - started) / count


def short(filename: str) -> str:
    return filename.split("site-packages/")[-1].split("p-soak/")[-1]


def cause(traceback: tracemalloc.Traceback) -> str:
    """The innermost frame in DRS's models (else responses), and the allocating module."""
    names = [short(frame.filename) for frame in traceback]
    drs = [
        f"{short(frame.filename)}:{frame.lineno}"
        for frame in traceback
        if "moto_drs/drs/models" in frame.filename
    ] or [
        f"{short(frame.filename)}:{frame.lineno}"
        for frame in traceback
        if "moto_drs" in frame.filename
    ]
    where = drs[-1] if drs else "(outside DRS)"
    return f"{where} -> {names[-1] if names else '?'}"


def census() -> dict[str, list[int]]:
    """Live objects the collector tracks, by type: [count, shallow bytes]."""
    by_type: dict[str, list[int]] = {}
    for obj in gc.get_objects():
        kind = type(obj)
        entry = by_type.setdefault(f"{kind.__module__}.{kind.__qualname__}", [0, 0])
        entry[0] += 1
        entry[1] += sys.getsizeof(obj)
    return by_type


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cycles", nargs="?", type=int, default=200)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--minutes-per-round",
        type=float,
        default=0.0,
        help="run under freezegun, the clock moving this much a round (EC2 and DRS follow "
        "it): what a server that runs for hours keeps, once what expires has expired",
    )
    args = parser.parse_args()

    import boto3

    import moto_drs
    from moto_drs import mock_drs
    from moto_drs.core_patches import live_models

    # as in the soak, which stands for a long-running ``moto_drs_server`` (core patch 0030)
    live_models.apply()

    with ExitStack() as stack:
        if args.minutes_per_round:
            from freezegun import freeze_time

            TimedSoak.clock = stack.enter_context(freeze_time("2026-06-01 00:00:00"))
            TimedSoak.seconds_per_request = args.minutes_per_round * 60 / 20
        stack.enter_context(mock_drs())
        drs = boto3.client("drs", region_name=bench.REGION)
        ec2 = boto3.client("ec2", region_name=bench.REGION)
        drs.initialize_service()
        servers = [
            moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
                "sourceServerID"
            ]
            for _ in range(4)
        ]
        bench.soak_subnet(ec2, drs, servers)
        tracemalloc.start(args.frames)
        warm = rounds(drs, servers, args.cycles)
        gc.collect()
        counted = census()
        before = tracemalloc.take_snapshot()
        later = rounds(drs, servers, args.cycles)
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        recounted = census()
    keep = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
        tracemalloc.Filter(False, "*/linecache.py"),
    ]
    diff = after.filter_traces(keep).compare_to(before.filter_traces(keep), "traceback")
    growth = sum(stat.size_diff for stat in diff)
    print(
        f"{args.cycles} rounds: CPU per round {warm * 1e3:.1f} ms (warm-up) -> "
        f"{later * 1e3:.1f} ms; traced growth {growth / 1e3:.0f} kB "
        f"({growth / args.cycles:.0f} B per round)\n"
    )
    by_cause: dict[str, list[int]] = {}
    for stat in diff:
        key = cause(stat.traceback)
        entry = by_cause.setdefault(key, [0, 0])
        entry[0] += stat.size_diff
        entry[1] += stat.count_diff
    print("by the innermost DRS model frame and the allocating module:")
    for key, (size, count) in sorted(by_cause.items(), key=lambda kv: -kv[1][0])[
        : args.top
    ]:
        print(
            f"  {size / args.cycles:+8.0f} B/round {count / args.cycles:+6.1f} "
            f"blocks/round  {key}"
        )
    print("\nobjects the collector tracks, by type (shallow sizes):")
    grown = {
        name: (
            entry[0] - counted.get(name, [0, 0])[0],
            entry[1] - counted.get(name, [0, 0])[1],
        )
        for name, entry in recounted.items()
    }
    for name, (count, size) in sorted(grown.items(), key=lambda kv: -kv[1][1])[
        : args.top
    ]:
        if count <= 0 and size <= 0:
            continue
        print(
            f"  {size / args.cycles:+8.0f} B/round {count / args.cycles:+6.2f} "
            f"objects/round  {name}"
        )
    print("\nlargest tracebacks:")
    for stat in diff[: args.top]:
        if stat.size_diff <= 0:
            continue
        print(
            f"+{stat.size_diff / args.cycles:7.0f} B/round  "
            f"+{stat.count_diff / args.cycles:5.1f} blocks/round"
        )
        frames = [
            frame
            for frame in stat.traceback
            if "site-packages/botocore" not in frame.filename
        ]
        for frame in frames[-args.frames :]:
            print(f"      {short(frame.filename)}:{frame.lineno}")


if __name__ == "__main__":
    main()
