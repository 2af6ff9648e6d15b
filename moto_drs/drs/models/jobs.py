"""Jobs, their event logs, and StartRecovery (drills and recoveries).

A job is a ManagedState of moto's state manager, model ``drs::job`` (default "immediate"):
PENDING -> STARTED -> COMPLETED. What a job does happens in its *phases*, applied in order when a
read lets the state manager move it; so under manual or time progression a poller sees every
intermediate state and the event log grow, and under "immediate" the job is finished before the
call that created it returns. StartRecovery, TerminateRecoveryInstances and StartFailbackLaunch
all create their jobs through ``create_job``. Source: the API reference of StartRecovery and Job
(/drs/latest/APIReference/API_Job.html) and the user guide's "Recovery job log".
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from moto.core.common_models import BaseModel
from moto.core.exceptions import ServiceException
from moto.moto_api._internal import mock_random

from ..exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from ..utils import FrozenItem, drs_arn, iso, new_id, now, parse_iso
from ..validation import reject_repeated
from .base import DrsBackendCore, find_resource
from .ec2_integration import ec2_of, run_conversion_server, terminate_instance
from .kept_descriptions import ForgetsDescriptionOnChange
from .managed_state import DrsManagedState
from .paging import paginate_list

if TYPE_CHECKING:
    from .source_servers import RecoverySnapshot, SourceServer

LOG = logging.getLogger(__name__)

JOB_MODEL = "drs::job"
JOB_PROGRESSION: list[tuple[str | None, str]] = [
    ("PENDING", "STARTED"),
    ("STARTED", "COMPLETED"),
]
# A server can be launched once its initial sync is complete and it still replicates.
NOT_LAUNCHABLE = ("STOPPED", "DISCONNECTED", "INITIATING", "INITIAL_SYNC")

Phase = Callable[["Job"], None]
# what a job keeps of its last description: (its tags then, the description), or None; one
# list shared with its participants, whose changes empty it too
Kept = list[tuple[tuple[tuple[str, Any], ...] | None, FrozenItem] | None]
# attributes of a job that its description does not read: setting them keeps the description
UNDESCRIBED_JOB_ATTRIBUTES: frozenset[str] = frozenset(
    {"_status", "_tick", "_time_progressed", "moved_at", "phase_moment", "log_items"}
)


def filter_date(text: str, field: str) -> datetime:
    try:
        return parse_iso(text)
    except ValueError:
        raise ValidationException(
            f"{field} is not a valid date: {text!r}.",
            field_list=[{"name": field, "message": "Invalid date"}],
        ) from None


class JobParticipant(ForgetsDescriptionOnChange):
    """A source server in a job: its launch status and what the job launches it from; its job
    sets ``_kept`` to its own, so that any change of the participant forgets the job's."""

    def __init__(
        self, source_server_id: str, recovery_instance_id: str | None = None
    ) -> None:
        self.source_server_id = source_server_id
        self.recovery_instance_id = recovery_instance_id
        self.launch_status = "PENDING"
        self.snapshot: RecoverySnapshot | None = None
        self.snapshot_chosen = False
        # post-launch actions of recovery launches (ParticipatingServer.launchActionsStatus)
        self.launch_actions_status: dict[str, Any] | None = None
        # the launch settings read when the job started, or why DRS could not use them
        self.settings: dict[str, Any] | None = None
        self.refusal: str | None = None
        # (staging account, EC2 instance ID) of the conversion server, while the job runs
        self.conversion_server: tuple[str, str] | None = None

    def describe(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "sourceServerID": self.source_server_id,
            "launchStatus": self.launch_status,
        }
        if self.recovery_instance_id:
            item["recoveryInstanceID"] = self.recovery_instance_id
        if self.launch_actions_status is not None:
            item["launchActionsStatus"] = self.launch_actions_status
        return item


class JobLogItem:
    def __init__(
        self,
        position: int,
        event: str,
        event_data: dict[str, Any],
        at: datetime | None = None,
    ) -> None:
        self.position = position
        self.log_date_time = iso(at or now())
        self.event = event
        self.event_data = event_data

    def describe(self) -> dict[str, Any]:
        return {
            "logDateTime": self.log_date_time,
            "event": self.event,
            "eventData": self.event_data,
        }


