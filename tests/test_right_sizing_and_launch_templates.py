"""Right-sizing from the server's hardware and the per-server EC2 launch template as real DRS
creates it (docs/configuration.md), through boto3 in decorator and server mode."""

from collections.abc import Callable
from typing import Any

import pytest
import requests

import moto_drs

GIB = 1024**3
# moto's EXAMPLE_AMI_ID: moto's own tests do not load the default images
AMI = "ami-12c6146b"
Seed = Callable[..., dict[str, Any]]


class World:
    """DRS and EC2 clients of one mode, and how that mode seeds a source server."""

    def __init__(self, drs: Any, ec2: Any, seed: Seed) -> None:
        self.drs, self.ec2, self.seed = drs, ec2, seed

    def template(self, server_id: str) -> tuple[str, dict[str, Any]]:
        """The server's launch template ID and its default version's data."""
        config = self.drs.get_launch_configuration(sourceServerID=server_id)
        template_id = config["ec2LaunchTemplateID"]
        version = self.ec2.describe_launch_template_versions(
            LaunchTemplateId=template_id, Versions=["$Default"]
        )["LaunchTemplateVersions"][0]
        return template_id, version["LaunchTemplateData"]


@pytest.fixture(params=["decorator", "server"])
def world(request: Any) -> World:
    if request.param == "decorator":
        drs = request.getfixturevalue("drs")
        ec2 = request.getfixturevalue("ec2")
        return World(drs, ec2, lambda **kw: moto_drs.add_source_server(**kw))
    server = request.getfixturevalue("server")
    drs = server.client("drs")
    drs.initialize_service()

    def seed(**payload: Any) -> dict[str, Any]:
        body = {
            "sourceProperties": payload.get("source_properties"),
            "dataReplicationState": payload.get("data_replication_state"),
        }
        answer = requests.post(
            f"{server.url}/moto-api/static/drs/source-servers",
            json={k: v for k, v in body.items() if v is not None},
            timeout=60,
        )
        answer.raise_for_status()
        return dict(answer.json()["sourceServer"])

    return World(drs, server.client("ec2"), seed)


def hardware(cores: list[int], ram_gib: int, **more: Any) -> dict[str, Any]:
    return {
        "cpus": [{"cores": c, "modelName": "Xeon"} for c in cores],
        "ramBytes": ram_gib * GIB,
        **more,
    }


class TestRightSizing:
    def test_basic_picks_the_type_from_cores_and_ram(self, world: World) -> None:
        for properties, expected in [
            (hardware([8, 8], 64), "m5.4xlarge"),  # 16 cores in two sockets
            (hardware([2], 8), "m5.large"),
            (hardware([2], 2), "c5.large"),
            (hardware([4], 100), "r5.4xlarge"),
            (hardware([4], 16, architecture="arm64"), "m6g.xlarge"),
            (hardware([4], 16, supportsNitroInstances=False), "m4.xlarge"),
        ]:
            server = world.seed(source_properties=properties)
            assert server["sourceProperties"]["recommendedInstanceType"] == expected
            _, data = world.template(server["sourceServerID"])
            assert data["InstanceType"] == expected

    def test_a_recovery_launches_the_right_sized_type(self, world: World) -> None:
        server_id = world.seed(
            source_properties=hardware([16], 64), data_replication_state="CONTINUOUS"
        )["sourceServerID"]
        world.drs.start_recovery(
            sourceServers=[{"sourceServerID": server_id}], isDrill=True
        )
        instance_id = world.drs.describe_recovery_instances()["items"][0][
            "ec2InstanceID"
        ]
        reservation = world.ec2.describe_instances(InstanceIds=[instance_id])
        assert reservation["Reservations"][0]["Instances"][0]["InstanceType"] == (
            "m5.4xlarge"
        )

    def test_a_seeded_recommendation_wins(self, world: World) -> None:
        server = world.seed(
            source_properties={
                **hardware([16], 64),
                "recommendedInstanceType": "c5.xlarge",
            }
        )
        assert server["sourceProperties"]["recommendedInstanceType"] == "c5.xlarge"
        assert (
            world.template(server["sourceServerID"])[1]["InstanceType"] == "c5.xlarge"
        )

    def test_none_leaves_the_template_alone(self, world: World) -> None:
        server_id = world.seed(source_properties=hardware([16], 64))["sourceServerID"]
        world.drs.update_launch_configuration(
            sourceServerID=server_id, targetInstanceTypeRightSizingMethod="NONE"
        )
        template_id, data = world.template(server_id)
        version = world.ec2.create_launch_template_version(
            LaunchTemplateId=template_id,
            LaunchTemplateData={**data, "InstanceType": "t3.small"},
        )["LaunchTemplateVersion"]["VersionNumber"]
        world.ec2.modify_launch_template(
            LaunchTemplateId=template_id, DefaultVersion=str(version)
        )
        assert world.template(server_id)[1]["InstanceType"] == "t3.small"
        world.drs.update_launch_configuration(
            sourceServerID=server_id, targetInstanceTypeRightSizingMethod="BASIC"
        )  # right-sizing is active again: DRS overwrites the user's type
        assert world.template(server_id)[1]["InstanceType"] == "m5.4xlarge"

    def test_in_aws_follows_the_source_instance(self, world: World) -> None:
        instance = world.ec2.run_instances(
            ImageId=AMI, InstanceType="c5.2xlarge", MinCount=1, MaxCount=1
        )["Instances"][0]
        properties = hardware([2], 8)
        properties["identificationHints"] = {
            "hostname": "ec2-source",
            "awsInstanceID": instance["InstanceId"],
        }
        server_id = world.seed(source_properties=properties)["sourceServerID"]
        assert world.template(server_id)[1]["InstanceType"] == "m5.large"  # BASIC
        world.drs.update_launch_configuration(
            sourceServerID=server_id, targetInstanceTypeRightSizingMethod="IN_AWS"
        )
        assert world.template(server_id)[1]["InstanceType"] == "c5.2xlarge"


