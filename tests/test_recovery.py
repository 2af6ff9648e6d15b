"""StartRecovery: drills and recoveries, snapshot choice, eligibility, and the EC2 instance launched."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs

MISSING_SERVER = "s-0123456789abcdef0"


@pytest.fixture
def manual_jobs() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition("drs::job")


def recover(drs: Any, *entries: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    return drs.start_recovery(sourceServers=list(entries), **kwargs)["job"]


def source_server(drs: Any, server_id: str) -> dict[str, Any]:
    return drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ][0]


def recovery_instance_of(drs: Any, server_id: str) -> dict[str, Any]:
    return drs.describe_recovery_instances(filters={"sourceServerIDs": [server_id]})[
        "items"
    ][0]


def ec2_instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
        "Instances"
    ][0]


def events(drs: Any, job_id: str) -> list[str]:
    return [item["event"] for item in drs.describe_job_log_items(jobID=job_id)["items"]]


class TestStartRecovery:
    def test_drill_creates_a_launch_job(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        response = drs.start_recovery(
            sourceServers=[{"sourceServerID": server_id}], isDrill=True, tags={"k": "v"}
        )
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
        job = response["job"]
        assert job["jobID"].startswith("drsjob-") and job["arn"].endswith(
            f":job/{job['jobID']}"
        )
        assert (job["type"], job["initiatedBy"], job["status"]) == (
            "LAUNCH",
            "START_DRILL",
            "PENDING",
        )
        assert job["participatingServers"] == [
            {
                "sourceServerID": server_id,
                "launchStatus": "PENDING",
                "launchActionsStatus": {"runs": []},
            }
        ]
        assert job["tags"] == {"k": "v"}

    def test_recovery_is_the_default(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job = recover(drs, {"sourceServerID": server_id})
        assert job["initiatedBy"] == "START_RECOVERY"
        assert (
            source_server(drs, server_id)["lifeCycle"]["lastLaunch"]["initiated"][
                "type"
            ]
            == "RECOVERY"
        )
        assert recovery_instance_of(drs, server_id)["isDrill"] is False

    def test_the_source_server_reflects_the_launch(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        assert source_server(drs, server_id)["lastLaunchResult"] == "NOT_STARTED"
        job = recover(drs, {"sourceServerID": server_id}, isDrill=True)
        server = source_server(drs, server_id)
        instance = recovery_instance_of(drs, server_id)
        assert server["lastLaunchResult"] == "SUCCEEDED"
        assert server["recoveryInstanceId"] == instance["recoveryInstanceID"]
        last = server["lifeCycle"]["lastLaunch"]
        assert last["status"] == "LAUNCHED"
        assert last["initiated"] == {
            "apiCallDateTime": job["creationDateTime"],
            "jobID": job["jobID"],
            "type": "DRILL",
        }

    def test_launch_from_a_chosen_snapshot(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        snapshot = moto_drs.add_recovery_snapshot(
            server_id, timestamp="2024-05-01T10:00:00.000Z"
        )
        job = recover(
            drs,
            {"sourceServerID": server_id, "recoverySnapshotID": snapshot["snapshotID"]},
        )
        assert (
            recovery_instance_of(drs, server_id)["pointInTimeSnapshotDateTime"]
            == "2024-05-01T10:00:00.000Z"
        )
        log = events(drs, job["jobID"])
        assert "USING_PREVIOUS_SNAPSHOT" in log and "SNAPSHOT_START" not in log

    def test_without_a_snapshot_an_on_demand_snapshot_is_taken(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        before = {
            s["snapshotID"]
            for s in drs.describe_recovery_snapshots(sourceServerID=server_id)["items"]
        }
        job = recover(drs, {"sourceServerID": server_id})
        after = drs.describe_recovery_snapshots(sourceServerID=server_id)["items"]
        taken = [s for s in after if s["snapshotID"] not in before]
        assert len(taken) == 1
        assert (
            recovery_instance_of(drs, server_id)["pointInTimeSnapshotDateTime"]
            == taken[0]["timestamp"]
        )
        assert events(drs, job["jobID"])[1:3] == ["SNAPSHOT_START", "SNAPSHOT_END"]

    @pytest.mark.parametrize(
        "state", ["BACKLOG", "CREATING_SNAPSHOT", "PAUSED", "RESCAN", "STALLED"]
    )
    def test_replicating_states_after_initial_sync_can_launch(
        self, drs: Any, state: str
    ) -> None:
        server_id = moto_drs.add_source_server(data_replication_state=state)[
            "sourceServerID"
        ]
        recover(drs, {"sourceServerID": server_id})
        assert source_server(drs, server_id)["lastLaunchResult"] == "SUCCEEDED"

    def test_a_new_launch_replaces_the_recovery_instance(
        self, drs: Any, ec2: Any
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        recover(drs, {"sourceServerID": server_id}, isDrill=True)
        first = recovery_instance_of(drs, server_id)["recoveryInstanceID"]
        job = recover(drs, {"sourceServerID": server_id})
        instances = drs.describe_recovery_instances()["items"]
        assert len(instances) == 1 and instances[0]["recoveryInstanceID"] != first
        assert ec2_instance(ec2, first)["State"]["Name"] == "terminated"
        log = drs.describe_job_log_items(jobID=job["jobID"])["items"]
        assert [item["event"] for item in log][1:3] == ["CLEANUP_START", "CLEANUP_END"]
        assert log[1]["eventData"] == {
            "sourceServerID": server_id,
            "targetInstanceID": first,
        }


class TestEligibility:
    def test_stopped_or_disconnected_servers_conflict_and_nothing_changes(
        self, drs: Any
    ) -> None:
        ready = moto_drs.add_source_server()["sourceServerID"]
        stopped = moto_drs.add_source_server()["sourceServerID"]
        drs.stop_replication(sourceServerID=stopped)
        disconnected = moto_drs.add_source_server()["sourceServerID"]
        drs.disconnect_source_server(sourceServerID=disconnected)
        for bad in (stopped, disconnected):
            with pytest.raises(ClientError) as error:
                recover(drs, {"sourceServerID": ready}, {"sourceServerID": bad})
            assert_client_error(
                error.value,
                "ConflictException",
                409,
                resourceId=bad,
                resourceType="SOURCE_SERVER",
            )
        assert drs.describe_jobs()["items"] == []
        assert source_server(drs, ready)["lastLaunchResult"] == "NOT_STARTED"
        assert drs.describe_recovery_instances()["items"] == []

    @pytest.mark.parametrize("state", ["INITIATING", "INITIAL_SYNC"])
    def test_initial_sync_must_be_complete(self, drs: Any, state: str) -> None:
        state_manager.set_transition(
            "drs::source-server", {"progression": "manual", "times": 99}
        )
        try:
            server_id = moto_drs.add_source_server(data_replication_state=state)[
                "sourceServerID"
            ]
            with pytest.raises(ClientError) as error:
                recover(drs, {"sourceServerID": server_id})
        finally:
            state_manager.unset_transition("drs::source-server")
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=server_id,
            resourceType="SOURCE_SERVER",
        )

    def test_snapshot_must_belong_to_the_server(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        other_id = moto_drs.add_source_server()["sourceServerID"]
        foreign = moto_drs.add_recovery_snapshot(other_id)["snapshotID"]
        for snapshot_id in (foreign, "pit-0123456789abcdef0"):
            with pytest.raises(ClientError) as error:
                recover(
                    drs,
                    {"sourceServerID": server_id, "recoverySnapshotID": snapshot_id},
                )
            assert_client_error(
                error.value,
                "ConflictException",
                409,
                resourceId=snapshot_id,
                resourceType="RECOVERY_SNAPSHOT",
            )
        assert drs.describe_jobs()["items"] == []

    def test_unknown_server(self, drs: Any) -> None:
        with pytest.raises(ClientError) as error:
            recover(drs, {"sourceServerID": MISSING_SERVER})
        assert_client_error(
            error.value,
            "ResourceNotFoundException",
            404,
            resourceId=MISSING_SERVER,
            resourceType="SOURCE_SERVER",
        )

    def test_the_same_server_twice(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        with pytest.raises(ClientError) as error:
            recover(drs, {"sourceServerID": server_id}, {"sourceServerID": server_id})
        assert_client_error(error.value, "ValidationException", 400)
        assert error.value.response["fieldList"][0]["name"] == "sourceServers[1]"
        assert drs.describe_jobs()["items"] == []

    def test_uninitialized(self, uninitialized_drs: Any) -> None:
        with pytest.raises(ClientError) as error:
            uninitialized_drs.start_recovery(
                sourceServers=[{"sourceServerID": MISSING_SERVER}]
            )
        assert_client_error(error.value, "UninitializedAccountException", 400)


class TestEc2Instance:
    def test_the_instance_follows_the_launch_template(self, drs: Any, ec2: Any) -> None:
        server_id = moto_drs.add_source_server(tags={"app": "erp"})["sourceServerID"]
        recover(drs, {"sourceServerID": server_id}, isDrill=True)
        instance_id = recovery_instance_of(drs, server_id)["recoveryInstanceID"]
        instance = ec2_instance(ec2, instance_id)
        template_id = drs.get_launch_configuration(sourceServerID=server_id)[
            "ec2LaunchTemplateID"
        ]
        template = ec2.describe_launch_template_versions(
            LaunchTemplateId=template_id, Versions=["$Default"]
        )
        data = template["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        assert instance["InstanceType"] == data["InstanceType"]
        assert instance["State"]["Name"] == "running"
        default_vpc = ec2.describe_vpcs(
            Filters=[{"Name": "is-default", "Values": ["true"]}]
        )["Vpcs"][0]
        assert instance["VpcId"] == default_vpc["VpcId"]
        tags = {tag["Key"]: tag["Value"] for tag in instance["Tags"]}
        assert tags["AWSElasticDisasterRecoveryManaged"] == "drs.amazonaws.com"
        assert tags["AWSElasticDisasterRecoverySourceServerID"] == server_id
        assert "app" not in tags  # copyTags is off by default
        devices = sorted(m["DeviceName"] for m in instance["BlockDeviceMappings"])
        assert devices == ["/dev/xvda", "/dev/xvdb"]

    def test_copy_tags_and_stopped_disposition(self, drs: Any, ec2: Any) -> None:
        server_id = moto_drs.add_source_server(tags={"app": "erp", "tier": "db"})[
            "sourceServerID"
        ]
        drs.update_launch_configuration(
            sourceServerID=server_id, copyTags=True, launchDisposition="STOPPED"
        )
        recover(drs, {"sourceServerID": server_id})
        recovery_instance = recovery_instance_of(drs, server_id)
        assert recovery_instance["ec2InstanceState"] == "STOPPED"
        instance = ec2_instance(ec2, recovery_instance["recoveryInstanceID"])
        assert instance["State"]["Name"] == "stopped"
        tags = {tag["Key"]: tag["Value"] for tag in instance["Tags"]}
        assert tags["app"] == "erp" and tags["tier"] == "db"

    def test_ec2_refusing_the_launch_fails_that_server_only(
        self, drs: Any, ec2: Any
    ) -> None:
        good = moto_drs.add_source_server()["sourceServerID"]
        bad = moto_drs.add_source_server()["sourceServerID"]
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
        job = recover(drs, {"sourceServerID": good}, {"sourceServerID": bad})
        described = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        statuses = {
            p["sourceServerID"]: p["launchStatus"]
            for p in described["participatingServers"]
        }
        assert described["status"] == "COMPLETED"
        assert statuses == {good: "LAUNCHED", bad: "FAILED"}
        failed = [
            i
            for i in drs.describe_job_log_items(jobID=job["jobID"])["items"]
            if i["event"] == "LAUNCH_FAILED"
        ]
        assert failed[0]["eventData"]["sourceServerID"] == bad
        assert "subnet-0000000000000000f" in failed[0]["eventData"]["rawError"]
        assert source_server(drs, bad)["lastLaunchResult"] == "FAILED"
        assert source_server(drs, bad)["lifeCycle"]["lastLaunch"]["status"] == "FAILED"
        assert "recoveryInstanceId" not in source_server(drs, bad)
        assert [
            i["sourceServerID"] for i in drs.describe_recovery_instances()["items"]
        ] == [good]


def test_a_running_job_blocks_a_new_launch_of_its_server(
    drs: Any, manual_jobs: None
) -> None:
    server_id = moto_drs.add_source_server()["sourceServerID"]
    recover(drs, {"sourceServerID": server_id})
    with pytest.raises(ClientError) as error:
        recover(drs, {"sourceServerID": server_id})
    assert_client_error(
        error.value, "ServiceQuotaExceededException", 402, quotaCode="L-DD6D028C"
    )


def test_post_launch_actions_run_when_enabled(drs: Any) -> None:
    server_id = moto_drs.add_source_server()["sourceServerID"]
    action = {
        "resourceId": server_id,
        "actionCode": "AWS-RunShellScript",
        "order": 1001,
        "actionId": "0b1e4c2a-5d6f-4a8b-9c0d-1e2f3a4b5c6d",
        "optional": True,
        "active": True,
        "name": "smoke test",
        "actionVersion": "$DEFAULT",
        "category": "VALIDATION",
        "description": "checks the app answers",
    }
    drs.put_launch_action(**action)
    drs.put_launch_action(
        **{
            **action,
            "actionId": "1c2f5d3b-6e7a-4b9c-8d1e-2f3a4b5c6d7e",
            "order": 1002,
            "active": False,
        }
    )
    plain = recover(drs, {"sourceServerID": server_id}, isDrill=True)
    runs = drs.describe_jobs(filters={"jobIDs": [plain["jobID"]]})["items"][0][
        "participatingServers"
    ][0]
    assert runs["launchActionsStatus"] == {
        "runs": []
    }  # postLaunchEnabled is off by default
    drs.update_launch_configuration(sourceServerID=server_id, postLaunchEnabled=True)
    job = recover(drs, {"sourceServerID": server_id}, isDrill=True)
    status = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0][
        "participatingServers"
    ][0]
    [run] = status["launchActionsStatus"]["runs"]
    assert run["status"] == "SUCCEEDED" and run["runId"]
    assert (run["action"]["actionId"], run["action"]["name"]) == (
        action["actionId"],
        "smoke test",
    )
    assert (
        status["launchActionsStatus"]["ssmAgentDiscoveryDatetime"]
        >= job["creationDateTime"]
    )
