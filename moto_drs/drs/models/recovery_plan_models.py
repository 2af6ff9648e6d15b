"""The resources of recovery plans: plans and their steps, executions and their steps.

A plan is an ordered list of steps: a SERVER step launches its source servers in parallel, a WAIT
step pauses. An execution copies the plan's steps (``RecoveryPlanExecutionStep``) and is a
ManagedState of moto's state manager, model ``drs::recovery-plan-execution``, used as its pace
(recovery_plan_engine.py). The operations on them are recovery_plans.py.
"""

from datetime import datetime
from typing import Any

from moto.core.common_models import BaseModel

from ..utils import drs_arn, iso, new_id, now
from .base import DrsBackendCore
from .managed_state import DrsManagedState

EXECUTION_MODEL = "drs::recovery-plan-execution"
# The state manager only paces an execution: each TURN it grants is one change of the execution.
PACE: list[tuple[str | None, str]] = [("WAITING_FOR_TURN", "TURN")]
# "non-terminal status (CREATED, IN_PROGRESS)" (API reference, DeleteRecoveryPlan), and CANCELLING
ACTIVE = ("CREATED", "IN_PROGRESS", "CANCELLING")
PASSED = ("COMPLETED", "SKIPPED")
SERVER_STEP, WAIT_STEP = "serverStepConfiguration", "waitStepConfiguration"


def step_servers(configuration: dict[str, Any]) -> list[dict[str, str]]:
    """The servers of a step configuration ([] for a WAIT step)."""
    return list(configuration.get(SERVER_STEP, {}).get("servers", []))


class RecoveryPlanStep(BaseModel):
    """A step of a plan; ``configuration`` is the RecoveryPlanStepConfiguration union."""

    def __init__(
        self, plan: "RecoveryPlan", name: str, configuration: dict[str, Any]
    ) -> None:
        self.step_id = new_id("st")
        self.arn = f"{plan.arn}/step/{self.step_id}"
        self.plan_arn = plan.arn
        self.name = name
        self.configuration = configuration
        self.order = 0  # the plan numbers its steps
        self.created_at = self.updated_at = now()

    @property
    def kind(self) -> str:
        return SERVER_STEP if SERVER_STEP in self.configuration else WAIT_STEP

    def describe(self) -> dict[str, Any]:
        return {
            "recoveryPlanStepArn": self.arn,
            "stepOrder": self.order,
            "stepName": self.name,
            "configuration": self.configuration,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }


class RecoveryPlan(BaseModel):
    def __init__(
        self, backend: DrsBackendCore, name: str, description: str | None
    ) -> None:
        self.plan_id = new_id("plan")
        self.arn = drs_arn(
            backend.region_name, backend.account_id, f"recovery-plan/{self.plan_id}"
        )
        self.name = name
        self.description = description
        self.steps: list[RecoveryPlanStep] = []
        self.created_at = self.updated_at = now()

    def place(self, steps: list[RecoveryPlanStep]) -> None:
        """Make ``steps`` the plan's steps, numbered 1..n in this order."""
        self.steps = steps
        for order, step in enumerate(steps, start=1):
            step.order = order
        self.updated_at = now()

    def servers(self, besides: RecoveryPlanStep | None = None) -> set[str]:
        """The server ARNs of the plan's steps (but ``besides``)."""
        return {
            s["serverArn"]
            for step in self.steps
            if step is not besides
            for s in step_servers(step.configuration)
        }


class RecoveryPlanExecutionServer:
    """A server of an execution step: ``outcome`` is PENDING until its launch job ends
    (LAUNCHED or FAILED), or REFUSED when StartRecovery refused an OPTIONAL server."""

    def __init__(self, server_arn: str, impact_level: str) -> None:
        self.server_arn = server_arn
        self.impact_level = impact_level
        self.job_id: str | None = None
        self.outcome = "PENDING"

    @classmethod
    def of(cls, servers: list[dict[str, str]]) -> list["RecoveryPlanExecutionServer"]:
        """The execution's servers for a step's RecoveryPlanServer list."""
        return [cls(server["serverArn"], server["impactLevel"]) for server in servers]

    @property
    def source_server_id(self) -> str:
        return self.server_arn.rsplit("/", 1)[-1]

    def describe(self) -> dict[str, str]:
        item = {"serverArn": self.server_arn, "impactLevel": self.impact_level}
        if self.job_id:
            item["jobID"] = self.job_id
        return item


