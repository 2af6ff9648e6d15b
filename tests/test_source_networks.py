"""Source networks: protecting a VPC of moto's EC2, replicating it, exporting its CloudFormation
template to S3, and recovering it as a stack in moto's CloudFormation (docs/source-networks.md)."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import make_drs_client
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs

ACCOUNT = "123456789012"
TARGET = "us-west-2"  # DRS recovers here; the protected VPC lives in us-east-1
BUCKET = "dr-network-templates"
MISSING_NETWORK = "sn-0123456789abcdef0"
AMI = "ami-04681a1dbd79675a5"


@dataclass
class Origin:
    vpc_id: str
    subnet_id: str
    web_group: str
    db_group: str
    instance_id: str


@pytest.fixture
def origin(ec2: Any) -> Origin:
    """A VPC in us-east-1: one subnet, two security groups (db admits web), an internet gateway, an instance."""
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": "production"}])
    subnet_id = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.20.1.0/24", AvailabilityZone="us-east-1b"
    )["Subnet"]["SubnetId"]
    web = ec2.create_security_group(
        GroupName="web", Description="web tier", VpcId=vpc_id
    )["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="db tier", VpcId=vpc_id)[
        "GroupId"
    ]
    https = {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
    }
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[https])
    postgres = {
        "IpProtocol": "tcp",
        "FromPort": 5432,
        "ToPort": 5432,
        "UserIdGroupPairs": [{"GroupId": web}],
    }
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[postgres])
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    instance = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, SecurityGroupIds=[web]
    )
    return Origin(vpc_id, subnet_id, web, db, instance["Instances"][0]["InstanceId"])


@pytest.fixture
def drs(aws: None) -> Any:
    client = make_drs_client(TARGET)
    client.initialize_service()
    return client


@pytest.fixture
def west_ec2(aws: None) -> Any:
    return boto3.client("ec2", region_name=TARGET)


@pytest.fixture
def cloudformation(aws: None) -> Any:
    return boto3.client("cloudformation", region_name=TARGET)


@pytest.fixture
def s3(aws: None) -> Any:
    return boto3.client("s3", region_name=TARGET)


@pytest.fixture
def bucket(drs: Any, s3: Any) -> str:
    """The S3 bucket selected for source network templates (the launch configuration template's)."""
    s3.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": TARGET}
    )
    drs.create_launch_configuration_template(
        exportBucketArn=f"arn:aws:s3:::{BUCKET}/networks"
    )
    return BUCKET


@pytest.fixture
def manual_replication() -> Iterator[None]:
    state_manager.set_transition(
        "drs::source-network", {"progression": "manual", "times": 1}
    )
    yield
    state_manager.unset_transition("drs::source-network")


@pytest.fixture
def manual_jobs() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition("drs::job")


def seed_server(instance_id: str) -> dict[str, Any]:
    """A source server replicating the origin instance into us-west-2."""
    return moto_drs.add_source_server(
        region_name=TARGET,
        source_properties={
            "identificationHints": {"hostname": "web-1", "awsInstanceID": instance_id}
        },
        source_cloud_properties={
            "originAccountID": ACCOUNT,
            "originRegion": "us-east-1",
            "originAvailabilityZone": "us-east-1b",
        },
    )


def create_network(drs: Any, vpc_id: str, **tags: str) -> str:
    kwargs: dict[str, Any] = {
        "vpcID": vpc_id,
        "originAccountID": ACCOUNT,
        "originRegion": "us-east-1",
    }
    if tags:
        kwargs["tags"] = tags
    network_id: str = drs.create_source_network(**kwargs)["sourceNetworkID"]
    return network_id


def protected(drs: Any, origin: Origin) -> str:
    network_id = create_network(drs, origin.vpc_id)
    assert drs.start_source_network_replication(sourceNetworkID=network_id)[
        "sourceNetwork"
    ]["replicationStatus"] == ("PROTECTED")
    return network_id


def network(drs: Any, network_id: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = drs.describe_source_networks(
        filters={"sourceNetworkIDs": [network_id]}
    )["items"]
    return items[0]


def events(drs: Any, job_id: str) -> list[str]:
    return [item["event"] for item in drs.describe_job_log_items(jobID=job_id)["items"]]


def primary_interface(west_ec2: Any, drs: Any, source_server_id: str) -> dict[str, Any]:
    template_id = drs.get_launch_configuration(sourceServerID=source_server_id)[
        "ec2LaunchTemplateID"
    ]
    versions = west_ec2.describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Default"]
    )
    interfaces = versions["LaunchTemplateVersions"][0]["LaunchTemplateData"][
        "NetworkInterfaces"
    ]
    return next(i for i in interfaces if i["DeviceIndex"] == 0)


