"""Recovery plan status: the model's "INVALID means the plan has no SERVER type steps and cannot
be executed" (RecoveryPlanStatus), through boto3 in decorator and server mode."""

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from shape_check import assert_client_error

import moto_drs

WAIT = {"waitStepConfiguration": {"waitDurationMinutes": 5}}


def server_step(*arns: str) -> dict[str, Any]:
    return {"serverStepConfiguration": {"servers": [{"serverArn": a} for a in arns]}}


def plan_status(drs: Any, arn: str) -> str:
    return str(drs.get_recovery_plan(recoveryPlanArn=arn)["recoveryPlan"]["status"])


def assert_cannot_start(drs: Any, arn: str) -> None:
    with pytest.raises(ClientError) as error:
        drs.start_recovery_plan_execution(recoveryPlanArn=arn, mode="DRILL")
    assert_client_error(
        error.value,
        "ConflictException",
        409,
        resourceId=arn,
        resourceType="RECOVERY_PLAN",
    )
    assert "no SERVER type steps" in error.value.response["Error"]["Message"]
    assert (
        drs.list_recovery_plan_executions(recoveryPlanArn=arn)["recoveryPlanExecutions"]
        == []
    )


def walk_through_statuses(drs: Any, server_arn: str) -> None:
    created = drs.create_recovery_plan(name="status")["recoveryPlan"]
    arn = created["recoveryPlanArn"]
    assert created["status"] == "INVALID"  # a new plan has no steps
    assert drs.list_recovery_plans()["recoveryPlans"][0]["status"] == "INVALID"
    assert_cannot_start(drs, arn)

    wait = drs.create_recovery_plan_step(
        recoveryPlanArn=arn, stepName="pause", configuration=WAIT
    )["recoveryPlanStep"]
    assert plan_status(drs, arn) == "INVALID"  # WAIT steps only
    assert_cannot_start(drs, arn)

    step = drs.create_recovery_plan_step(
        recoveryPlanArn=arn, stepName="db", configuration=server_step(server_arn)
    )["recoveryPlanStep"]
    assert plan_status(drs, arn) == "ACTIVE"
    assert drs.list_recovery_plans()["recoveryPlans"][0]["status"] == "ACTIVE"

    drs.delete_recovery_plan_step(recoveryPlanStepArn=step["recoveryPlanStepArn"])
    assert plan_status(drs, arn) == "INVALID"  # the last SERVER step went
    assert_cannot_start(drs, arn)

    drs.delete_recovery_plan_step(recoveryPlanStepArn=wait["recoveryPlanStepArn"])
    drs.create_recovery_plan_step(
        recoveryPlanArn=arn, stepName="db", configuration=server_step(server_arn)
    )
    execution = drs.start_recovery_plan_execution(recoveryPlanArn=arn, mode="DRILL")
    assert execution["recoveryPlanExecution"]["recoveryPlanArn"] == arn


def test_plan_status_follows_its_server_steps(drs: Any) -> None:
    server = moto_drs.add_source_server(data_replication_state="CONTINUOUS")
    walk_through_statuses(drs, server["arn"])


def test_plan_status_over_http(server: Any) -> None:
    drs = server.client("drs")
    drs.initialize_service()
    seeded = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers",
        json={"dataReplicationState": "CONTINUOUS"},
        timeout=60,
    )
    seeded.raise_for_status()
    walk_through_statuses(drs, seeded.json()["sourceServer"]["arn"])
