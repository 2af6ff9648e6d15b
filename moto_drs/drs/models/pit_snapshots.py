"""Point-in-time (PIT) snapshots of a source server, taken by its replication policy.

What DRS documents (user guide, "What are Point in Time Snapshots?" and "Point in time (PIT)
policy"; API reference, PITPolicyRule):
- after the initial sync, while replication is healthy, DRS takes a PIT snapshot at each
  ``interval`` of every enabled MINUTE, HOUR and DAY rule and keeps it ``retentionDuration``
  of the rule's units: by default every 10 minutes kept 1 hour, hourly kept 24 hours and daily
  kept 7 days;
- a PIT snapshot is one EBS snapshot per replicated volume, in the Region of the replication
  target and in the staging account (the server's own account, or the staging account of an
  extended source server);
- StopReplication deletes a server's snapshots (API reference, StopReplication).

How the mock computes it: the schedule is a pure function of the server's CONTINUOUS periods
(``SourceServer.continuous_periods``), of its policy history (each pitPolicy with the moment it
took effect) and of the DRS clock. A snapshot is due at ``anchor + k * interval`` of a rule, the
anchor being the moment the replication series first reached CONTINUOUS, when that moment lies in
a CONTINUOUS period; it lives while its age is below the retention of the rules it belongs to
under the policy in force. Nothing runs in the background: the schedule is brought up to date
when a server is read, and only the snapshots within retention are enumerated, so the cost is
linear in the number of live snapshots, not in the time elapsed.

Materialisation is lazy: the recovery snapshot objects and their EBS snapshots in moto's EC2 are
created only when something needs them (DescribeRecoverySnapshots, StartRecovery choosing a
snapshot, an extended server mirroring its staging server, or an event consumer when EventBridge
rules may match DRS events). A seeded fleet that nobody reads holds no snapshot at all.
"""

import hashlib
import math
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from moto.core.common_models import BaseModel

from ..utils import iso, new_id, now
from .ec2_integration import (
    MANAGED_TAG_KEY,
    MANAGED_TAG_VALUE,
    SOURCE_SERVER_TAG_KEY,
    ec2_of,
)
from .replication_configuration import DEFAULT_PIT_POLICY

if TYPE_CHECKING:
    from .source_servers import SourceServer

UNITS = {
    "MINUTE": timedelta(minutes=1),
    "HOUR": timedelta(hours=1),
    "DAY": timedelta(days=1),
}
# The event DRS sends for each scheduled snapshot (EventBridge events reference for DRS).
SNAPSHOT_TAKEN_EVENT = "DRS PIT Snapshot Taken"
# When nothing is due sooner, a fleet sweep for events happens at most this often.
MAX_SWEEP_INTERVAL = timedelta(minutes=10)
ON_DEMAND = "ON_DEMAND"
# how long an on-demand snapshot lives when no rule of the policy is enabled: the MINUTE rule's
ON_DEMAND_RETENTION = timedelta(hours=1)
SEEDED = "SEEDED"
Period = tuple[datetime, datetime | None]


class RecoverySnapshot(BaseModel):
    """A point-in-time snapshot of a replicating server, one EBS snapshot per disk.

    ``kind`` is the set of rule units whose schedule took it ("MINUTE", "HOUR", "DAY"), or
    ON_DEMAND (StartRecovery without a chosen snapshot) or SEEDED (``add_recovery_snapshot``).
    """

    def __init__(
        self,
        source_server_id: str,
        taken_at: datetime,
        ebs_snapshots: list[str],
        kind: frozenset[str] | str = SEEDED,
    ):
        self.snapshot_id = new_id("pit")
        self.source_server_id = source_server_id
        # the server that took it: a mirrored copy keeps its staging server's ID here
        self.taken_by = source_server_id
        self.taken_at = taken_at
        self.ebs_snapshots = ebs_snapshots
        self.kind = kind
        self.ebs_account_id: str | None = None

    @property
    def on_demand(self) -> bool:
        return self.kind == ON_DEMAND

    @on_demand.setter
    def on_demand(self, value: bool) -> None:
        if value:
            self.kind = ON_DEMAND

    @property
    def timestamp(self) -> str:
        return iso(self.taken_at)

    @property
    def expected_timestamp(self) -> str:
        return iso(self.taken_at)


