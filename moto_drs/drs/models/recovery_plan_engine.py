"""The execution engine of recovery plans: how an execution runs its steps, one change per turn.

An execution is a ManagedState of moto's state manager, model ``drs::recovery-plan-execution``
(default "immediate"), used as its pace: each time the state manager lets it move, the execution
makes its next change (it starts, a step starts, a step ends, it ends). So under manual or time
progression a poller sees every intermediate status, and under "immediate" an execution runs until
it ends or waits for a launch job. A SERVER step launches through StartRecovery (jobs.py): its
servers get a real LAUNCH job, with StartRecovery's checks, log and recovery instances in EC2.
``RecoveryPlanOperations`` (recovery_plans.py) builds on this class.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from moto.core.exceptions import ServiceException
from moto.moto_api import state_manager

from ..utils import now
from .base import DrsBackendCore
from .recovery_plan_models import (
    EXECUTION_MODEL,
    WAIT_STEP,
    RecoveryPlanExecution,
    RecoveryPlanExecutionServer,
    RecoveryPlanExecutionStep,
)

Move = Callable[[], None]


class RecoveryPlanExecutionEngine(DrsBackendCore):
    """Runs the executions of ``recovery_plan_executions`` (created by ``_init_recovery_plans``)."""

    recovery_plan_executions: dict[str, RecoveryPlanExecution]

    def _settle_recovery_plans(self) -> None:
        """Let jobs and active executions catch up with the state manager (no read is counted)."""
        self.settle_jobs()
        for execution in list(self.recovery_plan_executions.values()):
            if execution.is_active:
                self._run(execution)

    def _observe(self, execution: RecoveryPlanExecution) -> None:
        """A read of the execution by a poller: manual progression counts it."""
        execution.advance()
        self._run(execution)

    def _run(self, execution: RecoveryPlanExecution) -> None:
        """Make, one per turn the state manager grants, the execution's next changes."""
        while True:
            move = self._next_move(execution)
            if move is None or not execution.takes_turn():
                return
            move()

    def _next_move(self, execution: RecoveryPlanExecution) -> Move | None:
        """The execution's next change, or None when it has ended or waits for a launch job."""
        phase = execution.phase
        if phase == "CREATED":
            return execution.resume
        if phase not in ("IN_PROGRESS", "CANCELLING"):
            return None
        running = execution.running_step()
        if running is not None and running.status == "EXECUTING":
            return (
                None
                if self._launching(running)
                else partial(self._conclude, execution, running)
            )
        if phase == "CANCELLING":
            return partial(self._cancel_rest, execution)
        if (
            running is not None
        ):  # a WAIT step: the mock does not sleep, its next turn ends the wait
            return (
                None
                if self._still_waiting(running)
                else partial(running.set_status, "COMPLETED")
            )
        step = execution.next_step()
        if step is None:
            return partial(execution.end, "COMPLETED")
        return (
            partial(self._start_step, execution, step)
            if step.status == "NOT_STARTED"
            else None
        )

    @staticmethod
    def _still_waiting(step: RecoveryPlanExecutionStep) -> bool:
        """Under "time" progression a WAIT step lasts its waitDurationMinutes on the DRS clock;
        under the others its next turn ends it (API reference, RecoveryPlanStep:
        waitDurationMinutes)."""
        config = state_manager.get_transition(EXECUTION_MODEL)
        if config["progression"] != "time":
            return False
        return now() < step.updated_at + timedelta(minutes=step.wait_minutes or 0)

    def _launching(self, step: RecoveryPlanExecutionStep) -> bool:
        for server in step.servers:
            job = (
                self.get_job(server.job_id)
                if server.outcome == "PENDING" and server.job_id
                else None
            )
            if job is not None and job.is_active:
                return True
        return False

    def _start_step(
        self, execution: RecoveryPlanExecution, step: RecoveryPlanExecutionStep
    ) -> None:
        if step.kind == WAIT_STEP:
            step.set_status("WAITING")
            return
        step.set_status("EXECUTING")
        self._launch(execution, step)

    def _launch(
        self, execution: RecoveryPlanExecution, step: RecoveryPlanExecutionStep
    ) -> None:
        """Launch the step's pending servers as StartRecovery does (one LAUNCH job). A server
        StartRecovery refuses fails the step if it is CRITICAL, and is left out if it is OPTIONAL."""
        pending = [server for server in step.servers if server.outcome == "PENDING"]
        while pending:
            request = [self._launch_entry(execution, server) for server in pending]
            try:
                job = self.start_recovery(
                    source_servers=request, is_drill=execution.mode == "DRILL"
                )
            except ServiceException as refusal:
                refused = self._refused_server(execution, pending, refusal)
                if refused is None or refused.impact_level == "CRITICAL":
                    self._fail_step(execution, step, refusal.code, refusal.message)
                    return
                refused.outcome = "REFUSED"
                pending.remove(refused)
                continue
            for server in pending:
                server.job_id = job["jobID"]
            step.updated_at = now()
            return

    @staticmethod
    def _launch_entry(
        execution: RecoveryPlanExecution, server: RecoveryPlanExecutionServer
    ) -> dict[str, str]:
        entry = {"sourceServerID": server.source_server_id}
        if server.source_server_id in execution.snapshots:
            entry["recoverySnapshotID"] = execution.snapshots[server.source_server_id]
        return entry

    @staticmethod
    def _refused_server(
        execution: RecoveryPlanExecution,
        pending: list[RecoveryPlanExecutionServer],
        refusal: ServiceException,
    ) -> RecoveryPlanExecutionServer | None:
        """The server a StartRecovery error names (itself, or its chosen snapshot), if any."""
        resource = getattr(refusal, "resource_id", None)
        if not resource:
            return None
        for server in pending:
            if resource in (
                server.source_server_id,
                execution.snapshots.get(server.source_server_id),
            ):
                return server
        return None

    def _conclude(
        self, execution: RecoveryPlanExecution, step: RecoveryPlanExecutionStep
    ) -> None:
        """The launch job ended: the step fails if a CRITICAL server did not launch."""
        for server in step.servers:
            if server.outcome == "PENDING":
                server.outcome = self._launch_outcome(server)
        failed = [
            s.source_server_id
            for s in step.servers
            if s.impact_level == "CRITICAL" and s.outcome != "LAUNCHED"
        ]
        if not failed:
            step.set_status("COMPLETED")
            return
        jobs = sorted({s.job_id for s in step.servers if s.job_id})
        message = f"Critical source server(s) {', '.join(failed)} did not launch (job {', '.join(jobs) or 'none'})."
        self._fail_step(execution, step, "LAUNCH_FAILED", message)

    def _launch_outcome(self, server: RecoveryPlanExecutionServer) -> str:
        """LAUNCHED or FAILED, as the server's launch job reports it (a job deleted meanwhile: FAILED)."""
        job = self.get_job(server.job_id) if server.job_id else None
        if job is None:
            return "FAILED"
        statuses = [
            p.launch_status
            for p in job.participants
            if p.source_server_id == server.source_server_id
        ]
        return "LAUNCHED" if statuses == ["LAUNCHED"] else "FAILED"

    @staticmethod
    def _fail_step(
        execution: RecoveryPlanExecution,
        step: RecoveryPlanExecutionStep,
        code: str,
        message: str,
    ) -> None:
        step.set_status("FAILED", {"code": code, "message": message})
        if (
            execution.phase == "IN_PROGRESS"
        ):  # a cancelled execution still ends CANCELLED
            error = {
                "code": "STEP_FAILED",
                "message": f"Step {step.index} ({step.name}) failed: {message}",
            }
            execution.end("FAILED", error)

    @staticmethod
    def _cancel_rest(execution: RecoveryPlanExecution) -> None:
        """Remaining steps are skipped (API reference, CancelRecoveryPlanExecution)."""
        for step in execution.steps:
            if step.status in ("NOT_STARTED", "WAITING"):
                step.set_status("SKIPPED")
        execution.end("CANCELLED")