class RecoveryPlanExecutionStep(BaseModel):
    """A plan step as one execution runs it."""

    def __init__(
        self, execution: "RecoveryPlanExecution", index: int, step: RecoveryPlanStep
    ) -> None:
        self.step_id = new_id("step")
        self.arn = f"{execution.arn}/step/{self.step_id}"
        self.execution_arn = execution.arn
        self.index = index
        self.name = step.name
        self.kind = step.kind
        self.servers = RecoveryPlanExecutionServer.of(step_servers(step.configuration))
        self.wait_minutes: int | None = step.configuration.get(WAIT_STEP, {}).get(
            "waitDurationMinutes"
        )
        self.status = "NOT_STARTED"
        self.error: dict[str, str] | None = None
        self.attempt = 1
        self.created_at = self.updated_at = now()

    def set_status(self, status: str, error: dict[str, str] | None = None) -> None:
        self.status = status
        self.error = error
        self.updated_at = now()

    def configuration(self) -> dict[str, Any]:
        if self.kind == WAIT_STEP:
            return {WAIT_STEP: {"waitDurationMinutes": self.wait_minutes}}
        return {
            "executionServerStepConfiguration": {
                "servers": [s.describe() for s in self.servers]
            }
        }

    def describe(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "recoveryPlanExecutionStepArn": self.arn,
            "stepIndex": self.index,
            "status": self.status,
            "stepName": self.name,
            "configuration": self.configuration(),
            "attempt": self.attempt,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }
        if self.error:
            item["errorDetail"] = self.error
        return item


class RecoveryPlanExecution(BaseModel, DrsManagedState):
    """One run of a plan; ``phase`` is the status clients see, the ManagedState status its pace."""

    def __init__(
        self,
        backend: DrsBackendCore,
        plan: RecoveryPlan,
        mode: str,
        snapshots: dict[str, str],
    ) -> None:
        DrsManagedState.__init__(self, EXECUTION_MODEL, transitions=PACE)
        self._backend = backend
        self.execution_id = new_id("exec")
        self.arn = drs_arn(
            backend.region_name,
            backend.account_id,
            f"recovery-plan-execution/{self.execution_id}",
        )
        self.plan_arn = plan.arn
        self.mode = mode
        self.snapshots = (
            snapshots  # source server ID -> the recovery snapshot chosen at start
        )
        self.phase = "CREATED"
        self.started_at = now()
        self.completed_at: datetime | None = None
        self.error: dict[str, str] | None = None
        self.steps = [
            RecoveryPlanExecutionStep(self, index, step)
            for index, step in enumerate(plan.steps, start=1)
        ]

    @property
    def is_active(self) -> bool:
        return self.phase in ACTIVE

    def takes_turn(self) -> bool:
        """Whether the state manager lets the execution make its next change now."""
        if self.status != "TURN":
            return False
        self.status = "WAITING_FOR_TURN"
        return True

    def running_step(self) -> RecoveryPlanExecutionStep | None:
        return next(
            (step for step in self.steps if step.status in ("EXECUTING", "WAITING")),
            None,
        )

    def next_step(self) -> RecoveryPlanExecutionStep | None:
        return next((step for step in self.steps if step.status not in PASSED), None)

    def end(self, phase: str, error: dict[str, str] | None = None) -> None:
        self.phase = phase
        self.error = error
        self.completed_at = now()

    def resume(self, phase: str = "IN_PROGRESS") -> None:
        """Back to work after a failure (retry, skip) or to wind down (cancel)."""
        self.phase = phase
        self.error = None
        self.completed_at = None

    def describe(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "recoveryPlanExecutionArn": self.arn,
            "recoveryPlanArn": self.plan_arn,
            "mode": self.mode,
            "status": self.phase,
            "startedAt": iso(self.started_at),
            "tags": self._backend.tagger.get_tag_dict_for_resource(self.arn),
        }
        if self.completed_at:
            item["completedAt"] = iso(self.completed_at)
        if self.error:
            item["errorDetail"] = self.error
        return item
