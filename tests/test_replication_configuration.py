"""Replication configuration templates and each source server's replication configuration."""

import re
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import make_drs_client
from shape_check import assert_client_error

import moto_drs

MISSING_TEMPLATE = "rct-0123456789abcdef0"
MISSING_SERVER = "s-0123456789abcdef0"
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PIT_POLICY = [
    {
        "ruleID": 1,
        "units": "MINUTE",
        "interval": 10,
        "retentionDuration": 60,
        "enabled": True,
    },
    {
        "ruleID": 2,
        "units": "HOUR",
        "interval": 1,
        "retentionDuration": 24,
        "enabled": True,
    },
    {
        "ruleID": 3,
        "units": "DAY",
        "interval": 1,
        "retentionDuration": 14,
        "enabled": True,
    },
]


def network(ec2: Any) -> tuple[str, str, str]:
    """A VPC with a subnet and a security group, as a DR account prepares its staging area."""
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24")["Subnet"][
        "SubnetId"
    ]
    group = ec2.create_security_group(
        GroupName="drs-staging", Description="staging", VpcId=vpc
    )["GroupId"]
    return vpc, subnet, group


def template_args(subnet: str, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "stagingAreaSubnetId": subnet,
        "replicationServersSecurityGroupsIDs": [],
        "ebsEncryption": "DEFAULT",
        "bandwidthThrottling": 0,
        "stagingAreaTags": {},
        "pitPolicy": PIT_POLICY,
    }
    args.update(overrides)
    return args


def default_subnet(ec2: Any) -> str:
    subnets = ec2.describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}]
    )["Subnets"]
    return str(sorted(subnets, key=lambda s: s["AvailabilityZone"])[0]["SubnetId"])


def invalid(call: Any, *field_names: str) -> dict[str, Any]:
    """Run ``call``, expecting a ValidationException that names ``field_names``; return its body."""
    with pytest.raises(ClientError) as error:
        call()
    assert_client_error(
        error.value,
        "ValidationException",
        400,
        reason="fieldValidationFailed",
        fieldList=...,
    )
    names = [field["name"] for field in error.value.response["fieldList"]]
    for name in field_names:
        assert name in names, names
    return dict(error.value.response)


