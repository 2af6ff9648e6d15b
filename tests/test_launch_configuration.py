"""Launch configuration templates, each server's launch configuration and its EC2 launch template."""

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from shape_check import assert_client_error

import moto_drs

MISSING_TEMPLATE = "lct-0123456789abcdef0"
MISSING_SERVER = "s-0123456789abcdef0"
# moto's EXAMPLE_AMI_ID: moto's own tests do not load the default images
AMI = "ami-12c6146b"
LAUNCH_TEMPLATE_NAME = "created-and-used-by-elastic-disaster-recovery-service-{}"


def default_version(ec2: Any, template_id: str) -> dict[str, Any]:
    versions = ec2.describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Default"]
    )
    return dict(versions["LaunchTemplateVersions"][0])


def seeded(**properties: Any) -> str:
    return str(
        moto_drs.add_source_server(source_properties=properties or None)[
            "sourceServerID"
        ]
    )


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


class TestLaunchConfigurationTemplates:
    def test_create_with_defaults_and_tags(self, drs: Any) -> None:
        response = drs.create_launch_configuration_template(
            tags={"env": "dr"}, copyTags=True
        )
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
        template = response["launchConfigurationTemplate"]
        template_id = template["launchConfigurationTemplateID"]
        assert re.fullmatch(r"lct-[0-9a-f]{17}", template_id)
        assert (
            template["arn"]
            == f"arn:aws:drs:us-east-1:123456789012:launch-configuration-template/{template_id}"
        )
        assert template["tags"] == {"env": "dr"}
        assert template["copyTags"] is True
        assert template["launchDisposition"] == "STARTED"
        assert template["targetInstanceTypeRightSizingMethod"] == "BASIC"
        assert template["licensing"] == {"osByol": False}
        assert template["launchIntoSourceInstance"] is False
        listed = drs.describe_launch_configuration_templates()["items"]
        assert listed == [template]
        assert drs.list_tags_for_resource(resourceArn=template["arn"])["tags"] == {
            "env": "dr"
        }

    def test_one_template_per_account(self, drs: Any) -> None:
        drs.create_launch_configuration_template()
        with pytest.raises(ClientError) as error:
            drs.create_launch_configuration_template(tags={"x": "y"})
        assert_client_error(
            error.value,
            "ServiceQuotaExceededException",
            402,
            serviceCode="drs",
            quotaCode="L-1F3FAE4D",
        )
        assert len(drs.describe_launch_configuration_templates()["items"]) == 1

    def test_describe_by_id(self, drs: Any) -> None:
        template_id = drs.create_launch_configuration_template()[
            "launchConfigurationTemplate"
        ]["launchConfigurationTemplateID"]
        found = drs.describe_launch_configuration_templates(
            launchConfigurationTemplateIDs=[template_id]
        )["items"]
        assert [t["launchConfigurationTemplateID"] for t in found] == [template_id]
        none = drs.describe_launch_configuration_templates(
            launchConfigurationTemplateIDs=[MISSING_TEMPLATE]
        )
        assert none["items"] == []

    def test_update_and_delete(self, drs: Any) -> None:
        template = drs.create_launch_configuration_template()[
            "launchConfigurationTemplate"
        ]
        template_id = template["launchConfigurationTemplateID"]
        updated = drs.update_launch_configuration_template(
            launchConfigurationTemplateID=template_id,
            launchDisposition="STOPPED",
            licensing={"osByol": True},
            exportBucketArn="arn:aws:s3:::dr-exports",
        )["launchConfigurationTemplate"]
        assert updated["launchDisposition"] == "STOPPED"
        assert updated["licensing"] == {"osByol": True}
        assert updated["exportBucketArn"] == "arn:aws:s3:::dr-exports"
        assert updated["copyTags"] is False
        drs.delete_launch_configuration_template(
            launchConfigurationTemplateID=template_id
        )
        assert drs.describe_launch_configuration_templates()["items"] == []
        # the quota counts existing templates only
        drs.create_launch_configuration_template()

    def test_unknown_template_is_not_found(self, drs: Any) -> None:
        for call in (
            lambda: drs.update_launch_configuration_template(
                launchConfigurationTemplateID=MISSING_TEMPLATE
            ),
            lambda: drs.delete_launch_configuration_template(
                launchConfigurationTemplateID=MISSING_TEMPLATE
            ),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(
                error.value,
                "ResourceNotFoundException",
                404,
                resourceId=MISSING_TEMPLATE,
                resourceType="LAUNCH_CONFIGURATION_TEMPLATE",
            )

    @pytest.mark.parametrize(
        ("settings", "field"),
        [
            ({"launchIntoSourceInstance": True, "copyTags": True}, "copyTags"),
            (
                {"launchIntoSourceInstance": True, "copyPrivateIp": True},
                "copyPrivateIp",
            ),
            (
                {"exportBucketArn": "arn:aws:kms:us-east-1:123456789012:key/abc"},
                "exportBucketArn",
            ),
        ],
    )
    def test_template_validation(
        self, drs: Any, settings: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(ClientError) as error:
            drs.create_launch_configuration_template(**settings)
        assert_client_error(
            error.value,
            "ValidationException",
            400,
            reason="fieldValidationFailed",
            fieldList=...,
        )
        assert field in [f["name"] for f in error.value.response["fieldList"]]
        assert drs.describe_launch_configuration_templates()["items"] == []

    def test_invalid_update_changes_nothing(self, drs: Any) -> None:
        template = drs.create_launch_configuration_template(copyTags=True)[
            "launchConfigurationTemplate"
        ]
        with pytest.raises(ClientError) as error:
            drs.update_launch_configuration_template(
                launchConfigurationTemplateID=template["launchConfigurationTemplateID"],
                launchIntoSourceInstance=True,
                launchDisposition="STOPPED",
            )
        assert_client_error(error.value, "ValidationException", 400, fieldList=...)
        assert drs.describe_launch_configuration_templates()["items"] == [template]


class TestLaunchConfiguration:
    def test_defaults_and_the_servers_ec2_launch_template(
        self, drs: Any, ec2: Any
    ) -> None:
        server_id = seeded(
            identificationHints={"hostname": "app-1"},
            recommendedInstanceType="c5.large",
        )
        config = drs.get_launch_configuration(sourceServerID=server_id)
        assert without_metadata(config) == {
            "sourceServerID": server_id,
            "name": "app-1",
            "ec2LaunchTemplateID": config["ec2LaunchTemplateID"],
            "launchDisposition": "STARTED",
            "targetInstanceTypeRightSizingMethod": "BASIC",
            "copyPrivateIp": False,
            "copyTags": False,
            "licensing": {"osByol": False},
            "postLaunchEnabled": False,
            "recoveryMode": "OPTIMAL",
        }
        template = ec2.describe_launch_templates(
            LaunchTemplateIds=[config["ec2LaunchTemplateID"]]
        )["LaunchTemplates"][0]
        assert template["LaunchTemplateName"] == LAUNCH_TEMPLATE_NAME.format(server_id)
        assert {
            "Key": "AWSElasticDisasterRecoveryManaged",
            "Value": "drs.amazonaws.com",
        } in template["Tags"]
        data = default_version(ec2, config["ec2LaunchTemplateID"])["LaunchTemplateData"]
        assert (
            data["InstanceType"] == "c5.large"
        )  # right-sizing BASIC writes DRS's recommendation
        assert [m["DeviceName"] for m in data["BlockDeviceMappings"]] == [
            "/dev/xvda",
            "/dev/xvdb",
        ]
        assert [m["Ebs"]["VolumeSize"] for m in data["BlockDeviceMappings"]] == [8, 100]
        instance_tags = data["TagSpecifications"][0]["Tags"]
        assert {
            "Key": "AWSElasticDisasterRecoverySourceServerID",
            "Value": server_id,
        } in instance_tags
        assert data["NetworkInterfaces"][0]["DeviceIndex"] == 0

    def test_new_server_inherits_the_template(self, drs: Any) -> None:
        drs.create_launch_configuration_template(
            launchDisposition="STOPPED",
            copyTags=True,
            postLaunchEnabled=True,
            targetInstanceTypeRightSizingMethod="NONE",
        )
        config = drs.get_launch_configuration(sourceServerID=seeded())
        assert config["launchDisposition"] == "STOPPED"
        assert config["copyTags"] is True
        assert config["postLaunchEnabled"] is True
        assert config["targetInstanceTypeRightSizingMethod"] == "NONE"

    def test_update_returns_and_keeps_the_new_settings(self, drs: Any) -> None:
        server_id = seeded()
        updated = drs.update_launch_configuration(
            sourceServerID=server_id,
            name="renamed",
            launchDisposition="STOPPED",
            copyTags=True,
            licensing={"osByol": True},
            postLaunchEnabled=True,
            recoveryMode="FAST",
        )
        assert updated["name"] == "renamed"
        assert updated["recoveryMode"] == "FAST"
        assert without_metadata(
            drs.get_launch_configuration(sourceServerID=server_id)
        ) == without_metadata(updated)

    def test_copy_private_ip_is_written_into_the_launch_template(
        self, drs: Any, ec2: Any
    ) -> None:
        server_id = seeded(
            networkInterfaces=[
                {
                    "macAddress": "0a:00:00:00:00:01",
                    "ips": ["10.1.2.3"],
                    "isPrimary": True,
                }
            ]
        )
        template_id = drs.update_launch_configuration(
            sourceServerID=server_id, copyPrivateIp=True
        )["ec2LaunchTemplateID"]
        version = default_version(ec2, template_id)
        assert version["VersionNumber"] == 2
        assert (
            version["LaunchTemplateData"]["NetworkInterfaces"][0]["PrivateIpAddress"]
            == "10.1.2.3"
        )
        drs.update_launch_configuration(sourceServerID=server_id, copyPrivateIp=False)
        version = default_version(ec2, template_id)
        assert version["VersionNumber"] == 3
        assert (
            "PrivateIpAddress"
            not in version["LaunchTemplateData"]["NetworkInterfaces"][0]
        )

    def test_right_sizing_overrides_the_instance_type_unless_none(
        self, drs: Any, ec2: Any
    ) -> None:
        server_id = seeded(recommendedInstanceType="m5.xlarge")
        template_id = drs.get_launch_configuration(sourceServerID=server_id)[
            "ec2LaunchTemplateID"
        ]
        # the user picks a type in the launch template: right-sizing (BASIC) overwrites it
        ec2.create_launch_template_version(
            LaunchTemplateId=template_id,
            SourceVersion="1",
            LaunchTemplateData={"InstanceType": "r5.large"},
        )
        ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="2")
        drs.get_launch_configuration(sourceServerID=server_id)
        assert (
            default_version(ec2, template_id)["LaunchTemplateData"]["InstanceType"]
            == "m5.xlarge"
        )
        # with right-sizing off, the user's type stays
        drs.update_launch_configuration(
            sourceServerID=server_id, targetInstanceTypeRightSizingMethod="NONE"
        )
        ec2.create_launch_template_version(
            LaunchTemplateId=template_id,
            SourceVersion="3",
            LaunchTemplateData={"InstanceType": "r5.large"},
        )
        ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="4")
        drs.get_launch_configuration(sourceServerID=server_id)
        version = default_version(ec2, template_id)
        assert (
            version["VersionNumber"],
            version["LaunchTemplateData"]["InstanceType"],
        ) == (4, "r5.large")

    def test_in_aws_right_sizing_uses_the_source_instance_type(
        self, drs: Any, ec2: Any
    ) -> None:
        instance = ec2.run_instances(
            ImageId=AMI, InstanceType="c5.2xlarge", MinCount=1, MaxCount=1
        )["Instances"][0]
        server_id = seeded(
            identificationHints={
                "hostname": "ec2-source",
                "awsInstanceID": instance["InstanceId"],
            }
        )
        config = drs.update_launch_configuration(
            sourceServerID=server_id, targetInstanceTypeRightSizingMethod="IN_AWS"
        )
        assert (
            default_version(ec2, config["ec2LaunchTemplateID"])["LaunchTemplateData"][
                "InstanceType"
            ]
            == "c5.2xlarge"
        )

    def test_deleted_launch_template_is_recreated(self, drs: Any, ec2: Any) -> None:
        server_id = seeded()
        old = drs.get_launch_configuration(sourceServerID=server_id)[
            "ec2LaunchTemplateID"
        ]
        ec2.delete_launch_template(LaunchTemplateId=old)
        new = drs.get_launch_configuration(sourceServerID=server_id)[
            "ec2LaunchTemplateID"
        ]
        assert new != old
        assert ec2.describe_launch_templates(LaunchTemplateIds=[new])[
            "LaunchTemplates"
        ][0]["LaunchTemplateName"] == (LAUNCH_TEMPLATE_NAME.format(server_id))

    def test_deleting_the_server_deletes_its_launch_template(
        self, drs: Any, ec2: Any
    ) -> None:
        server_id = seeded()
        template_id = drs.get_launch_configuration(sourceServerID=server_id)[
            "ec2LaunchTemplateID"
        ]
        drs.disconnect_source_server(sourceServerID=server_id)
        drs.delete_source_server(sourceServerID=server_id)
        names = [
            t["LaunchTemplateName"]
            for t in ec2.describe_launch_templates()["LaunchTemplates"]
        ]
        assert LAUNCH_TEMPLATE_NAME.format(server_id) not in names
        assert template_id not in [
            t["LaunchTemplateId"]
            for t in ec2.describe_launch_templates()["LaunchTemplates"]
        ]
        with pytest.raises(ClientError) as error:
            drs.get_launch_configuration(sourceServerID=server_id)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=server_id
        )

    def test_launch_into_an_instance_needs_the_drs_tag(
        self, drs: Any, ec2: Any
    ) -> None:
        plain, allowed = (
            i["InstanceId"]
            for i in ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2)["Instances"]
        )
        ec2.create_tags(
            Resources=[allowed],
            Tags=[{"Key": "AWSDRS", "Value": "AllowLaunchingIntoThisInstance"}],
        )
        server_id = seeded()
        field = "launchIntoInstanceProperties.launchIntoEC2InstanceID"
        for instance_id in (plain, "i-0123456789abcdef0"):
            with pytest.raises(ClientError) as error:
                drs.update_launch_configuration(
                    sourceServerID=server_id,
                    launchIntoInstanceProperties={
                        "launchIntoEC2InstanceID": instance_id
                    },
                )
            assert_client_error(error.value, "ValidationException", 400, fieldList=...)
            assert [f["name"] for f in error.value.response["fieldList"]] == [field]
        assert "launchIntoInstanceProperties" not in drs.get_launch_configuration(
            sourceServerID=server_id
        )
        config = drs.update_launch_configuration(
            sourceServerID=server_id,
            launchIntoInstanceProperties={"launchIntoEC2InstanceID": allowed},
        )
        assert config["launchIntoInstanceProperties"] == {
            "launchIntoEC2InstanceID": allowed
        }
        cleared = drs.update_launch_configuration(
            sourceServerID=server_id, launchIntoInstanceProperties={}
        )
        assert "launchIntoInstanceProperties" not in cleared

    def test_unknown_and_disconnected_servers(self, drs: Any) -> None:
        for call in (
            lambda: drs.get_launch_configuration(sourceServerID=MISSING_SERVER),
            lambda: drs.update_launch_configuration(
                sourceServerID=MISSING_SERVER, copyTags=True
            ),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(
                error.value,
                "ResourceNotFoundException",
                404,
                resourceId=MISSING_SERVER,
                resourceType="SOURCE_SERVER",
            )
        server_id = seeded()
        drs.disconnect_source_server(sourceServerID=server_id)
        with pytest.raises(ClientError) as error:
            drs.update_launch_configuration(sourceServerID=server_id, copyTags=True)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=server_id,
            resourceType="SOURCE_SERVER",
        )
        assert (
            drs.get_launch_configuration(sourceServerID=server_id)["copyTags"] is False
        )


def test_server_mode_launch_template_is_visible_to_ec2(server: Any) -> None:
    drs = server.client("drs")
    drs.initialize_service()
    server_id = seeded()
    config = drs.update_launch_configuration(
        sourceServerID=server_id, targetInstanceTypeRightSizingMethod="NONE"
    )
    ec2 = server.client("ec2")
    assert (
        default_version(ec2, config["ec2LaunchTemplateID"])["LaunchTemplateData"][
            "InstanceType"
        ]
        == "m5.large"
    )
