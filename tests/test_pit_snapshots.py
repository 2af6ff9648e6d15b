"""Point-in-time snapshots by policy (docs/pit-snapshots.md): the schedule counted from when the
server reached CONTINUOUS, retention pruning, pitPolicy changes, real EBS snapshots in moto's EC2,
lazy materialisation, and extended servers that inherit their staging server's configuration."""

from datetime import timedelta
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from conftest import Server, in_process_only
from freezegun import freeze_time
from shape_check import assert_client_error
from test_staging import STAGING, credentials, error_of, staged, staging_account

import moto_drs

START = "2026-03-01 00:00:00"
MANAGED = {
    "Name": "tag:AWSElasticDisasterRecoveryManaged",
    "Values": ["drs.amazonaws.com"],
}


def snapshots(drs: Any, source_server_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    pages = drs.get_paginator("describe_recovery_snapshots").paginate(
        sourceServerID=source_server_id, **kwargs
    )
    return [item for page in pages for item in page["items"]]


def stamps(items: list[dict[str, Any]]) -> list[str]:
    return [item["timestamp"] for item in items]


def policy(days: int) -> list[dict[str, Any]]:
    """The user guide's policy: MINUTE 10/60 and HOUR 1/24 fixed, DAY retention ``days``."""
    return [
        {
            "ruleID": 1,
            "units": "MINUTE",
            "interval": 10,
            "retentionDuration": 60,
            "enabled": True,
        },
        {
            "ruleID": 2,
            "units": "HOUR",
            "interval": 1,
            "retentionDuration": 24,
            "enabled": True,
        },
        {
            "ruleID": 3,
            "units": "DAY",
            "interval": 1,
            "retentionDuration": days,
            "enabled": True,
        },
    ]


def ebs_ids(items: list[dict[str, Any]]) -> list[str]:
    return [ebs for item in items for ebs in item["ebsSnapshots"]]


def missing_from_ec2(ec2: Any, ebs_id: str) -> bool:
    with pytest.raises(ClientError) as error:
        ec2.describe_snapshots(SnapshotIds=[ebs_id])
    return error.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"


class TestSchedule:
    @in_process_only  # freezegun freezes this process, not the server
    def test_default_policy_counted_from_continuous(self, drs: Any, ec2: Any) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            assert stamps(snapshots(drs, server_id)) == ["2026-03-01T00:00:00.000Z"]
            frozen.tick(timedelta(days=3, minutes=5))
            items = snapshots(drs, server_id)
        # every 10 minutes kept 1 hour, hourly kept 24 hours, daily kept 7 days
        minutes = [f"2026-03-03T23:{m}0:00.000Z" for m in range(1, 6)]
        hours = [f"2026-03-03T{h:02d}:00:00.000Z" for h in range(1, 24)]
        days = [f"2026-03-0{d}T00:00:00.000Z" for d in (1, 2, 3)]
        assert stamps(items) == sorted(
            days + hours + minutes + ["2026-03-04T00:00:00.000Z"]
        )
        assert len(items) == 32
        found = ec2.describe_snapshots(SnapshotIds=ebs_ids(items))["Snapshots"]
        assert len(found) == 2 * 32
        by_id = {s["SnapshotId"]: s for s in found}
        for item in items:
            assert item["expectedTimestamp"] == item["timestamp"]
            for ebs_id in item["ebsSnapshots"]:
                tags = {t["Key"]: t["Value"] for t in by_id[ebs_id]["Tags"]}
                assert tags == {
                    "AWSElasticDisasterRecoveryManaged": "drs.amazonaws.com",
                    "AWSElasticDisasterRecoverySourceServerID": server_id,
                }
                assert (
                    by_id[ebs_id]["StartTime"].strftime("%Y-%m-%dT%H:%M")
                    == (item["timestamp"][:16])
                )

    @in_process_only  # freezegun freezes this process, not the server
    def test_retention_prunes_from_drs_and_ec2(self, drs: Any, ec2: Any) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            first = snapshots(drs, server_id)
            frozen.tick(timedelta(days=11, minutes=5))
            items = snapshots(drs, server_id)
        daily = [s for s in stamps(items) if s.endswith("T00:00:00.000Z")]
        assert daily == [f"2026-03-{d:02d}T00:00:00.000Z" for d in range(6, 13)]
        assert first[0]["snapshotID"] not in {s["snapshotID"] for s in items}
        assert all(missing_from_ec2(ec2, ebs) for ebs in ebs_ids(first))

    @in_process_only  # freezegun freezes this process, not the server
    def test_filters_order_and_paging(self, drs: Any) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            snapshots(drs, server_id)
            frozen.tick(timedelta(hours=30))
            ascending = snapshots(drs, server_id, order="ASC")
            descending = snapshots(drs, server_id, order="DESC")
            window = snapshots(
                drs,
                server_id,
                filters={
                    "fromDateTime": "2026-03-01T12:00:00Z",
                    "toDateTime": "2026-03-01T14:00:00Z",
                },
            )
            paged = snapshots(
                drs, server_id, order="ASC", PaginationConfig={"PageSize": 4}
            )
        assert stamps(ascending) == sorted(stamps(ascending))
        assert descending == list(reversed(ascending))
        assert stamps(window) == [
            "2026-03-01T12:00:00.000Z",
            "2026-03-01T13:00:00.000Z",
            "2026-03-01T14:00:00.000Z",
        ]
        assert paged == ascending

    @in_process_only  # freezegun freezes this process, not the server
    @pytest.mark.parametrize(
        ("order", "tick", "rest"),
        [
            # 00:00-00:30 on page one; the token's 00:40 and all before it but the daily 00:00
            # are pruned by the next page: it goes on with 00:50, not 01:20
            ("ASC", 46, ["00:50", "01:00", "01:10", "01:20", "01:30", "01:40"]),
            # 00:50-00:20 on page one; the token's 00:10 is pruned: only 00:00 is left to list
            ("DESC", 26, ["00:00"]),
        ],
    )
    def test_paging_goes_on_after_the_token_snapshot_was_pruned(
        self, drs: Any, order: str, tick: int, rest: list[str]
    ) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            snapshots(drs, server_id)
            frozen.tick(timedelta(minutes=55))
            first = drs.describe_recovery_snapshots(
                sourceServerID=server_id, order=order, maxResults=4
            )
            frozen.tick(timedelta(minutes=tick))
            following, token = [], first["nextToken"]
            while token:
                page = drs.describe_recovery_snapshots(
                    sourceServerID=server_id, order=order, maxResults=4, nextToken=token
                )
                following += page["items"]
                token = page.get("nextToken")
        seen = {item["snapshotID"] for item in first["items"]}
        assert not seen & {item["snapshotID"] for item in following}
        assert [s[11:16] for s in stamps(following)] == rest

    @in_process_only  # freezegun freezes this process, not the server
    def test_stop_deletes_and_start_begins_a_new_series(
        self, drs: Any, ec2: Any
    ) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            frozen.tick(timedelta(minutes=1))
            before = snapshots(drs, server_id)
            frozen.tick(timedelta(minutes=30))
            before = snapshots(drs, server_id)
            assert len(before) == 4
            drs.stop_replication(sourceServerID=server_id)
            assert snapshots(drs, server_id) == []
            assert all(missing_from_ec2(ec2, ebs) for ebs in ebs_ids(before))
            frozen.tick(timedelta(minutes=7))
            drs.start_replication(sourceServerID=server_id)
            assert stamps(snapshots(drs, server_id)) == ["2026-03-01T00:38:00.000Z"]
            frozen.tick(timedelta(minutes=10))
            assert stamps(snapshots(drs, server_id)) == [
                "2026-03-01T00:38:00.000Z",
                "2026-03-01T00:48:00.000Z",
            ]

    def test_seeded_servers_nobody_reads_hold_no_ebs_snapshot(
        self, drs: Any, ec2: Any
    ) -> None:
        for _ in range(20):
            moto_drs.add_source_server(data_replication_state="CONTINUOUS")
        assert len(drs.describe_source_servers()["items"]) == 20
        assert ec2.describe_snapshots(Filters=[MANAGED])["Snapshots"] == []


class TestPolicy:
    @in_process_only  # freezegun freezes this process, not the server
    def test_a_policy_change_takes_effect_from_that_moment(
        self, drs: Any, ec2: Any
    ) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            snapshots(drs, server_id)
            frozen.tick(timedelta(days=5, minutes=5))
            items = snapshots(drs, server_id)
            oldest = items[0]
            assert oldest["timestamp"] == "2026-03-01T00:00:00.000Z"
            drs.update_replication_configuration(
                sourceServerID=server_id, pitPolicy=policy(2)
            )
            after = snapshots(drs, server_id)
            daily = [s for s in stamps(after) if s.endswith("T00:00:00.000Z")]
            assert daily == ["2026-03-05T00:00:00.000Z", "2026-03-06T00:00:00.000Z"]
            assert missing_from_ec2(ec2, oldest["ebsSnapshots"][0])
            # a longer retention later does not bring pruned snapshots back
            drs.update_replication_configuration(
                sourceServerID=server_id, pitPolicy=policy(30)
            )
            assert snapshots(drs, server_id) == after
            error = error_of(
                drs.start_recovery,
                sourceServers=[
                    {
                        "sourceServerID": server_id,
                        "recoverySnapshotID": oldest["snapshotID"],
                    }
                ],
            )
        assert_client_error(
            error,
            "ConflictException",
            409,
            resourceId=oldest["snapshotID"],
            resourceType="RECOVERY_SNAPSHOT",
        )

    @in_process_only  # freezegun freezes this process, not the server
    def test_the_template_policy_applies_to_new_servers(
        self, drs: Any, ec2: Any
    ) -> None:
        subnet_id = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        with freeze_time(START) as frozen:
            drs.create_replication_configuration_template(
                **TEMPLATE, stagingAreaSubnetId=subnet_id, pitPolicy=policy(1)
            )
            server_id = moto_drs.add_source_server()["sourceServerID"]
            snapshots(drs, server_id)
            frozen.tick(timedelta(days=3))
            items = snapshots(drs, server_id)
        assert stamps(items)[0] == "2026-03-03T01:00:00.000Z"  # hourly, 23 h old
        assert "2026-03-03T00:00:00.000Z" not in stamps(items)  # daily kept one day

    @in_process_only  # freezegun freezes this process, not the server
    def test_on_demand_snapshot_of_a_recovery(self, drs: Any, ec2: Any) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            snapshots(drs, server_id)
            frozen.tick(timedelta(minutes=25))
            drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])
            items = snapshots(drs, server_id)
            on_demand = [s for s in items if s["timestamp"].endswith("25:00.000Z")]
            assert len(on_demand) == 1
            instance = drs.describe_recovery_instances()["items"][0]
            assert instance["pointInTimeSnapshotDateTime"] == on_demand[0]["timestamp"]
            assert ec2.describe_snapshots(SnapshotIds=on_demand[0]["ebsSnapshots"])
            frozen.tick(timedelta(minutes=60))
            assert on_demand[0]["snapshotID"] not in {
                s["snapshotID"] for s in snapshots(drs, server_id)
            }

    @in_process_only  # freezegun freezes this process, not the server
    def test_on_demand_snapshot_lives_when_every_rule_is_disabled(
        self, drs: Any, ec2: Any
    ) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            disabled = [dict(rule, enabled=False) for rule in policy(7)]
            drs.update_replication_configuration(
                sourceServerID=server_id, pitPolicy=disabled
            )
            frozen.tick(timedelta(minutes=5))
            job = drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])
            items = snapshots(drs, server_id)
            log = drs.describe_job_log_items(jobID=job["job"]["jobID"])["items"]
        # the snapshot the launch takes and uses stays (in DRS and in EC2)
        assert stamps(items) == ["2026-03-01T00:05:00.000Z"]
        conversion = next(i for i in log if i["event"] == "CONVERSION_END")
        used = conversion["eventData"]["conversionProperties"]["volumeToConversionMap"]
        used_ids = [ebs for volume in used.values() for ebs in volume]
        assert sorted(used_ids) == sorted(items[0]["ebsSnapshots"])
        assert len(ec2.describe_snapshots(SnapshotIds=used_ids)["Snapshots"]) == 2


