"""A configuration-management script written against real DRS, run unchanged against the mock.

The script does what DR tooling such as AWS's drs-configuration-synchronizer sample does: for
every source server it maps the server's IP to a DR subnet, tags the server, reads its launch
configuration and the EC2 launch template DRS keeps for it, writes a new launch template version
and makes it the default, then updates the DRS launch and replication settings. A second run
finds nothing to change.
"""

import ipaddress
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import make_drs_client

import moto_drs

HOSTS = {  # hostname -> (source IP, application tag)
    "web-1": ("10.20.1.11", "web"),
    "web-2": ("10.20.1.12", "web"),
    "db-1": ("10.20.2.21", "db"),
}
INSTANCE_TYPES = {"web": "c5.large", "db": "r5.xlarge"}
REPLICATION = {
    "replicationServerInstanceType": "t3.medium",
    "bandwidthThrottling": 200,
    "ebsEncryption": "DEFAULT",
}
LAUNCH = {
    "copyPrivateIp": True,
    "copyTags": True,
    "targetInstanceTypeRightSizingMethod": "NONE",
    "launchDisposition": "STOPPED",
}


# -- the script under test: only boto3 calls a real deployment would make -------------------------


def dr_subnets(ec2: Any) -> dict[str, tuple[str, list[str]]]:
    """CIDR -> (subnet, security groups) of the subnets tagged drstarget=true."""
    mapping = {}
    for page in ec2.get_paginator("describe_subnets").paginate(
        Filters=[{"Name": "tag:drstarget", "Values": ["true"]}]
    ):
        for subnet in page["Subnets"]:
            groups = ec2.describe_security_groups(
                Filters=[
                    {"Name": "vpc-id", "Values": [subnet["VpcId"]]},
                    {"Name": "group-name", "Values": ["dr-app"]},
                ]
            )["SecurityGroups"]
            mapping[subnet["CidrBlock"]] = (
                subnet["SubnetId"],
                [g["GroupId"] for g in groups],
            )
    return mapping


def synchronize(drs: Any, ec2: Any, app_by_host: dict[str, str]) -> int:
    """Bring every source server to the desired configuration; return the number of changes made."""
    changes = 0
    subnets = dr_subnets(ec2)
    for page in drs.get_paginator("describe_source_servers").paginate(filters={}):
        for server in page["items"]:
            server_id = server["sourceServerID"]
            host = server["sourceProperties"]["identificationHints"]["hostname"]
            ip = server["sourceProperties"]["networkInterfaces"][0]["ips"][0]
            app = app_by_host[host]

            if server["tags"].get("app") != app:
                drs.tag_resource(resourceArn=server["arn"], tags={"app": app})
                changes += 1

            launch_configuration = drs.get_launch_configuration(
                sourceServerID=server_id
            )
            template_id = launch_configuration["ec2LaunchTemplateID"]
            current = ec2.describe_launch_template_versions(
                LaunchTemplateId=template_id, Versions=["$Default"]
            )["LaunchTemplateVersions"][0]
            data = current["LaunchTemplateData"]
            subnet_id, groups = next(
                value
                for cidr, value in subnets.items()
                if ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)
            )
            wanted = dict(data, InstanceType=INSTANCE_TYPES[app])
            primary = dict(
                wanted["NetworkInterfaces"][0], SubnetId=subnet_id, Groups=groups
            )
            wanted["NetworkInterfaces"] = [primary, *wanted["NetworkInterfaces"][1:]]
            if wanted != data:
                version = ec2.create_launch_template_version(
                    LaunchTemplateId=template_id,
                    SourceVersion=str(current["VersionNumber"]),
                    VersionDescription="updated by the DR configuration script",
                    LaunchTemplateData=wanted,
                )["LaunchTemplateVersion"]
                ec2.modify_launch_template(
                    LaunchTemplateId=template_id,
                    DefaultVersion=str(version["VersionNumber"]),
                )
                changes += 1

            if any(launch_configuration[key] != value for key, value in LAUNCH.items()):
                drs.update_launch_configuration(sourceServerID=server_id, **LAUNCH)
                changes += 1

            replication = drs.get_replication_configuration(sourceServerID=server_id)
            staging = {"stagingAreaTags": {"app": app}}
            if any(
                replication[key] != value
                for key, value in {**REPLICATION, **staging}.items()
            ):
                drs.update_replication_configuration(
                    sourceServerID=server_id, **REPLICATION, **staging
                )
                changes += 1

            actions = drs.list_launch_actions(resourceId=server_id)["items"]
            if not any(a["name"] == "smoke-test" for a in actions):
                drs.put_launch_action(
                    resourceId=server_id,
                    actionId=str(uuid.uuid4()),
                    actionCode="AWS-RunShellScript",
                    order=1001,
                    optional=False,
                    active=True,
                    name="smoke-test",
                    actionVersion="$DEFAULT",
                    category="VALIDATION",
                    description="Check the application answers",
                    parameters={
                        "commands": {"value": "curl-localhost", "type": "DYNAMIC"}
                    },
                )
                changes += 1
    return changes


