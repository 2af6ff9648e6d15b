"""Strict validation of boto3 DRS responses against botocore's service model.

Why this exists: botocore's response parser is lenient. It drops unknown JSON
keys silently and never checks enums, lengths, patterns or required members,
so a mock can return a shape that real clients would choke on (or that real
DRS would never produce) and every test would still pass. These helpers check
the *parsed* response against the operation's output shape and fail loudly,
listing every violation with a JSON-like path.

Validators are compiled once per shape into closures and cached for the whole
process, because the suite calls them for thousands of responses.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import threading
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.model import (
    ListShape,
    MapShape,
    OperationModel,
    ServiceModel,
    Shape,
    StructureShape,
)

__all__ = ["assert_client_error", "assert_valid_response"]

_Errors = list[str]
_Check = Callable[[Any, str, _Errors], None]

# Keys botocore itself puts into a parsed error response, on top of the
# modeled members of the error shape.
_ERROR_ENVELOPE_KEYS = frozenset({"Error", "ResponseMetadata", "message", "Message"})
_MAX_REPR = 80
_MAX_ENUM_SHOWN = 12
# Values real DRS is known to send beyond botocore's enum, by enum shape. Everything else
# stays strict; add a value here only with evidence from real accounts, named below.
_ENUM_VALUES_BEYOND_MODEL: dict[str, frozenset[str]] = {
    # LAUNCH_END ends each server's launch in DescribeJobLogItems of real drills and
    # recoveries (logs captured from real accounts, quoted in issue 9 "Recovery as real DRS
    # runs it"; docs/recovery.md), with sourceServerID and targetInstanceID; botocore's
    # JobLogEvent enum (botocore 1.43) lacks it.
    "JobLogEvent": frozenset({"LAUNCH_END"}),
}


@functools.cache
def _service_model() -> ServiceModel:
    """Load the DRS model once; building it is far slower than validating."""
    return botocore.session.get_session().get_service_model("drs")


@functools.cache
def _operations() -> dict[str, OperationModel]:
    """Map both CamelCase and snake_case operation names to their models."""
    model = _service_model()
    index: dict[str, OperationModel] = {}
    for name in model.operation_names:
        op = model.operation_model(name)
        index[name] = op
        index[xform_name(name)] = op
    return index


@functools.cache
def _error_shapes() -> dict[str, StructureShape]:
    """Map modeled error codes (e.g. ``ConflictException``) to their shapes."""
    return {shape.error_code: shape for shape in _service_model().error_shapes}


def _operation(operation_name: str) -> OperationModel:
    try:
        return _operations()[operation_name]
    except KeyError:
        raise ValueError(f"unknown DRS operation {operation_name!r}") from None


def _at(path: str) -> str:
    return path or "<response>"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _key_path(path: str, key: object) -> str:
    """Render a map entry path as ``tags["Name"]`` (JSON-style quoting)."""
    shown = json.dumps(key) if isinstance(key, str) else repr(key)
    if len(shown) > _MAX_REPR:
        shown = shown[: _MAX_REPR - 3] + "..."
    return f"{path}[{shown}]"


@functools.cache
def _compile_pattern(pattern: str) -> re.Pattern[str] | None:
    r"""Compile an ECMA-style model pattern, or ``None`` if Python can't.

    ``re.ASCII`` keeps ``\d``/``\w`` ASCII-only as in ECMAScript. Warnings
    (e.g. "possible nested set") are suppressed so ``-W error`` runs don't
    turn a model quirk into a test failure.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return re.compile(pattern, re.ASCII)
        except re.error:
            return None


# --------------------------------------------------------------------------
# Type-only checks (used for header/status members and as the first step of
# every full check).
# --------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_blob(value: object) -> bool:
    return isinstance(value, (bytes, bytearray))


def _is_datetime(value: object) -> bool:
    return isinstance(value, datetime.datetime)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_list(value: object) -> bool:
    return isinstance(value, list)


def _is_dict(value: object) -> bool:
    return isinstance(value, dict)


def _is_any(value: object) -> bool:
    return True


