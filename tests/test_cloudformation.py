"""The AWS::DRS::* resource types in moto's CloudFormation, checked through the DRS API.

Every template is linted with cfn-lint, and the resource schemas cfn-lint ships are the
reference for properties, read-only and create-only properties.
"""

import importlib.resources
import json
from functools import cache
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner
from conftest import REGION

PIT_POLICY = [
    {"Units": "MINUTE", "Interval": 10, "RetentionDuration": 60, "Enabled": True},
    {"Units": "HOUR", "Interval": 1, "RetentionDuration": 24, "Enabled": True},
    {"Units": "DAY", "Interval": 1, "RetentionDuration": 7, "Enabled": True},
]
TYPES = (
    "AWS::DRS::ReplicationConfigurationTemplate",
    "AWS::DRS::LaunchConfigurationTemplate",
    "AWS::DRS::SourceNetwork",
    "AWS::DRS::RecoveryPlan",
)


@cache
def resource_schema(type_name: str) -> dict[str, Any]:
    """The schema cfn-lint ships: the Region's provider file names the resource's file."""
    schemas = importlib.resources.files("cfnlint.data.schemas")
    provider = json.loads((schemas / "providers" / f"{REGION}.json").read_text())
    name = provider[type_name]
    return json.loads((schemas / "resources" / f"{name}.json").read_text())  # type: ignore[no-any-return]


def schema_names(schema: dict[str, Any], key: str) -> set[str]:
    return {pointer.split("/")[-1] for pointer in schema.get(key, [])}


@cache
def linter() -> Runner:
    """cfn-lint's runner, built once: loading its rules takes seconds, a lint milliseconds."""
    return Runner(ConfigMixIn(regions=[REGION]))


def lint_clean(template: str | dict[str, Any]) -> str:
    """The template as a string, after cfn-lint found nothing wrong with it."""
    body = template if isinstance(template, str) else json.dumps(template)
    decoded, errors = decode_str(body)
    assert not errors, [str(error) for error in errors]
    matches = list(linter().validate_template(decoded))
    assert not matches, [str(match) for match in matches]
    return body


def lint_flagged(template: dict[str, Any]) -> str:
    """The template as a string, after cfn-lint found it invalid, as CloudFormation will."""
    decoded, errors = decode_str(json.dumps(template))
    assert not errors
    assert list(linter().validate_template(decoded)), "cfn-lint found nothing wrong"
    return json.dumps(template)


def network_resources() -> dict[str, Any]:
    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24"},
        },
        "Group": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "replication", "VpcId": {"Ref": "Vpc"}},
        },
    }


def replication_template(**overrides: Any) -> dict[str, Any]:
    properties = {
        "StagingAreaSubnetId": {"Ref": "Subnet"},
        "ReplicationServersSecurityGroupsIDs": [{"Fn::GetAtt": ["Group", "GroupId"]}],
        "EbsEncryption": "DEFAULT",
        "BandwidthThrottling": 0,
        "StagingAreaTags": {"team": "dr"},
        "PitPolicy": PIT_POLICY,
        "Tags": [{"Key": "env", "Value": "test"}],
        **overrides,
    }
    return {
        "Resources": {
            **network_resources(),
            "Template": {
                "Type": "AWS::DRS::ReplicationConfigurationTemplate",
                "Properties": properties,
            },
        },
        "Outputs": {
            "Arn": {"Value": {"Fn::GetAtt": ["Template", "Arn"]}},
            "Id": {
                "Value": {
                    "Fn::GetAtt": ["Template", "ReplicationConfigurationTemplateID"]
                }
            },
            "Ref": {"Value": {"Ref": "Template"}},
        },
    }


def single(
    type_name: str, properties: dict[str, Any], **resources: Any
) -> dict[str, Any]:
    """A template of one DRS resource ``Res`` with outputs for all its read-only properties."""
    schema = resource_schema(type_name)
    outputs = {
        name: {"Value": {"Fn::GetAtt": ["Res", name]}}
        for name in sorted(schema_names(schema, "readOnlyProperties"))
    }
    outputs["Ref"] = {"Value": {"Ref": "Res"}}
    return {
        "Resources": {
            **resources,
            "Res": {"Type": type_name, "Properties": properties},
        },
        "Outputs": outputs,
    }


