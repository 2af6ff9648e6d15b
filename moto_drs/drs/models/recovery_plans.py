"""Recovery plans, their steps, and their executions (drills and recoveries run step by step).

A plan is an ordered list of steps: a SERVER step launches its source servers in parallel, a WAIT
step pauses. StartRecoveryPlanExecution copies the steps into an execution, which runs them in
order. This module holds the operations (plans, plan steps, executions and their steps); the
resources are recovery_plan_models.py, and how an execution runs (one change per turn the state
manager grants, a SERVER step launching through StartRecovery) is recovery_plan_engine.py.
Source: the API reference of the recovery plan operations (/drs/latest/APIReference/).
"""

from collections.abc import Iterable
from typing import Any

from ..exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from ..utils import iso, now
from .base import find_resource
from .paging import DEFAULT_PAGE_SIZE, paginate_list
from .recovery_plan_engine import RecoveryPlanExecutionEngine
from .recovery_plan_models import (
    SERVER_STEP,
    WAIT_STEP,
    RecoveryPlan,
    RecoveryPlanExecution,
    RecoveryPlanExecutionServer,
    RecoveryPlanExecutionStep,
    RecoveryPlanStep,
)

MAX_STEPS = 20  # RecoveryPlanStepOrder and RecoveryPlanStepArnList allow 20 steps [M]
# User guide, "Skipping a step": NOT_STARTED, FAILED or TIMED_OUT steps can be skipped.
SKIPPABLE = ("NOT_STARTED", "FAILED", "TIMED_OUT")
RETRYABLE = ("FAILED", "TIMED_OUT")
SOLE_ACTIVE = (
    "a plan cannot have more than one execution in a non-terminal status at a time"
)
# what each operation with a clientToken creates
CREATES = {
    "CreateRecoveryPlan": "RECOVERY_PLAN",
    "CreateRecoveryPlanStep": "RECOVERY_PLAN_STEP",
    "StartRecoveryPlanExecution": "RECOVERY_PLAN_EXECUTION",
}


