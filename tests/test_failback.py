"""Failback: failback replication configuration, failback client, StartFailbackLaunch, StopFailback,
ReverseReplication, and the whole cross-Region loop."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import make_drs_client
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs
from moto_drs.drs.exceptions import ConflictException

MISSING_INSTANCE = "i-0123456789abcdef0"
FAILBACK_MODEL = "drs::recovery-instance-failback"
EC2_ORIGIN = {
    "originAccountID": "123456789012",
    "originRegion": "us-west-2",
    "originAvailabilityZone": "us-west-2b",
}


@pytest.fixture
def manual_failback() -> Iterator[None]:
    state_manager.set_transition(FAILBACK_MODEL, {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition(FAILBACK_MODEL)


@pytest.fixture
def manual_jobs() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition("drs::job")


def launched(drs: Any, **seed: Any) -> tuple[str, str]:
    server_id = moto_drs.add_source_server(**seed)["sourceServerID"]
    drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])
    items = drs.describe_recovery_instances(filters={"sourceServerIDs": [server_id]})[
        "items"
    ]
    return server_id, items[0]["recoveryInstanceID"]


def describe(drs: Any, instance_id: str) -> dict[str, Any]:
    return drs.describe_recovery_instances(
        filters={"recoveryInstanceIDs": [instance_id]}
    )["items"][0]


def job_status(drs: Any, job_id: str) -> str:
    return drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]["status"]


def complete(drs: Any, job_id: str) -> None:
    """Poll the job until it completes (a few reads under manual progression)."""
    for _ in range(5):
        if job_status(drs, job_id) == "COMPLETED":
            return
    raise AssertionError(f"job {job_id} did not complete")


class TestFailbackReplicationConfiguration:
    def test_defaults_and_partial_update(self, drs: Any) -> None:
        _, instance_id = launched(drs)
        config = drs.get_failback_replication_configuration(
            recoveryInstanceID=instance_id
        )
        del config["ResponseMetadata"]
        assert config == {
            "recoveryInstanceID": instance_id,
            "bandwidthThrottling": 0,
            "usePrivateIP": False,
            "internetProtocol": "IPV4",
        }
        drs.update_failback_replication_configuration(
            recoveryInstanceID=instance_id, name="to-dc1", bandwidthThrottling=50
        )
        drs.update_failback_replication_configuration(
            recoveryInstanceID=instance_id, usePrivateIP=True
        )
        config = drs.get_failback_replication_configuration(
            recoveryInstanceID=instance_id
        )
        assert (
            config["name"],
            config["bandwidthThrottling"],
            config["usePrivateIP"],
        ) == ("to-dc1", 50, True)
        assert config["internetProtocol"] == "IPV4"

    @pytest.mark.parametrize(
        "operation",
        [
            "get_failback_replication_configuration",
            "update_failback_replication_configuration",
            "stop_failback",
        ],
    )
    def test_unknown_instance(self, drs: Any, operation: str) -> None:
        with pytest.raises(ClientError) as error:
            getattr(drs, operation)(recoveryInstanceID=MISSING_INSTANCE)
        assert_client_error(
            error.value,
            "ResourceNotFoundException",
            404,
            resourceId=MISSING_INSTANCE,
            resourceType="RECOVERY_INSTANCE",
        )

    def test_bad_input(self, drs: Any) -> None:
        _, instance_id = launched(drs)
        with pytest.raises(ClientError) as error:
            drs.update_failback_replication_configuration(
                recoveryInstanceID=instance_id, internetProtocol="IPV5"
            )
        assert_client_error(error.value, "ValidationException", 400)
        assert "name" not in drs.get_failback_replication_configuration(
            recoveryInstanceID=instance_id
        )


class TestFailbackToOnPremises:
    def test_client_replication_launch_and_completion(
        self, drs: Any, manual_failback: None
    ) -> None:
        _, instance_id = launched(drs)
        connected = moto_drs.connect_failback_client(instance_id)
        assert connected["failback"]["state"] == "FAILBACK_IN_PROGRESS"
        assert (
            connected["dataReplicationInfo"]["dataReplicationState"] == "INITIAL_SYNC"
        )
        assert connected["failback"]["failbackToOriginalServer"] is True
        client_id = connected["failback"]["failbackClientID"]
        instance = describe(drs, instance_id)  # one read: the state manager moves it on
        assert instance["failback"]["state"] == "FAILBACK_READY_FOR_LAUNCH"
        assert instance["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"
        steps = instance["dataReplicationInfo"]["dataReplicationInitiation"]["steps"]
        assert steps[0] == {
            "name": "LINK_FAILBACK_CLIENT_WITH_RECOVERY_INSTANCE",
            "status": "SUCCEEDED",
        }

        job = drs.start_failback_launch(
            recoveryInstanceIDs=[instance_id], tags={"why": "dc1 is back"}
        )["job"]
        assert (job["type"], job["initiatedBy"], job["tags"]) == (
            "LAUNCH",
            "FAILBACK",
            {"why": "dc1 is back"},
        )
        assert job["participatingServers"][0]["recoveryInstanceID"] == instance_id
        assert job_status(drs, job["jobID"]) == "COMPLETED"
        failback = describe(drs, instance_id)["failback"]
        assert failback["state"] == "FAILBACK_COMPLETED"
        assert (failback["failbackJobID"], failback["failbackClientID"]) == (
            job["jobID"],
            client_id,
        )
        assert failback["failbackLaunchType"] == "RECOVERY"
        events = [
            i["event"] for i in drs.describe_job_log_items(jobID=job["jobID"])["items"]
        ]
        assert events == [
            "JOB_START",
            "CONVERSION_START",
            "CONVERSION_END",
            "LAUNCH_START",
            "LAUNCH_END",
            "JOB_END",
        ]

    def test_failback_launch_in_progress(self, drs: Any, manual_jobs: None) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        complete(
            drs,
            drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])["job"][
                "jobID"
            ],
        )
        instance_id = drs.describe_recovery_instances()["items"][0][
            "recoveryInstanceID"
        ]
        moto_drs.connect_failback_client(instance_id)
        job = drs.start_failback_launch(recoveryInstanceIDs=[instance_id])["job"]
        assert describe(drs, instance_id)["failback"]["state"] == "FAILBACK_IN_PROGRESS"
        with pytest.raises(
            ConflictException
        ) as conflict:  # not while the failback launch runs
            moto_drs.connect_failback_client(instance_id)
        assert conflict.value.resource_id == instance_id
        assert [job_status(drs, job["jobID"]) for _ in range(2)] == [
            "STARTED",
            "COMPLETED",
        ]
        assert describe(drs, instance_id)["failback"]["state"] == "FAILBACK_COMPLETED"

    def test_stop_failback(self, drs: Any, manual_jobs: None) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        complete(
            drs,
            drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])["job"][
                "jobID"
            ],
        )
        instance_id = drs.describe_recovery_instances()["items"][0][
            "recoveryInstanceID"
        ]
        moto_drs.connect_failback_client(instance_id, failback_to_original_server=False)
        job = drs.start_failback_launch(recoveryInstanceIDs=[instance_id])["job"]
        drs.stop_failback(recoveryInstanceID=instance_id)
        drs.stop_failback(recoveryInstanceID=instance_id)  # idempotent
        instance = describe(drs, instance_id)
        assert instance["failback"]["state"] == "FAILBACK_NOT_STARTED"
        assert "failbackClientID" not in instance["failback"]
        assert instance["dataReplicationInfo"]["dataReplicationState"] == "NOT_STARTED"
        complete(drs, job["jobID"])
        described = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        assert described["participatingServers"][0]["launchStatus"] == "FAILED"
        failed = drs.describe_job_log_items(jobID=job["jobID"])["items"][-2]
        assert failed["event"] == "LAUNCH_FAILED" and failed["eventData"]["rawError"]
        assert describe(drs, instance_id)["failback"]["state"] == "FAILBACK_NOT_STARTED"

    def test_launch_needs_ready_for_launch(
        self, drs: Any, manual_failback: None
    ) -> None:
        _, instance_id = launched(drs)
        with pytest.raises(ClientError) as error:
            drs.start_failback_launch(recoveryInstanceIDs=[instance_id])
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=instance_id,
            resourceType="RECOVERY_INSTANCE",
        )
        moto_drs.connect_failback_client(instance_id)
        with pytest.raises(ClientError) as error:  # still FAILBACK_IN_PROGRESS
            drs.start_failback_launch(recoveryInstanceIDs=[instance_id])
        assert_client_error(
            error.value, "ConflictException", 409, resourceId=instance_id
        )
        assert (
            drs.describe_jobs(filters={"jobIDs": []})["items"][0]["initiatedBy"]
            == "START_RECOVERY"
        )

    def test_launch_errors(self, drs: Any) -> None:
        _, instance_id = launched(drs)
        moto_drs.connect_failback_client(instance_id)
        with pytest.raises(ClientError) as error:
            drs.start_failback_launch(
                recoveryInstanceIDs=[instance_id, MISSING_INSTANCE]
            )
        # the model lists ValidationException, not ResourceNotFoundException, here
        assert_client_error(
            error.value,
            "ValidationException",
            400,
            reason="fieldValidationFailed",
            fieldList=[
                {
                    "name": "recoveryInstanceIDs[1]",
                    "message": "Unknown recovery instance",
                }
            ],
        )
        with pytest.raises(ClientError) as error:
            drs.start_failback_launch(recoveryInstanceIDs=[instance_id, instance_id])
        assert_client_error(error.value, "ValidationException", 400)
        drs.disconnect_recovery_instance(recoveryInstanceID=instance_id)
        with pytest.raises(ClientError) as error:
            drs.start_failback_launch(recoveryInstanceIDs=[instance_id])
        assert_client_error(
            error.value, "ConflictException", 409, resourceId=instance_id
        )
        with pytest.raises(ConflictException) as conflict:
            moto_drs.connect_failback_client(instance_id)
        assert conflict.value.resource_id == instance_id

    def test_failback_of_a_drill_instance_is_a_drill(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.start_recovery(sourceServers=[{"sourceServerID": server_id}], isDrill=True)
        instance_id = drs.describe_recovery_instances()["items"][0][
            "recoveryInstanceID"
        ]
        moto_drs.connect_failback_client(instance_id)
        drs.start_failback_launch(recoveryInstanceIDs=[instance_id])
        assert describe(drs, instance_id)["failback"]["failbackLaunchType"] == "DRILL"


class TestReverseReplication:
    def test_creates_the_reversed_server_in_the_origin_region(self, drs: Any) -> None:
        server_id, instance_id = launched(drs, source_cloud_properties=EC2_ORIGIN)
        arn = drs.reverse_replication(recoveryInstanceID=instance_id)[
            "reversedDirectionSourceServerArn"
        ]
        assert arn.startswith("arn:aws:drs:us-west-2:123456789012:source-server/s-")
        west = make_drs_client("us-west-2")  # initialized by the reverse replication
        reversed_server = west.describe_source_servers()["items"][0]
        assert reversed_server["arn"] == arn
        assert reversed_server["replicationDirection"] == "FAILBACK"
        original = drs.describe_source_servers(
            filters={"sourceServerIDs": [server_id]}
        )["items"][0]
        assert original["reversedDirectionSourceServerArn"] == arn
        assert reversed_server["reversedDirectionSourceServerArn"] == original["arn"]
        assert (
            reversed_server["sourceProperties"]["identificationHints"]["awsInstanceID"]
            == instance_id
        )
        assert reversed_server["sourceCloudProperties"] == {
            "originAccountID": "123456789012",
            "originRegion": "us-east-1",
            "originAvailabilityZone": "us-east-1a",
        }
        again = drs.reverse_replication(recoveryInstanceID=instance_id)[
            "reversedDirectionSourceServerArn"
        ]
        assert again == arn and len(west.describe_source_servers()["items"]) == 1
        failback = describe(drs, instance_id)
        assert failback["failback"]["state"] == "FAILBACK_READY_FOR_LAUNCH"
        assert (
            failback["dataReplicationInfo"]["dataReplicationInitiation"]["steps"][0][
                "name"
            ]
            == "WAIT"
        )

    def test_only_for_ec2_origin_and_connected_instances(self, drs: Any) -> None:
        _, on_premises = launched(drs)
        with pytest.raises(ClientError) as error:
            drs.reverse_replication(recoveryInstanceID=on_premises)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=on_premises,
            resourceType="RECOVERY_INSTANCE",
        )
        _, from_ec2 = launched(drs, source_cloud_properties=EC2_ORIGIN)
        drs.disconnect_recovery_instance(recoveryInstanceID=from_ec2)
        with pytest.raises(ClientError) as error:
            drs.reverse_replication(recoveryInstanceID=from_ec2)
        assert_client_error(error.value, "ConflictException", 409, resourceId=from_ec2)
        with pytest.raises(ClientError) as error:
            drs.reverse_replication(recoveryInstanceID=MISSING_INSTANCE)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=MISSING_INSTANCE
        )
        with pytest.raises(ClientError) as error:  # nothing reached the origin Region
            make_drs_client("us-west-2").describe_source_servers()
        assert_client_error(error.value, "UninitializedAccountException", 400)

    def test_cross_region_failover_and_failback(self, drs: Any) -> None:
        """us-west-2 fails over to us-east-1, replicates back, fails back, and re-protects."""
        _, recovered = launched(drs, source_cloud_properties=EC2_ORIGIN)
        arn = drs.reverse_replication(recoveryInstanceID=recovered)[
            "reversedDirectionSourceServerArn"
        ]
        west = make_drs_client("us-west-2")
        reversed_id = arn.rsplit("/", 1)[1]
        job = west.start_recovery(sourceServers=[{"sourceServerID": reversed_id}])[
            "job"
        ]
        assert west.describe_jobs()["items"][0]["status"] == "COMPLETED"
        failed_back = west.describe_recovery_instances()["items"][0]
        assert (failed_back["jobID"], failed_back["originEnvironment"]) == (
            job["jobID"],
            "AWS",
        )
        ec2_west = boto3.client("ec2", region_name="us-west-2")
        reservations = ec2_west.describe_instances(
            InstanceIds=[failed_back["recoveryInstanceID"]]
        )["Reservations"]
        assert reservations[0]["Instances"][0]["Placement"][
            "AvailabilityZone"
        ].startswith("us-west-2")
        original_arn = drs.describe_source_servers()["items"][0]["arn"]
        reprotect = west.reverse_replication(
            recoveryInstanceID=failed_back["recoveryInstanceID"]
        )
        assert reprotect["reversedDirectionSourceServerArn"] == original_arn
