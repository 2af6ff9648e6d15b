"""What DRS does in, and checks against, the EC2 of the same account and region.

DRS settings name EC2 resources (subnets, security groups, instances, instance types), and DRS
keeps one EC2 launch template per source server. The mock uses moto's EC2 backend for both, so a
client reads the launch template with ``ec2.describe_launch_template_versions`` exactly as it
would against AWS.

Reference checks follow one rule: an ID of a kind moto's EC2 knows nothing of (for example no
instance exists at all) is accepted, so tests that never touch EC2 may use any well-formed ID;
once EC2 has resources of that kind, a reference to a missing one is a ValidationException.
An instance to launch into is the exception: DRS replaces its volumes, so it must exist.
"""

import copy
from functools import cache
from typing import Any

from moto.core.exceptions import ServiceException
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
# The Name DRS gives its conversion servers ("do not alter": tag-monitoring tools watch it).
CONVERSION_SERVER_NAME = "AWS Elastic Disaster Recovery Conversion Server"
# decision: the mock's conversion servers are m5.large on moto's Amazon Linux 2 x86_64 image.
CONVERSION_SERVER_TYPE = "m5.large"
CONVERSION_SERVER_IMAGE = "ami-04681a1dbd79675a5"
# What real DRS writes on each volume of the launch templates it creates: gp3 at the gp3 baseline
# (3000 IOPS, 125 MiB/s), encrypted; and the resource types its tag specifications cover. Seen in
# a Terraform import of a real DRS launch template published on GitHub; published DRS tools read
# Ebs.Iops and Ebs.Throughput of that template with no fallback.
GP3_BASELINE = {"Iops": 3000, "Throughput": 125}
DRS_VOLUME = {"VolumeType": "gp3", **GP3_BASELINE, "Encrypted": True}
DRS_TAGGED_RESOURCES = ("instance", "volume", "network-interface")


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


# -- right-sizing ----------------------------------------------------------------------------------

# The families BASIC right-sizing picks from: general purpose, compute and memory optimised of one
# current generation per platform (Nitro x86_64, Xen x86_64 for servers without Nitro support,
# Graviton for arm64). A decision: DRS publishes no mapping, only that the type is chosen "based
# on the CPU and RAM of the source server" (user guide, default launch settings).
RIGHT_SIZING_FAMILIES = {
    "x86_64": ("m5", "c5", "r5"),
    "xen": ("m4", "c4", "r4"),
    "arm64": ("m6g", "c6g", "r6g"),
}
MIB = 1024**2


@cache
def _right_sizing_candidates(platform: str) -> tuple[tuple[int, int, str], ...]:
    """(vCPUs, MiB, type) of the platform's families, smallest first (moto's EC2 catalogue)."""
    families = RIGHT_SIZING_FAMILIES[platform]
    return tuple(
        sorted(
            (
                int(spec["VCpuInfo"]["DefaultVCpus"]),
                int(spec["MemoryInfo"]["SizeInMiB"]),
                name,
            )
            for name, spec in INSTANCE_TYPES.items()
            if name.split(".")[0] in families and not spec.get("BareMetal")
        )
    )


