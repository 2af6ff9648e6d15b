"""Fault injection: DRS failing on purpose, with the model's status and members, for retry tests."""

from typing import Any

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import make_drs_client, moto_api_url
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.core.exceptions import ServiceException
from shape_check import assert_client_error

import moto_drs
from moto_drs import mock_drs

MOTO_API = moto_api_url() + "/moto-api/static/drs/faults"
FAULT_FIELDS = [
    "operations",
    "error",
    "message",
    "members",
    "resourceId",
    "count",
    "probability",
    "seed",
    "region",
]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["StopReplication", "ThrottlingException", "*", "us-east-1"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


def client(total_max_attempts: int = 1) -> Any:
    retries = {"mode": "standard", "total_max_attempts": total_max_attempts}
    return make_drs_client(config=Config(retries=retries))


def state_of(drs: Any, server_id: str) -> str:
    items = drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ]
    return str(items[0]["dataReplicationInfo"]["dataReplicationState"])


def outcome(call: Any) -> str:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


class TestRetries:
    def test_standard_retry_rides_over_a_transient_throttle(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        moto_drs.inject_fault("StopReplication", "ThrottlingException", count=1)
        response = client(total_max_attempts=2).stop_replication(
            sourceServerID=server_id
        )
        assert response["ResponseMetadata"]["RetryAttempts"] == 1
        assert (
            response["sourceServer"]["dataReplicationInfo"]["dataReplicationState"]
            == "STOPPED"
        )
        assert moto_drs.list_faults() == []

    def test_caller_sees_the_error_once_retries_are_exhausted(self, drs: Any) -> None:
        fault = moto_drs.inject_fault(
            "DescribeSourceServers", "InternalServerException"
        )
        with pytest.raises(ClientError) as error:
            client(total_max_attempts=3).describe_source_servers()
        assert_client_error(error.value, "InternalServerException", 500)
        assert error.value.response["ResponseMetadata"]["RetryAttempts"] == 2
        assert error.value.response["ResponseMetadata"]["MaxAttemptsReached"] is True
        assert [
            f["triggered"]
            for f in moto_drs.list_faults()
            if f["faultId"] == fault["faultId"]
        ] == [3]


class TestErrors:
    @pytest.mark.parametrize(
        ("error", "status", "members"),
        [
            (
                "ThrottlingException",
                429,
                {
                    "retryAfterSeconds": "7",
                    "serviceCode": "drs",
                    "quotaCode": "L-12345678",
                },
            ),
            ("InternalServerException", 500, {"retryAfterSeconds": 5}),
            (
                "ServiceQuotaExceededException",
                402,
                {
                    "serviceCode": "drs",
                    "quotaCode": "L-E28BE5E0",
                    "resourceId": "s-1",
                    "resourceType": "SOURCE_SERVER",
                },
            ),
            (
                "ConflictException",
                409,
                {"resourceId": "s-1", "resourceType": "SOURCE_SERVER"},
            ),
            ("AccessDeniedException", 403, {}),
            (
                "ResourceNotFoundException",
                404,
                {"resourceId": "s-1", "resourceType": "SOURCE_SERVER"},
            ),
            (
                "ValidationException",
                400,
                {"reason": "other", "fieldList": [{"name": "x", "message": "bad"}]},
            ),
        ],
    )
    def test_each_error_has_the_models_status_and_members(
        self, drs: Any, error: str, status: int, members: dict[str, Any]
    ) -> None:
        moto_drs.inject_fault(
            "DescribeSourceServers",
            error,
            members=members,
            message="injected on purpose",
        )
        with pytest.raises(ClientError) as raised:
            client().describe_source_servers()
        assert_client_error(raised.value, error, status, **members)
        assert raised.value.response["Error"]["Message"] == "injected on purpose"
        headers = raised.value.response["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-amzn-errortype"] == error
        if "retryAfterSeconds" in members:
            assert headers["retry-after"] == str(members["retryAfterSeconds"])

    def test_throttling_defaults_to_service_code_drs(self, drs: Any) -> None:
        moto_drs.inject_fault("DescribeSourceServers")
        with pytest.raises(ClientError) as raised:
            client().describe_source_servers()
        assert_client_error(raised.value, "ThrottlingException", 429, serviceCode="drs")


class TestMatching:
    def test_a_fault_fails_before_anything_changes(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        moto_drs.inject_fault(
            ["StopReplication", "DisconnectSourceServer"], "ConflictException"
        )
        for call in (client().stop_replication, client().disconnect_source_server):
            with pytest.raises(ClientError) as raised:
                call(sourceServerID=server_id)
            assert_client_error(raised.value, "ConflictException", 409)
        assert state_of(drs, server_id) not in ("STOPPED", "DISCONNECTED")

    def test_resource_id_limits_the_fault_to_calls_naming_it(self, drs: Any) -> None:
        target = moto_drs.add_source_server()
        other = moto_drs.add_source_server()["sourceServerID"]
        moto_drs.inject_fault(
            "*", "AccessDeniedException", resource_id=target["sourceServerID"]
        )
        assert outcome(lambda: client().stop_replication(sourceServerID=other)) == "ok"
        denied = "AccessDeniedException"
        assert (
            outcome(
                lambda: client().stop_replication(
                    sourceServerID=target["sourceServerID"]
                )
            )
            == denied
        )
        # an ARN ending in the ID names it too
        assert (
            outcome(
                lambda: client().tag_resource(
                    resourceArn=target["arn"], tags={"a": "b"}
                )
            )
            == denied
        )
        assert outcome(lambda: client().describe_source_servers()) == "ok"

    def test_count_and_every_operation(self, drs: Any) -> None:
        moto_drs.inject_fault("*", "InternalServerException", count=2)
        assert (
            outcome(lambda: client().describe_source_servers())
            == "InternalServerException"
        )
        arn = "arn:aws:drs:us-east-1:123456789012:source-server/s-0123456789abcdef0"
        assert (
            outcome(lambda: client().list_tags_for_resource(resourceArn=arn))
            == "InternalServerException"
        )
        assert outcome(lambda: client().describe_source_servers()) == "ok"

    def test_probability_with_a_seed_is_reproducible(self, drs: Any) -> None:
        def run() -> list[str]:
            moto_drs.clear_faults()
            moto_drs.inject_fault("DescribeSourceServers", probability=0.5, seed=42)
            return [
                outcome(lambda: client().describe_source_servers()) for _ in range(16)
            ]

        first = run()
        assert first == run()
        assert {"ok", "ThrottlingException"} == set(first)

    def test_invalid_input_is_rejected_before_faults_apply(self, drs: Any) -> None:
        moto_drs.inject_fault("*", count=1)
        unvalidated = make_drs_client(
            config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
        )
        with pytest.raises(ClientError) as raised:
            unvalidated.stop_replication(sourceServerID=5)
        assert_client_error(raised.value, "ValidationException", 400)
        assert [f["count"] for f in moto_drs.list_faults()] == [1]

    def test_faults_belong_to_one_region(self, drs: Any) -> None:
        moto_drs.inject_fault(
            "DescribeSourceServers", "InternalServerException", region_name="eu-west-1"
        )
        assert outcome(lambda: client().describe_source_servers()) == "ok"
        [fault] = moto_drs.list_faults()
        assert fault["region"] == "eu-west-1" and fault["accountId"] == "123456789012"


class TestManagement:
    @pytest.mark.parametrize(
        "arguments",
        [
            {"operations": "NoSuchOperation"},
            {"operations": []},
            {"error": "TeapotException"},
            {"members": {"retryAfterSeconds": 7}},
            {"members": {"unknown": "x"}},
            {"count": 0},
            {"count": 1.5},
            {"probability": 2},
            {"probability": True},
            {"resource_id": ""},
            {"region_name": "mars-east-1"},
        ],
    )
    def test_bad_requests_are_refused_and_inject_nothing(
        self, drs: Any, arguments: dict[str, Any]
    ) -> None:
        with pytest.raises(ServiceException) as raised:
            moto_drs.inject_fault(**arguments)
        assert getattr(raised.value, "code", None) == "ValidationException"
        assert moto_drs.list_faults() == []

    def test_list_and_clear(self, drs: Any) -> None:
        first = moto_drs.inject_fault("StopReplication", count=3)
        second = moto_drs.inject_fault(
            ["StartReplication", "StopReplication"], "ConflictException"
        )
        listed = moto_drs.list_faults()
        assert [f["faultId"] for f in listed] == [first["faultId"], second["faultId"]]
        assert (
            listed[0]["operations"] == ["StopReplication"] and listed[0]["count"] == 3
        )
        assert moto_drs.clear_faults(first["faultId"]) == 1
        assert [f["faultId"] for f in moto_drs.list_faults()] == [second["faultId"]]
        assert moto_drs.clear_faults() == 1 and moto_drs.list_faults() == []

    def test_http_endpoint(self, drs: Any) -> None:
        body: dict[str, Any] = {
            "operations": ["DescribeSourceServers"],
            "error": "ThrottlingException",
            "count": 1,
            "members": {"retryAfterSeconds": "2"},
        }
        created = requests.post(MOTO_API, json=body, timeout=10)
        assert created.status_code == 200
        fault = created.json()["fault"]
        assert requests.get(MOTO_API, timeout=10).json()["faults"] == [fault]
        assert (
            outcome(lambda: client().describe_source_servers()) == "ThrottlingException"
        )

        refused = requests.post(
            MOTO_API, json={"error": "Nope", "bogus": 1}, timeout=10
        )
        assert (
            refused.status_code == 400
            and refused.json()["code"] == "ValidationException"
        )
        assert requests.post(MOTO_API, data=b"{", timeout=10).status_code == 400

        second = requests.post(MOTO_API, json={}, timeout=10).json()["fault"]
        assert requests.delete(f"{MOTO_API}?faultId=nope", timeout=10).json() == {
            "removed": 0
        }
        assert requests.delete(
            f"{MOTO_API}?faultId={second['faultId']}", timeout=10
        ).json() == {"removed": 1}
        assert requests.get(MOTO_API, timeout=10).json()["faults"] == []

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        payload=st.dictionaries(st.sampled_from(FAULT_FIELDS), JSON_VALUES, max_size=5)
    )
    def test_any_payload_gets_an_answer_not_a_crash(
        self, drs: Any, payload: dict[str, Any]
    ) -> None:
        response = requests.post(MOTO_API, json=payload, timeout=10)
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert (
                response.json()["code"] == "ValidationException"
                and response.json()["message"]
            )
        moto_drs.clear_faults()

    def test_moto_reset_clears_faults(self) -> None:
        with mock_drs():
            moto_drs.inject_fault()
            assert len(moto_drs.list_faults()) == 1
        with mock_drs():
            assert moto_drs.list_faults() == []


def test_server_mode(server: Any) -> None:
    drs = server.client(
        "drs", config=Config(retries={"mode": "standard", "total_max_attempts": 1})
    )
    drs.initialize_service()
    endpoint = f"{server.url}/moto-api/static/drs/faults"
    body: dict[str, Any] = {
        "operations": "DescribeSourceServers",
        "error": "ServiceQuotaExceededException",
        "members": {"quotaCode": "L-E28BE5E0"},
    }
    assert requests.post(endpoint, json=body, timeout=10).status_code == 200
    with pytest.raises(ClientError) as raised:
        drs.describe_source_servers()
    assert_client_error(
        raised.value,
        "ServiceQuotaExceededException",
        402,
        quotaCode="L-E28BE5E0",
        serviceCode="drs",
    )
    assert len(requests.get(endpoint, timeout=10).json()["faults"]) == 1
    server.reset()
    assert requests.get(endpoint, timeout=10).json()["faults"] == []
    drs.initialize_service()
    assert drs.describe_source_servers()["items"] == []