def error_of(call: Any, **kwargs: Any) -> ClientError:
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value


class TestCreateAndDescribe:
    def test_a_new_source_network_protects_the_vpc_but_does_not_replicate_yet(
        self, drs: Any, origin: Origin
    ) -> None:
        network_id = create_network(drs, origin.vpc_id, team="payments")
        assert network_id.startswith("sn-") and len(network_id) == 20
        item = network(drs, network_id)
        assert item == {
            "sourceNetworkID": network_id,
            "arn": f"arn:aws:drs:{TARGET}:{ACCOUNT}:source-network/{network_id}",
            "sourceVpcID": origin.vpc_id,
            "sourceAccountID": ACCOUNT,
            "sourceRegion": "us-east-1",
            "replicationStatus": "STOPPED",
            "lastRecovery": {"lastRecoveryResult": "NOT_STARTED"},
            "tags": {"team": "payments"},
        }
        assert drs.list_tags_for_resource(resourceArn=item["arn"])["tags"] == {
            "team": "payments"
        }

    def test_servers_of_instances_in_the_vpc_belong_to_the_network(
        self, drs: Any, origin: Origin, ec2: Any
    ) -> None:
        before = seed_server(origin.instance_id)
        elsewhere = moto_drs.add_source_server(region_name=TARGET)
        network_id = create_network(drs, origin.vpc_id)
        after = seed_server(origin.instance_id)
        servers = {
            s["sourceServerID"]: s for s in drs.describe_source_servers()["items"]
        }
        assert servers[before["sourceServerID"]]["sourceNetworkID"] == network_id
        assert servers[after["sourceServerID"]]["sourceNetworkID"] == network_id
        assert "sourceNetworkID" not in servers[elsewhere["sourceServerID"]]

    def test_the_vpc_must_exist_in_the_origin_account_and_region(
        self, drs: Any, origin: Origin
    ) -> None:
        error = error_of(
            drs.create_source_network,
            vpcID=origin.vpc_id,
            originAccountID=ACCOUNT,
            originRegion="eu-west-1",
        )
        assert_client_error(
            error,
            "ResourceNotFoundException",
            404,
            resourceId=origin.vpc_id,
            resourceType="VPC",
        )
        error = error_of(
            drs.create_source_network,
            vpcID=origin.vpc_id,
            originAccountID="210987654321",
            originRegion="us-east-1",
        )
        assert_client_error(
            error, "ResourceNotFoundException", 404, resourceId=origin.vpc_id
        )
        assert drs.describe_source_networks()["items"] == []

    def test_a_vpc_is_protected_once(self, drs: Any, origin: Origin) -> None:
        network_id = create_network(drs, origin.vpc_id)
        error = error_of(create_network, drs=drs, vpc_id=origin.vpc_id)
        assert_client_error(
            error,
            "ConflictException",
            409,
            resourceId=network_id,
            resourceType="SOURCE_NETWORK",
        )
        assert len(drs.describe_source_networks()["items"]) == 1

    def test_quota_of_source_networks(self, drs: Any, origin: Origin, ec2: Any) -> None:
        moto_drs.set_quota("source_networks", 1, region_name=TARGET)
        create_network(drs, origin.vpc_id)
        other = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        error = error_of(create_network, drs=drs, vpc_id=other)
        assert_client_error(
            error,
            "ServiceQuotaExceededException",
            402,
            quotaCode="L-4B0323BD",
            serviceCode="drs",
        )

    def test_malformed_input_and_uninitialized_account(
        self, uninitialized_drs: Any, drs: Any
    ) -> None:
        error = error_of(
            drs.create_source_network,
            vpcID="vpc-zzzzzzzzzz",
            originAccountID=ACCOUNT,
            originRegion=TARGET,
        )
        assert_client_error(
            error, "ValidationException", 400, reason="fieldValidationFailed"
        )
        error = error_of(uninitialized_drs.describe_source_networks)
        assert_client_error(error, "UninitializedAccountException", 400)

    def test_filters_and_pages(self, drs: Any, origin: Origin, ec2: Any) -> None:
        first = create_network(drs, origin.vpc_id)
        west_vpc = boto3.client("ec2", region_name=TARGET).create_vpc(
            CidrBlock="10.40.0.0/16"
        )["Vpc"]["VpcId"]
        second = drs.create_source_network(
            vpcID=west_vpc, originAccountID=ACCOUNT, originRegion=TARGET
        )["sourceNetworkID"]
        by_region = drs.describe_source_networks(filters={"originRegion": TARGET})[
            "items"
        ]
        assert [n["sourceNetworkID"] for n in by_region] == [second]
        assert (
            drs.describe_source_networks(filters={"originAccountID": "210987654321"})[
                "items"
            ]
            == []
        )
        unknown = drs.describe_source_networks(
            filters={"sourceNetworkIDs": [MISSING_NETWORK, first]}
        )["items"]
        assert [n["sourceNetworkID"] for n in unknown] == [first]
        page = drs.describe_source_networks(maxResults=1)
        rest = drs.describe_source_networks(maxResults=1, nextToken=page["nextToken"])
        assert [n["sourceNetworkID"] for n in page["items"] + rest["items"]] == [
            first,
            second,
        ]
        assert "nextToken" not in rest

    def test_delete_forgets_the_network_its_tags_and_its_servers_membership(
        self, drs: Any, origin: Origin
    ) -> None:
        server = seed_server(origin.instance_id)
        network_id = create_network(drs, origin.vpc_id, team="payments")
        arn = network(drs, network_id)["arn"]
        drs.delete_source_network(sourceNetworkID=network_id)
        assert drs.describe_source_networks()["items"] == []
        described = drs.describe_source_servers(
            filters={"sourceServerIDs": [server["sourceServerID"]]}
        )["items"][0]
        assert "sourceNetworkID" not in described
        assert_client_error(
            error_of(drs.list_tags_for_resource, resourceArn=arn),
            "ResourceNotFoundException",
            404,
            resourceId=arn,
        )
        error = error_of(drs.delete_source_network, sourceNetworkID=network_id)
        assert_client_error(
            error,
            "ResourceNotFoundException",
            404,
            resourceId=network_id,
            resourceType="SOURCE_NETWORK",
        )


