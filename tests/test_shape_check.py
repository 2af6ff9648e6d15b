"""Tests proving ``shape_check`` catches what botocore's lenient parser lets through."""

from __future__ import annotations

import copy
import datetime
import json
import time
from collections.abc import Iterator
from typing import Any, cast

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import Shape
from dateutil.tz import tzutc
from shape_check import (
    _compile_pattern,
    _compile_string,
    assert_client_error,
    assert_valid_response,
)

SERVER_ID = "s-1234567890abcdef0"
SERVER_ARN = f"arn:aws:drs:us-east-1:123456789012:source-server/{SERVER_ID}"
ISO = "2024-05-01T12:34:56.789Z"
STEP_ARN = "arn:aws:drs:us-east-1:123456789012:recovery-plan/rp-1/step/x"


def full_source_server() -> dict[str, Any]:
    """Build a SourceServer populating every member with a model-valid value."""
    return {
        "sourceServerID": SERVER_ID,
        "arn": SERVER_ARN,
        "tags": {"Name": "web-1", "": ""},
        "recoveryInstanceId": "i-0123456789abcdef0",
        "lastLaunchResult": "SUCCEEDED",
        "dataReplicationInfo": {
            "lagDuration": "PT0S",
            "etaDateTime": "2024-05-01T12:34:56Z",
            "replicatedDisks": [
                {
                    "deviceName": "/dev/xvda",
                    "totalStorageBytes": 8589934592,
                    "replicatedStorageBytes": 0,
                    "rescannedStorageBytes": 0,
                    "backloggedStorageBytes": 0,
                    "volumeStatus": "REGULAR",
                }
            ],
            "dataReplicationState": "STOPPED",
            "dataReplicationInitiation": {
                "startDateTime": ISO,
                "nextAttemptDateTime": ISO,
                "steps": [{"name": "WAIT", "status": "SUCCEEDED"}],
            },
            "dataReplicationError": {"error": "AGENT_NOT_SEEN", "rawError": "boom"},
            "stagingAvailabilityZone": "us-east-1a",
            "stagingOutpostArn": (
                "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0"
            ),
        },
        "lifeCycle": {
            "addedToServiceDateTime": ISO,
            "firstByteDateTime": ISO,
            "elapsedReplicationDuration": "PT1H",
            "lastSeenByServiceDateTime": ISO,
            "lastLaunch": {
                "initiated": {
                    "apiCallDateTime": ISO,
                    "jobID": "drsjob-1234567890abcdefg",
                    "type": "DRILL",
                },
                "status": "LAUNCHED",
            },
        },
        "sourceProperties": {
            "lastUpdatedDateTime": ISO,
            "recommendedInstanceType": "t3.micro",
            "identificationHints": {
                "fqdn": "web-1.example.com",
                "hostname": "web-1",
                "vmWareUuid": "",
                "awsInstanceID": "i-0123456789abcdef0",
            },
            "networkInterfaces": [
                {
                    "macAddress": "0a:1b:2c:3d:4e:5f",
                    "ips": ["10.0.0.5"],
                    "isPrimary": True,
                }
            ],
            "disks": [{"deviceName": "/dev/xvda", "bytes": 8589934592}],
            "cpus": [{"cores": 2, "modelName": "Intel(R) Xeon(R)"}],
            "ramBytes": 4294967296,
            "os": {"fullString": "Amazon Linux 2"},
            "supportsNitroInstances": True,
            "architecture": "x86_64",
        },
        "stagingArea": {
            "status": "NOT_EXTENDED",
            "stagingAccountID": "123456789012",
            "stagingSourceServerArn": SERVER_ARN,
            "errorMessage": "",
        },
        "sourceCloudProperties": {
            "originAccountID": "123456789012",
            "originRegion": "us-east-1",
            "originAvailabilityZone": "us-east-1a",
            "sourceOutpostArn": (
                "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0"
            ),
        },
        "replicationDirection": "FAILOVER",
        "reversedDirectionSourceServerArn": SERVER_ARN,
        "sourceNetworkID": "sn-1234567890abcdef0",
        "agentVersion": "4.5.1.1234.567.8901",
    }


@pytest.fixture
def stop_replication() -> dict[str, Any]:
    """Return a full, valid StopReplication response as boto3 would."""
    return {
        "ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0},
        "sourceServer": full_source_server(),
    }


