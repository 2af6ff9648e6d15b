"""Edge cases of recovery: reverse replication racing a read, an extended server's on-demand
snapshot, execution status filters, optional servers busy in another job, repeated recovery
instance IDs, and the fault wildcard. Each once failed."""

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import in_process_only
from shape_check import assert_client_error

import moto_drs
from moto_drs.drs.models import drs_backends, failback

ACCOUNT = "123456789012"
EC2_ORIGIN = {
    "originAccountID": ACCOUNT,
    "originRegion": "us-west-2",
    "originAvailabilityZone": "us-west-2b",
}


def launched_from_ec2(drs: Any) -> tuple[str, str]:
    """A source server that originated in us-west-2 and its recovery instance in us-east-1."""
    server_id = moto_drs.add_source_server(source_cloud_properties=EC2_ORIGIN)[
        "sourceServerID"
    ]
    drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])
    items = drs.describe_recovery_instances(filters={"sourceServerIDs": [server_id]})[
        "items"
    ]
    return server_id, items[0]["recoveryInstanceID"]


@in_process_only  # holds the in-process backend's lock
def test_reverse_replication_changes_the_origin_region_only_under_its_lock(
    drs: Any, monkeypatch: Any
) -> None:
    """ReverseReplication initialized the origin Region's DRS (IAM roles and all) before taking that
    backend's lock, so it raced with requests served there and changed it even when it then answered
    ThrottlingException because the origin was busy."""
    monkeypatch.setattr(failback, "ORIGIN_LOCK_TIMEOUT_SECONDS", 0.2)
    server_id, instance_id = launched_from_ec2(drs)
    origin = drs_backends[ACCOUNT]["us-west-2"]
    assert not origin.initialized

    holding, release = threading.Event(), threading.Event()

    def hold_origin() -> None:
        with origin.lock:
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_origin)
    holder.start()
    try:
        assert holding.wait(5)
        with pytest.raises(ClientError) as error:
            drs.reverse_replication(recoveryInstanceID=instance_id)
        assert_client_error(error.value, "ThrottlingException", 429)
        assert not origin.initialized  # nothing changed in the busy Region
        assert (
            drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
                "items"
            ][0].get("reversedDirectionSourceServerArn")
            is None
        )
    finally:
        release.set()
        holder.join()

    arn = drs.reverse_replication(recoveryInstanceID=instance_id)[
        "reversedDirectionSourceServerArn"
    ]
    assert origin.initialized
    reversed_server = origin.source_servers[arn.rsplit("/", 1)[-1]]
    assert reversed_server.reversed_direction_source_server_arn.endswith(server_id)


def test_an_extended_server_keeps_the_on_demand_snapshot_of_its_recovery(
    drs: Any,
) -> None:
    """StartRecovery without a snapshot took an on-demand snapshot of the extended server, and the next
    read copied the staging server's snapshots over it: the snapshot the recovery instance was launched
    from vanished from DescribeRecoverySnapshots."""
    from test_staging import STAGING, staged, staging_account

    staging_account(STAGING)
    source = staged()
    extended_id = drs.create_extended_source_server(sourceServerArn=source["arn"])[
        "sourceServer"
    ]["sourceServerID"]
    scheduled = drs.describe_recovery_snapshots(sourceServerID=extended_id)["items"]
    assert scheduled
    drs.start_recovery(sourceServers=[{"sourceServerID": extended_id}])
    instance = drs.describe_recovery_instances(
        filters={"sourceServerIDs": [extended_id]}
    )["items"][0]
    for _ in range(2):  # every read mirrors the staging server again
        listed = drs.describe_recovery_snapshots(sourceServerID=extended_id)["items"]
        assert (
            len(listed) == len(scheduled) + 1
        )  # the on-demand snapshot, no scheduled one twice
        assert instance["pointInTimeSnapshotDateTime"] in {
            s["timestamp"] for s in listed
        }
        assert {s["snapshotID"] for s in scheduled} < {s["snapshotID"] for s in listed}


