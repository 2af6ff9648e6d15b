"""Server mode over real HTTP: ThreadedMotoServer, the moto_drs_server command, seeding, reset."""

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import Server
from shape_check import assert_client_error


def seed(server: Server, **payload: Any) -> requests.Response:
    return requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json=payload, timeout=10
    )


def test_life_cycle_over_http(server: Server) -> None:
    drs = server.client()
    with pytest.raises(ClientError) as error:
        drs.describe_source_servers()
    assert_client_error(error.value, "UninitializedAccountException", 400)
    drs.initialize_service()
    response = seed(server, tags={"app": "web"})
    assert response.status_code == 200
    seeded = response.json()["sourceServer"]
    server_id = seeded["sourceServerID"]
    listed = drs.describe_source_servers()["items"]
    assert [s["sourceServerID"] for s in listed] == [server_id]
    assert listed[0]["tags"] == {"app": "web"}
    stopped = drs.stop_replication(sourceServerID=server_id)["sourceServer"]
    assert stopped["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"
    with pytest.raises(ClientError) as error:
        drs.stop_replication(sourceServerID=server_id)
    assert_client_error(
        error.value,
        "ConflictException",
        409,
        resourceId=server_id,
        resourceType="SOURCE_SERVER",
    )
    drs.disconnect_source_server(sourceServerID=server_id)
    drs.delete_source_server(sourceServerID=server_id)
    assert drs.describe_source_servers()["items"] == []


def test_seeding_errors_say_what_to_do(server: Server) -> None:
    response = seed(server)
    assert response.status_code == 400
    assert response.json()["code"] == "UninitializedAccountException"
    assert "InitializeService" in response.json()["message"]
    server.client().initialize_service()
    bad = seed(server, sourceProperties={"ramBytes": "lots"})
    assert bad.status_code == 400 and bad.json()["code"] == "ValidationException"
    assert bad.json()["fieldList"][0]["name"] == "sourceProperties.ramBytes"
    unknown = seed(server, colour="blue")
    assert unknown.status_code == 400 and "colour" in unknown.json()["message"]
    garbage = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", data=b"{nope", timeout=10
    )
    assert garbage.status_code == 400 and garbage.json()["reason"] == "cannotParse"
    assert server.client().describe_source_servers()["items"] == []


def test_seed_other_account_and_region(server: Server) -> None:
    eu = server.client(region_name="eu-west-1")
    eu.initialize_service()
    assert seed(server, region="eu-west-1").status_code == 200
    assert len(eu.describe_source_servers()["items"]) == 1
    assert (
        seed(server, accountId="111111111111").status_code == 400
    )  # that account is not initialized


def test_state_manager_over_http(server: Server) -> None:
    drs = server.client()
    drs.initialize_service()
    transition = {
        "model_name": "drs::source-server",
        "transition": {"progression": "manual", "times": 1},
    }
    requests.post(
        f"{server.url}/moto-api/state-manager/set-transition",
        json=transition,
        timeout=10,
    )
    try:
        server_id = seed(server).json()["sourceServer"]["sourceServerID"]
        states = [
            drs.describe_source_servers()["items"][0]["dataReplicationInfo"][
                "dataReplicationState"
            ]
            for _ in range(3)
        ]
        assert states == ["INITIAL_SYNC", "CONTINUOUS", "CONTINUOUS"]
        assert drs.describe_recovery_snapshots(sourceServerID=server_id)["items"]
    finally:
        requests.post(
            f"{server.url}/moto-api/state-manager/unset-transition",
            json={"model_name": "drs::source-server"},
            timeout=10,
        )


def test_reset_clears_drs_and_dashboard_lists_models(server: Server) -> None:
    drs = server.client()
    drs.initialize_service()
    seed(server)
    # generous: the dashboard lists every live moto model of the process, and this server
    # shares its process (and moto's backends) with the in-process tests run before it
    data = requests.get(f"{server.url}/moto-api/data.json", timeout=120).json()
    assert len(data["drs"]["SourceServer"]) == 1
    server.reset()
    with pytest.raises(ClientError) as error:
        drs.describe_source_servers()
    assert_client_error(error.value, "UninitializedAccountException", 400)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "command",
    [
        [str(Path(sys.executable).parent / "moto_drs_server")],
        [sys.executable, "-m", "moto_drs.server"],
    ],
    ids=["console-script", "python-m"],
)
def test_moto_drs_server_command(command: list[str]) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [*command, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/moto-api/data.json", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "moto_drs_server did not start"
                time.sleep(0.2)
        drs = Server(url).client()
        drs.initialize_service()
        assert (
            requests.post(
                f"{url}/moto-api/static/drs/source-servers", json={}, timeout=10
            ).status_code
            == 200
        )
        assert len(drs.describe_source_servers()["items"]) == 1
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def public_functions_over_http(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> Server:
    """The public ``moto_drs`` functions as TEST_SERVER_MODE=true makes them: over HTTP."""
    from moto import settings

    monkeypatch.setattr(settings, "TEST_SERVER_MODE", True)
    monkeypatch.setenv("TEST_SERVER_MODE_ENDPOINT", server.url)
    server.client().initialize_service()
    return server


def test_public_functions_go_to_the_server_in_server_mode(
    public_functions_over_http: Server,
) -> None:
    import moto_drs
    from moto_drs.drs.exceptions import ResourceNotFoundException, ValidationException
    from moto_drs.server_mode import ROUTES

    server = public_functions_over_http
    seeded = moto_drs.add_source_server(tags={"app": "web"})
    listed = server.client().describe_source_servers()["items"]
    assert [s["sourceServerID"] for s in listed] == [seeded["sourceServerID"]]
    snapshot = moto_drs.add_recovery_snapshot(seeded["sourceServerID"])
    assert snapshot["sourceServerID"] == seeded["sourceServerID"]

    # an error answer is raised again as the DRS exception, with its members
    with pytest.raises(ResourceNotFoundException) as missing:
        moto_drs.add_recovery_snapshot("s-0000000000000000f")
    assert missing.value.resource_id == "s-0000000000000000f"
    with pytest.raises(ValidationException):
        moto_drs.connect_failback_client("i-0000000000000000f", region_name="xx-nope-1")

    fault = moto_drs.inject_fault("StopReplication", count=1)
    assert moto_drs.list_faults() == [fault]
    assert moto_drs.clear_faults() == 1
    moto_drs.set_quota("source_servers", 5)
    quotas = {q["name"]: q["value"] for q in moto_drs.list_quotas()}
    assert quotas["source_servers"] == 5
    assert set(ROUTES) >= {
        "add_source_server",
        "add_recovery_snapshot",
        "connect_failback_client",
        "inject_fault",
        "list_faults",
        "clear_faults",
        "set_quota",
        "list_quotas",
    }