class TestReplication:
    def test_replication_needs_the_selected_s3_bucket(
        self, drs: Any, origin: Origin, s3: Any
    ) -> None:
        network_id = create_network(drs, origin.vpc_id)
        error = error_of(
            drs.start_source_network_replication, sourceNetworkID=network_id
        )
        assert_client_error(
            error,
            "ConflictException",
            409,
            resourceId=network_id,
            resourceType="SOURCE_NETWORK",
        )
        assert "exportBucketArn" in error.response["message"]
        drs.create_launch_configuration_template(
            exportBucketArn=f"arn:aws:s3:::{BUCKET}"
        )
        error = error_of(
            drs.start_source_network_replication, sourceNetworkID=network_id
        )
        assert_client_error(error, "ConflictException", 409)
        assert network(drs, network_id)["replicationStatus"] == "STOPPED"
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": TARGET}
        )
        started = drs.start_source_network_replication(sourceNetworkID=network_id)[
            "sourceNetwork"
        ]
        assert started["replicationStatus"] == "PROTECTED"

    def test_start_and_stop_change_the_replication_status_once(
        self, drs: Any, origin: Origin, bucket: str
    ) -> None:
        network_id = protected(drs, origin)
        error = error_of(
            drs.start_source_network_replication, sourceNetworkID=network_id
        )
        assert_client_error(error, "ConflictException", 409, resourceId=network_id)
        stopped = drs.stop_source_network_replication(sourceNetworkID=network_id)[
            "sourceNetwork"
        ]
        assert stopped["replicationStatus"] == "STOPPED"
        error = error_of(
            drs.stop_source_network_replication, sourceNetworkID=network_id
        )
        assert_client_error(error, "ConflictException", 409, resourceId=network_id)
        for operation in (
            drs.start_source_network_replication,
            drs.stop_source_network_replication,
        ):
            error = error_of(operation, sourceNetworkID=MISSING_NETWORK)
            assert_client_error(
                error, "ResourceNotFoundException", 404, resourceId=MISSING_NETWORK
            )

    def test_a_poller_sees_replication_progress(
        self, drs: Any, origin: Origin, bucket: str, manual_replication: None
    ) -> None:
        network_id = create_network(drs, origin.vpc_id)
        started = drs.start_source_network_replication(sourceNetworkID=network_id)[
            "sourceNetwork"
        ]
        assert started["replicationStatus"] == "IN_PROGRESS"
        error = error_of(
            drs.export_source_network_cfn_template, sourceNetworkID=network_id
        )
        assert_client_error(error, "ConflictException", 409, resourceId=network_id)
        assert network(drs, network_id)["replicationStatus"] == "PROTECTED"

    def test_replication_errors_once_the_vpc_is_gone(
        self, drs: Any, ec2: Any, bucket: str
    ) -> None:
        vpc_id = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
        network_id = create_network(drs, vpc_id)
        drs.start_source_network_replication(sourceNetworkID=network_id)
        ec2.delete_vpc(VpcId=vpc_id)
        item = network(drs, network_id)
        assert item["replicationStatus"] == "ERROR"
        assert vpc_id in item["replicationStatusDetails"]
        drs.stop_source_network_replication(sourceNetworkID=network_id)
        error = error_of(
            drs.start_source_network_replication, sourceNetworkID=network_id
        )
        assert_client_error(error, "ConflictException", 409, resourceId=network_id)


