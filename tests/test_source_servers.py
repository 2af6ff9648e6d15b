"""Source servers: seeding, DescribeSourceServers, Stop/Start/Retry replication, disconnect, delete."""

import re
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import make_drs_client
from shape_check import assert_client_error

import moto_drs

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
MISSING_ID = "s-0123456789abcdef0"


def unvalidated_client() -> Any:
    """A client that sends what it is given, as a raw HTTP caller would."""
    return make_drs_client(config=Config(parameter_validation=False))


def state_of(drs: Any, server_id: str) -> str:
    items = drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ]
    return items[0]["dataReplicationInfo"]["dataReplicationState"]


class TestInitialization:
    def test_every_operation_needs_initialize_service(
        self, uninitialized_drs: Any
    ) -> None:
        calls = [
            lambda: uninitialized_drs.describe_source_servers(),
            lambda: uninitialized_drs.stop_replication(sourceServerID=MISSING_ID),
            lambda: uninitialized_drs.start_replication(sourceServerID=MISSING_ID),
            lambda: uninitialized_drs.describe_recovery_snapshots(
                sourceServerID=MISSING_ID
            ),
            lambda: uninitialized_drs.delete_source_server(sourceServerID=MISSING_ID),
        ]
        for call in calls:
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(error.value, "UninitializedAccountException", 400)

    def test_initialize_is_idempotent_and_per_region(
        self, uninitialized_drs: Any
    ) -> None:
        uninitialized_drs.initialize_service()
        uninitialized_drs.initialize_service()
        assert uninitialized_drs.describe_source_servers()["items"] == []
        other_region = make_drs_client("eu-west-1")
        with pytest.raises(ClientError) as error:
            other_region.describe_source_servers()
        assert_client_error(error.value, "UninitializedAccountException", 400)

    def test_initialize_creates_the_drs_iam_roles(self, uninitialized_drs: Any) -> None:
        uninitialized_drs.initialize_service()
        uninitialized_drs.initialize_service()
        iam = boto3.client("iam", region_name="us-east-1")
        names = {role["RoleName"] for role in iam.list_roles()["Roles"]}
        assert "AWSServiceRoleForElasticDisasterRecovery" in names
        assert "AWSElasticDisasterRecoveryReplicationServerRole" in names
        assert len([n for n in names if "ElasticDisasterRecovery" in n]) == 7

    def test_seeding_into_uninitialized_account_says_what_to_do(
        self, aws: None
    ) -> None:
        with pytest.raises(Exception) as error:
            moto_drs.add_source_server()
        assert "InitializeService" in str(error.value)
        make_drs_client().initialize_service()
        assert make_drs_client().describe_source_servers()["items"] == []