TEMPLATE = {
    "associateDefaultSecurityGroup": True,
    "bandwidthThrottling": 0,
    "createPublicIP": False,
    "dataPlaneRouting": "PRIVATE_IP",
    "defaultLargeStagingDiskType": "GP3",
    "ebsEncryption": "DEFAULT",
    "replicationServerInstanceType": "t3.small",
    "replicationServersSecurityGroupsIDs": [],
    "stagingAreaTags": {},
    "useDedicatedReplicationServer": False,
}


class TestExtendedServers:
    def test_the_staging_servers_configuration_and_snapshots(
        self, drs: Any, ec2: Any
    ) -> None:
        staging = staging_account(STAGING)
        source = staged("app-1")
        staging.update_replication_configuration(
            sourceServerID=source["sourceServerID"],
            pitPolicy=policy(14),
            bandwidthThrottling=50,
        )
        extended_id = drs.create_extended_source_server(sourceServerArn=source["arn"])[
            "sourceServer"
        ]["sourceServerID"]
        config = drs.get_replication_configuration(sourceServerID=extended_id)
        assert config["sourceServerID"] == extended_id
        assert config["pitPolicy"] == policy(14)
        assert config["bandwidthThrottling"] == 50
        error = error_of(
            drs.update_replication_configuration,
            sourceServerID=extended_id,
            bandwidthThrottling=10,
        )
        assert_client_error(
            error,
            "ConflictException",
            409,
            resourceId=extended_id,
            resourceType="SOURCE_SERVER",
        )
        assert (
            drs.get_replication_configuration(sourceServerID=extended_id)[
                "bandwidthThrottling"
            ]
            == 50
        )
        items = snapshots(drs, extended_id)
        assert items
        staging_ec2 = boto3.client(
            "ec2", region_name="us-east-1", **credentials(STAGING)
        )
        assert staging_ec2.describe_snapshots(SnapshotIds=ebs_ids(items))["Snapshots"]
        assert ec2.describe_snapshots(Filters=[MANAGED])["Snapshots"] == []


