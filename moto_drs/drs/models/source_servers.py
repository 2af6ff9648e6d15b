"""Source servers, their data replication state machine and their recovery snapshots.

Rules taken from the DRS API reference (see docs/drs-semantics.md for sources):
- StopReplication leaves the server unprotected and deletes its recovery snapshots.
- StartReplication restarts a stopped server through initiation.
- DisconnectSourceServer sets DISCONNECTED, zeroes the replicated disks' totalStorageBytes and
  clears lag and ETA; DeleteSourceServer only deletes a disconnected server.
"""

import copy
from datetime import datetime, timedelta
from typing import Any

from moto.core.common_models import BaseModel
from moto.moto_api._internal import mock_random
from moto.moto_api._internal.managed_state_model import ManagedState

from ..exceptions import ConflictException, ValidationException
from ..utils import drs_arn, iso, iso_duration, new_id, now, parse_iso
from .base import INITIATION_STEPS, DrsBackendCore, find_resource
from .paging import paginate_list

SOURCE_SERVER_MODEL = "drs::source-server"
REPLICATION_PROGRESSION: list[tuple[str | None, str]] = [
    ("INITIATING", "INITIAL_SYNC"),
    ("INITIAL_SYNC", "CONTINUOUS"),
]
# States in which the server is not replicating and so cannot be stopped again.
NOT_REPLICATING = ("STOPPED", "DISCONNECTED")
RETRYABLE = ("STALLED", *NOT_REPLICATING)
GIB = 1024**3
SNAPSHOT_INTERVAL = timedelta(
    minutes=10
)  # DRS's default point-in-time policy: every 10 minutes
AGENT_VERSION = "4.17.1045"

# What every default server reports alike, built once and shared: source properties are the
# agent's report and nothing changes them in place (no DRS operation updates them), and a copy
# per server cost 1 KiB, 10 MB for 10,000 servers.
DEFAULT_DISKS = [
    {"deviceName": "/dev/xvda", "bytes": 8 * GIB},
    {"deviceName": "/dev/xvdb", "bytes": 100 * GIB},
]
DEFAULT_CPUS = [
    {"cores": 2, "modelName": "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz"}
]
DEFAULT_OS = {"fullString": "Amazon Linux 2 (Linux 5.10.205-195.807.amzn2.x86_64)"}
DEFAULT_RAM_BYTES = 8 * GIB


def default_source_properties(region_name: str) -> dict[str, Any]:
    """A plausible Linux server as the replication agent reports it."""
    hostname = f"ip-10-0-{mock_random.randint(0, 255)}-{mock_random.randint(1, 254)}"
    mac = ":".join(f"{mock_random.randint(0, 255):02x}" for _ in range(6))
    return {
        "identificationHints": {
            "hostname": hostname,
            "fqdn": f"{hostname}.{region_name}.compute.internal",
            "vmWareUuid": str(mock_random.uuid4()),
        },
        "networkInterfaces": [
            {
                "macAddress": mac,
                "ips": [
                    f"10.0.{mock_random.randint(0, 255)}.{mock_random.randint(1, 254)}"
                ],
                "isPrimary": True,
            }
        ],
        "disks": DEFAULT_DISKS,
        "cpus": DEFAULT_CPUS,
        "ramBytes": DEFAULT_RAM_BYTES,
        "os": DEFAULT_OS,
        "recommendedInstanceType": "m5.large",
        "supportsNitroInstances": True,
        "architecture": "x86_64",
    }


def _filter_date(text: str, field: str) -> datetime:
    """An ISO-8601 date-time; one the model's pattern lets through but no calendar has (February 31,
    year 10000) is a ValidationException, not a crash."""
    try:
        return parse_iso(text)
    except ValueError:
        raise ValidationException(
            f"{field} is not a valid date: {text!r}.",
            field_list=[{"name": field, "message": "Invalid date"}],
        ) from None


