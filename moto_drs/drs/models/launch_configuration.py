"""Launch configuration templates, each server's launch configuration and its EC2 launch template.

Rules (user guide, "Default launch settings" and "EC2 launch templates",
/drs/latest/userguide/default-drs-launch-settings.html, ec2-key-considerations.html):
- A new source server inherits the account's launch configuration template (at most one exists:
  quota L-1F3FAE4D), or DRS's defaults.
- Every source server owns a real launch template in moto's EC2 (``ec2LaunchTemplateID``). DRS
  writes into it what its settings decide: the right-sized instance type unless right-sizing is
  NONE, and the source's private IP when copyPrivateIp is on. Each such change is a new default
  version; everything else in the template belongs to the user. If the user deletes the
  template, DRS creates a new one.
"""

import copy
import re
from typing import TYPE_CHECKING, Any

from moto.core.common_models import BaseModel

from ..exceptions import ConflictException, ResourceNotFoundException
from ..utils import new_id
from .base import DrsBackendCore, find_resource
from .configuration_common import (
    ConfigurationTemplate,
    Field,
    api_members,
    describe_templates,
    field_error,
    raise_if_invalid,
    register_with_tags,
    require_connected,
)
from .ec2_integration import (
    DRS_TAGGED_RESOURCES,
    DRS_VOLUME,
    MANAGED_TAG_KEY,
    MANAGED_TAG_VALUE,
    SOURCE_SERVER_TAG_KEY,
    create_launch_template,
    default_subnet_id,
    default_version_data,
    delete_launch_template,
    ec2_of,
    find_instance,
    launch_into_instance_errors,
    launch_template_exists,
    right_sized_instance_type,
    set_default_version,
)

if TYPE_CHECKING:
    from .source_servers import SourceServer

# The members a launch configuration template and a server's launch configuration share.
LAUNCH_SETTINGS = (
    "launchDisposition",
    "targetInstanceTypeRightSizingMethod",
    "copyPrivateIp",
    "copyTags",
    "licensing",
    "postLaunchEnabled",
    "recoveryMode",
)
TEMPLATE_SETTINGS = LAUNCH_SETTINGS + ("exportBucketArn", "launchIntoSourceInstance")
DEFAULT_LAUNCH_SETTINGS: dict[str, Any] = {
    "launchDisposition": "STARTED",
    "targetInstanceTypeRightSizingMethod": "BASIC",  # "If this setting is active (default)"
    "copyPrivateIp": False,
    "copyTags": False,
    "licensing": {"osByol": False},
    "postLaunchEnabled": False,
    "recoveryMode": "OPTIMAL",
}
DEFAULT_TEMPLATE_SETTINGS: dict[str, Any] = {
    **DEFAULT_LAUNCH_SETTINGS,
    "launchIntoSourceInstance": False,
}
GIB = 1024**3
S3_BUCKET_ARN = re.compile(
    r"arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?"
)
UPDATED_BY_DRS = "Updated by Elastic Disaster Recovery"


def template_settings_errors(settings: dict[str, Any]) -> list[Field]:
    errors = []
    bucket = settings.get("exportBucketArn")
    if bucket and not S3_BUCKET_ARN.fullmatch(bucket):
        errors.append(field_error("exportBucketArn", "Must be the ARN of an S3 bucket"))
    # user guide, "Launch into source instance": both must be deactivated for it
    if settings.get("launchIntoSourceInstance"):
        for member in ("copyPrivateIp", "copyTags"):
            if settings.get(member):
                errors.append(
                    field_error(
                        member, "Must be false when launchIntoSourceInstance is true"
                    )
                )
    return errors


def primary_ip(server: "SourceServer") -> str | None:
    interfaces = server.source_properties.get("networkInterfaces") or []
    primary = [i for i in interfaces if i.get("isPrimary")] or interfaces
    for interface in primary:
        for ip in interface.get("ips") or []:
            return str(ip)
    return None


def primary_network_interface(data: dict[str, Any]) -> dict[str, Any] | None:
    """The launch template's device-index-0 interface: the one DRS manages."""
    for interface in data.get("NetworkInterfaces") or []:
        if int(interface.get("DeviceIndex", 0)) == 0:
            return dict(interface)
    return None


class LaunchConfigurationTemplate(ConfigurationTemplate, BaseModel):
    """Account-level default launch settings; new source servers copy them."""

    _id_prefix = "lct"
    _resource_type = "launch-configuration-template"
    _id_member = "launchConfigurationTemplateID"

    @property
    def launch_configuration_template_id(self) -> str:
        return self._template_id


