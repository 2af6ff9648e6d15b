"""Recovery plans: plans and steps, executions on the state manager, retry, skip, cancel."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import make_drs_client
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs

EXECUTION_MODEL = "drs::recovery-plan-execution"
MISSING_PLAN = "arn:aws:drs:us-east-1:123456789012:recovery-plan/plan-0123456789abcdef0"


@pytest.fixture
def manual_executions() -> Iterator[None]:
    """An execution makes one change per read."""
    state_manager.set_transition(EXECUTION_MODEL, {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition(EXECUTION_MODEL)


def unvalidated(drs: Any) -> Any:
    """A client that sends what botocore would refuse, as a raw HTTP caller could."""
    return make_drs_client(config=Config(parameter_validation=False))


def server_step(*servers: dict[str, Any], **impact: str) -> dict[str, Any]:
    entries = [{"serverArn": s["arn"], **({"impactLevel": impact[s["sourceServerID"]]} if s["sourceServerID"]
                                          in impact else {})} for s in servers]  # fmt: skip
    return {"serverStepConfiguration": {"servers": entries}}


def wait_step(minutes: int = 5) -> dict[str, Any]:
    return {"waitStepConfiguration": {"waitDurationMinutes": minutes}}


def new_plan(drs: Any, name: str = "web-tier", **kwargs: Any) -> str:
    return str(
        drs.create_recovery_plan(name=name, **kwargs)["recoveryPlan"]["recoveryPlanArn"]
    )


def add_step(
    drs: Any, plan: str, name: str, configuration: dict[str, Any], **kwargs: Any
) -> dict[str, Any]:
    return dict(
        drs.create_recovery_plan_step(
            recoveryPlanArn=plan, stepName=name, configuration=configuration, **kwargs
        )["recoveryPlanStep"]
    )


def start(drs: Any, plan: str, mode: str = "DRILL", **kwargs: Any) -> dict[str, Any]:
    return dict(
        drs.start_recovery_plan_execution(recoveryPlanArn=plan, mode=mode, **kwargs)[
            "recoveryPlanExecution"
        ]
    )


def execution(drs: Any, arn: str) -> dict[str, Any]:
    return dict(
        drs.get_recovery_plan_execution(recoveryPlanExecutionArn=arn)[
            "recoveryPlanExecution"
        ]
    )


def steps(drs: Any, arn: str, **kwargs: Any) -> list[dict[str, Any]]:
    return list(
        drs.list_recovery_plan_execution_steps(recoveryPlanExecutionArn=arn, **kwargs)[
            "recoveryPlanExecutionSteps"
        ]
    )


def execution_step(drs: Any, arn: str) -> dict[str, Any]:
    return dict(
        drs.get_recovery_plan_execution_step(recoveryPlanExecutionStepArn=arn)[
            "recoveryPlanExecutionStep"
        ]
    )


def break_launch(drs: Any, ec2: Any, server_id: str) -> str:
    """Make EC2 refuse the server's launch (a subnet that does not exist); returns the template ID."""
    template_id = str(
        drs.get_launch_configuration(sourceServerID=server_id)["ec2LaunchTemplateID"]
    )
    data = {
        "NetworkInterfaces": [
            {"DeviceIndex": 0, "SubnetId": "subnet-0000000000000000f"}
        ]
    }
    version = ec2.create_launch_template_version(
        LaunchTemplateId=template_id, LaunchTemplateData=data
    )
    number = str(version["LaunchTemplateVersion"]["VersionNumber"])
    ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion=number)
    return template_id


