"""What the configuration families (replication, launch, launch actions) share.

Backend methods receive a request's members as snake_case keyword arguments; the settings they
store and answer with are keyed as the API names them, so ``api_members`` converts once. Every
settings problem is a ``field_error``, and ``raise_if_invalid`` reports them all at once before
anything changes. ``ConfigurationTemplate`` is what the replication and launch configuration
templates have in common.
"""

import copy
from typing import TYPE_CHECKING, Any, TypeVar

from botocore import xform_name

from ..exceptions import ConflictException, ValidationException
from ..utils import drs_arn, new_id
from .paging import paginate_list

if TYPE_CHECKING:
    from .base import DrsBackendCore
    from .source_servers import SourceServer

Field = dict[str, str]


def api_members(names: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    """The members ``names`` present in snake_case ``values``, keyed as the API names them."""
    members = {}
    for name in names:
        value = values.get(xform_name(name))
        if value is not None:
            members[name] = copy.deepcopy(value)
    return members


def field_error(name: str, message: str) -> Field:
    return {"name": name, "message": message}


def raise_if_invalid(errors: list[Field], what: str) -> None:
    """One ValidationException listing every problem, as DRS reports field validation."""
    if errors:
        details = "; ".join(f"{e['name']}: {e['message']}" for e in errors)
        raise ValidationException(f"Invalid {what}: {details}", field_list=errors)


def require_connected(server: "SourceServer", what: str) -> None:
    """A disconnected server's settings are frozen (API reference, DisconnectSourceServer: the
    server can no longer be managed until its agent reconnects)."""
    if server.data_replication_state == "DISCONNECTED":
        raise ConflictException(
            f"Cannot update the {what} of source server {server.source_server_id}: it is disconnected.",
            server.source_server_id,
            "SOURCE_SERVER",
        )


def register_with_tags(
    backend: "DrsBackendCore", arn: str, resource: Any, tags: dict[str, str] | None
) -> None:
    """Make a new template taggable with its creation tags; if the tags are refused, it stays unknown."""
    backend.register_taggable(arn, resource)
    if tags:
        try:
            backend.tag_resource(arn, tags)
        except Exception:
            backend.unregister_taggable(arn)
            raise


class ConfigurationTemplate:
    """Account-level default settings that new source servers copy, taggable by ARN.

    A subclass (also a moto ``BaseModel``) names its ID prefix, the ARN's resource type and the
    ID's API member, and exposes the ID under its own attribute name.
    """

    _id_prefix: str  # "rct"
    _resource_type: str  # "replication-configuration-template"
    _id_member: str  # "replicationConfigurationTemplateID"

    def __init__(self, backend: "DrsBackendCore", settings: dict[str, Any]):
        self._template_id = new_id(self._id_prefix)
        self.arn = drs_arn(
            backend.region_name,
            backend.account_id,
            f"{self._resource_type}/{self._template_id}",
        )
        self.settings = settings
        self._backend = backend

    def to_api(self) -> dict[str, Any]:
        return {
            self._id_member: self._template_id,
            "arn": self.arn,
            **copy.deepcopy(self.settings),
            "tags": self._backend.tagger.get_tag_dict_for_resource(self.arn),
        }


Template = TypeVar("Template", bound=ConfigurationTemplate)


def describe_templates(
    templates: dict[str, Template],
    template_ids: list[str] | None,
    id_attribute: str,
    max_results: int | None,
    next_token: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of ``templates``, those of ``template_ids`` if given; an unknown ID is left out of the
    result: the model lists no ResourceNotFoundException for these reads."""
    found = list(templates.values())
    if template_ids:
        wanted = set(template_ids)
        found = [t for t in found if t._template_id in wanted]
    page, token = paginate_list(
        found, id_attribute, max_results, next_token, ids=template_ids
    )
    return [template.to_api() for template in page], token
