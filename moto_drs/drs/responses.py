"""Handles incoming DRS requests: one thin method per operation over one shared pipeline.

Every operation goes through ``_call``: input gathered and validated against botocore's model,
the account's initialization checked where the model lists UninitializedAccountException, then
the backend method of the same name runs under the backend's lock.
"""

import re
from functools import cache
from typing import Any
from urllib.parse import parse_qs

from botocore import xform_name
from botocore.model import OperationModel
from moto.core.common_types import TYPE_RESPONSE
from moto.core.exceptions import HTTPException, ServiceException
from moto.core.responses import ActionResult, BaseResponse
from moto.moto_api._internal import mock_random

from .exceptions import (
    AuthenticationFailure,
    InternalServerException,
    ValidationException,
)
from .models import DrsBackend, drs_backends, drs_service_model
from .validation import parse_input

_ACCOUNT_ID = re.compile(r"\d{12}")


def run_operation(
    backend: DrsBackend, operation: OperationModel, params: dict[str, Any]
) -> Any:
    """Run validated input ``params`` (API member names) through the backend method named like
    ``operation``, under the backend's lock: the account's initialization where the model lists
    UninitializedAccountException, the backend's ``before_operation``, then the
    method. Requests and CloudFormation's resource handlers (models/cloudformation.py) both
    come through here."""
    requires_init = _requires_initialization(operation)
    method = getattr(backend, xform_name(operation.name))
    kwargs = {xform_name(name): value for name, value in params.items()}
    with backend.lock:
        try:
            if requires_init:
                backend.ensure_initialized()
            backend.before_operation()
            return method(**kwargs)
        except ServiceException:
            raise
        except Exception as error:  # a bug of ours must still answer as AWS would
            raise InternalServerException(
                f"Internal error: {type(error).__name__}: {error}"
            ) from error


def _requires_initialization(operation: OperationModel) -> bool:
    """Whether the model lists UninitializedAccountException for ``operation``; remembered per
    operation (botocore's operation models are cached, one per name)."""
    known = _REQUIRES_INIT.get(operation.name)
    if known is None or known[0] is not operation:
        found = any(
            e.name == "UninitializedAccountException" for e in operation.error_shapes
        )
        known = _REQUIRES_INIT[operation.name] = (operation, found)
    return known[1]


_REQUIRES_INIT: dict[str, tuple[OperationModel, bool]] = {}


@cache
def _fixed_routes() -> dict[tuple[str, str], str]:
    """(HTTP method, request URI) -> operation, for the operations whose URI has no labels."""
    model = drs_service_model()
    routes = {}
    for name in model.operation_names:
        http = model.operation_model(name).http
        if "{" not in http["requestUri"] and "?" not in http["requestUri"]:
            routes[(http["method"], http["requestUri"])] = name
    return routes


class DrsResponse(BaseResponse):
    """Handler for Elastic Disaster Recovery requests and responses."""

    # the body as sent, as bytes: a JSON body under a form Content-Type is still read, and bytes
    # that are not UTF-8 are DRS's ValidationException (cannotParse), as AWS answers them
    use_raw_body = True

    def __init__(self) -> None:
        super().__init__(service_name="drs")
        self._operation_name: str | None = None

    @property
    def drs_backend(self) -> DrsBackend:
        return drs_backends[self.current_account][self.region]

    def _get_action(self) -> str:
        if self._operation_name is None:
            self._operation_name = (
                self._action_of_fixed_route() or super()._get_action()
            )
        return self._operation_name

    def _action_of_fixed_route(self) -> str | None:
        """The operation of a request to a URI without labels (67 of DRS's 70), by one look-up
        instead of moto's werkzeug routing of the service model (60 us a request); requests
        that name their action (``Action=``, ``X-Amz-Target``) are left to moto as before."""
        if "Action" in self.querystring or "x-amz-target" in self.headers:
            return None
        return _fixed_routes().get((self.method, self.path))

    def call_action(self) -> TYPE_RESPONSE:
        self._operation_name = None
        try:
            self._admit_request(self._get_action())
        except HTTPException as failure:  # authentication: moto core answers it in JSON
            return self._json_authentication_error(failure)  # type: ignore[attr-defined,no-any-return]
        except ServiceException as error:
            status, headers, body = self.serialized(ActionResult(error))
        else:
            return self._answer()
        headers, body = self._enrich_response(headers, body)
        return status, headers, body

    def _answer(self) -> TYPE_RESPONSE:
        """``BaseResponse.call_action`` for an admitted request, minus its per-request scan of this
        class's ~100 methods (``inspect.getmembers``, 30 us): each operation's method is named like
        the operation and answers an ActionResult."""
        # serialized under the lock too: the serializer reads live resources (tags, replication
        # state), which a concurrent request could otherwise change half-way through the answer
        with self.drs_backend.lock:
            try:
                result = getattr(self, xform_name(self._get_action()))()
            except ServiceException as error:
                result = ActionResult(error)
            status, headers, body = self.serialized(result)
        headers, body = self._enrich_response(headers, body)
        return status, headers, body

    @staticmethod
    def _enrich_response(
        headers: dict[str, str], body: Any
    ) -> tuple[dict[str, str], Any]:
        """moto's, minus its regex rewrite of an XML ``<RequestId>`` in the body (a JSON body has
        none, and the scan cost ~10 us per KB: 20 ms for a page of 1,000 source servers). The
        request ID is a UUID, as rest-json services such as DRS send it."""
        if "status" in headers:
            headers["status"] = str(headers["status"])
        headers["x-amzn-requestid"] = str(mock_random.uuid4())
        return headers, body

    def _admit_request(self, action: str | None) -> None:
        """What is checked before any operation: caller, account and region, body, operation."""
        if not _ACCOUNT_ID.fullmatch(self.current_account):
            raise ValidationException(
                f"The account ID {self.current_account!r} is not a 12-digit AWS account ID.",
                reason="other",
            )
        if not self._serves_region():
            raise AuthenticationFailure(
                "InvalidSignatureException",
                f"Credential should be scoped to a valid region, not '{self.region}'.",
            )
        if (
            action
        ):  # moto's IAM simulation, once INITIAL_NO_AUTH_ACTION_COUNT calls were made
            self._authenticate_and_authorize_normal_action()
        if not action or not callable(getattr(DrsBackend, xform_name(action), None)):
            message = (
                f"Unknown operation: {self.method} {self.path}"
                if not action
                else f"The {action} operation is not implemented by this mock yet."
            )
            raise ValidationException(message, reason="unknownOperation")
        unreadable = self.request_body_error  # type: ignore[attr-defined]
        if unreadable:  # moto core left a body that is not the gzip it claims empty
            raise ValidationException(unreadable, reason="cannotParse")

    def _serves_region(self) -> bool:
        try:
            return self.drs_backend is not None
        except KeyError:  # a region DRS does not serve
            return False

    def _operation_model(self) -> OperationModel:
        return drs_service_model().operation_model(self._get_action())

    def _call(self) -> Any:
        operation = self._operation_model()
        query = parse_qs(self.parsed_url.query, keep_blank_values=True)
        params = parse_input(operation, self.raw_body, self.uri_match, query)
        return run_operation(self.drs_backend, operation, params)

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