class TestSeededSourceServer:
    def test_every_field_is_realistic_and_consistent(self, drs: Any) -> None:
        seeded = moto_drs.add_source_server(tags={"Name": "web-1"})
        server = drs.describe_source_servers()["items"][0]
        assert server["sourceServerID"] == seeded["sourceServerID"]
        assert re.fullmatch(r"s-[0-9a-f]{17}", server["sourceServerID"])
        assert (
            server["arn"]
            == f"arn:aws:drs:us-east-1:123456789012:source-server/{server['sourceServerID']}"
        )
        assert server["tags"] == {"Name": "web-1"}
        assert server["replicationDirection"] == "FAILOVER"
        assert server["stagingArea"]["status"] == "NOT_EXTENDED"
        assert server["lastLaunchResult"] == "NOT_STARTED"
        assert server["agentVersion"]
        info = server["dataReplicationInfo"]
        assert info["dataReplicationState"] == "CONTINUOUS"
        disks = server["sourceProperties"]["disks"]
        assert [d["deviceName"] for d in info["replicatedDisks"]] == [
            d["deviceName"] for d in disks
        ]
        for disk, replicated in zip(disks, info["replicatedDisks"], strict=True):
            assert (
                replicated["totalStorageBytes"]
                == disk["bytes"]
                == replicated["replicatedStorageBytes"]
            )
            assert replicated["backloggedStorageBytes"] == 0
        assert all(
            step["status"] == "SUCCEEDED"
            for step in info["dataReplicationInitiation"]["steps"]
        )
        life = server["lifeCycle"]
        for key in (
            "addedToServiceDateTime",
            "firstByteDateTime",
            "lastSeenByServiceDateTime",
        ):
            assert ISO.fullmatch(life[key]), key
        assert life["elapsedReplicationDuration"].startswith("P")
        assert ISO.fullmatch(server["sourceProperties"]["lastUpdatedDateTime"])
        assert server["sourceProperties"]["identificationHints"]["hostname"]
        assert "lastLaunch" not in life

    def test_seed_with_own_properties(self, drs: Any) -> None:
        properties = {
            "disks": [{"deviceName": "/dev/sda", "bytes": 50 * 1024**3}],
            "identificationHints": {
                "hostname": "db-1",
                "awsInstanceID": "i-0123456789abcdef0",
            },
        }
        cloud = {"originAccountID": "111122223333", "originRegion": "eu-west-1"}
        seeded = moto_drs.add_source_server(
            source_properties=properties, source_cloud_properties=cloud
        )
        server = drs.describe_source_servers(
            filters={"sourceServerIDs": [seeded["sourceServerID"]]}
        )["items"][0]
        assert server["sourceProperties"]["disks"] == properties["disks"]
        assert server["sourceCloudProperties"] == cloud
        assert [
            d["deviceName"] for d in server["dataReplicationInfo"]["replicatedDisks"]
        ] == ["/dev/sda"]

    def test_seeded_server_does_not_share_the_callers_dicts(self, drs: Any) -> None:
        properties = {"disks": [{"deviceName": "/dev/sda", "bytes": 1024**3}]}
        cloud = {"originRegion": "eu-west-1"}
        server_id = moto_drs.add_source_server(
            source_properties=properties, source_cloud_properties=cloud
        )["sourceServerID"]
        properties["disks"][0]["deviceName"] = "/dev/changed"
        cloud["originRegion"] = "changed"
        server = drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
            "items"
        ][0]
        assert server["sourceProperties"]["disks"][0]["deviceName"] == "/dev/sda"
        assert server["sourceCloudProperties"]["originRegion"] == "eu-west-1"

    @pytest.mark.parametrize(
        "kwargs",
        [
            {
                "source_properties": {
                    "disks": [{"deviceName": "/dev/sda", "bytes": "big"}]
                }
            },
            {"source_properties": {"architecture": "sparc"}},
            {"source_cloud_properties": {"originRegion": 42}},
            {"tags": {"k": "v" * 300}},
        ],
    )
    def test_malformed_seed_is_refused_and_nothing_is_created(
        self, drs: Any, kwargs: dict[str, Any]
    ) -> None:
        with pytest.raises(moto_drs.drs.exceptions.ValidationException) as error:
            moto_drs.add_source_server(**kwargs)
        assert "Cannot seed the source server" in str(error.value)
        assert drs.describe_source_servers()["items"] == []

    def test_seed_into_another_region_and_account(self, aws: None) -> None:
        eu = make_drs_client("eu-west-1")
        eu.initialize_service()
        moto_drs.add_source_server(region_name="eu-west-1")
        assert len(eu.describe_source_servers()["items"]) == 1
        with pytest.raises(Exception) as error:
            moto_drs.add_source_server(region_name="mars-north-1")
        assert "not available" in str(error.value)


