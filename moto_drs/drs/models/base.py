"""DrsBackendCore: what every resource family of the DRS backend shares.

Each family (source servers, configuration, jobs, ...) is a subclass of this core, and
``DrsBackend`` combines them. The core holds the account's initialization, the lock, tagging, and
the hooks through which one family reacts to another; a hook is a no-op here and the family
that cares overrides it, so families never import each other.
"""

import json
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from moto.core.base_backend import BaseBackend
from moto.core.model import ServiceModel
from moto.core.utils import get_service_model
from moto.utilities.tagging_service import TaggingService
from moto.utilities.utils import get_partition

from ..exceptions import (
    ResourceNotFoundException,
    UninitializedAccountException,
    ValidationException,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from .jobs import Job
    from .recovery_instances import RecoveryInstance
    from .source_servers import RecoverySnapshot, SourceServer

# The roles InitializeService creates (DRS user guide, "Initializing Elastic Disaster Recovery").
SERVICE_ROLES = [
    (
        "AWSServiceRoleForElasticDisasterRecovery",
        "/aws-service-role/drs.amazonaws.com/",
        "drs.amazonaws.com",
    ),
    (
        "AWSElasticDisasterRecoveryReplicationServerRole",
        "/service-role/",
        "ec2.amazonaws.com",
    ),
    (
        "AWSElasticDisasterRecoveryConversionServerRole",
        "/service-role/",
        "ec2.amazonaws.com",
    ),
    (
        "AWSElasticDisasterRecoveryRecoveryInstanceRole",
        "/service-role/",
        "ec2.amazonaws.com",
    ),
    ("AWSElasticDisasterRecoveryAgentRole", "/service-role/", "drs.amazonaws.com"),
    ("AWSElasticDisasterRecoveryFailbackRole", "/service-role/", "drs.amazonaws.com"),
    (
        "AWSElasticDisasterRecoveryRecoveryInstanceWithLaunchActionsRole",
        "/service-role/",
        "ec2.amazonaws.com",
    ),
]
# The initiation steps of replication into a staging area in AWS: a source server's
# (source_servers.py), and a recovery instance's reversed replication (recovery_instances.py).
INITIATION_STEPS = [
    "WAIT",
    "CREATE_SECURITY_GROUP",
    "LAUNCH_REPLICATION_SERVER",
    "BOOT_REPLICATION_SERVER",
    "AUTHENTICATE_WITH_SERVICE",
    "DOWNLOAD_REPLICATION_SOFTWARE",
    "CREATE_STAGING_DISKS",
    "ATTACH_STAGING_DISKS",
    "PAIR_REPLICATION_SERVER_WITH_AGENT",
    "CONNECT_AGENT_TO_REPLICATION_SERVER",
    "START_DATA_TRANSFER",
]


T = TypeVar("T")


def find_resource(
    resources: Mapping[str, T], identifier: str, resource_type: str, what: str
) -> T:
    """The resource, or ResourceNotFoundException naming it (``what``: "Source server")."""
    resource = resources.get(identifier)
    if resource is None:
        raise ResourceNotFoundException(
            identifier, resource_type, f"{what} {identifier} not found."
        )
    return resource


@lru_cache(maxsize=1)
def drs_service_model() -> ServiceModel:
    """botocore's DRS model, loaded the way moto's serializer expects it, with every operation's
    model built once.

    Why: moto's ``ServiceModel.operation_model`` caches botocore's ``OperationModel`` under the
    same key before it replaces it with its own, so a thread asking for an operation in that
    moment gets botocore's, which has no ``http_trait``: concurrent first requests then answered
    500 (``AttributeError`` in moto's router). Built here, while the import of this service holds
    the import lock, no request can see the cache half-filled.
    """
    model = get_service_model("drs")
    for name in model.operation_names:
        model.operation_model(name)
    return model


drs_service_model()  # at import: see above


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
            statement = {
                "Effect": "Allow",
                "Principal": {"Service": principal},
                "Action": "sts:AssumeRole",
            }
            iam.create_role(
                role_name=name,
                assume_role_policy_document=json.dumps(
                    {"Version": "2012-10-17", "Statement": [statement]}
                ),
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
            raise ResourceNotFoundException(
                arn, "RESOURCE", f"Resource {arn} not found."
            )
        return self.taggable[arn]

    def tag_resource(self, resource_arn: str, tags: dict[str, str]) -> None:
        from ..validation import MAX_TAGS

        self._taggable(resource_arn)
        merged = {**self.tagger.get_tag_dict_for_resource(resource_arn), **tags}
        if (
            len(merged) > MAX_TAGS
        ):  # checked before anything changes: the request is refused whole
            raise ValidationException(
                f"Resource {resource_arn} would have {len(merged)} tags; the maximum is {MAX_TAGS}.",
                field_list=[
                    {
                        "name": "tags",
                        "message": f"A resource can have at most {MAX_TAGS} tags",
                    }
                ],
            )
        self.tagger.tag_resource(
            resource_arn, TaggingService.convert_dict_to_tags_input(tags)
        )

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

    def all_source_servers(self) -> list["SourceServer"]:
        """source_servers.py: every source server of the account and Region."""
        raise NotImplementedError

    def add_source_server(
        self,
        source_properties: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        source_cloud_properties: dict[str, Any] | None = None,
        data_replication_state: str | None = None,
    ) -> "SourceServer":
        """source_servers.py: register a source server (what the replication agent's registration does)."""
        raise NotImplementedError

    def export_bucket_arn(self) -> str | None:
        """launch_configuration.py: the S3 bucket the account chose for source network templates."""
        raise NotImplementedError

    def check_quota(
        self,
        name: str,
        wanted: int,
        resource_id: str | None = None,
        resource_type: str | None = None,
    ) -> None:
        """quotas.py: ServiceQuotaExceededException (naming the resource, if given) past the quota."""
        raise NotImplementedError

    def quota_limit(self, name: str) -> int:
        """quotas.py: the current value of quota ``name`` (to skip counting far below it)."""
        raise NotImplementedError

    def launch_settings_for(self, server: "SourceServer") -> dict[str, Any]:
        """launch_configuration.py: what a recovery launch of ``server`` uses (see its docstring)."""
        raise NotImplementedError

    def replication_settings_for(self, server: "SourceServer") -> dict[str, Any]:
        """replication_configuration.py: the server's replication settings (API member names;
        read only), e.g. the staging subnet and staging-area tags a conversion server uses."""
        raise NotImplementedError

    def create_job(
        self,
        job_type: str,
        initiated_by: str,
        participants: list[tuple[str, str | None]],
        tags: dict[str, str] | None,
        on_started: "Callable[[Job], None]",
        on_completed: "Callable[[Job], None]",
    ) -> "Job":
        """jobs.py: a PENDING job of (source server ID, recovery instance ID) pairs; the callbacks
        apply its effects when the state manager moves it to STARTED and COMPLETED."""
        raise NotImplementedError

    def settle_jobs(self) -> None:
        """jobs.py: let active jobs catch up with the state manager (call before reading job effects)."""
        raise NotImplementedError

    def active_job_of(self, source_server_id: str) -> "Job | None":
        """jobs.py: the job not yet COMPLETED that includes the source server."""
        raise NotImplementedError

    def check_job_capacity(self, source_server_ids: list[str], field: str) -> None:
        """jobs.py: ValidationException for a repeated server, ServiceQuotaExceededException past a job quota."""
        raise NotImplementedError

    def start_recovery(
        self,
        source_servers: list[dict[str, str]],
        is_drill: bool | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """jobs.py: StartRecovery (every check, then a LAUNCH job); the job as DescribeJobs shows it."""
        raise NotImplementedError

    def get_job(self, job_id: str) -> "Job | None":
        """jobs.py: the job with this ID, or None (never created, or deleted)."""
        raise NotImplementedError

    def get_recovery_instance(self, recovery_instance_id: str) -> "RecoveryInstance":
        """recovery_instances.py: the recovery instance, or ResourceNotFoundException."""
        raise NotImplementedError

    def launch_recovery_instance(
        self,
        server: "SourceServer",
        job_id: str,
        is_drill: bool,
        snapshot: "RecoverySnapshot",
        settings: dict[str, Any],
    ) -> tuple[str | None, str | None]:
        """recovery_instances.py: run the recovery instance in EC2: (its ID, None) or (None, the reason)."""
        raise NotImplementedError

    def discard_recovery_instance(
        self, recovery_instance_id: str, terminate_ec2: bool
    ) -> None:
        """recovery_instances.py: forget a recovery instance, terminating its EC2 instance if asked."""
        raise NotImplementedError

    def get_launch_configuration_template(self, template_id: str) -> Any:
        """launch_configuration.py: the launch configuration template, or ResourceNotFoundException."""
        raise NotImplementedError

    def emit_event(
        self,
        detail_type: str,
        resources: list[str],
        detail: dict[str, Any],
        time: "datetime | None" = None,
    ) -> None:
        """events.py: publish a DRS event (source ``aws.drs``, the ``detail-type`` and ``detail``
        of the EventBridge events reference for DRS) to the default event bus of this account and
        Region, best effort: it never raises. ``time`` defaults to the DRS clock's now."""

    def events_listening(self) -> bool:
        """events.py: whether a rule on the default bus may match DRS events, so that event
        sources that cost work to compute (the point-in-time schedule) only run when they can
        be delivered."""
        return False

    # -- hooks: the backend calls these; families override the ones they care about ----------------

    def after_source_server_added(self, server: "SourceServer") -> None:
        """Called once a seeded source server exists."""
        self._replication_configuration_for_new_server(server)
        self._launch_configuration_for_new_server(server)
        self._launch_actions_for_new_server(server)
        self._source_networks_for_new_server(server)

    def before_source_server_read(self, server: "SourceServer") -> None:
        """Called before a source server is looked up or described."""
        self._staging_before_server_read(server)

    def before_operation(self) -> None:
        """Called under the lock before every DRS operation."""
        self._pit_snapshots_before_operation()

    def before_replication_change(self, server: "SourceServer", operation: str) -> None:
        """Called before Stop/StartReplication or DisconnectSourceServer change a server."""
        self._recovery_instances_before_replication_change(server, operation)
        self._staging_before_replication_change(
            server, operation
        )  # last: it records a disconnect

    def before_source_server_deleted(self, server: "SourceServer") -> None:
        """Called before a disconnected source server is deleted."""
        self._recovery_instances_before_server_deleted(server)
        self._launch_actions_for_deleted_server(server)
        self._launch_configuration_for_deleted_server(server)
        self._replication_configuration_for_deleted_server(server)

    def before_launch_configuration_template_deleted(self, template_id: str) -> None:
        """Called before a launch configuration template is deleted."""
        self._launch_actions_for_deleted_template(template_id)

    def _replication_configuration_for_new_server(self, server: "SourceServer") -> None:
        """replication_configuration.py: a new server takes the account's template settings."""

    def _replication_configuration_for_deleted_server(
        self, server: "SourceServer"
    ) -> None:
        """replication_configuration.py: forget the deleted server's settings."""

    def _launch_configuration_for_new_server(self, server: "SourceServer") -> None:
        """launch_configuration.py: a new server inherits the launch configuration template."""

    def _launch_configuration_for_deleted_server(self, server: "SourceServer") -> None:
        """launch_configuration.py: clean up launch configuration and EC2 launch template."""

    def _launch_actions_for_deleted_server(self, server: "SourceServer") -> None:
        """launch_actions.py: forget the deleted server's launch actions."""

    def _launch_actions_for_new_server(self, server: "SourceServer") -> None:
        """launch_actions.py: a new server copies the launch configuration template's actions."""

    def _launch_actions_for_deleted_template(self, template_id: str) -> None:
        """launch_actions.py: forget the deleted launch configuration template's actions."""

    def _recovery_instances_before_replication_change(
        self, server: "SourceServer", operation: str
    ) -> None:
        """recovery_instances.py: veto (ConflictException) what a recovery instance forbids."""

    def _recovery_instances_before_server_deleted(self, server: "SourceServer") -> None:
        """recovery_instances.py: veto deleting a server whose recovery instance still exists."""

    def _source_networks_for_new_server(self, server: "SourceServer") -> None:
        """source_networks.py: a server whose origin instance is in a protected VPC joins its source network."""

    def _staging_before_server_read(self, server: "SourceServer") -> None:
        """staging.py: an extended source server mirrors its staging source server."""

    def _replication_configuration_mirror_staging(
        self,
        server: "SourceServer",
        staging_backend: Any,
        staging_server: "SourceServer",
    ) -> None:
        """replication_configuration.py: an extended server shows its staging server's settings."""

    def _pit_snapshots_before_operation(self) -> None:
        """source_servers.py: when DRS events may be delivered, bring every server's
        point-in-time schedule up to date (its "DRS PIT Snapshot Taken" events)."""

    def _staging_before_replication_change(
        self, server: "SourceServer", operation: str
    ) -> None:
        """staging.py: veto (ConflictException) replication changes the staging account owns."""
