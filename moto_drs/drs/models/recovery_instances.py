"""Recovery instances: what a launch leaves behind, backed by a real instance in moto's EC2.

A recovery instance's ID is its EC2 instance ID; DescribeRecoveryInstances reads the EC2 state
live, so an instance stopped or terminated through EC2 shows so in DRS. Each recovery instance
carries its failback replication (``RecoveryInstanceFailback``, state-manager model
``drs::recovery-instance-failback``), which the failback operations (failback.py) drive.
Source: the API reference of RecoveryInstance (/drs/latest/APIReference/API_RecoveryInstance.html).
"""

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from moto.core.common_models import BaseModel
from moto.core.exceptions import ServiceException

from ..exceptions import ConflictException, ResourceNotFoundException
from ..utils import FrozenItem, drs_arn, iso, now
from ..validation import reject_repeated
from .base import INITIATION_STEPS, DrsBackendCore, find_resource
from .ec2_integration import (
    MANAGED_TAG_KEY,
    MANAGED_TAG_VALUE,
    SOURCE_SERVER_TAG_KEY,
    default_subnet_id,
    default_version_data,
    ec2_of,
    find_instance,
    launch_into_problem,
    launch_template_exists,
    replace_volumes,
    run_instance,
    terminate_instance,
)
from .kept_descriptions import ForgetsDescriptionOnChange
from .managed_state import DrsManagedState
from .paging import paginate_list

if TYPE_CHECKING:
    from .jobs import Job
    from .source_servers import RecoverySnapshot, SourceServer

LOG = logging.getLogger(__name__)
FAILBACK_MODEL = "drs::recovery-instance-failback"
FAILBACK_PROGRESSION: list[tuple[str | None, str]] = [
    ("FAILBACK_IN_PROGRESS", "FAILBACK_READY_FOR_LAUNCH")
]
GIB = 1024**3
INITIAL_SYNC_ETA = timedelta(
    minutes=30
)  # what the mock promises while failback replication syncs
# Initiation steps of failback replication to a failback client (on premises) ...
FAILBACK_CLIENT_STEPS = [
    "LINK_FAILBACK_CLIENT_WITH_RECOVERY_INSTANCE",
    "COMPLETE_VOLUME_MAPPING",
    "ESTABLISH_RECOVERY_INSTANCE_COMMUNICATION",
    "DOWNLOAD_REPLICATION_SOFTWARE_TO_FAILBACK_CLIENT",
    "CONFIGURE_REPLICATION_SOFTWARE",
    "PAIR_AGENT_WITH_REPLICATION_SOFTWARE",
    "ESTABLISH_AGENT_REPLICATOR_SOFTWARE_COMMUNICATION",
]
# ... and of reversed replication to a staging area in AWS (ReverseReplication): base.INITIATION_STEPS.
# moto's AMIs that recovery instances boot from (the mock does not convert disks into an AMI).
AMI_LINUX_X86 = "ami-04681a1dbd79675a5"  # amzn2-ami-hvm-2.0.20180810-x86_64-gp2
AMI_LINUX_ARM = (
    "ami-0e9271c829888680e"  # al2022-ami-2022.0.20220728.1-kernel-5.15-arm64
)
AMI_WINDOWS = "ami-b7e93bce"  # Windows_Server-2016-English-Full-Base-2017.10.13
# what a recovery instance keeps of its last description: (EC2 state, tags, description) or
# None; one list shared with its failback, whose changes empty it too
Kept = list[tuple[str, tuple[tuple[str, Any], ...] | None, FrozenItem] | None]
# what the state manager sets on a read while failback cannot move: not in the description
UNDESCRIBED_FAILBACK_ATTRIBUTES = frozenset({"_tick", "_time_progressed"})