class TestDescribeSourceServers:
    def test_filters(self, drs: Any) -> None:
        a = moto_drs.add_source_server(
            source_properties={"identificationHints": {"vmWareUuid": "hw-a"}}
        )
        b = moto_drs.add_source_server()
        by_id = drs.describe_source_servers(
            filters={"sourceServerIDs": [b["sourceServerID"], MISSING_ID]}
        )
        assert [s["sourceServerID"] for s in by_id["items"]] == [b["sourceServerID"]]
        by_hardware = drs.describe_source_servers(filters={"hardwareId": "hw-a"})
        assert [s["sourceServerID"] for s in by_hardware["items"]] == [
            a["sourceServerID"]
        ]
        own_staging = drs.describe_source_servers(
            filters={"stagingAccountIDs": ["123456789012"]}
        )
        assert len(own_staging["items"]) == 2
        assert (
            drs.describe_source_servers(
                filters={"stagingAccountIDs": ["999999999999"]}
            )["items"]
            == []
        )

    def test_pagination_and_paginator(self, drs: Any) -> None:
        ids = [moto_drs.add_source_server()["sourceServerID"] for _ in range(5)]
        first = drs.describe_source_servers(maxResults=2)
        assert len(first["items"]) == 2 and first["nextToken"]
        second = drs.describe_source_servers(maxResults=2, nextToken=first["nextToken"])
        assert [s["sourceServerID"] for s in first["items"] + second["items"]] == ids[
            :4
        ]
        pages = drs.get_paginator("describe_source_servers").paginate(
            PaginationConfig={"PageSize": 2}
        )
        assert [s["sourceServerID"] for page in pages for s in page["items"]] == ids

    def test_bad_paging_input(self, drs: Any) -> None:
        with pytest.raises(ClientError) as error:
            drs.describe_source_servers(nextToken="garbage")
        assert_client_error(
            error.value, "ValidationException", 400, reason="fieldValidationFailed"
        )
        with pytest.raises(ClientError) as error:
            unvalidated_client().describe_source_servers(maxResults=0)
        assert_client_error(
            error.value, "ValidationException", 400, reason="fieldValidationFailed"
        )
        assert error.value.response["fieldList"][0]["name"] == "maxResults"


