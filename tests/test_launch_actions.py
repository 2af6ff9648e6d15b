"""Launch actions (post-launch SSM actions) of source servers and launch configuration templates."""

import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import make_drs_client
from shape_check import assert_client_error

import moto_drs

MISSING_SERVER = "s-0123456789abcdef0"
MISSING_TEMPLATE = "lct-0123456789abcdef0"


def action(resource_id: str, order: int, **overrides: Any) -> dict[str, Any]:
    members: dict[str, Any] = {
        "resourceId": resource_id,
        "actionId": str(uuid.uuid4()),
        "actionCode": "AWS-RunShellScript",
        "order": order,
        "optional": True,
        "active": True,
        "name": f"step {order}",
        "actionVersion": "$DEFAULT",
        "category": "CONFIGURATION",
        "description": "Configure the recovered instance",
    }
    members.update(overrides)
    return members


def listed(drs: Any, resource_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    return list(drs.list_launch_actions(resourceId=resource_id, **kwargs)["items"])


class TestLaunchActionsOfSourceServers:
    def test_put_list_and_delete(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        second = action(
            server_id,
            20,
            parameters={"Commands": {"value": "reboot", "type": "DYNAMIC"}},
        )
        first = action(server_id, 10, category="VALIDATION")
        put = drs.put_launch_action(**second)
        assert {k: v for k, v in put.items() if k != "ResponseMetadata"} == {
            **second,
            "type": "SSM_COMMAND",
        }
        drs.put_launch_action(**first)
        items = listed(drs, server_id)
        assert [item["actionId"] for item in items] == [
            first["actionId"],
            second["actionId"],
        ]  # by order
        assert "resourceId" not in items[0]
        response = drs.delete_launch_action(
            resourceId=server_id, actionId=first["actionId"]
        )
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert [item["actionId"] for item in listed(drs, server_id)] == [
            second["actionId"]
        ]

    def test_put_replaces_the_same_action(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        original = action(server_id, 10)
        drs.put_launch_action(**original)
        drs.put_launch_action(
            **{**original, "order": 11, "active": False, "description": "changed"}
        )
        items = listed(drs, server_id)
        assert len(items) == 1
        assert (items[0]["order"], items[0]["active"], items[0]["description"]) == (
            11,
            False,
            "changed",
        )

    def test_orders_are_unique_per_resource(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        other_id = moto_drs.add_source_server()["sourceServerID"]
        drs.put_launch_action(**action(server_id, 10))
        drs.put_launch_action(
            **action(other_id, 10)
        )  # another resource may use the same order
        duplicate = action(server_id, 10)
        with pytest.raises(ClientError) as error:
            drs.put_launch_action(**duplicate)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=server_id,
            resourceType="LAUNCH_ACTION",
        )
        assert len(listed(drs, server_id)) == 1

    def test_filters_and_pagination(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        actions = [action(server_id, order) for order in (30, 10, 20)]
        for item in actions:
            drs.put_launch_action(**item)
        by_order = [a["actionId"] for a in sorted(actions, key=lambda a: a["order"])]
        chosen = listed(
            drs,
            server_id,
            filters={"actionIds": [actions[0]["actionId"], str(uuid.uuid4())]},
        )
        assert [item["actionId"] for item in chosen] == [actions[0]["actionId"]]
        first = drs.list_launch_actions(resourceId=server_id, maxResults=2)
        rest = drs.list_launch_actions(
            resourceId=server_id, maxResults=2, nextToken=first["nextToken"]
        )
        assert [item["actionId"] for item in first["items"] + rest["items"]] == by_order
        pages = drs.get_paginator("list_launch_actions").paginate(
            resourceId=server_id, PaginationConfig={"PageSize": 1}
        )
        assert [page["items"][0]["actionId"] for page in pages] == by_order

    def test_automation_documents_are_ssm_automation(self, drs: Any) -> None:
        ssm = boto3.client("ssm", region_name="us-east-1")
        content = {
            "schemaVersion": "0.3",
            "mainSteps": [
                {"name": "wait", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}}
            ],
        }
        ssm.create_document(
            Name="MyRecoveryCheck",
            Content=json.dumps(content),
            DocumentType="Automation",
            DocumentFormat="JSON",
        )
        server_id = moto_drs.add_source_server()["sourceServerID"]
        put = drs.put_launch_action(
            **action(server_id, 10, actionCode="MyRecoveryCheck")
        )
        assert put["type"] == "SSM_AUTOMATION"

    @pytest.mark.parametrize(
        ("resource_id", "resource_type"),
        [
            (MISSING_SERVER, "SOURCE_SERVER"),
            (MISSING_TEMPLATE, "LAUNCH_CONFIGURATION_TEMPLATE"),
        ],
    )
    def test_unknown_resource_is_not_found(
        self, drs: Any, resource_id: str, resource_type: str
    ) -> None:
        for call in (
            lambda: drs.put_launch_action(**action(resource_id, 10)),
            lambda: drs.list_launch_actions(resourceId=resource_id),
            lambda: drs.delete_launch_action(
                resourceId=resource_id, actionId=str(uuid.uuid4())
            ),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(
                error.value,
                "ResourceNotFoundException",
                404,
                resourceId=resource_id,
                resourceType=resource_type,
            )

    def test_unknown_action_is_not_found(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        missing_action = str(uuid.uuid4())
        with pytest.raises(ClientError) as error:
            drs.delete_launch_action(resourceId=server_id, actionId=missing_action)
        assert_client_error(
            error.value,
            "ResourceNotFoundException",
            404,
            resourceId=missing_action,
            resourceType="LAUNCH_ACTION",
        )

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"order": 1}, "order"),
            ({"order": 10001}, "order"),
            ({"category": "BACKUP"}, "category"),
            ({"actionVersion": "latest"}, "actionVersion"),
            ({"actionCode": "bad name!"}, "actionCode"),
            (
                {"parameters": {"Commands": {"value": "x", "type": "PLAIN"}}},
                "parameters.Commands.type",
            ),
            ({"actionId": "not-a-uuid"}, "actionId"),
        ],
    )
    def test_model_validation(
        self, drs: Any, overrides: dict[str, Any], field: str
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        raw = make_drs_client(
            config=Config(parameter_validation=False)
        )  # what a raw HTTP caller can send
        with pytest.raises(ClientError) as error:
            raw.put_launch_action(**{**action(server_id, 10), **overrides})
        assert_client_error(
            error.value,
            "ValidationException",
            400,
            reason="fieldValidationFailed",
            fieldList=...,
        )
        assert [f["name"] for f in error.value.response["fieldList"]] == [field]
        assert listed(drs, server_id) == []

    def test_two_hundred_actions_per_resource(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        for order in range(2, 202):
            drs.put_launch_action(**action(server_id, order))
        with pytest.raises(ClientError) as error:
            drs.put_launch_action(**action(server_id, 500))
        assert_client_error(
            error.value,
            "ServiceQuotaExceededException",
            402,
            serviceCode="drs",
            quotaCode="L-0588D03B",
        )
        assert len(listed(drs, server_id)) == 200


class TestLaunchActionsOfTemplates:
    def test_template_actions_are_copied_to_new_servers(self, drs: Any) -> None:
        template_id = drs.create_launch_configuration_template(postLaunchEnabled=True)[
            "launchConfigurationTemplate"
        ]["launchConfigurationTemplateID"]
        existing = moto_drs.add_source_server()["sourceServerID"]
        template_action = action(template_id, 100)
        put = drs.put_launch_action(**template_action)
        assert put["resourceId"] == template_id
        assert [item["actionId"] for item in listed(drs, template_id)] == [
            template_action["actionId"]
        ]
        new = moto_drs.add_source_server()["sourceServerID"]
        copied = listed(drs, new)
        assert [(item["actionId"], item["order"]) for item in copied] == [
            (template_action["actionId"], 100)
        ]
        assert listed(drs, existing) == []  # defaults apply to servers added later
        # the copy belongs to the server
        drs.delete_launch_action(resourceId=new, actionId=template_action["actionId"])
        assert len(listed(drs, template_id)) == 1

    def test_deleting_the_template_deletes_its_actions(self, drs: Any) -> None:
        template_id = drs.create_launch_configuration_template()[
            "launchConfigurationTemplate"
        ]["launchConfigurationTemplateID"]
        drs.put_launch_action(**action(template_id, 10))
        drs.delete_launch_configuration_template(
            launchConfigurationTemplateID=template_id
        )
        assert listed(drs, moto_drs.add_source_server()["sourceServerID"]) == []
        with pytest.raises(ClientError) as error:
            drs.list_launch_actions(resourceId=template_id)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=template_id
        )

    def test_deleting_a_server_deletes_its_actions(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.put_launch_action(**action(server_id, 10))
        drs.disconnect_source_server(sourceServerID=server_id)
        drs.delete_source_server(sourceServerID=server_id)
        with pytest.raises(ClientError) as error:
            drs.list_launch_actions(resourceId=server_id)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=server_id
        )
