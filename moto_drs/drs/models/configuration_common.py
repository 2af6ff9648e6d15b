"""What the configuration families (replication, launch, launch actions) share.

Backend methods receive a request's members as snake_case keyword arguments; the settings they
store and answer with are keyed as the API names them, so ``api_members`` converts once. Every
settings problem is a ``field_error``, and ``raise_if_invalid`` reports them all at once before
anything changes.
"""

import copy
from typing import TYPE_CHECKING, Any

from botocore import xform_name

from ..exceptions import ConflictException, ValidationException

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
    """A disconnected server's settings are frozen (docs/drs-semantics.md, section 1)."""
    if server.data_replication_state == "DISCONNECTED":
        raise ConflictException(
            f"Cannot update the {what} of source server {server.source_server_id}: it is disconnected.",
            server.source_server_id,
            "SOURCE_SERVER",
        )


def register_with_tags(backend: "DrsBackendCore", arn: str, resource: Any, tags: dict[str, str] | None) -> None:
    """Make a new template taggable with its creation tags; if the tags are refused, it stays unknown."""
    backend.register_taggable(arn, resource)
    if tags:
        try:
            backend.tag_resource(arn, tags)
        except Exception:
            backend.unregister_taggable(arn)
            raise