class Job(ForgetsDescriptionOnChange, BaseModel, DrsManagedState):
    """A DRS job. ``phase`` is the last state whose effects were applied; it is what clients see."""

    undescribed = UNDESCRIBED_JOB_ATTRIBUTES

    def __init__(
        self,
        backend: DrsBackendCore,
        job_type: str,
        initiated_by: str,
        participants: list[JobParticipant],
        on_started: Phase,
        on_completed: Phase,
    ) -> None:
        # the last description, kept while nothing it shows changes: setting an attribute of
        # the job (but those in UNDESCRIBED_JOB_ATTRIBUTES) or of a participant, or a phase
        # applied, forgets it; its tags are compared on every read (describe)
        self._kept: Kept = [None]
        for participant in participants:
            participant._kept = self._kept
        DrsManagedState.__init__(self, JOB_MODEL, transitions=JOB_PROGRESSION)
        self._backend = backend
        self.job_id = new_id("drsjob")
        self.arn = drs_arn(
            backend.region_name, backend.account_id, f"job/{self.job_id}"
        )
        self.type = job_type
        self.initiated_by = initiated_by
        self.participants = participants
        moment = now()  # to the millisecond, as creationDateTime shows it and date filters compare it
        self.created_at = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        self.ended_at: datetime | None = None
        self.phase = "PENDING"
        self.phases = {"STARTED": on_started, "COMPLETED": on_completed}
        self.log_items: list[JobLogItem] = []
        # ParticipatingResource dicts (source networks); their owner keeps launchStatus current
        self.participating_resources: list[dict[str, Any]] = []
        # when the state manager moved the job into each status (DRS clock), and the moment
        # of the phase being applied: its log items and endDateTime are dated then
        self.moved_at: dict[str, datetime] = {}
        self.phase_moment: datetime | None = self.created_at
        self.log("JOB_START")
        self.phase_moment = None

    @property
    def is_active(self) -> bool:
        return self.phase != "COMPLETED"

    def log(self, event: str, **event_data: Any) -> None:
        data = {key: value for key, value in event_data.items() if value is not None}
        self.log_items.append(
            JobLogItem(len(self.log_items), event, data, self.phase_moment)
        )

    def _progressed(self, status: str | None, at: datetime) -> None:
        # never before creation (the progression's start is read a moment earlier); an
        # "immediate" move passes through the statuses in between at the same moment
        moment = max(at, self.created_at)
        step = self._status
        while step != status:
            following = self._get_next_status(step)
            if following == step:
                break
            step = following
            self.moved_at[step or ""] = moment
        super()._progressed(status, at)

    def progress(self) -> None:
        """Apply, in order, each phase the state manager has moved the job into since it was last seen."""
        if self.phase == "COMPLETED":  # the last status: nothing can follow it
            return
        target = self.status
        while self.phase != target:
            self.phase = next(new for old, new in JOB_PROGRESSION if old == self.phase)
            self.phase_moment = self.moved_at.get(self.phase)
            self.phases[self.phase](self)
            # a phase edits what the job shows in place too (participating resources)
            self._kept[0] = None
            if self.phase == "COMPLETED":
                self.ended_at = self.phase_moment or now()
                self.log("JOB_END")
            self.phase_moment = None

    def describe(self) -> FrozenItem:
        """The Job as DescribeJobs shows it; the same object while nothing it shows changed,
        so that a page of unchanged jobs costs a look-up per job (and its text is kept with it)."""
        tags = self._backend.tagger.tags.get(self.arn)
        tag_key = tuple(tags.items()) if tags else None
        kept = self._kept[0]
        if kept is not None and kept[0] == tag_key:
            return kept[1]
        job: dict[str, Any] = {
            "jobID": self.job_id,
            "arn": self.arn,
            "type": self.type,
            "initiatedBy": self.initiated_by,
            "creationDateTime": iso(self.created_at),
            "status": self.phase,
            "participatingServers": [p.describe() for p in self.participants],
            "participatingResources": [
                dict(resource) for resource in self.participating_resources
            ],
            "tags": self._backend.tagger.get_tag_dict_for_resource(self.arn),
        }
        if self.ended_at:
            job["endDateTime"] = iso(self.ended_at)
        described = FrozenItem(job)
        self._kept[0] = (tag_key, described)
        return described


def newest_first(jobs: list[Job]) -> list[Job]:
    """ "sorted by creationDataTime - latest date first" (API reference); of two jobs created
    at the same moment, the one created later first (``jobs`` are in creation order)."""
    jobs.reverse()
    jobs.sort(key=lambda job: job.created_at, reverse=True)
    return jobs


