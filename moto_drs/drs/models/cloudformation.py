"""The CloudFormation resource types of DRS, as moto's CloudFormation creates them.

``AWS::DRS::ReplicationConfigurationTemplate``, ``AWS::DRS::LaunchConfigurationTemplate``,
``AWS::DRS::SourceNetwork`` and ``AWS::DRS::RecoveryPlan`` follow AWS's resource schemas
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_DRS.html):

- A property is the DRS API member of the same name with its first letter upper-case
  (``PitPolicy[].RetentionDuration`` is ``pitPolicy[].retentionDuration``), so the mapping is
  derived from botocore's input shapes; only ``Tags`` differs: a list of ``Key``/``Value`` pairs
  in CloudFormation, a map in DRS.
- Each handler calls the DRS operations the schema's handler permissions name, through the same
  validation and backend code as API requests (``responses.run_operation``), so what a stack
  creates is what the API shows, and an invalid property fails with DRS's own message.
- ``Ref`` answers the primary identifier, the ARN; ``Fn::GetAtt`` the read-only properties.
- A change to a create-only property replaces the resource; every other change updates it in
  place. A property removed from the template returns to DRS's default where DRS has one.
"""

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from botocore.model import ListShape, OperationModel, Shape, StructureShape
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import ServiceException
from moto.moto_api._internal import mock_random

from ..exceptions import ResourceNotFoundException
from ..validation import parse_input
from . import drs_backends
from .base import drs_service_model
from .launch_configuration import DEFAULT_TEMPLATE_SETTINGS
from .replication_configuration import DEFAULT_REPLICATION_SETTINGS

TAGS = "Tags"
# The handler error code CloudFormation reports for each DRS error (CloudFormation CLI user
# guide, "Resource type handler error codes").
HANDLER_ERROR_CODES = {
    "ValidationException": "InvalidRequest",
    "UninitializedAccountException": "InvalidRequest",
    "ResourceNotFoundException": "NotFound",
    "ConflictException": "ResourceConflict",
    "ServiceQuotaExceededException": "ServiceLimitExceeded",
    "AccessDeniedException": "AccessDenied",
    "ThrottlingException": "Throttling",
    "InternalServerException": "ServiceInternalError",
}