def violations(operation: str, response: dict[str, Any]) -> str:
    with pytest.raises(AssertionError) as info:
        assert_valid_response(operation, response)
    return str(info.value)


# ----------------------------------------------------------------- valid input


def test_full_valid_response_passes(stop_replication: dict[str, Any]) -> None:
    assert_valid_response("StopReplication", stop_replication)


def test_snake_case_operation_name_is_accepted(
    stop_replication: dict[str, Any],
) -> None:
    assert_valid_response("stop_replication", stop_replication)


def test_minimal_and_empty_responses_pass() -> None:
    assert_valid_response("StopReplication", {"sourceServer": {}})
    assert_valid_response("DescribeSourceServers", {"items": []})
    assert_valid_response("TagResource", {"ResponseMetadata": {}})
    assert_valid_response("untag_resource", {})


def test_unknown_operation_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="NoSuchOperation"):
        assert_valid_response("NoSuchOperation", {})


# -------------------------------------------------------------- violations


def test_unknown_key_reports_its_path(stop_replication: dict[str, Any]) -> None:
    disk = stop_replication["sourceServer"]["dataReplicationInfo"]["replicatedDisks"][0]
    disk["bogus"] = 1
    msg = violations("StopReplication", stop_replication)
    assert (
        "sourceServer.dataReplicationInfo.replicatedDisks[0].bogus: unknown member"
        in msg
    )


def test_unknown_top_level_key(stop_replication: dict[str, Any]) -> None:
    stop_replication["SourceServer"] = {}
    assert "SourceServer: unknown member of StopReplicationResponse" in violations(
        "StopReplication", stop_replication
    )


def test_wrong_enum(stop_replication: dict[str, Any]) -> None:
    stop_replication["sourceServer"]["dataReplicationInfo"]["dataReplicationState"] = (
        "stopped"
    )
    msg = violations("StopReplication", stop_replication)
    assert "sourceServer.dataReplicationInfo.dataReplicationState: 'stopped'" in msg
    assert "enum DataReplicationState" in msg