class TestWeek:
    @in_process_only  # freezegun freezes this process, not the server
    def test_a_week_stall_recover_policy_change_pruning_and_recovery(
        self, drs: Any, ec2: Any
    ) -> None:
        """Issue 10's week: a stall, its recovery, a policy change, retention pruning, and a
        recovery to a chosen point in time."""
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            day_zero = snapshots(drs, server_id)
            frozen.tick(timedelta(days=1))
            drs.update_replication_configuration(
                sourceServerID=server_id, pitPolicy=policy(3)
            )
            frozen.tick(timedelta(days=4, hours=10, minutes=5))  # March 6, 10:05
            moto_drs.set_data_replication_state(server_id, "STALLED", "AGENT_NOT_SEEN")
            frozen.tick(timedelta(hours=4))  # no snapshot while stalled
            moto_drs.set_data_replication_state(server_id, "CONTINUOUS")
            frozen.tick(timedelta(hours=11, minutes=25))  # March 7, 01:30
            items = snapshots(drs, server_id)
            daily = [s for s in stamps(items) if s.endswith("T00:00:00.000Z")]
            assert daily[0] == "2026-03-05T00:00:00.000Z"  # three days kept
            assert all(missing_from_ec2(ec2, ebs) for ebs in ebs_ids(day_zero))
            hours_of_march_6 = [
                s[11:13] for s in stamps(items) if s.startswith("2026-03-06")
            ]
            # the daily one at 00:00, hourly ones of the last 24 hours, none while stalled
            assert hours_of_march_6 == ["00"] + [
                f"{h:02d}" for h in range(2, 24) if h not in (11, 12, 13, 14)
            ]
            # "can I recover to the state of yesterday 02:00?"
            yesterday = next(
                s for s in items if s["timestamp"] == "2026-03-06T02:00:00.000Z"
            )
            job = drs.start_recovery(
                sourceServers=[
                    {
                        "sourceServerID": server_id,
                        "recoverySnapshotID": yesterday["snapshotID"],
                    }
                ]
            )["job"]
            instance = drs.describe_recovery_instances()["items"][0]
            log = drs.describe_job_log_items(jobID=job["jobID"])["items"]
        assert instance["pointInTimeSnapshotDateTime"] == "2026-03-06T02:00:00.000Z"
        events = [item["event"] for item in log]
        assert "USING_PREVIOUS_SNAPSHOT" in events
        conversion = next(i for i in log if i["event"] == "CONVERSION_END")
        used = conversion["eventData"]["conversionProperties"]["volumeToConversionMap"]
        used_ids = [ebs for volume in used.values() for ebs in volume]
        assert sorted(used_ids) == sorted(yesterday["ebsSnapshots"])
        assert len(ec2.describe_snapshots(SnapshotIds=used_ids)["Snapshots"]) == 2


