"""``moto_drs.serializer.DrsSerializer`` writes exactly what moto's own rest-json serializer
writes, for every DRS output shape, whether the backend answers with dicts keyed by API names or
with objects whose attributes are snake_case (the two forms moto's attribute picker accepts).
"""

import random
from datetime import datetime, timezone
from enum import Enum
from typing import Any

import pytest
from botocore import xform_name
from moto.core.serialize import (
    RestJSONSerializer,
    XFormedAttributePicker,
    get_serializer_class,
)
from moto.core.utils import get_service_model

from moto_drs.drs.exceptions import ConflictException
from moto_drs.drs.utils import FrozenItem

try:
    from moto_drs.serializer import DrsSerializer
except (
    AttributeError
):  # an older moto whose serializer internals differ: DRS uses moto's own
    pytest.skip(
        "moto_drs.serializer does not apply to this moto version",
        allow_module_level=True,
    )

MODEL = get_service_model("drs")
OUTPUT_OPERATIONS = [
    name
    for name in MODEL.operation_names
    if MODEL.operation_model(name).output_shape is not None
]
_CLASSES: dict[str, type] = {}


class Colour(Enum):
    RED = "red"


class Label(str):
    pass


# values that JSON text must escape or convert, written as moto writes them (the serializer
# writes JSON text itself: escapes, non-ASCII, str subclasses, enums, empty values)
AWKWARD_STRINGS: list[Any] = [
    'quote " backslash \\ slash /',
    "tab\tnewline\ncontrol\x01",
    "caf\u00e9 \u2028 \U0001f600",
    "",
    Label("a str subclass"),
    Colour.RED,
    17,
    None,
]


def sample(shape: Any, rng: random.Random, as_objects: bool, depth: int = 0) -> Any:
    """A value of ``shape`` with members randomly left out (dict or object for structures)."""
    kind = shape.type_name
    if kind == "structure":
        members = {
            name: sample(member, rng, as_objects, depth + 1)
            for name, member in shape.members.items()
            if depth < 6 and rng.random() < 0.8
        }
        # sometimes a member is also there under its other name, with another value: which one is
        # picked follows the order of moto's attribute picker
        doubles = {
            (xform_name(name) if not as_objects else name): sample(
                shape.members[name], rng, as_objects, depth + 1
            )
            for name in members
            if rng.random() < 0.2 and xform_name(name) != name
        }
        if not as_objects:
            return {**members, **doubles}
        cls = _CLASSES.setdefault(
            shape.name, type(shape.name, (), {})
        )  # named like the shape, as models are
        instance = cls()
        for name, value in members.items():
            setattr(instance, xform_name(name), value)
        for name, value in doubles.items():
            setattr(instance, name, value)
        return instance
    if kind == "list":
        return [
            sample(shape.member, rng, as_objects, depth + 1)
            for _ in range(rng.randint(0, 2))
        ]
    if kind == "map":
        return {
            f"key{i}": sample(shape.value, rng, as_objects, depth + 1)
            for i in range(rng.randint(0, 2))
        }
    if kind == "string":
        if rng.random() < 0.1:
            return rng.choice(AWKWARD_STRINGS)
        return rng.choice(shape.enum) if shape.enum else f"text-{rng.randint(0, 99)}"
    if kind in ("integer", "long"):
        return rng.choice([rng.randint(0, 2**40), -7, True, "42", 3.9])
    if kind in ("float", "double"):
        return rng.choice([rng.random() * 100, 5, float("inf"), "1.5"])
    if kind == "boolean":
        return rng.choice([True, False, 1, "yes"])
    if kind == "timestamp":
        return datetime(2026, 1, 1, 12, rng.randint(0, 59), tzinfo=timezone.utc)
    raise AssertionError(f"no sample for {kind}")


def serialize(cls: type, operation: str, result: Any) -> Any:
    serializer = cls(
        operation_model=MODEL.operation_model(operation),
        value_picker=XFormedAttributePicker(),
    )
    return serializer.serialize(result)


@pytest.mark.parametrize("as_objects", [False, True], ids=["dicts", "objects"])
@pytest.mark.parametrize("operation", OUTPUT_OPERATIONS)
def test_every_output_is_written_as_moto_writes_it(
    operation: str, as_objects: bool
) -> None:
    rng = random.Random(f"{operation}-{as_objects}")
    for _ in range(15):
        result = sample(MODEL.operation_model(operation).output_shape, rng, as_objects)
        assert serialize(DrsSerializer, operation, result) == serialize(
            RestJSONSerializer, operation, result
        )


def test_errors_are_written_as_moto_writes_them() -> None:
    error = ConflictException("Busy.", "s-0123456789abcdef0", "SOURCE_SERVER")
    assert serialize(DrsSerializer, "StopReplication", error) == serialize(
        RestJSONSerializer, "StopReplication", error
    )


def test_drs_answers_through_it() -> None:
    import moto_drs  # noqa: F401  (registers it)

    assert get_serializer_class("drs", "rest-json") is DrsSerializer