def test_wrong_type(stop_replication: dict[str, Any]) -> None:
    disk = stop_replication["sourceServer"]["dataReplicationInfo"]["replicatedDisks"][0]
    disk["deviceName"] = 42
    msg = violations("StopReplication", stop_replication)
    assert (
        "sourceServer.dataReplicationInfo.replicatedDisks[0].deviceName: "
        "expected string" in msg
    )


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("sourceProperties", "supportsNitroInstances"), "true", "expected boolean"),
        (("sourceProperties", "ramBytes"), "4096", "expected long"),
        (("sourceProperties", "ramBytes"), 4096.0, "expected long"),
        (("sourceProperties", "cpus"), {"cores": 1}, "expected list"),
        (("tags",), [["k", "v"]], "expected map"),
        (("lifeCycle",), "x", "expected structure LifeCycle"),
    ],
)
def test_wrong_types(
    stop_replication: dict[str, Any],
    path: tuple[str, ...],
    value: object,
    expected: str,
) -> None:
    target = stop_replication["sourceServer"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    msg = violations("StopReplication", stop_replication)
    assert f"sourceServer.{'.'.join(path)}: {expected}" in msg


def test_bool_passed_as_long(stop_replication: dict[str, Any]) -> None:
    disk = stop_replication["sourceServer"]["dataReplicationInfo"]["replicatedDisks"][0]
    disk["totalStorageBytes"] = True
    msg = violations("StopReplication", stop_replication)
    assert (
        "sourceServer.dataReplicationInfo.replicatedDisks[0].totalStorageBytes: "
        "expected long (int, not bool)" in msg
    )


def test_negative_long_below_min(stop_replication: dict[str, Any]) -> None:
    stop_replication["sourceServer"]["sourceProperties"]["cpus"][0]["cores"] = -1
    msg = violations("StopReplication", stop_replication)
    assert "sourceServer.sourceProperties.cpus[0].cores: -1 < min 0" in msg


def test_missing_required_member() -> None:
    response = {
        "items": [
            {"snapshotID": "pit-1234567890abcdefg", "sourceServerID": SERVER_ID},
        ]
    }
    msg = violations("DescribeRecoverySnapshots", response)
    assert (
        "items[0].expectedTimestamp: missing required member of RecoverySnapshot" in msg
    )
    assert "snapshotID" not in msg


def test_missing_required_top_level_member() -> None:
    assert "recoveryPlanStep: missing required member" in violations(
        "GetRecoveryPlanStep", {}
    )


def test_too_long_string(stop_replication: dict[str, Any]) -> None:
    stop_replication["sourceServer"]["tags"]["Name"] = "x" * 257
    msg = violations("StopReplication", stop_replication)
    assert 'sourceServer.tags["Name"]: string length 257 > max 256' in msg


def test_too_long_map_key(stop_replication: dict[str, Any]) -> None:
    stop_replication["sourceServer"]["tags"]["k" * 257] = "v"
    assert "<key>: string length 257 > max 256" in violations(
        "StopReplication", stop_replication
    )


def test_bad_pattern_in_source_server_id(stop_replication: dict[str, Any]) -> None:
    bad = "x-1234567890abcdef0"  # right length (19), wrong prefix
    stop_replication["sourceServer"]["sourceServerID"] = bad
    msg = violations("StopReplication", stop_replication)
    assert f"sourceServer.sourceServerID: '{bad}' does not match pattern" in msg
    assert "string length" not in msg


def test_pattern_is_fullmatch_not_search(stop_replication: dict[str, Any]) -> None:
    # 's-' + 17 chars inside a longer string must not satisfy the pattern.
    stop_replication["sourceServer"]["recoveryInstanceId"] = "xi-01234567"
    msg = violations("StopReplication", stop_replication)
    assert "sourceServer.recoveryInstanceId: 'xi-01234567' does not match" in msg


def test_list_exceeding_max(stop_replication: dict[str, Any]) -> None:
    info = stop_replication["sourceServer"]["dataReplicationInfo"]
    info["replicatedDisks"] = info["replicatedDisks"] * 61
    msg = violations("StopReplication", stop_replication)
    assert (
        "sourceServer.dataReplicationInfo.replicatedDisks: list length 61 > max 60"
        in msg
    )


def test_list_below_min() -> None:
    response = {
        "recoveryPlanStep": {
            "recoveryPlanStepArn": STEP_ARN,
            "stepOrder": 1,
            "stepName": "servers",
            "configuration": {"serverStepConfiguration": {"servers": []}},
            "createdAt": ISO,
            "updatedAt": ISO,
        }
    }
    msg = violations("GetRecoveryPlanStep", response)
    assert (
        "recoveryPlanStep.configuration.serverStepConfiguration.servers: "
        "list length 0 < min 1" in msg
    )


def test_union_must_have_exactly_one_member() -> None:
    step: dict[str, Any] = {
        "recoveryPlanStepArn": STEP_ARN,
        "stepOrder": 21,
        "stepName": "wait",
        "configuration": {
            "waitStepConfiguration": {"waitDurationMinutes": 5},
            "serverStepConfiguration": {"servers": [{"serverArn": SERVER_ARN}]},
        },
        "createdAt": ISO,
        "updatedAt": ISO,
    }
    msg = violations("GetRecoveryPlanStep", {"recoveryPlanStep": step})
    assert "recoveryPlanStep.configuration: union RecoveryPlanStepConfiguration" in msg
    assert "recoveryPlanStep.stepOrder: 21 > max 20" in msg
    step["stepOrder"] = 20
    del step["configuration"]["serverStepConfiguration"]
    assert_valid_response("GetRecoveryPlanStep", {"recoveryPlanStep": step})


def test_timestamp_requires_datetime() -> None:
    network: dict[str, Any] = {
        "sourceNetworkID": "sn-1234567890abcdef0",
        "lastRecovery": {"apiCallDateTime": ISO},
    }
    msg = violations("DescribeSourceNetworks", {"items": [network]})
    assert "items[0].lastRecovery.apiCallDateTime: expected timestamp (datetime)" in msg
    network["lastRecovery"]["apiCallDateTime"] = datetime.datetime.now(tzutc())
    assert_valid_response("DescribeSourceNetworks", {"items": [network]})


def test_none_values_are_rejected(stop_replication: dict[str, Any]) -> None:
    stop_replication["sourceServer"]["arn"] = None
    stop_replication["sourceServer"]["sourceProperties"]["disks"].append(None)
    msg = violations("StopReplication", stop_replication)
    assert "sourceServer.arn: is None" in msg
    assert "sourceServer.sourceProperties.disks[1]: is None" in msg


def test_output_less_operation_rejects_members() -> None:
    assert "tags: TagResource has no output members" in violations(
        "TagResource", {"tags": {}}
    )


def test_all_violations_are_reported_at_once(stop_replication: dict[str, Any]) -> None:
    server = stop_replication["sourceServer"]
    server["sourceServerID"] = "s-short"  # length + pattern
    server["lastLaunchResult"] = "OK"  # enum
    server["extra"] = 1  # unknown
    msg = violations("StopReplication", stop_replication)
    assert "(4 violation(s))" in msg
    for fragment in (
        "sourceServerID: string length",
        "does not match",
        "enum",
        "extra",
    ):
        assert fragment in msg


def test_non_dict_response() -> None:
    with pytest.raises(AssertionError, match="<response>: expected dict"):
        assert_valid_response("StopReplication", [])  # type: ignore[arg-type]


def test_uncompilable_pattern_is_skipped() -> None:
    assert _compile_pattern(r"\p{L}+") is None  # ECMA-only Unicode property escape
    check = _compile_string(
        Shape("Fancy", {"type": "string", "pattern": r"\p{L}+", "max": 3})
    )
    errors: list[str] = []
    check("123", "x", errors)
    assert errors == []
    check("1234", "x", errors)
    assert errors == ["x: string length 4 > max 3"]


def test_input_is_not_mutated(stop_replication: dict[str, Any]) -> None:
    before = copy.deepcopy(stop_replication)
    assert_valid_response("StopReplication", stop_replication)
    assert stop_replication == before


def test_fast_enough_for_every_response_in_the_suite(
    stop_replication: dict[str, Any],
) -> None:
    assert_valid_response("StopReplication", stop_replication)  # warm the caches
    start = time.perf_counter()
    for _ in range(2000):
        assert_valid_response("StopReplication", stop_replication)
    assert time.perf_counter() - start < 2.0


# ------------------------------------------------------------ client errors


def make_error(code: str, status: int, /, **body: Any) -> ClientError:
    """Build a ClientError shaped like botocore's rest-json parse of a modeled error."""
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": body.get("message", "")},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}},
        **body,
    }
    return ClientError(cast("Any", response), "DescribeSourceServers")