_TYPE_TESTS: dict[str, tuple[Callable[[object], bool], str]] = {
    "string": (_is_str, "string (str)"),
    "integer": (_is_int, "integer (int, not bool)"),
    "long": (_is_int, "long (int, not bool)"),
    "boolean": (_is_bool, "boolean (bool)"),
    "double": (_is_number, "double (int/float, not bool)"),
    "float": (_is_number, "float (int/float, not bool)"),
    "timestamp": (_is_datetime, "timestamp (datetime)"),
    "blob": (_is_blob, "blob (bytes)"),
    "list": (_is_list, "list"),
    "map": (_is_dict, "map (dict)"),
    "structure": (_is_dict, "structure (dict)"),
    "document": (_is_any, "document"),
}


def _type_test(shape: Shape) -> tuple[Callable[[object], bool], str]:
    return _TYPE_TESTS.get(shape.type_name, (_is_any, shape.type_name))


def _bad_type(value: object, path: str, expected: str) -> str:
    got = f"{type(value).__name__} {_short(value)}"
    return f"{_at(path)}: expected {expected}, got {got}"


def _type_only(shape: Shape) -> _Check:
    test, expected = _type_test(shape)

    def check(value: Any, path: str, errors: _Errors) -> None:
        if not test(value):
            errors.append(_bad_type(value, path, expected))

    return check


# --------------------------------------------------------------------------
# Full checks, compiled per shape name and cached.
# --------------------------------------------------------------------------

_CHECKERS: dict[str, _Check] = {}  # complete validators only: read without the lock
# Compiling runs under this lock, and a shape's validator is published to ``_CHECKERS`` only when
# the outermost compile is done. Why: client threads validate their first responses at the same
# time (tests/test_concurrency.py); a thread that found another thread's recursion placeholder
# would call it before it was filled and recurse until RecursionError.
_COMPILE_LOCK = threading.RLock()
_COMPILING: dict[
    str, _Check
] = {}  # placeholders and compiled shapes of the compile under way


def _checker(shape: Shape) -> _Check:
    """Return the cached full validator for ``shape`` (recursion-safe and thread-safe)."""
    found = _CHECKERS.get(shape.name)
    if found is not None:
        return found
    with _COMPILE_LOCK:
        found = _CHECKERS.get(shape.name) or _COMPILING.get(shape.name)
        if found is not None:
            return found
        outermost = not _COMPILING
        compiled_slot: list[_Check] = []

        def forward(value: Any, path: str, errors: _Errors) -> None:
            compiled_slot[0](value, path, errors)

        _COMPILING[shape.name] = forward  # placeholder while compiling recursive shapes
        try:
            compiled = _compile(shape)
            compiled_slot.append(compiled)
            _COMPILING[shape.name] = compiled
            if outermost:
                _CHECKERS.update(_COMPILING)
        finally:
            if outermost:
                _COMPILING.clear()
        return compiled


def _compile(shape: Shape) -> _Check:
    if isinstance(shape, StructureShape):
        return _compile_structure(shape)
    if isinstance(shape, ListShape):
        return _compile_list(shape)
    if isinstance(shape, MapShape):
        return _compile_map(shape)
    if shape.type_name == "string":
        return _compile_string(shape)
    if shape.type_name in ("integer", "long", "double", "float"):
        return _compile_number(shape)
    return _type_only(shape)


def _compile_structure(shape: StructureShape) -> _Check:
    members: dict[str, _Check] = {}
    body_required: list[str] = []
    required = set(shape.required_members)
    for member_name, member in shape.members.items():
        if member.serialization.get("location"):
            # Header/status/query members are not in the JSON body: botocore
            # fills them from HTTP metadata, so only their type is meaningful.
            members[member_name] = _type_only(member)
        else:
            members[member_name] = _checker(member)
            if member_name in required:
                body_required.append(member_name)
    shape_name = shape.name
    is_union = bool(shape.metadata.get("union"))

    def check(value: Any, path: str, errors: _Errors) -> None:
        if not isinstance(value, dict):
            errors.append(_bad_type(value, path, f"structure {shape_name} (dict)"))
            return
        prefix = f"{path}." if path else ""
        for key, item in value.items():
            member_check = members.get(key)
            if member_check is None:
                errors.append(f"{prefix}{key}: unknown member of {shape_name}")
            elif item is None:
                errors.append(f"{prefix}{key}: is None (botocore omits absent members)")
            else:
                member_check(item, prefix + key, errors)
        for member_name in body_required:
            if member_name not in value:
                errors.append(
                    f"{prefix}{member_name}: missing required member of {shape_name}"
                )
        if is_union and len(value) != 1:
            errors.append(
                f"{_at(path)}: union {shape_name} must have exactly one member "
                f"set, got {sorted(value)}"
            )

    return check