def stack(cfn: Any, name: str) -> dict[str, Any]:
    return cfn.describe_stacks(StackName=name)["Stacks"][0]  # type: ignore[no-any-return]


def outputs(cfn: Any, name: str) -> dict[str, str]:
    return {
        o["OutputKey"]: o["OutputValue"] for o in stack(cfn, name).get("Outputs", [])
    }


def failed_event(cfn: Any, name: str, logical_id: str) -> dict[str, Any]:
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return next(  # type: ignore[no-any-return]
        e
        for e in events
        if e["LogicalResourceId"] == logical_id
        and e["ResourceStatus"].endswith("_FAILED")
    )


@pytest.fixture
def cfn(drs: Any) -> Any:
    return boto3.client("cloudformation", region_name=REGION)


# -- the schemas ---------------------------------------------------------------------------


def test_every_read_only_property_is_an_attribute_and_ref_is_the_arn(
    cfn: Any, ec2: Any
) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)[
        "GroupId"
    ]
    minimal = {
        "AWS::DRS::ReplicationConfigurationTemplate": {
            "StagingAreaSubnetId": subnet,
            "ReplicationServersSecurityGroupsIDs": [group],
            "EbsEncryption": "NONE",
            "BandwidthThrottling": 10,
            "StagingAreaTags": {},
            "PitPolicy": PIT_POLICY,
        },
        "AWS::DRS::LaunchConfigurationTemplate": {"CopyTags": True},
        "AWS::DRS::SourceNetwork": {
            "VpcID": vpc,
            "OriginAccountID": "123456789012",
            "OriginRegion": REGION,
        },
        "AWS::DRS::RecoveryPlan": {"Name": "plan"},
    }
    for index, (type_name, properties) in enumerate(minimal.items()):
        schema = resource_schema(type_name)
        assert schema["primaryIdentifier"] == ["/properties/Arn"]
        assert set(schema.get("required", [])) <= set(properties)
        name = f"s{index}"
        body = lint_clean(single(type_name, properties))
        cfn.create_stack(StackName=name, TemplateBody=body)

        assert stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE", type_name
        values = outputs(cfn, name)
        assert set(values) == schema_names(schema, "readOnlyProperties") | {"Ref"}
        assert values["Ref"] == values["Arn"]
        [identifier] = [key for key in values if key.endswith("ID")]
        assert values["Arn"].endswith("/" + values[identifier])

    # an attribute that is no read-only property is refused with the template
    template = single("AWS::DRS::RecoveryPlan", {"Name": "p"})
    template["Outputs"] = {"Name": {"Value": {"Fn::GetAtt": ["Res", "Name"]}}}
    with pytest.raises(ClientError) as refused:
        cfn.create_stack(StackName="bad", TemplateBody=lint_flagged(template))
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "does not support attribute type Name" in str(refused.value)