class InvalidProperties(Exception):
    """Properties that break the resource schema: CloudFormation refuses them before any handler
    runs ("Properties validation failed for resource ... with message: ...")."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def failure_reason(logical_id: str, error: Exception) -> str:
    """The ResourceStatusReason of a resource whose handler failed with ``error``."""
    if isinstance(error, InvalidProperties):
        return (
            f"Properties validation failed for resource {logical_id} with message: "
            f"{error.message}"
        )
    code = getattr(error, "code", type(error).__name__)
    message = getattr(error, "message", None) or str(error)
    try:
        status = drs_service_model().shape_for(code).metadata["error"]["httpStatusCode"]
    except Exception:
        status = 500
    handler_code = HANDLER_ERROR_CODES.get(code, "GeneralServiceException")
    return (
        f'Resource handler returned message: "{message} (Service: Drs, Status Code: '
        f'{status}, Request ID: {mock_random.uuid4()})" (RequestToken: '
        f"{mock_random.uuid4()}, HandlerErrorCode: {handler_code})"
    )


# -- properties <-> API members ------------------------------------------------------------


def property_name(member: str) -> str:
    """``ebsEncryptionKeyArn`` -> ``EbsEncryptionKeyArn``: the rule every DRS schema follows."""
    return member[:1].upper() + member[1:]


def _pointer(path: str) -> str:
    return f"#/{path}" if path else "#"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, dict):
        return "JSONObject"
    if isinstance(value, list):
        return "JSONArray"
    return "String"


def api_value(shape: Shape, value: Any, path: str) -> Any:
    """A property value as the API member of ``shape`` takes it.

    CloudFormation hands resource handlers the types the schema declares, so a ``"true"`` or
    ``"10"`` from a template parameter becomes a boolean or integer here.
    """
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise InvalidProperties(
                f"{_pointer(path)}: expected type: JSONObject, found: {_json_type(value)}"
            )
        assert isinstance(shape, StructureShape)
        members = {property_name(name): name for name in shape.members}
        result = {}
        for key, item in value.items():
            name = members.get(key)
            if name is None:
                raise InvalidProperties(
                    f"{_pointer(path)}: extraneous key [{key}] is not permitted"
                )
            result[name] = api_value(shape.members[name], item, f"{path}/{key}")
        return result
    if kind == "list":
        if not isinstance(value, list):
            raise InvalidProperties(
                f"{_pointer(path)}: expected type: JSONArray, found: {_json_type(value)}"
            )
        assert isinstance(shape, ListShape)
        return [
            api_value(shape.member, item, f"{path}/{index}")
            for index, item in enumerate(value)
        ]
    if kind == "map":
        if not isinstance(value, dict):
            raise InvalidProperties(
                f"{_pointer(path)}: expected type: JSONObject, found: {_json_type(value)}"
            )
        return {str(k): v for k, v in value.items()}
    if isinstance(value, str):
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind in ("integer", "long") and value.strip().lstrip("-").isdigit():
            return int(value)
    return value


def tags_map(value: Any) -> dict[str, str]:
    """``Tags``: CloudFormation's list of Key/Value pairs as DRS's tag map."""
    if not isinstance(value, list):
        raise InvalidProperties(
            f"#/{TAGS}: expected type: JSONArray, found: {_json_type(value)}"
        )
    tags = {}
    for index, tag in enumerate(value):
        if not isinstance(tag, dict):
            raise InvalidProperties(
                f"#/{TAGS}/{index}: expected type: JSONObject, found: {_json_type(tag)}"
            )
        for key in ("Key", "Value"):
            if key not in tag:
                raise InvalidProperties(
                    f"#/{TAGS}/{index}: required key [{key}] not found"
                )
        extra = sorted(set(tag) - {"Key", "Value"})
        if extra:
            raise InvalidProperties(
                f"#/{TAGS}/{index}: extraneous key [{extra[0]}] is not permitted"
            )
        tags[str(tag["Key"])] = str(tag["Value"])
    return tags


# -- the four resource types ---------------------------------------------------------------


@dataclass(frozen=True)
class ResourceSpec:
    """What a DRS resource schema says beyond the API's shapes (tests compare it with the schema
    cfn-lint ships): its operations, identifier, read-only and create-only properties."""

    type_name: str
    create: str
    delete: str
    update: str | None
    id_property: str
    # read-only properties beyond Arn and the ID (Fn::GetAtt answers all of them)
    extra_attributes: tuple[str, ...] = ()
    create_only: tuple[str, ...] = ()
    # API members the schema has no property for (newer than the schema, or request plumbing)
    not_in_schema: tuple[str, ...] = ()
    # "delete_then_create" where DRS allows one resource per account (the schema says so)
    replacement: str = "create_then_delete"
    # the value DRS gives a member the template leaves out, for updates that drop a property
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def attributes(self) -> tuple[str, ...]:
        return ("Arn", self.id_property) + self.extra_attributes

    def operation(self, name: str) -> OperationModel:
        return drs_service_model().operation_model(name)

    def property_members(self) -> dict[str, str]:
        """Property name -> API member, derived from the create operation's input shape."""
        shape = self.operation(self.create).input_shape
        assert shape is not None
        return {
            property_name(name): name
            for name, member in shape.members.items()
            if name not in self.not_in_schema
            and not member.metadata.get("idempotencyToken")
        }

    def required(self) -> list[str]:
        shape = self.operation(self.create).input_shape
        assert shape is not None
        return [property_name(name) for name in shape.required_members]


def _invoke(
    account_id: str, region_name: str, operation_name: str, members: dict[str, Any]
) -> Any:
    """One DRS operation with ``members`` (API names), as a request would run it."""
    from ..responses import run_operation

    operation = drs_service_model().operation_model(operation_name)
    params = parse_input(operation, _body(members), {}, {})
    return run_operation(drs_backends[account_id][region_name], operation, params)


