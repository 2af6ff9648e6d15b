"""Recovery plans, their steps, and their executions (drills and recoveries run step by step).

A plan is an ordered list of steps: a SERVER step launches its source servers in parallel, a WAIT
step pauses. StartRecoveryPlanExecution copies the steps into an execution, which runs them in
order. An execution is a ManagedState of moto's state manager, model ``drs::recovery-plan-execution``
(default "immediate"), used as its pace: each time the state manager lets it move, the execution
makes its next change (it starts, a step starts, a step ends, it ends). So under manual or time
progression a poller sees every intermediate status, and under "immediate" an execution runs until
it ends or waits for a launch job. A SERVER step launches through StartRecovery (jobs.py): its
servers get a real LAUNCH job, with StartRecovery's checks, log and recovery instances in EC2.
Rules and sources: docs/recovery-plans.md.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from moto.core.common_models import BaseModel
from moto.core.exceptions import ServiceException
from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from ..exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from ..utils import drs_arn, iso, new_id, now
from .base import DrsBackendCore
from .paging import paginate_list

EXECUTION_MODEL = "drs::recovery-plan-execution"
# The state manager only paces an execution: each TURN it grants is one change of the execution.
PACE: list[tuple[str | None, str]] = [("WAITING_FOR_TURN", "TURN")]
MAX_STEPS = 20  # RecoveryPlanStepOrder and RecoveryPlanStepArnList allow 20 steps [M]
# "non-terminal status (CREATED, IN_PROGRESS)" (API reference, DeleteRecoveryPlan), and CANCELLING
ACTIVE = ("CREATED", "IN_PROGRESS", "CANCELLING")
PASSED = ("COMPLETED", "SKIPPED")
# User guide, "Skipping a step": NOT_STARTED, FAILED or TIMED_OUT steps can be skipped.
SKIPPABLE = ("NOT_STARTED", "FAILED", "TIMED_OUT")
RETRYABLE = ("FAILED", "TIMED_OUT")
SERVER_STEP, WAIT_STEP = "serverStepConfiguration", "waitStepConfiguration"
SOLE_ACTIVE = "a plan cannot have more than one execution in a non-terminal status at a time"
# what each operation with a clientToken creates
CREATES = {
    "CreateRecoveryPlan": "RECOVERY_PLAN",
    "CreateRecoveryPlanStep": "RECOVERY_PLAN_STEP",
    "StartRecoveryPlanExecution": "RECOVERY_PLAN_EXECUTION",
}

Move = Callable[[], None]


def step_servers(configuration: dict[str, Any]) -> list[dict[str, str]]:
    """The servers of a step configuration ([] for a WAIT step)."""
    return list(configuration.get(SERVER_STEP, {}).get("servers", []))


class RecoveryPlanStep(BaseModel):
    """A step of a plan; ``configuration`` is the RecoveryPlanStepConfiguration union."""

    def __init__(self, plan: "RecoveryPlan", name: str, configuration: dict[str, Any]) -> None:
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
    def __init__(self, backend: DrsBackendCore, name: str, description: str | None) -> None:
        self.plan_id = new_id("plan")
        self.arn = drs_arn(backend.region_name, backend.account_id, f"recovery-plan/{self.plan_id}")
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
        return {s["serverArn"] for step in self.steps if step is not besides for s in step_servers(step.configuration)}


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

    def __init__(self, execution: "RecoveryPlanExecution", index: int, step: RecoveryPlanStep) -> None:
        self.step_id = new_id("step")
        self.arn = f"{execution.arn}/step/{self.step_id}"
        self.execution_arn = execution.arn
        self.index = index
        self.name = step.name
        self.kind = step.kind
        self.servers = RecoveryPlanExecutionServer.of(step_servers(step.configuration))
        self.wait_minutes: int | None = step.configuration.get(WAIT_STEP, {}).get("waitDurationMinutes")
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
        return {"executionServerStepConfiguration": {"servers": [s.describe() for s in self.servers]}}

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


class RecoveryPlanExecution(BaseModel, ManagedState):
    """One run of a plan; ``phase`` is the status clients see, the ManagedState status its pace."""

    def __init__(
        self, backend: DrsBackendCore, plan: RecoveryPlan, mode: str, snapshots: dict[str, str]
    ) -> None:
        ManagedState.__init__(self, EXECUTION_MODEL, transitions=PACE)
        self._backend = backend
        self.execution_id = new_id("exec")
        self.arn = drs_arn(backend.region_name, backend.account_id, f"recovery-plan-execution/{self.execution_id}")
        self.plan_arn = plan.arn
        self.mode = mode
        self.snapshots = snapshots  # source server ID -> the recovery snapshot chosen at start
        self.phase = "CREATED"
        self.started_at = now()
        self.completed_at: datetime | None = None
        self.error: dict[str, str] | None = None
        self.steps = [RecoveryPlanExecutionStep(self, index, step) for index, step in enumerate(plan.steps, start=1)]

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
        return next((step for step in self.steps if step.status in ("EXECUTING", "WAITING")), None)

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


class RecoveryPlanOperations(DrsBackendCore):
    def _init_recovery_plans(self) -> None:
        self.recovery_plans: dict[str, RecoveryPlan] = {}
        self.recovery_plan_steps: dict[str, RecoveryPlanStep] = {}
        self.recovery_plan_executions: dict[str, RecoveryPlanExecution] = {}
        self.recovery_plan_execution_steps: dict[str, RecoveryPlanExecutionStep] = {}
        # (operation, clientToken) -> (the request's parameters, the ARN it created)
        self.recovery_plan_requests: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}

    # -- lookups -----------------------------------------------------------------------------

    def _plan(self, arn: str) -> RecoveryPlan:
        if arn not in self.recovery_plans:
            raise ResourceNotFoundException(arn, "RECOVERY_PLAN", f"Recovery plan {arn} not found.")
        return self.recovery_plans[arn]

    def _plan_step(self, arn: str) -> RecoveryPlanStep:
        if arn not in self.recovery_plan_steps:
            raise ResourceNotFoundException(arn, "RECOVERY_PLAN_STEP", f"Recovery plan step {arn} not found.")
        return self.recovery_plan_steps[arn]

    def _execution(self, arn: str) -> RecoveryPlanExecution:
        if arn not in self.recovery_plan_executions:
            message = f"Recovery plan execution {arn} not found."
            raise ResourceNotFoundException(arn, "RECOVERY_PLAN_EXECUTION", message)
        return self.recovery_plan_executions[arn]

    def _execution_step(self, arn: str) -> tuple[RecoveryPlanExecution, RecoveryPlanExecutionStep]:
        if arn not in self.recovery_plan_execution_steps:
            message = f"Recovery plan execution step {arn} not found."
            raise ResourceNotFoundException(arn, "RECOVERY_PLAN_EXECUTION_STEP", message)
        step = self.recovery_plan_execution_steps[arn]
        return self.recovery_plan_executions[step.execution_arn], step

    def _check_no_active_execution(
        self, plan_arn: str, rule: str, besides: RecoveryPlanExecution | None = None
    ) -> None:
        """ConflictException while the plan has an execution in a non-terminal status (but ``besides``)."""
        for execution in self.recovery_plan_executions.values():
            if execution.plan_arn == plan_arn and execution.is_active and execution is not besides:
                raise ConflictException(
                    f"Recovery plan {plan_arn} has execution {execution.arn} in status {execution.phase}; {rule}.",
                    plan_arn,
                    "RECOVERY_PLAN",
                )

    # -- checks shared by several operations --------------------------------------------------

    def _check_source_server(self, arn: str) -> None:
        """ResourceNotFoundException unless ``arn`` is a source server of this account and Region."""
        if self._server_exists(arn):
            return
        where = f"account {self.account_id}, {self.region_name}"
        raise ResourceNotFoundException(arn, "SOURCE_SERVER", f"Source server {arn} does not exist in {where}.")

    def _server_exists(self, arn: str) -> bool:
        try:
            return self.get_source_server(arn.rsplit("/", 1)[-1]).arn == arn
        except ResourceNotFoundException:
            return False

    def _step_servers(self, servers: list[dict[str, str]], field: str, taken: Iterable[str]) -> list[dict[str, str]]:
        """The servers of a SERVER step: each once, each an existing source server, none already in
        another step (it would be launched twice in one run); impactLevel defaults to CRITICAL [M]."""
        taken = set(taken)
        chosen: list[dict[str, str]] = []
        for index, entry in enumerate(servers):
            arn, name = entry["serverArn"], f"{field}[{index}].serverArn"
            if any(arn == other["serverArn"] for other in chosen):
                raise ValidationException(
                    f"Source server {arn} appears more than once in {field}.",
                    field_list=[{"name": name, "message": "Duplicate server"}],
                )
            self._check_source_server(arn)
            if arn in taken:
                raise ConflictException(
                    f"Source server {arn} is already in another step; a server can be in one step only.",
                    arn,
                    "SOURCE_SERVER",
                )
            chosen.append({"serverArn": arn, "impactLevel": entry.get("impactLevel", "CRITICAL")})
        return chosen

    def _step_configuration(self, configuration: dict[str, Any], taken: Iterable[str]) -> dict[str, Any]:
        """A valid RecoveryPlanStepConfiguration (the union has one member: validation.py checked)."""
        if SERVER_STEP in configuration:
            field = f"configuration.{SERVER_STEP}.servers"
            servers = self._step_servers(configuration[SERVER_STEP]["servers"], field, taken)
            return {SERVER_STEP: {"servers": servers}}
        return {WAIT_STEP: {"waitDurationMinutes": configuration[WAIT_STEP]["waitDurationMinutes"]}}

    def _check_plan_name(self, name: str) -> None:
        """Plan names are unique in an account and Region (decision, docs/recovery-plans.md)."""
        for plan in self.recovery_plans.values():
            if plan.name == name:
                raise ConflictException(f"A recovery plan named {name!r} already exists.", plan.arn, "RECOVERY_PLAN")

    def _check_plan_editable(self, plan: RecoveryPlan) -> None:
        self._check_no_active_execution(plan.arn, "its steps cannot change until that execution ends")

    def _check_sole_active(self, plan_arn: str, besides: RecoveryPlanExecution | None = None) -> None:
        # API reference, StartRecoveryPlanExecution
        self._check_no_active_execution(plan_arn, SOLE_ACTIVE, besides)

    def _replayed(self, operation: str, token: str | None, request: dict[str, Any]) -> str | None:
        """The ARN an earlier call with this clientToken created; ConflictException when the token
        comes back with other parameters (the idempotency contract of clientToken)."""
        recorded = self.recovery_plan_requests.get((operation, token)) if token else None
        if recorded is None:
            return None
        if recorded[0] != request:
            message = f"clientToken {token!r} was already used for {operation} with other parameters."
            raise ConflictException(message, recorded[1], CREATES[operation])
        return recorded[1]

    def _remember(self, operation: str, token: str | None, request: dict[str, Any], arn: str) -> None:
        if token:
            self.recovery_plan_requests[(operation, token)] = (request, arn)

    # -- plans ------------------------------------------------------------------------------

    def _plan_status(self, plan: RecoveryPlan) -> str:
        """INVALID while a step names a source server that no longer exists (decision)."""
        return "ACTIVE" if all(self._server_exists(arn) for arn in plan.servers()) else "INVALID"

    def _describe_plan(self, plan: RecoveryPlan) -> dict[str, Any]:
        item: dict[str, Any] = {
            "recoveryPlanArn": plan.arn,
            "name": plan.name,
            "status": self._plan_status(plan),
            "createdAt": iso(plan.created_at),
            "updatedAt": iso(plan.updated_at),
            "tags": self.tagger.get_tag_dict_for_resource(plan.arn),
        }
        if plan.description is not None:
            item["description"] = plan.description
        return item

    def create_recovery_plan(
        self,
        name: str,
        description: str | None = None,
        client_token: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        self._settle_recovery_plans()
        request = {"name": name, "description": description, "tags": tags}
        replayed = self._replayed("CreateRecoveryPlan", client_token, request)
        if replayed is not None and replayed in self.recovery_plans:
            return self._describe_plan(self.recovery_plans[replayed])
        self._check_plan_name(name)
        plan = RecoveryPlan(self, name, description)
        self.recovery_plans[plan.arn] = plan
        self.register_taggable(plan.arn, plan)
        if tags:
            self.tag_resource(plan.arn, tags)
        self._remember("CreateRecoveryPlan", client_token, request, plan.arn)
        return self._describe_plan(plan)

    def get_recovery_plan(self, recovery_plan_arn: str) -> dict[str, Any]:
        self._settle_recovery_plans()
        return self._describe_plan(self._plan(recovery_plan_arn))

    def update_recovery_plan(
        self, recovery_plan_arn: str, name: str | None = None, description: str | None = None
    ) -> dict[str, Any]:
        self._settle_recovery_plans()
        plan = self._plan(recovery_plan_arn)
        if name is not None and name != plan.name:
            self._check_plan_name(name)
        plan.name = plan.name if name is None else name
        plan.description = plan.description if description is None else description
        plan.updated_at = now()
        return self._describe_plan(plan)

    def delete_recovery_plan(self, recovery_plan_arn: str) -> str:
        """The plan's executions stay (they are records with their own ARNs and DeleteRecoveryPlanExecution)."""
        self._settle_recovery_plans()
        plan = self._plan(recovery_plan_arn)
        self._check_no_active_execution(plan.arn, "a plan with an execution in a non-terminal status cannot be deleted")
        for step in plan.steps:
            del self.recovery_plan_steps[step.arn]
        del self.recovery_plans[plan.arn]
        self.unregister_taggable(plan.arn)
        return plan.arn

    def list_recovery_plans(
        self, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        self._settle_recovery_plans()
        page, token = paginate_list(list(self.recovery_plans.values()), "arn", max_results, next_token)
        return [self._describe_plan(plan) for plan in page], token

    # -- plan steps -------------------------------------------------------------------------

    def create_recovery_plan_step(
        self,
        recovery_plan_arn: str,
        step_name: str,
        configuration: dict[str, Any],
        step_order: int | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        self._settle_recovery_plans()
        plan = self._plan(recovery_plan_arn)
        request = {"plan": plan.arn, "name": step_name, "order": step_order, "configuration": configuration}
        replayed = self._replayed("CreateRecoveryPlanStep", client_token, request)
        if replayed is not None and replayed in self.recovery_plan_steps:
            return self.recovery_plan_steps[replayed].describe()
        if step_order is not None and step_order > len(plan.steps) + 1:
            raise ValidationException(
                f"stepOrder {step_order} is past the end of the plan: it has {len(plan.steps)} step(s).",
                field_list=[{"name": "stepOrder", "message": f"Must be between 1 and {len(plan.steps) + 1}"}],
            )
        checked = self._step_configuration(configuration, plan.servers())
        self._check_plan_editable(plan)
        if len(plan.steps) >= MAX_STEPS:
            raise ServiceQuotaExceededException(
                f"Recovery plan {plan.arn} already has {MAX_STEPS} steps, the most a plan can have.",
                resource_id=plan.arn,
                resource_type="RECOVERY_PLAN",
            )
        step = RecoveryPlanStep(plan, step_name, checked)
        steps = list(plan.steps)
        steps.insert(len(steps) if step_order is None else step_order - 1, step)
        plan.place(steps)
        self.recovery_plan_steps[step.arn] = step
        self._remember("CreateRecoveryPlanStep", client_token, request, step.arn)
        return step.describe()

    def get_recovery_plan_step(self, recovery_plan_step_arn: str) -> dict[str, Any]:
        self._settle_recovery_plans()
        return self._plan_step(recovery_plan_step_arn).describe()

    def update_recovery_plan_step(
        self, recovery_plan_step_arn: str, step_name: str | None = None, configuration: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self._settle_recovery_plans()
        step = self._plan_step(recovery_plan_step_arn)
        plan = self.recovery_plans[step.plan_arn]
        checked = None
        if configuration is not None:
            if step.kind not in configuration:
                raise ValidationException(
                    f"A step's type cannot change: step {step.arn} needs a {step.kind}.",
                    field_list=[{"name": "configuration", "message": f"Must be {step.kind}"}],
                )
            checked = self._step_configuration(configuration, plan.servers(besides=step))
        self._check_plan_editable(plan)
        step.name = step.name if step_name is None else step_name
        step.configuration = step.configuration if checked is None else checked
        step.updated_at = plan.updated_at = now()
        return step.describe()

    def delete_recovery_plan_step(self, recovery_plan_step_arn: str) -> str:
        self._settle_recovery_plans()
        step = self._plan_step(recovery_plan_step_arn)
        plan = self.recovery_plans[step.plan_arn]
        self._check_plan_editable(plan)
        plan.place([other for other in plan.steps if other is not step])
        del self.recovery_plan_steps[step.arn]
        return step.arn

    def list_recovery_plan_steps(
        self, recovery_plan_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        self._settle_recovery_plans()
        plan = self._plan(recovery_plan_arn)
        page, token = paginate_list(list(plan.steps), "arn", max_results, next_token, plan=plan.arn)
        return [step.describe() for step in page], token

    def reorder_recovery_plan_steps(self, recovery_plan_arn: str, ordered_step_arns: list[str]) -> list[dict[str, Any]]:
        """The list must name every step of the plan once ("a complete ordered list", API reference)."""
        self._settle_recovery_plans()
        plan = self._plan(recovery_plan_arn)
        steps = {step.arn: step for step in plan.steps}
        for index, arn in enumerate(ordered_step_arns):
            problem = "is not a step of this plan" if arn not in steps else "appears twice"
            if arn not in steps or arn in ordered_step_arns[:index]:
                raise ValidationException(
                    f"Step {arn} {problem}; orderedStepArns must list every step of the plan once.",
                    field_list=[{"name": f"orderedStepArns[{index}]", "message": problem.capitalize()}],
                )
        missing = [arn for arn in steps if arn not in ordered_step_arns]
        if missing:
            raise ValidationException(
                f"orderedStepArns must list every step of the plan once; missing: {', '.join(missing)}.",
                field_list=[{"name": "orderedStepArns", "message": f"Missing {len(missing)} step(s)"}],
            )
        self._check_plan_editable(plan)
        moment = now()
        for order, arn in enumerate(ordered_step_arns, start=1):
            if steps[arn].order != order:
                steps[arn].updated_at = moment
        plan.place([steps[arn] for arn in ordered_step_arns])
        return [step.describe() for step in plan.steps]

    # -- executions -------------------------------------------------------------------------

    def start_recovery_plan_execution(
        self,
        recovery_plan_arn: str,
        mode: str,
        client_token: str | None = None,
        source_servers: list[dict[str, str]] | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        self._settle_recovery_plans()
        plan = self._plan(recovery_plan_arn)
        request = {"plan": plan.arn, "mode": mode, "sourceServers": source_servers, "tags": tags}
        replayed = self._replayed("StartRecoveryPlanExecution", client_token, request)
        if replayed is not None and replayed in self.recovery_plan_executions:
            return self.recovery_plan_executions[replayed].describe()
        snapshots = self._chosen_snapshots(plan, source_servers or [])
        self._check_sole_active(plan.arn)
        if not plan.steps or self._plan_status(plan) == "INVALID":
            reason = "has no steps" if not plan.steps else "is INVALID: a step names a deleted source server"
            raise ConflictException(f"Recovery plan {plan.arn} {reason}.", plan.arn, "RECOVERY_PLAN")
        execution = RecoveryPlanExecution(self, plan, mode, snapshots)
        self.recovery_plan_executions[execution.arn] = execution
        for step in execution.steps:
            self.recovery_plan_execution_steps[step.arn] = step
        self.register_taggable(execution.arn, execution)
        if tags:
            self.tag_resource(execution.arn, tags)
        self._remember("StartRecoveryPlanExecution", client_token, request, execution.arn)
        created = execution.describe()
        self._run(execution)
        return created

    @staticmethod
    def _chosen_snapshots(plan: RecoveryPlan, entries: list[dict[str, str]]) -> dict[str, str]:
        """sourceServers: a recovery snapshot for some of the plan's servers, each named once."""
        in_plan = {arn.rsplit("/", 1)[-1] for arn in plan.servers()}
        chosen: dict[str, str] = {}
        for index, entry in enumerate(entries):
            source_server_id = entry["sourceServerID"]
            problem = "is not in any step of the plan" if source_server_id not in in_plan else "appears twice"
            if source_server_id not in in_plan or source_server_id in chosen:
                raise ValidationException(
                    f"Source server {source_server_id} {problem}.",
                    field_list=[{"name": f"sourceServers[{index}].sourceServerID", "message": problem.capitalize()}],
                )
            chosen[source_server_id] = entry["recoverySnapshotID"]
        return chosen

    def get_recovery_plan_execution(self, recovery_plan_execution_arn: str) -> dict[str, Any]:
        self._settle_recovery_plans()
        execution = self._execution(recovery_plan_execution_arn)
        self._observe(execution)
        return execution.describe()

    def list_recovery_plan_executions(
        self,
        recovery_plan_arn: str | None = None,
        status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Latest first, as DescribeJobs (decision); an unknown plan ARN lists nothing (no 404 is modelled)."""
        self._settle_recovery_plans()
        executions = [
            e
            for e in reversed(self.recovery_plan_executions.values())
            if recovery_plan_arn in (None, e.plan_arn) and status in (None, e.phase)
        ]
        executions.sort(key=lambda e: e.started_at, reverse=True)
        page, token = paginate_list(executions, "arn", max_results, next_token, plan=recovery_plan_arn, status=status)
        for execution in page:
            self._observe(execution)
        return [execution.describe() for execution in page], token

    def cancel_recovery_plan_execution(self, recovery_plan_execution_arn: str) -> dict[str, Any]:
        """CANCELLING until the running step's launch job ends (a job cannot be stopped; what it
        launched stays, user guide "Running a recovery plan"); then the rest is SKIPPED, CANCELLED."""
        self._settle_recovery_plans()
        execution = self._execution(recovery_plan_execution_arn)
        if execution.phase == "CANCELLING":
            return execution.describe()
        if execution.phase not in ("CREATED", "IN_PROGRESS", "FAILED"):
            raise ConflictException(
                f"Recovery plan execution {execution.arn} is {execution.phase}; only a CREATED, IN_PROGRESS or "
                "FAILED execution can be cancelled.",
                execution.arn,
                "RECOVERY_PLAN_EXECUTION",
            )
        if execution.phase == "FAILED":
            self._check_sole_active(execution.plan_arn, besides=execution)
        execution.resume("CANCELLING")
        cancelling = execution.describe()
        self._run(execution)
        return cancelling

    def delete_recovery_plan_execution(self, recovery_plan_execution_arn: str) -> str:
        self._settle_recovery_plans()
        execution = self._execution(recovery_plan_execution_arn)
        if execution.is_active:
            raise ConflictException(
                f"Recovery plan execution {execution.arn} is {execution.phase}; only an execution in a terminal "
                "status (COMPLETED, FAILED, CANCELLED) can be deleted.",
                execution.arn,
                "RECOVERY_PLAN_EXECUTION",
            )
        for step in execution.steps:
            del self.recovery_plan_execution_steps[step.arn]
        del self.recovery_plan_executions[execution.arn]
        self.unregister_taggable(execution.arn)
        return execution.arn

    # -- execution steps ----------------------------------------------------------------------

    def get_recovery_plan_execution_step(self, recovery_plan_execution_step_arn: str) -> dict[str, Any]:
        self._settle_recovery_plans()
        _, step = self._execution_step(recovery_plan_execution_step_arn)
        return step.describe()

    def list_recovery_plan_execution_steps(
        self,
        recovery_plan_execution_arn: str,
        filter: dict[str, str] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        self._settle_recovery_plans()
        execution = self._execution(recovery_plan_execution_arn)
        wanted = (filter or {}).get("status")
        steps = [step for step in execution.steps if wanted in (None, step.status)]
        page, token = paginate_list(steps, "arn", max_results, next_token, execution=execution.arn, status=wanted)
        return [step.describe() for step in page], token

    def update_recovery_plan_execution_step(
        self,
        recovery_plan_execution_step_arn: str,
        status: str | None = None,
        servers: list[dict[str, str]] | None = None,
        wait_duration_minutes: int | None = None,
    ) -> dict[str, Any]:
        """Skip a step, or change a NOT_STARTED step's servers or wait (API reference)."""
        self._settle_recovery_plans()
        execution, step = self._execution_step(recovery_plan_execution_step_arn)
        self._check_step_update(step, status, servers, wait_duration_minutes)
        if execution.phase not in ("CREATED", "IN_PROGRESS", "FAILED"):
            raise ConflictException(
                f"Recovery plan execution {execution.arn} is {execution.phase}; its steps cannot change.",
                execution.arn,
                "RECOVERY_PLAN_EXECUTION",
            )
        changes = servers is not None or wait_duration_minutes is not None
        if (status is not None and step.status not in SKIPPABLE) or (changes and step.status != "NOT_STARTED"):
            rule = "only a NOT_STARTED, FAILED or TIMED_OUT step can be skipped" if status is not None else ""
            rule += " and " if status is not None and changes else ""
            rule += "only a NOT_STARTED step's servers or wait can change" if changes else ""
            raise ConflictException(
                f"Execution step {step.arn} is {step.status}: {rule}.", step.arn, "RECOVERY_PLAN_EXECUTION_STEP"
            )
        others = {s.server_arn for other in execution.steps if other is not step for s in other.servers}
        chosen = None if servers is None else self._step_servers(servers, "servers", others)
        resumes = status is not None and step.status in RETRYABLE and execution.phase == "FAILED"
        if resumes:
            self._check_sole_active(execution.plan_arn, besides=execution)
        if chosen is not None:
            step.servers = RecoveryPlanExecutionServer.of(chosen)
        if wait_duration_minutes is not None:
            step.wait_minutes = wait_duration_minutes
        step.set_status(status or step.status, None if status else step.error)
        if resumes:  # "Skipping a FAILED step in a FAILED execution resumes the execution" (user guide)
            execution.resume()
        updated = step.describe()
        self._run(execution)
        return updated

    @staticmethod
    def _check_step_update(
        step: RecoveryPlanExecutionStep, status: str | None, servers: list[Any] | None, wait_minutes: int | None
    ) -> None:
        problems = []
        if status is None and servers is None and wait_minutes is None:
            problems.append(("status", "Give status SKIPPED, servers or waitDurationMinutes"))
        if status not in (None, "SKIPPED"):
            problems.append(("status", "Only SKIPPED is accepted"))
        if servers is not None and step.kind != SERVER_STEP:
            problems.append(("servers", "Only a SERVER step has servers"))
        if wait_minutes is not None and step.kind != WAIT_STEP:
            problems.append(("waitDurationMinutes", "Only a WAIT step has a wait duration"))
        if problems:
            raise ValidationException(
                f"Cannot update execution step {step.arn}: " + "; ".join(message for _, message in problems) + ".",
                field_list=[{"name": name, "message": message} for name, message in problems],
            )

    def retry_recovery_plan_execution_step(self, recovery_plan_execution_step_arn: str) -> dict[str, Any]:
        """A new attempt launches the step's servers that did not launch; the others keep their
        recovery instances (relaunching would replace them) (decision)."""
        self._settle_recovery_plans()
        execution, step = self._execution_step(recovery_plan_execution_step_arn)
        if step.kind != SERVER_STEP:
            raise ValidationException(
                f"Execution step {step.arn} is a WAIT step; only a SERVER step can be retried.",
                field_list=[{"name": "recoveryPlanExecutionStepArn", "message": "Not a SERVER step"}],
            )
        if step.status not in RETRYABLE or execution.phase != "FAILED":
            raise ConflictException(
                f"Execution step {step.arn} is {step.status} in a {execution.phase} execution; only a FAILED "
                "or TIMED_OUT step of a FAILED execution can be retried.",
                step.arn,
                "RECOVERY_PLAN_EXECUTION_STEP",
            )
        self._check_sole_active(execution.plan_arn, besides=execution)
        for server in step.servers:
            if server.outcome != "LAUNCHED":
                server.outcome, server.job_id = "PENDING", None
        step.attempt += 1
        step.set_status("NOT_STARTED")
        execution.resume()
        retried = step.describe()
        self._run(execution)
        return retried

    # -- the execution engine ---------------------------------------------------------------

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
            return None if self._launching(running) else partial(self._conclude, execution, running)
        if phase == "CANCELLING":
            return partial(self._cancel_rest, execution)
        if running is not None:  # a WAIT step: the mock does not sleep, its next turn ends the wait
            return partial(running.set_status, "COMPLETED")
        step = execution.next_step()
        if step is None:
            return partial(execution.end, "COMPLETED")
        return partial(self._start_step, execution, step) if step.status == "NOT_STARTED" else None

    def _launching(self, step: RecoveryPlanExecutionStep) -> bool:
        for server in step.servers:
            job = self.get_job(server.job_id) if server.outcome == "PENDING" and server.job_id else None
            if job is not None and job.is_active:
                return True
        return False

    def _start_step(self, execution: RecoveryPlanExecution, step: RecoveryPlanExecutionStep) -> None:
        if step.kind == WAIT_STEP:
            step.set_status("WAITING")
            return
        step.set_status("EXECUTING")
        self._launch(execution, step)

    def _launch(self, execution: RecoveryPlanExecution, step: RecoveryPlanExecutionStep) -> None:
        """Launch the step's pending servers as StartRecovery does (one LAUNCH job). A server
        StartRecovery refuses fails the step if it is CRITICAL, and is left out if it is OPTIONAL."""
        pending = [server for server in step.servers if server.outcome == "PENDING"]
        while pending:
            request = [self._launch_entry(execution, server) for server in pending]
            try:
                job = self.start_recovery(source_servers=request, is_drill=execution.mode == "DRILL")
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
    def _launch_entry(execution: RecoveryPlanExecution, server: RecoveryPlanExecutionServer) -> dict[str, str]:
        entry = {"sourceServerID": server.source_server_id}
        if server.source_server_id in execution.snapshots:
            entry["recoverySnapshotID"] = execution.snapshots[server.source_server_id]
        return entry

    @staticmethod
    def _refused_server(
        execution: RecoveryPlanExecution, pending: list[RecoveryPlanExecutionServer], refusal: ServiceException
    ) -> RecoveryPlanExecutionServer | None:
        """The server a StartRecovery error names (itself, or its chosen snapshot), if any."""
        resource = getattr(refusal, "resource_id", None)
        if not resource:
            return None
        for server in pending:
            if resource in (server.source_server_id, execution.snapshots.get(server.source_server_id)):
                return server
        return None

    def _conclude(self, execution: RecoveryPlanExecution, step: RecoveryPlanExecutionStep) -> None:
        """The launch job ended: the step fails if a CRITICAL server did not launch."""
        for server in step.servers:
            if server.outcome == "PENDING":
                server.outcome = self._launch_outcome(server)
        failed = [s.source_server_id for s in step.servers if s.impact_level == "CRITICAL" and s.outcome != "LAUNCHED"]
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
        statuses = [p.launch_status for p in job.participants if p.source_server_id == server.source_server_id]
        return "LAUNCHED" if statuses == ["LAUNCHED"] else "FAILED"

    @staticmethod
    def _fail_step(execution: RecoveryPlanExecution, step: RecoveryPlanExecutionStep, code: str, message: str) -> None:
        step.set_status("FAILED", {"code": code, "message": message})
        if execution.phase == "IN_PROGRESS":  # a cancelled execution still ends CANCELLED
            error = {"code": "STEP_FAILED", "message": f"Step {step.index} ({step.name}) failed: {message}"}
            execution.end("FAILED", error)

    @staticmethod
    def _cancel_rest(execution: RecoveryPlanExecution) -> None:
        """Remaining steps are skipped (API reference, CancelRecoveryPlanExecution)."""
        for step in execution.steps:
            if step.status in ("NOT_STARTED", "WAITING"):
                step.set_status("SKIPPED")
        execution.end("CANCELLED")


state_manager.register_default_transition(EXECUTION_MODEL, transition={"progression": "immediate"})