def test_list_recovery_plan_executions_filters_the_status_the_read_leads_to(
    drs: Any,
) -> None:
    """The status filter saw each execution before the read moved it on, so a CREATED execution listed
    under status=CREATED came back IN_PROGRESS, and status=IN_PROGRESS never listed it."""
    from moto.moto_api import state_manager

    plans = []
    for name in ("first", "second"):
        server = moto_drs.add_source_server()
        plan = drs.create_recovery_plan(name=name)["recoveryPlan"]["recoveryPlanArn"]
        configuration = {
            "serverStepConfiguration": {"servers": [{"serverArn": server["arn"]}]}
        }
        drs.create_recovery_plan_step(
            recoveryPlanArn=plan, stepName="launch", configuration=configuration
        )
        plans.append(plan)
    state_manager.set_transition(
        "drs::recovery-plan-execution", {"progression": "manual", "times": 1}
    )
    try:
        started = [
            drs.start_recovery_plan_execution(recoveryPlanArn=plan, mode="DRILL")[
                "recoveryPlanExecution"
            ]
            for plan in plans
        ]
        assert [e["status"] for e in started] == ["CREATED", "CREATED"]
        assert (
            drs.list_recovery_plan_executions(status="CREATED")[
                "recoveryPlanExecutions"
            ]
            == []
        )  # read: moved on
        arns = [
            e["recoveryPlanExecutionArn"] for e in reversed(started)
        ]  # latest first
        steps = (
            drs.list_recovery_plan_execution_steps
        )  # lets executions catch up: no read

        page = drs.list_recovery_plan_executions(status="IN_PROGRESS", maxResults=1)
        assert [
            (e["recoveryPlanExecutionArn"], e["status"])
            for e in page["recoveryPlanExecutions"]
        ] == [(arns[0], "IN_PROGRESS")]
        after = steps(recoveryPlanExecutionArn=arns[1])["recoveryPlanExecutionSteps"]
        assert [s["status"] for s in after] == [
            "NOT_STARTED"
        ]  # the second one was not read yet
        rest = drs.list_recovery_plan_executions(
            status="IN_PROGRESS", maxResults=1, nextToken=page["nextToken"]
        )
        assert [
            (e["recoveryPlanExecutionArn"], e["status"])
            for e in rest["recoveryPlanExecutions"]
        ] == [(arns[1], "IN_PROGRESS")]
        assert "nextToken" not in rest
        for arn in (
            arns
        ):  # read three times each (CREATED, IN_PROGRESS, step EXECUTING), not more
            assert [
                s["status"]
                for s in steps(recoveryPlanExecutionArn=arn)[
                    "recoveryPlanExecutionSteps"
                ]
            ] == ["EXECUTING"]
    finally:
        state_manager.unset_transition("drs::recovery-plan-execution")


def test_an_optional_server_busy_in_another_job_is_left_out_of_the_plan_step(
    drs: Any,
) -> None:
    """StartRecovery's one-job-per-server quota error named no server, so a recovery plan failed the
    whole step instead of leaving out the OPTIONAL server that was busy."""
    from moto.moto_api import state_manager

    critical, optional = moto_drs.add_source_server(), moto_drs.add_source_server()
    busy_id = optional["sourceServerID"]
    plan = drs.create_recovery_plan(name="tier")["recoveryPlan"]["recoveryPlanArn"]
    servers = [
        {"serverArn": critical["arn"]},
        {"serverArn": optional["arn"], "impactLevel": "OPTIONAL"},
    ]
    drs.create_recovery_plan_step(
        recoveryPlanArn=plan,
        stepName="launch",
        configuration={"serverStepConfiguration": {"servers": servers}},
    )
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 1})
    try:
        drs.start_recovery(
            sourceServers=[{"sourceServerID": busy_id}]
        )  # its job stays active
        with pytest.raises(ClientError) as error:
            drs.start_recovery(sourceServers=[{"sourceServerID": busy_id}])
        assert_client_error(
            error.value,
            "ServiceQuotaExceededException",
            402,
            resourceId=busy_id,
            resourceType="SOURCE_SERVER",
            quotaCode="L-DD6D028C",
        )
        arn = drs.start_recovery_plan_execution(recoveryPlanArn=plan, mode="DRILL")[
            "recoveryPlanExecution"
        ]["recoveryPlanExecutionArn"]
        step = drs.list_recovery_plan_execution_steps(recoveryPlanExecutionArn=arn)[
            "recoveryPlanExecutionSteps"
        ][0]
        assert step["status"] != "FAILED"
        entries = {
            s["serverArn"]: s
            for s in step["configuration"]["executionServerStepConfiguration"][
                "servers"
            ]
        }
        assert "jobID" in entries[critical["arn"]]
        assert (
            "jobID" not in entries[optional["arn"]]
        )  # left out, as a refused OPTIONAL server is
    finally:
        state_manager.unset_transition("drs::job")


def test_a_repeated_recovery_instance_id_is_named_in_the_error(drs: Any) -> None:
    """The duplicate check named the source server, not the recovery instance ID the caller repeated."""
    server_id, instance_id = launched_from_ec2(drs)
    moto_drs.connect_failback_client(instance_id)
    state = drs.describe_recovery_instances(
        filters={"recoveryInstanceIDs": [instance_id]}
    )["items"][0]["failback"]
    assert state["state"] == "FAILBACK_READY_FOR_LAUNCH"
    for call in (drs.start_failback_launch, drs.terminate_recovery_instances):
        with pytest.raises(ClientError) as error:
            call(recoveryInstanceIDs=[instance_id, instance_id])
        assert_client_error(error.value, "ValidationException", 400)
        message = error.value.response["Error"]["Message"]
        assert instance_id in message and server_id not in message
        assert error.value.response["fieldList"] == [
            {"name": "recoveryInstanceIDs[1]", "message": f"Duplicate {instance_id}"}
        ]


def test_a_tuple_of_the_wildcard_is_every_operation(drs: Any) -> None:
    """inject_fault(operations=("*",)) was refused as an unknown operation while "*" and ["*"] worked."""
    from botocore.config import Config
    from conftest import make_drs_client

    fault = moto_drs.inject_fault(("*",), "InternalServerException", count=2)
    try:
        assert moto_drs.list_faults() == [fault]
        once = make_drs_client(config=Config(retries={"total_max_attempts": 1}))
        for call in (once.describe_jobs, once.describe_source_servers):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(error.value, "InternalServerException", 500)
        assert moto_drs.list_faults() == []
    finally:
        moto_drs.clear_faults()
