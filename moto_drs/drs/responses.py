"""Handles incoming DRS requests: one thin method per operation over one shared pipeline.

Every operation goes through ``_call``: input gathered and validated against botocore's model,
the account's initialization checked where the model lists UninitializedAccountException, then
the backend method of the same name runs under the backend's lock.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from botocore import xform_name
from botocore.model import OperationModel
from moto.core.common_types import TYPE_RESPONSE
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

from .exceptions import InternalServerException, ValidationException
from .models import DrsBackend, drs_backends, drs_service_model
from .validation import parse_input

# Hooks run before every operation (fault injection registers here); each may raise a DRS error.
BEFORE_OPERATION: list[Callable[[DrsBackend, str, dict[str, Any]], None]] = []


class DrsResponse(BaseResponse):
    """Handler for Elastic Disaster Recovery requests and responses."""

    # keep the body as bytes: non-UTF-8 input must become a ValidationException, not a crash
    use_raw_body = True

    def __init__(self) -> None:
        super().__init__(service_name="drs")
        self._operation_name: str | None = None

    @property
    def drs_backend(self) -> DrsBackend:
        return drs_backends[self.current_account][self.region]

    def _get_action(self) -> str:
        if self._operation_name is None:
            self._operation_name = super()._get_action()
        return self._operation_name

    def call_action(self) -> TYPE_RESPONSE:
        self._operation_name = None
        action = self._get_action()
        if not action or not callable(getattr(DrsBackend, xform_name(action), None)):
            message = (
                f"Unknown operation: {self.method} {self.path}"
                if not action
                else f"The {action} operation is not implemented by this mock yet."
            )
            error = ValidationException(message, reason="unknownOperation")
            return self.serialized(ActionResult(error))
        return super().call_action()

    def _operation_model(self) -> OperationModel:
        return drs_service_model().operation_model(self._get_action())

    def _call(self) -> Any:
        operation = self._operation_model()
        query = parse_qs(self.parsed_url.query, keep_blank_values=True)
        params = parse_input(operation, self.raw_body, self.uri_match, query)
        backend = self.drs_backend
        requires_init = any(e.name == "UninitializedAccountException" for e in operation.error_shapes)
        method = getattr(backend, xform_name(operation.name))
        kwargs = {xform_name(name): value for name, value in params.items()}
        with backend.lock:
            try:
                for hook in BEFORE_OPERATION:
                    hook(backend, operation.name, params)
                if requires_init:
                    backend.ensure_initialized()
                return method(**kwargs)
            except ServiceException:
                raise
            except Exception as error:  # a bug of ours must still answer as AWS would
                raise InternalServerException(f"Internal error: {type(error).__name__}: {error}")

    def _page(self, key: str = "items") -> ActionResult:
        items, next_token = self._call()
        return ActionResult({key: items, "nextToken": next_token})

    # -- operations, in botocore's order: each answers with its output shape ------------------

    def associate_source_network_stack(self) -> ActionResult:
        return ActionResult({"job": self._call()})

    def cancel_recovery_plan_execution(self) -> ActionResult:
        return ActionResult({"recoveryPlanExecution": self._call()})

    def create_extended_source_server(self) -> ActionResult:
        return ActionResult({"sourceServer": self._call()})

    def create_launch_configuration_template(self) -> ActionResult:
        return ActionResult({"launchConfigurationTemplate": self._call()})

    def create_recovery_plan(self) -> ActionResult:
        return ActionResult({"recoveryPlan": self._call()})

    def create_recovery_plan_step(self) -> ActionResult:
        return ActionResult({"recoveryPlanStep": self._call()})

    def create_replication_configuration_template(self) -> ActionResult:
        return ActionResult(self._call())

    def create_source_network(self) -> ActionResult:
        return ActionResult({"sourceNetworkID": self._call()})

    def delete_job(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def delete_launch_action(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def delete_launch_configuration_template(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def delete_recovery_instance(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def delete_recovery_plan(self) -> ActionResult:
        return ActionResult({"recoveryPlanArn": self._call()})

    def delete_recovery_plan_execution(self) -> ActionResult:
        return ActionResult({"recoveryPlanExecutionArn": self._call()})

    def delete_recovery_plan_step(self) -> ActionResult:
        return ActionResult({"recoveryPlanStepArn": self._call()})

    def delete_replication_configuration_template(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def delete_source_network(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def delete_source_server(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def describe_job_log_items(self) -> ActionResult:
        return self._page()

    def describe_jobs(self) -> ActionResult:
        return self._page()

    def describe_launch_configuration_templates(self) -> ActionResult:
        return self._page()

    def describe_recovery_instances(self) -> ActionResult:
        return self._page()

    def describe_recovery_snapshots(self) -> ActionResult:
        return self._page()

    def describe_replication_configuration_templates(self) -> ActionResult:
        return self._page()

    def describe_source_networks(self) -> ActionResult:
        return self._page()

    def describe_source_servers(self) -> ActionResult:
        return self._page()

    def disconnect_recovery_instance(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def disconnect_source_server(self) -> ActionResult:
        return ActionResult(self._call())

    def export_source_network_cfn_template(self) -> ActionResult:
        return ActionResult({"s3DestinationUrl": self._call()})

    def get_failback_replication_configuration(self) -> ActionResult:
        return ActionResult(self._call())

    def get_launch_configuration(self) -> ActionResult:
        return ActionResult(self._call())

    def get_recovery_plan(self) -> ActionResult:
        return ActionResult({"recoveryPlan": self._call()})

    def get_recovery_plan_execution(self) -> ActionResult:
        return ActionResult({"recoveryPlanExecution": self._call()})

    def get_recovery_plan_execution_step(self) -> ActionResult:
        return ActionResult({"recoveryPlanExecutionStep": self._call()})

    def get_recovery_plan_step(self) -> ActionResult:
        return ActionResult({"recoveryPlanStep": self._call()})

    def get_replication_configuration(self) -> ActionResult:
        return ActionResult(self._call())

    def initialize_service(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def list_extensible_source_servers(self) -> ActionResult:
        return self._page()

    def list_launch_actions(self) -> ActionResult:
        return self._page()

    def list_recovery_plan_execution_steps(self) -> ActionResult:
        return self._page("recoveryPlanExecutionSteps")

    def list_recovery_plan_executions(self) -> ActionResult:
        return self._page("recoveryPlanExecutions")

    def list_recovery_plan_steps(self) -> ActionResult:
        return self._page("recoveryPlanSteps")

    def list_recovery_plans(self) -> ActionResult:
        return self._page("recoveryPlans")

    def list_staging_accounts(self) -> ActionResult:
        return self._page("accounts")

    def list_tags_for_resource(self) -> ActionResult:
        return ActionResult({"tags": self._call()})

    def put_launch_action(self) -> ActionResult:
        return ActionResult(self._call())

    def reorder_recovery_plan_steps(self) -> ActionResult:
        return ActionResult({"recoveryPlanSteps": self._call()})

    def retry_data_replication(self) -> ActionResult:
        return ActionResult(self._call())

    def retry_recovery_plan_execution_step(self) -> ActionResult:
        return ActionResult({"recoveryPlanExecutionStep": self._call()})

    def reverse_replication(self) -> ActionResult:
        return ActionResult({"reversedDirectionSourceServerArn": self._call()})

    def start_failback_launch(self) -> ActionResult:
        return ActionResult({"job": self._call()})

    def start_recovery(self) -> ActionResult:
        return ActionResult({"job": self._call()})

    def start_recovery_plan_execution(self) -> ActionResult:
        return ActionResult({"recoveryPlanExecution": self._call()})

    def start_replication(self) -> ActionResult:
        return ActionResult({"sourceServer": self._call()})

    def start_source_network_recovery(self) -> ActionResult:
        return ActionResult({"job": self._call()})

    def start_source_network_replication(self) -> ActionResult:
        return ActionResult({"sourceNetwork": self._call()})

    def stop_failback(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def stop_replication(self) -> ActionResult:
        return ActionResult({"sourceServer": self._call()})

    def stop_source_network_replication(self) -> ActionResult:
        return ActionResult({"sourceNetwork": self._call()})

    def tag_resource(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def terminate_recovery_instances(self) -> ActionResult:
        return ActionResult({"job": self._call()})

    def untag_resource(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def update_failback_replication_configuration(self) -> ActionResult:
        self._call()
        return ActionResult({})

    def update_launch_configuration(self) -> ActionResult:
        return ActionResult(self._call())

    def update_launch_configuration_template(self) -> ActionResult:
        return ActionResult({"launchConfigurationTemplate": self._call()})

    def update_recovery_plan(self) -> ActionResult:
        return ActionResult({"recoveryPlan": self._call()})

    def update_recovery_plan_execution_step(self) -> ActionResult:
        return ActionResult({"recoveryPlanExecutionStep": self._call()})

    def update_recovery_plan_step(self) -> ActionResult:
        return ActionResult({"recoveryPlanStep": self._call()})

    def update_replication_configuration(self) -> ActionResult:
        return ActionResult(self._call())

    def update_replication_configuration_template(self) -> ActionResult:
        return ActionResult(self._call())