def right_sized_instance_type(source_properties: dict[str, Any]) -> str:
    """BASIC right-sizing: the smallest type (fewest vCPUs, then least memory) with at least the
    source's cores (the sum of ``cpus[].cores``) and ``ramBytes``; the largest when none is big
    enough. A 2-core 8 GiB server gets m5.large, a 16-core 64 GiB server m5.4xlarge."""
    cores = sum(
        int(cpu.get("cores") or 0) for cpu in source_properties.get("cpus") or []
    )
    ram_mib = -(-int(source_properties.get("ramBytes") or 0) // MIB)
    if source_properties.get("architecture") == "arm64":
        platform = "arm64"
    elif source_properties.get("supportsNitroInstances") is False:
        platform = "xen"
    else:
        platform = "x86_64"
    candidates = _right_sizing_candidates(platform)
    for vcpus, memory, name in candidates:
        if vcpus >= max(cores, 1) and memory >= ram_mib:
            return name
    return max(candidates)[2]


def find_instance(
    ec2: Any | None, instance_id: str, reservation_id: str | None = None
) -> Any | None:
    """The EC2 instance, through the reservation that launched it when that is known.

    moto's own look-ups (``get_instance``, ``all_instances``) copy every reservation of the
    Region on each call, and EC2 keeps terminated instances: a look-up per recovery instance
    made a 1,000-item DescribeRecoveryInstances page quadratic. Without a reservation (a
    conversion server), ``get_instance_by_id``: moto's, which the plugin's core patch indexes.
    """
    if ec2 is None:
        return None
    if reservation_id is not None:
        reservation = ec2.reservations.get(reservation_id)
        for instance in reservation.instances if reservation is not None else ():
            if instance.id == instance_id:
                return instance
    # moto's own look-up by ID (an index of instances in moto; older moto scans them)
    return ec2.get_instance_by_id(instance_id)


def launch_into_problem(ec2: Any | None, instance_id: str) -> str | None:
    """Why DRS may not launch into ``instance_id``, or None.

    The user guide ("Launch into source instance"): the instance must exist in the Region and
    carry the tag AWSDRS=AllowLaunchingIntoThisInstance. A terminated instance no longer counts.
    """
    instance = find_instance(ec2, instance_id)
    if instance is None or instance.state == "terminated":
        return f"Instance {instance_id} does not exist in this Region"
    tags = {tag["key"]: tag["value"] for tag in instance.get_tags()}
    key, value = LAUNCH_INTO_TAG
    if tags.get(key) != value:
        return (
            f"Instance {instance_id} must be tagged {key}={value} to be launched into"
        )
    return None


def launch_into_instance_errors(
    ec2: Any | None, instance_id: str, field: str
) -> list[Field]:
    """The field error for an instance DRS may not launch into (no EC2 here: no check)."""
    if ec2 is None:
        return []
    problem = launch_into_problem(ec2, instance_id)
    return [field_error(field, problem)] if problem else []


# -- conversion servers --------------------------------------------------------------------------


def subnet_exists(ec2: Any, subnet_id: str) -> bool:
    return any(subnet_id in subnets for subnets in ec2.subnets.values())


# -- running and terminating instances --------------------------------------------------------
#
# What moto's EC2 raises while DRS runs or terminates an instance fails that server's launch,
# never the request (a launch DRS cannot make is reported as LAUNCH_FAILED in the job log). moto raises its EC2 errors
# as ServiceException, and a bare StopIteration when a subnet has no free address left (real EC2
# answers InsufficientFreeAddressesInSubnet there). Nothing else is caught: a programming error
# still surfaces.
NO_FREE_ADDRESS = (
    "InsufficientFreeAddressesInSubnet: There are not enough free addresses in subnet "
    "'{subnet_id}' to satisfy the requested number of instances."
)


def run_instance(
    ec2: Any, image_id: str, **kwargs: Any
) -> tuple[Any | None, str | None]:
    """Run one instance: (its reservation, None), or (None, why EC2 refused).

    When moto fails part-way it has already kept an empty reservation; that goes, so that a
    refused launch leaves nothing behind.
    """
    reservations = len(ec2.reservations)
    try:
        return ec2.run_instances(image_id, 1, None, [], **kwargs), None
    except ServiceException as error:
        reason = f"{error.code}: {error.message}"
    except StopIteration:
        reason = NO_FREE_ADDRESS.format(subnet_id=kwargs.get("subnet_id"))
    if len(ec2.reservations) > reservations:
        newest = next(reversed(ec2.reservations))
        if not ec2.reservations[newest].instances:
            del ec2.reservations[newest]
    return None, reason


def run_conversion_server(
    ec2: Any | None,
    source_server_id: str,
    subnet_id: str | None,
    staging_area_tags: dict[str, str],
) -> tuple[str | None, str | None]:
    """Run a conversion server: (its instance ID, None), (None, why EC2 refused), or
    (None, None) when the staging Region has no EC2 to run it in.

    DRS runs one in the staging subnet and terminates it when done (IAM policy
    AWSElasticDisasterRecoveryConversionServerPolicy: "automatically launched and terminated by
    DRS"). Tags: stagingAreaTags ("associated with all resources created in the replication
    staging area", botocore's model), the Name DRS gives conversion servers and its management
    tags. A subnet the staging account's EC2 does not know gives way to its default subnet.
    """
    if ec2 is None:
        return None, None
    if not subnet_id or not subnet_exists(ec2, subnet_id):
        subnet_id = default_subnet_id(ec2)
    tags = {
        **staging_area_tags,
        "Name": CONVERSION_SERVER_NAME,
        MANAGED_TAG_KEY: MANAGED_TAG_VALUE,
        SOURCE_SERVER_TAG_KEY: source_server_id,
    }
    kwargs: dict[str, Any] = {
        "instance_type": CONVERSION_SERVER_TYPE,
        "is_instance_type_default": False,
        "region_name": ec2.region_name,
        "tags": {"instance": tags, "volume": tags},
    }
    if subnet_id:
        kwargs["subnet_id"] = subnet_id
        # DRS launches and terminates it: its network interface goes with it, address and all
        # (moto's default interface would stay behind, detached, holding its address)
        kwargs["nics"] = [
            {"DeviceIndex": 0, "SubnetId": subnet_id, "DeleteOnTermination": True}
        ]
    run, reason = run_instance(ec2, CONVERSION_SERVER_IMAGE, **kwargs)
    if run is None:
        return None, f"EC2 refused the conversion server: {reason}"
    return str(run.instances[0].id), None


def terminate_instance(
    ec2: Any | None, instance_id: str, reservation_id: str | None = None
) -> str | None:
    """Terminate the instance unless it is already gone: None, or why EC2 refused."""
    instance = find_instance(ec2, instance_id, reservation_id)
    if ec2 is None or instance is None or instance.state == "terminated":
        return None
    try:
        ec2.terminate_instances([instance_id])
    except ServiceException as error:
        return f"EC2 refused to terminate {instance_id}: {error.code}: {error.message}"
    return None


# -- launching into an existing instance ---------------------------------------------------------


def replace_volumes(
    ec2: Any, instance: Any, volumes: list[dict[str, Any]], tags: dict[str, str]
) -> None:
    """Detach the instance's volumes (kept, available) and attach new ones in their place.

    ``volumes``: ``{"device", "size" (GiB), "snapshot_id" (an EBS snapshot, or None)}`` per
    source disk. A snapshot moto's EC2 does not hold gives a blank volume of the disk's size.
    """
    zone = instance.placement.zone or f"{ec2.region_name}a"
    for device, mapping in instance.get_block_device_mapping:
        ec2.detach_volume(mapping.volume_id, instance.id, device)
    for volume in volumes:
        snapshot_id = volume.get("snapshot_id")
        if snapshot_id not in ec2.snapshots:
            snapshot_id = None
        created = ec2.create_volume(
            size=volume["size"],
            zone_name=zone,
            snapshot_id=snapshot_id,
            volume_type="gp3",
        )
        if tags:
            ec2.create_tags([created.id], tags)
        ec2.attach_volume(
            created.id, instance.id, volume["device"], delete_on_termination=True
        )


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


def with_gp3_baseline(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the gp3 baseline written out on gp3 volumes that leave it implicit.

    Every version DRS writes states Iops and Throughput, as the versions it creates do; for a gp3
    volume the omitted values mean the baseline anyway, so nothing the user chose changes.
    """
    mappings = data.get("BlockDeviceMappings")
    if not mappings:
        return data
    data = dict(data)
    data["BlockDeviceMappings"] = [
        {**mapping, "Ebs": {**GP3_BASELINE, **mapping["Ebs"]}}
        if isinstance(mapping.get("Ebs"), dict)
        and str(mapping["Ebs"].get("VolumeType", "")).lower() == "gp3"
        else mapping
        for mapping in mappings
    ]
    return data


def set_default_version(
    ec2: Any, template_id: str, data: dict[str, Any], description: str
) -> None:
    """Add a version and make it the default, as DRS does when it updates a launch template."""
    version = ec2.launch_templates[template_id].create_version(
        with_gp3_baseline(data), description
    )
    ec2.modify_launch_template(str(version.number), template_id=template_id)


def delete_launch_template(ec2: Any, template_id: str) -> None:
    if launch_template_exists(ec2, template_id):
        ec2.delete_launch_template(None, template_id)