def not_found() -> ClientError:
    return make_error(
        "ResourceNotFoundException",
        404,
        message="Source server not found",
        code="RESOURCE_NOT_FOUND",
        resourceId=SERVER_ID,
        resourceType="SOURCE_SERVER",
    )


def client_error_violations(
    exc: ClientError, code: str, status: int, /, **members: Any
) -> str:
    with pytest.raises(AssertionError) as info:
        assert_client_error(exc, code, status, **members)
    return str(info.value)


def test_client_error_passes() -> None:
    assert_client_error(
        not_found(),
        "ResourceNotFoundException",
        404,
        resourceId=SERVER_ID,
        resourceType=...,
    )
    # Members may also be found inside exc.response["Error"].
    assert_client_error(not_found(), "ResourceNotFoundException", 404, Code=...)


def test_client_error_wrong_code_and_status() -> None:
    msg = client_error_violations(not_found(), "ConflictException", 409)
    assert "Error.Code: expected 'ConflictException'" in msg
    assert "HTTPStatusCode: expected 409, got 404" in msg


def test_client_error_status_must_match_model() -> None:
    exc = make_error("ResourceNotFoundException", 400, message="nope")
    msg = client_error_violations(exc, "ResourceNotFoundException", 400)
    assert "the model declares 404 for ResourceNotFoundException" in msg


def test_client_error_members() -> None:
    msg = client_error_violations(
        not_found(), "ResourceNotFoundException", 404, resourceId="s-other", reason=...
    )
    assert "resourceId: expected 's-other'" in msg
    assert "reason: missing from error response" in msg


def test_client_error_requires_message() -> None:
    exc = make_error("ConflictException", 409)
    assert "non-empty message" in client_error_violations(exc, "ConflictException", 409)


def test_client_error_body_is_validated() -> None:
    exc = make_error(
        "ValidationException",
        400,
        message="bad",
        reason="notAReason",
        fieldList={"name": "x"},
        resourceId="s-1",
    )
    msg = client_error_violations(exc, "ValidationException", 400)
    assert "reason: 'notAReason' is not in enum ValidationExceptionReason" in msg
    assert "fieldList: expected list" in msg
    assert "resourceId: unknown member of error ValidationException" in msg