class TestReplicationConfigurationTemplates:
    def test_create_fills_defaults_and_answers_201(self, drs: Any, ec2: Any) -> None:
        _, subnet, group = network(ec2)
        created = drs.create_replication_configuration_template(
            **template_args(subnet, replicationServersSecurityGroupsIDs=[group]),
            tags={"team": "dr"},
        )
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
        template_id = created["replicationConfigurationTemplateID"]
        assert re.fullmatch(r"rct-[0-9a-f]{17}", template_id)
        assert (
            created["arn"]
            == f"arn:aws:drs:us-east-1:123456789012:replication-configuration-template/{template_id}"
        )
        assert created["stagingAreaSubnetId"] == subnet
        assert created["replicationServersSecurityGroupsIDs"] == [group]
        assert created["replicationServerInstanceType"] == "t3.small"
        assert created["defaultLargeStagingDiskType"] == "GP3"
        assert created["dataPlaneRouting"] == "PRIVATE_IP"
        assert created["associateDefaultSecurityGroup"] is True
        assert created["internetProtocol"] == "IPV4"
        assert created["pitPolicy"] == PIT_POLICY
        assert created["tags"] == {"team": "dr"}

    def test_describe_filters_by_id_and_paginates(self, drs: Any, ec2: Any) -> None:
        subnet = default_subnet(ec2)
        ids = [
            drs.create_replication_configuration_template(**template_args(subnet))[
                "replicationConfigurationTemplateID"
            ]
            for _ in range(3)
        ]
        assert [
            t["replicationConfigurationTemplateID"]
            for t in drs.describe_replication_configuration_templates()["items"]
        ] == ids
        one = drs.describe_replication_configuration_templates(
            replicationConfigurationTemplateIDs=[ids[1]]
        )
        assert [t["replicationConfigurationTemplateID"] for t in one["items"]] == [
            ids[1]
        ]
        unknown = drs.describe_replication_configuration_templates(
            replicationConfigurationTemplateIDs=[MISSING_TEMPLATE]
        )
        assert unknown["items"] == []
        first = drs.describe_replication_configuration_templates(maxResults=2)
        assert len(first["items"]) == 2 and first["nextToken"]
        rest = drs.describe_replication_configuration_templates(
            maxResults=2, nextToken=first["nextToken"]
        )
        assert [
            t["replicationConfigurationTemplateID"]
            for t in first["items"] + rest["items"]
        ] == ids
        assert "nextToken" not in rest
        paginator = drs.get_paginator("describe_replication_configuration_templates")
        pages = list(paginator.paginate(PaginationConfig={"PageSize": 1}))
        assert [
            p["items"][0]["replicationConfigurationTemplateID"] for p in pages
        ] == ids

    def test_update_changes_only_what_it_names(self, drs: Any, ec2: Any) -> None:
        template = drs.create_replication_configuration_template(
            **template_args(default_subnet(ec2))
        )
        template_id = template["replicationConfigurationTemplateID"]
        updated = drs.update_replication_configuration_template(
            replicationConfigurationTemplateID=template_id,
            arn=template["arn"],
            bandwidthThrottling=100,
            ebsEncryption="CUSTOM",
            ebsEncryptionKeyArn=KMS_KEY,
        )
        assert updated["bandwidthThrottling"] == 100
        assert updated["ebsEncryptionKeyArn"] == KMS_KEY
        assert updated["pitPolicy"] == PIT_POLICY
        described = drs.describe_replication_configuration_templates()["items"][0]
        assert dict(described) == {
            k: v for k, v in updated.items() if k != "ResponseMetadata"
        }
        # leaving CUSTOM encryption drops the key with it
        back = drs.update_replication_configuration_template(
            replicationConfigurationTemplateID=template_id, ebsEncryption="DEFAULT"
        )
        assert "ebsEncryptionKeyArn" not in back

    def test_update_and_delete_of_unknown_template_is_not_found(self, drs: Any) -> None:
        for call in (
            lambda: drs.update_replication_configuration_template(
                replicationConfigurationTemplateID=MISSING_TEMPLATE
            ),
            lambda: drs.delete_replication_configuration_template(
                replicationConfigurationTemplateID=MISSING_TEMPLATE
            ),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(
                error.value,
                "ResourceNotFoundException",
                404,
                resourceId=MISSING_TEMPLATE,
                resourceType="REPLICATION_CONFIGURATION_TEMPLATE",
            )

    def test_update_with_another_templates_arn_is_invalid(
        self, drs: Any, ec2: Any
    ) -> None:
        subnet = default_subnet(ec2)
        first = drs.create_replication_configuration_template(**template_args(subnet))
        second = drs.create_replication_configuration_template(**template_args(subnet))
        invalid(
            lambda: drs.update_replication_configuration_template(
                replicationConfigurationTemplateID=first[
                    "replicationConfigurationTemplateID"
                ],
                arn=second["arn"],
                bandwidthThrottling=5,
            ),
            "arn",
        )
        assert (
            drs.describe_replication_configuration_templates()["items"][0][
                "bandwidthThrottling"
            ]
            == 0
        )

    def test_delete_removes_template_and_its_tags(self, drs: Any, ec2: Any) -> None:
        template = drs.create_replication_configuration_template(
            **template_args(default_subnet(ec2)), tags={"a": "b"}
        )
        response = drs.delete_replication_configuration_template(
            replicationConfigurationTemplateID=template[
                "replicationConfigurationTemplateID"
            ]
        )
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert drs.describe_replication_configuration_templates()["items"] == []
        with pytest.raises(ClientError) as error:
            drs.list_tags_for_resource(resourceArn=template["arn"])
        assert_client_error(error.value, "ResourceNotFoundException", 404)

    def test_tagging_through_the_tag_operations(self, drs: Any, ec2: Any) -> None:
        template = drs.create_replication_configuration_template(
            **template_args(default_subnet(ec2)), tags={"a": "1"}
        )
        drs.tag_resource(resourceArn=template["arn"], tags={"b": "2"})
        drs.untag_resource(resourceArn=template["arn"], tagKeys=["a"])
        assert drs.list_tags_for_resource(resourceArn=template["arn"])["tags"] == {
            "b": "2"
        }
        assert drs.describe_replication_configuration_templates()["items"][0][
            "tags"
        ] == {"b": "2"}

    def test_model_validation_lists_every_field(self, drs: Any, ec2: Any) -> None:
        args = template_args(default_subnet(ec2), defaultLargeStagingDiskType="SSD")
        del args["ebsEncryption"]
        unvalidated = make_drs_client(
            config=Config(parameter_validation=False)
        )  # as a raw HTTP caller
        body = invalid(
            lambda: unvalidated.create_replication_configuration_template(**args),
            "ebsEncryption",
            "defaultLargeStagingDiskType",
        )
        assert len(body["fieldList"]) == 2
        assert drs.describe_replication_configuration_templates()["items"] == []


class TestReplicationSettingsValidation:
    """The rules beyond the model, shared by templates and per-server configuration."""

    @pytest.mark.parametrize(
        ("policy_change", "field"),
        [
            ({0: {"interval": 5}}, "pitPolicy[0]"),
            ({1: {"retentionDuration": 48}}, "pitPolicy[1]"),
            ({2: {"retentionDuration": 366}}, "pitPolicy[2].retentionDuration"),
            ({2: {"interval": 2}}, "pitPolicy[2].interval"),
            ({2: {"units": "HOUR"}}, "pitPolicy[2].units"),
        ],
    )
    def test_point_in_time_policy_rules(
        self, drs: Any, ec2: Any, policy_change: dict[int, dict[str, Any]], field: str
    ) -> None:
        policy = [dict(rule) for rule in PIT_POLICY]
        for index, change in policy_change.items():
            policy[index].update(change)
        invalid(
            lambda: drs.create_replication_configuration_template(
                **template_args(default_subnet(ec2), pitPolicy=policy)
            ),
            field,
        )
        assert drs.describe_replication_configuration_templates()["items"] == []

    def test_day_retention_is_the_tunable_rule(self, drs: Any, ec2: Any) -> None:
        policy = [dict(rule) for rule in PIT_POLICY]
        policy[2]["retentionDuration"] = 365
        created = drs.create_replication_configuration_template(
            **template_args(default_subnet(ec2), pitPolicy=policy)
        )
        assert created["pitPolicy"][2]["retentionDuration"] == 365

    @pytest.mark.parametrize(
        "encryption",
        [
            {"ebsEncryption": "CUSTOM"},
            {"ebsEncryption": "DEFAULT", "ebsEncryptionKeyArn": KMS_KEY},
            {"ebsEncryption": "NONE", "ebsEncryptionKeyArn": KMS_KEY},
            {
                "ebsEncryption": "CUSTOM",
                "ebsEncryptionKeyArn": "arn:aws:s3:::not-a-kms-key-bucket",
            },
        ],
    )
    def test_ebs_encryption_key_rules(
        self, drs: Any, ec2: Any, encryption: dict[str, str]
    ) -> None:
        invalid(
            lambda: drs.create_replication_configuration_template(
                **template_args(default_subnet(ec2), **encryption)
            ),
            "ebsEncryptionKeyArn",
        )

    def test_subnet_and_security_groups_must_exist_in_ec2(
        self, drs: Any, ec2: Any
    ) -> None:
        vpc, subnet, group = network(ec2)
        vpc_default_group = ec2.describe_security_groups(
            Filters=[
                {"Name": "group-name", "Values": ["default"]},
                {"Name": "vpc-id", "Values": [vpc]},
            ]
        )["SecurityGroups"][0]["GroupId"]
        foreign = [
            g["GroupId"]
            for g in ec2.describe_security_groups(
                Filters=[{"Name": "group-name", "Values": ["default"]}]
            )["SecurityGroups"]
            if g["VpcId"] != vpc
        ][0]
        invalid(
            lambda: drs.create_replication_configuration_template(
                **template_args("subnet-0123456789abcdef0")
            ),
            "stagingAreaSubnetId",
        )
        invalid(
            lambda: drs.create_replication_configuration_template(
                **template_args(
                    subnet,
                    replicationServersSecurityGroupsIDs=[group, "sg-0123456789abcdef0"],
                )
            ),
            "replicationServersSecurityGroupsIDs[1]",
        )
        invalid(
            lambda: drs.create_replication_configuration_template(
                **template_args(subnet, replicationServersSecurityGroupsIDs=[foreign])
            ),
            "replicationServersSecurityGroupsIDs[0]",
        )
        created = drs.create_replication_configuration_template(
            **template_args(
                subnet, replicationServersSecurityGroupsIDs=[group, vpc_default_group]
            )
        )
        assert created["replicationServersSecurityGroupsIDs"] == [
            group,
            vpc_default_group,
        ]

    @pytest.mark.parametrize("instance_type", ["t3.gigantic", "m6g.large"])
    def test_replication_server_instance_type_must_be_x86_ec2_type(
        self, drs: Any, ec2: Any, instance_type: str
    ) -> None:
        invalid(
            lambda: drs.create_replication_configuration_template(
                **template_args(
                    default_subnet(ec2), replicationServerInstanceType=instance_type
                )
            ),
            "replicationServerInstanceType",
        )


class TestSourceServerReplicationConfiguration:
    def test_seeded_server_without_template_gets_documented_defaults(
        self, drs: Any, ec2: Any
    ) -> None:
        server = moto_drs.add_source_server(
            source_properties={
                "identificationHints": {"hostname": "db-1"},
                "disks": [
                    {"deviceName": "/dev/sda1", "bytes": 20 * 1024**3},
                    {"deviceName": "/dev/sdb", "bytes": 2 * 1024**4},
                ],
            }
        )
        config = drs.get_replication_configuration(
            sourceServerID=server["sourceServerID"]
        )
        assert config["sourceServerID"] == server["sourceServerID"]
        assert config["name"] == "db-1"
        assert config["stagingAreaSubnetId"] == default_subnet(ec2)
        assert config["ebsEncryption"] == "DEFAULT"
        assert [rule["retentionDuration"] for rule in config["pitPolicy"]] == [
            60,
            24,
            7,
        ]
        assert config["replicatedDisks"] == [
            {
                "deviceName": "/dev/sda1",
                "isBootDisk": True,
                "stagingDiskType": "AUTO",
                "optimizedStagingDiskType": "GP3",
            },
            {
                "deviceName": "/dev/sdb",
                "isBootDisk": False,
                "stagingDiskType": "AUTO",
                "optimizedStagingDiskType": "GP3",
            },
        ]

    def test_new_server_copies_the_accounts_template(self, drs: Any, ec2: Any) -> None:
        _, subnet, group = network(ec2)
        drs.create_replication_configuration_template(
            **template_args(
                subnet,
                replicationServersSecurityGroupsIDs=[group],
                defaultLargeStagingDiskType="ST1",
                bandwidthThrottling=50,
            )
        )
        server = moto_drs.add_source_server(
            source_properties={"disks": [{"deviceName": "/dev/sda", "bytes": 1024**4}]}
        )
        config = drs.get_replication_configuration(
            sourceServerID=server["sourceServerID"]
        )
        assert config["stagingAreaSubnetId"] == subnet
        assert config["replicationServersSecurityGroupsIDs"] == [group]
        assert config["bandwidthThrottling"] == 50
        assert config["pitPolicy"] == PIT_POLICY
        assert (
            config["replicatedDisks"][0]["optimizedStagingDiskType"] == "ST1"
        )  # a large disk

    def test_update_settings_and_disks(self, drs: Any, ec2: Any) -> None:
        _, subnet, group = network(ec2)
        server_id = moto_drs.add_source_server()["sourceServerID"]
        updated = drs.update_replication_configuration(
            sourceServerID=server_id,
            name="renamed",
            stagingAreaSubnetId=subnet,
            replicationServersSecurityGroupsIDs=[group],
            useDedicatedReplicationServer=True,
            replicatedDisks=[
                {
                    "deviceName": "/dev/xvdb",
                    "stagingDiskType": "GP3",
                    "iops": 4000,
                    "throughput": 250,
                }
            ],
        )
        assert updated["name"] == "renamed"
        assert updated["stagingAreaSubnetId"] == subnet
        assert updated["useDedicatedReplicationServer"] is True
        disks = {d["deviceName"]: d for d in updated["replicatedDisks"]}
        assert disks["/dev/xvdb"] == {
            "deviceName": "/dev/xvdb",
            "isBootDisk": False,
            "stagingDiskType": "GP3",
            "iops": 4000,
            "throughput": 250,
            "optimizedStagingDiskType": "GP3",
        }
        assert disks["/dev/xvda"]["stagingDiskType"] == "AUTO"
        got = drs.get_replication_configuration(sourceServerID=server_id)
        assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
            k: v for k, v in updated.items() if k != "ResponseMetadata"
        }

    def test_invalid_update_changes_nothing(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        before = drs.get_replication_configuration(sourceServerID=server_id)
        body = invalid(
            lambda: drs.update_replication_configuration(
                sourceServerID=server_id,
                name="never",
                bandwidthThrottling=10,
                replicatedDisks=[
                    {"deviceName": "/dev/nvme9n1", "stagingDiskType": "GP3"},
                    {
                        "deviceName": "/dev/xvda",
                        "stagingDiskType": "GP2",
                        "throughput": 200,
                    },
                    {"deviceName": "/dev/xvda"},
                ],
            ),
            "replicatedDisks[0].deviceName",
            "replicatedDisks[1].throughput",
            "replicatedDisks[2].deviceName",
        )
        assert "/dev/nvme9n1" in body["message"]
        after = drs.get_replication_configuration(sourceServerID=server_id)
        before.pop("ResponseMetadata")
        after.pop("ResponseMetadata")
        assert after == before

    def test_encryption_rules_apply_to_servers_too(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        invalid(
            lambda: drs.update_replication_configuration(
                sourceServerID=server_id, ebsEncryption="CUSTOM"
            ),
            "ebsEncryptionKeyArn",
        )
        custom = drs.update_replication_configuration(
            sourceServerID=server_id,
            ebsEncryption="CUSTOM",
            ebsEncryptionKeyArn=KMS_KEY,
        )
        assert custom["ebsEncryptionKeyArn"] == KMS_KEY

    def test_unknown_server_is_not_found(self, drs: Any) -> None:
        for call in (
            lambda: drs.get_replication_configuration(sourceServerID=MISSING_SERVER),
            lambda: drs.update_replication_configuration(
                sourceServerID=MISSING_SERVER, bandwidthThrottling=1
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

    def test_disconnected_server_cannot_be_reconfigured(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.disconnect_source_server(sourceServerID=server_id)
        with pytest.raises(ClientError) as error:
            drs.update_replication_configuration(
                sourceServerID=server_id, bandwidthThrottling=1
            )
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=server_id,
            resourceType="SOURCE_SERVER",
        )
        assert (
            drs.get_replication_configuration(sourceServerID=server_id)[
                "bandwidthThrottling"
            ]
            == 0
        )

    def test_deleted_server_has_no_configuration(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.disconnect_source_server(sourceServerID=server_id)
        drs.delete_source_server(sourceServerID=server_id)
        with pytest.raises(ClientError) as error:
            drs.get_replication_configuration(sourceServerID=server_id)
        assert_client_error(error.value, "ResourceNotFoundException", 404)

    def test_uninitialized_account(self, uninitialized_drs: Any) -> None:
        with pytest.raises(ClientError) as error:
            uninitialized_drs.describe_replication_configuration_templates()
        assert_client_error(error.value, "UninitializedAccountException", 400)


def test_server_mode_round_trip(server: Any) -> None:
    drs = server.client("drs")
    drs.initialize_service()
    subnet = default_subnet(server.client("ec2"))
    template = drs.create_replication_configuration_template(
        **template_args(subnet), tags={"k": "v"}
    )
    server_id = moto_drs.add_source_server()["sourceServerID"]
    config = drs.update_replication_configuration(
        sourceServerID=server_id, bandwidthThrottling=7
    )
    assert config["bandwidthThrottling"] == 7
    assert config["stagingAreaSubnetId"] == subnet
    assert drs.list_tags_for_resource(resourceArn=template["arn"])["tags"] == {"k": "v"}
