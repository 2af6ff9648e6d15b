"""Launch configuration templates, each server's launch configuration and its EC2 launch template."""

from typing import TYPE_CHECKING, Any

from .base import DrsBackendCore

if TYPE_CHECKING:
    from .source_servers import SourceServer


class LaunchConfigurationOperations(DrsBackendCore):
    def _init_launch_configuration(self) -> None:
        """State of this family, created with the backend."""

    def launch_settings_for(self, server: "SourceServer") -> dict[str, Any]:
        """What a recovery launch of ``server`` uses (contract with the jobs family).

        Keys: ``ec2_launch_template_id`` (str | None), ``instance_type`` (str),
        ``subnet_id`` (str | None), ``security_group_ids`` (list[str]), ``copy_tags`` (bool),
        ``copy_private_ip`` (bool), ``launch_disposition`` ("STARTED" | "STOPPED"),
        ``post_launch_enabled`` (bool).
        """
        return {
            "ec2_launch_template_id": None,
            "instance_type": server.source_properties.get("recommendedInstanceType") or "m5.large",
            "subnet_id": None,
            "security_group_ids": [],
            "copy_tags": False,
            "copy_private_ip": False,
            "launch_disposition": "STARTED",
            "post_launch_enabled": False,
        }