def test_memoized_items_are_written_per_exact_content() -> None:
    """Items whose text is memoized (jobs, recovery instances, ...) are told apart by the exact
    types of their values too: True, 1 and 1.0 are equal in Python, not in JSON."""
    base = {"recoveryInstanceID": "i-0123456789abcdef0", "tags": {"k": "v"}}
    for is_drill in (True, 1, 1.0, True, "yes", None, False, 0):
        result = {"items": [dict(base, isDrill=is_drill)], "nextToken": None}
        for _ in range(2):  # the second read comes from the memo
            assert serialize(
                DrsSerializer, "DescribeRecoveryInstances", result
            ) == serialize(RestJSONSerializer, "DescribeRecoveryInstances", result)
    # bytes and bytearray marshal alike; moto writes them as different strings
    for job_id in (b"drsjob", bytearray(b"drsjob"), b"drsjob", bytearray(b"drsjob")):
        result = {"items": [{"recoveryInstanceID": "i-1", "jobID": job_id}]}
        assert serialize(
            DrsSerializer, "DescribeRecoveryInstances", result
        ) == serialize(RestJSONSerializer, "DescribeRecoveryInstances", result)
    job = {"jobID": "drsjob-0123456789abcdef0", "tags": {"k": "v"}}
    for tags in ({"k": "v"}, {"k": "w"}, {"k": "v", "a": "b"}, {"a": "b", "k": "v"}):
        result = {"items": [dict(job, tags=tags)]}
        assert serialize(DrsSerializer, "DescribeJobs", result) == serialize(
            RestJSONSerializer, "DescribeJobs", result
        )


class _Properties:
    """A model whose members are properties under one alias and attributes under another."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)

    @property
    def source_server_id(self) -> str:
        return "s-from-a-property"

    replication_direction = "FAILBACK"  # a class constant


class _Slotted:
    __slots__ = ("source_server_id", "arn")


class _Dynamic:
    def __getattr__(self, name: str) -> Any:
        if name in ("sourceServerID", "agent_version"):
            return f"{name} from __getattr__"
        raise AttributeError(name)


def test_model_objects_are_read_as_getattr_reads_them() -> None:
    """For objects the text is generated per class: a name the class defines is read with
    getattr, any other from the instance's __dict__; properties, class constants, instance
    attributes that shadow neither, slots and __getattr__ all pick what moto picks."""
    slotted = _Slotted()
    slotted.source_server_id, slotted.arn = "s-slotted", "arn:slotted"
    values: list[Any] = [
        _Properties(),
        _Properties(sourceServerID="s-camel", arn="arn:1"),
        _Properties(replication_direction="FAILOVER", agentVersion="1.0"),
        _Properties(replicationDirection="FAILOVER", tags={"k": "v"}),
        slotted,
        _Dynamic(),
    ]
    late = _Properties(agent_version="2.0")
    late.arn = "arn:set-later"
    values.append(late)
    for _ in range(2):  # the second pass runs the generated functions
        for value in values:
            for operation in ("StopReplication", "DescribeSourceServers"):
                result = (
                    {"sourceServer": value}
                    if operation == "StopReplication"
                    else {"items": [value]}
                )
                assert serialize(DrsSerializer, operation, result) == serialize(
                    RestJSONSerializer, operation, result
                ), (
                    type(value).__name__,
                    vars(value) if hasattr(value, "__dict__") else "",
                )


def _frozen(value: Any) -> Any:
    return FrozenItem(value) if type(value) is dict else value


def test_frozen_items_are_written_as_moto_writes_them() -> None:
    """A job or recovery instance the model kept (a FrozenItem) is written once and its text
    kept with it: the same bytes as moto's, on the first write and from the kept text."""
    rng = random.Random("frozen")
    for operation, member in (
        ("DescribeJobs", "items"),
        ("DescribeRecoveryInstances", "items"),
        ("StartRecovery", "job"),
    ):
        shape = MODEL.operation_model(operation).output_shape
        for _ in range(15):
            result = sample(shape, rng, as_objects=False)
            value = result.get(member)
            if isinstance(value, list):
                result[member] = [_frozen(item) for item in value]
            else:
                result[member] = _frozen(value)
            expected = serialize(RestJSONSerializer, operation, result)
            assert serialize(DrsSerializer, operation, result) == expected
            assert serialize(DrsSerializer, operation, result) == expected


def test_a_frozen_item_refuses_edits() -> None:
    item = FrozenItem({"jobID": "drsjob-1", "tags": {}})
    for edit in (
        lambda: item.__setitem__("status", "COMPLETED"),
        lambda: item.pop("jobID"),
        lambda: item.update(status="COMPLETED"),
        lambda: item.setdefault("status", "x"),
        lambda: item.clear(),
    ):
        with pytest.raises(TypeError):
            edit()
    assert item == {"jobID": "drsjob-1", "tags": {}}