def test_the_property_mapping_covers_every_writable_property(
    cfn: Any, drs: Any, ec2: Any
) -> None:
    """Every writable schema property of the templates reaches the API's member."""
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    schema = resource_schema("AWS::DRS::ReplicationConfigurationTemplate")
    properties: dict[str, Any] = {
        "AssociateDefaultSecurityGroup": False,
        "AutoReplicateNewDisks": True,
        "BandwidthThrottling": 50,
        "CreatePublicIP": True,
        "DataPlaneRouting": "PUBLIC_IP",
        "DefaultLargeStagingDiskType": "ST1",
        "EbsEncryption": "CUSTOM",
        "EbsEncryptionKeyArn": key,
        "InternetProtocol": "IPV4",
        "PitPolicy": [dict(rule, RuleID=i + 1) for i, rule in enumerate(PIT_POLICY)],
        "ReplicationServerInstanceType": "m5.large",
        "ReplicationServersSecurityGroupsIDs": [{"Fn::GetAtt": ["Group", "GroupId"]}],
        "StagingAreaSubnetId": {"Ref": "Subnet"},
        "StagingAreaTags": {"a": "b"},
        "Tags": [{"Key": "k", "Value": "v"}],
        "UseDedicatedReplicationServer": True,
    }
    writable = set(schema["properties"]) - schema_names(schema, "readOnlyProperties")
    assert set(properties) == writable
    body = single(
        "AWS::DRS::ReplicationConfigurationTemplate", properties, **network_resources()
    )
    cfn.create_stack(StackName="s", TemplateBody=lint_clean(body))

    [item] = drs.describe_replication_configuration_templates()["items"]
    assert item["ebsEncryptionKeyArn"] == key
    assert item["pitPolicy"][2] == {
        "ruleID": 3,
        "units": "DAY",
        "interval": 1,
        "retentionDuration": 7,
        "enabled": True,
    }
    assert item["tags"] == {"k": "v"}
    assert item["dataPlaneRouting"] == "PUBLIC_IP"
    assert item["useDedicatedReplicationServer"] is True

    lct_schema = resource_schema("AWS::DRS::LaunchConfigurationTemplate")
    launch: dict[str, Any] = {
        "CopyPrivateIp": True,
        "CopyTags": True,
        "ExportBucketArn": "arn:aws:s3:::dr-exports",
        "LaunchDisposition": "STOPPED",
        "LaunchIntoSourceInstance": False,
        "Licensing": {"OsByol": True},
        "PostLaunchEnabled": True,
        "Tags": [{"Key": "k", "Value": "v"}],
        "TargetInstanceTypeRightSizingMethod": "NONE",
    }
    assert set(launch) == set(lct_schema["properties"]) - schema_names(
        lct_schema, "readOnlyProperties"
    )
    cfn.create_stack(
        StackName="l",
        TemplateBody=lint_clean(
            single("AWS::DRS::LaunchConfigurationTemplate", launch)
        ),
    )
    [template] = drs.describe_launch_configuration_templates()["items"]
    assert template["licensing"] == {"osByol": True}
    assert template["exportBucketArn"] == "arn:aws:s3:::dr-exports"
    assert template["launchDisposition"] == "STOPPED"
    assert template["tags"] == {"k": "v"}


# -- each type: create, update in place, replace, delete -------------------------------------


def test_replication_configuration_template_lifecycle(cfn: Any, drs: Any) -> None:
    cfn.create_stack(StackName="s", TemplateBody=lint_clean(replication_template()))
    [item] = drs.describe_replication_configuration_templates()["items"]
    values = outputs(cfn, "s")
    assert values["Arn"] == values["Ref"] == item["arn"]
    assert values["Id"] == item["replicationConfigurationTemplateID"]
    assert item["stagingAreaTags"] == {"team": "dr"}
    assert item["tags"] == {"env": "test"}

    day = dict(PIT_POLICY[2], RetentionDuration=30)
    updated = replication_template(
        PitPolicy=PIT_POLICY[:2] + [day],
        BandwidthThrottling="100",  # a parameter's string: the schema's integer
        Tags=[{"Key": "owner", "Value": "ops"}],
    )
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(updated))

    assert stack(cfn, "s")["StackStatus"] == "UPDATE_COMPLETE"
    [after] = drs.describe_replication_configuration_templates()["items"]
    assert after["arn"] == item["arn"]  # no create-only property: always in place
    assert after["pitPolicy"][2]["retentionDuration"] == 30
    assert after["bandwidthThrottling"] == 100
    assert after["tags"] == {"owner": "ops"}
    assert after["dataPlaneRouting"] == "PRIVATE_IP"

    # a property removed from the template returns to DRS's default
    cfn.update_stack(
        StackName="s",
        TemplateBody=lint_clean(replication_template(DataPlaneRouting="PUBLIC_IP")),
    )
    assert describe_one(drs)["dataPlaneRouting"] == "PUBLIC_IP"
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(replication_template()))
    assert describe_one(drs)["dataPlaneRouting"] == "PRIVATE_IP"

    cfn.delete_stack(StackName="s")
    assert drs.describe_replication_configuration_templates()["items"] == []


def describe_one(drs: Any) -> dict[str, Any]:
    [item] = drs.describe_replication_configuration_templates()["items"]
    return item  # type: ignore[no-any-return]