def scheduled_ids(
    server: "SourceServer", generation: datetime | None, moment: datetime
) -> tuple[str, list[str]]:
    """The IDs of the scheduled snapshot ``server`` took at ``moment``: (its ID, one EBS
    snapshot ID per disk), derived from (server, moment) rather than drawn at random.

    So an event can name a snapshot that nobody has materialised yet, and the snapshot has the
    same IDs when it is (the event sweep of a fleet created every live snapshot of it, EBS
    included, to name them). ``generation``: when the server's snapshots were last deleted;
    a new series after StopReplication never reuses an ID. Random IDs come from moto's
    ``mock_random``, so the server's ID, and these with it, follow moto's seeding.
    """
    key = f"{server.arn}|{generation.isoformat() if generation else ''}|{moment.isoformat()}"
    digest = hashlib.blake2b(key.encode(), digest_size=32).hexdigest()
    ebs = [
        f"snap-{hashlib.blake2b(f'{key}|{index}'.encode(), digest_size=9).hexdigest()[:17]}"
        for index in range(len(server.disks))
    ]
    return f"pit-{digest[:17]}", ebs


# -- the policy ----------------------------------------------------------------------------------


def enabled_rules(
    policy: list[dict[str, Any]],
) -> list[tuple[str, timedelta, timedelta]]:
    """(units, interval, retention) of each enabled rule (``enabled`` is optional: default on)."""
    rules = []
    for rule in policy:
        unit = UNITS.get(rule.get("units", ""))
        if unit is None or rule.get("enabled") is False:
            continue
        rules.append(
            (rule["units"], rule["interval"] * unit, rule["retentionDuration"] * unit)
        )
    return rules


def retention_of(kind: frozenset[str] | str, policy: list[dict[str, Any]]) -> timedelta:
    """How long a snapshot of ``kind`` lives under ``policy`` (zero: no rule keeps it).

    decision: an on-demand snapshot is kept like the policy's shortest-lived snapshots (the
    MINUTE rule's hour by default): DRS documents no separate retention for it. With every
    rule disabled it keeps that hour, so the snapshot a launch just took and uses stays.
    """
    rules = enabled_rules(policy)
    if kind == SEEDED:
        return timedelta.max
    if kind == ON_DEMAND:
        return min(
            (retention for _, _, retention in rules), default=ON_DEMAND_RETENTION
        )
    return max(
        (retention for units, _, retention in rules if units in kind),
        default=timedelta(0),
    )


