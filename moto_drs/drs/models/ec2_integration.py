"""What DRS does in, and checks against, the EC2 of the same account and region.

DRS settings name EC2 resources (subnets, security groups, instances, instance types), and DRS
keeps one EC2 launch template per source server. The mock uses moto's EC2 backend for both, so a
client reads the launch template with ``ec2.describe_launch_template_versions`` exactly as it
would against AWS.

Reference checks follow one rule: an ID of a kind moto's EC2 knows nothing of (for example no
instance exists at all) is accepted, so tests that never touch EC2 may use any well-formed ID;
once EC2 has resources of that kind, a reference to a missing one is a ValidationException.
"""

import copy
from typing import Any

from moto.ec2.exceptions import InvalidLaunchTemplateNameAlreadyExistsError
from moto.ec2.models.instance_types import INSTANCE_TYPES

from .configuration_common import Field, field_error

# Tags real DRS puts on the launch templates it manages and on what they launch.
MANAGED_TAG_KEY = "AWSElasticDisasterRecoveryManaged"
MANAGED_TAG_VALUE = "drs.amazonaws.com"
SOURCE_SERVER_TAG_KEY = "AWSElasticDisasterRecoverySourceServerID"
# The name real DRS gives a server's launch template (the user guide says "do not alter").
LAUNCH_TEMPLATE_NAME = (
    "created-and-used-by-elastic-disaster-recovery-service-{source_server_id}"
)
# The tag an instance needs before DRS may launch into it (user guide, "Launch into instance").
LAUNCH_INTO_TAG = ("AWSDRS", "AllowLaunchingIntoThisInstance")


def ec2_of(account_id: str, region_name: str) -> Any | None:
    """moto's EC2 backend of the account and region, or None where EC2 has no such region."""
    from moto.ec2.models import ec2_backends

    try:
        return ec2_backends[account_id][region_name]
    except KeyError:
        return None


# -- references to EC2 resources -----------------------------------------------------------------


def default_subnet_id(ec2: Any | None) -> str | None:
    """The default VPC's subnet in the first availability zone: what DRS uses when none is chosen."""
    if ec2 is None:
        return None
    subnets = ec2.get_default_subnets()
    return subnets[min(subnets)].id if subnets else None


def subnet_errors(
    ec2: Any | None, subnet_id: str, field: str
) -> tuple[list[Field], str | None]:
    """Errors for a subnet reference, and the subnet's VPC when EC2 knows the subnet."""
    if ec2 is None:
        return [], None
    for subnets in ec2.subnets.values():
        if subnet_id in subnets:
            return [], subnets[subnet_id].vpc_id
    if any(ec2.subnets.values()):
        return [field_error(field, f"Subnet {subnet_id} does not exist")], None
    return [], None


def security_group_errors(
    ec2: Any | None, group_ids: list[str], vpc_id: str | None, field: str
) -> list[Field]:
    """Each group must exist and, when the subnet is known, be in the subnet's VPC."""
    if ec2 is None or not any(ec2.groups.values()):
        return []
    errors = []
    for index, group_id in enumerate(group_ids):
        group = ec2.get_security_group_from_id(group_id)
        if group is None:
            errors.append(
                field_error(
                    f"{field}[{index}]", f"Security group {group_id} does not exist"
                )
            )
        elif vpc_id is not None and group.vpc_id != vpc_id:
            message = (
                f"Security group {group_id} is not in the staging subnet's VPC {vpc_id}"
            )
            errors.append(field_error(f"{field}[{index}]", message))
    return errors


def instance_type_errors(
    instance_type: str, field: str, architecture: str | None = None
) -> list[Field]:
    """The type must be one EC2 offers (and, if given, support the architecture)."""
    known = INSTANCE_TYPES.get(instance_type)
    if known is None:
        return [field_error(field, f"{instance_type} is not an EC2 instance type")]
    architectures = known.get("ProcessorInfo", {}).get("SupportedArchitectures", [])
    if architecture and architecture not in architectures:
        return [
            field_error(
                field,
                f"{instance_type} does not support the {architecture} architecture",
            )
        ]
    return []


def find_instance(ec2: Any | None, instance_id: str) -> Any | None:
    if ec2 is None:
        return None
    for instance in ec2.all_instances():
        if instance.id == instance_id:
            return instance
    return None


def launch_into_instance_errors(
    ec2: Any | None, instance_id: str, field: str
) -> list[Field]:
    """DRS launches into an existing instance only if it carries AWSDRS=AllowLaunchingIntoThisInstance."""
    if ec2 is None:
        return []
    instance = find_instance(ec2, instance_id)
    if instance is None:
        if ec2.all_instances():
            return [field_error(field, f"Instance {instance_id} does not exist")]
        return []
    tags = {tag["key"]: tag["value"] for tag in instance.get_tags()}
    key, value = LAUNCH_INTO_TAG
    if tags.get(key) != value:
        return [
            field_error(
                field,
                f"Instance {instance_id} must be tagged {key}={value} to be launched into",
            )
        ]
    return []


# -- the launch template DRS keeps for each source server ----------------------------------------


def create_launch_template(
    ec2: Any, source_server_id: str, data: dict[str, Any]
) -> str:
    """Create (or adopt, if the generated name is taken) the server's launch template."""
    name = LAUNCH_TEMPLATE_NAME.format(source_server_id=source_server_id)
    tags = {
        "launch-template": {
            MANAGED_TAG_KEY: MANAGED_TAG_VALUE,
            SOURCE_SERVER_TAG_KEY: source_server_id,
        }
    }
    try:
        return str(
            ec2.create_launch_template(
                name, "Created by Elastic Disaster Recovery", data, tags
            ).id
        )
    except InvalidLaunchTemplateNameAlreadyExistsError:
        return str(ec2.get_launch_template_by_name(name).id)


def launch_template_exists(ec2: Any, template_id: str) -> bool:
    return template_id in ec2.launch_templates


def default_version_data(
    ec2: Any, template_id: str, read_only: bool = False
) -> dict[str, Any]:
    """The launch template data that a launch uses (the default version's): a copy, unless the
    caller only reads it (the copy is a third of what GetLaunchConfiguration costs the backend)."""
    data = ec2.launch_templates[template_id].default_version().data
    return data if read_only else copy.deepcopy(data)


def set_default_version(
    ec2: Any, template_id: str, data: dict[str, Any], description: str
) -> None:
    """Add a version and make it the default, as DRS does when it updates a launch template."""
    version = ec2.launch_templates[template_id].create_version(data, description)
    ec2.modify_launch_template(str(version.number), template_id=template_id)


def delete_launch_template(ec2: Any, template_id: str) -> None:
    if launch_template_exists(ec2, template_id):
        ec2.delete_launch_template(None, template_id)
