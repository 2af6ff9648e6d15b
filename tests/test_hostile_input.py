"""Hostile and malformed input, as raw signed HTTP against a real server on 127.0.0.1.

Cases are generated from botocore's DRS model for every operation: broken JSON, wrong JSON types,
nulls, unknown members, missing required members, oversize and undersize strings and lists,
pattern and enum violations, out-of-range numbers, non-UTF-8 bytes, bad gzip, wrong HTTP
methods, unknown paths and broken signatures. Each must answer an AWS-style 4xx JSON error (code
in ``x-amzn-ErrorType``, a message, only the members the model defines), never a 5xx, HTML or a
traceback, and the state must be the same afterwards. Where a case starts from a valid request
it names real resources, so that a check done too late would change them.
docs/robustness.md lists the cases and their answers.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

import botocore.session
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import OperationModel, ServiceModel, Shape
from conftest import REGION, Server

CREDENTIALS = Credentials("testing", "testing")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
ENVELOPE = {"__type", "message", "Message"}
JSON_TYPE_OF = {
    "string": str, "integer": int, "long": int, "boolean": bool, "double": float, "float": float,
    "list": list, "map": dict, "structure": dict,
}  # fmt: skip
# A wrong value of each JSON type, to put where the model wants another type.
WRONG_VALUES: dict[type, Any] = {
    str: "text",
    int: 7,
    bool: True,
    float: 1.5,
    list: [1],
    dict: {"k": 1},
}


@cache
def model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("drs")


def operations() -> list[OperationModel]:
    return [model().operation_model(name) for name in model().operation_names]


@dataclass
class Case:
    """One hostile request and what its answer must name."""

    label: str
    method: str
    path: str
    body: bytes = b""
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str | None] = field(
        default_factory=dict
    )  # None: the header is not sent
    field_name: str | None = None  # the fieldList entry a ValidationException must have
    sign: bool = True


# -- valid values, from the model ------------------------------------------------------------------


class Fleet:
    """The real resources hostile requests point at."""

    def __init__(self, server: Server) -> None:
        def seed(state: str) -> dict[str, Any]:
            payload: dict[str, Any] = {
                "dataReplicationState": state,
                "tags": {"team": "dr"},
            }
            response = requests.post(
                f"{server.url}/moto-api/static/drs/source-servers",
                json=payload,
                timeout=10,
            )
            response.raise_for_status()
            return dict(response.json()["sourceServer"])

        self.replicating = seed("CONTINUOUS")
        self.stopped = seed("STOPPED")
        self.disconnected = seed("DISCONNECTED")

    def source_server_for(self, operation: str) -> dict[str, Any]:
        return {
            "DeleteSourceServer": self.disconnected,
            "StartReplication": self.stopped,
        }.get(operation, self.replicating)


CANDIDATE_STRINGS = [
    "s-0123456789abcdef0", "i-0123456789abcdef0", "drsjob-0123456789abcdef0", "lct-0123456789abcdef0",
    "rct-0123456789abcdef0", "sn-0123456789abcdef0", "pit-0123456789abcdef0", "subnet-0123abcd",
    "sg-0123abcd", "vpc-0123abcd", "arn:aws:drs:us-east-1:123456789012:source-server/s-0123456789abcdef0",
    "123456789012", "us-east-1", "2024-01-01T00:00:00Z", "11111111-2222-3333-4444-555555555555",
    "$DEFAULT", "abc", "a",
]  # fmt: skip


def _fits(shape: Shape, value: str) -> bool:
    meta = shape.metadata
    if not meta.get("min", 0) <= len(value) <= meta.get("max", 1 << 30):
        return False
    pattern = meta.get("pattern")
    try:
        return pattern is None or re.fullmatch(pattern, value) is not None
    except re.error:
        return True


def valid_value(shape: Shape, name: str, server: dict[str, Any]) -> Any:
    """A value of ``shape`` that passes validation (required members only, for structures)."""
    kind = shape.type_name
    if kind == "string":
        if getattr(shape, "enum", None):
            return shape.enum[0]
        specific = {
            "sourceServerID": server["sourceServerID"],
            "resourceArn": server["arn"],
        }.get(name)
        for candidate in ([specific] if specific else []) + CANDIDATE_STRINGS:
            if _fits(shape, candidate):
                return candidate
        return "a" * max(shape.metadata.get("min", 1), 1)
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind in ("double", "float"):
        return float(shape.metadata.get("min", 1))
    if kind == "boolean":
        return False
    if kind == "list":
        count = shape.metadata.get("min", 0)
        return [valid_value(shape.member, name, server) for _ in range(count)]
    if kind == "map":
        return {}
    if kind == "structure":
        return {
            member: valid_value(shape.members[member], member, server)
            for member in shape.required_members
        }
    raise AssertionError(f"unexpected shape type {kind}")


def wrong_value(shape: Shape) -> Any:
    expected = JSON_TYPE_OF[shape.type_name]
    return next(
        value
        for kind, value in WRONG_VALUES.items()
        if kind is not expected and not (expected is float and kind is int)
    )


def constraint_violations(
    shape: Shape, name: str, server: dict[str, Any]
) -> Iterator[tuple[str, Any]]:
    """(label, value) pairs that break the model's constraints on ``shape``."""
    meta = shape.metadata
    kind = shape.type_name
    if kind == "string":
        if getattr(shape, "enum", None):
            yield "not in enum", "NOT_AN_ENUM_VALUE"
            return
        if "max" in meta and meta["max"] < 300_000:
            yield "too long", "a" * (meta["max"] + 1)
        if meta.get("min", 0) > 0:
            yield "too short", ""
        if "pattern" in meta:
            bad = "!" * max(meta.get("min", 1), 1)
            if _fits_length(shape, bad) and not _matches(meta["pattern"], bad):
                yield "violates pattern", bad
    elif kind in ("integer", "long"):
        if "min" in meta:
            yield "below min", meta["min"] - 1
        if "max" in meta:
            yield "above max", meta["max"] + 1
        yield "out of range", 2**70
    elif kind == "list":
        item = valid_value(shape.member, name, server)
        if "max" in meta and meta["max"] <= 2000:
            yield "too many items", [item] * (meta["max"] + 1)
        if meta.get("min", 0) > 0:
            yield "too few items", []
        yield "item of wrong type", [wrong_value(shape.member)]
    elif kind == "map":
        if "max" in meta and meta["max"] <= 2000:
            yield "too many entries", {f"k{i}": "v" for i in range(meta["max"] + 1)}


