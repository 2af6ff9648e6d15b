"""Failback: failback replication configuration, failback launches, StopFailback, ReverseReplication.

A recovery instance's failback replication starts when a failback client connects to it (on
premises; seeded with ``connect_failback_client``, as the client's own calls do in real DRS) or
when ReverseReplication starts replicating an EC2-origin instance back to its origin Region. It
then progresses through the state manager (model ``drs::recovery-instance-failback``) from
FAILBACK_IN_PROGRESS to FAILBACK_READY_FOR_LAUNCH, when StartFailbackLaunch may run a LAUNCH job
(initiated by FAILBACK) that ends in FAILBACK_COMPLETED. Source: the DRS user guide, "Performing a
failback" (/drs/latest/userguide/failback-performing-main.html).
"""

from typing import TYPE_CHECKING, Any

from moto.moto_api._internal import mock_random

from ..exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ThrottlingException,
    ValidationException,
)
from ..validation import reject_repeated
from .base import DrsBackendCore
from .ec2_integration import ec2_of, launch_into_problem

if TYPE_CHECKING:
    from .jobs import Job
    from .recovery_instances import RecoveryInstance
    from .source_servers import SourceServer

# EventBridge events reference for DRS; the DRS user guide's samples give its detail.
FAILBACK_STATE_CHANGE = "DRS Recovery Instance Failback State Change"
# How long ReverseReplication waits for the origin Region's backend before asking to retry.
ORIGIN_LOCK_TIMEOUT_SECONDS = 10