# -- the environment -------------------------------------------------------------------------------


@pytest.fixture(params=["decorator", "server"])
def clients(request: Any) -> Iterator[tuple[Any, Any]]:
    """(drs, ec2) against the mock in-process and through a moto server."""
    if request.param == "decorator":
        request.getfixturevalue("aws")
        import boto3

        yield make_drs_client(), boto3.client("ec2", region_name="us-east-1")
    else:
        server = request.getfixturevalue("server")
        yield server.client("drs"), server.client("ec2")


def prepare_dr_account(drs: Any, ec2: Any) -> None:
    drs.initialize_service()
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    for cidr in ("10.20.1.0/24", "10.20.2.0/24"):
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
        ec2.create_tags(
            Resources=[subnet], Tags=[{"Key": "drstarget", "Value": "true"}]
        )
    ec2.create_security_group(
        GroupName="dr-app", Description="recovered applications", VpcId=vpc
    )
    staging = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.9.0/24")["Subnet"][
        "SubnetId"
    ]
    pit = [
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
            "retentionDuration": 30,
            "enabled": True,
        },
    ]
    drs.create_replication_configuration_template(
        stagingAreaSubnetId=staging,
        replicationServersSecurityGroupsIDs=[],
        ebsEncryption="DEFAULT",
        bandwidthThrottling=0,
        stagingAreaTags={},
        pitPolicy=pit,
    )
    drs.create_launch_configuration_template(postLaunchEnabled=True)
    for host, (ip, _) in HOSTS.items():
        moto_drs.add_source_server(
            source_properties={
                "identificationHints": {"hostname": host},
                "networkInterfaces": [
                    {"macAddress": "0a:00:00:00:00:01", "ips": [ip], "isPrimary": True}
                ],
            }
        )


def test_configuration_script_runs_unchanged_and_converges(
    clients: tuple[Any, Any],
) -> None:
    drs, ec2 = clients
    prepare_dr_account(drs, ec2)
    app_by_host = {host: app for host, (_, app) in HOSTS.items()}

    assert synchronize(drs, ec2, app_by_host) == 5 * len(HOSTS)
    assert (
        synchronize(drs, ec2, app_by_host) == 0
    )  # converged: the second run changes nothing

    subnets = dr_subnets(ec2)
    for server in drs.describe_source_servers()["items"]:
        server_id = server["sourceServerID"]
        host = server["sourceProperties"]["identificationHints"]["hostname"]
        ip, app = HOSTS[host]
        assert server["tags"] == {"app": app}

        launch = drs.get_launch_configuration(sourceServerID=server_id)
        assert {key: launch[key] for key in LAUNCH} == LAUNCH
        assert (
            launch["postLaunchEnabled"] is True
        )  # from the account's launch configuration template
        template = ec2.describe_launch_templates(
            LaunchTemplateIds=[launch["ec2LaunchTemplateID"]]
        )["LaunchTemplates"][0]
        assert template["LaunchTemplateName"].endswith(server_id)
        data = ec2.describe_launch_template_versions(
            LaunchTemplateId=launch["ec2LaunchTemplateID"], Versions=["$Default"]
        )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        assert data["InstanceType"] == INSTANCE_TYPES[app]
        nic = data["NetworkInterfaces"][0]
        expected_subnet, expected_groups = next(
            value
            for cidr, value in subnets.items()
            if ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)
        )
        assert (nic["SubnetId"], nic["Groups"], nic["PrivateIpAddress"]) == (
            expected_subnet,
            expected_groups,
            ip,
        )
        # v1 by DRS, v2 by the script, v3 by DRS writing the private IP once copyPrivateIp was on
        assert (template["DefaultVersionNumber"], template["LatestVersionNumber"]) == (
            3,
            3,
        )

        replication = drs.get_replication_configuration(sourceServerID=server_id)
        assert {key: replication[key] for key in REPLICATION} == REPLICATION
        assert replication["stagingAreaTags"] == {"app": app}
        assert (
            replication["pitPolicy"][2]["retentionDuration"] == 30
        )  # from the template

        actions = drs.list_launch_actions(resourceId=server_id)["items"]
        assert [(a["name"], a["order"], a["type"]) for a in actions] == [
            ("smoke-test", 1001, "SSM_COMMAND")
        ]
