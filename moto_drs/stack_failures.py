"""Plugin glue: a DRS resource that fails fails its stack the way CloudFormation does.

moto's CloudFormation lets a resource's error escape from CreateStack, UpdateStack and
ExecuteChangeSet, leaving the stack ``CREATE_IN_PROGRESS`` with whatever it had made. AWS
instead answers the call, marks the resource ``CREATE_FAILED``/``UPDATE_FAILED``/``DELETE_FAILED``
with the handler's message, and rolls the stack back (CloudFormation user guide, "Stack failure
options" and "Stack status codes"):

- create (CreateStack, or ExecuteChangeSet of a CREATE change set): what was made is deleted;
  the stack ends ``ROLLBACK_COMPLETE`` ("The following resource(s) failed to create: [X].
  Rollback requested by user.");
- update (UpdateStack, ExecuteChangeSet of an UPDATE change set): the previous template is
  applied again; the stack ends ``UPDATE_ROLLBACK_COMPLETE``;
- delete: the stack stays, ``DELETE_FAILED``, with the resources not yet deleted.

Only failures of ``AWS::DRS::*`` resources take this path, so other services behave in moto as
they always did. Upstream this belongs in moto's CloudFormation, for every resource type; here
it wraps moto's functions (installed by ``registration`` once moto's CloudFormation is imported).
"""

import copy
import functools
from collections.abc import Callable
from typing import Any

from moto.cloudformation import models, parsing

from .drs.exceptions import DrsError
from .drs.models.cloudformation import InvalidProperties, failure_reason

DRS_TYPE_PREFIX = "AWS::DRS::"
_installed = False


class ResourceFailure(Exception):
    """A DRS resource's handler failed; carries what the stack events report."""

    def __init__(
        self,
        logical_id: str,
        resource_type: str,
        physical_id: str | None,
        status: str,
        reason: str,
    ) -> None:
        super().__init__(reason)
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.physical_id = physical_id
        self.status = status
        self.reason = reason


class _Handled(Exception):
    """A change set's failure, already recorded on its stack."""


def _is_drs_failure(resource_type: str, error: Exception) -> bool:
    return resource_type.startswith(DRS_TYPE_PREFIX) and isinstance(
        error, DrsError | InvalidProperties
    )


def _resource_event(stack: Any, failure: ResourceFailure) -> None:
    event = models.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=failure.logical_id,
        physical_resource_id=failure.physical_id or "",
        resource_type=failure.resource_type,
        resource_status=failure.status,
        resource_status_reason=failure.reason,
        resource_properties=None,
    )
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)


def _set_status(stack: Any, status: str, reason: str | None = None) -> None:
    """A new stack status and its event; a final status without a reason keeps the reason the
    rollback started with (DescribeStacks' StackStatusReason), its event carries none."""
    stack.status = status
    if reason is not None:
        stack.status_reason = reason
    stack._add_stack_event(status, resource_status_reason=reason)


def _forget_resources(stack: Any) -> None:
    """After a failed creation nothing is left to describe; moto's maps would otherwise create
    a resource on the first look-up (ListStackResources, Outputs)."""
    stack.resource_map._resource_json_map = {}
    stack.output_map = models.OutputMap(stack.resource_map, {}, stack.stack_id)


def fail_creation(stack: Any, failure: ResourceFailure) -> None:
    _resource_event(stack, failure)
    reason = f"The following resource(s) failed to create: [{failure.logical_id}]. "
    _set_status(stack, "ROLLBACK_IN_PROGRESS", reason + "Rollback requested by user.")
    try:
        stack.resource_map.delete()
    except Exception as error:
        _set_status(stack, "ROLLBACK_FAILED", f"{reason}Rollback failed: {error}")
        return
    _forget_resources(stack)
    _set_status(stack, "ROLLBACK_COMPLETE")


def fail_update(
    stack: Any,
    failure: ResourceFailure,
    old_template: dict[str, Any],
    old_body: Any,
    old_parameters: dict[str, Any],
) -> None:
    _resource_event(stack, failure)
    verb = "create" if failure.status == "CREATE_FAILED" else "update"
    reason = f"The following resource(s) failed to {verb}: [{failure.logical_id}]. "
    _set_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
    stack.template = old_body
    stack.template_dict = copy.deepcopy(old_template)
    try:
        stack.resource_map.update(copy.deepcopy(old_template), old_parameters or None)
    except Exception as error:
        _set_status(
            stack, "UPDATE_ROLLBACK_FAILED", f"{reason}Rollback failed: {error}"
        )
        return
    stack.output_map = stack._create_output_map()
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    _set_status(stack, "UPDATE_ROLLBACK_COMPLETE")


def _snapshot(stack: Any) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    resource_map = stack.resource_map
    return (
        copy.deepcopy(getattr(resource_map, "_template", {}) or {}),
        stack.template,
        dict(resource_map.input_parameters or {}),
    )


