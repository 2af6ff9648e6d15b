"""DrsBackend: the state of Elastic Disaster Recovery for one account and region.

The backend is assembled from one mixin per resource family (source servers, configuration,
jobs, ...); each family lives in its own module. Hooks such as ``after_source_server_added``
are where one family reacts to another, so the families stay independent of each other.
"""

import json
import threading
from functools import lru_cache
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.model import ServiceModel
from moto.core.utils import get_service_model
from moto.moto_api import state_manager
from moto.utilities.tagging_service import TaggingService
from moto.utilities.utils import get_partition

from ..exceptions import ResourceNotFoundException, UninitializedAccountException
from .jobs import JobOperations
from .launch_actions import LaunchActionOperations
from .launch_configuration import LaunchConfigurationOperations
from .quotas import QuotaOperations
from .recovery_instances import RecoveryInstanceOperations
from .replication_configuration import ReplicationConfigurationOperations
from .source_servers import SOURCE_SERVER_MODEL, SourceServer, SourceServerOperations


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


class DrsBackend(
    SourceServerOperations,
    ReplicationConfigurationOperations,
    LaunchConfigurationOperations,
    LaunchActionOperations,
    JobOperations,
    RecoveryInstanceOperations,
    QuotaOperations,
    BaseBackend,
):
    """Implementation of the Elastic Disaster Recovery APIs."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        # One lock per account and region: every operation runs under it, so that concurrent
        # server-mode clients see each change whole.
        self.lock = threading.RLock()
        self.initialized = False
        self.source_servers: dict[str, SourceServer] = {}
        self.tagger = TaggingService()
        self.taggable: dict[str, Any] = {}
        self._init_quotas()
        self._init_replication_configuration()
        self._init_launch_configuration()
        self._init_launch_actions()
        self._init_jobs()
        self._init_recovery_instances()

    @property
    def service_model(self) -> ServiceModel:
        return drs_service_model()

    # -- account initialization -----------------------------------------------------------------

    def initialize_service(self) -> None:
        """Idempotent, per account and region; creates the IAM roles DRS's user guide lists."""
        self._create_service_roles()
        self.initialized = True

    def _create_service_roles(self) -> None:
        from moto.iam.models import iam_backends

        iam = iam_backends[self.account_id][get_partition(self.region_name)]
        existing = {role.name for role in iam.get_roles()}
        for name, path, principal in SERVICE_ROLES:
            if name not in existing:
                trust = json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
                        ],
                    }
                )
                iam.create_role(
                    role_name=name,
                    assume_role_policy_document=trust,
                    path=path,
                    permissions_boundary=None,
                    description="Created by Elastic Disaster Recovery",
                    tags=[],
                    max_session_duration="3600",
                )

    def ensure_initialized(self) -> None:
        """Real DRS answers every call but InitializeService this way until the account is set up."""
        if not self.initialized:
            raise UninitializedAccountException()

    # -- tagging ----------------------------------------------------------------------------------

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

    # -- hooks between resource families --------------------------------------------------------

    def after_source_server_added(self, server: SourceServer) -> None:
        """Called once a seeded source server exists."""
        self._replication_configuration_for_new_server(server)
        self._launch_configuration_for_new_server(server)

    def before_replication_change(self, server: SourceServer, operation: str) -> None:
        """Called before Stop/StartReplication or DisconnectSourceServer change a server."""
        self._recovery_instances_before_replication_change(server, operation)

    def before_source_server_deleted(self, server: SourceServer) -> None:
        """Called before a disconnected source server is deleted."""
        self._recovery_instances_before_server_deleted(server)
        self._launch_actions_for_deleted_server(server)
        self._launch_configuration_for_deleted_server(server)
        self._replication_configuration_for_deleted_server(server)


state_manager.register_default_transition(SOURCE_SERVER_MODEL, transition={"progression": "immediate"})

drs_backends = BackendDict(DrsBackend, "drs")