class PolicyHistory:
    """The pitPolicy in force over time: a new policy takes effect when it is set."""

    __slots__ = ("changes",)

    def __init__(self) -> None:
        # a tuple: one per server, and a list would cost more (10,000 seeded servers must fit
        # in 100 MB)
        self.changes: tuple[tuple[datetime, list[dict[str, Any]]], ...] = ()

    def set(self, policy: list[dict[str, Any]], at: datetime) -> None:
        if self.changes and self.changes[-1][1] == policy:
            return
        self.changes = (*self.changes, (at, policy))

    def segments(
        self, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime, list[dict[str, Any]]]]:
        """The policies in force between ``start`` and ``end``: (from, to, policy), in order."""
        changes = self.changes or [(start, DEFAULT_PIT_POLICY)]
        found = []
        for index, (since, policy) in enumerate(changes):
            until = changes[index + 1][0] if index + 1 < len(changes) else end
            since = since if index else min(since, start)  # the first one reaches back
            lower, upper = max(since, start), min(until, end)
            if lower <= upper:
                found.append((lower, upper, policy))
        return found

    def policy_at(self, moment: datetime) -> list[dict[str, Any]]:
        policy = self.changes[0][1] if self.changes else DEFAULT_PIT_POLICY
        for since, candidate in self.changes:
            if since <= moment:
                policy = candidate
        return policy

    def longest_retention(self) -> timedelta:
        policies = [policy for _, policy in self.changes] or [DEFAULT_PIT_POLICY]
        return max(
            (retention for p in policies for _, _, retention in enabled_rules(p)),
            default=timedelta(0),
        )

    def longest_retention_of(self, units: str) -> timedelta:
        """The longest any policy in the history kept a snapshot of rule ``units``."""
        policies = [policy for _, policy in self.changes] or [DEFAULT_PIT_POLICY]
        return max(
            (
                retention
                for policy in policies
                for rule_units, _, retention in enabled_rules(policy)
                if rule_units == units
            ),
            default=timedelta(0),
        )

    def alive(
        self, taken_at: datetime, kind: frozenset[str] | str, now: datetime
    ) -> bool:
        """Whether no policy in force since ``taken_at`` has pruned the snapshot by ``now``:
        a policy prunes it once its age reaches the policy's retention for it, so a policy
        change applies to existing snapshots from the moment it is made."""
        if kind == SEEDED:
            return True
        return all(
            taken_at + retention_of(kind, policy) > until
            for _, until, policy in self.segments(taken_at, now)
        )


# -- the schedule --------------------------------------------------------------------------------


def _grid(
    anchor: datetime, interval: timedelta, start: datetime, end: datetime, closed: bool
) -> Iterable[datetime]:
    """``anchor + k * interval`` in [start, end] (or [start, end) unless ``closed``)."""
    first = max(0, math.ceil((start - anchor) / interval))
    moment = anchor + first * interval
    while moment < end or (closed and moment == end):
        yield moment
        moment += interval


def scheduled(
    anchor: datetime,
    periods: list[Period],
    policies: PolicyHistory,
    starts: dict[str, datetime],
    now: datetime,
) -> dict[datetime, frozenset[str]]:
    """Every moment up to ``now`` at which the schedule took a snapshot, with its rule units;
    each rule is looked at from ``starts[units]`` on (so that a read enumerates only the
    snapshots each rule can still keep, not every ten minutes since the series began).

    A moment counts when it lies in a CONTINUOUS period: no snapshot is taken while replication
    is not healthy (user guide: snapshots are created "after Source Servers complete Initial Sync
    and maintain Healthy replication status").
    """
    taken: dict[datetime, set[str]] = {}
    earliest = min(starts.values())
    for period_start, period_end in periods:
        lower = max(period_start, earliest)
        upper = now if period_end is None else min(period_end, now)
        closed = period_end is None or period_end > now
        if lower > upper:
            continue
        for since, until, policy in policies.segments(lower, upper):
            last_segment = until == upper
            for units, interval, _ in enabled_rules(policy):
                start = max(since, starts.get(units, earliest))
                if start > until:
                    continue
                for moment in _grid(
                    anchor, interval, start, until, closed and last_segment
                ):
                    taken.setdefault(moment, set()).add(units)
    return {moment: frozenset(units) for moment, units in sorted(taken.items())}


# -- EBS snapshots in moto's EC2 ----------------------------------------------------------------


class _StagingDisk:
    """The staging volume a PIT snapshot is taken of, as moto's Snapshot reads it (id, size).

    The mock creates no staging volumes in EC2: the snapshot names one, as a real snapshot
    names a volume that may no longer exist.
    """

    __slots__ = ("id", "size", "encrypted")

    def __init__(self, volume_id: str, size_gib: int):
        self.id = volume_id
        self.size = size_gib
        self.encrypted = False


