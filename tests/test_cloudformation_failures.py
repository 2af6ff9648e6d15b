"""A failing AWS::DRS::* resource fails its stack as in AWS (plugin glue: ``stack_failures``).

moto's CloudFormation lets a resource's error escape; these tests cover what the plugin adds:
CREATE_FAILED/UPDATE_FAILED/DELETE_FAILED with DRS's message, rollbacks, failing change sets,
and the registration of the resource types in plugin mode. The templates come from
test_cloudformation.py and are linted with cfn-lint: clean, or flagged where they are invalid.
"""

import subprocess
import sys
from typing import Any

import boto3
import pytest
from conftest import REGION
from test_cloudformation import (
    PIT_POLICY,
    TYPES,
    failed_event,
    lint_clean,
    lint_flagged,
    replication_template,
    resource_schema,
    schema_names,
    single,
    stack,
)

import moto_drs


@pytest.fixture
def cfn(drs: Any) -> Any:
    return boto3.client("cloudformation", region_name=REGION)


def test_properties_outside_the_schema_fail_the_resource(cfn: Any) -> None:
    for index, type_name in enumerate(TYPES):
        schema = resource_schema(type_name)
        assert schema["additionalProperties"] is False
        read_only = sorted(schema_names(schema, "readOnlyProperties"))[0]
        cases = [({read_only: "x"}, f"extraneous key [{read_only}] is not permitted")]
        if schema.get("required"):
            cases.append(({}, f"required key [{schema['required'][0]}] not found"))
        for case, (properties, message) in enumerate(cases):
            name = f"s{index}-{case}"
            template = single(type_name, properties)
            cfn.create_stack(StackName=name, TemplateBody=lint_flagged(template))

            assert stack(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
            reason = failed_event(cfn, name, "Res")["ResourceStatusReason"]
            assert reason == (
                f"Properties validation failed for resource Res with message: #: {message}"
            )


# -- failures ------------------------------------------------------------------------------


def test_an_invalid_property_fails_the_stack_with_drs_message_and_rolls_back(
    cfn: Any, drs: Any, ec2: Any
) -> None:
    vpcs_before = len(ec2.describe_vpcs()["Vpcs"])
    day = dict(PIT_POLICY[2], RetentionDuration=400)
    template = replication_template(PitPolicy=PIT_POLICY[:2] + [day])
    cfn.create_stack(StackName="s", TemplateBody=lint_clean(template))

    described = stack(cfn, "s")
    assert described["StackStatus"] == "ROLLBACK_COMPLETE"
    assert described["StackStatusReason"] == (
        "The following resource(s) failed to create: [Template]. "
        "Rollback requested by user."
    )
    reason = failed_event(cfn, "s", "Template")["ResourceStatusReason"]
    assert reason.startswith("Resource handler returned message: ")
    assert "pitPolicy[2].retentionDuration: Must be between 1 and 365 days" in reason
    assert "HandlerErrorCode: InvalidRequest" in reason
    events = cfn.describe_stack_events(StackName="s")["StackEvents"]
    assert [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == "s"][
        :2
    ] == [
        "ROLLBACK_COMPLETE",
        "ROLLBACK_IN_PROGRESS",
    ]
    # nothing half-made: the template does not exist, the VPC the stack made is gone
    assert drs.describe_replication_configuration_templates()["items"] == []
    assert len(ec2.describe_vpcs()["Vpcs"]) == vpcs_before
    assert cfn.list_stack_resources(StackName="s")["StackResourceSummaries"] == []


def test_an_api_type_error_carries_drs_validation_message(cfn: Any, drs: Any) -> None:
    template = single("AWS::DRS::RecoveryPlan", {"Name": "bad name!"})
    cfn.create_stack(StackName="s", TemplateBody=lint_flagged(template))
    reason = failed_event(cfn, "s", "Res")["ResourceStatusReason"]
    assert "1 validation error(s) detected: invalid value for name" in reason
    assert drs.list_recovery_plans()["recoveryPlans"] == []


def test_an_uninitialized_account_fails_the_resource(uninitialized_drs: Any) -> None:
    cfn = boto3.client("cloudformation", region_name=REGION)
    template = lint_clean(single("AWS::DRS::RecoveryPlan", {"Name": "p"}))
    cfn.create_stack(StackName="s", TemplateBody=template)

    assert stack(cfn, "s")["StackStatus"] == "ROLLBACK_COMPLETE"
    reason = failed_event(cfn, "s", "Res")["ResourceStatusReason"]
    assert "The account performing the request has not been initialized." in reason
    assert "Status Code: 400" in reason


def test_a_failed_update_rolls_back_to_the_previous_template(
    cfn: Any, drs: Any
) -> None:
    template = replication_template()
    template["Resources"]["Plan"] = {
        "Type": "AWS::DRS::RecoveryPlan",
        "Properties": {"Name": "before"},
    }
    cfn.create_stack(StackName="s", TemplateBody=lint_clean(template))
    [before] = drs.describe_replication_configuration_templates()["items"]

    broken = replication_template(EbsEncryption="CUSTOM")  # CUSTOM needs a key
    broken["Resources"]["Plan"] = {
        "Type": "AWS::DRS::RecoveryPlan",
        "Properties": {"Name": "after"},
    }
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(broken))

    described = stack(cfn, "s")
    assert described["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert described["StackStatusReason"] == (
        "The following resource(s) failed to update: [Template]. "
    )
    reason = failed_event(cfn, "s", "Template")["ResourceStatusReason"]
    assert "ebsEncryptionKeyArn: Required when ebsEncryption is CUSTOM" in reason
    assert drs.describe_replication_configuration_templates()["items"] == [before]
    assert [p["name"] for p in drs.list_recovery_plans()["recoveryPlans"]] == ["before"]
    # the stack is usable again
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(replication_template()))
    assert "StackStatusReason" not in stack(cfn, "s")
    assert stack(cfn, "s")["StackStatus"] == "UPDATE_COMPLETE"
    assert drs.list_recovery_plans()["recoveryPlans"] == []


