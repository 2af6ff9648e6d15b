"""Launch actions (post-launch SSM actions) of source servers and launch configuration templates.

Rules (user guide, "Post-launch actions", /drs/latest/userguide/post-launch-action-settings-overview.html):
- ``resourceId`` is a source server ID or a launch configuration template ID; an unknown one is a
  ResourceNotFoundException. A new source server copies the template's actions.
- PutLaunchAction creates or replaces the action ``actionId`` of the resource. Orders are unique
  per resource ("numbers must be unique"): another action's order is a ConflictException.
- At most 200 actions per resource (quota L-0588D03B).
- ``type`` is SSM_AUTOMATION for an Automation document moto's SSM knows, else SSM_COMMAND.
"""

import copy
from typing import TYPE_CHECKING, Any

from moto.core.common_models import BaseModel

from ..exceptions import ConflictException, ResourceNotFoundException
from .base import DrsBackendCore
from .configuration_common import api_members
from .paging import paginate_list

if TYPE_CHECKING:
    from .source_servers import SourceServer

TEMPLATE_PREFIX = "lct-"
ACTION_MEMBERS = (
    "actionCode",
    "order",
    "optional",
    "active",
    "name",
    "actionVersion",
    "category",
    "parameters",
    "description",
)


def action_type(account_id: str, region_name: str, action_code: str) -> str:
    """SSM documents of type Automation run as automations; every other document as a command."""
    from moto.ssm.exceptions import InvalidDocument
    from moto.ssm.models import ssm_backends

    try:
        document = ssm_backends[account_id][region_name].get_document(
            action_code, "", "", ""
        )
    except (InvalidDocument, KeyError):
        return "SSM_COMMAND"
    return (
        "SSM_AUTOMATION"
        if document.get("DocumentType") == "Automation"
        else "SSM_COMMAND"
    )


class LaunchAction(BaseModel):
    """An SSM document DRS runs on a recovery instance after launch."""

    def __init__(
        self,
        resource_id: str,
        action_id: str,
        action_type: str,
        members: dict[str, Any],
    ):
        self.resource_id = resource_id
        self.action_id = action_id
        self.type = action_type
        self.members = members  # the PutLaunchAction members, as the API names them

    @property
    def order(self) -> int:
        return int(self.members["order"])

    def copy_for(self, resource_id: str) -> "LaunchAction":
        return LaunchAction(
            resource_id, self.action_id, self.type, copy.deepcopy(self.members)
        )

    def to_api(self, with_resource: bool = False) -> dict[str, Any]:
        api = {
            "actionId": self.action_id,
            "type": self.type,
            **copy.deepcopy(self.members),
        }
        if with_resource:
            api["resourceId"] = self.resource_id
        return api


class LaunchActionOperations(DrsBackendCore):
    launch_actions: dict[str, dict[str, LaunchAction]]

    def _init_launch_actions(self) -> None:
        """State of this family, created with the backend: resource ID -> action ID -> action."""
        self.launch_actions = {}

    # -- hooks -------------------------------------------------------------------------------------

    def _launch_actions_for_new_server(self, server: "SourceServer") -> None:
        """A new server starts with the launch configuration template's actions.

        Only existing templates hold actions here (deleting a template deletes its actions).
        """
        for resource_id, actions in list(self.launch_actions.items()):
            if resource_id.startswith(TEMPLATE_PREFIX) and actions:
                self.launch_actions[server.source_server_id] = {
                    action_id: action.copy_for(server.source_server_id)
                    for action_id, action in actions.items()
                }

    def _launch_actions_for_deleted_server(self, server: "SourceServer") -> None:
        """Forget the deleted server's launch actions."""
        self.launch_actions.pop(server.source_server_id, None)

    def _launch_actions_for_deleted_template(self, template_id: str) -> None:
        """Forget the deleted launch configuration template's actions."""
        self.launch_actions.pop(template_id, None)

    # -- operations --------------------------------------------------------------------------------

    def _launch_action_resource(self, resource_id: str) -> dict[str, LaunchAction]:
        """The actions of an existing server or template (ResourceNotFoundException otherwise)."""
        if resource_id.startswith(TEMPLATE_PREFIX):
            self.get_launch_configuration_template(resource_id)
        else:
            self.get_source_server(resource_id)
        return self.launch_actions.get(resource_id, {})

    def put_launch_action(
        self, resource_id: str, action_id: str, **members: Any
    ) -> dict[str, Any]:
        """``members``: the request's other PutLaunchAction members, snake_case."""
        actions = self._launch_action_resource(resource_id)
        values = api_members(ACTION_MEMBERS, members)
        for other in actions.values():
            if other.action_id != action_id and other.order == values["order"]:
                raise ConflictException(
                    f"Launch action {other.action_id} of {resource_id} already has order {other.order}; "
                    "orders must be unique.",
                    resource_id,
                    "LAUNCH_ACTION",
                )
        if action_id not in actions:
            self.check_quota("launch_actions_per_resource", len(actions) + 1)
        action = LaunchAction(
            resource_id,
            action_id,
            action_type(self.account_id, self.region_name, values["actionCode"]),
            values,
        )
        self.launch_actions.setdefault(resource_id, {})[action_id] = action
        return action.to_api(with_resource=True)

    def list_launch_actions(
        self,
        resource_id: str,
        filters: dict[str, Any] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The resource's actions in launch order (their ``order``)."""
        actions = sorted(
            self._launch_action_resource(resource_id).values(), key=lambda a: a.order
        )
        wanted = (filters or {}).get("actionIds")
        if wanted:
            actions = [a for a in actions if a.action_id in set(wanted)]
        page, token = paginate_list(
            actions,
            "action_id",
            max_results,
            next_token,
            resource_id=resource_id,
            filters=filters,
        )
        return [action.to_api() for action in page], token

    def delete_launch_action(self, resource_id: str, action_id: str) -> None:
        actions = self._launch_action_resource(resource_id)
        if action_id not in actions:
            raise ResourceNotFoundException(
                action_id,
                "LAUNCH_ACTION",
                f"Launch action {action_id} of {resource_id} not found.",
            )
        del actions[action_id]