def test_schedule_and_pruning_over_http_with_the_drs_clock(server: Server) -> None:
    drs = server.client()
    drs.initialize_service()
    seeded = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
    ).json()["sourceServer"]
    server_id = seeded["sourceServerID"]
    first = snapshots(drs, server_id)
    assert len(first) == 1

    def advance(seconds: int) -> None:
        requests.post(
            f"{server.url}/moto-api/static/drs/clock",
            json={"advanceSeconds": seconds},
            timeout=10,
        ).raise_for_status()

    advance(2 * 3600 + 300)
    items = snapshots(drs, server_id)
    # six 10-minute snapshots of the last hour, and the hourly ones at 0 h and 1 h
    assert len(items) == 8
    ec2 = server.client("ec2")
    assert len(ec2.describe_snapshots(SnapshotIds=ebs_ids(items))["Snapshots"]) == 16
    advance(3600)
    later = {s["snapshotID"] for s in snapshots(drs, server_id)}
    pruned = [s for s in items if s["snapshotID"] not in later]
    assert len(pruned) == 5  # the 10-minute snapshots that were not also hourly
    assert all(missing_from_ec2(ec2, ebs) for ebs in ebs_ids(pruned))
    assert first[0]["snapshotID"] in later  # hourly (and daily): kept


def test_snapshots_over_http(server: Server) -> None:
    drs = server.client()
    drs.initialize_service()
    seeded = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
    ).json()["sourceServer"]
    server_id = seeded["sourceServerID"]
    items = snapshots(drs, server_id)
    assert len(items) == 1
    ec2 = server.client("ec2")
    found = ec2.describe_snapshots(SnapshotIds=ebs_ids(items))["Snapshots"]
    assert {t["Key"] for s in found for t in s["Tags"]} == {
        "AWSElasticDisasterRecoveryManaged",
        "AWSElasticDisasterRecoverySourceServerID",
    }
    drs.stop_replication(sourceServerID=server_id)
    assert snapshots(drs, server_id) == []
    assert ec2.describe_snapshots(Filters=[MANAGED])["Snapshots"] == []