def _fits_length(shape: Shape, value: str) -> bool:
    return (
        shape.metadata.get("min", 0) <= len(value) <= shape.metadata.get("max", 1 << 30)
    )


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return True


# -- requests --------------------------------------------------------------------------------------


def split_input(
    operation: OperationModel, params: dict[str, Any]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(path, query, body) of a rest-json request for ``params``."""
    path = operation.http["requestUri"].split("?")[0]
    query: dict[str, Any] = {}
    body: dict[str, Any] = {}
    shape = operation.input_shape
    for name, value in params.items():
        member = shape.members.get(name) if shape is not None else None
        location = member.serialization.get("location") if member is not None else None
        wire = member.serialization.get("name", name) if member is not None else name
        if location == "uri":
            path = path.replace("{" + wire + "}", quote(str(value), safe=""))
        elif location == "querystring":
            query[wire] = value
        else:
            body[name] = value
    return path, query, body


def base_input(operation: OperationModel, fleet: Fleet) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    server = fleet.source_server_for(operation.name)
    value: dict[str, Any] = valid_value(shape, "", server)
    for name, member in shape.members.items():
        if (
            value.get(name) == []
            and member.serialization.get("location") == "querystring"
        ):
            value[name] = [
                valid_value(member.member, name, server)
            ]  # an empty list is no list in a URL
    return value


def body_cases(operation: OperationModel, fleet: Fleet) -> Iterator[Case]:
    """Cases that start from a valid input and break one thing in the body."""
    shape = operation.input_shape
    method = operation.http["method"]
    params = base_input(operation, fleet)
    server = fleet.source_server_for(operation.name)

    def case(label: str, changed: dict[str, Any], member: str | None) -> Case:
        path, query, body = split_input(operation, changed)
        return Case(
            label, method, path, json.dumps(body).encode(), query, field_name=member
        )

    if shape is None:
        return
    yield case("unknown member", dict(params, bogusMember=1), "bogusMember")
    required_in_body = [
        name
        for name in shape.required_members
        if shape.members[name].serialization.get("location") is None
    ]
    for name in required_in_body:
        yield case(
            "missing required member",
            {k: v for k, v in params.items() if k != name},
            name,
        )
    if required_in_body:
        path, query, _ = split_input(operation, params)
        yield Case(
            "empty body", method, path, b"", query, field_name=required_in_body[0]
        )
    for name, member in shape.members.items():
        if member.serialization.get("location"):
            continue
        yield case("null", dict(params, **{name: None}), name)
        yield case(
            f"wrong type ({member.type_name} expected)",
            dict(params, **{name: wrong_value(member)}),
            name,
        )
        for label, value in constraint_violations(member, name, server):
            yield case(label, dict(params, **{name: value}), name)


def uri_cases(operation: OperationModel, fleet: Fleet) -> Iterator[Case]:
    """Cases that break a URI label or a query-string member."""
    shape = operation.input_shape
    if shape is None:
        return
    params = base_input(operation, fleet)
    server = fleet.source_server_for(operation.name)
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location not in ("uri", "querystring") or member.type_name != "string":
            continue
        for label, value in constraint_violations(member, name, server):
            if label == "too long" and len(value) > 5000:
                continue
            path, query, body = split_input(operation, dict(params, **{name: value}))
            yield Case(f"{location} {label}", operation.http["method"], path, json.dumps(body).encode(), query,
                       field_name=name)  # fmt: skip
        if location == "uri":
            path = (
                operation.http["requestUri"]
                .split("?")[0]
                .replace("{" + name + "}", "arn%FF%FE" + "x" * 30)
            )
            yield Case("uri label not UTF-8", operation.http["method"], path, b"{}")


def envelope_cases(operation: OperationModel, fleet: Fleet) -> Iterator[Case]:
    """Cases about the request as a whole: body encoding, JSON syntax, method."""
    method = operation.http["method"]
    path, query, _ = split_input(operation, base_input(operation, fleet))
    for label, body in [
        ("invalid JSON", b'{"sourceServerID": '),
        ("JSON array", b"[]"),
        ("JSON string", b'"text"'),
        ("JSON null", b"null"),
        ("non-UTF-8 bytes", b'{"a": "\xff\xfe"}'),
        ("NaN literal", b'{"maxResults": NaN}'),
        ("number too big for a double", b'{"maxResults": 1e999}'),
        ("deeply nested JSON", b"[" * 50_000),
    ]:
        yield Case(label, method, path, body, query)
    yield Case(
        "body claims gzip but is not",
        method,
        path,
        b"{}",
        query,
        headers={"Content-Encoding": "gzip"},
    )
    taken = {
        (op.http["method"], op.http["requestUri"].split("?")[0]) for op in operations()
    }
    template = operation.http["requestUri"].split("?")[0]
    for other in METHODS:
        if (other, template) not in taken:
            yield Case(f"wrong method {other}", other, path, b"{}", query)
            break


GENERAL_CASES = [
    Case("unknown path", "POST", "/NoSuchOperation", b"{}"),
    Case("unknown nested path", "POST", "/no/such/path", b"{}"),
    Case("root path", "GET", "/", b""),
    Case("tags without an ARN", "GET", "/tags/", b""),
    Case("path with encoded garbage", "POST", "/%FF%FE", b"{}"),
    Case("very long path", "POST", "/" + "A" * 8000, b"{}"),
]


def all_cases(fleet: Fleet) -> Iterator[tuple[str, Case]]:
    for operation in operations():
        for make in (envelope_cases, body_cases, uri_cases):
            for case in make(operation, fleet):
                yield operation.name, case
    for case in GENERAL_CASES:
        yield "-", case


def send(
    url: str, case: Case, credentials: Credentials = CREDENTIALS
) -> requests.Response:
    target = (
        url
        + case.path
        + ("?" + urlencode(case.query, doseq=True) if case.query else "")
    )
    headers = {
        name: value
        for name, value in {"Content-Type": "application/json", **case.headers}.items()
        if value is not None
    }
    request = AWSRequest(case.method, target, data=case.body, headers=headers)
    if case.sign:
        SigV4Auth(credentials, "drs", REGION).add_auth(request)
    return requests.request(
        case.method, target, data=case.body, headers=dict(request.headers), timeout=30
    )


# -- what every answer must look like ---------------------------------------------------------------


@cache
def error_members(code: str) -> set[str] | None:
    try:
        return set(model().shape_for(code).members)
    except Exception:
        return None


def check_error(response: requests.Response, where: str) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (
        f"{where}: {response.status_code} {response.text[:300]}"
    )
    assert response.headers.get("Content-Type", "").startswith("application/json"), (
        f"{where}: not JSON"
    )
    body = response.json()
    assert isinstance(body, dict), f"{where}: {body!r}"
    code = response.headers.get("x-amzn-ErrorType")
    assert code, f"{where}: no x-amzn-ErrorType"
    message = body.get("message") or body.get("Message")
    assert isinstance(message, str) and message, f"{where}: no message"
    assert "Traceback" not in response.text and "<html" not in response.text.lower(), (
        where
    )
    members = error_members(code)
    if members is not None:  # a modeled error: its status and only its members
        shape = model().shape_for(code)
        assert response.status_code == shape.metadata["error"]["httpStatusCode"], (
            f"{where}: status"
        )
        unknown = set(body) - members - ENVELOPE
        assert not unknown, f"{where}: members {unknown} are not in {code}"
        if code == "ValidationException":
            assert body["reason"] in (
                "unknownOperation",
                "cannotParse",
                "fieldValidationFailed",
                "other",
            ), where
            for entry in body.get("fieldList", []):
                assert set(entry) == {"name", "message"}, where
    return dict(body, code=code)


def snapshot(url: str) -> dict[str, Any]:
    """What hostile requests must not change, read through every implemented list operation."""
    state: dict[str, Any] = {}
    for operation in operations():
        name = operation.name
        if not (name.startswith("Describe") or name.startswith("List")) or name in (
            "DescribeJobLogItems",
        ):
            continue
        required = (
            operation.input_shape.required_members if operation.input_shape else []
        )
        if required:
            continue
        path, query, _ = split_input(operation, {})
        response = send(url, Case("snapshot", operation.http["method"], path, b"{}" if operation.http["method"]
                                  == "POST" else b"", query))  # fmt: skip
        if (
            response.status_code == 400
            and response.json().get("reason") == "unknownOperation"
        ):
            continue
        assert response.status_code == 200, (
            f"{name}: {response.status_code} {response.text[:300]}"
        )
        state[name] = _stable(response.json())
    return state


VOLATILE = {
    "lastSeenByServiceDateTime", "elapsedReplicationDuration", "lagDuration", "etaDateTime", "lastUpdatedDateTime",
}  # fmt: skip


def _stable(value: Any) -> Any:
    """The value without fields that change by themselves as time passes."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


@pytest.fixture
def fleet_server(server: Server) -> Iterator[tuple[Server, Fleet]]:
    client = server.client("drs")
    client.initialize_service()
    yield server, Fleet(server)


# -- the tests ---------------------------------------------------------------------------------------


def test_every_operation_answers_hostile_input_with_a_modeled_4xx(
    fleet_server: tuple[Server, Fleet],
) -> None:
    server, fleet = fleet_server
    before = snapshot(server.url)
    implemented: set[str] = set()
    counts = {"cases": 0}
    for operation, case in all_cases(fleet):
        where = f"{operation} / {case.label} / {case.method} {case.path[:80]}"
        body = check_error(send(server.url, case), where)
        counts["cases"] += 1
        if body.get("reason") == "unknownOperation":
            continue
        implemented.add(operation)
        if case.field_name is not None:
            assert body["code"] == "ValidationException", f"{where}: {body}"
            names = [entry["name"] for entry in body["fieldList"]]
            assert any(
                re.match(re.escape(case.field_name) + r"($|[.\[])", n) for n in names
            ), f"{where}: {names}"
    assert counts["cases"] > 1000
    assert "StopReplication" in implemented and "DescribeSourceServers" in implemented
    assert snapshot(server.url) == before


# DRS reads every request as rest-json whatever its Content-Type says (issue 9: a form type
# answered an HTML 500, "Unsupported protocol [query] for service drs").
CONTENT_TYPES: list[str | None] = [
    None,
    "",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "multipart/form-data; boundary=x",
    "text/plain",
    "text/xml",
    "application/xml",
    "application/x-amz-json-1.0",
    "application/x-amz-json-1.1",
    "application/cbor",
    "application/octet-stream",
    "application/json; charset=utf-8",
    "not a media type",
]


def test_every_content_type_on_every_operation_is_read_as_json(
    fleet_server: tuple[Server, Fleet],
) -> None:
    server, fleet = fleet_server
    for operation in operations():
        path, query, body = split_input(operation, base_input(operation, fleet))
        for content_type in CONTENT_TYPES:
            case = Case(
                "content type",
                operation.http["method"],
                path,
                json.dumps(body).encode(),
                query,
                {"Content-Type": content_type},
            )
            where = f"{operation.name} / Content-Type {content_type!r}"
            response = send(server.url, case)
            if response.status_code >= 300:
                check_error(response, where)
            else:
                assert response.headers["Content-Type"].startswith(
                    "application/json"
                ), where


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_a_json_body_is_read_whatever_the_content_type(
    fleet_server: tuple[Server, Fleet], content_type: str | None
) -> None:
    server, fleet = fleet_server
    wanted = fleet.stopped["sourceServerID"]
    body = json.dumps({"filters": {"sourceServerIDs": [wanted]}}).encode()
    case = Case(
        "filter",
        "POST",
        "/DescribeSourceServers",
        body,
        {},
        {"Content-Type": content_type},
    )
    response = send(server.url, case)
    assert response.status_code == 200, response.text
    assert [s["sourceServerID"] for s in response.json()["items"]] == [wanted]


def test_broken_signatures_with_iam_enforced(
    fleet_server: tuple[Server, Fleet],
) -> None:
    """With moto's IAM simulation on, a broken signature is refused before the operation runs."""
    server, fleet = fleet_server
    before = snapshot(server.url)
    previous = requests.post(
        f"{server.url}/moto-api/reset-auth", data=b"0", timeout=10
    ).json()
    try:
        for operation in operations():
            path, query, body = split_input(operation, base_input(operation, fleet))
            case = Case(
                "signed",
                operation.http["method"],
                path,
                json.dumps(body).encode(),
                query,
            )
            answer = check_error(
                send(server.url, case), f"{operation.name} / unknown access key"
            )
            assert answer["code"] == "UnrecognizedClientException"
            scope = f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/{REGION}/drs/aws4_request"
            unsigned = Case(
                "no signature",
                case.method,
                path,
                case.body,
                query,
                {"Authorization": scope},
                sign=False,
            )
            answer = check_error(
                send(server.url, unsigned), f"{operation.name} / no signature"
            )
            assert answer["code"] == "IncompleteSignatureException"
    finally:
        restore = str(previous["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]).encode()
        requests.post(
            f"{server.url}/moto-api/reset-auth", data=restore, timeout=10
        ).raise_for_status()
    assert snapshot(server.url) == before


def test_broken_signatures_without_iam_are_not_crashes(
    fleet_server: tuple[Server, Fleet],
) -> None:
    """moto checks no signature unless IAM is simulated; hostile input still gets its 4xx."""
    server, fleet = fleet_server
    before = snapshot(server.url)
    operation = model().operation_model("StopReplication")
    path, _, _ = split_input(operation, base_input(operation, fleet))
    scope = f"Credential=AKIA/20240101/{REGION}/drs/aws4_request"
    for authorization in [
        f"AWS4-HMAC-SHA256 {scope}",
        f"AWS4-HMAC-SHA256 {scope}, Signature=zz",
        f"junk {scope}",
    ]:
        case = Case(
            "garbled",
            "POST",
            path,
            b'{"bogus": 1}',
            headers={"Authorization": authorization},
            sign=False,
        )
        assert (
            check_error(send(server.url, case), authorization)["code"]
            == "ValidationException"
        )
    wrong_region = Case(
        "region DRS does not serve",
        "POST",
        path,
        b"{}",
        sign=False,
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIA/20240101/mars-east-1/drs/x"
        },
    )
    assert (
        check_error(send(server.url, wrong_region), "wrong region")["code"]
        == "InvalidSignatureException"
    )
    bad_account = Case(
        "account", "POST", path, b"{}", headers={"x-moto-account-id": "not-an-account"}
    )
    assert (
        check_error(send(server.url, bad_account), "bad account")["code"]
        == "ValidationException"
    )
    assert snapshot(server.url) == before
