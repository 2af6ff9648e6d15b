"""What the soak's request mix retains, in process: tracemalloc snapshots diffed over cycles.

Run from the repository root:  ``python benchmarks/soak_memory.py [CYCLES] [--frames N]``

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

sys.path.insert(0, os.path.dirname(__file__))

import bench  # noqa: E402


def rounds(client: object, servers: list[str], count: int) -> float:
    soak = bench.Soak(count * 20)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cycles", nargs="?", type=int, default=200)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    import boto3

    import moto_drs
    from moto_drs import mock_drs

    with mock_drs():
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
        before = tracemalloc.take_snapshot()
        later = rounds(drs, servers, args.cycles)
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
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