def test_launch_configuration_template_is_replaced_when_its_tags_change(
    cfn: Any, drs: Any
) -> None:
    schema = resource_schema("AWS::DRS::LaunchConfigurationTemplate")
    assert schema_names(schema, "createOnlyProperties") == {"Tags"}
    assert schema["replacementStrategy"] == "delete_then_create"  # one per account
    properties = {
        "LaunchDisposition": "STOPPED",
        "Tags": [{"Key": "a", "Value": "1"}],
    }
    template = single("AWS::DRS::LaunchConfigurationTemplate", properties)
    cfn.create_stack(StackName="s", TemplateBody=lint_clean(template))
    [first] = drs.describe_launch_configuration_templates()["items"]

    template["Resources"]["Res"]["Properties"]["CopyTags"] = True
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(template))
    [in_place] = drs.describe_launch_configuration_templates()["items"]
    assert (
        in_place["launchConfigurationTemplateID"]
        == first["launchConfigurationTemplateID"]
    )
    assert in_place["copyTags"] is True

    template["Resources"]["Res"]["Properties"]["Tags"] = [{"Key": "a", "Value": "2"}]
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(template))
    [replaced] = drs.describe_launch_configuration_templates()["items"]
    assert replaced["arn"] != first["arn"]
    assert replaced["tags"] == {"a": "2"}
    assert replaced["copyTags"] is True
    assert outputs(cfn, "s")["Arn"] == replaced["arn"]

    cfn.delete_stack(StackName="s")
    assert drs.describe_launch_configuration_templates()["items"] == []


def test_source_network_is_replaced_when_its_vpc_changes(
    cfn: Any, drs: Any, ec2: Any
) -> None:
    schema = resource_schema("AWS::DRS::SourceNetwork")
    assert schema_names(schema, "createOnlyProperties") == {
        "VpcID",
        "OriginAccountID",
        "OriginRegion",
    }
    resources = {
        "One": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Two": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
    }
    properties = {
        "VpcID": {"Ref": "One"},
        "OriginAccountID": {"Ref": "AWS::AccountId"},
        "OriginRegion": {"Ref": "AWS::Region"},
        "Tags": [{"Key": "a", "Value": "1"}],
    }
    template = single("AWS::DRS::SourceNetwork", properties, **resources)
    cfn.create_stack(StackName="s", TemplateBody=lint_clean(template))
    [first] = drs.describe_source_networks()["items"]
    assert first["tags"] == {"a": "1"}

    template["Resources"]["Res"]["Properties"]["Tags"] = [{"Key": "b", "Value": "2"}]
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(template))
    [tagged] = drs.describe_source_networks()["items"]
    assert tagged["sourceNetworkID"] == first["sourceNetworkID"]
    assert tagged["tags"] == {"b": "2"}

    template["Resources"]["Res"]["Properties"]["VpcID"] = {"Ref": "Two"}
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(template))
    [replaced] = drs.describe_source_networks()["items"]
    two = ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.9.0.0/16"]}])
    assert replaced["sourceVpcID"] == two["Vpcs"][0]["VpcId"]
    assert replaced["sourceNetworkID"] != first["sourceNetworkID"]
    assert outputs(cfn, "s")["SourceNetworkID"] == replaced["sourceNetworkID"]

    cfn.delete_stack(StackName="s")
    assert drs.describe_source_networks()["items"] == []


def test_recovery_plan_lifecycle(cfn: Any, drs: Any) -> None:
    template = single(
        "AWS::DRS::RecoveryPlan",
        {"Name": "tier-1", "Description": "web", "Tags": [{"Key": "a", "Value": "1"}]},
    )
    cfn.create_stack(StackName="s", TemplateBody=lint_clean(template))
    [plan] = drs.list_recovery_plans()["recoveryPlans"]
    assert drs.list_tags_for_resource(resourceArn=plan["recoveryPlanArn"])["tags"] == {
        "a": "1"
    }
    values = outputs(cfn, "s")
    assert values["Arn"] == plan["recoveryPlanArn"]
    assert values["RecoveryPlanID"] == plan["recoveryPlanArn"].rsplit("/", 1)[-1]
    assert values["Status"] == plan["status"]
    assert values["CreatedAt"] == plan["createdAt"]

    template["Resources"]["Res"]["Properties"] = {"Name": "tier-2"}
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(template))
    [after] = drs.list_recovery_plans()["recoveryPlans"]
    assert after["recoveryPlanArn"] == plan["recoveryPlanArn"]
    assert after["name"] == "tier-2"
    assert drs.list_tags_for_resource(resourceArn=plan["recoveryPlanArn"])["tags"] == {}

    # no create-only property: a new logical ID is what replaces a plan
    renamed = {
        "Resources": {
            "Plan": {"Type": "AWS::DRS::RecoveryPlan", "Properties": {"Name": "tier-2"}}
        },
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Plan", "Arn"]}}},
    }
    cfn.update_stack(StackName="s", TemplateBody=lint_clean(renamed))
    [replaced] = drs.list_recovery_plans()["recoveryPlans"]
    assert replaced["recoveryPlanArn"] != plan["recoveryPlanArn"]
    assert outputs(cfn, "s")["Arn"] == replaced["recoveryPlanArn"]

    cfn.delete_stack(StackName="s")
    assert drs.list_recovery_plans()["recoveryPlans"] == []


