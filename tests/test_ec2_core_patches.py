"""The core patches of moto's EC2 look-ups (``core_patches.ec2_tag_lookup`` and
``ec2_instance_lookup``; upstream 0010/0011 with their own tests) answer as moto does.

One short-cuts ``describe_tags`` for a ``resource-id`` filter naming one literal ID (what every
``get_tags()`` of an EC2 resource asks, once per DRS launch template), the other finds instances
without copying every reservation; these tests check that EC2's answers through the public API
are unchanged, including wildcard and combined filters that take moto's own path.
"""

from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import in_process_only

import moto_drs

# moto's EXAMPLE_AMI_ID: moto's own tests do not load the default images
AMI = "ami-12c6146b"
PATCHED = "_moto_drs_single_resource_lookup"  # the mark the patched functions carry


def _template(ec2: Any, name: str, tags: dict[str, str]) -> str:
    spec = [
        {
            "ResourceType": "launch-template",
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
    ]
    return str(
        ec2.create_launch_template(
            LaunchTemplateName=name,
            LaunchTemplateData={"InstanceType": "t3.micro"},
            TagSpecifications=spec,
        )["LaunchTemplate"]["LaunchTemplateId"]
    )


def _tags(ec2: Any, *filters: tuple[str, list[str]]) -> list[tuple[str, str, str, str]]:
    found = ec2.describe_tags(
        Filters=[{"Name": name, "Values": values} for name, values in filters]
    )["Tags"]
    return [(t["ResourceId"], t["ResourceType"], t["Key"], t["Value"]) for t in found]


def test_tags_of_one_resource_are_its_own_in_order(ec2: Any) -> None:
    first = _template(ec2, "first", {"b": "2", "a": "1"})
    second = _template(ec2, "second", {"a": "other"})

    # the launch template carries the tags it was created with (read through get_tags())
    described = ec2.describe_launch_templates(LaunchTemplateIds=[first])
    tags = described["LaunchTemplates"][0]["Tags"]
    assert [(t["Key"], t["Value"]) for t in tags] == [("b", "2"), ("a", "1")]

    assert _tags(ec2, ("resource-id", [first])) == [
        (first, "launch-template", "b", "2"),
        (first, "launch-template", "a", "1"),
    ]
    # combined with another filter: moto's own filtering over the one resource
    assert _tags(ec2, ("resource-id", [first]), ("key", ["a"])) == [
        (first, "launch-template", "a", "1")
    ]
    assert _tags(ec2, ("resource-id", [first]), ("value", ["other"])) == []
    # wildcards and several IDs take moto's path, over every resource
    assert {t[0] for t in _tags(ec2, ("resource-id", ["lt-*"]))} == {first, second}
    assert {t[0] for t in _tags(ec2, ("resource-id", [first, second]))} == {
        first,
        second,
    }
    assert _tags(ec2, ("resource-id", ["lt-0000000000000000"])) == []


def test_drs_launch_templates_carry_drs_tags(drs: Any, ec2: Any) -> None:
    server_id = moto_drs.add_source_server()["sourceServerID"]
    template_id = drs.get_launch_configuration(sourceServerID=server_id)[
        "ec2LaunchTemplateID"
    ]

    described = ec2.describe_launch_templates(LaunchTemplateIds=[template_id])
    tags = {t["Key"]: t["Value"] for t in described["LaunchTemplates"][0]["Tags"]}
    assert tags["AWSElasticDisasterRecoveryManaged"] == "drs.amazonaws.com"
    assert tags["AWSElasticDisasterRecoverySourceServerID"] == server_id


def test_launch_template_tags_in_server_mode(server: Any) -> None:
    ec2 = server.client("ec2")
    template_id = _template(ec2, "served", {"k": "v"})

    assert _tags(ec2, ("resource-id", [template_id])) == [
        (template_id, "launch-template", "k", "v")
    ]


def test_instances_are_found_as_before(ec2: Any) -> None:
    first, second = (
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0][
            "InstanceId"
        ]
        for _ in range(2)
    )
    ec2.terminate_instances(InstanceIds=[first])

    found = ec2.describe_instances(InstanceIds=[second, first])["Reservations"]
    states = {
        i["InstanceId"]: i["State"]["Name"] for r in found for i in r["Instances"]
    }
    assert states == {first: "terminated", second: "running"}
    with pytest.raises(ClientError) as missing:
        ec2.terminate_instances(InstanceIds=[second, "i-0123456789abcdef0"])
    assert missing.value.response["Error"]["Code"] == "InvalidInstanceID.NotFound"
    ec2.stop_instances(InstanceIds=[second])
    status = ec2.describe_instance_status(
        InstanceIds=[second], IncludeAllInstances=True
    )
    assert status["InstanceStatuses"][0]["InstanceState"]["Name"] == "stopped"