def _body(members: dict[str, Any]) -> str:
    """The request body; a value JSON cannot carry is sent as text, for DRS to refuse."""
    return json.dumps(members, default=str)


def _validate(operation_name: str, members: dict[str, Any]) -> None:
    """The input validation of ``operation_name`` alone: to refuse a change before any part of
    it is made."""
    operation = drs_service_model().operation_model(operation_name)
    parse_input(operation, _body(members), {}, {})


class DrsResource:
    """What the four resource types share; each subclasses ``CloudFormationModel`` directly (moto
    finds resource types among its direct subclasses)."""

    spec: ResourceSpec

    def __init__(
        self,
        account_id: str,
        region_name: str,
        resource_id: str,
        arn: str,
        properties: dict[str, Any],
    ) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.resource_id = resource_id
        self.arn = arn
        self.properties = properties

    # -- moto's CloudFormationModel interface -----------------------------------------------

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.spec.type_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.spec.attributes

    @property
    def physical_resource_id(self) -> str:
        """The primary identifier of every DRS schema is the ARN."""
        return self.arn

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Arn":
            return self.arn
        if attribute_name == self.spec.id_property:
            return self.resource_id
        if attribute_name in self.spec.extra_attributes:
            return self.read_attribute(attribute_name)
        raise UnformattedGetAttTemplateException()

    def read_attribute(self, attribute_name: str) -> Any:
        """The value of a read-only property beyond Arn and the ID."""
        raise NotImplementedError

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "DrsResource":
        properties = copy.deepcopy(cloudformation_json.get("Properties") or {})
        members, tags = cls.api_members(properties, cls.spec.create, creating=True)
        return cls.create_resource(account_id, region_name, members, tags, properties)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "DrsResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "DrsResource":
        properties = copy.deepcopy(cloudformation_json.get("Properties") or {})
        members, tags = cls.api_members(properties, cls.spec.create, creating=True)
        if cls.create_only_changed(original_resource.properties, properties):
            return cls.replace(original_resource, members, tags, properties)
        original_resource.update_in_place(properties)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        resource_id = resource_name.rsplit("/", 1)[-1]
        cls.delete_resource(account_id, region_name, resource_id, resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_resource(
            self.account_id, self.region_name, self.resource_id, self.arn
        )

    # -- handlers --------------------------------------------------------------------------

    @classmethod
    def api_members(
        cls, properties: dict[str, Any], operation_name: str, creating: bool
    ) -> tuple[dict[str, Any], dict[str, str] | None]:
        """The request members for ``properties`` and their tags, or InvalidProperties."""
        names = cls.spec.property_members()
        shape = cls.spec.operation(operation_name).input_shape
        assert shape is not None
        members: dict[str, Any] = {}
        tags = None
        for key, value in properties.items():
            if key == TAGS and "tags" in names.values():
                tags = tags_map(value)
                continue
            name = names.get(key)
            if name is None or name not in shape.members:
                raise InvalidProperties(f"#: extraneous key [{key}] is not permitted")
            members[name] = api_value(shape.members[name], value, key)
        if creating:
            for required in cls.spec.required():
                if required not in properties:
                    raise InvalidProperties(f"#: required key [{required}] not found")
        return members, tags

    @classmethod
    def create_only_changed(cls, old: dict[str, Any], new: dict[str, Any]) -> bool:
        """Whether the update needs a new resource (tags compare as a map: their order in the
        template does not matter, ``insertionOrder`` is false)."""
        for name in cls.spec.create_only:
            if name == TAGS:
                if tags_map(old.get(TAGS, [])) != tags_map(new.get(TAGS, [])):
                    return True
            elif old.get(name) != new.get(name):
                return True
        return False

    @classmethod
    def create_resource(
        cls,
        account_id: str,
        region_name: str,
        members: dict[str, Any],
        tags: dict[str, str] | None,
        properties: dict[str, Any],
    ) -> "DrsResource":
        """The create handler; the configuration templates' create answers the template."""
        created = cls.create_request(account_id, region_name, members, tags)
        return cls(
            account_id,
            region_name,
            created[cls.id_member()],
            created["arn"],
            properties,
        )

    @classmethod
    def create_request(
        cls,
        account_id: str,
        region_name: str,
        members: dict[str, Any],
        tags: dict[str, str] | None,
    ) -> Any:
        if tags is not None:
            members = {**members, "tags": tags}
        return _invoke(account_id, region_name, cls.spec.create, members)

    @classmethod
    def delete_resource(
        cls, account_id: str, region_name: str, resource_id: str, arn: str
    ) -> None:
        """The delete handler; a resource already gone counts as deleted, as in CloudFormation."""
        try:
            _invoke(
                account_id,
                region_name,
                cls.spec.delete,
                cls.delete_members(resource_id, arn),
            )
        except ResourceNotFoundException:
            pass

    @classmethod
    def delete_members(cls, resource_id: str, arn: str) -> dict[str, Any]:
        return {cls.id_member(): resource_id}

    @classmethod
    def id_member(cls) -> str:
        return cls.spec.id_property[:1].lower() + cls.spec.id_property[1:]

    @classmethod
    def replace(
        cls,
        original: "DrsResource",
        members: dict[str, Any],
        tags: dict[str, str] | None,
        properties: dict[str, Any],
    ) -> "DrsResource":
        """A create-only property changed: a new resource, and the old one deleted."""
        account_id, region_name = original.account_id, original.region_name
        if cls.spec.replacement == "delete_then_create":
            original.delete(account_id, region_name)
            try:
                return cls.create_resource(
                    account_id, region_name, members, tags, properties
                )
            except ServiceException:
                # the old resource comes back, so that the stack's rollback finds it
                old_members, old_tags = cls.api_members(
                    original.properties, cls.spec.create, creating=True
                )
                restored = cls.create_resource(
                    account_id, region_name, old_members, old_tags, original.properties
                )
                original.resource_id, original.arn = restored.resource_id, restored.arn
                raise
        replacement = cls.create_resource(
            account_id, region_name, members, tags, properties
        )
        original.delete(account_id, region_name)
        return replacement

    def update_in_place(self, properties: dict[str, Any]) -> None:
        """The update handler: the changed settings, then the tags; all validated first."""
        spec = self.spec
        old_members, old_tags = self.api_members(
            self.properties, spec.create, creating=False
        )
        new_members, new_tags = self.api_members(properties, spec.create, creating=True)
        changes = {
            name: value
            for name, value in new_members.items()
            if old_members.get(name) != value
        }
        for name in old_members:
            if name not in new_members and name in spec.defaults:
                changes[name] = copy.deepcopy(spec.defaults[name])
        update_members = self.update_members(changes)
        old_tags, new_tags = old_tags or {}, new_tags or {}
        removed = sorted(set(old_tags) - set(new_tags))
        added = {k: v for k, v in new_tags.items() if old_tags.get(k) != v}
        if added:
            _validate("TagResource", {"resourceArn": self.arn, "tags": added})
        if update_members is not None:
            _invoke(
                self.account_id, self.region_name, spec.update or "", update_members
            )
        if removed:
            _invoke(
                self.account_id,
                self.region_name,
                "UntagResource",
                {"resourceArn": self.arn, "tagKeys": removed},
            )
        if added:
            _invoke(
                self.account_id,
                self.region_name,
                "TagResource",
                {"resourceArn": self.arn, "tags": added},
            )
        self.properties = properties

    def update_members(self, changes: dict[str, Any]) -> dict[str, Any] | None:
        """The update request for ``changes``, or None when there is nothing to send."""
        if not changes or self.spec.update is None:
            return None
        operation = self.spec.operation(self.spec.update).input_shape
        assert operation is not None
        unknown = sorted(set(changes) - set(operation.members))
        if unknown:
            raise InvalidProperties(
                f"#: extraneous key [{property_name(unknown[0])}] is not permitted"
            )
        return {self.id_member(): self.resource_id, **changes}


class ReplicationConfigurationTemplateResource(DrsResource, CloudFormationModel):
    spec = ResourceSpec(
        type_name="AWS::DRS::ReplicationConfigurationTemplate",
        create="CreateReplicationConfigurationTemplate",
        update="UpdateReplicationConfigurationTemplate",
        delete="DeleteReplicationConfigurationTemplate",
        id_property="ReplicationConfigurationTemplateID",
        defaults=DEFAULT_REPLICATION_SETTINGS,
    )


class LaunchConfigurationTemplateResource(DrsResource, CloudFormationModel):
    spec = ResourceSpec(
        type_name="AWS::DRS::LaunchConfigurationTemplate",
        create="CreateLaunchConfigurationTemplate",
        update="UpdateLaunchConfigurationTemplate",
        delete="DeleteLaunchConfigurationTemplate",
        id_property="LaunchConfigurationTemplateID",
        create_only=(TAGS,),
        not_in_schema=("recoveryMode",),
        replacement="delete_then_create",
        defaults=DEFAULT_TEMPLATE_SETTINGS,
    )


class SourceNetworkResource(DrsResource, CloudFormationModel):
    spec = ResourceSpec(
        type_name="AWS::DRS::SourceNetwork",
        create="CreateSourceNetwork",
        update=None,  # only its tags change in place (the schema's update handler)
        delete="DeleteSourceNetwork",
        id_property="SourceNetworkID",
        create_only=("VpcID", "OriginAccountID", "OriginRegion"),
    )

    @classmethod
    def create_resource(
        cls,
        account_id: str,
        region_name: str,
        members: dict[str, Any],
        tags: dict[str, str] | None,
        properties: dict[str, Any],
    ) -> DrsResource:
        network_id = cls.create_request(account_id, region_name, members, tags)
        described, _ = _invoke(
            account_id,
            region_name,
            "DescribeSourceNetworks",
            {"filters": {"sourceNetworkIDs": [network_id]}},
        )
        return cls(account_id, region_name, network_id, described[0]["arn"], properties)


class RecoveryPlanResource(DrsResource, CloudFormationModel):
    spec = ResourceSpec(
        type_name="AWS::DRS::RecoveryPlan",
        create="CreateRecoveryPlan",
        update="UpdateRecoveryPlan",
        delete="DeleteRecoveryPlan",
        id_property="RecoveryPlanID",
        extra_attributes=("Status", "CreatedAt", "UpdatedAt"),
        defaults={"description": ""},
    )

    @classmethod
    def create_resource(
        cls,
        account_id: str,
        region_name: str,
        members: dict[str, Any],
        tags: dict[str, str] | None,
        properties: dict[str, Any],
    ) -> DrsResource:
        plan = cls.create_request(account_id, region_name, members, tags)
        arn = plan["recoveryPlanArn"]
        return cls(account_id, region_name, arn.rsplit("/", 1)[-1], arn, properties)

    @classmethod
    def delete_members(cls, resource_id: str, arn: str) -> dict[str, Any]:
        return {"recoveryPlanArn": arn}

    def update_members(self, changes: dict[str, Any]) -> dict[str, Any] | None:
        members = super().update_members(changes)
        if members is None:
            return None
        members.pop(self.id_member())
        return {"recoveryPlanArn": self.arn, **members}

    def read_attribute(self, attribute_name: str) -> Any:
        plan = _invoke(
            self.account_id,
            self.region_name,
            "GetRecoveryPlan",
            {"recoveryPlanArn": self.arn},
        )
        return plan[attribute_name[:1].lower() + attribute_name[1:]]


RESOURCE_TYPES: dict[str, type[DrsResource]] = {
    cls.spec.type_name: cls
    for cls in (
        ReplicationConfigurationTemplateResource,
        LaunchConfigurationTemplateResource,
        SourceNetworkResource,
        RecoveryPlanResource,
    )
}
"""Every DRS resource type moto's CloudFormation can create, by type name."""
