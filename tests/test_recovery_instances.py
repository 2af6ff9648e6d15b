"""Recovery instances: DescribeRecoveryInstances, TerminateRecoveryInstances, Disconnect/DeleteRecoveryInstance,
and what a source server with a recovery instance may no longer do."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs

MISSING_INSTANCE = "i-0123456789abcdef0"


@pytest.fixture
def manual_jobs() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition("drs::job")


def launched(drs: Any, is_drill: bool = True, **seed: Any) -> tuple[str, str]:
    """A seeded server with a recovery instance: (server ID, recovery instance ID)."""
    server_id = moto_drs.add_source_server(**seed)["sourceServerID"]
    drs.start_recovery(sourceServers=[{"sourceServerID": server_id}], isDrill=is_drill)
    items = drs.describe_recovery_instances(filters={"sourceServerIDs": [server_id]})[
        "items"
    ]
    return server_id, items[0]["recoveryInstanceID"]


def describe(drs: Any, instance_id: str) -> dict[str, Any]:
    return drs.describe_recovery_instances(
        filters={"recoveryInstanceIDs": [instance_id]}
    )["items"][0]


def ec2_state(ec2: Any, instance_id: str) -> str:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
        "Instances"
    ][0]["State"]["Name"]


def complete(drs: Any, job_id: str) -> None:
    """Poll the job until it completes (a few reads under manual progression)."""
    for _ in range(5):
        if (
            drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]["status"]
            == "COMPLETED"
        ):
            return
    raise AssertionError(f"job {job_id} did not complete")


def source_server(drs: Any, server_id: str) -> dict[str, Any]:
    return drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ][0]


class TestDescribe:
    def test_fields(self, drs: Any) -> None:
        server_id, instance_id = launched(drs)
        job_id = drs.describe_jobs()["items"][0]["jobID"]
        instance = describe(drs, instance_id)
        assert instance["ec2InstanceID"] == instance_id and instance_id.startswith("i-")
        assert instance["arn"].endswith(f":recovery-instance/{instance_id}")
        assert (instance["sourceServerID"], instance["jobID"], instance["isDrill"]) == (
            server_id,
            job_id,
            True,
        )
        assert instance["ec2InstanceState"] == "RUNNING"
        assert instance["originEnvironment"] == "ON_PREMISES"
        assert instance["failback"]["state"] == "FAILBACK_NOT_STARTED"
        assert instance["dataReplicationInfo"]["dataReplicationState"] == "NOT_STARTED"
        properties = instance["recoveryInstanceProperties"]
        assert properties["identificationHints"]["awsInstanceID"] == instance_id
        assert [d["internalDeviceName"] for d in properties["disks"]] == [
            "/dev/xvda",
            "/dev/xvdb",
        ]
        assert properties["networkInterfaces"][0]["isPrimary"] is True
        snapshots = drs.describe_recovery_snapshots(
            sourceServerID=server_id, order="DESC"
        )["items"]
        assert instance["pointInTimeSnapshotDateTime"] == snapshots[0]["timestamp"]

    def test_ec2_origin(self, drs: Any) -> None:
        cloud = {
            "originAccountID": "123456789012",
            "originRegion": "us-west-2",
            "originAvailabilityZone": "us-west-2b",
        }
        _, instance_id = launched(drs, source_cloud_properties=cloud)
        instance = describe(drs, instance_id)
        assert (instance["originEnvironment"], instance["originAvailabilityZone"]) == (
            "AWS",
            "us-west-2b",
        )

    def test_filters_pagination_and_paginator(self, drs: Any) -> None:
        pairs = [launched(drs) for _ in range(3)]
        assert [
            i["recoveryInstanceID"] for i in drs.describe_recovery_instances()["items"]
        ] == [p[1] for p in pairs]
        by_server = drs.describe_recovery_instances(
            filters={"sourceServerIDs": [pairs[1][0]]}
        )["items"]
        assert [i["recoveryInstanceID"] for i in by_server] == [pairs[1][1]]
        assert (
            drs.describe_recovery_instances(
                filters={"recoveryInstanceIDs": [MISSING_INSTANCE]}
            )["items"]
            == []
        )
        first = drs.describe_recovery_instances(maxResults=2)
        assert len(first["items"]) == 2
        rest = drs.describe_recovery_instances(
            maxResults=2, nextToken=first["nextToken"]
        )
        assert len(rest["items"]) == 1 and "nextToken" not in rest
        pages = drs.get_paginator("describe_recovery_instances").paginate(
            PaginationConfig={"PageSize": 1}
        )
        assert [i["recoveryInstanceID"] for page in pages for i in page["items"]] == [
            p[1] for p in pairs
        ]

    def test_ec2_state_is_read_live(self, drs: Any, ec2: Any) -> None:
        _, instance_id = launched(drs)
        ec2.stop_instances(InstanceIds=[instance_id])
        assert describe(drs, instance_id)["ec2InstanceState"] == "STOPPED"
        ec2.terminate_instances(InstanceIds=[instance_id])
        assert describe(drs, instance_id)["ec2InstanceState"] == "TERMINATED"

    def test_tags(self, drs: Any) -> None:
        _, instance_id = launched(drs)
        arn = describe(drs, instance_id)["arn"]
        drs.tag_resource(resourceArn=arn, tags={"purpose": "drill"})
        assert describe(drs, instance_id)["tags"] == {"purpose": "drill"}


class TestTerminate:
    def test_terminate_runs_a_job_and_terminates_the_ec2_instance(
        self, drs: Any, ec2: Any
    ) -> None:
        server_id, instance_id = launched(drs)
        job = drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])["job"]
        assert (job["type"], job["initiatedBy"], job["status"]) == (
            "TERMINATE",
            "TERMINATE_RECOVERY_INSTANCES",
            "PENDING",
        )
        assert job["participatingServers"] == [
            {
                "sourceServerID": server_id,
                "recoveryInstanceID": instance_id,
                "launchStatus": "PENDING",
            }
        ]
        done = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        assert done["status"] == "COMPLETED"
        assert done["participatingServers"][0]["launchStatus"] == "TERMINATED"
        log = drs.describe_job_log_items(jobID=job["jobID"])["items"]
        assert [item["event"] for item in log] == [
            "JOB_START",
            "CLEANUP_START",
            "CLEANUP_END",
            "JOB_END",
        ]
        assert log[1]["eventData"] == {
            "sourceServerID": server_id,
            "targetInstanceID": instance_id,
        }
        assert drs.describe_recovery_instances()["items"] == []
        assert ec2_state(ec2, instance_id) == "terminated"
        server = source_server(drs, server_id)
        assert "recoveryInstanceId" not in server
        assert server["lastLaunchResult"] == "SUCCEEDED"
        assert server["lifeCycle"]["lastLaunch"]["status"] == "TERMINATED"

    def test_the_network_interfaces_go_with_the_instances(
        self, drs: Any, ec2: Any
    ) -> None:
        """DRS's launch template says DeleteOnTermination for the recovery instance's
        interface, and DRS terminates its conversion servers: EC2 deletes both interfaces,
        and frees their addresses, when it terminates the instances."""
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job_id = drs.start_recovery(
            sourceServers=[{"sourceServerID": server_id}], isDrill=True
        )["job"]["jobID"]
        log = drs.describe_job_log_items(jobID=job_id)["items"]
        conversion_id = next(
            item["eventData"]["conversionServerID"]
            for item in log
            if item["event"] == "CONVERSION_END"
        )
        instance_id = drs.describe_recovery_instances()["items"][0][
            "recoveryInstanceID"
        ]

        def interfaces() -> set[str]:
            return {
                nic["NetworkInterfaceId"]
                for nic in ec2.describe_network_interfaces()["NetworkInterfaces"]
            }

        def interface_of(ec2_instance_id: str) -> str:
            found = ec2.describe_instances(InstanceIds=[ec2_instance_id])
            nics = found["Reservations"][0]["Instances"][0]["NetworkInterfaces"]
            return str(nics[0]["NetworkInterfaceId"])

        recovery_nic = interface_of(instance_id)
        assert recovery_nic in interfaces()
        assert interface_of(conversion_id) not in interfaces()  # terminated at job end
        drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
        assert ec2_state(ec2, instance_id) == "terminated"
        assert recovery_nic not in interfaces()

    def test_under_manual_progression(
        self, drs: Any, ec2: Any, manual_jobs: None
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        complete(
            drs,
            drs.start_recovery(
                sourceServers=[{"sourceServerID": server_id}], isDrill=True
            )["job"]["jobID"],
        )
        instance_id = source_server(drs, server_id)["recoveryInstanceId"]
        job = drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])["job"]
        with pytest.raises(ClientError) as error:  # already being terminated
            drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=instance_id,
            resourceType="RECOVERY_INSTANCE",
        )
        started = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        assert started["participatingServers"][0]["launchStatus"] == "IN_PROGRESS"
        assert ec2_state(ec2, instance_id) == "running"
        assert describe(drs, instance_id)["ec2InstanceState"] == "RUNNING"
        drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})
        assert ec2_state(ec2, instance_id) == "terminated"

    def test_terminating_twice_conflicts(self, drs: Any) -> None:
        _, instance_id = launched(drs)
        drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
        with pytest.raises(ClientError) as error:
            drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=instance_id,
            resourceType="RECOVERY_INSTANCE",
        )

    def test_unknown_instance_and_nothing_is_terminated(
        self, drs: Any, ec2: Any
    ) -> None:
        _, instance_id = launched(drs)
        with pytest.raises(ClientError) as error:
            drs.terminate_recovery_instances(
                recoveryInstanceIDs=[instance_id, MISSING_INSTANCE]
            )
        # the model lists no ResourceNotFoundException here (docs/recovery.md, "Unknown IDs")
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=MISSING_INSTANCE,
            resourceType="RECOVERY_INSTANCE",
        )
        assert ec2_state(ec2, instance_id) == "running"
        assert [j["type"] for j in drs.describe_jobs()["items"]] == ["LAUNCH"]


class TestDisconnectAndDelete:
    def test_disconnect_stops_failback_replication_only(
        self, drs: Any, ec2: Any
    ) -> None:
        server_id, instance_id = launched(drs)
        assert (
            drs.disconnect_recovery_instance(recoveryInstanceID=instance_id)[
                "ResponseMetadata"
            ]["HTTPStatusCode"]
            == 200
        )
        drs.disconnect_recovery_instance(recoveryInstanceID=instance_id)  # idempotent
        info = describe(drs, instance_id)["dataReplicationInfo"]
        assert info["dataReplicationState"] == "DISCONNECTED"
        assert {disk["totalStorageBytes"] for disk in info["replicatedDisks"]} == {0}
        assert "lagDuration" not in info and "etaDateTime" not in info
        assert ec2_state(ec2, instance_id) == "running"
        assert source_server(drs, server_id)["recoveryInstanceId"] == instance_id

    def test_delete_only_a_disconnected_instance(self, drs: Any, ec2: Any) -> None:
        server_id, instance_id = launched(drs)
        with pytest.raises(ClientError) as error:
            drs.delete_recovery_instance(recoveryInstanceID=instance_id)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=instance_id,
            resourceType="RECOVERY_INSTANCE",
        )
        drs.disconnect_recovery_instance(recoveryInstanceID=instance_id)
        drs.delete_recovery_instance(recoveryInstanceID=instance_id)
        assert drs.describe_recovery_instances()["items"] == []
        assert ec2_state(ec2, instance_id) == "running"  # DRS forgets it; EC2 keeps it
        assert "recoveryInstanceId" not in source_server(drs, server_id)

    @pytest.mark.parametrize(
        ("operation", "code", "status"),
        [
            ("disconnect_recovery_instance", "ResourceNotFoundException", 404),
            # DeleteRecoveryInstance lists no ResourceNotFoundException in the model
            ("delete_recovery_instance", "ConflictException", 409),
        ],
    )
    def test_unknown_instance(
        self, drs: Any, operation: str, code: str, status: int
    ) -> None:
        with pytest.raises(ClientError) as error:
            getattr(drs, operation)(recoveryInstanceID=MISSING_INSTANCE)
        assert_client_error(
            error.value,
            code,
            status,
            resourceId=MISSING_INSTANCE,
            resourceType="RECOVERY_INSTANCE",
        )

    def test_not_while_its_server_is_in_a_job(
        self, drs: Any, manual_jobs: None
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        complete(
            drs,
            drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])["job"][
                "jobID"
            ],
        )
        instance_id = source_server(drs, server_id)["recoveryInstanceId"]
        drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
        with pytest.raises(ClientError) as error:
            drs.disconnect_recovery_instance(recoveryInstanceID=instance_id)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=instance_id,
            resourceType="RECOVERY_INSTANCE",
        )


class TestSourceServerWithRecoveryInstance:
    def test_cannot_be_disconnected_or_deleted_until_the_instance_is_gone(
        self, drs: Any
    ) -> None:
        server_id, instance_id = launched(drs)
        with pytest.raises(ClientError) as error:
            drs.disconnect_source_server(sourceServerID=server_id)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=server_id,
            resourceType="SOURCE_SERVER",
        )
        assert "recovery instance" in error.value.response["message"]
        replicating = source_server(drs, server_id)["dataReplicationInfo"][
            "dataReplicationState"
        ]
        assert replicating == "CONTINUOUS"
        drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
        drs.disconnect_source_server(sourceServerID=server_id)
        drs.delete_source_server(sourceServerID=server_id)
        assert drs.describe_source_servers()["items"] == []

    def test_replication_can_still_be_stopped_and_started(self, drs: Any) -> None:
        server_id, _ = launched(drs)
        drs.stop_replication(sourceServerID=server_id)
        drs.start_replication(sourceServerID=server_id)
        assert source_server(drs, server_id)["recoveryInstanceId"].startswith("i-")

    def test_a_server_in_a_running_job_cannot_be_disconnected(
        self, drs: Any, manual_jobs: None
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.start_recovery(sourceServers=[{"sourceServerID": server_id}], isDrill=True)
        with pytest.raises(ClientError) as error:
            drs.disconnect_source_server(sourceServerID=server_id)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=server_id,
            resourceType="SOURCE_SERVER",
        )