class TestExport:
    def test_the_template_recreates_the_vpc_and_lands_in_the_bucket(
        self, drs: Any, origin: Origin, bucket: str, s3: Any
    ) -> None:
        network_id = protected(drs, origin)
        url = drs.export_source_network_cfn_template(sourceNetworkID=network_id)[
            "s3DestinationUrl"
        ]
        assert url.startswith(f"s3://{BUCKET}/networks/{network_id}/")
        body = s3.get_object(Bucket=BUCKET, Key=url.removeprefix(f"s3://{BUCKET}/"))[
            "Body"
        ].read()
        resources = json.loads(body)["Resources"]
        by_type: dict[str, list[dict[str, Any]]] = {}
        for resource in resources.values():
            by_type.setdefault(resource["Type"], []).append(resource["Properties"])
        vpc = by_type["AWS::EC2::VPC"][0]
        assert vpc["CidrBlock"] == "10.20.0.0/16"
        assert {"Key": "Name", "Value": "production"} in vpc["Tags"]
        subnet = by_type["AWS::EC2::Subnet"][0]
        assert (subnet["CidrBlock"], subnet["AvailabilityZone"]) == (
            "10.20.1.0/24",
            "us-west-2b",
        )
        groups = {
            group["GroupName"]: group for group in by_type["AWS::EC2::SecurityGroup"]
        }
        assert sorted(groups) == ["db", "web"]
        assert groups["web"]["SecurityGroupIngress"] == [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
        ]
        web_logical = next(
            name
            for name, r in resources.items()
            if r["Properties"].get("GroupName") == "web"
        )
        assert groups["db"]["SecurityGroupIngress"][0]["SourceSecurityGroupId"] == {
            "Fn::GetAtt": [web_logical, "GroupId"]
        }
        assert "AWS::EC2::VPCGatewayAttachment" in by_type

    def test_export_needs_a_replicated_network_and_the_bucket(
        self, drs: Any, origin: Origin, bucket: str, s3: Any
    ) -> None:
        network_id = create_network(drs, origin.vpc_id)
        error = error_of(
            drs.export_source_network_cfn_template, sourceNetworkID=network_id
        )
        assert_client_error(
            error,
            "ConflictException",
            409,
            resourceId=network_id,
            resourceType="SOURCE_NETWORK",
        )
        drs.start_source_network_replication(sourceNetworkID=network_id)
        s3.delete_bucket(Bucket=BUCKET)
        error = error_of(
            drs.export_source_network_cfn_template, sourceNetworkID=network_id
        )
        assert_client_error(error, "ConflictException", 409)
        error = error_of(
            drs.export_source_network_cfn_template, sourceNetworkID=MISSING_NETWORK
        )
        assert_client_error(
            error, "ResourceNotFoundException", 404, resourceId=MISSING_NETWORK
        )