class TestStopReplication:
    def test_stop_returns_the_whole_stopped_server_and_deletes_snapshots(
        self, drs: Any
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        assert drs.describe_recovery_snapshots(sourceServerID=server_id)["items"]
        stopped = drs.stop_replication(sourceServerID=server_id)["sourceServer"]
        assert stopped["sourceServerID"] == server_id
        assert stopped["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"
        assert "lagDuration" not in stopped["dataReplicationInfo"]
        assert drs.describe_recovery_snapshots(sourceServerID=server_id)["items"] == []
        assert state_of(drs, server_id) == "STOPPED"

    def test_stopping_a_stopped_or_disconnected_server_conflicts(
        self, drs: Any
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.stop_replication(sourceServerID=server_id)
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
        with pytest.raises(ClientError) as error:
            drs.stop_replication(sourceServerID=server_id)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=server_id,
            resourceType="SOURCE_SERVER",
        )

    def test_unknown_and_malformed_ids(self, drs: Any) -> None:
        with pytest.raises(ClientError) as error:
            drs.stop_replication(sourceServerID=MISSING_ID)
        assert_client_error(
            error.value,
            "ResourceNotFoundException",
            404,
            resourceId=MISSING_ID,
            resourceType="SOURCE_SERVER",
        )
        for bad in ("bad", "s-XYZ", "S-0123456789abcdef0", "s-0123456789abcdef!"):
            with pytest.raises(ClientError) as error:
                unvalidated_client().stop_replication(sourceServerID=bad)
            assert_client_error(
                error.value, "ValidationException", 400, reason="fieldValidationFailed"
            )
            assert error.value.response["fieldList"][0]["name"] == "sourceServerID"
        with pytest.raises(ClientError) as error:
            unvalidated_client().stop_replication()
        assert_client_error(
            error.value, "ValidationException", 400, reason="fieldValidationFailed"
        )

    def test_stop_from_every_replicating_state(self, drs: Any) -> None:
        for state in (
            "INITIATING",
            "INITIAL_SYNC",
            "BACKLOG",
            "CREATING_SNAPSHOT",
            "PAUSED",
            "RESCAN",
            "STALLED",
        ):
            server_id = moto_drs.add_source_server(data_replication_state=state)[
                "sourceServerID"
            ]
            assert (
                drs.stop_replication(sourceServerID=server_id)["sourceServer"][
                    "dataReplicationInfo"
                ]["dataReplicationState"]
                == "STOPPED"
            ), state


class TestStartAndRetryReplication:
    def test_start_brings_a_stopped_server_back(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drs.stop_replication(sourceServerID=server_id)
        started = drs.start_replication(sourceServerID=server_id)["sourceServer"]
        assert (
            started["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"
        )  # "immediate" progression
        assert drs.describe_recovery_snapshots(sourceServerID=server_id)["items"]

    def test_start_conflicts_unless_stopped(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        with pytest.raises(ClientError) as error:
            drs.start_replication(sourceServerID=server_id)
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=server_id,
            resourceType="SOURCE_SERVER",
        )
        with pytest.raises(ClientError) as error:
            drs.start_replication(sourceServerID=MISSING_ID)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=MISSING_ID
        )

    def test_retry_restarts_a_stopped_or_disconnected_server(self, drs: Any) -> None:
        stopped = moto_drs.add_source_server()["sourceServerID"]
        drs.stop_replication(sourceServerID=stopped)
        disconnected = moto_drs.add_source_server()["sourceServerID"]
        drs.disconnect_source_server(sourceServerID=disconnected)
        for server_id in (stopped, disconnected):
            retried = drs.retry_data_replication(sourceServerID=server_id)
            assert (
                retried["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"
            )
            assert drs.describe_recovery_snapshots(sourceServerID=server_id)["items"]

    def test_retry_a_stalled_server_only_while_stalled(self, drs: Any) -> None:
        stalled = moto_drs.add_source_server(data_replication_state="STALLED")
        assert (
            stalled["dataReplicationInfo"]["dataReplicationError"]["error"]
            == "AGENT_NOT_SEEN"
        )
        retried = drs.retry_data_replication(sourceServerID=stalled["sourceServerID"])
        assert retried["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"
        assert "dataReplicationError" not in retried["dataReplicationInfo"]
        with pytest.raises(ClientError) as error:
            drs.retry_data_replication(sourceServerID=stalled["sourceServerID"])
        assert_client_error(error.value, "ValidationException", 400, reason="other")
        for state in ("INITIATING", "INITIAL_SYNC", "PAUSED"):
            busy = moto_drs.add_source_server(data_replication_state=state)[
                "sourceServerID"
            ]
            with pytest.raises(ClientError) as error:
                drs.retry_data_replication(sourceServerID=busy)
            assert_client_error(error.value, "ValidationException", 400, reason="other")
        with pytest.raises(ClientError) as error:
            drs.retry_data_replication(sourceServerID=MISSING_ID)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=MISSING_ID
        )


class TestDisconnectAndDelete:
    def test_disconnect_changes_what_the_reference_says(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        server = drs.disconnect_source_server(sourceServerID=server_id)
        info = server["dataReplicationInfo"]
        assert info["dataReplicationState"] == "DISCONNECTED"
        assert all(d["totalStorageBytes"] == 0 for d in info["replicatedDisks"])
        assert "lagDuration" not in info and "etaDateTime" not in info
        assert "stagingAvailabilityZone" not in info
        assert ISO.fullmatch(server["lifeCycle"]["lastSeenByServiceDateTime"])
        assert drs.describe_recovery_snapshots(sourceServerID=server_id)["items"] == []
        again = drs.disconnect_source_server(sourceServerID=server_id)
        assert again["dataReplicationInfo"]["dataReplicationState"] == "DISCONNECTED"
        with pytest.raises(ClientError) as error:
            drs.disconnect_source_server(sourceServerID=MISSING_ID)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=MISSING_ID
        )

    def test_delete_only_a_disconnected_server(self, drs: Any) -> None:
        server = moto_drs.add_source_server(tags={"k": "v"})
        server_id = server["sourceServerID"]
        with pytest.raises(ClientError) as error:
            drs.delete_source_server(sourceServerID=server_id)
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
        with pytest.raises(ClientError) as error:
            drs.list_tags_for_resource(resourceArn=server["arn"])
        assert_client_error(error.value, "ResourceNotFoundException", 404)
        with pytest.raises(ClientError) as error:
            drs.delete_source_server(sourceServerID=server_id)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=server_id
        )


class TestRecoverySnapshots:
    def test_order_filters_and_pagination(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        for stamp in (
            "2026-01-01T00:00:00Z",
            "2026-01-02T00:00:00Z",
            "2026-01-03T00:00:00Z",
        ):
            moto_drs.add_recovery_snapshot(server_id, stamp)
        ascending = drs.describe_recovery_snapshots(
            sourceServerID=server_id, order="ASC"
        )["items"]
        stamps = [s["timestamp"] for s in ascending]
        assert stamps == sorted(stamps) and len(stamps) == 4
        descending = drs.describe_recovery_snapshots(
            sourceServerID=server_id, order="DESC"
        )["items"]
        assert [s["snapshotID"] for s in descending] == [
            s["snapshotID"] for s in reversed(ascending)
        ]
        window = drs.describe_recovery_snapshots(
            sourceServerID=server_id,
            filters={
                "fromDateTime": "2026-01-02T00:00:00Z",
                "toDateTime": "2026-01-03T00:00:00Z",
            },
        )["items"]
        assert [s["timestamp"][:10] for s in window] == ["2026-01-02", "2026-01-03"]
        pages = drs.get_paginator("describe_recovery_snapshots").paginate(
            sourceServerID=server_id, order="ASC", PaginationConfig={"PageSize": 3}
        )
        assert [s["snapshotID"] for page in pages for s in page["items"]] == [
            s["snapshotID"] for s in ascending
        ]
        for snapshot in ascending:
            assert snapshot["sourceServerID"] == server_id
            assert len(snapshot["ebsSnapshots"]) == 2
            datetime.fromisoformat(snapshot["expectedTimestamp"].replace("Z", "+00:00"))

    def test_unknown_server_lists_nothing(self, drs: Any) -> None:
        # a read: the model lists no ResourceNotFoundException for this operation
        answer = drs.describe_recovery_snapshots(sourceServerID=MISSING_ID)
        assert answer["items"] == [] and "nextToken" not in answer
        with pytest.raises(ClientError) as error:  # its filters are still checked
            unvalidated_client().describe_recovery_snapshots(
                sourceServerID=MISSING_ID, filters={"fromDateTime": "yesterday"}
            )
        assert_client_error(error.value, "ValidationException", 400)

    def test_errors(self, drs: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        with pytest.raises(ClientError) as error:
            unvalidated_client().describe_recovery_snapshots(
                sourceServerID=server_id, order="SIDEWAYS"
            )
        assert_client_error(
            error.value, "ValidationException", 400, reason="fieldValidationFailed"
        )
        with pytest.raises(ClientError) as error:
            unvalidated_client().describe_recovery_snapshots(
                sourceServerID=server_id, filters={"fromDateTime": "yesterday"}
            )
        assert_client_error(error.value, "ValidationException", 400)


class TestTags:
    def test_tag_untag_list(self, drs: Any) -> None:
        arn = moto_drs.add_source_server(tags={"a": "1"})["arn"]
        drs.tag_resource(resourceArn=arn, tags={"b": "2", "a": "3"})
        assert drs.list_tags_for_resource(resourceArn=arn)["tags"] == {
            "a": "3",
            "b": "2",
        }
        drs.untag_resource(resourceArn=arn, tagKeys=["a", "missing"])
        assert drs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
        assert drs.describe_source_servers()["items"][0]["tags"] == {"b": "2"}

    def test_unknown_resource(self, drs: Any) -> None:
        arn = f"arn:aws:drs:us-east-1:123456789012:source-server/{MISSING_ID}"
        for call in (
            lambda: drs.tag_resource(resourceArn=arn, tags={"a": "b"}),
            lambda: drs.untag_resource(resourceArn=arn, tagKeys=["a"]),
            lambda: drs.list_tags_for_resource(resourceArn=arn),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(
                error.value, "ResourceNotFoundException", 404, resourceId=arn
            )

    def test_arn_is_taken_literally(self, drs: Any) -> None:
        arn = (
            moto_drs.add_source_server()["arn"] + "%41"
        )  # a literal percent sign, not an escape
        with pytest.raises(ClientError) as error:
            drs.list_tags_for_resource(resourceArn=arn)
        assert_client_error(
            error.value, "ResourceNotFoundException", 404, resourceId=arn
        )

    def test_tag_operations_do_not_need_initialization(
        self, uninitialized_drs: Any
    ) -> None:
        arn = f"arn:aws:drs:us-east-1:123456789012:source-server/{MISSING_ID}"
        with pytest.raises(ClientError) as error:
            uninitialized_drs.list_tags_for_resource(resourceArn=arn)
        assert_client_error(error.value, "ResourceNotFoundException", 404)


def test_sts_assumed_role_sees_its_own_account(drs: Any) -> None:
    moto_drs.add_source_server()
    sts = boto3.client("sts", region_name="us-east-1")
    creds = sts.assume_role(
        RoleArn="arn:aws:iam::111111111111:role/dr", RoleSessionName="drill"
    )["Credentials"]
    other = make_drs_client(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    with pytest.raises(ClientError) as error:
        other.describe_source_servers()
    assert_client_error(error.value, "UninitializedAccountException", 400)
    other.initialize_service()
    assert other.describe_source_servers()["items"] == []
    server = moto_drs.add_source_server(account_id="111111111111")
    assert server["arn"].startswith("arn:aws:drs:us-east-1:111111111111:source-server/")
    assert len(other.describe_source_servers()["items"]) == 1


class TestPagingWhileTheFleetChanges:
    def test_deleting_the_next_item_does_not_break_the_listing(self, drs: Any) -> None:
        ids = [moto_drs.add_source_server()["sourceServerID"] for _ in range(6)]
        first = drs.describe_source_servers(maxResults=2)
        next_id = ids[2]  # the item the token names
        drs.disconnect_source_server(sourceServerID=next_id)
        drs.delete_source_server(sourceServerID=next_id)
        rest = drs.describe_source_servers(maxResults=10, nextToken=first["nextToken"])[
            "items"
        ]
        assert [s["sourceServerID"] for s in first["items"] + rest] == ids[:2] + ids[3:]

    def test_an_empty_token_is_no_token(self, drs: Any) -> None:
        moto_drs.add_source_server()
        assert len(drs.describe_source_servers(nextToken="")["items"]) == 1


def test_launch_results_show_on_the_server_as_jobs_move_in_time(drs: Any) -> None:
    from moto.moto_api import state_manager

    server_id = moto_drs.add_source_server()["sourceServerID"]
    state_manager.set_transition("drs::job", {"progression": "time", "seconds": 0})
    try:
        drs.start_recovery(sourceServers=[{"sourceServerID": server_id}], isDrill=True)
        results = []
        for _ in range(6):  # only DescribeSourceServers is polled, never DescribeJobs
            server = drs.describe_source_servers(
                filters={"sourceServerIDs": [server_id]}
            )["items"][0]
            results.append(server["lastLaunchResult"])
        assert results[-1] == "SUCCEEDED"
        assert (
            server["recoveryInstanceId"]
            and server["lifeCycle"]["lastLaunch"]["status"] == "LAUNCHED"
        )
    finally:
        state_manager.unset_transition("drs::job")
