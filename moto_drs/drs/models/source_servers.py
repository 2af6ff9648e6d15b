"""Source servers, their data replication state machine and health, and their recovery snapshots.

Rules taken from the DRS API reference (/drs/latest/APIReference/API_<Operation>.html):
- StopReplication leaves the server unprotected and deletes its recovery snapshots.
- StartReplication restarts a stopped server through initiation.
- DisconnectSourceServer sets DISCONNECTED, zeroes the replicated disks' totalStorageBytes and
  clears lag and ETA; DeleteSourceServer only deletes a disconnected server.
- The user guide's replication FAQ: lag is "the amount of time since the server was last in CDP
  mode" (CONTINUOUS), backlog "the amount of data that was written to the disk and still needs to
  be replicated in order to reach CDP mode", ETA "the estimated time remaining to return to CDP".
Health is derived from the DRS clock (``utils.now``) and the moments of state changes, so a
server keeps O(number of state changes) of history, never O(time).
"""

import copy
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from moto.core.common_models import BaseModel
from moto.moto_api._internal import mock_random

from ..exceptions import ConflictException, ValidationException
from ..utils import drs_arn, iso, iso_duration, new_id, now, parse_iso
from .base import INITIATION_STEPS, DrsBackendCore, find_resource
from .ec2_integration import right_sized_instance_type
from .managed_state import DrsManagedState
from .paging import paginate_list, paginate_sorted_list
from .pit_snapshots import (
    MAX_SWEEP_INTERVAL,
    ON_DEMAND,
    SEEDED,
    PitSchedule,
    RecoverySnapshot,
)

SOURCE_SERVER_MODEL = "drs::source-server"
REPLICATION_PROGRESSION: list[tuple[str | None, str]] = [
    ("INITIATING", "INITIAL_SYNC"),
    ("INITIAL_SYNC", "CONTINUOUS"),
]
# States in which the server is not replicating and so cannot be stopped again.
NOT_REPLICATING = ("STOPPED", "DISCONNECTED")
RETRYABLE = ("STALLED", *NOT_REPLICATING)
# The states the replication agent and the replication server report for a server that
# replicates; the agent-simulation API (set_data_replication_state) moves between them.
AGENT_STATES = (
    "INITIATING",
    "INITIAL_SYNC",
    "BACKLOG",
    "CREATING_SNAPSHOT",
    "CONTINUOUS",
    "PAUSED",
    "RESCAN",
    "STALLED",
)
# States reached only once the initial sync is done (what a seeded server in them went through).
SYNCED_STATES = (
    "BACKLOG",
    "CREATING_SNAPSHOT",
    "CONTINUOUS",
    "PAUSED",
    "RESCAN",
    "STALLED",
)
# Time in these states is not replication time (elapsedReplicationDuration): nothing is copied
# while replication is stopped, disconnected or paused (MGN's user guide: resuming "syncs any
# changes since the last synchronization").
IDLE_STATES = (*NOT_REPLICATING, "PAUSED")
# States in which data has reached the staging area (firstByteDateTime).
DATA_STATES = ("INITIAL_SYNC", "BACKLOG", "CREATING_SNAPSHOT", "CONTINUOUS", "RESCAN")
STALLED_CHANGE = "DRS Source Server Data Replication Stalled Change"
# The errors of the model's DataReplicationErrorString that name an initiation step
# (FAILED_TO_LAUNCH_REPLICATION_SERVER: step LAUNCH_REPLICATION_SERVER), and what each says.
INITIATION_ERRORS = {f"FAILED_TO_{step}": step for step in INITIATION_STEPS}
RAW_ERRORS = {
    "AGENT_NOT_SEEN": "The AWS Replication Agent has not been seen by the service.",
    "SNAPSHOTS_FAILURE": "Failed to take a point-in-time snapshot of the staging disks.",
    "NOT_CONVERGING": "Data replication is not converging: the source writes faster than "
    "it replicates.",
    "UNSTABLE_NETWORK": "The network between the source server and the replication server "
    "is unstable.",
}
# Made-up but plausible rates: a rescan reads each disk at 100 MiB/s, a backlog is 1% of each
# disk and drains at 10 MiB/s.
RESCAN_BYTES_PER_SECOND = 100 * 1024**2
BACKLOG_SHARE = 100
BACKLOG_BYTES_PER_SECOND = 10 * 1024**2
INITIAL_SYNC_ETA = timedelta(minutes=30)
GIB = 1024**3
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