class FailbackOperations(DrsBackendCore):
    def _init_failback(self) -> None:
        """Failback state lives on each recovery instance; nothing is account-wide."""

    # -- failback replication configuration --------------------------------------------------------

    def get_failback_replication_configuration(
        self, recovery_instance_id: str
    ) -> dict[str, Any]:
        self.settle_jobs()
        instance = self.get_recovery_instance(recovery_instance_id)
        return {
            "recoveryInstanceID": recovery_instance_id,
            **instance.failback_configuration,
        }

    def update_failback_replication_configuration(
        self,
        recovery_instance_id: str,
        name: str | None = None,
        bandwidth_throttling: int | None = None,
        use_private_ip: bool | None = None,
        internet_protocol: str | None = None,
    ) -> None:
        """Only the members supplied change."""
        self.settle_jobs()
        instance = self.get_recovery_instance(recovery_instance_id)
        supplied = {
            "name": name,
            "bandwidthThrottling": bandwidth_throttling,
            "usePrivateIP": use_private_ip,
            "internetProtocol": internet_protocol,
        }
        instance.failback_configuration.update(
            {key: value for key, value in supplied.items() if value is not None}
        )

    # -- starting failback replication -------------------------------------------------------------

    def connect_failback_client(
        self, recovery_instance_id: str, failback_to_original_server: bool = True
    ) -> "RecoveryInstance":
        """Seeding: a failback client booted on premises pairs with the recovery instance."""
        instance = self.get_recovery_instance(recovery_instance_id)
        self._ensure_can_replicate_back(instance)
        instance.failback.start_from_client(
            str(mock_random.uuid4()), failback_to_original_server
        )
        self.emit_event(
            FAILBACK_STATE_CHANGE, [instance.arn], {"state": "FAILBACK_IN_PROGRESS"}
        )
        return instance

    def _ensure_can_replicate_back(self, instance: "RecoveryInstance") -> None:
        self.settle_jobs()
        problem = None
        if instance.disconnected:
            problem = "it is disconnected"
        elif instance.failback.launching:
            problem = f"its failback launch job {instance.failback.launch_job_id} is in progress"
        if problem:
            raise ConflictException(
                f"Cannot start failback replication of recovery instance {instance.recovery_instance_id}: {problem}.",
                instance.recovery_instance_id,
                "RECOVERY_INSTANCE",
            )

    def stop_failback(self, recovery_instance_id: str) -> None:
        """ "Changes the Failback State of the Recovery Instance back to FAILBACK_NOT_STARTED" (API reference)."""
        self.settle_jobs()
        instance = self.get_recovery_instance(recovery_instance_id)
        instance.failback.stop()

    # -- StartFailbackLaunch -----------------------------------------------------------------------

    def start_failback_launch(
        self, recovery_instance_ids: list[str], tags: dict[str, str] | None = None
    ) -> dict[str, Any]:
        self.settle_jobs()
        instances = [
            self._recovery_instance_to_launch(recovery_instance_id, index)
            for index, recovery_instance_id in enumerate(recovery_instance_ids)
        ]
        for instance in instances:
            state = instance.failback.state
            if instance.disconnected or state != "FAILBACK_READY_FOR_LAUNCH":
                raise ConflictException(
                    f"Cannot start failback launch of recovery instance {instance.recovery_instance_id}: its "
                    f"failback state is {state}, not FAILBACK_READY_FOR_LAUNCH.",
                    instance.recovery_instance_id,
                    "RECOVERY_INSTANCE",
                )
        reject_repeated(
            recovery_instance_ids, "recoveryInstanceIDs", "Recovery instance"
        )
        self.check_job_capacity(
            [instance.source_server_id for instance in instances], "recoveryInstanceIDs"
        )
        job = self.create_job(
            "LAUNCH",
            "FAILBACK",
            [
                (instance.source_server_id, instance.recovery_instance_id)
                for instance in instances
            ],
            tags,
            self._failback_launch_started,
            self._failback_launch_completed,
        )
        for instance in instances:
            instance.failback.begin_launch(
                job.job_id, "DRILL" if instance.is_drill else "RECOVERY"
            )
        created = job.describe()
        self.settle_jobs()
        return created

    def _recovery_instance_to_launch(
        self, recovery_instance_id: str, index: int
    ) -> "RecoveryInstance":
        """The model lists ValidationException, not ResourceNotFoundException, for
        StartFailbackLaunch: an unknown ID is a field error naming it."""
        instance = self._recovery_instance_or_none(recovery_instance_id)
        if instance is None:
            raise ValidationException(
                f"Recovery instance {recovery_instance_id} does not exist in account "
                f"{self.account_id}, {self.region_name}.",
                field_list=[
                    {
                        "name": f"recoveryInstanceIDs[{index}]",
                        "message": "Unknown recovery instance",
                    }
                ],
            )
        return instance

    def _failback_launch_started(self, job: "Job") -> None:
        """The conversion runs on the failback client (so there is no conversion server)."""
        for participant in job.participants:
            participant.launch_status = "IN_PROGRESS"
        for event in ("CONVERSION_START", "CONVERSION_END"):
            for participant in job.participants:
                job.log(event, sourceServerID=participant.source_server_id)

    def _failback_launch_completed(self, job: "Job") -> None:
        """LAUNCH_START for every server, then each server's LAUNCH_END or LAUNCH_FAILED.

        The failback machine is no EC2 instance, so LAUNCH_END names no targetInstanceID.
        """
        for participant in job.participants:
            job.log("LAUNCH_START", sourceServerID=participant.source_server_id)
        for participant in job.participants:
            instance = self._recovery_instance_or_none(
                participant.recovery_instance_id or ""
            )
            launched = instance is not None and instance.failback.finish_launch(
                job.job_id
            )
            if instance is not None and launched:
                participant.launch_status = "LAUNCHED"
                job.log("LAUNCH_END", sourceServerID=participant.source_server_id)
                self.emit_event(
                    FAILBACK_STATE_CHANGE,
                    [instance.arn],
                    {"state": "FAILBACK_COMPLETED"},
                )
            else:
                if instance is not None:
                    self.emit_event(
                        FAILBACK_STATE_CHANGE,
                        [instance.arn],
                        {"state": "FAILBACK_ERROR"},
                    )
                participant.launch_status = "FAILED"
                job.log(
                    "LAUNCH_FAILED",
                    sourceServerID=participant.source_server_id,
                    rawError="Failback was stopped before the failback machine was launched.",
                )
            server = self._source_server_or_none(participant.source_server_id)
            if server is not None:
                self.emit_event(
                    "DRS Source Server Launch Result",
                    [server.arn],
                    {
                        "state": "RECOVERY_LAUNCH_SUCCEEDED"
                        if launched
                        else "RECOVERY_LAUNCH_FAILED",
                        "job-id": job.job_id,
                        "is-drill": "TRUE"
                        if instance is not None and instance.is_drill
                        else "FALSE",
                    },
                )

    def _source_server_or_none(self, source_server_id: str) -> "SourceServer | None":
        try:
            return self.get_source_server(source_server_id)
        except ResourceNotFoundException:
            return None

    def _recovery_instance_or_none(
        self, recovery_instance_id: str
    ) -> "RecoveryInstance | None":
        try:
            return self.get_recovery_instance(recovery_instance_id)
        except ResourceNotFoundException:
            return None

    # -- ReverseReplication ------------------------------------------------------------------------

    def reverse_replication(self, recovery_instance_id: str) -> str:
        """Replicate an EC2-origin recovery instance back to its origin Region (API reference)."""
        self.settle_jobs()
        instance = self.get_recovery_instance(recovery_instance_id)
        server = self.get_source_server(instance.source_server_id)
        if instance.origin_environment != "AWS":
            raise ConflictException(
                f"Cannot reverse replication of recovery instance {recovery_instance_id}: reverse replication "
                "applies only to instances that originated in EC2, and its source server is on premises.",
                recovery_instance_id,
                "RECOVERY_INSTANCE",
            )
        self._ensure_can_replicate_back(instance)
        origin = self._origin_backend(server, recovery_instance_id)
        if not origin.lock.acquire(timeout=ORIGIN_LOCK_TIMEOUT_SECONDS):
            raise ThrottlingException(
                "The origin Region is busy; retry ReverseReplication."
            )
        try:  # the origin backend is only read or changed under its own lock
            if not origin.initialized:
                origin.initialize_service()
            reversed_server = self._reversed_server(origin, server)
            target = self._source_instance_to_launch_into(
                origin, server, reversed_server
            )
            if reversed_server is None:
                reversed_server = self._add_reversed_server(origin, server, instance)
            reversed_server.reversed_direction_source_server_arn = server.arn
            if target is not None:
                origin.update_launch_configuration(
                    reversed_server.source_server_id,
                    launch_into_instance_properties={"launchIntoEC2InstanceID": target},
                )
        finally:
            origin.lock.release()
        server.reversed_direction_source_server_arn = reversed_server.arn
        if (
            not instance.failback.replicating
            or instance.failback.status == "FAILBACK_NOT_STARTED"
        ):
            instance.failback.start_reversed()
            self.emit_event(
                FAILBACK_STATE_CHANGE, [instance.arn], {"state": "FAILBACK_IN_PROGRESS"}
            )
        return str(reversed_server.arn)

    def _origin_backend(self, server: "SourceServer", recovery_instance_id: str) -> Any:
        """The DRS backend of the Region the server came from (reverse_replication initializes it under its lock)."""
        from . import drs_backends

        cloud = server.source_cloud_properties
        account_id = cloud.get("originAccountID") or self.account_id
        region_name = cloud["originRegion"]
        regions = drs_backends[account_id]
        if region_name not in regions:
            raise ConflictException(
                f"Cannot reverse replication of recovery instance {recovery_instance_id}: its origin Region "
                f"{region_name} is not served by Elastic Disaster Recovery.",
                recovery_instance_id,
                "RECOVERY_INSTANCE",
            )
        return regions[region_name]

    @staticmethod
    def _source_instance_to_launch_into(
        origin: Any, server: "SourceServer", reversed_server: "SourceServer | None"
    ) -> str | None:
        """The origin's instance the reversed server launches into, if the origin Region's launch
        configuration template has launchIntoSourceInstance; ConflictException if DRS may not.

        The user guide ("Launch into source instance"): Start reversed replication sets the
        reversed server's launch-into instance to "the instance in the first region they
        initially launched from", and "will fail to create a source server" unless that instance
        carries AWSDRS=AllowLaunchingIntoThisInstance. Checked before anything is created.
        """
        templates = origin.launch_configuration_templates.values()
        if not any(t.settings.get("launchIntoSourceInstance") for t in templates):
            return None
        hints = server.source_properties.get("identificationHints", {})
        instance_id = hints.get("awsInstanceID")
        if not instance_id:
            return None
        problem = launch_into_problem(
            ec2_of(origin.account_id, origin.region_name), instance_id
        )
        mine = reversed_server.source_server_id if reversed_server else None
        owners = {
            config.server.source_server_id
            for config in origin.launch_configurations.values()
            if config.launch_into_instance_id == instance_id
        }
        owner = origin.recovery_instances.get(instance_id)
        if owner is not None:
            owners.add(owner.source_server_id)
        if problem is None and owners - {mine}:
            problem = f"it is the launch target of source server {min(owners - {mine})}"
        if problem:
            raise ConflictException(
                f"Cannot launch into source instance {instance_id}: {problem}.",
                instance_id,
                "EC2_INSTANCE",
            )
        return str(instance_id)

    @staticmethod
    def _reversed_server(origin: Any, server: "SourceServer") -> "SourceServer | None":
        """The server already replicating in the other direction, if it still replicates."""
        arn = server.reversed_direction_source_server_arn
        if not arn:
            return None
        existing = origin.source_servers.get(arn.rsplit("/", 1)[-1])
        if existing is None or existing.data_replication_state == "DISCONNECTED":
            return None
        return existing

    def _add_reversed_server(
        self, origin: Any, server: "SourceServer", instance: "RecoveryInstance"
    ) -> "SourceServer":
        """The recovery instance, registered as a FAILBACK-direction source server in the origin Region."""
        properties = {
            key: value
            for key, value in server.source_properties.items()
            if key != "lastUpdatedDateTime"
        }
        recovered = instance.properties
        properties["identificationHints"] = dict(recovered["identificationHints"])
        properties["networkInterfaces"] = recovered["networkInterfaces"]
        properties["disks"] = [
            {"deviceName": disk.get("internalDeviceName", ""), "bytes": disk["bytes"]}
            for disk in recovered["disks"]
        ]
        properties["recommendedInstanceType"] = instance.instance_type
        cloud = {
            "originAccountID": self.account_id,
            "originRegion": self.region_name,
            "originAvailabilityZone": instance.availability_zone,
        }
        reversed_server = origin.add_source_server(
            source_properties=properties, source_cloud_properties=cloud
        )
        reversed_server.replication_direction = "FAILBACK"
        return reversed_server