def create_ebs_snapshots(
    server: "SourceServer",
    snapshot_id: str,
    taken_at: datetime,
    ids: list[str] | None = None,
) -> tuple[list[str], str | None]:
    """One EBS snapshot per disk of ``server`` in its staging account's EC2; (IDs, account).

    Tagged as DRS tags what it creates (its service-linked role may only create and delete EC2
    resources carrying ``AWSElasticDisasterRecoveryManaged``; AWSElasticDisasterRecovery-
    ServiceRolePolicy), with the source server's ID as on its other resources.
    """
    from moto.ec2.models.elastic_block_store import Snapshot

    account_id = server.staging_account_id
    ec2 = ec2_of(account_id, server.region_name)
    ids = ids if ids is not None else [new_id("snap") for _ in server.disks]
    if ec2 is None:
        return ids, None
    tags = {
        MANAGED_TAG_KEY: MANAGED_TAG_VALUE,
        SOURCE_SERVER_TAG_KEY: server.source_server_id,
    }
    start_time = taken_at.astimezone(timezone.utc).replace(tzinfo=None)
    for disk, ebs_id in zip(server.disks, ids, strict=True):
        volume = _StagingDisk(
            server.pit.staging_volume(disk.get("deviceName", "")),
            max(1, math.ceil(int(disk.get("bytes", 0)) / 1024**3)),
        )
        description = (
            f"Elastic Disaster Recovery point-in-time snapshot {snapshot_id} of "
            f"{server.source_server_id} ({disk.get('deviceName', '')})"
        )
        ebs = Snapshot(ec2, ebs_id, volume, description)
        ebs.start_time = start_time
        ec2.snapshots[ebs_id] = ebs
        ec2.create_tags([ebs_id], tags)
    return ids, account_id


def delete_ebs_snapshots(snapshot: RecoverySnapshot, region_name: str) -> None:
    if snapshot.ebs_account_id is None:
        return
    ec2 = ec2_of(snapshot.ebs_account_id, region_name)
    if ec2 is None:
        return
    for ebs_id in snapshot.ebs_snapshots:
        ec2.snapshots.pop(ebs_id, None)
        ec2.tags.pop(ebs_id, None)


# -- one server's schedule -----------------------------------------------------------------------