def _json_copy(value: Any) -> Any:
    """A deep copy of JSON data (settings come from API input): callers may edit the answer
    without editing DRS's state. Five times cheaper than ``copy.deepcopy`` on a call's path."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value


class LaunchConfiguration(BaseModel):
    """How DRS launches one source server's recovery instance."""

    def __init__(self, server: "SourceServer", settings: dict[str, Any]):
        self.server = server
        hostname = server.source_properties.get("identificationHints", {}).get(
            "hostname"
        )
        self.name: str = (hostname or server.source_server_id)[:128]
        self.settings = settings
        self.launch_into_instance_id: str | None = None
        self.ec2_launch_template_id: str | None = None

    @property
    def right_sizing(self) -> str:
        return str(self.settings["targetInstanceTypeRightSizingMethod"])

    def to_api(self) -> dict[str, Any]:
        api = {
            "sourceServerID": self.server.source_server_id,
            "name": self.name,
            "ec2LaunchTemplateID": self.ec2_launch_template_id,
            **{key: _json_copy(value) for key, value in self.settings.items()},
        }
        if self.launch_into_instance_id:
            api["launchIntoInstanceProperties"] = {
                "launchIntoEC2InstanceID": self.launch_into_instance_id
            }
        return api


class LaunchConfigurationOperations(DrsBackendCore):
    launch_configuration_templates: dict[str, LaunchConfigurationTemplate]
    launch_configurations: dict[str, LaunchConfiguration]

    def _init_launch_configuration(self) -> None:
        """State of this family, created with the backend."""
        self.launch_configuration_templates = {}
        self.launch_configurations = {}

    # -- hooks -------------------------------------------------------------------------------------

    def _launch_configuration_for_new_server(self, server: "SourceServer") -> None:
        """A new source server inherits the account's launch configuration template."""
        self._new_launch_configuration(server)

    def _launch_configuration_for_deleted_server(self, server: "SourceServer") -> None:
        """Clean up the deleted server's launch configuration and EC2 launch template."""
        config = self.launch_configurations.pop(server.source_server_id, None)
        ec2 = ec2_of(self.account_id, self.region_name)
        if config is not None and config.ec2_launch_template_id and ec2 is not None:
            delete_launch_template(ec2, config.ec2_launch_template_id)

    def launch_settings_for(self, server: "SourceServer") -> dict[str, Any]:
        """What a recovery launch of ``server`` uses (contract with the jobs family).

        Keys: ``ec2_launch_template_id`` (str | None), ``instance_type`` (str),
        ``subnet_id`` (str | None), ``security_group_ids`` (list[str]), ``copy_tags`` (bool),
        ``copy_private_ip`` (bool), ``launch_disposition`` ("STARTED" | "STOPPED"),
        ``post_launch_enabled`` (bool), ``recovery_mode`` ("OPTIMAL" | "FAST"),
        ``launch_into_instance_id`` (str | None). Instance type, subnet and security groups come from the
        launch template's default version, after DRS has written its own settings into it.
        """
        config = self._launch_configuration(server.source_server_id)
        data = self._sync_launch_template(config)
        interface = primary_network_interface(data) or {}
        return {
            "ec2_launch_template_id": config.ec2_launch_template_id,
            "instance_type": data.get("InstanceType")
            or self._right_sized_instance_type(server, "BASIC"),
            "subnet_id": interface.get("SubnetId"),
            # EC2 deletes an interface it creates from the template's spec on termination
            # when the spec says so (DRS's own version 1 does)
            "delete_interface_on_termination": interface.get("DeleteOnTermination")
            is True,
            "security_group_ids": list(
                interface.get("Groups") or data.get("SecurityGroupIds") or []
            ),
            "copy_tags": bool(config.settings["copyTags"]),
            "copy_private_ip": bool(config.settings["copyPrivateIp"]),
            "launch_disposition": config.settings["launchDisposition"],
            "post_launch_enabled": bool(config.settings["postLaunchEnabled"]),
            "recovery_mode": config.settings.get("recoveryMode", "OPTIMAL"),
            "launch_into_instance_id": config.launch_into_instance_id,
        }

    # -- the EC2 launch template -------------------------------------------------------------------

    def _right_sized_instance_type(self, server: "SourceServer", method: str) -> str:
        """BASIC: the type DRS recommends for the source's CPU and RAM; IN_AWS: the source EC2
        instance's type, for a server that is an EC2 instance moto's EC2 knows (else as BASIC)."""
        if method == "IN_AWS":
            instance_id = server.source_properties.get("identificationHints", {}).get(
                "awsInstanceID"
            )
            instance = (
                find_instance(ec2_of(self.account_id, self.region_name), instance_id)
                if instance_id
                else None
            )
            if instance is not None:
                return str(instance.instance_type)
        # BASIC: "the recommended EC2 instance type that will be used when recovering" [M], which
        # seeding derives from the server's CPU and RAM when it is not given
        return str(
            server.source_properties.get("recommendedInstanceType")
            or right_sized_instance_type(server.source_properties)
        )

    def _initial_launch_template_data(
        self, config: LaunchConfiguration
    ) -> dict[str, Any]:
        """Version 1 of a server's launch template: one encrypted gp3 volume per source disk at
        the gp3 baseline, DRS's tags on the instance, its volumes and its network interface."""
        server = config.server
        interface: dict[str, Any] = {
            "DeviceIndex": 0,
            "AssociatePublicIpAddress": False,
            "DeleteOnTermination": True,
        }
        subnet_id = default_subnet_id(ec2_of(self.account_id, self.region_name))
        if subnet_id:
            interface["SubnetId"] = subnet_id
        tags = [
            {"Key": "Name", "Value": config.name},
            {"Key": MANAGED_TAG_KEY, "Value": MANAGED_TAG_VALUE},
            {"Key": SOURCE_SERVER_TAG_KEY, "Value": server.source_server_id},
        ]
        data = {
            "InstanceType": self._right_sized_instance_type(
                server, config.right_sizing
            ),
            "NetworkInterfaces": [interface],
            "BlockDeviceMappings": [
                {
                    "DeviceName": disk.get("deviceName", ""),
                    "Ebs": {
                        "VolumeSize": max(1, -(-int(disk.get("bytes", 0)) // GIB)),
                        **DRS_VOLUME,
                        "DeleteOnTermination": True,
                    },
                }
                for disk in server.disks
            ],
            "TagSpecifications": [
                {"ResourceType": kind, "Tags": copy.deepcopy(tags)}
                for kind in DRS_TAGGED_RESOURCES
            ],
            "DisableApiTermination": False,
            "InstanceInitiatedShutdownBehavior": "stop",
        }
        return self._with_drs_settings(config, data)

    def _with_drs_settings(
        self, config: LaunchConfiguration, data: dict[str, Any]
    ) -> dict[str, Any]:
        """``data`` with what DRS mirrors into the launch template (user guide, default launch settings).

        A copy as deep as the changes below: the instance type and the network interfaces are
        replaced, everything else is shared with ``data`` and never edited (a deep copy was
        most of what GetLaunchConfiguration cost)."""
        data = dict(data)
        if "NetworkInterfaces" in data:
            data["NetworkInterfaces"] = [dict(i) for i in data["NetworkInterfaces"]]
        if config.right_sizing != "NONE":
            data["InstanceType"] = self._right_sized_instance_type(
                config.server, config.right_sizing
            )
        source_ip = primary_ip(config.server)
        interfaces = data.get("NetworkInterfaces") or []
        primary = next(
            (i for i in interfaces if int(i.get("DeviceIndex", 0)) == 0), None
        )
        if config.settings["copyPrivateIp"] and source_ip:
            if primary is None:
                primary = {"DeviceIndex": 0}
                data["NetworkInterfaces"] = [primary, *interfaces]
            primary["PrivateIpAddress"] = source_ip
        elif (
            primary is not None
            and source_ip
            and primary.get("PrivateIpAddress") == source_ip
        ):
            del primary["PrivateIpAddress"]  # DRS wrote it; an IP the user chose stays
        return data

    def _sync_launch_template(self, config: LaunchConfiguration) -> dict[str, Any]:
        """Make the launch template reflect DRS's settings; return its default version's data."""
        ec2 = ec2_of(self.account_id, self.region_name)
        if ec2 is None:  # no EC2 in this region: keep an ID and a computed template
            config.ec2_launch_template_id = config.ec2_launch_template_id or new_id(
                "lt"
            )
            return self._initial_launch_template_data(config)
        template_id = config.ec2_launch_template_id
        if not template_id or not launch_template_exists(ec2, template_id):
            template_id = create_launch_template(
                ec2,
                config.server.source_server_id,
                self._initial_launch_template_data(config),
            )
            config.ec2_launch_template_id = template_id
        current = default_version_data(
            ec2, template_id, read_only=True
        )  # _with_drs_settings copies it
        wanted = self._with_drs_settings(config, current)
        if wanted != current:
            set_default_version(ec2, template_id, wanted, UPDATED_BY_DRS)
        return wanted

    # -- each source server's launch configuration -------------------------------------------------

    def _new_launch_configuration(self, server: "SourceServer") -> LaunchConfiguration:
        settings = copy.deepcopy(DEFAULT_LAUNCH_SETTINGS)
        for template in self.launch_configuration_templates.values():
            settings.update(
                {
                    k: copy.deepcopy(v)
                    for k, v in template.settings.items()
                    if k in LAUNCH_SETTINGS
                }
            )
        config = LaunchConfiguration(server, settings)
        self.launch_configurations[server.source_server_id] = config
        self._sync_launch_template(config)
        return config

    def _launch_configuration(self, source_server_id: str) -> LaunchConfiguration:
        server = self.get_source_server(source_server_id)
        config = self.launch_configurations.get(source_server_id)
        return config if config is not None else self._new_launch_configuration(server)

    def get_launch_configuration(self, source_server_id: str) -> dict[str, Any]:
        config = self._launch_configuration(source_server_id)
        self._sync_launch_template(config)
        return config.to_api()

    def update_launch_configuration(
        self,
        source_server_id: str,
        name: str | None = None,
        launch_into_instance_properties: dict[str, str] | None = None,
        **settings: Any,
    ) -> dict[str, Any]:
        """``settings``: the request's other UpdateLaunchConfiguration members, snake_case.

        ``launchIntoInstanceProperties={}`` stops launching into an existing instance.
        """
        config = self._launch_configuration(source_server_id)
        require_connected(config.server, "launch configuration")
        launch_into = (launch_into_instance_properties or {}).get(
            "launchIntoEC2InstanceID"
        )
        if launch_into:
            raise_if_invalid(
                launch_into_instance_errors(
                    ec2_of(self.account_id, self.region_name),
                    launch_into,
                    "launchIntoInstanceProperties.launchIntoEC2InstanceID",
                ),
                "launch configuration",
            )
            self._ensure_launch_target_free(launch_into, source_server_id)
        config.settings.update(api_members(LAUNCH_SETTINGS, settings))
        if name is not None:
            config.name = name
        if launch_into_instance_properties is not None:
            config.launch_into_instance_id = launch_into
        self._sync_launch_template(config)
        return config.to_api()

    def _ensure_launch_target_free(
        self, instance_id: str, source_server_id: str
    ) -> None:
        """ConflictException if another source server launches, or launched, into the instance:
        DRS replaces the volumes of the instance it launches into, so it serves one server."""
        owners = [
            other.server.source_server_id
            for other in self.launch_configurations.values()
            if other.launch_into_instance_id == instance_id
        ]
        try:
            owners.append(self.get_recovery_instance(instance_id).source_server_id)
        except ResourceNotFoundException:
            pass
        for owner in owners:
            if owner != source_server_id:
                raise ConflictException(
                    f"Instance {instance_id} is already the launch target of source server "
                    f"{owner}.",
                    instance_id,
                    "EC2_INSTANCE",
                )

    # -- launch configuration templates ------------------------------------------------------------

    def export_bucket_arn(self) -> str | None:
        """The launch configuration template's exportBucketArn: where source network templates go."""
        for template in self.launch_configuration_templates.values():
            if template.settings.get("exportBucketArn"):
                return str(template.settings["exportBucketArn"])
        return None

    def get_launch_configuration_template(
        self, template_id: str
    ) -> LaunchConfigurationTemplate:
        return find_resource(
            self.launch_configuration_templates,
            template_id,
            "LAUNCH_CONFIGURATION_TEMPLATE",
            "Launch configuration template",
        )

    def create_launch_configuration_template(
        self, tags: dict[str, str] | None = None, **settings: Any
    ) -> dict[str, Any]:
        """``settings``: the request's LaunchConfigurationTemplate members, snake_case."""
        values = {
            **copy.deepcopy(DEFAULT_TEMPLATE_SETTINGS),
            **api_members(TEMPLATE_SETTINGS, settings),
        }
        raise_if_invalid(
            template_settings_errors(values), "launch configuration template"
        )
        self.check_quota(
            "launch_configuration_templates",
            len(self.launch_configuration_templates) + 1,
        )
        template = LaunchConfigurationTemplate(self, values)
        register_with_tags(self, template.arn, template, tags)
        self.launch_configuration_templates[
            template.launch_configuration_template_id
        ] = template
        return template.to_api()

    def describe_launch_configuration_templates(
        self,
        launch_configuration_template_ids: list[str] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """An unknown ID is left out of the result: the model lists no ResourceNotFoundException here."""
        return describe_templates(
            self.launch_configuration_templates,
            launch_configuration_template_ids,
            "launch_configuration_template_id",
            max_results,
            next_token,
        )

    def update_launch_configuration_template(
        self, launch_configuration_template_id: str, **settings: Any
    ) -> dict[str, Any]:
        template = self.get_launch_configuration_template(
            launch_configuration_template_id
        )
        values = {**template.settings, **api_members(TEMPLATE_SETTINGS, settings)}
        raise_if_invalid(
            template_settings_errors(values), "launch configuration template"
        )
        template.settings = values
        return template.to_api()

    def delete_launch_configuration_template(
        self, launch_configuration_template_id: str
    ) -> None:
        template = self.get_launch_configuration_template(
            launch_configuration_template_id
        )
        self.before_launch_configuration_template_deleted(
            launch_configuration_template_id
        )
        del self.launch_configuration_templates[launch_configuration_template_id]
        self.unregister_taggable(template.arn)