class TestRecovery:
    def test_recovery_deploys_a_stack_and_points_launch_templates_at_it(
        self, drs: Any, origin: Origin, bucket: str, west_ec2: Any, cloudformation: Any
    ) -> None:
        server_id = seed_server(origin.instance_id)["sourceServerID"]
        network_id = protected(drs, origin)
        job = drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id}], tags={"dr": "1"}
        )["job"]
        assert (job["type"], job["initiatedBy"], job["tags"]) == (
            "LAUNCH",
            "CREATE_NETWORK_RECOVERY",
            {"dr": "1"},
        )
        assert job["participatingServers"] == []
        done = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        assert done["status"] == "COMPLETED"
        assert done["participatingResources"] == [
            {
                "participatingResourceID": {"sourceNetworkID": network_id},
                "launchStatus": "LAUNCHED",
            }
        ]
        assert events(drs, job["jobID"]) == [
            "JOB_START",
            "DEPLOY_NETWORK_CONFIGURATION_START",
            "DEPLOY_NETWORK_CONFIGURATION_END",
            "UPDATE_LAUNCH_TEMPLATE_START",
            "UPDATE_LAUNCH_TEMPLATE_END",
            "JOB_END",
        ]
        item = network(drs, network_id)
        assert item["lastRecovery"]["jobID"] == job["jobID"]
        assert item["lastRecovery"]["lastRecoveryResult"] == "SUCCESS"
        stack = cloudformation.describe_stacks(StackName=item["cfnStackName"])[
            "Stacks"
        ][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        vpc = west_ec2.describe_vpcs(VpcIds=[item["launchedVpcID"]])["Vpcs"][0]
        assert vpc["CidrBlock"] == "10.20.0.0/16"
        assert {
            "Key": "AWSElasticDisasterRecoverySourceNetworkID",
            "Value": network_id,
        } in vpc["Tags"]
        subnets = west_ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
        )["Subnets"]
        web = west_ec2.describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                {"Name": "group-name", "Values": ["web"]},
            ]
        )["SecurityGroups"][0]
        interface = primary_interface(west_ec2, drs, server_id)
        assert (interface["SubnetId"], interface["Groups"]) == (
            subnets[0]["SubnetId"],
            [web["GroupId"]],
        )
        # a recovery of the server now launches into the recovered network
        drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])
        instance_id = drs.describe_recovery_instances()["items"][0]["ec2InstanceID"]
        instance = west_ec2.describe_instances(InstanceIds=[instance_id])[
            "Reservations"
        ][0]["Instances"][0]
        assert (instance["VpcId"], instance["SubnetId"]) == (
            vpc["VpcId"],
            subnets[0]["SubnetId"],
        )

    def test_recovery_updates_the_stack_unless_deployed_as_new(
        self, drs: Any, origin: Origin, bucket: str, cloudformation: Any
    ) -> None:
        network_id = protected(drs, origin)
        first = drs.start_source_network_recovery(
            sourceNetworks=[
                {"sourceNetworkID": network_id, "cfnStackName": "payments-network"}
            ]
        )["job"]
        assert first["initiatedBy"] == "CREATE_NETWORK_RECOVERY"
        update = drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id}]
        )["job"]
        assert update["initiatedBy"] == "UPDATE_NETWORK_RECOVERY"
        assert "UPDATE_NETWORK_CONFIGURATION_END" in events(drs, update["jobID"])
        assert network(drs, network_id)["cfnStackName"] == "payments-network"
        fresh = drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id}], deployAsNew=True
        )["job"]
        assert fresh["initiatedBy"] == "CREATE_NETWORK_RECOVERY"
        item = network(drs, network_id)
        assert item["cfnStackName"].startswith(f"drs-{network_id}-")
        names = {
            stack["StackName"] for stack in cloudformation.describe_stacks()["Stacks"]
        }
        assert names == {"payments-network", item["cfnStackName"]}

    def test_recovery_into_a_stack_name_that_is_taken_is_refused(
        self, drs: Any, origin: Origin, bucket: str
    ) -> None:
        network_id = protected(drs, origin)
        entry = {"sourceNetworkID": network_id, "cfnStackName": "payments-network"}
        drs.start_source_network_recovery(sourceNetworks=[entry])
        error = error_of(
            drs.start_source_network_recovery, sourceNetworks=[entry], deployAsNew=True
        )
        assert_client_error(
            error,
            "ConflictException",
            409,
            resourceId=network_id,
            resourceType="SOURCE_NETWORK",
        )

    def test_refusals_change_nothing(
        self, drs: Any, origin: Origin, bucket: str, s3: Any
    ) -> None:
        network_id = protected(drs, origin)
        error = error_of(
            drs.start_source_network_recovery,
            sourceNetworks=[
                {"sourceNetworkID": network_id},
                {"sourceNetworkID": network_id},
            ],
        )
        assert_client_error(
            error, "ValidationException", 400, reason="fieldValidationFailed"
        )
        error = error_of(
            drs.start_source_network_recovery,
            sourceNetworks=[{"sourceNetworkID": MISSING_NETWORK}],
        )
        assert_client_error(
            error, "ResourceNotFoundException", 404, resourceId=MISSING_NETWORK
        )
        unreplicated = create_network(
            drs,
            boto3.client("ec2", "us-east-1").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"][
                "VpcId"
            ],
        )
        error = error_of(
            drs.start_source_network_recovery,
            sourceNetworks=[{"sourceNetworkID": unreplicated}],
        )
        assert_client_error(error, "ConflictException", 409, resourceId=unreplicated)
        moto_drs.set_quota("concurrent_jobs", 0, region_name=TARGET)
        error = error_of(
            drs.start_source_network_recovery,
            sourceNetworks=[{"sourceNetworkID": network_id}],
        )
        assert_client_error(
            error, "ServiceQuotaExceededException", 402, quotaCode="L-D88FAC3A"
        )
        assert drs.describe_jobs()["items"] == []
        assert network(drs, network_id)["lastRecovery"] == {
            "lastRecoveryResult": "NOT_STARTED"
        }

    def test_a_network_in_an_active_job_is_busy(
        self, drs: Any, origin: Origin, bucket: str, manual_jobs: None
    ) -> None:
        network_id = protected(drs, origin)
        job = drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id}]
        )["job"]
        assert (
            network(drs, network_id)["lastRecovery"]["lastRecoveryResult"]
            == "IN_PROGRESS"
        )
        for call, kwargs in (
            (
                drs.start_source_network_recovery,
                {"sourceNetworks": [{"sourceNetworkID": network_id}]},
            ),
            (drs.delete_source_network, {"sourceNetworkID": network_id}),
        ):
            error = error_of(call, **kwargs)
            assert_client_error(error, "ConflictException", 409, resourceId=network_id)
        statuses = [
            drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]["status"]
            for _ in range(2)
        ]
        assert statuses == ["STARTED", "COMPLETED"]
        drs.delete_source_network(sourceNetworkID=network_id)

    def test_recovery_works_from_the_last_copy_once_the_origin_is_gone(
        self, drs: Any, ec2: Any, bucket: str, west_ec2: Any
    ) -> None:
        vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
        network_id = create_network(drs, vpc_id)
        drs.start_source_network_replication(sourceNetworkID=network_id)
        ec2.delete_vpc(VpcId=vpc_id)
        assert network(drs, network_id)["replicationStatus"] == "ERROR"
        drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id}]
        )
        item = network(drs, network_id)
        assert item["lastRecovery"]["lastRecoveryResult"] == "SUCCESS"
        assert (
            west_ec2.describe_vpcs(VpcIds=[item["launchedVpcID"]])["Vpcs"][0][
                "CidrBlock"
            ]
            == "10.60.0.0/16"
        )

    def test_a_server_outside_the_replicated_subnets_makes_a_partial_success(
        self, drs: Any, origin: Origin, bucket: str, ec2: Any
    ) -> None:
        network_id = protected(drs, origin)
        drs.stop_source_network_replication(
            sourceNetworkID=network_id
        )  # the copy no longer follows the VPC
        subnet_id = ec2.create_subnet(VpcId=origin.vpc_id, CidrBlock="10.20.9.0/24")[
            "Subnet"
        ]["SubnetId"]
        late = ec2.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id
        )["Instances"][0]
        server_id = seed_server(late["InstanceId"])["sourceServerID"]
        job = drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id}]
        )["job"]
        assert (
            network(drs, network_id)["lastRecovery"]["lastRecoveryResult"]
            == "PARTIAL_SUCCESS"
        )
        failed = [
            i
            for i in drs.describe_job_log_items(jobID=job["jobID"])["items"]
            if i["event"].endswith("FAILED")
        ]
        assert [(i["event"], i["eventData"]["sourceServerID"]) for i in failed] == [
            ("UPDATE_LAUNCH_TEMPLATE_FAILED", server_id)
        ]

    def test_a_stack_that_cloudformation_refuses_fails_the_network(
        self,
        drs: Any,
        origin: Origin,
        bucket: str,
        cloudformation: Any,
        manual_jobs: None,
    ) -> None:
        network_id = protected(drs, origin)
        job = drs.start_source_network_recovery(
            sourceNetworks=[
                {"sourceNetworkID": network_id, "cfnStackName": "payments-network"}
            ]
        )["job"]
        # someone takes the name while the job is pending
        queue = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}}}
        cloudformation.create_stack(
            StackName="payments-network", TemplateBody=json.dumps(queue)
        )
        for _ in range(2):
            done = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        assert done["participatingResources"][0]["launchStatus"] == "FAILED"
        assert events(drs, job["jobID"])[2:4] == [
            "DEPLOY_NETWORK_CONFIGURATION_FAILED",
            "NETWORK_RECOVERY_FAIL",
        ]
        item = network(drs, network_id)
        assert item["lastRecovery"]["lastRecoveryResult"] == "FAIL"
        assert "cfnStackName" not in item and "launchedVpcID" not in item