def test_a_failed_delete_leaves_the_stack_delete_failed(cfn: Any, drs: Any) -> None:
    cfn.create_stack(
        StackName="s",
        TemplateBody=lint_clean(single("AWS::DRS::RecoveryPlan", {"Name": "p"})),
    )
    moto_drs.inject_fault(
        operations=["DeleteRecoveryPlan"], error="ConflictException", count=1
    )
    cfn.delete_stack(StackName="s")

    described = stack(cfn, "s")
    assert described["StackStatus"] == "DELETE_FAILED"
    assert (
        described["StackStatusReason"]
        == "The following resource(s) failed to delete: [Res]. "
    )
    assert (
        "HandlerErrorCode: ResourceConflict"
        in failed_event(cfn, "s", "Res")["ResourceStatusReason"]
    )
    assert len(drs.list_recovery_plans()["recoveryPlans"]) == 1

    cfn.delete_stack(StackName="s")
    assert drs.list_recovery_plans()["recoveryPlans"] == []


def test_a_failing_change_set_rolls_back(cfn: Any, drs: Any) -> None:
    template = single("AWS::DRS::RecoveryPlan", {"Name": "two"})
    cfn.create_stack(StackName="s", TemplateBody=lint_clean(template))
    template["Resources"]["Res"]["Properties"]["Name"] = "-bad"
    cfn.create_change_set(
        StackName="s",
        ChangeSetName="bad",
        ChangeSetType="UPDATE",  # AWS's default; moto's is CREATE
        TemplateBody=lint_flagged(template),
    )
    cfn.execute_change_set(ChangeSetName="bad", StackName="s")
    assert stack(cfn, "s")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert cfn.describe_change_set(ChangeSetName="bad", StackName="s")[
        "ExecutionStatus"
    ] == ("EXECUTE_FAILED")
    assert [p["name"] for p in drs.list_recovery_plans()["recoveryPlans"]] == ["two"]


def test_a_failing_create_change_set_deletes_what_it_made(cfn: Any, drs: Any) -> None:
    template = single("AWS::DRS::RecoveryPlan", {"Name": "ok"})
    template["Resources"]["Bad"] = {
        "Type": "AWS::DRS::RecoveryPlan",
        "Properties": {"Name": "ok2", "Steps": []},
        "DependsOn": "Res",
    }
    cfn.create_change_set(
        StackName="s",
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=lint_flagged(template),
    )
    cfn.execute_change_set(ChangeSetName="create", StackName="s")
    assert stack(cfn, "s")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert (
        "extraneous key [Steps]"
        in failed_event(cfn, "s", "Bad")["ResourceStatusReason"]
    )
    assert drs.list_recovery_plans()["recoveryPlans"] == []


def test_a_failing_stack_on_a_server_rolls_back(server: Any) -> None:
    cfn = server.client("cloudformation")
    cfn.create_stack(
        StackName="s",
        TemplateBody=lint_clean(single("AWS::DRS::RecoveryPlan", {"Name": "p"})),
    )
    assert stack(cfn, "s")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert (
        "has not been initialized"
        in failed_event(cfn, "s", "Res")["ResourceStatusReason"]
    )


IMPORT_ORDER = """
import importlib, sys
import boto3
for module in sys.argv[1:]:
    importlib.import_module(module)
from moto_drs import mock_drs
with mock_drs():
    boto3.client("drs", region_name="us-east-1").initialize_service()
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    cfn.create_stack(StackName="s", TemplateBody=sys.stdin.read())
    print(cfn.describe_stacks(StackName="s")["Stacks"][0]["StackStatus"])
"""


def test_moto_finds_the_types_when_its_cloudformation_was_imported_first() -> None:
    """Plugin mode: ``register()`` installs the types at once when moto's CloudFormation is
    already imported. (The other order, ``moto_drs`` first, is this test session's own: the
    pytest plugin imports it before any test.)"""
    modules = ["moto.cloudformation", "moto_drs"]
    template = lint_clean(single("AWS::DRS::RecoveryPlan", {"Name": "p"}))
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ORDER, *modules],
        input=template,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip() == "CREATE_COMPLETE", result.stderr[-2000:]