def _length_error(
    size: int, low: int | None, high: int | None, path: str, what: str
) -> str | None:
    if low is not None and size < low:
        return f"{_at(path)}: {what} {size} < min {low}"
    if high is not None and size > high:
        return f"{_at(path)}: {what} {size} > max {high}"
    return None


def _compile_list(shape: ListShape) -> _Check:
    member_check = _checker(shape.member)
    low: int | None = shape.metadata.get("min")
    high: int | None = shape.metadata.get("max")
    shape_name = shape.name

    def check(value: Any, path: str, errors: _Errors) -> None:
        if not isinstance(value, list):
            errors.append(_bad_type(value, path, f"list {shape_name}"))
            return
        problem = _length_error(len(value), low, high, path, "list length")
        if problem:
            errors.append(problem)
        for index, item in enumerate(value):
            if item is None:
                errors.append(f"{path}[{index}]: is None")
            else:
                member_check(item, f"{path}[{index}]", errors)

    return check


def _compile_map(shape: MapShape) -> _Check:
    key_check = _checker(shape.key)
    value_check = _checker(shape.value)
    low: int | None = shape.metadata.get("min")
    high: int | None = shape.metadata.get("max")
    shape_name = shape.name

    def check(value: Any, path: str, errors: _Errors) -> None:
        if not isinstance(value, dict):
            errors.append(_bad_type(value, path, f"map {shape_name} (dict)"))
            return
        problem = _length_error(len(value), low, high, path, "map size")
        if problem:
            errors.append(problem)
        for key, item in value.items():
            entry = _key_path(path, key)
            key_check(key, f"{entry}<key>", errors)
            if item is None:
                errors.append(f"{entry}: is None")
            else:
                value_check(item, entry, errors)

    return check


def _compile_string(shape: Shape) -> _Check:
    meta = shape.metadata
    modeled = frozenset(meta.get("enum") or ())
    enum_text = ", ".join(sorted(modeled)[:_MAX_ENUM_SHOWN])
    if len(modeled) > _MAX_ENUM_SHOWN:
        enum_text += f", ... ({len(modeled)} values)"
    enum = modeled | _ENUM_VALUES_BEYOND_MODEL.get(shape.name, frozenset())
    low: int | None = meta.get("min")
    high: int | None = meta.get("max")
    raw_pattern: str | None = meta.get("pattern")
    pattern = _compile_pattern(raw_pattern) if raw_pattern else None
    shape_name = shape.name

    def check(value: Any, path: str, errors: _Errors) -> None:
        if not isinstance(value, str):
            errors.append(_bad_type(value, path, f"string {shape_name} (str)"))
            return
        if enum and value not in enum:
            errors.append(
                f"{_at(path)}: {_short(value)} is not in enum {shape_name} "
                f"[{enum_text}]"
            )
        problem = _length_error(len(value), low, high, path, "string length")
        if problem:
            errors.append(problem)
        if pattern is not None and pattern.fullmatch(value) is None:
            errors.append(
                f"{_at(path)}: {_short(value)} does not match pattern "
                f"{raw_pattern!r} of {shape_name}"
            )

    return check


def _compile_number(shape: Shape) -> _Check:
    test, expected = _type_test(shape)
    low: float | None = shape.metadata.get("min")
    high: float | None = shape.metadata.get("max")
    shape_name = shape.name

    def check(value: Any, path: str, errors: _Errors) -> None:
        if not test(value):
            errors.append(_bad_type(value, path, f"{expected} {shape_name}"))
            return
        if low is not None and value < low:
            errors.append(f"{_at(path)}: {value} < min {low} of {shape_name}")
        elif high is not None and value > high:
            errors.append(f"{_at(path)}: {value} > max {high} of {shape_name}")

    return check