class TestAssociateStack:
    def test_association_reverts_to_an_earlier_stack(
        self, drs: Any, origin: Origin, bucket: str, west_ec2: Any
    ) -> None:
        server_id = seed_server(origin.instance_id)["sourceServerID"]
        network_id = protected(drs, origin)
        drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id, "cfnStackName": "old"}]
        )
        old_subnet = primary_interface(west_ec2, drs, server_id)["SubnetId"]
        old_vpc = network(drs, network_id)["launchedVpcID"]
        drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id, "cfnStackName": "new"}],
            deployAsNew=True,
        )
        assert primary_interface(west_ec2, drs, server_id)["SubnetId"] != old_subnet
        job = drs.associate_source_network_stack(
            sourceNetworkID=network_id, cfnStackName="old"
        )["job"]
        assert job["initiatedBy"] == "ASSOCIATE_NETWORK_RECOVERY"
        item = network(drs, network_id)
        assert (item["cfnStackName"], item["launchedVpcID"]) == ("old", old_vpc)
        assert item["lastRecovery"] == {
            "apiCallDateTime": item["lastRecovery"]["apiCallDateTime"],
            "jobID": job["jobID"],
            "lastRecoveryResult": "ASSOCIATE_SUCCESS",
        }
        assert primary_interface(west_ec2, drs, server_id)["SubnetId"] == old_subnet
        assert events(drs, job["jobID"]) == [
            "JOB_START",
            "UPDATE_LAUNCH_TEMPLATE_START",
            "UPDATE_LAUNCH_TEMPLATE_END",
            "JOB_END",
        ]

    def test_the_stack_must_exist_and_deploy_a_vpc(
        self, drs: Any, origin: Origin, cloudformation: Any
    ) -> None:
        network_id = create_network(drs, origin.vpc_id)
        error = error_of(
            drs.associate_source_network_stack,
            sourceNetworkID=network_id,
            cfnStackName="nothing",
        )
        assert_client_error(
            error, "ResourceNotFoundException", 404, resourceId="nothing"
        )
        queue = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}}}
        cloudformation.create_stack(StackName="queues", TemplateBody=json.dumps(queue))
        error = error_of(
            drs.associate_source_network_stack,
            sourceNetworkID=network_id,
            cfnStackName="queues",
        )
        assert_client_error(error, "ValidationException", 400, reason="other")
        error = error_of(
            drs.associate_source_network_stack,
            sourceNetworkID=MISSING_NETWORK,
            cfnStackName="queues",
        )
        assert_client_error(
            error, "ResourceNotFoundException", 404, resourceId=MISSING_NETWORK
        )
        assert drs.describe_jobs()["items"] == []


def test_server_mode(server: Any) -> None:
    ec2 = server.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    drs = server.client("drs")
    drs.initialize_service()
    network_id = drs.create_source_network(
        vpcID=vpc_id, originAccountID=ACCOUNT, originRegion="us-east-1"
    )["sourceNetworkID"]
    assert drs.describe_source_networks()["items"][0]["sourceNetworkID"] == network_id
    error = error_of(drs.export_source_network_cfn_template, sourceNetworkID=network_id)
    assert_client_error(error, "ConflictException", 409, resourceId=network_id)
