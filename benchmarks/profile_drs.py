"""Profiles of the hot paths of moto-drs, to find where the time goes before changing anything.

Run from the repository root (docs/performance.md lists what each profile showed)::

    python benchmarks/profile_drs.py call        # one-ID DescribeSourceServers, Stop/Start, GetLaunchConfiguration
    python benchmarks/profile_drs.py replay      # moto's side only: a captured GetLaunchConfiguration, replayed
    python benchmarks/profile_drs.py page        # 1,000-item DescribeSourceServers page
    python benchmarks/profile_drs.py jobs        # 1,000-job DescribeJobs page
    python benchmarks/profile_drs.py instances   # 1,000-instance DescribeRecoveryInstances page
    python benchmarks/profile_drs.py seed        # seeding 2,000 servers
    python benchmarks/profile_drs.py drill       # a 100-server drill until COMPLETED
    python benchmarks/profile_drs.py server      # server mode: one-ID DescribeSourceServers, server side

``--cprofile`` prints cProfile's cumulative table instead of pyinstrument's tree (pyinstrument
is in the ``dev`` extra). Only the measured part is profiled: set-up (seeding, warm-up) is not.
``server`` always uses cProfile: it profiles the server's request threads (werkzeug's
``run_wsgi``: environ, moto's dispatcher, Flask, DRS, writing the answer) of a moto server in
this process, answering one client's requests one at a time; ``--service dsql`` profiles DSQL
GetCluster the same way, for comparison.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
from collections.abc import Callable
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench  # noqa: E402
import boto3  # noqa: E402

import moto_drs  # noqa: E402

REGION = bench.REGION


def scenario_call() -> Callable[[], Any]:
    drs = boto3.client("drs", region_name=REGION)
    drs.initialize_service()
    sid = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    one = {"filters": {"sourceServerIDs": [sid]}}

    def run() -> None:
        for _ in range(300):
            drs.describe_source_servers(**one)
            drs.stop_replication(sourceServerID=sid)
            drs.start_replication(sourceServerID=sid)
            drs.get_launch_configuration(sourceServerID=sid)

    return run


def scenario_replay() -> Callable[[], Any]:
    """moto's ``process_request`` for one captured GetLaunchConfiguration request, without the
    client: routing, the request object, ``setup_class``, DRS and the serializer."""
    from moto.core.botocore_stubber import BotocoreStubber

    drs = boto3.client("drs", region_name=REGION)
    drs.initialize_service()
    sid = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    captured: list[Any] = []

    def keep(request: Any, **_: Any) -> None:
        captured.append(request)

    drs.meta.events.register_first("before-send", keep)
    drs.get_launch_configuration(sourceServerID=sid)
    drs.meta.events.unregister("before-send", keep)
    stubber, request = BotocoreStubber(), captured[0]

    def run() -> None:
        for _ in range(1_000):
            stubber.process_request(request)

    return run


def scenario_page() -> Callable[[], Any]:
    drs = boto3.client("drs", region_name=REGION)
    bench.seed_fleet(REGION, 1_000)
    return lambda: [drs.describe_source_servers(maxResults=1000) for _ in range(5)]


def scenario_jobs() -> Callable[[], Any]:
    drs = boto3.client("drs", region_name=REGION)
    bench.seed_launches(REGION, 1_000)
    return lambda: [drs.describe_jobs(maxResults=1000) for _ in range(5)]


def scenario_instances() -> Callable[[], Any]:
    drs = boto3.client("drs", region_name=REGION)
    bench.seed_launches(REGION, 1_000)
    return lambda: [drs.describe_recovery_instances(maxResults=1000) for _ in range(5)]


def scenario_seed() -> Callable[[], Any]:
    bench.seed_fleet(REGION, 100)  # the Region's one-off costs (its EC2 backend)
    return lambda: bench.seed_fleet(REGION, 2_000)


def scenario_drill() -> Callable[[], Any]:
    drs = boto3.client("drs", region_name=REGION)
    servers = bench.seed_fleet(REGION, 100)
    bench.drill(drs, servers[:10])  # warm-up
    return lambda: bench.drill(drs, servers)


def profile_server(service: str) -> None:
    """cProfile of the server side of 1,000 sequential requests to a ThreadedMotoServer."""
    import logging

    from moto.server import ThreadedMotoServer
    from werkzeug.serving import WSGIRequestHandler

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    profile, recording = cProfile.Profile(), [False]
    run_wsgi = WSGIRequestHandler.run_wsgi

    def profiled_run_wsgi(handler: Any) -> None:
        if not recording[
            0
        ]:  # one client: one request at a time, so one profile is safe
            return run_wsgi(handler)
        profile.enable()
        try:
            return run_wsgi(handler)
        finally:
            profile.disable()

    WSGIRequestHandler.run_wsgi = profiled_run_wsgi  # type: ignore[method-assign,assignment]
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        if service == "dsql":
            dsql = boto3.client("dsql", region_name=REGION, endpoint_url=url)
            cluster = dsql.create_cluster()["identifier"]

            def call() -> Any:
                return dsql.get_cluster(identifier=cluster)
        else:
            drs = boto3.client("drs", region_name=REGION, endpoint_url=url)
            drs.initialize_service()
            sid = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
                "sourceServerID"
            ]

            def call() -> Any:
                return drs.describe_source_servers(filters={"sourceServerIDs": [sid]})

        for _ in range(200):  # warm-up
            call()
        recording[0] = True
        for _ in range(1_000):
            call()
        recording[0] = False
        pstats.Stats(profile).sort_stats("cumulative").print_stats(50)
    finally:
        WSGIRequestHandler.run_wsgi = run_wsgi  # type: ignore[method-assign]
        server.stop()


SCENARIOS = {
    "call": scenario_call,
    "replay": scenario_replay,
    "page": scenario_page,
    "jobs": scenario_jobs,
    "instances": scenario_instances,
    "seed": scenario_seed,
    "drill": scenario_drill,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=sorted([*SCENARIOS, "server"]))
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--service", choices=["drs", "dsql"], default="drs")
    args = parser.parse_args()
    if args.scenario == "server":
        profile_server(args.service)
        return
    from moto_drs import mock_drs

    with mock_drs():
        run = SCENARIOS[args.scenario]()
        run()  # warm: caches, compiled converters, imports
        if args.cprofile:
            profile = cProfile.Profile()
            profile.runcall(run)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            return
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        run()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