def test_a_rule_added_later_hears_no_snapshot_older_than_retention(drs: Any) -> None:
    """A server nobody read for two days, then an EventBridge rule: the first DRS call announces
    the snapshots still within retention, not every ten minutes since the server was seeded
    (that was linear in the elapsed time, for every server of the fleet)."""
    from test_events import PIT, Listener, pattern

    server_id = moto_drs.add_source_server()["sourceServerID"]
    moto_drs.advance_clock(2 * 86400 + 300)
    listener = Listener(pattern(PIT))
    drs.describe_jobs()
    events = listener.received()
    items = snapshots(drs, server_id, order="ASC")
    assert len(items) == 5 + 24 + 2  # 10-minute, hourly, daily ones not also hourly
    assert [e["detail"]["DrsSnapshotID"] for e in events] == [
        item["snapshotID"] for item in items
    ]


def test_events_name_snapshots_that_are_created_only_when_read(
    drs: Any, ec2: Any
) -> None:
    """The event sweep of a fleet derives each snapshot's IDs from (server, moment) instead of
    creating it (and its EBS snapshots) to name it; a read creates it with those IDs."""
    from test_events import PIT, Listener, pattern

    servers = [
        moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
            "sourceServerID"
        ]
        for _ in range(3)
    ]
    listener = Listener(pattern(PIT))
    moto_drs.advance_clock(25 * 60)
    drs.describe_jobs()  # any DRS call sweeps the fleet
    events = listener.received()
    assert len(events) >= 6
    assert ec2.describe_snapshots(Filters=[MANAGED])["Snapshots"] == []
    named = {
        (e["detail"]["DrsSnapshotID"], e["detail"]["EbsSnapshotIDs"]) for e in events
    }
    items = [
        item
        for server_id in servers
        for item in snapshots(drs, server_id)
        if (item["snapshotID"], ",".join(item["ebsSnapshots"])) in named
    ]
    assert len(items) == len(events)
    found = ec2.describe_snapshots(SnapshotIds=ebs_ids(items))["Snapshots"]
    assert len(found) == len(ebs_ids(items))
