"""Server-side input validation derived from botocore's DRS model.

Server mode receives raw HTTP that no SDK has validated, so every request is checked here, once,
against the operation's input shape: JSON types, required members, unknown members, nulls,
enums, string patterns and lengths, numeric ranges and list/map sizes. Violations are collected
into one ``ValidationException`` whose ``fieldList`` names each offending member, as DRS does.
"""

import json
import re
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from .exceptions import ValidationException

Field = dict[str, str]


@cache
def model_shape(name: str) -> Shape:
    """A shape of the DRS model, built once: botocore's ``shape_for`` builds a new Shape (and
    then its members) on every call, which made seeding a fleet slow."""
    from moto.core.utils import get_service_model

    return get_service_model("drs").shape_for(name)


@cache
def _compiled(pattern: str) -> "re.Pattern[str] | None":
    try:
        return re.compile(pattern)
    except re.error:  # an ECMA construct Python lacks: the SDKs do not check it either
        return None


def _check_string(shape: Shape, value: str, path: str, errors: list[Field]) -> None:
    meta = shape.metadata
    enum = getattr(shape, "enum", None)
    if enum and value not in enum:
        errors.append(
            {"name": path, "message": f"Member must satisfy enum value set: {enum}"}
        )
        return
    if "min" in meta and len(value) < meta["min"]:
        errors.append(
            {
                "name": path,
                "message": f"Member must have length greater than or equal to {meta['min']}",
            }
        )
    if "max" in meta and len(value) > meta["max"]:
        errors.append(
            {
                "name": path,
                "message": f"Member must have length less than or equal to {meta['max']}",
            }
        )
    pattern = meta.get("pattern")
    if pattern:
        compiled = _compiled(pattern)
        if compiled is not None and not compiled.fullmatch(value):
            errors.append(
                {
                    "name": path,
                    "message": f"Member must satisfy regular expression pattern: {pattern}",
                }
            )


# What a JSON number must fit in to be the model's integer or long (Java's int and long in AWS)
_INTEGER_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


def _check_number(shape: Shape, value: Any, path: str, errors: list[Field]) -> None:
    meta = shape.metadata
    bounds = _INTEGER_RANGE.get(shape.type_name)
    if bounds and not bounds[0] <= value <= bounds[1]:
        errors.append(
            {"name": path, "message": f"Member must be of type {shape.type_name}"}
        )
        return
    if "min" in meta and value < meta["min"]:
        errors.append(
            {
                "name": path,
                "message": f"Member must have value greater than or equal to {meta['min']}",
            }
        )
    if "max" in meta and value > meta["max"]:
        errors.append(
            {
                "name": path,
                "message": f"Member must have value less than or equal to {meta['max']}",
            }
        )


def _check_size(shape: Shape, value: Any, path: str, errors: list[Field]) -> None:
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        errors.append(
            {
                "name": path,
                "message": f"Member must have length greater than or equal to {meta['min']}",
            }
        )
    if "max" in meta and len(value) > meta["max"]:
        errors.append(
            {
                "name": path,
                "message": f"Member must have length less than or equal to {meta['max']}",
            }
        )


MAX_TAGS = (
    50  # "Each resource can have a maximum of 50 tags" (TagResource API reference)
)


def _check_tags(tags: dict[str, Any], path: str, errors: list[Field]) -> None:
    """What the model leaves out: at most 50 tags, no ``aws:`` keys (API reference, TagResource;
    AWS tagging rules, https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html)."""
    if len(tags) > MAX_TAGS:
        errors.append(
            {
                "name": path,
                "message": f"Member must have length less than or equal to {MAX_TAGS}",
            }
        )
    for key in tags:
        if isinstance(key, str) and key.lower().startswith("aws:"):
            errors.append(
                {
                    "name": f"{path}.{key}(key)",
                    "message": "Tag keys starting with aws: are reserved",
                }
            )


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "double": (int, float),
    "float": (int, float),
}