class PitSchedule:
    """A source server's PIT schedule: its policy history, its replication series and the
    snapshots materialised so far (by the moment the schedule took them)."""

    __slots__ = (
        "policies",
        "snapshots",
        "anchor",
        "periods",
        "past",
        "taken",
        "events_through",
        "volumes",
        "cleared_at",
        "prune_due",
    )

    def __init__(self) -> None:
        self.policies = PolicyHistory()
        # the server's recovery snapshots materialised so far, by ID (SourceServer.snapshots)
        self.snapshots: dict[str, RecoverySnapshot] = {}
        self.anchor: datetime | None = None
        self.periods: list[Period] = []
        # earlier series still within retention (RetryDataReplication restarts a series without
        # deleting snapshots): (anchor, periods)
        self.past: tuple[tuple[datetime, list[Period]], ...] = ()
        self.taken: dict[datetime, str] | None = None  # moment -> snapshot ID
        self.events_through: datetime | None = None
        self.volumes: dict[str, str] | None = None
        # when the snapshots were deleted: periods that began earlier take none any more
        self.cleared_at: datetime | None = None
        # (when the first snapshot kept expires, the policy changes seen then): until then, a
        # read need not look at every snapshot (on-demand ones pile up, one a launch)
        self.prune_due: tuple[datetime, int] | None = None

    def staging_volume(self, device_name: str) -> str:
        if self.volumes is None:
            self.volumes = {}
        return self.volumes.setdefault(device_name, new_id("vol"))

    def series(self) -> list[tuple[datetime, list[Period]]]:
        current = [(self.anchor, self.periods)] if self.anchor is not None else []
        return [*self.past, *current]

    def follow(self, server: "SourceServer", now: datetime) -> None:
        """Take in the server's CONTINUOUS periods; a new first period is a new series."""
        periods = [
            period
            for period in server.continuous_periods()
            if self.cleared_at is None or period[0] >= self.cleared_at
        ]
        anchor = periods[0][0] if periods else None
        if self.anchor is not None and anchor != self.anchor:
            closed: list[Period] = [
                (
                    start,
                    end
                    if end is not None
                    else max(start, server.initiation_started_at),
                )
                for start, end in self.periods
            ]
            self.past = (*self.past, (self.anchor, closed))
        self.anchor, self.periods = anchor, periods
        if self.past:
            horizon = now - self.policies.longest_retention()
            self.past = tuple(
                (anchor, periods)
                for anchor, periods in self.past
                if any(end is not None and end > horizon for _, end in periods)
            )

    def live(self, now: datetime) -> dict[datetime, frozenset[str]]:
        """The scheduled snapshots within retention at ``now``."""
        starts = {
            units: now - self.policies.longest_retention_of(units) for units in UNITS
        }
        found: dict[datetime, frozenset[str]] = {}
        for anchor, periods in self.series():
            for moment, kind in scheduled(
                anchor, periods, self.policies, starts, now
            ).items():
                if self.policies.alive(moment, kind, now):
                    found[moment] = kind
        return found

    def next_due(self, now: datetime) -> datetime | None:
        """When the schedule takes its next snapshot, if the server stays CONTINUOUS."""
        if self.anchor is None or not self.periods or self.periods[-1][1] is not None:
            return None
        return min(
            (
                self.anchor
                + (math.floor((now - self.anchor) / interval) + 1) * interval
                for _, interval, _ in enabled_rules(self.policies.policy_at(now))
            ),
            default=None,
        )

    def clear(self, server: "SourceServer") -> None:
        """Forget every snapshot (StopReplication, DisconnectSourceServer); a new series follows."""
        for snapshot in server.snapshots.values():
            if snapshot.taken_by == server.source_server_id:
                delete_ebs_snapshots(snapshot, server.region_name)
        server.snapshots.clear()
        self.taken = None
        self.prune_due = None
        self.past = ()
        self.anchor, self.periods = None, []
        self.cleared_at = now()

    def update(self, server: "SourceServer", now: datetime, materialize: bool) -> None:
        """Bring the schedule up to date at ``now``: prune what retention deleted, emit the
        events of snapshots taken since the last update (only when someone may listen), and
        create the live snapshots if ``materialize``."""
        self.follow(server, now)
        extended = server.staging_area["status"] != "NOT_EXTENDED"
        backend = server._backend
        listening = backend.events_listening() and not extended
        live = {} if extended else self.live(now) if materialize or listening else None
        if listening:
            self._emit_taken(server, now)
        self.events_through = now
        if live is not None and materialize:
            for moment, kind in live.items():
                if self.taken is None or moment not in self.taken:
                    self._materialize(server, moment, kind)
        self._prune(server, now, live)

    def _materialize(
        self, server: "SourceServer", moment: datetime, kind: frozenset[str] | str
    ) -> RecoverySnapshot:
        snapshot = RecoverySnapshot(server.source_server_id, moment, [], kind)
        ebs_ids = None
        if isinstance(kind, frozenset):  # scheduled: the IDs its event named
            snapshot.snapshot_id, ebs_ids = scheduled_ids(
                server, self.cleared_at, moment
            )
        snapshot.ebs_snapshots, snapshot.ebs_account_id = create_ebs_snapshots(
            server, snapshot.snapshot_id, moment, ebs_ids
        )
        server.snapshots[snapshot.snapshot_id] = snapshot
        self._expires_at(moment, kind)
        if isinstance(kind, frozenset):
            if self.taken is None:
                self.taken = {}
            self.taken[moment] = snapshot.snapshot_id
        return snapshot

    def take(
        self, server: "SourceServer", moment: datetime, kind: str
    ) -> RecoverySnapshot:
        """A snapshot outside the schedule (on demand, or seeded)."""
        return self._materialize(server, moment, kind)

    def _prune(
        self,
        server: "SourceServer",
        now: datetime,
        live: dict[datetime, frozenset[str]] | None,
    ) -> None:
        """Delete what retention deleted. A scheduled snapshot goes when the schedule no longer
        keeps it; any other when a policy in force since it was taken pruned it. Every read
        prunes, so a full look happens only once the first snapshot kept is due to expire or
        the policy changed: the cost of a read does not grow with the launches made."""
        if live is not None and self.taken:
            for moment, snapshot_id in list(self.taken.items()):
                if moment not in live:
                    self._drop(server, snapshot_id)
        changes = len(self.policies.changes)
        due = self.prune_due
        if due is not None and due[1] == changes and now < due[0]:
            return
        policy = self.policies.policy_at(now)
        first_expiry = datetime.max.replace(tzinfo=timezone.utc)
        for snapshot_id, snapshot in list(server.snapshots.items()):
            if snapshot.taken_by != server.source_server_id:
                continue  # a mirrored snapshot: its staging server prunes it
            if isinstance(snapshot.kind, frozenset) and live is not None:
                keep = snapshot.taken_at in live
            else:
                keep = self.policies.alive(snapshot.taken_at, snapshot.kind, now)
            if not keep:
                self._drop(server, snapshot_id)
            elif snapshot.kind != SEEDED:
                # with the policy now in force it expires then (earlier policies passed)
                try:
                    expiry = snapshot.taken_at + retention_of(snapshot.kind, policy)
                except OverflowError:  # kept past the year 9999: never due
                    continue
                first_expiry = min(first_expiry, expiry)
        # none kept (a seeded fleet nobody launched): no gate, the next look is free anyway,
        # and a tuple per server would cost 1 MB in 10,000
        self.prune_due = (first_expiry, changes) if server.snapshots else None

    def _expires_at(self, moment: datetime, kind: frozenset[str] | str) -> None:
        """A snapshot was added: the next full prune is due no later than its expiry."""
        due = self.prune_due
        if due is None or kind == SEEDED:
            return
        changes = self.policies.changes
        if changes and moment < changes[-1][0]:
            self.prune_due = (
                None  # taken under an earlier policy: look at it all next time
            )
            return
        try:
            expiry = moment + retention_of(kind, self.policies.policy_at(moment))
        except OverflowError:
            return
        self.prune_due = (min(due[0], expiry), due[1])

    def _drop(self, server: "SourceServer", snapshot_id: str) -> None:
        snapshot = server.snapshots.pop(snapshot_id, None)
        if snapshot is None:
            return
        delete_ebs_snapshots(snapshot, server.region_name)
        if self.taken and self.taken.get(snapshot.taken_at) == snapshot_id:
            del self.taken[snapshot.taken_at]

    def _emit_taken(self, server: "SourceServer", now: datetime) -> None:
        """One "DRS PIT Snapshot Taken" event per scheduled snapshot since the last update, in
        order, naming the IDs the snapshot has (or will have, once something reads it)."""
        since = self.events_through
        # never brought up to date (a rule added after the server was last read): announce
        # only what retention still keeps; enumerating every grid point since the series began
        # cost time linear in the elapsed time, for each server of the fleet
        starts = {
            units: since
            if since is not None
            else now - self.policies.longest_retention_of(units)
            for units in UNITS
        }
        for anchor, periods in self.series():
            for moment in scheduled(anchor, periods, self.policies, starts, now):
                if since is not None and moment <= since:
                    continue
                # named, not materialised: a read creates it later with these IDs
                snapshot_id, ebs_ids = scheduled_ids(server, self.cleared_at, moment)
                server._backend.emit_event(
                    SNAPSHOT_TAKEN_EVENT,
                    [server.arn],
                    {"DrsSnapshotID": snapshot_id, "EbsSnapshotIDs": ",".join(ebs_ids)},
                    time=moment,
                )