def install() -> None:
    """Wrap moto's CloudFormation; calling it again does nothing."""
    global _installed
    if _installed:
        return
    _installed = True

    create_resource: Callable[..., Any] = parsing.parse_and_create_resource
    update_resource: Callable[..., Any] = parsing.parse_and_update_resource
    delete_resource = parsing.ResourceMap._delete_resource

    @functools.wraps(create_resource)
    def parse_and_create_resource(
        logical_id: str, resource_json: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        try:
            return create_resource(logical_id, resource_json, *args, **kwargs)
        except ResourceFailure:
            raise
        except Exception as error:
            resource_type = str(resource_json.get("Type", ""))
            if not _is_drs_failure(resource_type, error):
                raise
            reason = failure_reason(logical_id, error)
            raise ResourceFailure(
                logical_id, resource_type, None, "CREATE_FAILED", reason
            ) from error

    @functools.wraps(update_resource)
    def parse_and_update_resource(
        logical_id: str,
        resource_json: dict[str, Any],
        resources_map: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        try:
            return update_resource(
                logical_id, resource_json, resources_map, *args, **kwargs
            )
        except ResourceFailure:
            raise
        except Exception as error:
            resource_type = str(resource_json.get("Type", ""))
            if not _is_drs_failure(resource_type, error):
                raise
            original = resources_map._parsed_resources.get(logical_id)
            raise ResourceFailure(
                logical_id,
                resource_type,
                getattr(original, "physical_resource_id", None),
                "UPDATE_FAILED",
                failure_reason(logical_id, error),
            ) from error

    @functools.wraps(delete_resource)
    def _delete_resource(
        self: Any, parsed_resource: Any, resource_json: dict[str, Any]
    ) -> None:
        try:
            delete_resource(self, parsed_resource, resource_json)
        except Exception as error:
            resource_type = str(resource_json.get("Type", ""))
            if not _is_drs_failure(resource_type, error):
                raise
            logical_id = getattr(parsed_resource, "logical_resource_id", "")
            raise ResourceFailure(
                logical_id,
                resource_type,
                getattr(parsed_resource, "physical_resource_id", None),
                "DELETE_FAILED",
                failure_reason(logical_id, error),
            ) from error

    parsing.parse_and_create_resource = parse_and_create_resource
    parsing.parse_and_update_resource = parse_and_update_resource
    parsing.ResourceMap._delete_resource = _delete_resource  # type: ignore[method-assign]
    _wrap_stack_operations()


def _wrap_stack_operations() -> None:
    create_resources = models.Stack.create_resources
    update = models.Stack.update
    apply = models.ChangeSet.apply
    execute_change_set = models.CloudFormationBackend.execute_change_set
    delete_stack = models.CloudFormationBackend.delete_stack

    @functools.wraps(create_resources)
    def stack_create_resources(self: Any) -> None:
        try:
            create_resources(self)
        except ResourceFailure as failure:
            fail_creation(self, failure)

    @functools.wraps(update)
    def stack_update(self: Any, *args: Any, **kwargs: Any) -> None:
        old_template, old_body, old_parameters = _snapshot(self)
        self.status_reason = None
        try:
            update(self, *args, **kwargs)
        except ResourceFailure as failure:
            fail_update(self, failure, old_template, old_body, old_parameters)

    @functools.wraps(apply)
    def change_set_apply(self: Any) -> None:
        stack = self.stack
        old_template, old_body, old_parameters = _snapshot(stack)
        stack.status_reason = None
        try:
            apply(self)
        except ResourceFailure as failure:
            if self.change_set_type == "CREATE":
                stack.template = self.template
                fail_creation(stack, failure)
            else:
                fail_update(stack, failure, old_template, old_body, old_parameters)
            self.execution_status = "EXECUTE_FAILED"
            raise _Handled() from failure

    @functools.wraps(execute_change_set)
    def backend_execute_change_set(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            execute_change_set(self, *args, **kwargs)
        except _Handled:
            pass

    @functools.wraps(delete_stack)
    def backend_delete_stack(self: Any, name_or_stack_id: str) -> None:
        stack = self.stacks.get(name_or_stack_id)
        if stack is not None:
            stack.status_reason = None
        try:
            delete_stack(self, name_or_stack_id)
        except ResourceFailure as failure:
            if stack is None:  # by name: the inner call by ID has handled it
                raise
            self.stacks[stack.stack_id] = stack
            self.deleted_stacks.pop(stack.stack_id, None)
            _resource_event(stack, failure)
            _set_status(
                stack,
                "DELETE_FAILED",
                f"The following resource(s) failed to delete: [{failure.logical_id}]. ",
            )

    models.Stack.create_resources = stack_create_resources  # type: ignore[method-assign]
    models.Stack.update = stack_update  # type: ignore[method-assign]
    models.ChangeSet.apply = change_set_apply  # type: ignore[method-assign]
    models.CloudFormationBackend.execute_change_set = backend_execute_change_set  # type: ignore[method-assign]
    models.CloudFormationBackend.delete_stack = backend_delete_stack  # type: ignore[method-assign]
