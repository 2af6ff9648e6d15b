"""When moto's EC2 cannot launch (a subnet out of addresses), the server's launch fails as real
DRS reports it -- launchStatus FAILED, LAUNCH_FAILED in the job log -- and no request answers
a 5xx (docs/recovery.md, "When EC2 cannot launch")."""

from collections.abc import Callable
from typing import Any

import requests

import moto_drs

MAX_DRILLS = (
    12  # a /28 has 11 usable addresses; each drill takes two (conversion + launch)
)


def small_subnet(ec2: Any) -> str:
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    return str(
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.0.0/28")["Subnet"]["SubnetId"]
    )


def point_at(drs: Any, ec2: Any, server_id: str, subnet: str) -> None:
    """Staging (conversion servers) and launch (recovery instances) both in ``subnet``."""
    drs.update_replication_configuration(
        sourceServerID=server_id, stagingAreaSubnetId=subnet
    )
    template_id = drs.get_launch_configuration(sourceServerID=server_id)[
        "ec2LaunchTemplateID"
    ]
    version = ec2.create_launch_template_version(
        LaunchTemplateId=template_id,
        LaunchTemplateData={
            "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": subnet}]
        },
    )["LaunchTemplateVersion"]["VersionNumber"]
    ec2.modify_launch_template(
        LaunchTemplateId=template_id, DefaultVersion=str(version)
    )


def drill_until_a_launch_fails(
    drs: Any, ec2: Any, add_server: Callable[[], str]
) -> None:
    subnet = small_subnet(ec2)
    server_id = add_server()
    point_at(drs, ec2, server_id, subnet)
    for _ in range(MAX_DRILLS):
        job = drs.start_recovery(
            sourceServers=[{"sourceServerID": server_id}], isDrill=True
        )["job"]
        job = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        assert job["status"] == "COMPLETED"
        if job["participatingServers"][0]["launchStatus"] == "FAILED":
            break
    else:
        raise AssertionError(f"no launch failed in {MAX_DRILLS} drills")
    items = drs.describe_job_log_items(jobID=job["jobID"])["items"]
    failed = [item for item in items if item["event"] == "LAUNCH_FAILED"]
    assert failed[0]["eventData"]["sourceServerID"] == server_id
    assert "InsufficientFreeAddressesInSubnet" in failed[0]["eventData"]["rawError"]
    assert [item["event"] for item in items][-1] == "JOB_END"
    server = drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})
    assert server["items"][0]["lifeCycle"]["lastLaunch"]["status"] == "FAILED"
    # nothing half-applied: no instance of the failed launch (conversion server included) runs
    running = ec2.describe_instances(
        Filters=[
            {"Name": "subnet-id", "Values": [subnet]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]
    )["Reservations"]
    assert running == []
    assert drs.describe_recovery_instances()["items"] == []
    # and the service still answers
    assert drs.describe_source_servers()["items"]


def test_an_exhausted_subnet_fails_the_launch(drs: Any, ec2: Any) -> None:
    drill_until_a_launch_fails(
        drs, ec2, lambda: moto_drs.add_source_server()["sourceServerID"]
    )


def test_an_exhausted_subnet_fails_the_launch_over_http(server: Any) -> None:
    drs, ec2 = server.client("drs"), server.client("ec2")
    drs.initialize_service()

    def add_server() -> str:
        response = requests.post(
            f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
        )
        response.raise_for_status()
        return str(response.json()["sourceServer"]["sourceServerID"])

    drill_until_a_launch_fails(drs, ec2, add_server)
