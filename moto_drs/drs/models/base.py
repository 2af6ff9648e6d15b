"""DrsBackendCore: what every resource family of the DRS backend shares.

Each family (source servers, configuration, jobs, ...) is a subclass of this core, and
``DrsBackend`` combines them. The core holds the account's initialization, the lock, tagging, and
the hooks through which one family reacts to another; a hook is a no-op here and the family
that cares overrides it, so families never import each other.
"""

import json
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from moto.core.base_backend import BaseBackend
from moto.core.model import ServiceModel
from moto.core.utils import get_service_model
from moto.utilities.tagging_service import TaggingService
from moto.utilities.utils import get_partition

from ..exceptions import ResourceNotFoundException, UninitializedAccountException

if TYPE_CHECKING:
    from .source_servers import SourceServer

# The roles InitializeService creates (DRS user guide, "Initializing Elastic Disaster Recovery").
SERVICE_ROLES = [
    ("AWSServiceRoleForElasticDisasterRecovery", "/aws-service-role/drs.amazonaws.com/", "drs.amazonaws.com"),
    ("AWSElasticDisasterRecoveryReplicationServerRole", "/service-role/", "ec2.amazonaws.com"),
    ("AWSElasticDisasterRecoveryConversionServerRole", "/service-role/", "ec2.amazonaws.com"),
    ("AWSElasticDisasterRecoveryRecoveryInstanceRole", "/service-role/", "ec2.amazonaws.com"),
    ("AWSElasticDisasterRecoveryAgentRole", "/service-role/", "drs.amazonaws.com"),
    ("AWSElasticDisasterRecoveryFailbackRole", "/service-role/", "drs.amazonaws.com"),
    ("AWSElasticDisasterRecoveryRecoveryInstanceWithLaunchActionsRole", "/service-role/", "ec2.amazonaws.com"),
]


@lru_cache(maxsize=1)
def drs_service_model() -> ServiceModel:
    """botocore's DRS model, loaded the way moto's serializer expects it."""
    return get_service_model("drs")


class DrsBackendCore(BaseBackend):
    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        # One lock per account and region: every operation runs under it, so that concurrent
        # server-mode clients see each change whole.
        self.lock = threading.RLock()
        self.initialized = False
        self.tagger = TaggingService()
        self.taggable: dict[str, Any] = {}

    @property
    def service_model(self) -> ServiceModel:
        return drs_service_model()

    # -- account initialization -----------------------------------------------------------------

    def initialize_service(self) -> None:
        """Idempotent, per account and region; creates the IAM roles DRS's user guide lists."""
        self._create_service_roles()
        self.initialized = True

    def ensure_initialized(self) -> None:
        """Real DRS answers every call but InitializeService this way until the account is set up."""
        if not self.initialized:
            raise UninitializedAccountException()

    def _create_service_roles(self) -> None:
        from moto.iam.models import iam_backends

        iam = iam_backends[self.account_id][get_partition(self.region_name)]
        existing = {role.name for role in iam.get_roles()}
        for name, path, principal in SERVICE_ROLES:
            if name in existing:
                continue
            statement = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
            iam.create_role(
                role_name=name,
                assume_role_policy_document=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
                path=path,
                permissions_boundary=None,
                description="Created by Elastic Disaster Recovery",
                tags=[],
                max_session_duration="3600",
            )

    # -- tagging: every taggable resource registers its ARN here ---------------------------------

    def register_taggable(self, arn: str, resource: Any) -> None:
        self.taggable[arn] = resource

    def unregister_taggable(self, arn: str) -> None:
        self.taggable.pop(arn, None)
        self.tagger.delete_all_tags_for_resource(arn)

    def _taggable(self, arn: str) -> Any:
        if arn not in self.taggable:
            raise ResourceNotFoundException(arn, "RESOURCE", f"Resource {arn} not found.")
        return self.taggable[arn]

    def tag_resource(self, resource_arn: str, tags: dict[str, str]) -> None:
        self._taggable(resource_arn)
        self.tagger.tag_resource(resource_arn, TaggingService.convert_dict_to_tags_input(tags))

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        self._taggable(resource_arn)
        self.tagger.untag_resource_using_names(resource_arn, tag_keys)

    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        self._taggable(resource_arn)
        return self.tagger.get_tag_dict_for_resource(resource_arn)

    # -- contracts between families: implemented by the family named ------------------------------

    def get_source_server(self, source_server_id: str) -> "SourceServer":
        """source_servers.py: the server, or ResourceNotFoundException."""
        raise NotImplementedError

    def check_quota(self, name: str, wanted: int) -> None:
        """quotas.py: ServiceQuotaExceededException when ``wanted`` exceeds the quota."""
        raise NotImplementedError

    def launch_settings_for(self, server: "SourceServer") -> dict[str, Any]:
        """launch_configuration.py: what a recovery launch of ``server`` uses (see its docstring)."""
        raise NotImplementedError

    # -- hooks: the backend calls these; families override the ones they care about ----------------

    def after_source_server_added(self, server: "SourceServer") -> None:
        """Called once a seeded source server exists."""
        self._replication_configuration_for_new_server(server)
        self._launch_configuration_for_new_server(server)

    def before_replication_change(self, server: "SourceServer", operation: str) -> None:
        """Called before Stop/StartReplication or DisconnectSourceServer change a server."""
        self._recovery_instances_before_replication_change(server, operation)

    def before_source_server_deleted(self, server: "SourceServer") -> None:
        """Called before a disconnected source server is deleted."""
        self._recovery_instances_before_server_deleted(server)
        self._launch_actions_for_deleted_server(server)
        self._launch_configuration_for_deleted_server(server)
        self._replication_configuration_for_deleted_server(server)

    def _replication_configuration_for_new_server(self, server: "SourceServer") -> None:
        """replication_configuration.py: a new server takes the account's template settings."""

    def _replication_configuration_for_deleted_server(self, server: "SourceServer") -> None:
        """replication_configuration.py: forget the deleted server's settings."""

    def _launch_configuration_for_new_server(self, server: "SourceServer") -> None:
        """launch_configuration.py: a new server inherits the launch configuration template."""

    def _launch_configuration_for_deleted_server(self, server: "SourceServer") -> None:
        """launch_configuration.py: clean up launch configuration and EC2 launch template."""

    def _launch_actions_for_deleted_server(self, server: "SourceServer") -> None:
        """launch_actions.py: forget the deleted server's launch actions."""

    def _recovery_instances_before_replication_change(self, server: "SourceServer", operation: str) -> None:
        """recovery_instances.py: veto (ConflictException) what a recovery instance forbids."""

    def _recovery_instances_before_server_deleted(self, server: "SourceServer") -> None:
        """recovery_instances.py: veto deleting a server whose recovery instance still exists."""
