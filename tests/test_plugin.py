"""Registration with moto: mock_drs in every form, mock_aws, regions and partitions, reset."""

import asyncio
import subprocess
import sys
import unittest
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import in_process_only, make_drs_client, moto_api_url
from moto import mock_aws
from shape_check import assert_client_error

import moto_drs
from moto_drs import mock_drs


def seeded_count() -> int:
    return len(make_drs_client().describe_source_servers()["items"])


def init_and_seed() -> None:
    make_drs_client().initialize_service()
    moto_drs.add_source_server()


def test_import_leaves_the_service_to_its_first_use() -> None:
    """``import moto_drs`` does not import the service (its models import moto's EC2: about a
    second); moto imports it when DRS is first used. The serializer too waits until then."""
    code = "import sys, moto_drs; print('moto_drs.drs' in sys.modules)"
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "False"


def test_register_twice_is_harmless() -> None:
    import moto.backend_index as backend_index

    moto_drs.register()
    moto_drs.register()
    assert (
        sum(1 for name, _ in backend_index.backend_url_patterns if name == "drs") == 1
    )


def test_plain_mock_aws_serves_drs() -> None:
    with mock_aws():
        init_and_seed()
        assert seeded_count() == 1


@mock_drs
def test_decorated_function() -> None:
    init_and_seed()
    assert seeded_count() == 1


@mock_drs()
def test_decorated_function_with_parentheses() -> None:
    init_and_seed()
    assert seeded_count() == 1


def test_async_function() -> None:
    @mock_drs
    async def drill() -> int:
        await asyncio.sleep(0)
        init_and_seed()
        await asyncio.sleep(0)
        return seeded_count()

    assert asyncio.run(drill()) == 1


@mock_drs
class TestDecoratedClass(unittest.TestCase):
    def setUp(self) -> None:
        init_and_seed()

    def test_state_from_setup_is_visible(self) -> None:
        assert seeded_count() == 1

    def test_each_test_starts_from_setup_only(self) -> None:
        moto_drs.add_source_server()
        assert seeded_count() == 2


def test_start_stop_and_isolation() -> None:
    mock = mock_drs()
    mock.start()
    init_and_seed()
    assert seeded_count() == 1
    mock.stop()
    with mock_drs():
        with pytest.raises(ClientError) as error:
            make_drs_client().describe_source_servers()
        assert_client_error(error.value, "UninitializedAccountException", 400)


def test_nests_with_mock_aws_both_ways() -> None:
    with mock_drs():
        init_and_seed()
        with mock_aws():
            assert seeded_count() == 1
            moto_drs.add_source_server()
        assert seeded_count() == 2
    with mock_aws():
        init_and_seed()
        with mock_drs():
            assert seeded_count() == 1
        assert seeded_count() == 1


@pytest.mark.parametrize(
    "region, partition",
    [
        ("us-east-1", "aws"),
        ("ap-southeast-4", "aws"),
        ("il-central-1", "aws"),
        ("us-gov-west-1", "aws-us-gov"),
    ],
)
def test_every_drs_region_and_partition(aws: None, region: str, partition: str) -> None:
    client = make_drs_client(region)
    client.initialize_service()
    server = moto_drs.add_source_server(region_name=region)
    assert server["arn"].startswith(
        f"arn:{partition}:drs:{region}:123456789012:source-server/s-"
    )
    assert (
        client.stop_replication(sourceServerID=server["sourceServerID"])[
            "sourceServer"
        ]["arn"]
        == server["arn"]
    )


def test_regions_come_from_botocore(aws: None) -> None:
    session = boto3.session.Session()
    regions = session.get_available_regions("drs") + session.get_available_regions(
        "drs", "aws-us-gov"
    )
    from moto_drs.drs.models import drs_backends

    assert set(regions) <= set(drs_backends["123456789012"].regions)


@in_process_only  # the server's account comes from the server's own environment
def test_moto_account_id_environment(
    monkeypatch: pytest.MonkeyPatch, aws: None
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "222233334444")
    client = make_drs_client()
    client.initialize_service()
    server = moto_drs.add_source_server()
    assert ":222233334444:" in server["arn"]
    assert len(client.describe_source_servers()["items"]) == 1