class RecoverySnapshot(BaseModel):
    """A point-in-time snapshot of a replicating server, one EBS snapshot per disk."""

    def __init__(self, source_server_id: str, taken_at: datetime, disk_count: int):
        self.snapshot_id = new_id("pit")
        self.source_server_id = source_server_id
        self.taken_at = taken_at
        self.ebs_snapshots = [new_id("snap") for _ in range(disk_count)]
        # taken by StartRecovery rather than by the point-in-time schedule (extended servers keep them)
        self.on_demand = False

    # derived when read, not stored: every replicating server holds snapshots
    @property
    def timestamp(self) -> str:
        return iso(self.taken_at)

    @property
    def expected_timestamp(self) -> str:
        return iso(self.taken_at)


class SourceServer(BaseModel, ManagedState):
    """A server replicating into DRS; its data replication state is managed by moto's state manager."""

    def __init__(
        self,
        backend: "DrsBackendCore",
        source_properties: dict[str, Any],
        source_cloud_properties: dict[str, Any],
        replication_direction: str = "FAILOVER",
    ):
        ManagedState.__init__(
            self, SOURCE_SERVER_MODEL, transitions=REPLICATION_PROGRESSION
        )
        self._backend = backend
        self.source_server_id = new_id("s")
        self.arn = drs_arn(
            backend.region_name,
            backend.account_id,
            f"source-server/{self.source_server_id}",
        )
        self.region_name = backend.region_name
        self.account_id = backend.account_id
        self.source_properties = source_properties
        self.source_properties.setdefault("lastUpdatedDateTime", iso(now()))
        self.source_cloud_properties = source_cloud_properties
        self.replication_direction = replication_direction
        self.reversed_direction_source_server_arn: str | None = None
        self.source_network_id: str | None = None
        self.recovery_instance_id: str | None = None
        self.last_launch_result = "NOT_STARTED"
        self.last_launch: dict[str, Any] | None = None
        self.agent_version = AGENT_VERSION
        self.staging_area: dict[str, Any] = {"status": "NOT_EXTENDED"}
        self.is_archived = False
        self.added_at = now()
        self.first_byte_at: datetime | None = None
        self.last_seen_at: datetime | None = (
            self.added_at
        )  # the agent was seen when it registered
        self.data_replication_error: dict[str, str] | None = None
        self.snapshots: dict[str, RecoverySnapshot] = {}
        self._restart_initiation()

    # -- the data replication state machine -------------------------------------------------

    def _restart_initiation(self) -> None:
        self.status = "INITIATING"
        self._tick = 0
        self._time_progressed = datetime.now()
        self.initiation_started_at = now()
        self._initiation_reads = 0

    @property
    def data_replication_state(self) -> str:
        state = self.status or "INITIATING"
        if (
            state != "INITIATING"
            and self.first_byte_at is None
            and state not in NOT_REPLICATING
        ):
            self.first_byte_at = now()
        if state == "CONTINUOUS" and not self.snapshots:
            self.take_snapshot(now())
        return state

    def refresh(self) -> None:
        """A read by a client: lets manual progressions move and the agent be 'seen'."""
        self.advance()
        if self.status == "INITIATING":
            self._initiation_reads += 1
        if self.status != "DISCONNECTED":
            self.last_seen_at = now()
        state = self.data_replication_state
        if state == "CONTINUOUS":
            self._take_due_snapshots()
        self._backend.before_source_server_read(self)

    def take_snapshot(self, taken_at: datetime) -> RecoverySnapshot:
        snapshot = RecoverySnapshot(self.source_server_id, taken_at, len(self.disks))
        self.snapshots[snapshot.snapshot_id] = snapshot
        return snapshot

    def _take_due_snapshots(self) -> None:
        latest = max((s.taken_at for s in self.snapshots.values()), default=None)
        if latest is None:
            return
        due = now() - latest
        for step in range(1, min(int(due / SNAPSHOT_INTERVAL), 6) + 1):
            self.take_snapshot(latest + step * SNAPSHOT_INTERVAL)

    # -- fields of the SourceServer shape ------------------------------------------------------

    @property
    def disks(self) -> list[dict[str, Any]]:
        return list(self.source_properties.get("disks") or [])

    @property
    def hardware_id(self) -> str | None:
        hints = self.source_properties.get("identificationHints", {})
        return hints.get("awsInstanceID") or hints.get("vmWareUuid")

    @property
    def staging_account_id(self) -> str:
        return self.staging_area.get("stagingAccountID", self.account_id)

    @property
    def tags(self) -> dict[str, str]:
        return self._backend.tagger.get_tag_dict_for_resource(self.arn)

    def _initiation(self, state: str) -> dict[str, Any]:
        if state == "INITIATING":
            done = min(self._initiation_reads, len(INITIATION_STEPS) - 1)
        else:
            done = len(INITIATION_STEPS)
        steps = []
        for index, name in enumerate(INITIATION_STEPS):
            status = (
                "SUCCEEDED"
                if index < done
                else "IN_PROGRESS"
                if index == done
                else "NOT_STARTED"
            )
            steps.append({"name": name, "status": status})
        return {"startDateTime": iso(self.initiation_started_at), "steps": steps}

    def _replicated_disks(self, state: str) -> list[dict[str, Any]]:
        # a stopped or disconnected server has nothing replicated (docs/drs-semantics.md section 1)
        fraction = {
            "INITIATING": 0.0,
            "INITIAL_SYNC": 0.5,
            "STOPPED": 0.0,
            "DISCONNECTED": 0.0,
        }.get(state, 1.0)
        disks = []
        for disk in self.disks:
            total = int(disk.get("bytes", 0))
            replicated = int(total * fraction)
            disks.append(
                {
                    "deviceName": disk.get("deviceName", ""),
                    "totalStorageBytes": 0 if state == "DISCONNECTED" else total,
                    "replicatedStorageBytes": replicated,
                    "rescannedStorageBytes": 0,
                    "backloggedStorageBytes": total - replicated
                    if state not in NOT_REPLICATING
                    else 0,
                    "volumeStatus": "REGULAR",
                }
            )
        return disks

    @property
    def data_replication_info(self) -> dict[str, Any]:
        state = self.data_replication_state
        info: dict[str, Any] = {
            "dataReplicationState": state,
            "replicatedDisks": self._replicated_disks(state),
        }
        if (
            state != "DISCONNECTED"
        ):  # a disconnected server has no staging area any more
            info["stagingAvailabilityZone"] = f"{self.region_name}a"
        if state not in NOT_REPLICATING:
            info["dataReplicationInitiation"] = self._initiation(state)
        if state == "INITIAL_SYNC":
            info["etaDateTime"] = iso(now() + timedelta(minutes=30))
            info["lagDuration"] = iso_duration(now() - self.initiation_started_at)
        elif state == "CONTINUOUS":
            info["lagDuration"] = "PT0S"
        if self.data_replication_error:
            info["dataReplicationError"] = dict(self.data_replication_error)
        return info

    @property
    def life_cycle(self) -> dict[str, Any]:
        life: dict[str, Any] = {
            "addedToServiceDateTime": iso(self.added_at),
            "elapsedReplicationDuration": iso_duration(now() - self.added_at),
        }
        if self.first_byte_at:
            life["firstByteDateTime"] = iso(self.first_byte_at)
        if self.last_seen_at:
            life["lastSeenByServiceDateTime"] = iso(self.last_seen_at)
        if self.last_launch:
            life["lastLaunch"] = self.last_launch
        return life