def _raise(title: str, errors: _Errors) -> None:
    if errors:
        listing = "\n".join(f"  - {error}" for error in errors)
        raise AssertionError(f"{title} ({len(errors)} violation(s)):\n{listing}")


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def assert_valid_response(operation_name: str, response: Mapping[str, Any]) -> None:
    """Fail unless ``response`` strictly conforms to the operation's output shape.

    ``operation_name`` may be CamelCase (``StopReplication``) or the boto3
    method name (``stop_replication``). ``ResponseMetadata`` is ignored. All
    violations are reported at once, one per line, with JSON-like paths.
    """
    op = _operation(operation_name)
    errors: _Errors = []
    if not isinstance(response, Mapping):
        errors.append(_bad_type(response, "", "dict"))
    else:
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        output = op.output_shape
        if output is None:
            errors.extend(f"{key}: {op.name} has no output members" for key in body)
        else:
            _checker(output)(body, "", errors)
    _raise(f"{op.name} response does not match botocore's output shape", errors)


def assert_client_error(
    exc: ClientError, code: str, status: int, /, **members: Any
) -> None:
    """Fail unless ``exc`` is the expected, well-formed modeled DRS error.

    Checks ``Error.Code``, the HTTP status, that a non-empty message exists,
    and each ``members`` item (looked up at the top level of ``exc.response``,
    where rest-json puts modeled error members, then in ``exc.response["Error"]``;
    pass ``...`` to require presence only). The error body is also validated
    against the error shape so mocks can't invent error members. The first
    three parameters are positional-only because DRS error shapes have a
    ``code`` member (e.g. ``code="VALIDATION_ERROR"``) that must be checkable.
    """
    if not isinstance(exc, ClientError):
        # An assertion, not TypeError: pytest.raises caught the wrong exception.
        got = f"{type(exc).__name__}: {exc!r}"
        raise AssertionError(f"expected ClientError, got {got}")  # noqa: TRY004
    response: dict[str, Any] = dict(exc.response)
    error: dict[str, Any] = dict(response.get("Error") or {})
    errors: _Errors = []

    actual_code = error.get("Code")
    if actual_code != code:
        errors.append(f"Error.Code: expected {code!r}, got {actual_code!r}")
    actual_status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if actual_status != status:
        errors.append(
            f"ResponseMetadata.HTTPStatusCode: expected {status}, got {actual_status!r}"
        )

    message = error.get("Message") or response.get("message") or response.get("Message")
    if not isinstance(message, str) or not message:
        errors.append(f"Error.Message: expected a non-empty message, got {message!r}")

    sentinel = object()
    for name, expected in members.items():
        actual = response.get(name, sentinel)
        if actual is sentinel:
            actual = error.get(name, sentinel)
        if actual is sentinel:
            errors.append(f"{name}: missing from error response")
        elif expected is not Ellipsis and actual != expected:
            errors.append(f"{name}: expected {expected!r}, got {actual!r}")

    shape = _error_shapes().get(code)
    if shape is None:
        errors.append(f"Error.Code: {code!r} is not a modeled DRS error")
    else:
        declared = shape.metadata.get("error", {}).get("httpStatusCode")
        if declared is not None and declared != status:
            errors.append(
                f"ResponseMetadata.HTTPStatusCode: the model declares {declared} "
                f"for {code}, not {status}"
            )
    checks = _error_member_checks(shape)
    for key, value in response.items():
        if key in ("Error", "ResponseMetadata"):
            continue
        check = checks.get(key)
        if check is not None:
            check(value, key, errors)
        elif key in _ERROR_ENVELOPE_KEYS:
            if not isinstance(value, str):
                errors.append(_bad_type(value, key, "string (str)"))
        else:
            owner = shape.name if shape is not None else code
            errors.append(f"{key}: unknown member of error {owner}")
    _raise(f"{code} error response is not as expected", errors)


@functools.cache
def _error_member_checks_by_name(shape_name: str) -> dict[str, _Check]:
    shape = _service_model().shape_for(shape_name)
    assert isinstance(shape, StructureShape)
    return {
        name: _type_only(member)
        if member.serialization.get("location")
        else _checker(member)
        for name, member in shape.members.items()
    }


def _error_member_checks(shape: StructureShape | None) -> dict[str, _Check]:
    return {} if shape is None else _error_member_checks_by_name(shape.name)
