"""Property-based hostile input (hypothesis): any wrongly typed value anywhere in the input, and
random bytes as the body, against a real server on 127.0.0.1.

The deterministic cases generated from the model are in test_hostile_input.py, whose helpers this
file uses. These stay in moto-drs: moto's test requirements do not include hypothesis
(docs/upstream.md).
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.model import OperationModel, Shape
from conftest import Server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_input import (
    JSON_TYPE_OF,
    Case,
    Fleet,
    base_input,
    check_error,
    operations,
    send,
    split_input,
)


@pytest.fixture
def fleet_server(server: Server) -> Iterator[tuple[Server, Fleet]]:
    server.client("drs").initialize_service()
    yield server, Fleet(server)


def member_paths(
    shape: Shape, prefix: tuple[str, ...] = (), depth: int = 0
) -> list[tuple[tuple[str, ...], Shape]]:
    """Every body member path (up to three levels into structures)."""
    paths = []
    for name, member in shape.members.items():
        if member.serialization.get("location"):
            continue
        paths.append((prefix + (name,), member))
        if member.type_name == "structure" and depth < 2:
            paths.extend(member_paths(member, prefix + (name,), depth + 1))
    return paths


# Operations that change state and need input: random input must never get through them.
MUTATING = [
    op for op in operations()
    if op.input_shape is not None and op.input_shape.required_members
    and not op.name.startswith(("Describe", "List", "Get")) and member_paths(op.input_shape)
]  # fmt: skip


def json_values_other_than(kind: type) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
    )  # fmt: skip
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=5), inner, max_size=3), max_leaves=6)  # fmt: skip

    def wrong(value: Any) -> bool:
        if value is None:
            return True
        if kind is int:
            return (
                isinstance(value, bool)
                or not isinstance(value, int)
                or abs(value) >= 2**63
            )
        if kind is float:
            return isinstance(value, bool) or not isinstance(value, (int, float))
        if kind is bool:
            return not isinstance(value, bool)
        return not isinstance(value, kind)

    return values.filter(wrong)


@st.composite
def wrongly_typed_inputs(
    draw: st.DrawFn,
) -> tuple[OperationModel, tuple[str, ...], Any]:
    operation = draw(st.sampled_from(MUTATING))
    paths = member_paths(operation.input_shape)
    path, member = draw(st.sampled_from(paths))
    value = draw(json_values_other_than(JSON_TYPE_OF[member.type_name]))
    return operation, path, value


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=wrongly_typed_inputs())
def test_any_wrongly_typed_member_is_a_validation_error(
    fleet_server: tuple[Server, Fleet],
    data: tuple[OperationModel, tuple[str, ...], Any],
) -> None:
    server, fleet = fleet_server
    operation, path, value = data
    params = base_input(operation, fleet)
    target = params
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
    request_path, query, body = split_input(operation, params)
    case = Case(
        "typed",
        operation.http["method"],
        request_path,
        json.dumps(body).encode(),
        query,
    )
    answer = check_error(
        send(server.url, case), f"{operation.name} {'.'.join(path)}={value!r}"
    )
    if answer.get("reason") != "unknownOperation":
        assert answer["code"] == "ValidationException"
        assert any(
            entry["name"].startswith(path[0]) for entry in answer["fieldList"]
        ), answer


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operation=st.sampled_from(MUTATING), body=st.binary(max_size=64))
def test_random_bytes_are_refused(
    fleet_server: tuple[Server, Fleet], operation: OperationModel, body: bytes
) -> None:
    server, fleet = fleet_server
    path, query, _ = split_input(operation, base_input(operation, fleet))
    check_error(
        send(server.url, Case("bytes", operation.http["method"], path, body, query)),
        operation.name,
    )
    assert requests.get(
        f"{server.url}/moto-api/static/drs/clock", timeout=10
    ).ok  # the server still answers