class RecoveryInstanceFailback(ForgetsDescriptionOnChange, BaseModel, DrsManagedState):
    """Failback replication of a recovery instance: FAILBACK_IN_PROGRESS -> FAILBACK_READY_FOR_LAUNCH.

    Only that move is the state manager's; the others are set by operations: FAILBACK_NOT_STARTED
    (launch, StopFailback), FAILBACK_IN_PROGRESS (a failback client connects, ReverseReplication),
    FAILBACK_COMPLETED (the failback launch job completes).
    """

    # its recovery instance sets ``_kept`` to its own: any change of the failback forgets it
    undescribed = UNDESCRIBED_FAILBACK_ATTRIBUTES

    def __init__(self) -> None:
        DrsManagedState.__init__(self, FAILBACK_MODEL, transitions=FAILBACK_PROGRESSION)
        self.stop()

    @property
    def settled(self) -> bool:
        """Its description reads no clock and shows no status that the state manager could
        move: it stays the same until an attribute changes."""
        return (
            self.initiated_at is None
            and self.client_id is None
            and self._get_next_status(self._status) == self._status
        )

    def stop(self) -> None:
        self.status = "FAILBACK_NOT_STARTED"
        self.client_id: str | None = None
        self.to_original_server: bool | None = None
        self.initiated_at: datetime | None = None
        self.steps: list[str] = []
        self.launch_job_id: str | None = None
        self.launch_type: str | None = None
        self.launching = False

    def start_from_client(self, client_id: str, to_original_server: bool) -> None:
        """A failback client (on premises) paired with the recovery instance."""
        self._start(FAILBACK_CLIENT_STEPS, client_id, to_original_server)

    def start_reversed(self) -> None:
        """ReverseReplication: replication back to the origin Region's staging area."""
        self._start(INITIATION_STEPS, None, None)

    def _start(
        self, steps: list[str], client_id: str | None, to_original_server: bool | None
    ) -> None:
        self.status = "FAILBACK_IN_PROGRESS"
        self.restart_progression()
        self.client_id = client_id
        self.to_original_server = to_original_server
        self.initiated_at = now()
        self.steps = steps
        self.launching = False

    def begin_launch(self, job_id: str, launch_type: str) -> None:
        """StartFailbackLaunch: the failback launch job ``job_id`` runs."""
        self.launch_job_id = job_id
        self.launch_type = launch_type
        self.launching = True

    def finish_launch(self, job_id: str) -> bool:
        """The failback launch job completed; False if failback was stopped (or restarted) meanwhile."""
        if not self.launching or self.launch_job_id != job_id:
            return False
        self.launching = False
        self.status = "FAILBACK_COMPLETED"
        return True

    @property
    def replicating(self) -> bool:
        return self.initiated_at is not None

    @property
    def state(self) -> str:
        """The FailbackState clients see; a failback launch in progress shows FAILBACK_IN_PROGRESS."""
        if self.launching:
            return "FAILBACK_IN_PROGRESS"
        return str(self.status)

    def describe(self) -> dict[str, Any]:
        failback: dict[str, Any] = {"state": self.state}
        if self.launch_type is not None:
            failback["failbackLaunchType"] = self.launch_type
        if self.initiated_at is not None:
            failback["failbackInitiationTime"] = iso(self.initiated_at)
            failback["firstByteDateTime"] = iso(self.initiated_at)
            failback["agentLastSeenByServiceDateTime"] = iso(now())
        if self.client_id is not None:
            failback["failbackClientID"] = self.client_id
            failback["failbackClientLastSeenByServiceDateTime"] = iso(now())
        if self.to_original_server is not None:
            failback["failbackToOriginalServer"] = self.to_original_server
        if self.launch_job_id is not None:
            failback["failbackJobID"] = self.launch_job_id
        return failback