class SourceServerOperations(DrsBackendCore):
    """The source-server operations of the DRS backend."""

    def _init_source_servers(self) -> None:
        self.source_servers: dict[str, SourceServer] = {}

    def add_source_server(
        self,
        source_properties: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        source_cloud_properties: dict[str, Any] | None = None,
        data_replication_state: str | None = None,
    ) -> SourceServer:
        """Seeding: what the replication agent's registration does in real DRS."""
        from ..validation import model_shape, validate_value

        properties = default_source_properties(self.region_name)
        # the caller keeps its own dicts: a test that edits them later must not edit the server
        cloud = (
            copy.deepcopy(source_cloud_properties)
            if source_cloud_properties is not None
            else {}
        )
        source_properties = copy.deepcopy(source_properties)
        errors: list[dict[str, str]] = []
        if source_properties is not None and not isinstance(source_properties, dict):
            # dict.update() would take a list of pairs, or crash on a string
            validate_value(
                model_shape("SourceProperties"),
                source_properties,
                "sourceProperties",
                errors,
            )
        else:
            properties.update(source_properties or {})
            validate_value(
                model_shape("SourceProperties"), properties, "sourceProperties", errors
            )
        validate_value(
            model_shape("SourceCloudProperties"), cloud, "sourceCloudProperties", errors
        )
        validate_value(model_shape("TagsMap"), tags or {}, "tags", errors)
        if data_replication_state is not None:
            validate_value(
                model_shape("DataReplicationState"),
                data_replication_state,
                "dataReplicationState",
                errors,
            )
        if errors:
            raise ValidationException(
                "Cannot seed the source server: "
                + "; ".join(f"{e['name']}: {e['message']}" for e in errors)
                + ". Pass values of the types botocore's SourceProperties/SourceCloudProperties shapes define.",
                field_list=errors,
            )
        self.check_quota("source_servers", len(self.source_servers) + 1)
        if (data_replication_state or "INITIATING") not in NOT_REPLICATING:
            self._check_replicating_quota()
        server = SourceServer(self, properties, cloud)
        if (
            data_replication_state is not None
            and data_replication_state != "INITIATING"
        ):
            server.status = data_replication_state
            if data_replication_state == "STALLED":
                server.data_replication_error = {
                    "error": "AGENT_NOT_SEEN",
                    "rawError": "The agent was not seen.",
                }
        self.source_servers[server.source_server_id] = server
        self.register_taggable(server.arn, server)
        if tags:
            self.tag_resource(server.arn, tags)
        self.after_source_server_added(server)
        return server

    def _check_replicating_quota(self) -> None:
        """One more replicating server must fit quota L-C1D14A2B (docs/drs-semantics.md section 8)."""
        if len(self.source_servers) < self.quota_limit("replicating_source_servers"):
            return  # counting is O(fleet): only when the fleet is big enough to break the quota
        # extended servers replicate in their staging account (user guide, multiple staging accounts)
        replicating = sum(
            1
            for s in self.source_servers.values()
            if s.status not in NOT_REPLICATING
            and s.staging_area["status"] == "NOT_EXTENDED"
        )
        self.check_quota("replicating_source_servers", replicating + 1)

    def get_source_server(self, source_server_id: str) -> SourceServer:
        server = find_resource(
            self.source_servers, source_server_id, "SOURCE_SERVER", "Source server"
        )
        self.before_source_server_read(server)
        return server

    def all_source_servers(self) -> list[SourceServer]:
        return list(self.source_servers.values())

    def describe_source_servers(
        self,
        filters: dict[str, Any] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[SourceServer], str | None]:
        self.settle_jobs()  # launches show on the server (lastLaunch, recoveryInstanceId) as their jobs move
        filters = filters or {}
        ids = filters.get("sourceServerIDs")
        if ids:
            # look-ups by ID never scan the fleet
            found = (self.source_servers.get(i) for i in dict.fromkeys(ids))
            servers = [s for s in found if s is not None]
        else:
            servers = list(self.source_servers.values())
        hardware_id = filters.get("hardwareId")
        if hardware_id:
            servers = [s for s in servers if s.hardware_id == hardware_id]
        staging_accounts = filters.get("stagingAccountIDs")
        if staging_accounts:
            servers = [s for s in servers if s.staging_account_id in staging_accounts]
        page, token = paginate_list(
            servers, "source_server_id", max_results, next_token, filters=filters
        )
        for server in page:
            server.refresh()
        return page, token

    def stop_replication(self, source_server_id: str) -> SourceServer:
        server = self.get_source_server(source_server_id)
        state = server.data_replication_state
        if state in NOT_REPLICATING:
            raise ConflictException(
                f"Cannot stop replication of source server {source_server_id}: data replication is {state}.",
                source_server_id,
                "SOURCE_SERVER",
            )
        self.before_replication_change(server, "StopReplication")
        server.status = "STOPPED"
        server.data_replication_error = None
        server.snapshots.clear()
        return server

    def start_replication(self, source_server_id: str) -> SourceServer:
        server = self.get_source_server(source_server_id)
        state = server.data_replication_state
        if state != "STOPPED":
            raise ConflictException(
                f"Cannot start replication of source server {source_server_id}: data replication is {state}, "
                "only a STOPPED source server can be started.",
                source_server_id,
                "SOURCE_SERVER",
            )
        self._check_replicating_quota()
        self.before_replication_change(server, "StartReplication")
        server._restart_initiation()
        return server

    def retry_data_replication(self, source_server_id: str) -> SourceServer:
        server = self.get_source_server(source_server_id)
        state = server.data_replication_state
        # The API reference: "This command will work only if the Source Server is stalled or is in a
        # DISCONNECTED or STOPPED state." The model lists no ConflictException for this operation.
        if state not in RETRYABLE:
            raise ValidationException(
                f"Cannot retry data replication of source server {source_server_id}: data replication is "
                f"{state}; only a STALLED, DISCONNECTED or STOPPED source server can be retried.",
                reason="other",
                field_list=[
                    {"name": "sourceServerID", "message": f"Source server is {state}"}
                ],
            )
        if state in NOT_REPLICATING:
            self._check_replicating_quota()  # it starts replicating again, as with StartReplication
        self.before_replication_change(server, "RetryDataReplication")
        server.data_replication_error = None
        server._restart_initiation()
        return server

    def disconnect_source_server(self, source_server_id: str) -> SourceServer:
        server = self.get_source_server(source_server_id)
        self.before_replication_change(server, "DisconnectSourceServer")
        if server.data_replication_state != "DISCONNECTED":
            server.status = "DISCONNECTED"
            server.data_replication_error = None
            server.snapshots.clear()
        return server

    def delete_source_server(self, source_server_id: str) -> None:
        server = self.get_source_server(source_server_id)
        state = server.data_replication_state
        if state != "DISCONNECTED":
            raise ConflictException(
                f"Cannot delete source server {source_server_id}: it must be disconnected first "
                f"(data replication is {state}).",
                source_server_id,
                "SOURCE_SERVER",
            )
        self.before_source_server_deleted(server)
        del self.source_servers[source_server_id]
        self.unregister_taggable(server.arn)

    def describe_recovery_snapshots(
        self,
        source_server_id: str,
        filters: dict[str, Any] | None = None,
        order: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[RecoverySnapshot], str | None]:
        server = self.get_source_server(source_server_id)
        server.refresh()
        filters = filters or {}
        snapshots = sorted(
            server.snapshots.values(), key=lambda s: s.taken_at, reverse=order == "DESC"
        )
        if "fromDateTime" in filters:
            start = _filter_date(filters["fromDateTime"], "filters.fromDateTime")
            snapshots = [s for s in snapshots if s.taken_at >= start]
        if "toDateTime" in filters:
            end = _filter_date(filters["toDateTime"], "filters.toDateTime")
            snapshots = [s for s in snapshots if s.taken_at <= end]
        return paginate_list(
            snapshots,
            "snapshot_id",
            max_results,
            next_token,
            server=source_server_id,
            filters=filters,
            order=order,
        )

    def add_recovery_snapshot(
        self, source_server_id: str, timestamp: str | None = None
    ) -> RecoverySnapshot:
        """Seeding: a snapshot at a chosen time, for tests of snapshot choice and ordering."""
        from ..validation import model_shape, validate_value

        errors: list[dict[str, str]] = []
        if timestamp is not None:
            validate_value(
                model_shape("ISO8601DatetimeString"), timestamp, "timestamp", errors
            )
        if errors:
            raise ValidationException(
                "timestamp must be an ISO-8601 date-time such as 2026-01-01T00:00:00Z.",
                field_list=errors,
            )
        taken_at = _filter_date(timestamp, "timestamp") if timestamp else now()
        server = self.get_source_server(source_server_id)
        if server.data_replication_state in NOT_REPLICATING:
            raise ConflictException(
                f"Source server {source_server_id} is not replicating; it has no recovery snapshots.",
                source_server_id,
                "SOURCE_SERVER",
            )
        return server.take_snapshot(taken_at)