def _snapshot_sort_key(snapshot: RecoverySnapshot) -> str:
    """DescribeRecoverySnapshots' order as a string (the page token carries it: retention may
    prune the snapshot a token names before the next page is asked for)."""
    moment = snapshot.taken_at.astimezone(timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S.%f}|{snapshot.snapshot_id}"


def _replication_error(state: str, error: Any) -> dict[str, str] | None:
    """The DataReplicationError a set_data_replication_state call asks for: ``error`` is an
    error of DataReplicationErrorString, or ``{"error", "rawError"}``; only with STALLED."""
    from ..validation import model_shape, validate_value

    errors: list[dict[str, str]] = []
    validate_value(model_shape("DataReplicationState"), state, "state", errors)
    if not errors and state not in AGENT_STATES:
        errors.append(
            {
                "name": "state",
                "message": f"{state} is not reported by the agent: use StopReplication "
                "or DisconnectSourceServer",
            }
        )
    if error is not None and not errors:
        if state != "STALLED":
            errors.append({"name": "error", "message": "Only a STALLED server has one"})
        elif isinstance(error, str):
            error = {"error": error}
        if isinstance(error, dict) and not errors:
            validate_value(model_shape("DataReplicationError"), error, "error", errors)
            if not errors and "error" not in error:
                errors.append({"name": "error.error", "message": "Required"})
        elif not errors:
            errors.append(
                {
                    "name": "error",
                    "message": "A DataReplicationErrorString or an object",
                }
            )
    if errors:
        raise ValidationException(
            "Cannot set the data replication state: "
            + "; ".join(f"{e['name']}: {e['message']}" for e in errors)
            + ".",
            field_list=errors,
        )
    if error is None:
        return None
    code = error["error"]
    return {"error": code, "rawError": error.get("rawError") or _raw_error(code)}


def _raw_error(code: str) -> str:
    step = INITIATION_ERRORS.get(code)
    if step:
        return f"Replication initiation failed at step {step}."
    return RAW_ERRORS.get(code, code)


def _agent_refusal(
    server: "SourceServer", current: str, state: str, error: dict[str, str] | None
) -> str | None:
    """Why DRS cannot move ``server`` from ``current`` to ``state`` (None: it can)."""
    if server.staging_area.get("status") not in (None, "NOT_EXTENDED"):
        return (
            "an extended source server replicates in its staging account; set the "
            "state of the staging account's source server."
        )
    if current in NOT_REPLICATING:
        return (
            "the server does not replicate; StartReplication or RetryDataReplication "
            "restarts it."
        )
    if current == "STALLED" and server.history.failed_step and state != "STALLED":
        return (
            f"initiation failed at step {server.history.failed_step}; RetryDataReplication "
            "restarts it."
        )
    if state == current and state != "STALLED":
        return None
    if state == "INITIATING":
        return (
            "initiation restarts only through StartReplication or RetryDataReplication."
        )
    if current == "INITIATING" and state not in ("INITIAL_SYNC", "STALLED"):
        return "initiation ends in INITIAL_SYNC, or STALLED when it fails."
    if state == "INITIAL_SYNC" and server.has_synced:
        return (
            "the initial sync is done; a server that re-reads its disks is in RESCAN."
        )
    if error and error["error"] in INITIATION_ERRORS and current != "INITIATING":
        return f"{error['error']} is an initiation error; the server is not initiating."
    return None


class ReplicationHistory:
    """What a source server's health is derived from, kept in O(number of state changes):
    when the current state began, the CONTINUOUS periods of the current replication series,
    the replication time before the current run, the initiation step a stalled initiation
    failed at, and when the agent was last seen (None while it reports: now).

    Slotted, and one attribute of the server: a server's instance dict stays within CPython's
    30 shared keys, which keeps 10,000 seeded servers small."""

    __slots__ = (
        "state_since",
        "continuous_since",
        "past_continuous",
        "replicated_before",
        "replicating_since",
        "failed_step",
        "agent_last_seen_at",
    )

    def __init__(self, added_at: datetime) -> None:
        self.state_since = added_at
        self.continuous_since: datetime | None = None
        self.past_continuous: tuple[tuple[datetime, datetime], ...] = ()
        self.replicated_before = timedelta(0)
        self.replicating_since: datetime | None = added_at
        self.failed_step: str | None = None
        self.agent_last_seen_at: datetime | None = None


