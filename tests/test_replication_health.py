"""Replication health over time (lag, backlog, rescan, stalls, lastSeen, elapsed replication)
and the agent-simulation API, in decorator mode under freezegun and in server mode."""

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import Server, moto_api_url
from freezegun import freeze_time
from moto import settings
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs

MOTO_API = moto_api_url() + "/moto-api/static/drs"
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
MIB = 1024**2
MISSING_ID = "s-0123456789abcdef0"


def describe(drs: Any, server_id: str) -> dict[str, Any]:
    return drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ][0]


def at(delta: timedelta) -> str:
    return (START + delta).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def frozen(drs: Any) -> Iterator[Any]:
    if settings.TEST_SERVER_MODE:
        pytest.skip("freezegun freezes this process, not the server")
    with freeze_time(START) as frozen_time:
        yield frozen_time


@pytest.fixture
def slow_initiation() -> Iterator[None]:
    """Servers stay INITIATING until read 1,000 times."""
    state_manager.set_transition(
        "drs::source-server", {"progression": "manual", "times": 1000}
    )
    yield
    state_manager.unset_transition("drs::source-server")


class TestHealth:
    def test_agent_not_seen_stall_and_recovery(self, drs: Any, frozen: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        continuous = describe(drs, server_id)["dataReplicationInfo"]
        assert continuous["dataReplicationState"] == "CONTINUOUS"
        assert "lagDuration" not in continuous  # no lag while CONTINUOUS
        frozen.tick(timedelta(minutes=10))
        stalled = moto_drs.set_data_replication_state(
            server_id, "STALLED", error="AGENT_NOT_SEEN"
        )
        assert stalled["dataReplicationInfo"]["dataReplicationError"]["error"] == (
            "AGENT_NOT_SEEN"
        )
        frozen.tick(timedelta(minutes=45))
        server = describe(drs, server_id)
        info = server["dataReplicationInfo"]
        assert info["dataReplicationState"] == "STALLED"
        assert info["lagDuration"] == "PT45M"
        assert info["dataReplicationError"]["rawError"]
        assert "etaDateTime" not in info
        # the agent was last seen when it stopped being seen
        assert server["lifeCycle"]["lastSeenByServiceDateTime"] == at(
            timedelta(minutes=10)
        )
        assert server["lifeCycle"]["elapsedReplicationDuration"] == "PT55M"
        back = moto_drs.set_data_replication_state(server_id, "CONTINUOUS")
        info = back["dataReplicationInfo"]
        assert "lagDuration" not in info and "dataReplicationError" not in info
        assert back["lifeCycle"]["lastSeenByServiceDateTime"] == at(
            timedelta(minutes=55)
        )

    def test_other_stall_errors_keep_the_agent_seen(
        self, drs: Any, frozen: Any
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        moto_drs.set_data_replication_state(
            server_id,
            "STALLED",
            error={"error": "UNSTABLE_NETWORK", "rawError": "packet loss 40%"},
        )
        frozen.tick(timedelta(minutes=5))
        server = describe(drs, server_id)
        assert server["dataReplicationInfo"]["dataReplicationError"] == {
            "error": "UNSTABLE_NETWORK",
            "rawError": "packet loss 40%",
        }
        assert server["lifeCycle"]["lastSeenByServiceDateTime"] == at(
            timedelta(minutes=5)
        )

    def test_backlog_has_bytes_and_an_eta(self, drs: Any, frozen: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        describe(drs, server_id)
        moto_drs.set_data_replication_state(server_id, "BACKLOG")
        frozen.tick(timedelta(minutes=3))
        info = describe(drs, server_id)["dataReplicationInfo"]
        assert info["dataReplicationState"] == "BACKLOG"
        assert all(d["backloggedStorageBytes"] > 0 for d in info["replicatedDisks"])
        assert info["etaDateTime"] > at(timedelta(minutes=3))
        assert info["lagDuration"] == "PT3M"

    def test_rescan_grows_towards_the_disk_size(self, drs: Any, frozen: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        describe(drs, server_id)
        moto_drs.set_data_replication_state(server_id, "RESCAN")  # a reboot
        frozen.tick(timedelta(seconds=10))
        first = describe(drs, server_id)["dataReplicationInfo"]
        small, large = first["replicatedDisks"]
        assert small["rescannedStorageBytes"] == large["rescannedStorageBytes"] > 0
        assert first["etaDateTime"] > at(timedelta(seconds=10))
        frozen.tick(timedelta(minutes=5))
        later = describe(drs, server_id)["dataReplicationInfo"]["replicatedDisks"]
        assert later[0]["rescannedStorageBytes"] == later[0]["totalStorageBytes"]
        assert (
            large["rescannedStorageBytes"]
            < later[1]["rescannedStorageBytes"]
            < later[1]["totalStorageBytes"]
        )

    def test_elapsed_replication_counts_only_replicating_time(
        self, drs: Any, frozen: Any
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        frozen.tick(timedelta(hours=1))
        drs.stop_replication(sourceServerID=server_id)
        frozen.tick(timedelta(hours=5))
        drs.start_replication(sourceServerID=server_id)
        frozen.tick(timedelta(hours=1))
        moto_drs.set_data_replication_state(server_id, "PAUSED")
        frozen.tick(timedelta(hours=3))
        moto_drs.set_data_replication_state(server_id, "CONTINUOUS")
        frozen.tick(timedelta(minutes=30))
        life = describe(drs, server_id)["lifeCycle"]
        assert life["elapsedReplicationDuration"] == "PT2H30M"
        drs.disconnect_source_server(sourceServerID=server_id)
        frozen.tick(timedelta(days=2))
        life = describe(drs, server_id)["lifeCycle"]
        assert life["elapsedReplicationDuration"] == "PT2H30M"
        assert life["lastSeenByServiceDateTime"] == at(timedelta(hours=10, minutes=30))

    def test_lag_counts_from_the_last_continuous_moment(
        self, drs: Any, frozen: Any
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        describe(drs, server_id)
        frozen.tick(timedelta(minutes=20))
        moto_drs.set_data_replication_state(server_id, "BACKLOG")
        frozen.tick(timedelta(minutes=5))
        moto_drs.set_data_replication_state(server_id, "STALLED")
        frozen.tick(timedelta(minutes=5))
        moto_drs.set_data_replication_state(server_id, "RESCAN")
        frozen.tick(timedelta(minutes=5))
        info = describe(drs, server_id)["dataReplicationInfo"]
        assert info["lagDuration"] == "PT15M"

    def test_seeded_states_keep_working(self, drs: Any, frozen: Any) -> None:
        stalled = moto_drs.add_source_server(data_replication_state="STALLED")
        assert stalled["dataReplicationInfo"]["dataReplicationError"]["error"] == (
            "AGENT_NOT_SEEN"
        )
        frozen.tick(timedelta(minutes=30))
        server = describe(drs, stalled["sourceServerID"])
        assert server["dataReplicationInfo"]["lagDuration"] == "PT30M"
        assert server["lifeCycle"]["lastSeenByServiceDateTime"] == at(timedelta(0))
        # a seeded STALLED server went through its initial sync: the agent's return is enough
        back = moto_drs.set_data_replication_state(
            stalled["sourceServerID"], "CONTINUOUS"
        )
        assert back["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"


class TestStalledInitiation:
    def test_a_failed_step_and_the_retry(self, drs: Any, slow_initiation: None) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        stalled = moto_drs.set_data_replication_state(
            server_id, "STALLED", error="FAILED_TO_LAUNCH_REPLICATION_SERVER"
        )
        info = stalled["dataReplicationInfo"]
        steps = {
            s["name"]: s["status"] for s in info["dataReplicationInitiation"]["steps"]
        }
        assert steps["CREATE_SECURITY_GROUP"] == "SUCCEEDED"
        assert steps["LAUNCH_REPLICATION_SERVER"] == "FAILED"
        assert steps["START_DATA_TRANSFER"] == "NOT_STARTED"
        assert info["dataReplicationError"]["error"] == (
            "FAILED_TO_LAUNCH_REPLICATION_SERVER"
        )
        with pytest.raises(Exception, match="RetryDataReplication") as refused:
            moto_drs.set_data_replication_state(server_id, "CONTINUOUS")
        assert getattr(refused.value, "code", "ConflictException") == (
            "ConflictException"
        )
        assert describe(drs, server_id)["dataReplicationInfo"][
            "dataReplicationState"
        ] == ("STALLED")
        retried = drs.retry_data_replication(sourceServerID=server_id)
        info = retried["dataReplicationInfo"]
        assert info["dataReplicationState"] == "INITIATING"
        assert "dataReplicationError" not in info
        synced = moto_drs.set_data_replication_state(server_id, "INITIAL_SYNC")
        assert synced["lifeCycle"]["firstByteDateTime"]

    def test_initiation_moves_only_forward(
        self, drs: Any, slow_initiation: None
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        for state in ("CONTINUOUS", "BACKLOG", "RESCAN"):
            with pytest.raises(Exception, match="initiation ends in INITIAL_SYNC"):
                moto_drs.set_data_replication_state(server_id, state)
        moto_drs.set_data_replication_state(server_id, "INITIAL_SYNC")
        moto_drs.set_data_replication_state(server_id, "CONTINUOUS")
        with pytest.raises(Exception, match="initial sync is done"):
            moto_drs.set_data_replication_state(server_id, "INITIAL_SYNC")
        with pytest.raises(Exception, match="initiation error"):
            moto_drs.set_data_replication_state(
                server_id, "STALLED", error="FAILED_TO_CREATE_STAGING_DISKS"
            )


def test_a_retried_stall_keeps_its_lag_a_restart_does_not(
    drs: Any, frozen: Any
) -> None:
    server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    frozen.tick(timedelta(minutes=10))
    moto_drs.set_data_replication_state(server_id, "STALLED")
    state_manager.set_transition(
        "drs::source-server", {"progression": "manual", "times": 1000}
    )
    try:
        frozen.tick(timedelta(minutes=10))
        drs.retry_data_replication(sourceServerID=server_id)
        frozen.tick(timedelta(minutes=10))
        info = describe(drs, server_id)["dataReplicationInfo"]
        assert info["dataReplicationState"] == "INITIATING"
        assert info["lagDuration"] == "PT20M"  # since it was last CONTINUOUS
        drs.stop_replication(sourceServerID=server_id)
        drs.start_replication(sourceServerID=server_id)
        frozen.tick(timedelta(minutes=1))
        info = describe(drs, server_id)["dataReplicationInfo"]
        assert info["lagDuration"] == "PT1M"  # a new series: since its initiation
    finally:
        state_manager.unset_transition("drs::source-server")


class TestAgentApiOverHttp:
    def post(self, url: str, **payload: Any) -> requests.Response:
        return requests.post(f"{url}/data-replication-state", json=payload, timeout=10)

    def test_refusals_change_nothing(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.stop_replication(sourceServerID=server_id)
        refused = self.post(MOTO_API, sourceServerID=server_id, state="CONTINUOUS")
        assert refused.status_code == 409
        body = refused.json()
        assert body["code"] == "ConflictException"
        assert body["resourceId"] == server_id
        assert body["resourceType"] == "SOURCE_SERVER"
        assert "STOPPED" in body["message"]
        assert describe(drs, server_id)["dataReplicationInfo"][
            "dataReplicationState"
        ] == ("STOPPED")
        drs.disconnect_source_server(sourceServerID=server_id)
        gone = self.post(MOTO_API, sourceServerID=server_id, state="STALLED")
        assert gone.status_code == 409

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"state": "STOPPED"}, "state"),
            ({"state": "DISCONNECTED"}, "state"),
            ({"state": "ASLEEP"}, "state"),
            ({"state": "BACKLOG", "error": "AGENT_NOT_SEEN"}, "error"),
            ({"state": "STALLED", "error": "GREMLINS"}, "error"),
            ({"state": "STALLED", "error": 7}, "error"),
        ],
    )
    def test_invalid_requests(
        self, drs: Any, payload: dict[str, Any], field: str
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        answer = self.post(MOTO_API, sourceServerID=server_id, **payload)
        assert answer.status_code == 400
        assert answer.json()["code"] == "ValidationException"
        assert answer.json()["fieldList"][0]["name"].startswith(field)
        info = describe(drs, server_id)["dataReplicationInfo"]
        assert info["dataReplicationState"] == "CONTINUOUS"

    def test_unknown_server(self, drs: Any) -> None:
        answer = self.post(MOTO_API, sourceServerID=MISSING_ID, state="STALLED")
        assert answer.status_code == 404
        assert answer.json()["resourceId"] == MISSING_ID

    def test_server_mode_week_of_health(self, server: Server) -> None:
        drs = server.client()
        drs.initialize_service()
        api = f"{server.url}/moto-api/static/drs"
        server_id = requests.post(f"{api}/source-servers", json={}, timeout=10).json()[
            "sourceServer"
        ]["sourceServerID"]
        assert "lagDuration" not in describe(drs, server_id)["dataReplicationInfo"]
        stalled = self.post(
            api, sourceServerID=server_id, state="STALLED", error="AGENT_NOT_SEEN"
        )
        assert stalled.status_code == 200
        seen = stalled.json()["sourceServer"]["lifeCycle"]["lastSeenByServiceDateTime"]
        requests.post(f"{api}/clock", json={"advanceSeconds": 1800}, timeout=10)
        server_view = describe(drs, server_id)
        assert server_view["dataReplicationInfo"]["lagDuration"].startswith("PT30M")
        assert server_view["lifeCycle"]["lastSeenByServiceDateTime"] == seen
        self.post(api, sourceServerID=server_id, state="CONTINUOUS")
        assert "lagDuration" not in describe(drs, server_id)["dataReplicationInfo"]
        with pytest.raises(ClientError) as error:
            drs.retry_data_replication(sourceServerID=server_id)
        assert_client_error(error.value, "ValidationException", 400, reason="other")


def test_a_rescan_read_after_time_moved_back_shows_no_negative_bytes(
    drs: Any, frozen: Any
) -> None:
    """freezegun's move_to can go back in time; progress then reads as none, never negative."""
    server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    moto_drs.set_data_replication_state(server_id, "RESCAN")
    frozen.move_to(START - timedelta(hours=1))
    disks = describe(drs, server_id)["dataReplicationInfo"]["replicatedDisks"]
    assert [disk["rescannedStorageBytes"] for disk in disks] == [0, 0]
