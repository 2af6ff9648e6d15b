"""Regression tests from the review of jobs, recovery instances, failback, recovery plans, source
networks, staging, quotas and faults: each failed before its fix."""

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError
from shape_check import assert_client_error

import moto_drs
from moto_drs.drs.models import drs_backends, failback

ACCOUNT = "123456789012"
EC2_ORIGIN = {"originAccountID": ACCOUNT, "originRegion": "us-west-2", "originAvailabilityZone": "us-west-2b"}


def launched_from_ec2(drs: Any) -> tuple[str, str]:
    """A source server that originated in us-west-2 and its recovery instance in us-east-1."""
    server_id = moto_drs.add_source_server(source_cloud_properties=EC2_ORIGIN)["sourceServerID"]
    drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])
    items = drs.describe_recovery_instances(filters={"sourceServerIDs": [server_id]})["items"]
    return server_id, items[0]["recoveryInstanceID"]


def test_reverse_replication_changes_the_origin_region_only_under_its_lock(drs: Any, monkeypatch: Any) -> None:
    """ReverseReplication initialized the origin Region's DRS (IAM roles and all) before taking that
    backend's lock, so it raced with requests served there and changed it even when it then answered
    ThrottlingException because the origin was busy."""
    monkeypatch.setattr(failback, "ORIGIN_LOCK_TIMEOUT_SECONDS", 0.2)
    server_id, instance_id = launched_from_ec2(drs)
    origin = drs_backends[ACCOUNT]["us-west-2"]
    assert not origin.initialized

    holding, release = threading.Event(), threading.Event()

    def hold_origin() -> None:
        with origin.lock:
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_origin)
    holder.start()
    try:
        assert holding.wait(5)
        with pytest.raises(ClientError) as error:
            drs.reverse_replication(recoveryInstanceID=instance_id)
        assert_client_error(error.value, "ThrottlingException", 429)
        assert not origin.initialized  # nothing changed in the busy Region
        assert (
            drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})["items"][0].get(
                "reversedDirectionSourceServerArn"
            )
            is None
        )
    finally:
        release.set()
        holder.join()

    arn = drs.reverse_replication(recoveryInstanceID=instance_id)["reversedDirectionSourceServerArn"]
    assert origin.initialized
    reversed_server = origin.source_servers[arn.rsplit("/", 1)[-1]]
    assert reversed_server.reversed_direction_source_server_arn.endswith(server_id)