class RecoveryInstance(ForgetsDescriptionOnChange, BaseModel):
    """An EC2 instance DRS launched for a source server (drill or recovery)."""

    # the EC2 reservation of the launch: look-ups go straight to it (ec2_integration.find_instance)
    reservation_id: str | None = None

    def __init__(
        self,
        backend: DrsBackendCore,
        instance: Any,
        server: "SourceServer",
        job_id: str,
        is_drill: bool,
        snapshot: "RecoverySnapshot",
    ) -> None:
        # the last description, kept while nothing it shows changes: setting an attribute of
        # the instance or of its failback forgets it; EC2 state and tags are compared on reads
        self._kept: Kept = [None]
        self._backend = backend
        self.recovery_instance_id: str = instance.id
        self.arn = drs_arn(
            backend.region_name, backend.account_id, f"recovery-instance/{instance.id}"
        )
        self.source_server_id = server.source_server_id
        self.job_id = job_id
        self.is_drill = is_drill
        self.point_in_time = snapshot.timestamp
        cloud = server.source_cloud_properties
        self.origin_environment = "AWS" if cloud.get("originRegion") else "ON_PREMISES"
        self.origin_availability_zone: str | None = cloud.get("originAvailabilityZone")
        self.agent_version = server.agent_version
        self.availability_zone: str = (
            instance.placement.zone or f"{backend.region_name}a"
        )
        self.instance_type: str = instance.instance_type
        self.properties = self._properties(instance, server)
        self.disconnected = False
        self.failback = RecoveryInstanceFailback()
        self.failback._kept = self._kept
        self.failback_configuration: dict[str, Any] = {
            "bandwidthThrottling": 0,
            "usePrivateIP": False,
            "internetProtocol": "IPV4",
        }

    @staticmethod
    def _properties(instance: Any, server: "SourceServer") -> dict[str, Any]:
        """recoveryInstanceProperties: what the DRS agent on the instance reports."""
        source = server.source_properties
        hints = source.get("identificationHints", {})
        disks = []
        source_disks = server.disks
        for index, (_, device) in enumerate(instance.get_block_device_mapping):
            # no ebsVolumeID: botocore's model caps it at 19 characters, and EC2's volume IDs have 21
            disk: dict[str, Any] = {"bytes": int(device.size or 0) * GIB}
            if index < len(source_disks):
                disk["internalDeviceName"] = source_disks[index].get("deviceName", "")
            disks.append(disk)
        interfaces = [
            {
                "macAddress": nic.mac_address,
                "ips": [nic.private_ip_address],
                "isPrimary": nic.device_index == 0,
            }
            for nic in instance.nics.values()
        ]
        properties: dict[str, Any] = {
            "lastUpdatedDateTime": iso(now()),
            "identificationHints": {
                key: hints[key] for key in ("hostname", "fqdn") if hints.get(key)
            },
            "networkInterfaces": interfaces,
            "disks": disks,
        }
        properties["identificationHints"]["awsInstanceID"] = instance.id
        for key in ("cpus", "ramBytes", "os"):
            if key in source:
                properties[key] = source[key]
        return properties

    @property
    def ec2_instance_state(self) -> str:
        return self._ec2_state(
            ec2_of(self._backend.account_id, self._backend.region_name)
        )

    def _ec2_state(self, ec2: Any | None) -> str:
        instance = find_instance(ec2, self.recovery_instance_id, self.reservation_id)
        return "NOT_FOUND" if instance is None else str(instance.state).upper()

    def _replicated_disks(self, fraction: float) -> list[dict[str, Any]]:
        disks = []
        for disk in self.properties["disks"]:
            total = 0 if self.disconnected else int(disk["bytes"])
            replicated = int(total * fraction)
            disks.append(
                {
                    "deviceName": disk.get("internalDeviceName", ""),
                    "totalStorageBytes": total,
                    "replicatedStorageBytes": replicated,
                    "rescannedStorageBytes": 0,
                    "backloggedStorageBytes": total - replicated,
                }
            )
        return disks

    @property
    def data_replication_info(self) -> dict[str, Any]:
        """Replication in the failback direction, as the failback state implies."""
        failback = self.failback
        if self.disconnected:
            return {
                "dataReplicationState": "DISCONNECTED",
                "replicatedDisks": self._replicated_disks(0.0),
            }
        state = failback.state
        if not failback.replicating or state == "FAILBACK_NOT_STARTED":
            return {
                "dataReplicationState": "NOT_STARTED",
                "replicatedDisks": self._replicated_disks(0.0),
            }
        assert failback.initiated_at is not None
        info: dict[str, Any] = {
            "dataReplicationInitiation": {
                "startDateTime": iso(failback.initiated_at),
                "steps": [
                    {"name": step, "status": "SUCCEEDED"} for step in failback.steps
                ],
            },
            "stagingAvailabilityZone": self.availability_zone,
        }
        # (no lagDuration: the model types this one as a date-time, not as a duration)
        if failback.status == "FAILBACK_IN_PROGRESS":
            info["dataReplicationState"] = "INITIAL_SYNC"
            info["replicatedDisks"] = self._replicated_disks(0.5)
            info["etaDateTime"] = iso(now() + INITIAL_SYNC_ETA)
        else:
            info["dataReplicationState"] = "CONTINUOUS"
            info["replicatedDisks"] = self._replicated_disks(1.0)
        return info

    def read(self, ec2: Any | None) -> FrozenItem:
        """``describe`` for a poller: manual progression of failback replication counts it
        (a failback that cannot move, as a kept description's is, has nothing to count)."""
        if self._kept[0] is None:
            self.failback.advance()
        return self.describe(ec2)

    def describe(self, ec2: Any | None = None) -> FrozenItem:
        """The RecoveryInstance as DescribeRecoveryInstances shows it; the same object while
        nothing it shows changed (see ``_kept``). ``ec2``: the Region's EC2 backend, when the
        caller (a page) looked it up once."""
        if ec2 is None:
            ec2 = ec2_of(self._backend.account_id, self._backend.region_name)
        state = self._ec2_state(ec2)  # live: EC2 changes it without DRS
        tags = self._backend.tagger.tags.get(self.arn)
        tag_key = tuple(tags.items()) if tags else None
        kept = self._kept[0]
        if kept is not None and kept[0] == state and kept[1] == tag_key:
            return kept[2]
        item: dict[str, Any] = {
            "ec2InstanceID": self.recovery_instance_id,
            "ec2InstanceState": state,
            "jobID": self.job_id,
            "recoveryInstanceID": self.recovery_instance_id,
            "sourceServerID": self.source_server_id,
            "arn": self.arn,
            "tags": self._backend.tagger.get_tag_dict_for_resource(self.arn),
            "failback": self.failback.describe(),
            "dataReplicationInfo": self.data_replication_info,
            "recoveryInstanceProperties": self.properties,
            "pointInTimeSnapshotDateTime": self.point_in_time,
            "isDrill": self.is_drill,
            "originEnvironment": self.origin_environment,
            "agentVersion": self.agent_version,
        }
        if self.origin_availability_zone:
            item["originAvailabilityZone"] = self.origin_availability_zone
        described = FrozenItem(item)
        if self.failback.settled:
            self._kept[0] = (state, tag_key, described)
        return described