class JobOperations(DrsBackendCore):
    def _init_jobs(self) -> None:
        self.jobs: dict[str, Job] = {}
        # every job, newest first as DescribeJobs lists them; None once a job came or went
        self.jobs_newest_first: list[Job] | None = None
        # the jobs not yet seen COMPLETED: what every read settles, without a scan of them all
        self.active_jobs: dict[str, Job] = {}

    # -- the job engine, shared by every operation that creates jobs --------------------------

    def create_job(
        self,
        job_type: str,
        initiated_by: str,
        participants: list[tuple[str, str | None]],
        tags: dict[str, str] | None,
        on_started: Phase,
        on_completed: Phase,
    ) -> Job:
        members = [
            JobParticipant(source_server_id, instance_id)
            for source_server_id, instance_id in participants
        ]
        job = Job(self, job_type, initiated_by, members, on_started, on_completed)
        self.jobs[job.job_id] = job
        self.jobs_newest_first = None
        self.active_jobs[job.job_id] = job
        self.register_taggable(job.arn, job)
        if tags:
            self.tag_resource(job.arn, tags)
        return job

    def settle_jobs(self) -> None:
        """Let every active job catch up with the state manager (no read is counted)."""
        for job in list(self.active_jobs.values()):
            if job.is_active:
                job.progress()
            if not job.is_active:
                del self.active_jobs[job.job_id]

    def get_job(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def active_job_of(self, source_server_id: str) -> Job | None:
        for job in self.active_jobs.values():
            if job.is_active and any(
                p.source_server_id == source_server_id for p in job.participants
            ):
                return job
        return None

    def check_job_capacity(self, source_server_ids: list[str], field: str) -> None:
        """Before a job is created: each server once (``field`` names the request member), and DRS's
        job quotas (AWS General Reference, "Elastic Disaster Recovery endpoints and quotas")."""
        reject_repeated(
            source_server_ids, field, "Source server"
        )  # a job launches each source server once
        self.check_quota("servers_per_job", len(source_server_ids))
        active = [job for job in self.active_jobs.values() if job.is_active]
        self.check_quota("concurrent_jobs", len(active) + 1)
        in_active_jobs = sum(len(job.participants) for job in active)
        self.check_quota(
            "servers_in_active_jobs", in_active_jobs + len(source_server_ids)
        )
        for source_server_id in source_server_ids:
            busy = sum(
                1
                for job in active
                for p in job.participants
                if p.source_server_id == source_server_id
            )
            # names the server, so that a recovery plan can leave out an OPTIONAL server that is busy
            self.check_quota(
                "concurrent_jobs_per_source_server",
                busy + 1,
                resource_id=source_server_id,
                resource_type="SOURCE_SERVER",
            )

    # -- StartRecovery ----------------------------------------------------------------------------

    def start_recovery(
        self,
        source_servers: list[dict[str, str]],
        is_drill: bool | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        self.settle_jobs()
        chosen = []
        for entry in source_servers:
            server = self.get_source_server(entry["sourceServerID"])
            chosen.append(
                (server, self._chosen_snapshot(server, entry.get("recoverySnapshotID")))
            )
        self.check_job_capacity(
            [server.source_server_id for server, _ in chosen], "sourceServers"
        )

        initiated_by = "START_DRILL" if is_drill else "START_RECOVERY"
        job = self.create_job(
            "LAUNCH",
            initiated_by,
            [(server.source_server_id, None) for server, _ in chosen],
            tags,
            self._recovery_launch_started,
            self._recovery_launch_completed,
        )
        for participant, (server, snapshot) in zip(
            job.participants, chosen, strict=True
        ):
            participant.snapshot_chosen = snapshot is not None
            # no snapshot chosen: DRS takes an on-demand snapshot of the latest data
            participant.snapshot = snapshot or self._on_demand_snapshot(server)
            participant.launch_actions_status = {"runs": []}
            server.last_launch_result = "PENDING"
            server.last_launch = {
                "initiated": {
                    "apiCallDateTime": iso(job.created_at),
                    "jobID": job.job_id,
                    "type": "DRILL" if is_drill else "RECOVERY",
                },
                "status": "PENDING",
            }
        created = job.describe()
        self.settle_jobs()
        return created

    @staticmethod
    def _on_demand_snapshot(server: "SourceServer") -> "RecoverySnapshot":
        """A snapshot of the latest data, marked on-demand: an extended server keeps it when it mirrors
        its staging server's scheduled snapshots (staging.py)."""
        snapshot = server.take_snapshot(now())
        snapshot.on_demand = True
        return snapshot

    def _chosen_snapshot(
        self, server: "SourceServer", snapshot_id: str | None
    ) -> "RecoverySnapshot | None":
        """ConflictException unless ``server`` can be launched from ``snapshot_id`` (None: the latest data)."""
        state = server.data_replication_state
        if state in NOT_LAUNCHABLE:
            raise ConflictException(
                f"Cannot launch source server {server.source_server_id}: its data replication is {state}; "
                "a server can be launched once its initial sync is complete and while it replicates.",
                server.source_server_id,
                "SOURCE_SERVER",
            )
        if snapshot_id is None:
            return None
        # a snapshot past its point-in-time retention was deleted: it is unknown like any other
        snapshot = server.recovery_snapshots().get(snapshot_id)
        if snapshot is None:
            raise ConflictException(
                f"Recovery snapshot {snapshot_id} is not a snapshot of source server {server.source_server_id}, "
                "or it is past the retention of the server's point-in-time policy and was deleted.",
                snapshot_id,
                "RECOVERY_SNAPSHOT",
            )
        return snapshot

    def _server_or_none(self, source_server_id: str) -> "SourceServer | None":
        try:
            return self.get_source_server(source_server_id)
        except ResourceNotFoundException:
            return None

    def _server_launch(
        self, job: Job, participant: JobParticipant, status: str
    ) -> "SourceServer | None":
        """Record a launch status on the participant and on its server's lifeCycle.lastLaunch."""
        participant.launch_status = status
        server = self._server_or_none(participant.source_server_id)
        if (
            server is not None
            and server.last_launch
            and server.last_launch["initiated"]["jobID"] == job.job_id
        ):
            server.last_launch["status"] = status
            if status in ("LAUNCHED", "FAILED"):
                server.last_launch_result = (
                    "SUCCEEDED" if status == "LAUNCHED" else "FAILED"
                )
        return server

    # -- the phases of a LAUNCH job of StartRecovery ------------------------------------------
    #
    # Job logs of real drills (DescribeJobLogItems captured from real accounts) run each phase
    # across all servers before the next begins: JOB_START; SNAPSHOT; CONVERSION (OPTIMAL
    # recovery mode only); LAUNCH_START; LAUNCH_END or LAUNCH_FAILED; JOB_END. The cleanup of
    # previous recovery instances comes first. The launch settings are read once, on STARTED.

    def _recovery_launch_started(self, job: Job) -> None:
        """Clean up previous recovery instances, snapshot, convert (the job is STARTED)."""
        launching = []
        for participant in job.participants:
            server = self._server_launch(job, participant, "IN_PROGRESS")
            if server is not None:
                launching.append((participant, server))
                participant.settings, participant.refusal = self._settings_or_refusal(
                    server
                )
        self._cleanup_phase(job, launching)
        self._snapshot_phase(job, launching)
        self._conversion_phase(job, launching)

    def _settings_or_refusal(
        self, server: "SourceServer"
    ) -> tuple[dict[str, Any] | None, str | None]:
        """The launch settings, or why DRS cannot use them (which fails that server's launch)."""
        try:
            return self.launch_settings_for(server), None
        except ServiceException as refusal:
            return None, f"{refusal.code}: {refusal.message}"

    def _cleanup_phase(
        self, job: Job, launching: list[tuple[JobParticipant, "SourceServer"]]
    ) -> None:
        """A new launch replaces the server's recovery instance (user guide, "Drills": a new
        drill terminates the previous drill instance)."""
        previous = [
            (participant, server, server.recovery_instance_id)
            for participant, server in launching
            if server.recovery_instance_id
        ]
        for participant, _, instance_id in previous:
            job.log(
                "CLEANUP_START",
                sourceServerID=participant.source_server_id,
                targetInstanceID=instance_id,
            )
        for participant, _, instance_id in previous:
            # an instance the server launches into again stays; only DRS's record of it goes
            reused = instance_id == (participant.settings or {}).get(
                "launch_into_instance_id"
            )
            self.discard_recovery_instance(instance_id or "", terminate_ec2=not reused)
            job.log("CLEANUP_END", sourceServerID=participant.source_server_id)

    @staticmethod
    def _snapshot_phase(
        job: Job, launching: list[tuple[JobParticipant, "SourceServer"]]
    ) -> None:
        """An on-demand snapshot, or the chosen one (USING_PREVIOUS_SNAPSHOT)."""
        taken = []
        for participant, _ in launching:
            if participant.snapshot_chosen:
                job.log(
                    "USING_PREVIOUS_SNAPSHOT",
                    sourceServerID=participant.source_server_id,
                )
            else:
                job.log("SNAPSHOT_START", sourceServerID=participant.source_server_id)
                taken.append(participant)
        for participant in taken:
            job.log("SNAPSHOT_END", sourceServerID=participant.source_server_id)

    def _conversion_phase(
        self, job: Job, launching: list[tuple[JobParticipant, "SourceServer"]]
    ) -> None:
        """OPTIMAL recovery: one conversion server per source server, in the staging area.

        FAST "skips conversion to reduce recovery time" (botocore's RecoveryMode): no events,
        no conversion server.
        """
        converting = [
            (participant, server)
            for participant, server in launching
            if (participant.settings or {}).get("recovery_mode", "OPTIMAL") != "FAST"
        ]
        for participant, server in converting:
            job.log("CONVERSION_START", sourceServerID=participant.source_server_id)
            participant.conversion_server, refused = self._run_conversion_server(server)
            if refused and participant.refusal is None:
                # no conversion, no launch: the server's launch fails
                participant.refusal = refused
        for participant, server in converting:
            job.log(
                "CONVERSION_END",
                sourceServerID=participant.source_server_id,
                conversionServerID=(participant.conversion_server or (None, None))[1],
                conversionProperties=self._conversion_properties(server, participant),
            )

    def _run_conversion_server(
        self, server: "SourceServer"
    ) -> tuple[tuple[str, str] | None, str | None]:
        """(staging account, instance ID) of the server's conversion server if EC2 ran one, and
        why EC2 refused it if it did.

        It runs in the staging account and Region, in the staging subnet of the server's
        replication configuration, tagged as DRS tags what it runs in the staging area.
        """
        account_id = server.staging_account_id
        replication = self.replication_settings_for(server)
        instance_id, refused = run_conversion_server(
            ec2_of(account_id, self.region_name),
            server.source_server_id,
            replication.get("stagingAreaSubnetId"),
            dict(replication.get("stagingAreaTags") or {}),
        )
        return ((account_id, instance_id) if instance_id else None), refused

    def _stop_conversion_servers(self, job: Job) -> None:
        """Conversion servers are short-lived: DRS terminates them once the job is done with them."""
        for participant in job.participants:
            if participant.conversion_server is not None:
                account_id, instance_id = participant.conversion_server
                refused = terminate_instance(
                    ec2_of(account_id, self.region_name), instance_id
                )
                if refused:
                    # the job goes on; the mock has nowhere in the API to show this
                    LOG.warning("Conversion server of job %s: %s", job.job_id, refused)

    def _recovery_launch_completed(self, job: Job) -> None:
        """Launch each server's recovery instance in EC2; a refusal fails that server only."""
        self._stop_conversion_servers(job)
        is_drill = job.initiated_by == "START_DRILL"
        launching = []
        for participant in job.participants:
            server = self._server_or_none(participant.source_server_id)
            # (a server in an active job cannot be deleted, so it is always there)
            if server is not None:
                launching.append((participant, server))
                job.log("LAUNCH_START", sourceServerID=participant.source_server_id)
        for participant, server in launching:
            snapshot = participant.snapshot
            assert snapshot is not None
            instance_id: str | None
            error: str | None = participant.refusal
            settings = participant.settings
            if settings is None or error is not None:
                instance_id = None
            else:
                instance_id, error = self.launch_recovery_instance(
                    server, job.job_id, is_drill, snapshot, settings
                )
            if instance_id is None or settings is None:
                job.log(
                    "LAUNCH_FAILED",
                    sourceServerID=server.source_server_id,
                    rawError=error,
                )
                self._server_launch(job, participant, "FAILED")
            else:
                participant.recovery_instance_id = instance_id
                job.log(
                    "LAUNCH_END",
                    sourceServerID=server.source_server_id,
                    targetInstanceID=instance_id,
                )
                participant.launch_actions_status = self._launch_actions_status(
                    server, settings
                )
                self._server_launch(job, participant, "LAUNCHED")
            self.emit_launch_result(
                server, job.job_id, is_drill, succeeded=instance_id is not None
            )

    @staticmethod
    def _conversion_properties(
        server: "SourceServer", participant: JobParticipant
    ) -> dict[str, Any]:
        snapshot = participant.snapshot
        assert snapshot is not None
        disks = server.disks
        conversions: dict[str, dict[str, str]] = {}
        sizes: dict[str, int] = {}
        for disk, ebs_snapshot in zip(disks, snapshot.ebs_snapshots, strict=False):
            name = disk.get("deviceName", "")
            conversions[name] = {ebs_snapshot: new_id("snap")}
            sizes[name] = int(disk.get("bytes", 0))
        return {
            "rootVolumeName": disks[0].get("deviceName", "") if disks else "",
            "dataTimestamp": snapshot.timestamp,
            "forceUefi": False,
            "volumeToConversionMap": conversions,
            "volumeToVolumeSize": sizes,
        }

    def emit_launch_result(
        self, server: "SourceServer", job_id: str, is_drill: bool, succeeded: bool
    ) -> None:
        """The EventBridge event of a server's launch, once its result shows in the API."""
        self.emit_event(
            "DRS Source Server Launch Result",
            [server.arn],
            {
                "state": "RECOVERY_LAUNCH_SUCCEEDED"
                if succeeded
                else "RECOVERY_LAUNCH_FAILED",
                "job-id": job_id,
                "is-drill": "TRUE" if is_drill else "FALSE",
            },
        )

    def _launch_actions_status(
        self, server: "SourceServer", settings: dict[str, Any]
    ) -> dict[str, Any]:
        """The server's active post-launch actions run once SSM sees the instance (and, in the mock, succeed).

        The actions are read through ListLaunchActions (launch_actions.py), whose items have the
        LaunchAction shape that ``runs[].action`` wants.
        """
        list_launch_actions = getattr(self, "list_launch_actions", None)
        if not settings.get("post_launch_enabled") or list_launch_actions is None:
            return {"runs": []}
        actions, _ = list_launch_actions(server.source_server_id)
        runs = [
            {"action": action, "runId": str(mock_random.uuid4()), "status": "SUCCEEDED"}
            for action in actions
            if action.get("active")
        ]
        if not runs:
            return {"runs": []}
        return {"ssmAgentDiscoveryDatetime": iso(now()), "runs": runs}

    # -- DescribeJobs, DescribeJobLogItems, DeleteJob ---------------------------------------------

    def describe_jobs(
        self,
        filters: dict[str, Any] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        self.settle_jobs()
        filters = filters or {}
        ids = filters.get("jobIDs")
        if ids:
            jobs = newest_first(
                [self.jobs[i] for i in dict.fromkeys(ids) if i in self.jobs]
            )
        else:
            if self.jobs_newest_first is None:
                self.jobs_newest_first = newest_first(list(self.jobs.values()))
            jobs = list(self.jobs_newest_first)
        if filters.get("fromDate"):
            start = filter_date(filters["fromDate"], "filters.fromDate")
            jobs = [job for job in jobs if job.created_at >= start]
        if filters.get("toDate"):
            end = filter_date(filters["toDate"], "filters.toDate")
            jobs = [job for job in jobs if job.created_at <= end]
        page, token = paginate_list(
            jobs, "job_id", max_results, next_token, filters=filters
        )
        for job in page:
            if (
                job.phase != "COMPLETED"
            ):  # a read by a poller: manual progression counts it
                job.advance()  # (a COMPLETED job has no status left to count reads towards)
                job.progress()
        return [job.describe() for job in page], token

    def describe_job_log_items(
        self, job_id: str, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        self.settle_jobs()
        job = self.jobs.get(job_id)
        items = (
            list(job.log_items) if job else []
        )  # no ResourceNotFoundException is modelled here
        page, token = paginate_list(
            items, "position", max_results, next_token, job=job_id
        )
        return [item.describe() for item in page], token

    def delete_job(self, job_id: str) -> None:
        self.settle_jobs()
        job = find_resource(self.jobs, job_id, "JOB", "Job")
        if job.is_active:
            raise ConflictException(
                f"Cannot delete job {job_id}: it is {job.phase}; only a COMPLETED job can be deleted.",
                job_id,
                "JOB",
            )
        del self.jobs[job_id]
        self.jobs_newest_first = None
        self.active_jobs.pop(job_id, None)
        self.unregister_taggable(job.arn)