@pytest.fixture
def two_servers(drs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return moto_drs.add_source_server(), moto_drs.add_source_server()


@pytest.fixture
def plan(drs: Any, two_servers: tuple[dict[str, Any], dict[str, Any]]) -> str:
    """database, a 5-minute wait, web (OPTIONAL)."""
    database, web = two_servers
    arn = new_plan(drs)
    add_step(drs, arn, "database", server_step(database))
    add_step(drs, arn, "settle", wait_step())
    add_step(drs, arn, "web", server_step(web, **{web["sourceServerID"]: "OPTIONAL"}))
    return arn


class TestPlans:
    def test_create_get_update_list_delete(self, drs: Any) -> None:
        created = drs.create_recovery_plan(
            name="erp", description="ERP stack", tags={"team": "dr"}
        )["recoveryPlan"]
        arn = created["recoveryPlanArn"]
        assert arn.startswith("arn:aws:drs:us-east-1:123456789012:recovery-plan/plan-")
        # no SERVER step yet: INVALID [M] (tests/test_recovery_plan_status.py)
        assert created["status"] == "INVALID" and created["tags"] == {"team": "dr"}
        assert created["createdAt"] == created["updatedAt"]
        assert drs.get_recovery_plan(recoveryPlanArn=arn)["recoveryPlan"] == created
        updated = drs.update_recovery_plan(recoveryPlanArn=arn, name="erp-2")[
            "recoveryPlan"
        ]
        assert updated["name"] == "erp-2" and updated["description"] == "ERP stack"
        assert updated["updatedAt"] >= created["updatedAt"]
        listed = drs.list_recovery_plans()["recoveryPlans"]
        assert [(p["recoveryPlanArn"], p["name"]) for p in listed] == [(arn, "erp-2")]
        assert (
            "tags" not in listed[0] and "description" not in listed[0]
        )  # RecoveryPlanSummary
        assert drs.delete_recovery_plan(recoveryPlanArn=arn)["recoveryPlanArn"] == arn
        with pytest.raises(ClientError) as error:
            drs.get_recovery_plan(recoveryPlanArn=arn)
        assert_client_error(
            error.value,
            "ResourceNotFoundException",
            404,
            resourceId=arn,
            resourceType="RECOVERY_PLAN",
        )
        with pytest.raises(ClientError) as error:
            drs.list_tags_for_resource(resourceArn=arn)
        assert_client_error(error.value, "ResourceNotFoundException", 404)

    def test_plans_are_taggable(self, drs: Any) -> None:
        arn = new_plan(drs)
        drs.tag_resource(resourceArn=arn, tags={"env": "prod"})
        assert drs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"}
        assert drs.get_recovery_plan(recoveryPlanArn=arn)["recoveryPlan"]["tags"] == {
            "env": "prod"
        }

    def test_names_are_unique(self, drs: Any) -> None:
        first, second = new_plan(drs, "alpha"), new_plan(drs, "beta")
        with pytest.raises(ClientError) as error:
            new_plan(drs, "alpha")
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=first,
            resourceType="RECOVERY_PLAN",
        )
        with pytest.raises(ClientError) as error:
            drs.update_recovery_plan(recoveryPlanArn=second, name="alpha")
        assert_client_error(error.value, "ConflictException", 409)
        assert len(drs.list_recovery_plans()["recoveryPlans"]) == 2

    def test_client_token_makes_create_idempotent(self, drs: Any) -> None:
        first = new_plan(drs, "alpha", clientToken="token-1")
        assert new_plan(drs, "alpha", clientToken="token-1") == first
        with pytest.raises(ClientError) as error:
            new_plan(drs, "other", clientToken="token-1")
        assert_client_error(error.value, "ConflictException", 409)
        assert len(drs.list_recovery_plans()["recoveryPlans"]) == 1

    def test_pagination(self, drs: Any) -> None:
        arns = [new_plan(drs, f"plan-{i}") for i in range(5)]
        page = drs.list_recovery_plans(maxResults=2)
        assert [p["recoveryPlanArn"] for p in page["recoveryPlans"]] == arns[:2]
        pages = drs.get_paginator("list_recovery_plans").paginate(
            PaginationConfig={"PageSize": 2}
        )
        assert [
            p["recoveryPlanArn"] for page in pages for p in page["recoveryPlans"]
        ] == arns
        with pytest.raises(ClientError) as error:
            drs.list_recovery_plans(nextToken="garbage")
        assert_client_error(error.value, "ValidationException", 400)

    @pytest.mark.parametrize(
        "call",
        [
            lambda drs: drs.get_recovery_plan(recoveryPlanArn=MISSING_PLAN),
            lambda drs: drs.update_recovery_plan(
                recoveryPlanArn=MISSING_PLAN, name="x"
            ),
            lambda drs: drs.delete_recovery_plan(recoveryPlanArn=MISSING_PLAN),
            lambda drs: drs.list_recovery_plan_steps(recoveryPlanArn=MISSING_PLAN),
            lambda drs: add_step(drs, MISSING_PLAN, "w", wait_step()),
            lambda drs: start(drs, MISSING_PLAN),
        ],
    )
    def test_unknown_plan(self, drs: Any, call: Any) -> None:
        with pytest.raises(ClientError) as error:
            call(drs)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=MISSING_PLAN
        )

    def test_a_deleted_source_server_makes_the_plan_invalid(self, drs: Any) -> None:
        server = moto_drs.add_source_server()
        arn = new_plan(drs)
        add_step(drs, arn, "only", server_step(server))
        drs.disconnect_source_server(sourceServerID=server["sourceServerID"])
        drs.delete_source_server(sourceServerID=server["sourceServerID"])
        assert (
            drs.get_recovery_plan(recoveryPlanArn=arn)["recoveryPlan"]["status"]
            == "INVALID"
        )
        with pytest.raises(ClientError) as error:
            start(drs, arn)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=arn,
            resourceType="RECOVERY_PLAN",
        )

    def test_uninitialized(self, uninitialized_drs: Any) -> None:
        with pytest.raises(ClientError) as error:
            uninitialized_drs.list_recovery_plans()
        assert_client_error(error.value, "UninitializedAccountException", 400)