def test_manual_progression_walks_every_state(aws: Any) -> None:
    from moto.moto_api import state_manager

    state_manager.set_transition(
        "drs::source-server", {"progression": "manual", "times": 2}
    )
    try:
        client = make_drs_client()
        client.initialize_service()
        server_id = moto_drs.add_source_server()["sourceServerID"]
        seen = []
        for _ in range(6):
            server = client.describe_source_servers(
                filters={"sourceServerIDs": [server_id]}
            )["items"][0]
            info = server["dataReplicationInfo"]
            seen.append(info["dataReplicationState"])
            if info["dataReplicationState"] == "INITIAL_SYNC":
                disk = info["replicatedDisks"][0]
                assert 0 < disk["replicatedStorageBytes"] < disk["totalStorageBytes"]
                assert (
                    disk["backloggedStorageBytes"] > 0
                    and info["etaDateTime"]
                    and info["lagDuration"]
                )
            if info["dataReplicationState"] == "INITIATING":
                statuses = [
                    step["status"]
                    for step in info["dataReplicationInitiation"]["steps"]
                ]
                assert "IN_PROGRESS" in statuses and statuses[-1] == "NOT_STARTED"
        assert seen == [
            "INITIATING",
            "INITIAL_SYNC",
            "INITIAL_SYNC",
            "CONTINUOUS",
            "CONTINUOUS",
            "CONTINUOUS",
        ]
        assert client.describe_recovery_snapshots(sourceServerID=server_id)["items"]
    finally:
        state_manager.unset_transition("drs::source-server")


def test_snapshots_only_once_continuous(aws: Any) -> None:
    from moto.moto_api import state_manager

    state_manager.set_transition(
        "drs::source-server", {"progression": "manual", "times": 100}
    )
    try:
        client = make_drs_client()
        client.initialize_service()
        server_id = moto_drs.add_source_server()["sourceServerID"]
        assert (
            client.describe_recovery_snapshots(sourceServerID=server_id)["items"] == []
        )
    finally:
        state_manager.unset_transition("drs::source-server")


def test_seeding_endpoints_in_decorator_mode(drs: Any) -> None:
    import requests

    base = moto_api_url() + "/moto-api/static/drs"
    response = requests.post(
        f"{base}/source-servers", json={"tags": {"a": "b"}}, timeout=10
    )
    assert response.status_code == 200
    server_id = response.json()["sourceServer"]["sourceServerID"]
    assert drs.describe_source_servers()["items"][0]["tags"] == {"a": "b"}
    snapshot = requests.post(
        f"{base}/recovery-snapshots",
        json={"sourceServerID": server_id, "timestamp": "2026-01-01T00:00:00Z"},
        timeout=10,
    )
    assert snapshot.status_code == 200
    assert snapshot.json()["recoverySnapshot"]["timestamp"].startswith(
        "2026-01-01T00:00:00"
    )
    bad = requests.post(
        f"{base}/recovery-snapshots",
        json={"sourceServerID": server_id, "timestamp": "soon"},
        timeout=10,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "ValidationException"


def test_pytest_plugin_fixture_gives_an_initialized_client(drs_client: Any) -> None:
    """The ``drs_client`` fixture comes from the installed package's pytest11 entry point."""
    assert drs_client.describe_source_servers()["items"] == []
    moto_drs.add_source_server()
    assert len(drs_client.describe_source_servers()["items"]) == 1


def test_every_state_manager_model_of_the_service_has_its_default_registered() -> None:
    """The service names its models (``drs::<resource>``); the registration glue registers their
    defaults, where moto registers its own. A model added to the service must be added there."""
    import re
    from pathlib import Path

    from moto.moto_api import state_manager

    from moto_drs.registration import STATE_MANAGER_DEFAULTS

    service = Path(moto_drs.__file__).parent / "drs"
    named = {
        name
        for path in service.rglob("*.py")
        for name in re.findall(r'"(drs::[a-z-]+)"', path.read_text())
    }
    assert named == set(STATE_MANAGER_DEFAULTS)
    assert named <= set(state_manager.get_registered_models())
