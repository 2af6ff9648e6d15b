"""The README's time example, run as written: the RPO check a user would copy."""

import boto3
import pytest
from freezegun import freeze_time
from moto import settings

import moto_drs
from moto_drs import mock_drs


@pytest.mark.skipif(
    settings.TEST_SERVER_MODE, reason="freezegun steers only this process's clock"
)
@mock_drs
def test_rpo_alarm() -> None:
    drs = boto3.client("drs", region_name="us-east-1")
    drs.initialize_service()
    with freeze_time("2026-06-01 00:00:00") as frozen:
        server = moto_drs.add_source_server()["sourceServerID"]
        frozen.tick(3600)  # an hour of CONTINUOUS replication
        moto_drs.set_data_replication_state(server, "STALLED", error="AGENT_NOT_SEEN")
        frozen.tick(1800)
        info = drs.describe_source_servers()["items"][0]["dataReplicationInfo"]
        assert info["lagDuration"] == "PT30M"
        snapshots = drs.describe_recovery_snapshots(sourceServerID=server)["items"]
        newest = max(snapshot["timestamp"] for snapshot in snapshots)
        assert (
            newest == "2026-06-01T00:50:00.000Z"
        )  # none since the stall: RPO breached