class TestSteps:
    def test_steps_are_numbered_and_inserted(self, drs: Any, two_servers: Any) -> None:
        database, web = two_servers
        arn = new_plan(drs)
        web_step = add_step(drs, arn, "web", server_step(web))
        assert web_step["stepOrder"] == 1
        assert web_step["configuration"]["serverStepConfiguration"]["servers"] == [
            {
                "serverArn": web["arn"],
                "impactLevel": "CRITICAL",
            }  # the default impact level [M]
        ]
        db_step = add_step(drs, arn, "database", server_step(database), stepOrder=1)
        wait = add_step(drs, arn, "settle", wait_step(10))
        listed = drs.list_recovery_plan_steps(recoveryPlanArn=arn)["recoveryPlanSteps"]
        assert [(s["stepName"], s["stepOrder"]) for s in listed] == [
            ("database", 1),
            ("web", 2),
            ("settle", 3),
        ]
        assert wait["recoveryPlanStepArn"].startswith(arn + "/step/st-")
        got = drs.get_recovery_plan_step(
            recoveryPlanStepArn=db_step["recoveryPlanStepArn"]
        )["recoveryPlanStep"]
        assert got == listed[0]
        drs.delete_recovery_plan_step(
            recoveryPlanStepArn=db_step["recoveryPlanStepArn"]
        )
        listed = drs.list_recovery_plan_steps(recoveryPlanArn=arn, maxResults=1)
        assert [
            (s["stepName"], s["stepOrder"]) for s in listed["recoveryPlanSteps"]
        ] == [("web", 1)]
        rest = drs.list_recovery_plan_steps(
            recoveryPlanArn=arn, nextToken=listed["nextToken"]
        )
        assert [(s["stepName"], s["stepOrder"]) for s in rest["recoveryPlanSteps"]] == [
            ("settle", 2)
        ]

    def test_step_order_past_the_end(self, drs: Any) -> None:
        arn = new_plan(drs)
        with pytest.raises(ClientError) as error:
            add_step(drs, arn, "w", wait_step(), stepOrder=2)
        assert_client_error(error.value, "ValidationException", 400, fieldList=[
            {"name": "stepOrder", "message": "Must be between 1 and 1"}])  # fmt: skip

    @pytest.mark.parametrize(
        "configuration",
        [{}, {**wait_step(), "serverStepConfiguration": {"servers": []}}],
    )
    def test_the_configuration_union_has_one_member(
        self, drs: Any, configuration: dict[str, Any]
    ) -> None:
        arn = new_plan(drs)
        with pytest.raises(ClientError) as error:
            unvalidated(drs).create_recovery_plan_step(
                recoveryPlanArn=arn, stepName="x", configuration=configuration
            )
        assert_client_error(error.value, "ValidationException", 400)
        assert "configuration" in [f["name"] for f in error.value.response["fieldList"]]
        assert (
            drs.list_recovery_plan_steps(recoveryPlanArn=arn)["recoveryPlanSteps"] == []
        )

    def test_servers_must_exist_and_appear_once(
        self, drs: Any, two_servers: Any
    ) -> None:
        database, web = two_servers
        arn = new_plan(drs)
        missing = database["arn"][:-1] + ("0" if database["arn"][-1] != "0" else "1")
        with pytest.raises(ClientError) as error:
            add_step(
                drs,
                arn,
                "s",
                server_step(database, {"arn": missing, "sourceServerID": "-"}),
            )
        assert_client_error(error.value, "ResourceNotFoundException", 404, resourceId=missing,
                            resourceType="SOURCE_SERVER")  # fmt: skip
        with pytest.raises(ClientError) as error:
            add_step(drs, arn, "s", server_step(database, database))
        assert_client_error(error.value, "ValidationException", 400)
        field = "configuration.serverStepConfiguration.servers[1].serverArn"
        assert error.value.response["fieldList"][0]["name"] == field
        add_step(drs, arn, "s", server_step(database))
        with pytest.raises(ClientError) as error:
            add_step(drs, arn, "t", server_step(web, database))
        assert_client_error(error.value, "ConflictException", 409, resourceId=database["arn"],
                            resourceType="SOURCE_SERVER")  # fmt: skip
        assert (
            len(drs.list_recovery_plan_steps(recoveryPlanArn=arn)["recoveryPlanSteps"])
            == 1
        )

    def test_a_plan_has_at_most_20_steps(self, drs: Any) -> None:
        arn = new_plan(drs)
        for index in range(20):
            add_step(drs, arn, f"wait-{index}", wait_step())
        with pytest.raises(ClientError) as error:
            add_step(drs, arn, "one too many", wait_step())
        assert_client_error(error.value, "ServiceQuotaExceededException", 402, resourceId=arn,
                            resourceType="RECOVERY_PLAN", serviceCode="drs")  # fmt: skip

    def test_update_keeps_the_step_type(self, drs: Any, two_servers: Any) -> None:
        database, web = two_servers
        arn = new_plan(drs)
        step = add_step(drs, arn, "db", server_step(database))["recoveryPlanStepArn"]
        updated = drs.update_recovery_plan_step(
            recoveryPlanStepArn=step,
            stepName="tier-1",
            configuration=server_step(database, web),
        )["recoveryPlanStep"]
        assert updated["stepName"] == "tier-1"
        assert len(updated["configuration"]["serverStepConfiguration"]["servers"]) == 2
        with pytest.raises(ClientError) as error:
            drs.update_recovery_plan_step(
                recoveryPlanStepArn=step, configuration=wait_step()
            )
        assert_client_error(error.value, "ValidationException", 400)
        assert (
            drs.get_recovery_plan_step(recoveryPlanStepArn=step)["recoveryPlanStep"]
            == updated
        )

    def test_reorder(self, drs: Any) -> None:
        arn = new_plan(drs)
        first, second, third = (
            add_step(drs, arn, name, wait_step())["recoveryPlanStepArn"]
            for name in "abc"
        )
        reordered = drs.reorder_recovery_plan_steps(
            recoveryPlanArn=arn, orderedStepArns=[third, first, second]
        )
        order = [
            (s["stepName"], s["stepOrder"]) for s in reordered["recoveryPlanSteps"]
        ]
        assert order == [("c", 1), ("a", 2), ("b", 3)]
        for bad in (
            [first, second],
            [first, first, third],
            [first, second, third, MISSING_PLAN + "/step/x"],
        ):
            with pytest.raises(ClientError) as error:
                drs.reorder_recovery_plan_steps(
                    recoveryPlanArn=arn, orderedStepArns=bad
                )
            assert_client_error(error.value, "ValidationException", 400)
        listed = drs.list_recovery_plan_steps(recoveryPlanArn=arn)["recoveryPlanSteps"]
        assert [s["stepName"] for s in listed] == ["c", "a", "b"]

    def test_unknown_step(self, drs: Any) -> None:
        step = MISSING_PLAN + "/step/st-0123456789abcdef0"
        for call in (
            drs.get_recovery_plan_step,
            drs.delete_recovery_plan_step,
            drs.update_recovery_plan_step,
        ):
            with pytest.raises(ClientError) as error:
                call(recoveryPlanStepArn=step)
            assert_client_error(
                error.value,
                "ResourceNotFoundException",
                404,
                resourceType="RECOVERY_PLAN_STEP",
            )