class TestLaunchTemplate:
    def test_created_as_drs_creates_it(self, world: World) -> None:
        server = world.seed()
        server_id = server["sourceServerID"]
        _, data = world.template(server_id)
        # every field a published DRS tool reads, on every volume, with no fallback
        for mapping, disk in zip(
            data["BlockDeviceMappings"],
            server["sourceProperties"]["disks"],
            strict=True,
        ):
            assert mapping["DeviceName"] == disk["deviceName"]
            assert mapping["Ebs"] == {
                "VolumeSize": -(-disk["bytes"] // GIB),
                "VolumeType": "gp3",
                "Iops": 3000,
                "Throughput": 125,
                "Encrypted": True,
                "DeleteOnTermination": True,
            }
        specs = {s["ResourceType"]: s["Tags"] for s in data["TagSpecifications"]}
        assert sorted(specs) == ["instance", "network-interface", "volume"]
        tags = {t["Key"]: t["Value"] for t in specs["network-interface"]}
        assert tags["AWSElasticDisasterRecoverySourceServerID"] == server_id
        assert tags["AWSElasticDisasterRecoveryManaged"] == "drs.amazonaws.com"
        assert specs["network-interface"] == specs["instance"] == specs["volume"]

    def test_new_default_versions_drs_writes_keep_the_fields(
        self, world: World
    ) -> None:
        server_id = world.seed()["sourceServerID"]
        template_id, data = world.template(server_id)
        # the user writes a version whose gp3 volumes leave the baseline implicit
        bare = [
            {
                "DeviceName": m["DeviceName"],
                "Ebs": {"VolumeSize": m["Ebs"]["VolumeSize"], "VolumeType": "gp3"},
            }
            for m in data["BlockDeviceMappings"]
        ]
        version = world.ec2.create_launch_template_version(
            LaunchTemplateId=template_id,
            LaunchTemplateData={**data, "BlockDeviceMappings": bare},
        )["LaunchTemplateVersion"]["VersionNumber"]
        world.ec2.modify_launch_template(
            LaunchTemplateId=template_id, DefaultVersion=str(version)
        )
        world.drs.update_launch_configuration(
            sourceServerID=server_id, copyPrivateIp=True
        )  # DRS writes a new default version
        after = world.ec2.describe_launch_template_versions(
            LaunchTemplateId=template_id, Versions=["$Default"]
        )["LaunchTemplateVersions"][0]
        assert after["VersionNumber"] == version + 1
        ebs = [m["Ebs"] for m in after["LaunchTemplateData"]["BlockDeviceMappings"]]
        assert all(e["Iops"] == 3000 and e["Throughput"] == 125 for e in ebs)

    def test_a_recreated_template_has_the_fields(self, world: World) -> None:
        server_id = world.seed()["sourceServerID"]
        old, _ = world.template(server_id)
        world.ec2.delete_launch_template(LaunchTemplateId=old)
        new, data = world.template(server_id)
        assert new != old
        assert {s["ResourceType"] for s in data["TagSpecifications"]} == {
            "instance",
            "volume",
            "network-interface",
        }
        assert all(m["Ebs"]["Encrypted"] for m in data["BlockDeviceMappings"])