def boot_image(server: "SourceServer") -> str:
    """A moto AMI matching the source's OS and architecture."""
    os_name = str(server.source_properties.get("os", {}).get("fullString", "")).lower()
    if "windows" in os_name:
        return AMI_WINDOWS
    if "arm" in str(server.source_properties.get("architecture", "")).lower():
        return AMI_LINUX_ARM
    return AMI_LINUX_X86


def block_device_mappings(
    server: "SourceServer", image_root_device: str
) -> list[dict[str, Any]]:
    """One EBS volume per source disk; the first is the root device."""
    mappings = []
    for index, disk in enumerate(server.disks):
        device = image_root_device if index == 0 else f"/dev/xvd{chr(ord('a') + index)}"
        size = max(1, -(-int(disk.get("bytes", 0)) // GIB))
        ebs = {"VolumeSize": size, "VolumeType": "gp3", "DeleteOnTermination": True}
        mappings.append({"DeviceName": device, "Ebs": ebs})
    return mappings


class RecoveryInstanceOperations(DrsBackendCore):
    def _init_recovery_instances(self) -> None:
        self.recovery_instances: dict[str, RecoveryInstance] = {}
        # IDs that TerminateRecoveryInstances removed: terminating them again is a conflict
        self.terminated_recovery_instance_ids: set[str] = set()

    def get_recovery_instance(self, recovery_instance_id: str) -> RecoveryInstance:
        return find_resource(
            self.recovery_instances,
            recovery_instance_id,
            "RECOVERY_INSTANCE",
            "Recovery instance",
        )

    def _recovery_instance_to_change(
        self, recovery_instance_id: str, action: str
    ) -> RecoveryInstance:
        """TerminateRecoveryInstances and DeleteRecoveryInstance list no ResourceNotFoundException
        (nor ValidationException) in the model: an ID DRS does not know is a ConflictException
        naming it, as an instance DRS already terminated is."""
        instance = self.recovery_instances.get(recovery_instance_id)
        if instance is None:
            raise ConflictException(
                f"Cannot {action} recovery instance {recovery_instance_id}: "
                f"no such recovery instance in account {self.account_id}, {self.region_name}.",
                recovery_instance_id,
                "RECOVERY_INSTANCE",
            )
        return instance

    # -- launching and discarding, for the jobs ----------------------------------------------------

    def launch_recovery_instance(
        self,
        server: "SourceServer",
        job_id: str,
        is_drill: bool,
        snapshot: "RecoverySnapshot",
        settings: dict[str, Any],
    ) -> tuple[str | None, str | None]:
        """Run the server's recovery instance in EC2: (its ID, None), or (None, why EC2 refused)."""
        ec2 = ec2_of(self.account_id, self.region_name)
        if ec2 is None:
            return None, f"EC2 is not available in {self.region_name}."
        subnet_id = settings.get("subnet_id") or default_subnet_id(ec2)
        if subnet_id is None:
            return (
                None,
                "No subnet to launch into: the launch settings name none and the default VPC has no subnet.",
            )
        tags = {
            MANAGED_TAG_KEY: MANAGED_TAG_VALUE,
            SOURCE_SERVER_TAG_KEY: server.source_server_id,
        }
        if settings.get("copy_tags"):
            tags = {**server.tags, **tags}
        if settings.get("launch_into_instance_id"):
            return self._launch_into_instance(
                ec2, server, job_id, is_drill, snapshot, settings, tags
            )
        image_id = boot_image(server)
        kwargs: dict[str, Any] = {
            "instance_type": settings["instance_type"],
            "is_instance_type_default": False,
            "region_name": self.region_name,
            "subnet_id": subnet_id,
            "security_group_ids": list(settings.get("security_group_ids") or []),
            "tags": {"instance": tags, "volume": tags},
        }
        if settings.get("delete_interface_on_termination"):
            # the primary interface as the template specifies it: EC2 deletes it, and frees
            # its address, when the instance terminates (moto reads only the subnet otherwise)
            kwargs["nics"] = [
                {"DeviceIndex": 0, "SubnetId": subnet_id, "DeleteOnTermination": True}
            ]
        template_id = settings.get("ec2_launch_template_id")
        template_data: dict[str, Any] = {}
        if template_id and launch_template_exists(ec2, template_id):
            kwargs["launch_template"] = {"LaunchTemplateId": template_id}
            template_data = default_version_data(ec2, template_id)
        # Volumes are always explicit (the template's, else one per source disk), so that moto adds
        # no default root volume that the source does not have.
        image = ec2.amis.get(image_id)
        kwargs["block_device_mappings"] = template_data.get(
            "BlockDeviceMappings"
        ) or block_device_mappings(
            server, image.root_device_name if image else "/dev/xvda"
        )
        if settings.get("copy_private_ip"):
            interfaces = server.source_properties.get("networkInterfaces") or []
            primary = next(
                (nic for nic in interfaces if nic.get("isPrimary")),
                interfaces[0] if interfaces else {},
            )
            if primary.get("ips"):
                kwargs["private_ip"] = primary["ips"][0]
        reservation, refused = run_instance(ec2, image_id, **kwargs)
        if reservation is None:
            return None, f"EC2 refused the launch: {refused}"
        instance = reservation.instances[0]
        if settings.get("launch_disposition") == "STOPPED":
            try:
                ec2.stop_instances([instance.id])
            except ServiceException as error:
                # a failed launch leaves no instance behind
                terminate_instance(ec2, instance.id, reservation.id)
                return None, f"EC2 refused the launch: {error.code}: {error.message}"
        return self._record_recovery_instance(
            instance, server, job_id, is_drill, snapshot, reservation.id
        ), None

    def _launch_into_instance(
        self,
        ec2: Any,
        server: "SourceServer",
        job_id: str,
        is_drill: bool,
        snapshot: "RecoverySnapshot",
        settings: dict[str, Any],
        tags: dict[str, str],
    ) -> tuple[str | None, str | None]:
        """Launch "into" an existing instance "instead of launching a new instance" (botocore's
        LaunchIntoInstanceProperties): DRS stops it, swaps its volumes for ones made from the
        snapshot, and starts it as the launch disposition says. Its ID is the recovery instance's.
        """
        instance_id = settings["launch_into_instance_id"]
        problem = launch_into_problem(ec2, instance_id) or self._launch_target_taken(
            instance_id, server.source_server_id
        )
        if problem:
            return None, f"Cannot launch into instance {instance_id}: {problem}."
        instance = find_instance(ec2, instance_id)
        assert instance is not None  # launch_into_problem found it
        root_device = instance.root_device_name or "/dev/xvda"
        devices = block_device_mappings(server, root_device)
        volumes = [
            {
                "device": mapping["DeviceName"],
                "size": mapping["Ebs"]["VolumeSize"],
                "snapshot_id": snapshot.ebs_snapshots[index]
                if index < len(snapshot.ebs_snapshots)
                else None,
            }
            for index, mapping in enumerate(devices)
        ]
        try:
            if instance.state not in ("stopped", "stopping"):
                ec2.stop_instances([instance_id])
            replace_volumes(ec2, instance, volumes, tags)
            ec2.create_tags([instance_id], tags)
            if settings.get("launch_disposition") != "STOPPED":
                ec2.start_instances([instance_id])
        except ServiceException as error:
            return None, f"EC2 refused the launch: {error.code}: {error.message}"
        return self._record_recovery_instance(
            instance, server, job_id, is_drill, snapshot
        ), None

    def _launch_target_taken(
        self, instance_id: str, source_server_id: str
    ) -> str | None:
        """An instance is the launch target of one source server at a time."""
        owner = self.recovery_instances.get(instance_id)
        if owner is not None and owner.source_server_id != source_server_id:
            return (
                f"it is the recovery instance of source server {owner.source_server_id}"
            )
        return None

    def _record_recovery_instance(
        self,
        instance: Any,
        server: "SourceServer",
        job_id: str,
        is_drill: bool,
        snapshot: "RecoverySnapshot",
        reservation_id: str | None = None,
    ) -> str:
        recovery_instance = RecoveryInstance(
            self, instance, server, job_id, is_drill, snapshot
        )
        recovery_instance.reservation_id = reservation_id
        self.recovery_instances[instance.id] = recovery_instance
        self.register_taggable(recovery_instance.arn, recovery_instance)
        server.recovery_instance_id = instance.id
        return str(instance.id)

    def discard_recovery_instance(
        self, recovery_instance_id: str, terminate_ec2: bool
    ) -> None:
        """Forget a recovery instance (terminating its EC2 instance, as DRS's cleanup does, if asked)."""
        recovery_instance = self.recovery_instances.pop(recovery_instance_id, None)
        if recovery_instance is None:
            return
        self.unregister_taggable(recovery_instance.arn)
        if terminate_ec2:
            refused = terminate_instance(
                ec2_of(self.account_id, self.region_name),
                recovery_instance_id,
                recovery_instance.reservation_id,
            )
            if refused:
                # DRS forgets the instance all the same; the mock has nowhere to show this
                LOG.warning("Recovery instance cleanup: %s", refused)
            self.terminated_recovery_instance_ids.add(recovery_instance_id)
        try:
            server = self.get_source_server(recovery_instance.source_server_id)
        except ResourceNotFoundException:
            return
        if server.recovery_instance_id == recovery_instance_id:
            server.recovery_instance_id = None
            last_launch = server.last_launch
            if (
                terminate_ec2
                and last_launch
                and last_launch["initiated"]["jobID"] == recovery_instance.job_id
            ):
                last_launch["status"] = "TERMINATED"

    # -- DescribeRecoveryInstances ------------------------------------------------------------------

    def describe_recovery_instances(
        self,
        filters: dict[str, Any] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        self.settle_jobs()
        filters = filters or {}
        ids = filters.get("recoveryInstanceIDs")
        if ids:
            found = (self.recovery_instances.get(i) for i in dict.fromkeys(ids))
            instances = [instance for instance in found if instance is not None]
        else:
            instances = list(self.recovery_instances.values())
        server_ids = filters.get("sourceServerIDs")
        if server_ids:
            instances = [
                instance
                for instance in instances
                if instance.source_server_id in server_ids
            ]
        page, token = paginate_list(
            instances, "recovery_instance_id", max_results, next_token, filters=filters
        )
        ec2 = ec2_of(self.account_id, self.region_name)  # once, not per item
        return [instance.read(ec2) for instance in page], token

    # -- TerminateRecoveryInstances -----------------------------------------------------------------

    def terminate_recovery_instances(
        self, recovery_instance_ids: list[str]
    ) -> dict[str, Any]:
        self.settle_jobs()
        instances = []
        for recovery_instance_id in recovery_instance_ids:
            if recovery_instance_id in self.terminated_recovery_instance_ids:
                raise ConflictException(
                    f"Recovery instance {recovery_instance_id} has already been terminated.",
                    recovery_instance_id,
                    "RECOVERY_INSTANCE",
                )
            instance = self._recovery_instance_to_change(
                recovery_instance_id, "terminate"
            )
            self._ensure_not_in_job(instance, "terminate")
            instances.append(instance)
        reject_repeated(
            recovery_instance_ids, "recoveryInstanceIDs", "Recovery instance"
        )
        self.check_job_capacity(
            [instance.source_server_id for instance in instances], "recoveryInstanceIDs"
        )
        job = self.create_job(
            "TERMINATE",
            "TERMINATE_RECOVERY_INSTANCES",
            [
                (instance.source_server_id, instance.recovery_instance_id)
                for instance in instances
            ],
            None,
            self._termination_started,
            self._termination_completed,
        )
        created = job.describe()
        self.settle_jobs()
        return created

    def _ensure_not_in_job(self, instance: RecoveryInstance, action: str) -> None:
        job = self.active_job_of(instance.source_server_id)
        if job is not None:
            raise ConflictException(
                f"Cannot {action} recovery instance {instance.recovery_instance_id}: its source server "
                f"{instance.source_server_id} is in job {job.job_id}, which is {job.phase}.",
                instance.recovery_instance_id,
                "RECOVERY_INSTANCE",
            )

    def _termination_started(self, job: "Job") -> None:
        for participant in job.participants:
            participant.launch_status = "IN_PROGRESS"
            job.log(
                "CLEANUP_START",
                sourceServerID=participant.source_server_id,
                targetInstanceID=participant.recovery_instance_id,
            )

    def _termination_completed(self, job: "Job") -> None:
        for participant in job.participants:
            self.discard_recovery_instance(
                participant.recovery_instance_id or "", terminate_ec2=True
            )
            participant.launch_status = "TERMINATED"
            job.log("CLEANUP_END", sourceServerID=participant.source_server_id)

    # -- DisconnectRecoveryInstance, DeleteRecoveryInstance -----------------------------------------

    def disconnect_recovery_instance(self, recovery_instance_id: str) -> None:
        self.settle_jobs()
        instance = self.get_recovery_instance(recovery_instance_id)
        if instance.disconnected:
            return
        self._ensure_not_in_job(instance, "disconnect")
        instance.disconnected = True
        instance.failback.stop()

    def delete_recovery_instance(self, recovery_instance_id: str) -> None:
        self.settle_jobs()
        instance = self._recovery_instance_to_change(recovery_instance_id, "delete")
        if not instance.disconnected:
            raise ConflictException(
                f"Cannot delete recovery instance {recovery_instance_id}: it must be disconnected first "
                "(DisconnectRecoveryInstance).",
                recovery_instance_id,
                "RECOVERY_INSTANCE",
            )
        self._ensure_not_in_job(instance, "delete")
        self.discard_recovery_instance(recovery_instance_id, terminate_ec2=False)

    # -- hooks: what a source server with a recovery instance may no longer do ----------------------

    def _recovery_instances_before_replication_change(
        self, server: "SourceServer", operation: str
    ) -> None:
        if operation == "DisconnectSourceServer":
            self._ensure_no_recovery_instance(server, "disconnect")

    def _recovery_instances_before_server_deleted(self, server: "SourceServer") -> None:
        self._ensure_no_recovery_instance(server, "delete")

    def _ensure_no_recovery_instance(self, server: "SourceServer", action: str) -> None:
        """ "You cannot disconnect a Source Server if it has a Recovery Instance" (API reference)."""
        self.settle_jobs()
        if server.recovery_instance_id:
            raise ConflictException(
                f"Cannot {action} source server {server.source_server_id}: it has recovery instance "
                f"{server.recovery_instance_id}; terminate or delete the recovery instance first.",
                server.source_server_id,
                "SOURCE_SERVER",
            )
        job = self.active_job_of(server.source_server_id)
        if job is not None:
            raise ConflictException(
                f"Cannot {action} source server {server.source_server_id}: it is in job {job.job_id}, "
                f"which is {job.phase}.",
                server.source_server_id,
                "SOURCE_SERVER",
            )
