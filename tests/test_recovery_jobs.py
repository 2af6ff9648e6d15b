"""Recovery as real DRS runs it: phase-by-phase job logs, conversion servers in EC2, recovery
modes, and launching into an existing instance (issue 9, items 1-3)."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from conftest import make_drs_client
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs

ALLOW = {"Key": "AWSDRS", "Value": "AllowLaunchingIntoThisInstance"}
CONVERSION_NAME = "AWS Elastic Disaster Recovery Conversion Server"
FIELD = "launchIntoInstanceProperties.launchIntoEC2InstanceID"
LINUX_AMI = "ami-04681a1dbd79675a5"  # one of moto's default images (Amazon Linux 2)


@pytest.fixture
def manual_jobs() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition("drs::job")


def drill(drs: Any, *server_ids: str) -> str:
    servers = [{"sourceServerID": server_id} for server_id in server_ids]
    return str(drs.start_recovery(sourceServers=servers, isDrill=True)["job"]["jobID"])


def poll(drs: Any, job_id: str) -> dict[str, Any]:
    return drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]


def log(drs: Any, job_id: str) -> list[tuple[str, dict[str, Any]]]:
    items = drs.describe_job_log_items(jobID=job_id)["items"]
    return [(item["event"], item.get("eventData", {})) for item in items]


def ec2_instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservations[0]["Instances"][0]


def tags_of(instance: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in instance.get("Tags", [])}


def all_instance_ids(ec2: Any) -> set[str]:
    return {
        i["InstanceId"]
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
    }


def tagged_instance(ec2: Any, allow: bool = True) -> str:
    instance_id = ec2.run_instances(ImageId=LINUX_AMI, MinCount=1, MaxCount=1)[
        "Instances"
    ][0]["InstanceId"]
    if allow:
        ec2.create_tags(Resources=[instance_id], Tags=[ALLOW])
    return str(instance_id)


class TestJobLog:
    def test_two_servers_phase_by_phase(self, drs: Any, ec2: Any) -> None:
        s1, s2 = (moto_drs.add_source_server()["sourceServerID"] for _ in range(2))
        job_id = drill(drs, s1, s2)
        job = poll(drs, job_id)
        launched = {
            p["sourceServerID"]: p["recoveryInstanceID"]
            for p in job["participatingServers"]
        }
        entries = log(drs, job_id)
        conversion = {
            data["sourceServerID"]: data["conversionServerID"]
            for event, data in entries
            if event == "CONVERSION_END"
        }
        assert [(event, data.get("sourceServerID")) for event, data in entries] == [
            ("JOB_START", None),
            ("SNAPSHOT_START", s1),
            ("SNAPSHOT_START", s2),
            ("SNAPSHOT_END", s1),
            ("SNAPSHOT_END", s2),
            ("CONVERSION_START", s1),
            ("CONVERSION_START", s2),
            ("CONVERSION_END", s1),
            ("CONVERSION_END", s2),
            ("LAUNCH_START", s1),
            ("LAUNCH_START", s2),
            ("LAUNCH_END", s1),
            ("LAUNCH_END", s2),
            ("JOB_END", None),
        ]
        launch_start = [data for event, data in entries if event == "LAUNCH_START"]
        assert launch_start == [{"sourceServerID": s1}, {"sourceServerID": s2}]
        launch_end = [data for event, data in entries if event == "LAUNCH_END"]
        assert launch_end == [
            {"sourceServerID": s, "targetInstanceID": launched[s]} for s in (s1, s2)
        ]
        for server_id, instance_id in conversion.items():
            assert instance_id != launched[server_id]
            instance = ec2_instance(ec2, instance_id)
            assert instance["State"]["Name"] == "terminated"
            assert tags_of(instance) == {
                "Name": CONVERSION_NAME,
                "AWSElasticDisasterRecoveryManaged": "drs.amazonaws.com",
                "AWSElasticDisasterRecoverySourceServerID": server_id,
            }

    def test_the_log_grows_as_the_job_is_polled(
        self, drs: Any, ec2: Any, manual_jobs: None
    ) -> None:
        s1, s2 = (moto_drs.add_source_server()["sourceServerID"] for _ in range(2))
        job_id = drill(drs, s1, s2)
        assert [event for event, _ in log(drs, job_id)] == ["JOB_START"]
        assert poll(drs, job_id)["status"] == "STARTED"
        started = log(drs, job_id)
        assert [event for event, _ in started][-2:] == [
            "CONVERSION_END",
            "CONVERSION_END",
        ]
        converting = [
            d["conversionServerID"] for e, d in started if e == "CONVERSION_END"
        ]
        # the conversion servers run while the job does ...
        assert {ec2_instance(ec2, i)["State"]["Name"] for i in converting} == {
            "running"
        }
        assert poll(drs, job_id)["status"] == "COMPLETED"
        completed = [event for event, _ in log(drs, job_id)]
        assert completed[len(started) :] == [
            "LAUNCH_START",
            "LAUNCH_START",
            "LAUNCH_END",
            "LAUNCH_END",
            "JOB_END",
        ]
        # ... and are terminated once it is done with them
        assert {ec2_instance(ec2, i)["State"]["Name"] for i in converting} == {
            "terminated"
        }

    def test_a_failed_launch_writes_launch_failed(self, drs: Any, ec2: Any) -> None:
        good, bad = (moto_drs.add_source_server()["sourceServerID"] for _ in range(2))
        template_id = drs.get_launch_configuration(sourceServerID=bad)[
            "ec2LaunchTemplateID"
        ]
        ec2.create_launch_template_version(
            LaunchTemplateId=template_id,
            LaunchTemplateData={
                "NetworkInterfaces": [
                    {"DeviceIndex": 0, "SubnetId": "subnet-0000000000000000f"}
                ]
            },
        )
        ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="2")
        job_id = drill(drs, good, bad)
        tail = [(e, d["sourceServerID"]) for e, d in log(drs, job_id)[-5:-1]]
        assert tail == [
            ("LAUNCH_START", good),
            ("LAUNCH_START", bad),
            ("LAUNCH_END", good),
            ("LAUNCH_FAILED", bad),
        ]

    def test_a_new_drill_cleans_up_the_previous_instance_first(
        self, drs: Any, ec2: Any
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drill(drs, server_id)
        previous = poll(drs, drill(drs, server_id))  # the second drill
        entries = log(drs, previous["jobID"])
        first_instance = [
            d["targetInstanceID"] for e, d in entries if e == "CLEANUP_START"
        ]
        assert [e for e, _ in entries] == [
            "JOB_START",
            "CLEANUP_START",
            "CLEANUP_END",
            "SNAPSHOT_START",
            "SNAPSHOT_END",
            "CONVERSION_START",
            "CONVERSION_END",
            "LAUNCH_START",
            "LAUNCH_END",
            "JOB_END",
        ]
        assert ec2_instance(ec2, first_instance[0])["State"]["Name"] == "terminated"

    def test_terminate_jobs_keep_their_cleanup_events(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job_id = drill(drs, server_id)
        instance_id = poll(drs, job_id)["participatingServers"][0]["recoveryInstanceID"]
        terminate = drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
        assert log(drs, terminate["job"]["jobID"]) == [
            ("JOB_START", {}),
            (
                "CLEANUP_START",
                {"sourceServerID": server_id, "targetInstanceID": instance_id},
            ),
            ("CLEANUP_END", {"sourceServerID": server_id}),
            ("JOB_END", {}),
        ]


class TestConversionServers:
    def test_in_the_staging_subnet_with_staging_area_tags(
        self, drs: Any, ec2: Any
    ) -> None:
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"][
            "SubnetId"
        ]
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.update_replication_configuration(
            sourceServerID=server_id,
            stagingAreaSubnetId=subnet,
            stagingAreaTags={"cost-center": "dr"},
        )
        job_id = drill(drs, server_id)
        conversion = next(
            d["conversionServerID"]
            for e, d in log(drs, job_id)
            if e == "CONVERSION_END"
        )
        instance = ec2_instance(ec2, conversion)
        assert instance["SubnetId"] == subnet
        assert tags_of(instance)["cost-center"] == "dr"
        assert tags_of(instance)["Name"] == CONVERSION_NAME

    def test_fast_recovery_mode_converts_nothing(self, drs: Any, ec2: Any) -> None:
        fast, optimal = (
            moto_drs.add_source_server()["sourceServerID"] for _ in range(2)
        )
        drs.update_launch_configuration(sourceServerID=fast, recoveryMode="FAST")
        before = all_instance_ids(ec2)
        job_id = drill(drs, fast, optimal)
        entries = log(drs, job_id)
        converted = {
            d["sourceServerID"] for e, d in entries if e.startswith("CONVERSION")
        }
        assert converted == {optimal}
        created = all_instance_ids(ec2) - before
        launched = {
            p["recoveryInstanceID"] for p in poll(drs, job_id)["participatingServers"]
        }
        conversion = {
            d["conversionServerID"] for e, d in entries if e == "CONVERSION_END"
        }
        assert created == launched | conversion and len(conversion) == 1
        mine = [e for e, d in entries if d.get("sourceServerID") == fast]
        assert mine == ["SNAPSHOT_START", "SNAPSHOT_END", "LAUNCH_START", "LAUNCH_END"]

    def test_an_extended_server_converts_in_its_staging_account(
        self, drs: Any, ec2: Any
    ) -> None:
        staging = "111111111111"
        sts = boto3.client("sts", region_name="us-east-1")
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{staging}:role/admin", RoleSessionName="staging"
        )["Credentials"]
        keys = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
        make_drs_client(**keys).initialize_service()
        boto3.client("iam", region_name="us-east-1", **keys).create_role(
            RoleName="DRSStagingAccountRole_123456789012",
            Path="/service-role/",
            AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}',
        )
        source = moto_drs.add_source_server(account_id=staging)
        extended = drs.create_extended_source_server(sourceServerArn=source["arn"])[
            "sourceServer"
        ]["sourceServerID"]
        job_id = drill(drs, extended)
        conversion = next(
            d["conversionServerID"]
            for e, d in log(drs, job_id)
            if e == "CONVERSION_END"
        )
        staging_ec2 = boto3.client("ec2", region_name="us-east-1", **keys)
        reservation = staging_ec2.describe_instances(InstanceIds=[conversion])[
            "Reservations"
        ][0]
        assert reservation["OwnerId"] == staging
        assert reservation["Instances"][0]["State"]["Name"] == "terminated"
        assert conversion not in all_instance_ids(ec2)


class TestLaunchIntoInstance:
    def test_the_recovery_instance_is_the_named_instance(
        self, drs: Any, ec2: Any
    ) -> None:
        target = tagged_instance(ec2)
        old_volumes = {
            m["Ebs"]["VolumeId"]
            for m in ec2_instance(ec2, target)["BlockDeviceMappings"]
        }
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.update_launch_configuration(
            sourceServerID=server_id,
            launchIntoInstanceProperties={"launchIntoEC2InstanceID": target},
        )
        before = all_instance_ids(ec2)
        job_id = drill(drs, server_id)
        entries = log(drs, job_id)
        assert (
            "LAUNCH_END",
            {"sourceServerID": server_id, "targetInstanceID": target},
        ) in entries
        conversion = {
            d["conversionServerID"] for e, d in entries if e == "CONVERSION_END"
        }
        assert all_instance_ids(ec2) - before == conversion  # no new recovery instance
        recovery = drs.describe_recovery_instances()["items"][0]
        assert recovery["ec2InstanceID"] == recovery["recoveryInstanceID"] == target
        assert recovery["ec2InstanceState"] == "RUNNING"
        instance = ec2_instance(ec2, target)
        assert (
            tags_of(instance)["AWSElasticDisasterRecoverySourceServerID"] == server_id
        )
        new_volumes = {m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]}
        assert len(new_volumes) == 2 and not new_volumes & old_volumes
        assert {
            v["State"]
            for v in ec2.describe_volumes(VolumeIds=list(old_volumes))["Volumes"]
        } == {"available"}
        # a second drill launches into the same instance again, which stays
        second = drill(drs, server_id)
        assert (
            poll(drs, second)["participatingServers"][0]["recoveryInstanceID"] == target
        )
        assert ec2_instance(ec2, target)["State"]["Name"] == "running"

    def test_the_target_is_validated(self, drs: Any, ec2: Any) -> None:
        untagged = tagged_instance(ec2, allow=False)
        target = tagged_instance(ec2)
        first, second = (
            moto_drs.add_source_server()["sourceServerID"] for _ in range(2)
        )
        for instance_id in (untagged, "i-0123456789abcdef0"):
            with pytest.raises(ClientError) as error:
                drs.update_launch_configuration(
                    sourceServerID=first,
                    launchIntoInstanceProperties={
                        "launchIntoEC2InstanceID": instance_id
                    },
                )
            assert_client_error(error.value, "ValidationException", 400, fieldList=...)
            assert [f["name"] for f in error.value.response["fieldList"]] == [FIELD]
        drs.update_launch_configuration(
            sourceServerID=first,
            launchIntoInstanceProperties={"launchIntoEC2InstanceID": target},
        )
        with pytest.raises(ClientError) as error:
            drs.update_launch_configuration(
                sourceServerID=second,
                launchIntoInstanceProperties={"launchIntoEC2InstanceID": target},
            )
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=target,
            resourceType="EC2_INSTANCE",
        )

    def test_a_target_gone_by_launch_time_fails_the_launch(
        self, drs: Any, ec2: Any
    ) -> None:
        target = tagged_instance(ec2)
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.update_launch_configuration(
            sourceServerID=server_id,
            launchIntoInstanceProperties={"launchIntoEC2InstanceID": target},
        )
        ec2.terminate_instances(InstanceIds=[target])
        job_id = drill(drs, server_id)
        failed = [d for e, d in log(drs, job_id) if e == "LAUNCH_FAILED"]
        assert failed[0]["sourceServerID"] == server_id
        assert target in failed[0]["rawError"]
        assert poll(drs, job_id)["participatingServers"][0]["launchStatus"] == "FAILED"


class TestLaunchIntoSourceInstance:
    """us-west-2 fails over to us-east-1 and fails back into the original instance."""

    def setup_origin(self, drs: Any, allow: bool) -> tuple[Any, str, str]:
        ec2_west = boto3.client("ec2", region_name="us-west-2")
        original = tagged_instance(ec2_west, allow=allow)
        west = make_drs_client("us-west-2")
        west.initialize_service()
        west.create_launch_configuration_template(launchIntoSourceInstance=True)
        server_id = moto_drs.add_source_server(
            source_properties={"identificationHints": {"awsInstanceID": original}},
            source_cloud_properties={
                "originAccountID": "123456789012",
                "originRegion": "us-west-2",
                "originAvailabilityZone": "us-west-2a",
            },
        )["sourceServerID"]
        drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])
        recovered = drs.describe_recovery_instances()["items"][0]["recoveryInstanceID"]
        return west, original, recovered

    def test_failback_lands_on_the_original_instance(self, drs: Any) -> None:
        west, original, recovered = self.setup_origin(drs, allow=True)
        arn = drs.reverse_replication(recoveryInstanceID=recovered)[
            "reversedDirectionSourceServerArn"
        ]
        reversed_id = arn.rsplit("/", 1)[1]
        config = west.get_launch_configuration(sourceServerID=reversed_id)
        assert config["launchIntoInstanceProperties"] == {
            "launchIntoEC2InstanceID": original
        }
        job = west.start_recovery(sourceServers=[{"sourceServerID": reversed_id}])[
            "job"
        ]
        failed_back = west.describe_recovery_instances()["items"][0]
        assert failed_back["recoveryInstanceID"] == original
        assert (
            "LAUNCH_END",
            {"sourceServerID": reversed_id, "targetInstanceID": original},
        ) in log(west, job["jobID"])

    def test_an_untagged_original_instance_refuses_reverse_replication(
        self, drs: Any
    ) -> None:
        west, original, recovered = self.setup_origin(drs, allow=False)
        with pytest.raises(ClientError) as error:
            drs.reverse_replication(recoveryInstanceID=recovered)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=original,
            resourceType="EC2_INSTANCE",
        )
        assert west.describe_source_servers()["items"] == []  # nothing was created


def test_launch_into_source_instance_across_availability_zones(
    drs: Any, ec2: Any
) -> None:
    """Cross-AZ: the origin Region is this one, so the reversed server is registered here."""
    original = tagged_instance(ec2)
    drs.create_launch_configuration_template(launchIntoSourceInstance=True)
    server_id = moto_drs.add_source_server(
        source_properties={"identificationHints": {"awsInstanceID": original}},
        source_cloud_properties={
            "originAccountID": "123456789012",
            "originRegion": "us-east-1",
            "originAvailabilityZone": "us-east-1b",
        },
    )["sourceServerID"]
    drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])
    recovered = drs.describe_recovery_instances()["items"][0]["recoveryInstanceID"]
    arn = drs.reverse_replication(recoveryInstanceID=recovered)[
        "reversedDirectionSourceServerArn"
    ]
    reversed_id = arn.rsplit("/", 1)[1]
    config = drs.get_launch_configuration(sourceServerID=reversed_id)
    assert config["launchIntoInstanceProperties"] == {
        "launchIntoEC2InstanceID": original
    }
    drs.start_recovery(sourceServers=[{"sourceServerID": reversed_id}])
    failed_back = drs.describe_recovery_instances(
        filters={"sourceServerIDs": [reversed_id]}
    )["items"][0]
    assert failed_back["recoveryInstanceID"] == original


def test_launch_into_instance_over_http(server: Any) -> None:
    """Server mode: launch into a tagged instance, set up and checked through HTTP."""
    drs, ec2 = server.client("drs"), server.client("ec2")
    drs.initialize_service()
    target = tagged_instance(ec2)
    server_id = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
    ).json()["sourceServer"]["sourceServerID"]
    drs.update_launch_configuration(
        sourceServerID=server_id,
        launchIntoInstanceProperties={"launchIntoEC2InstanceID": target},
        recoveryMode="FAST",
    )
    job_id = drill(drs, server_id)
    assert [e for e, _ in log(drs, job_id)] == [
        "JOB_START",
        "SNAPSHOT_START",
        "SNAPSHOT_END",
        "LAUNCH_START",
        "LAUNCH_END",
        "JOB_END",
    ]
    assert drs.describe_recovery_instances()["items"][0]["ec2InstanceID"] == target
    assert ec2_instance(ec2, target)["State"]["Name"] == "running"