class TestExecution:
    def test_a_drill_runs_every_step_and_launches_real_jobs(
        self, drs: Any, plan: str, two_servers: Any
    ) -> None:
        started = start(drs, plan, tags={"run": "q3"})
        arn = started["recoveryPlanExecutionArn"]
        assert arn.startswith(
            "arn:aws:drs:us-east-1:123456789012:recovery-plan-execution/exec-"
        )
        assert (started["status"], started["mode"], started["recoveryPlanArn"]) == (
            "CREATED",
            "DRILL",
            plan,
        )
        done = execution(drs, arn)
        assert (
            done["status"] == "COMPLETED" and done["completedAt"] >= done["startedAt"]
        )
        assert done["tags"] == {"run": "q3"}
        listed = steps(drs, arn)
        assert [(s["stepIndex"], s["stepName"], s["status"]) for s in listed] == [
            (1, "database", "COMPLETED"), (2, "settle", "COMPLETED"), (3, "web", "COMPLETED")]  # fmt: skip
        job_ids = [s["configuration"]["executionServerStepConfiguration"]["servers"][0]["jobID"]
                   for s in listed if "executionServerStepConfiguration" in s["configuration"]]  # fmt: skip
        jobs = drs.describe_jobs(filters={"jobIDs": job_ids})["items"]
        assert {(j["type"], j["initiatedBy"], j["status"]) for j in jobs} == {
            ("LAUNCH", "START_DRILL", "COMPLETED")
        }
        instances = drs.describe_recovery_instances()["items"]
        assert sorted(i["sourceServerID"] for i in instances) == sorted(
            s["sourceServerID"] for s in two_servers
        )
        assert all(i["isDrill"] for i in instances)
        one = execution_step(drs, listed[1]["recoveryPlanExecutionStepArn"])
        assert one["configuration"] == {
            "waitStepConfiguration": {"waitDurationMinutes": 5}
        }
        assert one["attempt"] == 1

    def test_recovery_mode_launches_recovery_instances(
        self, drs: Any, plan: str
    ) -> None:
        arn = start(drs, plan, mode="RECOVERY")["recoveryPlanExecutionArn"]
        assert execution(drs, arn)["status"] == "COMPLETED"
        assert {j["initiatedBy"] for j in drs.describe_jobs()["items"]} == {
            "START_RECOVERY"
        }
        assert not any(i["isDrill"] for i in drs.describe_recovery_instances()["items"])

    def test_a_poller_sees_every_change_under_manual_progression(
        self, drs: Any, plan: str, manual_executions: None
    ) -> None:
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        seen = [("CREATED", ["NOT_STARTED"] * 3)]
        while seen[-1][0] != "COMPLETED" and len(seen) < 20:
            status = execution(drs, arn)["status"]
            seen.append((status, [s["status"] for s in steps(drs, arn)]))
        assert seen == [
            ("CREATED", ["NOT_STARTED", "NOT_STARTED", "NOT_STARTED"]),
            ("IN_PROGRESS", ["NOT_STARTED", "NOT_STARTED", "NOT_STARTED"]),
            ("IN_PROGRESS", ["EXECUTING", "NOT_STARTED", "NOT_STARTED"]),
            ("IN_PROGRESS", ["COMPLETED", "NOT_STARTED", "NOT_STARTED"]),
            ("IN_PROGRESS", ["COMPLETED", "WAITING", "NOT_STARTED"]),
            ("IN_PROGRESS", ["COMPLETED", "COMPLETED", "NOT_STARTED"]),
            ("IN_PROGRESS", ["COMPLETED", "COMPLETED", "EXECUTING"]),
            ("IN_PROGRESS", ["COMPLETED", "COMPLETED", "COMPLETED"]),
            ("COMPLETED", ["COMPLETED", "COMPLETED", "COMPLETED"]),
        ]

    def test_a_step_waits_for_its_launch_job(self, drs: Any, plan: str) -> None:
        state_manager.set_transition("drs::job", {"progression": "manual", "times": 1})
        try:
            arn = start(drs, plan)["recoveryPlanExecutionArn"]
            assert [s["status"] for s in steps(drs, arn)] == [
                "EXECUTING",
                "NOT_STARTED",
                "NOT_STARTED",
            ]
            job_id = steps(drs, arn)[0]["configuration"][
                "executionServerStepConfiguration"
            ]["servers"][0]["jobID"]
            assert execution(drs, arn)["status"] == "IN_PROGRESS"
            jobs = [
                drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]["status"]
                for _ in range(2)
            ]
            assert jobs == ["STARTED", "COMPLETED"]
            assert [s["status"] for s in steps(drs, arn)] == [
                "COMPLETED",
                "COMPLETED",
                "EXECUTING",
            ]
        finally:
            state_manager.unset_transition("drs::job")

    def test_one_active_execution_per_plan(
        self, drs: Any, plan: str, manual_executions: None
    ) -> None:
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        with pytest.raises(ClientError) as error:
            start(drs, plan)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=plan,
            resourceType="RECOVERY_PLAN",
        )
        for call in (
            lambda: add_step(drs, plan, "late", wait_step()),
            lambda: drs.delete_recovery_plan(recoveryPlanArn=plan),
            lambda: drs.delete_recovery_plan_execution(recoveryPlanExecutionArn=arn),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(error.value, "ConflictException", 409)

    def test_an_empty_plan_cannot_start(self, drs: Any) -> None:
        with pytest.raises(ClientError) as error:
            start(drs, new_plan(drs))
        assert_client_error(error.value, "ConflictException", 409)

    def test_chosen_snapshots(self, drs: Any, plan: str, two_servers: Any) -> None:
        database, web = two_servers
        snapshot = moto_drs.add_recovery_snapshot(database["sourceServerID"])[
            "snapshotID"
        ]
        with pytest.raises(ClientError) as error:
            start(
                drs,
                plan,
                sourceServers=[
                    {
                        "sourceServerID": "s-0123456789abcdef0",
                        "recoverySnapshotID": snapshot,
                    }
                ],
            )
        assert_client_error(error.value, "ValidationException", 400)
        assert (
            error.value.response["fieldList"][0]["name"]
            == "sourceServers[0].sourceServerID"
        )
        chosen = [
            {
                "sourceServerID": database["sourceServerID"],
                "recoverySnapshotID": snapshot,
            }
        ]
        arn = start(drs, plan, sourceServers=chosen)["recoveryPlanExecutionArn"]
        job_id = steps(drs, arn)[0]["configuration"][
            "executionServerStepConfiguration"
        ]["servers"][0]["jobID"]
        events = [i["event"] for i in drs.describe_job_log_items(jobID=job_id)["items"]]
        assert "USING_PREVIOUS_SNAPSHOT" in events and "SNAPSHOT_START" not in events

    def test_list_executions_latest_first_with_filters(
        self, drs: Any, plan: str
    ) -> None:
        first = start(drs, plan)["recoveryPlanExecutionArn"]
        second = start(drs, plan, mode="RECOVERY")["recoveryPlanExecutionArn"]
        listed = drs.list_recovery_plan_executions()["recoveryPlanExecutions"]
        assert [e["recoveryPlanExecutionArn"] for e in listed] == [second, first]
        assert "tags" not in listed[0]  # RecoveryPlanExecutionSummary
        by_plan = drs.list_recovery_plan_executions(
            recoveryPlanArn=plan, status="COMPLETED", maxResults=1
        )
        assert [
            e["recoveryPlanExecutionArn"] for e in by_plan["recoveryPlanExecutions"]
        ] == [second]
        assert (
            drs.list_recovery_plan_executions(recoveryPlanArn=MISSING_PLAN)[
                "recoveryPlanExecutions"
            ]
            == []
        )
        assert (
            drs.list_recovery_plan_executions(status="FAILED")["recoveryPlanExecutions"]
            == []
        )
        completed = steps(drs, first, filter={"status": "COMPLETED"})
        assert [s["stepName"] for s in completed] == ["database", "settle", "web"]
        assert steps(drs, first, filter={"status": "FAILED"}) == []

    def test_delete_a_finished_execution(self, drs: Any, plan: str) -> None:
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        step = steps(drs, arn)[0]["recoveryPlanExecutionStepArn"]
        assert (
            drs.delete_recovery_plan_execution(recoveryPlanExecutionArn=arn)[
                "recoveryPlanExecutionArn"
            ]
            == arn
        )
        for call in (
            lambda: execution(drs, arn),
            lambda: steps(drs, arn),
            lambda: drs.get_recovery_plan_execution_step(
                recoveryPlanExecutionStepArn=step
            ),
            lambda: drs.list_tags_for_resource(resourceArn=arn),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(error.value, "ResourceNotFoundException", 404)

    def test_deleting_the_plan_keeps_its_finished_executions(
        self, drs: Any, plan: str
    ) -> None:
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        drs.delete_recovery_plan(recoveryPlanArn=plan)
        assert execution(drs, arn)["recoveryPlanArn"] == plan


class TestFailures:
    def test_a_critical_server_that_cannot_launch_fails_the_step_and_the_execution(
        self, drs: Any, ec2: Any, plan: str, two_servers: Any
    ) -> None:
        database, _ = two_servers
        template = break_launch(drs, ec2, database["sourceServerID"])
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        failed = execution(drs, arn)
        assert (
            failed["status"] == "FAILED"
            and failed["errorDetail"]["code"] == "STEP_FAILED"
        )
        first = steps(drs, arn)[0]
        assert (
            first["status"] == "FAILED"
            and first["errorDetail"]["code"] == "LAUNCH_FAILED"
        )
        assert database["sourceServerID"] in first["errorDetail"]["message"]
        assert [s["status"] for s in steps(drs, arn)][1:] == [
            "NOT_STARTED",
            "NOT_STARTED",
        ]
        assert drs.list_recovery_plan_executions(status="FAILED")[
            "recoveryPlanExecutions"
        ][0]["errorDetail"]
        # fix the launch template, then retry: a second attempt with a new job
        ec2.modify_launch_template(LaunchTemplateId=template, DefaultVersion="1")
        step_arn = first["recoveryPlanExecutionStepArn"]
        retried = drs.retry_recovery_plan_execution_step(
            recoveryPlanExecutionStepArn=step_arn
        )
        assert retried["recoveryPlanExecutionStep"]["attempt"] == 2
        assert execution(drs, arn)[
            "status"
        ] == "COMPLETED" and "errorDetail" not in execution(drs, arn)
        again = execution_step(drs, step_arn)
        assert (
            again["status"] == "COMPLETED"
            and again["attempt"] == 2
            and "errorDetail" not in again
        )
        new_job = again["configuration"]["executionServerStepConfiguration"]["servers"][
            0
        ]["jobID"]
        assert (
            new_job
            != first["configuration"]["executionServerStepConfiguration"]["servers"][0][
                "jobID"
            ]
        )

    def test_an_optional_server_may_fail(
        self, drs: Any, ec2: Any, plan: str, two_servers: Any
    ) -> None:
        _, web = two_servers
        break_launch(drs, ec2, web["sourceServerID"])
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        assert execution(drs, arn)["status"] == "COMPLETED"
        assert [s["status"] for s in steps(drs, arn)] == ["COMPLETED"] * 3

    def test_start_recovery_refusing_a_server(
        self, drs: Any, plan: str, two_servers: Any
    ) -> None:
        database, web = two_servers
        drs.stop_replication(sourceServerID=web["sourceServerID"])  # OPTIONAL: left out
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        assert execution(drs, arn)["status"] == "COMPLETED"
        web_step = steps(drs, arn)[2]["configuration"][
            "executionServerStepConfiguration"
        ]["servers"][0]
        assert "jobID" not in web_step
        drs.stop_replication(
            sourceServerID=database["sourceServerID"]
        )  # CRITICAL: the step fails
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        first = steps(drs, arn)[0]
        assert (
            first["status"] == "FAILED"
            and first["errorDetail"]["code"] == "ConflictException"
        )
        assert execution(drs, arn)["status"] == "FAILED"

    def test_skipping_the_failed_step_resumes_the_execution(
        self, drs: Any, plan: str, two_servers: Any
    ) -> None:
        drs.stop_replication(sourceServerID=two_servers[0]["sourceServerID"])
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        first = steps(drs, arn)[0]["recoveryPlanExecutionStepArn"]
        skipped = drs.update_recovery_plan_execution_step(
            recoveryPlanExecutionStepArn=first, status="SKIPPED"
        )
        assert skipped["recoveryPlanExecutionStep"]["status"] == "SKIPPED"
        assert (
            execution(drs, arn)["status"] == "COMPLETED"
        )  # "finishes with skipped steps reports COMPLETED"
        assert [s["status"] for s in steps(drs, arn)] == [
            "SKIPPED",
            "COMPLETED",
            "COMPLETED",
        ]
        with pytest.raises(ClientError) as error:
            drs.retry_recovery_plan_execution_step(recoveryPlanExecutionStepArn=first)
        assert_client_error(error.value, "ConflictException", 409, resourceId=first,
                            resourceType="RECOVERY_PLAN_EXECUTION_STEP")  # fmt: skip

    def test_only_server_steps_are_retried(self, drs: Any, plan: str) -> None:
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        wait = steps(drs, arn)[1]["recoveryPlanExecutionStepArn"]
        with pytest.raises(ClientError) as error:
            drs.retry_recovery_plan_execution_step(recoveryPlanExecutionStepArn=wait)
        assert_client_error(error.value, "ValidationException", 400)


class TestIntervention:
    def test_skip_ahead_and_change_a_step_that_has_not_started(
        self, drs: Any, plan: str, two_servers: Any, manual_executions: None
    ) -> None:
        database, web = two_servers
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        listed = steps(drs, arn)
        wait, web_step = (
            listed[1]["recoveryPlanExecutionStepArn"],
            listed[2]["recoveryPlanExecutionStepArn"],
        )
        update = drs.update_recovery_plan_execution_step
        changed = update(recoveryPlanExecutionStepArn=wait, waitDurationMinutes=30)[
            "recoveryPlanExecutionStep"
        ]
        assert changed["configuration"] == {
            "waitStepConfiguration": {"waitDurationMinutes": 30}
        }
        with pytest.raises(
            ClientError
        ) as error:  # a server already in another step of the run
            update(
                recoveryPlanExecutionStepArn=web_step,
                servers=[{"serverArn": database["arn"]}],
            )
        assert_client_error(
            error.value, "ConflictException", 409, resourceId=database["arn"]
        )
        replaced = update(
            recoveryPlanExecutionStepArn=web_step, servers=[{"serverArn": web["arn"]}]
        )
        servers = replaced["recoveryPlanExecutionStep"]["configuration"][
            "executionServerStepConfiguration"
        ]["servers"]
        assert servers == [{"serverArn": web["arn"], "impactLevel": "CRITICAL"}]
        update(recoveryPlanExecutionStepArn=wait, status="SKIPPED")
        reads = [execution(drs, arn)["status"] for _ in range(10)]
        assert reads[-1] == "COMPLETED"
        assert [s["status"] for s in steps(drs, arn)] == [
            "COMPLETED",
            "SKIPPED",
            "COMPLETED",
        ]
        with pytest.raises(ClientError) as error:
            update(recoveryPlanExecutionStepArn=web_step, status="SKIPPED")
        assert_client_error(error.value, "ConflictException", 409)

    @pytest.mark.parametrize(
        ("index", "change", "field"),
        [
            (1, {"status": "COMPLETED"}, "status"),
            (1, {"servers": [{"serverArn": "arn:aws:drs:us-east-1:123456789012:source-server/s-0123456789abcdef0"}]},
             "servers"),
            (0, {"waitDurationMinutes": 3}, "waitDurationMinutes"),
            (0, {}, "status"),
        ],
    )  # fmt: skip
    def test_invalid_step_updates(
        self,
        drs: Any,
        plan: str,
        manual_executions: None,
        index: int,
        change: dict[str, Any],
        field: str,
    ) -> None:
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        step = steps(drs, arn)[index]
        with pytest.raises(ClientError) as error:
            drs.update_recovery_plan_execution_step(recoveryPlanExecutionStepArn=step["recoveryPlanExecutionStepArn"],
                                                    **change)  # fmt: skip
        assert_client_error(error.value, "ValidationException", 400)
        assert field in [f["name"] for f in error.value.response["fieldList"]]
        assert steps(drs, arn)[index] == step

    def test_cancel(
        self, drs: Any, ec2: Any, plan: str, manual_executions: None
    ) -> None:
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        assert [execution(drs, arn)["status"] for _ in range(2)] == [
            "IN_PROGRESS",
            "IN_PROGRESS",
        ]
        assert steps(drs, arn)[0]["status"] == "EXECUTING"
        cancelling = drs.cancel_recovery_plan_execution(recoveryPlanExecutionArn=arn)[
            "recoveryPlanExecution"
        ]
        assert cancelling["status"] == "CANCELLING"
        again = drs.cancel_recovery_plan_execution(recoveryPlanExecutionArn=arn)[
            "recoveryPlanExecution"
        ]
        assert again["status"] == "CANCELLING"
        seen = [execution(drs, arn)["status"] for _ in range(3)]
        assert seen == ["CANCELLING", "CANCELLED", "CANCELLED"]
        # the running step ends as its launch job did; the rest is skipped; what was launched stays
        assert [s["status"] for s in steps(drs, arn)] == [
            "COMPLETED",
            "SKIPPED",
            "SKIPPED",
        ]
        assert len(drs.describe_recovery_instances()["items"]) == 1
        with pytest.raises(ClientError) as error:
            drs.cancel_recovery_plan_execution(recoveryPlanExecutionArn=arn)
        assert_client_error(error.value, "ConflictException", 409, resourceId=arn,
                            resourceType="RECOVERY_PLAN_EXECUTION")  # fmt: skip
        assert (
            drs.delete_recovery_plan_execution(recoveryPlanExecutionArn=arn)[
                "recoveryPlanExecutionArn"
            ]
            == arn
        )

    def test_cancel_a_failed_execution(
        self, drs: Any, plan: str, two_servers: Any
    ) -> None:
        drs.stop_replication(sourceServerID=two_servers[0]["sourceServerID"])
        arn = start(drs, plan)["recoveryPlanExecutionArn"]
        assert drs.cancel_recovery_plan_execution(recoveryPlanExecutionArn=arn)[
            "recoveryPlanExecution"
        ]["status"] == ("CANCELLING")
        assert execution(drs, arn)[
            "status"
        ] == "CANCELLED" and "errorDetail" not in execution(drs, arn)
        assert [s["status"] for s in steps(drs, arn)] == [
            "FAILED",
            "SKIPPED",
            "SKIPPED",
        ]

    def test_a_resumed_execution_must_be_the_only_one_running(
        self, drs: Any, plan: str, two_servers: Any, manual_executions: None
    ) -> None:
        drs.stop_replication(sourceServerID=two_servers[0]["sourceServerID"])
        failed = start(drs, plan)["recoveryPlanExecutionArn"]
        assert [execution(drs, failed)["status"] for _ in range(2)] == [
            "IN_PROGRESS",
            "FAILED",
        ]
        step = steps(drs, failed)[0]["recoveryPlanExecutionStepArn"]
        running = start(drs, plan)["recoveryPlanExecutionArn"]
        for call in (
            lambda: drs.retry_recovery_plan_execution_step(
                recoveryPlanExecutionStepArn=step
            ),
            lambda: drs.update_recovery_plan_execution_step(
                recoveryPlanExecutionStepArn=step, status="SKIPPED"
            ),
            lambda: drs.cancel_recovery_plan_execution(recoveryPlanExecutionArn=failed),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(
                error.value,
                "ConflictException",
                409,
                resourceId=plan,
                resourceType="RECOVERY_PLAN",
            )
        assert drs.cancel_recovery_plan_execution(recoveryPlanExecutionArn=running)["recoveryPlanExecution"][
            "status"] == "CANCELLING"  # fmt: skip
        assert execution(drs, running)["status"] == "CANCELLED"
        assert [s["status"] for s in steps(drs, running)] == [
            "SKIPPED",
            "SKIPPED",
            "SKIPPED",
        ]
        assert execution(drs, failed)["status"] == "FAILED"


def test_server_mode_validates_the_union(server: Any) -> None:
    """Over HTTP, unchecked by the SDK: a configuration with no member is refused, nothing is created."""
    client = server.client("drs", config=Config(parameter_validation=False))
    client.initialize_service()
    plan = client.create_recovery_plan(name="raw")["recoveryPlan"]["recoveryPlanArn"]
    with pytest.raises(ClientError) as error:
        client.create_recovery_plan_step(
            recoveryPlanArn=plan, stepName="x", configuration={}
        )
    assert_client_error(error.value, "ValidationException", 400)
    assert [f["name"] for f in error.value.response["fieldList"]] == ["configuration"]
    assert (
        client.list_recovery_plan_steps(recoveryPlanArn=plan)["recoveryPlanSteps"] == []
    )
