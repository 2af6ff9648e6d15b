"""A drill runbook, unchanged from what runs against AWS: two waves, each started, polled with the
paginator until COMPLETED (under manual progression, so the poller sees the job move), its log
read and compared with the order real DRS writes, its EC2 instances checked (conversion servers
terminated), then everything terminated and checked terminated in EC2. It runs in process and
against a server, set up over HTTP."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from moto.moto_api import state_manager

import moto_drs

Seed = Callable[[str, str], str]  # (hostname, wave) -> source server ID

WAVES = {"1": ["db-1", "db-2"], "2": ["app-1", "app-2", "web-1"]}
MAX_POLLS = 20


@pytest.fixture
def jobs_take_two_reads_per_state() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 2})
    yield
    state_manager.unset_transition("drs::job")


def find_job(drs: Any, job_id: str) -> dict[str, Any]:
    """What a runbook does: page through DescribeJobs until the job shows up."""
    for page in drs.get_paginator("describe_jobs").paginate(
        PaginationConfig={"PageSize": 1}
    ):
        for job in page["items"]:
            if job["jobID"] == job_id:
                return job
    raise AssertionError(f"job {job_id} not listed")


def wait_for_job(drs: Any, job_id: str) -> tuple[dict[str, Any], list[str]]:
    """Poll until COMPLETED; return the finished job and every status seen."""
    seen: list[str] = []
    for _ in range(MAX_POLLS):
        job = find_job(drs, job_id)
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] == "COMPLETED":
            return job, seen
    raise AssertionError(f"job {job_id} still {seen[-1]} after {MAX_POLLS} polls")


def job_log(drs: Any, job_id: str) -> list[dict[str, Any]]:
    pages = drs.get_paginator("describe_job_log_items").paginate(
        jobID=job_id, PaginationConfig={"PageSize": 4}
    )
    return [item for page in pages for item in page["items"]]


def real_log_order(server_ids: list[str]) -> list[tuple[str, str | None]]:
    """DescribeJobLogItems of a drill as real accounts show it: each phase across all servers
    before the next (logs captured from real accounts, issue 9)."""
    order: list[tuple[str, str | None]] = [("JOB_START", None)]
    for event in (
        "SNAPSHOT_START",
        "SNAPSHOT_END",
        "CONVERSION_START",
        "CONVERSION_END",
        "LAUNCH_START",
        "LAUNCH_END",
    ):
        order += [(event, server_id) for server_id in server_ids]
    return order + [("JOB_END", None)]


def test_two_wave_drill(
    drs: Any, ec2: Any, jobs_take_two_reads_per_state: None
) -> None:
    def seed(host: str, wave: str) -> str:
        seeded = moto_drs.add_source_server(
            source_properties={"identificationHints": {"hostname": host}},
            tags={"Name": host, "wave": wave},
        )
        return str(seeded["sourceServerID"])

    run_two_wave_drill(drs, ec2, seed)


def test_two_wave_drill_over_http(server: Any) -> None:
    drs, ec2 = server.client("drs"), server.client("ec2")
    drs.initialize_service()
    state = f"{server.url}/moto-api/state-manager"
    requests.post(
        f"{state}/set-transition",
        json={
            "model_name": "drs::job",
            "transition": {"progression": "manual", "times": 2},
        },
        timeout=10,
    ).raise_for_status()

    def seed(host: str, wave: str) -> str:
        seeded = requests.post(
            f"{server.url}/moto-api/static/drs/source-servers",
            json={
                "sourceProperties": {"identificationHints": {"hostname": host}},
                "tags": {"Name": host, "wave": wave},
            },
            timeout=10,
        )
        seeded.raise_for_status()
        return str(seeded.json()["sourceServer"]["sourceServerID"])

    try:
        run_two_wave_drill(drs, ec2, seed)
    finally:
        requests.post(
            f"{state}/unset-transition", json={"model_name": "drs::job"}, timeout=10
        )


def run_two_wave_drill(drs: Any, ec2: Any, seed: Seed) -> None:
    servers: dict[str, dict[str, str]] = {}  # wave -> hostname -> source server ID
    for wave, hosts in WAVES.items():
        servers[wave] = {}
        for host in hosts:
            server_id = seed(host, wave)
            servers[wave][host] = server_id
            drs.update_launch_configuration(sourceServerID=server_id, copyTags=True)

    launched: dict[str, str] = {}  # source server ID -> recovery instance ID
    for wave, by_host in servers.items():
        started = drs.start_recovery(
            sourceServers=[
                {"sourceServerID": server_id} for server_id in by_host.values()
            ],
            isDrill=True,
            tags={"drill": "2024-q2", "wave": wave},
        )["job"]
        assert started["status"] == "PENDING"
        job, seen = wait_for_job(drs, started["jobID"])
        assert seen == ["PENDING", "STARTED", "COMPLETED"]
        assert job["tags"] == {"drill": "2024-q2", "wave": wave}
        assert {p["launchStatus"] for p in job["participatingServers"]} == {"LAUNCHED"}
        launched.update(
            {
                p["sourceServerID"]: p["recoveryInstanceID"]
                for p in job["participatingServers"]
            }
        )

        log = job_log(drs, job["jobID"])
        server_ids = list(by_host.values())
        assert [
            (item["event"], item.get("eventData", {}).get("sourceServerID"))
            for item in log
        ] == real_log_order(server_ids)
        for item in log:
            data = item.get("eventData", {})
            if item["event"] == "LAUNCH_END":
                assert data["targetInstanceID"] == launched[data["sourceServerID"]]
            if item["event"] == "CONVERSION_END":
                conversion = ec2.describe_instances(
                    InstanceIds=[data["conversionServerID"]]
                )["Reservations"][0]["Instances"][0]
                assert conversion["State"]["Name"] == "terminated"

    instances = drs.get_paginator("describe_recovery_instances").paginate(
        PaginationConfig={"PageSize": 2}
    )
    recovery_instances = [item for page in instances for item in page["items"]]
    assert {
        i["sourceServerID"]: i["recoveryInstanceID"] for i in recovery_instances
    } == launched
    assert all(
        i["isDrill"] and i["ec2InstanceState"] == "RUNNING" for i in recovery_instances
    )

    reservations = ec2.describe_instances(InstanceIds=list(launched.values()))[
        "Reservations"
    ]
    ec2_instances = {i["InstanceId"]: i for r in reservations for i in r["Instances"]}
    for wave, by_host in servers.items():
        for host, server_id in by_host.items():
            instance = ec2_instances[launched[server_id]]
            assert instance["State"]["Name"] == "running"
            tags = {tag["Key"]: tag["Value"] for tag in instance["Tags"]}
            assert (tags["Name"], tags["wave"]) == (host, wave)
            assert tags["AWSElasticDisasterRecoverySourceServerID"] == server_id

    terminate = drs.terminate_recovery_instances(
        recoveryInstanceIDs=list(launched.values())
    )["job"]
    job, seen = wait_for_job(drs, terminate["jobID"])
    assert seen == ["PENDING", "STARTED", "COMPLETED"]
    assert {p["launchStatus"] for p in job["participatingServers"]} == {"TERMINATED"}
    assert drs.describe_recovery_instances()["items"] == []
    reservations = ec2.describe_instances(InstanceIds=list(launched.values()))[
        "Reservations"
    ]
    assert {i["State"]["Name"] for r in reservations for i in r["Instances"]} == {
        "terminated"
    }
    for server in drs.describe_source_servers()["items"]:
        assert "recoveryInstanceId" not in server
        assert server["lastLaunchResult"] == "SUCCEEDED"
        assert server["lifeCycle"]["lastLaunch"]["initiated"]["type"] == "DRILL"