@in_process_only  # freezegun moves this process's clock, not the server's
def test_ec2_forgets_a_terminated_instance_an_hour_after_its_termination(
    ec2: Any,
) -> None:
    """EC2 lists a terminated instance for "usually less than one hour" (DescribeInstances);
    moto kept every one for good (moto_drs/core_patches/terminated_instances.py)."""
    from freezegun import freeze_time

    def launch_and_terminate() -> str:
        instance_id = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)[
            "Instances"
        ][0]["InstanceId"]
        ec2.create_tags(Resources=[instance_id], Tags=[{"Key": "k", "Value": "v"}])
        ec2.terminate_instances(InstanceIds=[instance_id])
        return str(instance_id)

    def listed() -> set[str]:
        return {
            instance["InstanceId"]
            for reservation in ec2.describe_instances()["Reservations"]
            for instance in reservation["Instances"]
        }

    with freeze_time("2026-03-01 00:00:00") as frozen:
        first = launch_and_terminate()
        frozen.tick(1800)
        second = launch_and_terminate()
        assert {first, second} <= listed()
        frozen.tick(1801)  # the first was terminated an hour and a second ago
        third = launch_and_terminate()
        assert {second, third} <= listed()
        assert first not in listed()
        with pytest.raises(ClientError) as error:
            ec2.describe_instances(InstanceIds=[first])
        assert error.value.response["Error"]["Code"] == "InvalidInstanceID.NotFound"
        resources = {t["ResourceId"] for t in ec2.describe_tags()["Tags"]}
        assert first not in resources and second in resources


@in_process_only
def test_the_installed_moto_is_patched(ec2: Any) -> None:
    from moto.ec2.models import instances, tags

    assert getattr(tags.TagBackend.describe_tags, PATCHED, False)
    for name in ("get_instance", "get_instance_by_id", "get_multi_instances_by_id"):
        assert getattr(getattr(instances.InstanceBackend, name), PATCHED, False)


@in_process_only  # freezegun moves this process's clock, not the server's
def test_a_forgotten_instance_lets_go_of_its_network_interface(ec2: Any) -> None:
    """An interface not deleted on termination persists in EC2, detached, with its address;
    moto kept it attached to the terminated instance, which therefore stayed in memory after
    EC2 forgot it (moto_drs/core_patches/terminated_instances.py, ``let_go``)."""
    from freezegun import freeze_time

    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/28")["Subnet"]
    with freeze_time("2026-03-01 00:00:00") as frozen:
        launched = ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet["SubnetId"],
        )["Instances"][0]
        interface = launched["NetworkInterfaces"][0]
        ec2.terminate_instances(InstanceIds=[launched["InstanceId"]])
        frozen.tick(3601)
        later = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"]
        )["Instances"][0]
        ec2.terminate_instances(InstanceIds=[later["InstanceId"]])  # forgets the first
        kept = ec2.describe_network_interfaces(
            NetworkInterfaceIds=[interface["NetworkInterfaceId"]]
        )["NetworkInterfaces"][0]
        assert kept["Status"] == "available" and "Attachment" not in kept
        # the persisting interface keeps its address: no later instance is given it
        assert later["PrivateIpAddress"] != interface["PrivateIpAddress"]
        again = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"]
        )["Instances"][0]
        assert again["PrivateIpAddress"] != interface["PrivateIpAddress"]


def test_a_deleted_resource_takes_its_tags_with_it(ec2: Any) -> None:
    """ "If you delete a resource, any tags for the resource are also deleted." (AWS tagging
    basics); moto listed them for good (moto_drs/core_patches/deleted_resource_tags.py)."""
    tag = [{"Key": "purpose", "Value": "gone"}]
    volume = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=1,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tag}],
    )["VolumeId"]
    snapshot = ec2.create_snapshot(
        VolumeId=volume, TagSpecifications=[{"ResourceType": "snapshot", "Tags": tag}]
    )["SnapshotId"]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    interface = ec2.create_network_interface(
        SubnetId=subnet,
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": tag}],
    )["NetworkInterface"]["NetworkInterfaceId"]
    kept = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=1,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tag}],
    )["VolumeId"]

    def tagged() -> set[str]:
        return {t["ResourceId"] for t in ec2.describe_tags()["Tags"]}

    assert {volume, snapshot, interface, kept} <= tagged()
    ec2.delete_snapshot(SnapshotId=snapshot)
    ec2.delete_volume(VolumeId=volume)
    ec2.delete_network_interface(NetworkInterfaceId=interface)
    assert tagged() & {volume, snapshot, interface, kept} == {kept}


def test_a_deleted_volume_takes_its_tags_with_it_over_http(server: Any) -> None:
    """Server mode: core patch 0032 is applied in the server too."""
    ec2 = server.client("ec2")
    volume = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=1,
        TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "k", "Value": "v"}]}
        ],
    )["VolumeId"]
    ec2.delete_volume(VolumeId=volume)
    assert volume not in {t["ResourceId"] for t in ec2.describe_tags()["Tags"]}
