"""The copy of a protected VPC that DRS replicates, and the CloudFormation template built from it.

``capture_network`` reads a VPC of moto's EC2 into a plain dict (what a source network keeps as
its replicated configuration); ``cfn_template`` turns that copy into the template that recovery
deploys and ExportSourceNetworkCfnTemplate writes to S3 (API reference,
ExportSourceNetworkCfnTemplate and StartSourceNetworkRecovery).
"""

from typing import TYPE_CHECKING, Any

from .ec2_integration import MANAGED_TAG_KEY, MANAGED_TAG_VALUE

if TYPE_CHECKING:
    from .source_networks import SourceNetwork

SOURCE_NETWORK_TAG_KEY = "AWSElasticDisasterRecoverySourceNetworkID"


def drs_stack_tags(source_network_id: str) -> dict[str, str]:
    """The tags DRS puts on a recovered network's stack and on its VPC."""
    return {
        MANAGED_TAG_KEY: MANAGED_TAG_VALUE,
        SOURCE_NETWORK_TAG_KEY: source_network_id,
    }


# -- the VPC configuration DRS replicates --------------------------------------------------------


def _user_tags(resource: Any) -> dict[str, str]:
    """Tags CloudFormation may set (``aws:`` keys are reserved)."""
    return {
        tag["key"]: tag["value"]
        for tag in resource.get_tags()
        if not tag["key"].startswith("aws:")
    }


def _rules(rules: list[Any], group_names: dict[str, str]) -> list[dict[str, Any]]:
    """IPv4 CIDR rules and rules naming another group of the VPC, as CloudFormation writes them."""
    captured = []
    for rule in rules:
        item: dict[str, Any] = {"IpProtocol": rule.ip_protocol}
        if rule.from_port is not None:
            item.update(FromPort=rule.from_port, ToPort=rule.to_port)
        if rule.ip_range.get("CidrIp"):
            item["CidrIp"] = rule.ip_range["CidrIp"]
        elif rule.source_group.get("GroupId") in group_names:
            item["SourceGroupName"] = group_names[rule.source_group["GroupId"]]
        else:
            continue  # IPv6, prefix lists and other accounts' groups are not replicated by the mock
        captured.append(item)
    return captured


def capture_network(ec2: Any, vpc_id: str) -> dict[str, Any]:
    """What DRS replicates of a VPC: CIDR, subnets, security groups, internet gateway, and where
    each instance of the VPC sits (subnet CIDR and group names), for pointing launch templates."""
    vpc = ec2.vpcs[vpc_id]
    subnets = sorted(
        ec2.describe_subnets(filters={"vpc-id": [vpc_id]}),
        key=lambda subnet: subnet.cidr_block,
    )
    groups = sorted(
        ec2.describe_security_groups(filters={"vpc-id": [vpc_id]}),
        key=lambda group: group.name,
    )
    group_names = {group.id: group.name for group in groups}
    cidr_of = {subnet.id: subnet.cidr_block for subnet in subnets}
    default_egress = [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]
    return {
        "vpc": {
            "cidrBlock": vpc.cidr_block,
            "enableDnsSupport": bool(vpc.enable_dns_support),
            "enableDnsHostnames": bool(vpc.enable_dns_hostnames),
            "tags": _user_tags(vpc),
        },
        "subnets": [
            {
                "cidrBlock": subnet.cidr_block,
                "availabilityZone": subnet.availability_zone,
                "mapPublicIpOnLaunch": str(subnet.map_public_ip_on_launch).lower()
                == "true",
                "tags": _user_tags(subnet),
            }
            for subnet in subnets
        ],
        "securityGroups": [
            {
                "groupName": group.name,
                "description": group.description,
                "ingress": _rules(group.ingress_rules, group_names),
                # the VPC default egress (allow all) is what CloudFormation creates anyway
                "egress": []
                if (egress := _rules(group.egress_rules, group_names)) == default_egress
                else egress,
                "tags": _user_tags(group),
            }
            for group in groups
            if group.name != "default"  # every VPC comes with its own default group
        ],
        "internetGateway": bool(
            ec2.describe_internet_gateways(filters={"attachment.vpc-id": [vpc_id]})
        ),
        "instances": {
            instance.id: {
                "subnetCidr": cidr_of[instance.subnet_id],
                "securityGroupNames": sorted(
                    group.name for group in instance.security_groups
                ),
            }
            for instance in ec2.all_instances()
            if instance.subnet_id in cidr_of and instance.state != "terminated"
        },
    }


def _target_zone(origin_zone: str, zones: list[str], index: int) -> str:
    """The recovery Region's zone with the origin zone's letter, else the zones in turn."""
    for zone in zones:
        if zone[-1] == origin_zone[-1]:
            return zone
    return zones[index % len(zones)]


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def cfn_template(network: "SourceNetwork", zones: list[str]) -> dict[str, Any]:
    """The CloudFormation template that recreates the replicated VPC in the recovery Region."""
    captured = network.replicated
    assert captured is not None
    drs_tags = drs_stack_tags(network.source_network_id)
    vpc = captured["vpc"]
    resources: dict[str, Any] = {
        "Vpc": {
            "Type": "AWS::EC2::VPC",
            "Properties": {
                "CidrBlock": vpc["cidrBlock"],
                "EnableDnsSupport": vpc["enableDnsSupport"],
                "EnableDnsHostnames": vpc["enableDnsHostnames"],
                "Tags": _tag_list({**vpc["tags"], **drs_tags}),
            },
        }
    }
    for index, subnet in enumerate(captured["subnets"]):
        resources[f"Subnet{index + 1}"] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "CidrBlock": subnet["cidrBlock"],
                "AvailabilityZone": _target_zone(
                    subnet["availabilityZone"], zones, index
                ),
                "MapPublicIpOnLaunch": subnet["mapPublicIpOnLaunch"],
                "Tags": _tag_list(subnet["tags"]),
            },
        }
    logical_group = {
        group["groupName"]: f"SecurityGroup{i + 1}"
        for i, group in enumerate(captured["securityGroups"])
    }

    def rules(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rules naming another group refer to its copy; rules naming the default group are dropped."""
        written = []
        for item in items:
            rule = {
                key: value for key, value in item.items() if key != "SourceGroupName"
            }
            if "SourceGroupName" in item:
                if item["SourceGroupName"] not in logical_group:
                    continue
                rule["SourceSecurityGroupId"] = {
                    "Fn::GetAtt": [logical_group[item["SourceGroupName"]], "GroupId"]
                }
            written.append(rule)
        return written

    for group in captured["securityGroups"]:
        properties: dict[str, Any] = {
            "GroupName": group["groupName"],
            "GroupDescription": group["description"],
            "VpcId": {"Ref": "Vpc"},
            "SecurityGroupIngress": rules(group["ingress"]),
            "Tags": _tag_list(group["tags"]),
        }
        if group["egress"]:
            properties["SecurityGroupEgress"] = rules(group["egress"])
        resources[logical_group[group["groupName"]]] = {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": properties,
        }
    if captured["internetGateway"]:
        resources["InternetGateway"] = {
            "Type": "AWS::EC2::InternetGateway",
            "Properties": {},
        }
        resources["InternetGatewayAttachment"] = {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "InternetGatewayId": {"Ref": "InternetGateway"},
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            f"Recovery of source network {network.source_network_id} (VPC {network.source_vpc_id} of account "
            f"{network.source_account_id} in {network.source_region}), by AWS Elastic Disaster Recovery"
        ),
        "Resources": resources,
        "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}},
    }