def validate_value(shape: Shape, value: Any, path: str, errors: list[Field]) -> None:
    """Append to ``errors`` everything wrong with ``value`` as an instance of ``shape``."""
    type_name = shape.type_name
    expected = _JSON_TYPES.get(type_name)
    if value is None:
        errors.append({"name": path, "message": "Member must not be null"})
        return
    if expected is not None and (
        not isinstance(value, expected)
        or (
            isinstance(value, bool)
            and type_name in ("integer", "long", "double", "float")
        )
    ):
        errors.append({"name": path, "message": f"Member must be of type {type_name}"})
        return
    if type_name == "string":
        _check_string(shape, value, path, errors)
    elif type_name in ("integer", "long", "double", "float"):
        _check_number(shape, value, path, errors)
    elif type_name == "list":
        _check_size(shape, value, path, errors)
        assert isinstance(shape, ListShape)
        for index, item in enumerate(value):
            validate_value(shape.member, item, f"{path}[{index}]", errors)
    elif type_name == "map":
        _check_size(shape, value, path, errors)
        assert isinstance(shape, MapShape)
        for key, item in value.items():
            validate_value(shape.key, key, f"{path}.{key}(key)", errors)
            validate_value(shape.value, item, f"{path}.{key}", errors)
        if shape.name == "TagsMap":
            _check_tags(value, path, errors)
    elif type_name == "structure":
        validate_structure(shape, value, path, errors)


def validate_structure(
    shape: Shape, value: dict[str, Any], path: str, errors: list[Field]
) -> None:
    assert isinstance(shape, StructureShape)
    members = shape.members
    prefix = f"{path}." if path else ""
    for name in shape.required_members:
        if name not in value:
            errors.append({"name": prefix + name, "message": "Member must not be null"})
    for name, item in value.items():
        member = members.get(name)
        if member is None:
            errors.append({"name": prefix + name, "message": "Unknown member"})
        else:
            validate_value(member, item, prefix + name, errors)
    if (
        shape.metadata.get("union") and len(value) != 1
    ):  # a union has exactly one member set
        errors.append(
            {
                "name": path,
                "message": f"Exactly one member of {sorted(members)} must be set",
            }
        )


def _raise(errors: list[Field]) -> None:
    for error in errors:  # a hostile member name is not echoed back in full
        if len(error["name"]) > 256:
            error["name"] = error["name"][:253] + "..."
    names = ", ".join(error["name"] for error in errors[:10])
    raise ValidationException(
        f"{len(errors)} validation error(s) detected: invalid value for {names}",
        reason="fieldValidationFailed",
        field_list=errors[:100],
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is out of range")
    return value


def parse_json_body(body: bytes | str | None) -> dict[str, Any]:
    """Decode a rest-json request body; an empty body is an empty input."""
    if body is None or body in (b"", ""):
        return {}
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        parsed = (
            json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
            if text.strip()
            else {}
        )
    except (
        UnicodeDecodeError,
        ValueError,
        RecursionError,
    ):  # RecursionError: absurdly deep nesting
        raise ValidationException(
            "Unable to parse the request body as JSON.", reason="cannotParse"
        ) from None
    if not isinstance(parsed, dict):
        raise ValidationException(
            "The request body must be a JSON object.", reason="cannotParse"
        )
    return parsed


_DECIMAL = re.compile(
    r"-?[0-9]+"
)  # ASCII only: int() also takes "²"-like digits, or crashes on them


def parse_input(
    operation: OperationModel,
    body: bytes | str | None,
    uri_params: dict[str, str],
    querystring: dict[str, list[str]],
) -> dict[str, Any]:
    """Gather an operation's input from body, URI labels and query string, then validate it."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = {}
    body_members = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in uri_params:
                params[name] = uri_params[
                    wire_name
                ]  # moto's router has already percent-decoded it
        elif location == "querystring":
            if wire_name in querystring:
                values = querystring[wire_name]
                params[name] = values if member.type_name == "list" else values[0]
                if member.type_name in ("integer", "long") and _DECIMAL.fullmatch(
                    values[0]
                ):
                    params[name] = int(
                        values[0]
                    )  # the query string carries numbers as text
        elif location is None:
            body_members[name] = member
    if body_members or (body not in (None, b"", "")):
        payload = parse_json_body(body)
        for name, value in payload.items():
            if name in params:
                continue
            params[name] = value
    errors: list[Field] = []
    validate_structure(shape, params, "", errors)
    if errors:
        _raise(errors)
    return params


def reject_repeated(ids: list[str], field: str, noun: str) -> None:
    """ValidationException naming the first ID a list member repeats (``field[index]``)."""
    seen: set[str] = set()
    for index, identifier in enumerate(ids):
        if identifier in seen:
            raise ValidationException(
                f"{noun} {identifier} appears more than once in {field}.",
                field_list=[
                    {"name": f"{field}[{index}]", "message": f"Duplicate {identifier}"}
                ],
            )
        seen.add(identifier)