class RecoveryPlanOperations(RecoveryPlanExecutionEngine):
    def _init_recovery_plans(self) -> None:
        self.recovery_plans: dict[str, RecoveryPlan] = {}
        self.recovery_plan_steps: dict[str, RecoveryPlanStep] = {}
        self.recovery_plan_executions = {}
        self.recovery_plan_execution_steps: dict[str, RecoveryPlanExecutionStep] = {}
        # (operation, clientToken) -> (the request's parameters, the ARN it created)
        self.recovery_plan_requests: dict[
            tuple[str, str], tuple[dict[str, Any], str]
        ] = {}

    # -- lookups -----------------------------------------------------------------------------

    def _plan(self, arn: str) -> RecoveryPlan:
        return find_resource(self.recovery_plans, arn, "RECOVERY_PLAN", "Recovery plan")

    def _plan_step(self, arn: str) -> RecoveryPlanStep:
        return find_resource(
            self.recovery_plan_steps, arn, "RECOVERY_PLAN_STEP", "Recovery plan step"
        )

    def _execution(self, arn: str) -> RecoveryPlanExecution:
        return find_resource(
            self.recovery_plan_executions,
            arn,
            "RECOVERY_PLAN_EXECUTION",
            "Recovery plan execution",
        )

    def _execution_step(
        self, arn: str
    ) -> tuple[RecoveryPlanExecution, RecoveryPlanExecutionStep]:
        step = find_resource(
            self.recovery_plan_execution_steps,
            arn,
            "RECOVERY_PLAN_EXECUTION_STEP",
            "Recovery plan execution step",
        )
        return self.recovery_plan_executions[step.execution_arn], step

    def _check_no_active_execution(
        self, plan_arn: str, rule: str, besides: RecoveryPlanExecution | None = None
    ) -> None:
        """ConflictException while the plan has an execution in a non-terminal status (but ``besides``)."""
        for execution in self.recovery_plan_executions.values():
            if (
                execution.plan_arn == plan_arn
                and execution.is_active
                and execution is not besides
            ):
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
        raise ResourceNotFoundException(
            arn, "SOURCE_SERVER", f"Source server {arn} does not exist in {where}."
        )

    def _server_exists(self, arn: str) -> bool:
        try:
            return self.get_source_server(arn.rsplit("/", 1)[-1]).arn == arn
        except ResourceNotFoundException:
            return False

    def _step_servers(
        self, servers: list[dict[str, str]], field: str, taken: Iterable[str]
    ) -> list[dict[str, str]]:
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
            chosen.append(
                {"serverArn": arn, "impactLevel": entry.get("impactLevel", "CRITICAL")}
            )
        return chosen

    def _step_configuration(
        self, configuration: dict[str, Any], taken: Iterable[str]
    ) -> dict[str, Any]:
        """A valid RecoveryPlanStepConfiguration (the union has one member: validation.py checked)."""
        if SERVER_STEP in configuration:
            field = f"configuration.{SERVER_STEP}.servers"
            servers = self._step_servers(
                configuration[SERVER_STEP]["servers"], field, taken
            )
            return {SERVER_STEP: {"servers": servers}}
        return {
            WAIT_STEP: {
                "waitDurationMinutes": configuration[WAIT_STEP]["waitDurationMinutes"]
            }
        }

    def _check_plan_name(self, name: str) -> None:
        """Plan names are unique in an account and Region: the model lists ConflictException for
        CreateRecoveryPlan and UpdateRecoveryPlan, and a name is how the console finds a plan."""
        for plan in self.recovery_plans.values():
            if plan.name == name:
                raise ConflictException(
                    f"A recovery plan named {name!r} already exists.",
                    plan.arn,
                    "RECOVERY_PLAN",
                )

    def _check_plan_editable(self, plan: RecoveryPlan) -> None:
        self._check_no_active_execution(
            plan.arn, "its steps cannot change until that execution ends"
        )

    def _check_sole_active(
        self, plan_arn: str, besides: RecoveryPlanExecution | None = None
    ) -> None:
        # API reference, StartRecoveryPlanExecution
        self._check_no_active_execution(plan_arn, SOLE_ACTIVE, besides)

    def _replayed(
        self, operation: str, token: str | None, request: dict[str, Any]
    ) -> str | None:
        """The ARN an earlier call with this clientToken created; ConflictException when the token
        comes back with other parameters (the idempotency contract of clientToken)."""
        recorded = (
            self.recovery_plan_requests.get((operation, token)) if token else None
        )
        if recorded is None:
            return None
        if recorded[0] != request:
            message = f"clientToken {token!r} was already used for {operation} with other parameters."
            raise ConflictException(message, recorded[1], CREATES[operation])
        return recorded[1]

    def _remember(
        self, operation: str, token: str | None, request: dict[str, Any], arn: str
    ) -> None:
        if token:
            self.recovery_plan_requests[(operation, token)] = (request, arn)

    # -- plans ------------------------------------------------------------------------------

    def _plan_problem(self, plan: RecoveryPlan) -> str | None:
        """Why the plan is INVALID, or None when it is ACTIVE.

        The model: "INVALID means the plan has no SERVER type steps and cannot be executed" (so a
        new plan, or one of WAIT steps only, is INVALID); also while a step names a source server
        that no longer exists (decision: such a step cannot launch).
        """
        servers = plan.servers()
        if not servers:
            return "has no SERVER type steps and cannot be executed"
        if not all(self._server_exists(arn) for arn in servers):
            return "names a deleted source server in a step and cannot be executed"
        return None

    def _plan_status(self, plan: RecoveryPlan) -> str:
        return "ACTIVE" if self._plan_problem(plan) is None else "INVALID"

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
        self,
        recovery_plan_arn: str,
        name: str | None = None,
        description: str | None = None,
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
        self._check_no_active_execution(
            plan.arn,
            "a plan with an execution in a non-terminal status cannot be deleted",
        )
        for step in plan.steps:
            del self.recovery_plan_steps[step.arn]
        del self.recovery_plans[plan.arn]
        self.unregister_taggable(plan.arn)
        return plan.arn

    def list_recovery_plans(
        self, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        self._settle_recovery_plans()
        page, token = paginate_list(
            list(self.recovery_plans.values()), "arn", max_results, next_token
        )
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
        request = {
            "plan": plan.arn,
            "name": step_name,
            "order": step_order,
            "configuration": configuration,
        }
        replayed = self._replayed("CreateRecoveryPlanStep", client_token, request)
        if replayed is not None and replayed in self.recovery_plan_steps:
            return self.recovery_plan_steps[replayed].describe()
        if step_order is not None and step_order > len(plan.steps) + 1:
            raise ValidationException(
                f"stepOrder {step_order} is past the end of the plan: it has {len(plan.steps)} step(s).",
                field_list=[
                    {
                        "name": "stepOrder",
                        "message": f"Must be between 1 and {len(plan.steps) + 1}",
                    }
                ],
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
        self,
        recovery_plan_step_arn: str,
        step_name: str | None = None,
        configuration: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        self._settle_recovery_plans()
        step = self._plan_step(recovery_plan_step_arn)
        plan = self.recovery_plans[step.plan_arn]
        checked = None
        if configuration is not None:
            if step.kind not in configuration:
                raise ValidationException(
                    f"A step's type cannot change: step {step.arn} needs a {step.kind}.",
                    field_list=[
                        {"name": "configuration", "message": f"Must be {step.kind}"}
                    ],
                )
            checked = self._step_configuration(
                configuration, plan.servers(besides=step)
            )
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
        self,
        recovery_plan_arn: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        self._settle_recovery_plans()
        plan = self._plan(recovery_plan_arn)
        page, token = paginate_list(
            list(plan.steps), "arn", max_results, next_token, plan=plan.arn
        )
        return [step.describe() for step in page], token

    def reorder_recovery_plan_steps(
        self, recovery_plan_arn: str, ordered_step_arns: list[str]
    ) -> list[dict[str, Any]]:
        """The list must name every step of the plan once ("a complete ordered list", API reference)."""
        self._settle_recovery_plans()
        plan = self._plan(recovery_plan_arn)
        steps = {step.arn: step for step in plan.steps}
        for index, arn in enumerate(ordered_step_arns):
            problem = (
                "is not a step of this plan" if arn not in steps else "appears twice"
            )
            if arn not in steps or arn in ordered_step_arns[:index]:
                raise ValidationException(
                    f"Step {arn} {problem}; orderedStepArns must list every step of the plan once.",
                    field_list=[
                        {
                            "name": f"orderedStepArns[{index}]",
                            "message": problem.capitalize(),
                        }
                    ],
                )
        missing = [arn for arn in steps if arn not in ordered_step_arns]
        if missing:
            raise ValidationException(
                f"orderedStepArns must list every step of the plan once; missing: {', '.join(missing)}.",
                field_list=[
                    {
                        "name": "orderedStepArns",
                        "message": f"Missing {len(missing)} step(s)",
                    }
                ],
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
        request = {
            "plan": plan.arn,
            "mode": mode,
            "sourceServers": source_servers,
            "tags": tags,
        }
        replayed = self._replayed("StartRecoveryPlanExecution", client_token, request)
        if replayed is not None and replayed in self.recovery_plan_executions:
            return self.recovery_plan_executions[replayed].describe()
        snapshots = self._chosen_snapshots(plan, source_servers or [])
        self._check_sole_active(plan.arn)
        problem = self._plan_problem(plan)
        if problem is not None:
            # an INVALID plan "cannot be executed" [M]: a conflict with the plan's state
            raise ConflictException(
                f"Recovery plan {plan.arn} is INVALID: it {problem}.",
                plan.arn,
                "RECOVERY_PLAN",
            )
        execution = RecoveryPlanExecution(self, plan, mode, snapshots)
        self.recovery_plan_executions[execution.arn] = execution
        for step in execution.steps:
            self.recovery_plan_execution_steps[step.arn] = step
        self.register_taggable(execution.arn, execution)
        if tags:
            self.tag_resource(execution.arn, tags)
        self._remember(
            "StartRecoveryPlanExecution", client_token, request, execution.arn
        )
        created = execution.describe()
        self._run(execution)
        return created

    @staticmethod
    def _chosen_snapshots(
        plan: RecoveryPlan, entries: list[dict[str, str]]
    ) -> dict[str, str]:
        """sourceServers: a recovery snapshot for some of the plan's servers, each named once."""
        in_plan = {arn.rsplit("/", 1)[-1] for arn in plan.servers()}
        chosen: dict[str, str] = {}
        for index, entry in enumerate(entries):
            source_server_id = entry["sourceServerID"]
            problem = (
                "is not in any step of the plan"
                if source_server_id not in in_plan
                else "appears twice"
            )
            if source_server_id not in in_plan or source_server_id in chosen:
                raise ValidationException(
                    f"Source server {source_server_id} {problem}.",
                    field_list=[
                        {
                            "name": f"sourceServers[{index}].sourceServerID",
                            "message": problem.capitalize(),
                        }
                    ],
                )
            chosen[source_server_id] = entry["recoverySnapshotID"]
        return chosen

    def get_recovery_plan_execution(
        self, recovery_plan_execution_arn: str
    ) -> dict[str, Any]:
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
        """Latest first, as DescribeJobs (decision); an unknown plan ARN lists nothing (no 404 is modelled).

        Each execution looked at is read once (``_observe``) before the ``status`` filter sees it, so
        that an execution the read moves on is listed with its new status only when that matches. The
        page walks the plan's executions from the token's position until it holds ``max_results``
        matches; its token names the next execution not yet looked at."""
        self._settle_recovery_plans()
        query = {"plan": recovery_plan_arn, "status": status}
        executions = [
            e
            for e in reversed(self.recovery_plan_executions.values())
            if recovery_plan_arn in (None, e.plan_arn)
        ]
        executions.sort(key=lambda e: e.started_at, reverse=True)
        rest, _ = paginate_list(
            executions, "arn", max(len(executions), 1), next_token, **query
        )
        wanted = max_results or DEFAULT_PAGE_SIZE
        page: list[RecoveryPlanExecution] = []
        looked_at = 0
        for execution in rest:
            if len(page) == wanted:
                break
            looked_at += 1
            self._observe(execution)
            if status in (None, execution.phase):
                page.append(execution)
        _, token = paginate_list(
            executions, "arn", max(looked_at, 1), next_token, **query
        )
        return [execution.describe() for execution in page], token

    def cancel_recovery_plan_execution(
        self, recovery_plan_execution_arn: str
    ) -> dict[str, Any]:
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

    def get_recovery_plan_execution_step(
        self, recovery_plan_execution_step_arn: str
    ) -> dict[str, Any]:
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
        page, token = paginate_list(
            steps,
            "arn",
            max_results,
            next_token,
            execution=execution.arn,
            status=wanted,
        )
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
        if (status is not None and step.status not in SKIPPABLE) or (
            changes and step.status != "NOT_STARTED"
        ):
            rule = (
                "only a NOT_STARTED, FAILED or TIMED_OUT step can be skipped"
                if status is not None
                else ""
            )
            rule += " and " if status is not None and changes else ""
            rule += (
                "only a NOT_STARTED step's servers or wait can change"
                if changes
                else ""
            )
            raise ConflictException(
                f"Execution step {step.arn} is {step.status}: {rule}.",
                step.arn,
                "RECOVERY_PLAN_EXECUTION_STEP",
            )
        others = {
            s.server_arn
            for other in execution.steps
            if other is not step
            for s in other.servers
        }
        chosen = (
            None if servers is None else self._step_servers(servers, "servers", others)
        )
        resumes = (
            status is not None
            and step.status in RETRYABLE
            and execution.phase == "FAILED"
        )
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
        step: RecoveryPlanExecutionStep,
        status: str | None,
        servers: list[Any] | None,
        wait_minutes: int | None,
    ) -> None:
        problems = []
        if status is None and servers is None and wait_minutes is None:
            problems.append(
                ("status", "Give status SKIPPED, servers or waitDurationMinutes")
            )
        if status not in (None, "SKIPPED"):
            problems.append(("status", "Only SKIPPED is accepted"))
        if servers is not None and step.kind != SERVER_STEP:
            problems.append(("servers", "Only a SERVER step has servers"))
        if wait_minutes is not None and step.kind != WAIT_STEP:
            problems.append(
                ("waitDurationMinutes", "Only a WAIT step has a wait duration")
            )
        if problems:
            raise ValidationException(
                f"Cannot update execution step {step.arn}: "
                + "; ".join(message for _, message in problems)
                + ".",
                field_list=[
                    {"name": name, "message": message} for name, message in problems
                ],
            )

    def retry_recovery_plan_execution_step(
        self, recovery_plan_execution_step_arn: str
    ) -> dict[str, Any]:
        """A new attempt launches the step's servers that did not launch; the others keep their
        recovery instances (relaunching would replace them) (decision)."""
        self._settle_recovery_plans()
        execution, step = self._execution_step(recovery_plan_execution_step_arn)
        if step.kind != SERVER_STEP:
            raise ValidationException(
                f"Execution step {step.arn} is a WAIT step; only a SERVER step can be retried.",
                field_list=[
                    {
                        "name": "recoveryPlanExecutionStepArn",
                        "message": "Not a SERVER step",
                    }
                ],
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
