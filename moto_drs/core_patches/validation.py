"""Server-side validation of a request's input against the operation's botocore model.

``automated_parameter_parsing`` reads a request by the model but checks nothing, while AWS
validates every request server-side, whatever client sent it. These functions check a value
against its shape: JSON types, required members, unknown members, nulls, enums, string patterns
and lengths, numeric ranges, list and map sizes, and unions (exactly one member set). Every
problem is appended to a list of ``{"name": path, "message": ...}`` entries, in the words of
AWS's ValidationException ("Member must satisfy enum value set: [...]"), for the service to
raise in its own error shape. ``rest_json_input`` gathers a rest-json operation's input from
URI labels, query string and JSON body, as the service received it.
"""

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

Field = dict[str, str]
#: What a service checks beyond the model for a shape, by shape name: (value, path, errors)
Check = Callable[[Any, str, list[Field]], None]
NO_CHECKS: Mapping[str, Check] = {}


class MalformedJson(ValueError):
    """A request body that is not a JSON object."""


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
    _check_size(shape, value, path, errors)
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


def validate_value(
    shape: Shape,
    value: Any,
    path: str,
    errors: list[Field],
    checks: Mapping[str, Check] = NO_CHECKS,
) -> None:
    """Append to ``errors`` everything wrong with ``value`` as an instance of ``shape``;
    ``checks`` adds a service's own rules for some shapes, run after the model's."""
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
            validate_value(shape.member, item, f"{path}[{index}]", errors, checks)
    elif type_name == "map":
        _check_size(shape, value, path, errors)
        assert isinstance(shape, MapShape)
        for key, item in value.items():
            validate_value(shape.key, key, f"{path}.{key}(key)", errors, checks)
            validate_value(shape.value, item, f"{path}.{key}", errors, checks)
    elif type_name == "structure":
        validate_structure(shape, value, path, errors, checks)
    if checks:
        check = checks.get(shape.name)
        if check is not None:
            check(value, path, errors)


def validate_structure(
    shape: Shape,
    value: dict[str, Any],
    path: str,
    errors: list[Field],
    checks: Mapping[str, Check] = NO_CHECKS,
) -> None:
    """``validate_value`` for a structure already known to be a dict (an operation's input)."""
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
            validate_value(member, item, prefix + name, errors, checks)
    if (
        shape.metadata.get("union") and len(value) != 1
    ):  # a union has exactly one member set
        errors.append(
            {
                "name": path,
                "message": f"Exactly one member of {sorted(members)} must be set",
            }
        )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is out of range")
    return value


def parse_json_body(body: bytes | str | None) -> dict[str, Any]:
    """Decode a JSON request body (strictly: no NaN, no infinities, UTF-8); an empty body is
    an empty input. Raises ``MalformedJson``."""
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
        raise MalformedJson("Unable to parse the request body as JSON.") from None
    if not isinstance(parsed, dict):
        raise MalformedJson("The request body must be a JSON object.")
    return parsed


_DECIMAL = re.compile(
    r"-?[0-9]+"
)  # ASCII only: int() also takes "²"-like digits, or crashes on them


def rest_json_input(
    operation: OperationModel,
    body: bytes | str | None,
    uri_params: dict[str, str],
    querystring: dict[str, list[str]],
) -> dict[str, Any]:
    """A rest-json operation's input (member names as in the model) from URI labels, query
    string and JSON body, not validated yet. Raises ``MalformedJson``."""
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
    return params


def validate_input(
    operation: OperationModel,
    params: dict[str, Any],
    checks: Mapping[str, Check] = NO_CHECKS,
) -> list[Field]:
    """Everything wrong with ``params`` as the input of ``operation``."""
    errors: list[Field] = []
    if operation.input_shape is not None:
        validate_structure(operation.input_shape, params, "", errors, checks)
    return errors
