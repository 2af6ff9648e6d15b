"""IAM: with moto's enforcement on (INITIAL_NO_AUTH_ACTION_COUNT), DRS actions are authorized like
those of other moto services and failures answer as DRS's JSON errors, in both modes."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from conftest import REGION, make_drs_client
from moto.core import set_initial_no_auth_action_count
from shape_check import assert_client_error

import moto_drs

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
# The IAM calls of make_user, which run before enforcement starts.
CALLS_PER_USER = 3


def make_user(iam: Any, name: str, statements: list[dict[str, Any]]) -> tuple[str, str]:
    iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": statements}
    iam.put_user_policy(
        UserName=name, PolicyName="drs", PolicyDocument=json.dumps(policy)
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


OPERATOR = [
    {
        "Effect": "Allow",
        "Action": ["drs:DescribeSourceServers", "drs:StartReplication"],
        "Resource": "*",
    }
]
ADMIN = [{"Effect": "Allow", "Action": "drs:*", "Resource": "*"}]
ADMIN_BUT_STOP = ADMIN + [
    {"Effect": "Deny", "Action": "drs:StopReplication", "Resource": "*"}
]


def state_of(drs: Any, server_id: str) -> str:
    items = drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ]
    return str(items[0]["dataReplicationInfo"]["dataReplicationState"])


def assert_auth_failure(response: requests.Response, code: str) -> None:
    """AWS's authentication errors are not in DRS's model: 403, JSON, code in x-amzn-ErrorType."""
    assert response.status_code == 403, response.text
    assert response.headers["x-amzn-ErrorType"] == code
    assert response.headers["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["message"], str) and response.json()["message"]


class TestDecoratorMode:
    def test_denied_stop_replication_changes_nothing_and_allowed_succeeds(
        self, drs: Any
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        iam = boto3.client("iam", region_name=REGION)

        @set_initial_no_auth_action_count(3 * CALLS_PER_USER)
        def run() -> None:
            operator = make_drs_client(
                aws_access_key_id=(keys := make_user(iam, "operator", OPERATOR))[0],
                aws_secret_access_key=keys[1],
                config=NO_RETRIES,
            )
            admin_keys = make_user(iam, "admin", ADMIN)
            admin = make_drs_client(
                aws_access_key_id=admin_keys[0], aws_secret_access_key=admin_keys[1]
            )
            fenced_keys = make_user(iam, "fenced", ADMIN_BUT_STOP)
            fenced = make_drs_client(
                aws_access_key_id=fenced_keys[0],
                aws_secret_access_key=fenced_keys[1],
                config=NO_RETRIES,
            )
            for denied in (operator, fenced):
                with pytest.raises(ClientError) as error:
                    denied.stop_replication(sourceServerID=server_id)
                assert_client_error(error.value, "AccessDeniedException", 403)
                assert "drs:StopReplication" in error.value.response["Error"]["Message"]
                assert error.value.response["ResponseMetadata"]["HTTPHeaders"][
                    "x-amzn-errortype"
                ] == ("AccessDeniedException")
                assert state_of(operator, server_id) != "STOPPED"

            stopped = admin.stop_replication(sourceServerID=server_id)
            assert (
                stopped["sourceServer"]["dataReplicationInfo"]["dataReplicationState"]
                == "STOPPED"
            )
            operator.start_replication(sourceServerID=server_id)
            assert state_of(operator, server_id) != "STOPPED"

        run()

    def test_unknown_key_and_wrong_secret(self, drs: Any) -> None:
        iam = boto3.client("iam", region_name=REGION)

        @set_initial_no_auth_action_count(CALLS_PER_USER)
        def run() -> None:
            key, _ = make_user(iam, "someone", ADMIN)
            for key_id, secret, code in [
                ("AKIAIOSFODNN7EXAMPLE", "secret", "UnrecognizedClientException"),
                (key, "not-the-secret", "InvalidSignatureException"),
            ]:
                client = make_drs_client(
                    aws_access_key_id=key_id,
                    aws_secret_access_key=secret,
                    config=NO_RETRIES,
                )
                with pytest.raises(ClientError) as error:
                    client.describe_source_servers()
                response = error.value.response
                assert response["Error"]["Code"] == code
                assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
                assert response["Error"]["Message"]

        run()

    def test_enforcement_off_by_default(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        stranger = make_drs_client(
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x"
        )
        assert stranger.stop_replication(sourceServerID=server_id)["sourceServer"]


@pytest.fixture
def enforced(server: Any) -> Iterator[Any]:
    """IAM enforcement in server mode through moto's own ``/moto-api/reset-auth``.

    The setup calls below stay free; everything after them is checked. The previous setting is
    restored, because the server runs in this process.
    """
    free_calls = 2 * CALLS_PER_USER + 1
    previous = requests.post(
        f"{server.url}/moto-api/reset-auth", data=str(free_calls), timeout=10
    ).json()
    try:
        yield server
    finally:
        restore = str(previous["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"])
        requests.post(
            f"{server.url}/moto-api/reset-auth", data=restore, timeout=10
        ).raise_for_status()


class TestServerMode:
    def test_authorization_over_http(self, enforced: Any) -> None:
        iam = enforced.client("iam")
        operator_keys = make_user(iam, "operator", OPERATOR)
        admin_keys = make_user(iam, "admin", ADMIN)
        enforced.client("drs").initialize_service()  # the last free call
        seeded = requests.post(
            f"{enforced.url}/moto-api/static/drs/source-servers", json={}, timeout=10
        )
        server_id = seeded.json()["sourceServer"]["sourceServerID"]

        def as_user(keys: tuple[str, str]) -> Any:
            return make_drs_client(
                endpoint_url=enforced.url,
                aws_access_key_id=keys[0],
                aws_secret_access_key=keys[1],
                config=NO_RETRIES,
            )

        operator, admin = as_user(operator_keys), as_user(admin_keys)
        with pytest.raises(ClientError) as error:
            operator.stop_replication(sourceServerID=server_id)
        assert_client_error(error.value, "AccessDeniedException", 403)
        assert state_of(operator, server_id) != "STOPPED"
        assert admin.stop_replication(sourceServerID=server_id)["sourceServer"]

        with pytest.raises(ClientError) as error:
            enforced.client(
                "drs", config=NO_RETRIES
            ).describe_source_servers()  # key "testing" is unknown
        assert error.value.response["Error"]["Code"] == "UnrecognizedClientException"

        self._check_raw_auth_failures(enforced.url, admin_keys)
        assert state_of(admin, server_id) == "STOPPED"

    @staticmethod
    def _check_raw_auth_failures(url: str, keys: tuple[str, str]) -> None:
        """Signatures that are missing parts or wrong, sent as raw HTTP."""
        endpoint = f"{url}/DescribeSourceServers"

        def signed(
            headers: dict[str, str] | None = None, secret: str = keys[1]
        ) -> dict[str, str]:
            request = AWSRequest(
                "POST",
                endpoint,
                data=b"{}",
                headers={"Content-Type": "application/json"},
            )
            SigV4Auth(Credentials(keys[0], secret), "drs", REGION).add_auth(request)
            return dict(request.headers, **(headers or {}))

        good = signed()
        assert (
            requests.post(endpoint, data=b"{}", headers=good, timeout=10).status_code
            == 200
        )
        scope = f"Credential={keys[0]}/20240101/{REGION}/drs/aws4_request"
        authorization = good["Authorization"]
        cases = [
            (
                {"Authorization": f"AWS4-HMAC-SHA256 {scope}"},
                "IncompleteSignatureException",
            ),
            (
                {"Authorization": authorization.replace("Signature=", "Signature=0")},
                "InvalidSignatureException",
            ),
            (
                {"Authorization": authorization.replace("x-amz-date", "host")},
                "IncompleteSignatureException",
            ),
            (signed(secret="wrong"), "InvalidSignatureException"),
        ]
        for headers, code in cases:
            response = requests.post(
                endpoint, data=b"{}", headers=dict(good, **headers), timeout=10
            )
            assert_auth_failure(response, code)
        no_date = {k: v for k, v in good.items() if k != "X-Amz-Date"}
        undated = requests.post(endpoint, data=b"{}", headers=no_date, timeout=10)
        assert_auth_failure(undated, "IncompleteSignatureException")
        tampered = requests.post(
            endpoint, data=b'{"maxResults": 1}', headers=good, timeout=10
        )
        assert_auth_failure(tampered, "InvalidSignatureException")