@cache
def _initiation_steps(done: int, failed: bool) -> list[dict[str, str]]:
    """The initiation steps when ``done`` of them succeeded (and the next failed, or is in
    progress); built once per case and shared, read-only, as every replicating server shows
    the same list on every read."""
    steps = []
    for index, name in enumerate(INITIATION_STEPS):
        if index < done:
            status = "SUCCEEDED"
        elif index > done:
            status = "NOT_STARTED"
        else:
            status = "FAILED" if failed else "IN_PROGRESS"
        steps.append({"name": name, "status": status})
    return steps


class SourceServer(BaseModel, DrsManagedState):
    """A server replicating into DRS; its data replication state is managed by moto's state
    manager (initiation, initial sync) and by the agent-simulation API (everything after)."""

    def __init__(
        self,
        backend: "DrsBackendCore",
        source_properties: dict[str, Any],
        source_cloud_properties: dict[str, Any],
        replication_direction: str = "FAILOVER",
    ):
        DrsManagedState.__init__(
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
        self.data_replication_error: dict[str, str] | None = None
        # the PIT schedule and the recovery snapshots materialised so far (pit_snapshots.py)
        self.pit = PitSchedule()
        self.history = ReplicationHistory(self.added_at)
        self.initiation_started_at = self.added_at
        self._initiation_reads = 0

    # -- the data replication state machine -------------------------------------------------

    def _restart_initiation(self) -> None:
        """Initiation from the first step (StartReplication, RetryDataReplication)."""
        moment = now()
        self.enter_state("INITIATING", moment)
        self.restart_progression()
        self.initiation_started_at = moment
        self._initiation_reads = 0

    def enter_state(
        self,
        state: str,
        at: datetime | None = None,
        error: dict[str, str] | None = None,
    ) -> None:
        """Move to ``state`` at ``at`` (default now) and keep the health history; the one way
        the server's data replication state changes. ``error`` is a STALLED server's
        dataReplicationError (default AGENT_NOT_SEEN)."""
        moment = at or now()
        old = self._status
        if state == "STALLED":
            self.data_replication_error = error or {
                "error": "AGENT_NOT_SEEN",
                "rawError": RAW_ERRORS["AGENT_NOT_SEEN"],
            }
            not_seen = self.data_replication_error.get("error") == "AGENT_NOT_SEEN"
            if not not_seen:
                self.history.agent_last_seen_at = None
            elif old != "STALLED" or self.history.agent_last_seen_at is None:
                self.history.agent_last_seen_at = moment
            if old == "INITIATING":
                named = INITIATION_ERRORS.get(self.data_replication_error["error"])
                done = min(self._initiation_reads, len(INITIATION_STEPS) - 1)
                self.history.failed_step = named or INITIATION_STEPS[done]
        if old == state:
            return
        if old == "CONTINUOUS" and self.history.continuous_since is not None:
            self.history.past_continuous += ((self.history.continuous_since, moment),)
            self.history.continuous_since = None
        if state == "CONTINUOUS":
            self.history.continuous_since = moment
        if state in NOT_REPLICATING:
            # the replication series ends with its snapshots; a retry of a stalled server
            # re-initiates within its series (its snapshots stay)
            self.history.past_continuous = ()
        if old not in IDLE_STATES and self.history.replicating_since is not None:
            self.history.replicated_before += moment - self.history.replicating_since
            self.history.replicating_since = None
        if state not in IDLE_STATES:
            self.history.replicating_since = moment
        if state in DATA_STATES and self.first_byte_at is None:
            self.first_byte_at = moment
        if state != "STALLED":
            self.data_replication_error = None
            self.history.failed_step = None
            if state != "DISCONNECTED":
                self.history.agent_last_seen_at = None
        if state == "DISCONNECTED" and self.history.agent_last_seen_at is None:
            self.history.agent_last_seen_at = moment  # the agent uninstalls itself
        self.history.state_since = moment
        self._status = state
        if state == "STALLED":
            self._backend.emit_event(STALLED_CHANGE, [self.arn], {"state": "STALLED"})
        elif old == "STALLED":
            self._backend.emit_event(
                STALLED_CHANGE, [self.arn], {"state": "NOT_STALLED"}
            )

    def _progressed(self, status: str | None, at: datetime) -> None:
        self.enter_state(status or "INITIATING", at)

    def seed_state(self, state: str) -> None:
        """A seeded server in ``state``: one in a state after the initial sync went through
        initiation and the sync when it registered, and left CONTINUOUS at once."""
        if state in SYNCED_STATES:
            self._initiation_reads = len(INITIATION_STEPS)
            self.first_byte_at = self.added_at
            self.enter_state("CONTINUOUS", self.added_at)
        self.enter_state(state, self.added_at)

    def mirror_health(self, staging: "SourceServer") -> None:
        """An extended server shows its staging server's health history (staging.py)."""
        self.history = copy.copy(staging.history)
        self._initiation_reads = staging._initiation_reads

    def continuous_periods(self) -> list[tuple[datetime, datetime | None]]:
        """The periods of the current replication series (since replication last (re)started)
        in which data replication was CONTINUOUS, oldest first; the last one ends None while
        the server is still CONTINUOUS. Point-in-time snapshots are taken only inside them."""
        _ = self.status  # let the state manager move the server first
        periods: list[tuple[datetime, datetime | None]] = list(
            self.history.past_continuous
        )
        if self.history.continuous_since is not None:
            periods.append((self.history.continuous_since, None))
        return periods

    @property
    def has_synced(self) -> bool:
        """Whether the initial sync of the current series is done (it was CONTINUOUS)."""
        return (
            bool(self.history.past_continuous)
            or self.history.continuous_since is not None
        )

    def lag(self, state: str | None = None) -> timedelta | None:
        """Time since the server was last CONTINUOUS (since the series began, if never);
        ``state`` is the data replication state when the caller has just read it."""
        if state is None:
            state = self.data_replication_state
        if state == "CONTINUOUS" or state in NOT_REPLICATING:
            return None
        if self.history.past_continuous:
            return now() - self.history.past_continuous[-1][1]
        return now() - self.initiation_started_at

    @property
    def data_replication_state(self) -> str:
        return self.status or "INITIATING"

    def refresh(self) -> None:
        """A read by a client: lets manual progressions move and initiation take its steps."""
        self.advance()
        state = self.data_replication_state  # the state manager moves once per read
        if state == "INITIATING":
            self._initiation_reads += 1
        if state == "CONTINUOUS":
            self._take_due_snapshots()
        self._backend.before_source_server_read(self)

    # -- recovery snapshots (pit_snapshots.py) ------------------------------------------------

    @property
    def snapshots(self) -> dict[str, RecoverySnapshot]:
        """The recovery snapshots materialised so far, by ID (kept in the schedule: one
        attribute fewer per server keeps its attribute dict compact)."""
        return self.pit.snapshots

    @snapshots.setter
    def snapshots(self, snapshots: dict[str, RecoverySnapshot]) -> None:
        self.pit.snapshots = snapshots

    def take_snapshot(
        self, taken_at: datetime, on_demand: bool = False
    ) -> RecoverySnapshot:
        """A snapshot outside the schedule: on demand (StartRecovery), else seeded."""
        return self.pit.take(self, taken_at, ON_DEMAND if on_demand else SEEDED)

    def _take_due_snapshots(self) -> None:
        """A read: prune what retention deleted and, when someone listens, emit the events of
        the snapshots taken since; the snapshots themselves are materialised only on demand."""
        self.pit.update(self, now(), materialize=False)

    def recovery_snapshots(self) -> dict[str, RecoverySnapshot]:
        """Every recovery snapshot of the server within retention, materialised (EBS included)."""
        self.pit.update(self, now(), materialize=True)
        return self.snapshots

    def delete_recovery_snapshots(self) -> None:
        """StopReplication and DisconnectSourceServer delete the snapshots (EBS included)."""
        self.pit.clear(self)

    # -- fields of the SourceServer shape ------------------------------------------------------

    @property
    def disks(self) -> list[dict[str, Any]]:
        return list(self.source_properties.get("disks") or [])

    @property
    def hardware_id(self) -> str | None:
        hints = self.source_properties.get("identificationHints", {})
        return hints.get("awsInstanceID") or hints.get("vmWareUuid")

    def has_hardware_id(self, hardware_id: str) -> bool:
        """The model: hardwareId is "an EC2 instance id, a VMware uuid or a mac address"; a MAC
        matches any of the server's network interfaces, in any letter case."""
        if hardware_id == self.hardware_id:
            return True
        wanted = hardware_id.lower()
        interfaces = self.source_properties.get("networkInterfaces") or []
        return any(
            str(interface.get("macAddress", "")).lower() == wanted
            for interface in interfaces
        )

    @property
    def staging_account_id(self) -> str:
        return self.staging_area.get("stagingAccountID", self.account_id)

    @property
    def tags(self) -> dict[str, str]:
        return self._backend.tagger.get_tag_dict_for_resource(self.arn)

    def _initiation(self, state: str) -> dict[str, Any]:
        failed = self.history.failed_step if state == "STALLED" else None
        if state == "INITIATING":
            done = min(self._initiation_reads, len(INITIATION_STEPS) - 1)
        elif failed is not None:
            done = INITIATION_STEPS.index(failed)
        else:
            done = len(INITIATION_STEPS)
        return {
            "startDateTime": iso(self.initiation_started_at),
            "steps": _initiation_steps(done, failed is not None),
        }

    def _replicated_disks(self, state: str) -> list[dict[str, Any]]:
        moment = now() if state == "RESCAN" else None  # the clock, only where it counts
        disks = []
        for disk in self.disks:
            total = int(disk.get("bytes", 0))
            replicated, backlogged, rescanned = total, 0, 0
            if state in NOT_REPLICATING:
                # nothing replicated (API reference, DisconnectSourceServer: totalStorageBytes is
                # zeroed; StopReplication deletes the snapshots)
                replicated = 0
            elif state == "INITIATING" or self.history.failed_step is not None:
                replicated, backlogged = 0, total
            elif state == "INITIAL_SYNC":
                replicated = total // 2
                backlogged = total - replicated
            elif state == "BACKLOG":
                backlogged = self._backlog_bytes(total)
            elif moment is not None:  # RESCAN
                elapsed = (moment - self.history.state_since).total_seconds()
                # never negative: freezegun's move_to may go back in time
                rescanned = min(total, max(0, int(elapsed * RESCAN_BYTES_PER_SECOND)))
            disks.append(
                {
                    "deviceName": disk.get("deviceName", ""),
                    "totalStorageBytes": 0 if state == "DISCONNECTED" else total,
                    "replicatedStorageBytes": replicated,
                    "rescannedStorageBytes": rescanned,
                    "backloggedStorageBytes": backlogged,
                    "volumeStatus": "REGULAR",
                }
            )
        return disks

    @staticmethod
    def _backlog_bytes(total: int) -> int:
        return max(total // BACKLOG_SHARE, min(total, 1))

    def _eta(self, state: str) -> datetime | None:
        """When the server is expected back in CONTINUOUS (the user guide's ETA)."""
        if state not in ("INITIAL_SYNC", "BACKLOG", "RESCAN"):
            return None  # (without reading the clock: every read of a page asked)
        moment = now()
        sizes = [int(disk.get("bytes", 0)) for disk in self.disks]
        if state == "INITIAL_SYNC":
            return moment + INITIAL_SYNC_ETA
        if state == "BACKLOG":
            backlog = sum(self._backlog_bytes(size) for size in sizes)
            return moment + timedelta(seconds=backlog / BACKLOG_BYTES_PER_SECOND)
        if state == "RESCAN":
            largest = max(sizes, default=0)
            done = self.history.state_since + timedelta(
                seconds=largest / RESCAN_BYTES_PER_SECOND
            )
            return max(done, moment)
        return None

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
        eta = self._eta(state)
        if eta is not None:
            info["etaDateTime"] = iso(eta)
        lag = self.lag(state)
        if lag is not None:
            info["lagDuration"] = iso_duration(lag)
        if self.data_replication_error and state == "STALLED":
            info["dataReplicationError"] = dict(self.data_replication_error)
        return info

    def replication_duration(self, moment: datetime | None = None) -> timedelta:
        """Time spent replicating (elapsedReplicationDuration) until ``moment`` (default now):
        not STOPPED, DISCONNECTED or PAUSED."""
        running = self.history.replicated_before
        if self.history.replicating_since is not None:
            running += (moment or now()) - self.history.replicating_since
        return running

    @property
    def life_cycle(self) -> dict[str, Any]:
        self.data_replication_state  # noqa: B018  # the state manager moves first
        moment = now()  # one reading of the clock for both
        life: dict[str, Any] = {
            "addedToServiceDateTime": iso(self.added_at),
            "elapsedReplicationDuration": iso_duration(
                self.replication_duration(moment)
            ),
            "lastSeenByServiceDateTime": iso(self.history.agent_last_seen_at or moment),
        }
        if self.first_byte_at:
            life["firstByteDateTime"] = iso(self.first_byte_at)
        if self.last_launch:
            life["lastLaunch"] = self.last_launch
        return life


class SourceServerOperations(DrsBackendCore):
    """The source-server operations of the DRS backend."""

    def _init_source_servers(self) -> None:
        self.source_servers: dict[str, SourceServer] = {}
        self._pit_sweep_due: datetime | None = None

    def _pit_snapshots_before_operation(self) -> None:
        """While EventBridge rules may match DRS events, a DRS call brings every server's
        schedule up to date, so that "DRS PIT Snapshot Taken" events flow without reads. Cheap:
        a sweep runs only once the next snapshot of the fleet is due (at least every 10 minutes
        of DRS time), and costs one look per server plus one per snapshot taken since."""
        if not self.events_listening():
            return
        moment = now()
        if self._pit_sweep_due is not None and moment < self._pit_sweep_due:
            return
        due = moment + MAX_SWEEP_INTERVAL
        for server in self.source_servers.values():
            server._take_due_snapshots()
            upcoming = server.pit.next_due(moment)
            if upcoming is not None:
                due = min(due, upcoming)
        self._pit_sweep_due = due

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
        if source_properties and not source_properties.get("recommendedInstanceType"):
            # what BASIC right-sizing picks for this CPU and RAM (the defaults' m5.large is theirs)
            properties["recommendedInstanceType"] = right_sized_instance_type(
                properties
            )
        self.check_quota("source_servers", len(self.source_servers) + 1)
        if (data_replication_state or "INITIATING") not in NOT_REPLICATING:
            self._check_replicating_quota()
        server = SourceServer(self, properties, cloud)
        self.source_servers[server.source_server_id] = server
        if data_replication_state is not None:
            server.seed_state(data_replication_state)
        self.register_taggable(server.arn, server)
        if tags:
            self.tag_resource(server.arn, tags)
        self.after_source_server_added(server)
        return server

    def _check_replicating_quota(self) -> None:
        """One more replicating server must fit quota L-C1D14A2B (AWS General Reference, "Elastic
        Disaster Recovery endpoints and quotas")."""
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
            servers = [s for s in servers if s.has_hardware_id(hardware_id)]
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
        server.enter_state("STOPPED")
        server.delete_recovery_snapshots()
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
        server._restart_initiation()
        return server

    def disconnect_source_server(self, source_server_id: str) -> SourceServer:
        server = self.get_source_server(source_server_id)
        self.before_replication_change(server, "DisconnectSourceServer")
        if server.data_replication_state != "DISCONNECTED":
            server.enter_state("DISCONNECTED")
            server.delete_recovery_snapshots()
        return server

    def set_data_replication_state(
        self, source_server_id: str, state: str, error: Any = None
    ) -> SourceServer:
        """Agent simulation: what the replication agent and the replication server report
        (the agent stops being seen: STALLED with AGENT_NOT_SEEN; the network degrades:
        BACKLOG; a reboot: RESCAN). A change DRS cannot make changes nothing."""
        wanted_error = _replication_error(state, error)
        server = self.get_source_server(source_server_id)
        current = server.data_replication_state
        refusal = _agent_refusal(server, current, state, wanted_error)
        if refusal:
            raise ConflictException(
                f"Cannot set the data replication state of source server {source_server_id} "
                f"from {current} to {state}: {refusal}",
                source_server_id,
                "SOURCE_SERVER",
            )
        server.enter_state(state, error=wanted_error)
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
        """A read: an unknown server has no snapshots (the model lists no
        ResourceNotFoundException for this operation)."""
        filters = filters or {}
        start = end = None
        if "fromDateTime" in filters:
            start = _filter_date(filters["fromDateTime"], "filters.fromDateTime")
        if "toDateTime" in filters:
            end = _filter_date(filters["toDateTime"], "filters.toDateTime")
        snapshots: list[RecoverySnapshot] = []
        if source_server_id in self.source_servers:
            server = self.get_source_server(source_server_id)
            server.refresh()
            snapshots = sorted(
                server.recovery_snapshots().values(),
                key=lambda s: (s.taken_at, s.snapshot_id),
                reverse=order == "DESC",
            )
        if start is not None:
            snapshots = [s for s in snapshots if s.taken_at >= start]
        if end is not None:
            snapshots = [s for s in snapshots if s.taken_at <= end]
        return paginate_sorted_list(
            snapshots,
            "snapshot_id",
            max_results,
            next_token,
            _snapshot_sort_key,
            order == "DESC",
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