def test_a_resource_deleted_outside_the_stack_does_not_block_its_deletion(
    cfn: Any, drs: Any
) -> None:
    cfn.create_stack(
        StackName="s",
        TemplateBody=lint_clean(single("AWS::DRS::RecoveryPlan", {"Name": "p"})),
    )
    drs.delete_recovery_plan(recoveryPlanArn=outputs(cfn, "s")["Arn"])
    cfn.delete_stack(StackName="s")
    stacks = cfn.list_stacks()["StackSummaries"]
    assert [s["StackStatus"] for s in stacks] == ["DELETE_COMPLETE"]


# -- change sets ---------------------------------------------------------------------------


def test_change_sets_create_update_and_roll_back(cfn: Any, drs: Any) -> None:
    template = single("AWS::DRS::RecoveryPlan", {"Name": "one"})
    cfn.create_change_set(
        StackName="s",
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=lint_clean(template),
    )
    cfn.execute_change_set(ChangeSetName="create", StackName="s")
    assert [p["name"] for p in drs.list_recovery_plans()["recoveryPlans"]] == ["one"]

    template["Resources"]["Res"]["Properties"]["Name"] = "two"
    cfn.create_change_set(
        StackName="s",
        ChangeSetName="rename",
        ChangeSetType="UPDATE",  # AWS's default; moto's is CREATE
        TemplateBody=lint_clean(template),
    )
    cfn.execute_change_set(ChangeSetName="rename", StackName="s")
    assert [p["name"] for p in drs.list_recovery_plans()["recoveryPlans"]] == ["two"]


# -- a DR landing zone, as a CDK app would synthesize it -------------------------------------

LANDING_ZONE = """
AWSTemplateFormatVersion: "2010-09-09"
Description: DR landing zone (staging area, recovery settings, protected source VPC)
Parameters:
  RetentionDays:
    Type: Number
    Default: 14
Resources:
  StagingVpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.10.0.0/16
      EnableDnsSupport: true
      EnableDnsHostnames: true
  StagingSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref StagingVpc
      CidrBlock: 10.10.1.0/24
      AvailabilityZone: !Select [0, !GetAZs ""]
  RecoverySubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref StagingVpc
      CidrBlock: 10.10.2.0/24
      AvailabilityZone: !Select [1, !GetAZs ""]
  ReplicationSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: DRS replication servers
      VpcId: !Ref StagingVpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 1500
          ToPort: 1500
          CidrIp: 10.0.0.0/8
  StagingKey:
    Type: AWS::KMS::Key
    Properties:
      Description: EBS encryption of DRS staging disks
      EnableKeyRotation: true
      # a JSON string: moto's AWS::KMS::Key takes no policy object
      KeyPolicy: !Sub '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"},
        "Action": "kms:*", "Resource": "*"}]}'
  ExportBucket:
    Type: AWS::S3::Bucket
  SourceVpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.20.0.0/16
  ReplicationTemplate:
    Type: AWS::DRS::ReplicationConfigurationTemplate
    Properties:
      StagingAreaSubnetId: !Ref StagingSubnet
      AssociateDefaultSecurityGroup: false
      ReplicationServersSecurityGroupsIDs:
        - !GetAtt ReplicationSecurityGroup.GroupId
      ReplicationServerInstanceType: t3.small
      UseDedicatedReplicationServer: false
      DefaultLargeStagingDiskType: GP3
      EbsEncryption: CUSTOM
      EbsEncryptionKeyArn: !GetAtt StagingKey.Arn
      BandwidthThrottling: 0
      DataPlaneRouting: PRIVATE_IP
      CreatePublicIP: false
      StagingAreaTags:
        Purpose: drs-staging
      PitPolicy:
        - {RuleID: 1, Units: MINUTE, Interval: 10, RetentionDuration: 60, Enabled: true}
        - {RuleID: 2, Units: HOUR, Interval: 1, RetentionDuration: 24, Enabled: true}
        - {RuleID: 3, Units: DAY, Interval: 1, RetentionDuration: !Ref RetentionDays, Enabled: true}
      Tags:
        - Key: Project
          Value: dr
  LaunchTemplate:
    Type: AWS::DRS::LaunchConfigurationTemplate
    Properties:
      LaunchDisposition: STARTED
      TargetInstanceTypeRightSizingMethod: BASIC
      CopyPrivateIp: false
      CopyTags: true
      Licensing:
        OsByol: false
      PostLaunchEnabled: false
      ExportBucketArn: !GetAtt ExportBucket.Arn
      Tags:
        - Key: Project
          Value: dr
  SourceNetwork:
    Type: AWS::DRS::SourceNetwork
    Properties:
      VpcID: !Ref SourceVpc
      OriginAccountID: !Ref AWS::AccountId
      OriginRegion: !Ref AWS::Region
      Tags:
        - Key: Project
          Value: dr
  RecoveryPlan:
    Type: AWS::DRS::RecoveryPlan
    Properties:
      Name: tier-1
      Description: Web tier first
Outputs:
  ReplicationTemplateArn:
    Value: !GetAtt ReplicationTemplate.Arn
  LaunchTemplateId:
    Value: !GetAtt LaunchTemplate.LaunchConfigurationTemplateID
  SourceNetworkId:
    Value: !GetAtt SourceNetwork.SourceNetworkID
  RecoveryPlanArn:
    Value: !Ref RecoveryPlan
"""