def test_client_error_unmodeled_code() -> None:
    exc = make_error("NoSuchThing", 400, message="x")
    assert "'NoSuchThing' is not a modeled DRS error" in client_error_violations(
        exc, "NoSuchThing", 400
    )


def test_client_error_rejects_other_exceptions() -> None:
    with pytest.raises(AssertionError, match="expected ClientError"):
        assert_client_error(cast("Any", ValueError("x")), "X", 400)


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def real_client_error(
    status: int, headers: dict[str, str], body: dict[str, Any]
) -> ClientError:
    """Raise a ClientError through botocore's real rest-json error parsing."""
    client = boto3.client(
        "drs",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )

    def reply(request: Any, **_: Any) -> AWSResponse:
        raw = _RawBody(json.dumps(body).encode())
        return AWSResponse(
            request.url, status, {"content-type": "application/json", **headers}, raw
        )

    client.meta.events.register("before-send.drs.*", reply)
    with pytest.raises(ClientError) as info:
        client.stop_replication(sourceServerID=SERVER_ID)
    return info.value


def test_client_error_through_botocore_parser() -> None:
    exc = real_client_error(
        400,
        {"x-amzn-errortype": "ValidationException"},
        {
            "message": "Invalid source server ID",
            "code": "VALIDATION_ERROR",
            "reason": "fieldValidationFailed",
            "fieldList": [{"name": "sourceServerID", "message": "bad"}],
        },
    )
    assert_client_error(
        exc,
        "ValidationException",
        400,
        reason="fieldValidationFailed",
        fieldList=[{"name": "sourceServerID", "message": "bad"}],
        code="VALIDATION_ERROR",
    )


def test_client_error_header_member_through_botocore_parser() -> None:
    exc = real_client_error(
        429,
        {"x-amzn-errortype": "ThrottlingException", "Retry-After": "7"},
        {"message": "Rate exceeded", "serviceCode": "drs", "quotaCode": "L-1"},
    )
    # ThrottlingException models Retry-After as a *string* header member.
    assert_client_error(
        exc, "ThrottlingException", 429, retryAfterSeconds="7", quotaCode=...
    )


def test_missing_errortype_header_is_caught() -> None:
    # Without x-amzn-errortype botocore takes Error.Code from the body's
    # ``code`` member (overriding ``__type``) and drops all modeled members.
    exc = real_client_error(
        404,
        {},
        {
            "__type": "ResourceNotFoundException",
            "message": "Source server not found",
            "code": "RESOURCE_NOT_FOUND",
            "resourceId": SERVER_ID,
        },
    )
    msg = client_error_violations(exc, "ResourceNotFoundException", 404, resourceId=...)
    assert (
        "Error.Code: expected 'ResourceNotFoundException', got 'RESOURCE_NOT_FOUND'"
        in msg
    )
    assert "resourceId: missing" in msg


def test_only_the_allow_listed_values_pass_beyond_the_enum() -> None:
    """LAUNCH_END (sent by real DRS, missing from botocore's JobLogEvent) passes as a job log
    event only; other unmodeled values, and LAUNCH_END elsewhere, still fail."""

    def log(event: str) -> dict[str, Any]:
        data = {"sourceServerID": SERVER_ID, "targetInstanceID": "i-0123456789abcdef0"}
        return {"items": [{"logDateTime": ISO, "event": event, "eventData": data}]}

    assert_valid_response("DescribeJobLogItems", log("LAUNCH_END"))
    assert "is not in enum JobLogEvent" in violations(
        "DescribeJobLogItems", log("LAUNCH_DONE")
    )
    job = {"jobID": "drsjob-0123456789abcdef0", "status": "LAUNCH_END"}
    assert "is not in enum JobStatus" in violations("DescribeJobs", {"items": [job]})


def test_threads_validating_their_first_responses_at_once() -> None:
    """Client threads of tests/test_concurrency.py validate their first responses together: none
    may find another thread's half-compiled validator (that recursed until RecursionError)."""
    import sys
    import threading

    import shape_check

    response = {"items": [full_source_server()]}
    failures: list[str] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(10):
            shape_check._CHECKERS.clear()  # every round compiles from scratch
            barrier = threading.Barrier(8)

            def validate(barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                try:
                    assert_valid_response("DescribeSourceServers", response)
                except BaseException as error:  # noqa: BLE001 - reported below
                    failures.append(f"{type(error).__name__}: {error}"[:200])

            threads = [threading.Thread(target=validate) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