def check_landing_zone(cfn: Any, drs: Any, ec2: Any, kms: Any) -> None:
    cfn.create_stack(
        StackName="dr",
        TemplateBody=lint_clean(LANDING_ZONE),
        Parameters=[{"ParameterKey": "RetentionDays", "ParameterValue": "30"}],
    )
    assert stack(cfn, "dr")["StackStatus"] == "CREATE_COMPLETE"
    values = outputs(cfn, "dr")

    [template] = drs.describe_replication_configuration_templates()["items"]
    assert template["arn"] == values["ReplicationTemplateArn"]
    assert template["pitPolicy"][2]["retentionDuration"] == 30
    assert template["ebsEncryption"] == "CUSTOM"
    key_id = template["ebsEncryptionKeyArn"].rsplit("/", 1)[-1]
    assert (
        kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
        == template["ebsEncryptionKeyArn"]
    )
    subnet = ec2.describe_subnets(SubnetIds=[template["stagingAreaSubnetId"]])[
        "Subnets"
    ][0]
    assert subnet["CidrBlock"] == "10.10.1.0/24"
    [group] = template["replicationServersSecurityGroupsIDs"]
    assert (
        ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["VpcId"]
        == (subnet["VpcId"])
    )

    [launch] = drs.describe_launch_configuration_templates()["items"]
    assert launch["launchConfigurationTemplateID"] == values["LaunchTemplateId"]
    assert launch["exportBucketArn"].startswith("arn:aws:s3:::dr-exportbucket-")

    [network] = drs.describe_source_networks()["items"]
    assert network["sourceNetworkID"] == values["SourceNetworkId"]
    source = ec2.describe_vpcs(VpcIds=[network["sourceVpcID"]])["Vpcs"][0]
    assert source["CidrBlock"] == "10.20.0.0/16"

    [plan] = drs.list_recovery_plans()["recoveryPlans"]
    assert plan["recoveryPlanArn"] == values["RecoveryPlanArn"]

    cfn.delete_stack(StackName="dr")
    assert drs.describe_replication_configuration_templates()["items"] == []
    assert drs.describe_launch_configuration_templates()["items"] == []
    assert drs.describe_source_networks()["items"] == []
    assert drs.list_recovery_plans()["recoveryPlans"] == []


def test_dr_landing_zone_deploys(cfn: Any, drs: Any, ec2: Any) -> None:
    check_landing_zone(cfn, drs, ec2, boto3.client("kms", region_name=REGION))


def test_dr_landing_zone_deploys_on_a_server(server: Any) -> None:
    drs = server.client("drs")
    drs.initialize_service()
    check_landing_zone(
        server.client("cloudformation"), drs, server.client("ec2"), server.client("kms")
    )
