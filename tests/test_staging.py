"""Extended source servers: servers replicating in a staging account, extended into this (target)
account: ListStagingAccounts, ListExtensibleSourceServers, CreateExtendedSourceServer, and how an
extended server follows its staging server (docs/source-networks.md, "Extended source servers")."""

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import make_drs_client
from shape_check import assert_client_error

import moto_drs

TARGET = "123456789012"
STAGING = "111111111111"
OTHER_STAGING = "222222222222"
ROLE = f"DRSStagingAccountRole_{TARGET}"


def credentials(account_id: str) -> dict[str, str]:
    """Credentials of a role in ``account_id``: moto serves each call in the account of its caller."""
    sts = boto3.client("sts", region_name="us-east-1")
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/admin", RoleSessionName="staging"
    )["Credentials"]
    return {
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"],
    }


def staging_account(account_id: str, trusted: str | None = TARGET) -> Any:
    """An initialized DRS client of a staging account that (by default) trusts the target account."""
    client = make_drs_client(**credentials(account_id))
    client.initialize_service()
    if trusted:
        trust(account_id, trusted)
    return client


def trust(account_id: str, trusted: str) -> None:
    """What the staging account's "Add trusted accounts and create roles" does (user guide)."""
    iam = boto3.client("iam", region_name="us-east-1", **credentials(account_id))
    iam.create_role(
        RoleName=f"DRSStagingAccountRole_{trusted}",
        Path="/service-role/",
        AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}',
    )


def revoke(account_id: str) -> None:
    boto3.client("iam", region_name="us-east-1", **credentials(account_id)).delete_role(
        RoleName=ROLE
    )


def staged(
    hostname: str = "app-1", account_id: str = STAGING, **seed: Any
) -> dict[str, Any]:
    return moto_drs.add_source_server(
        account_id=account_id,
        source_properties={"identificationHints": {"hostname": hostname}},
        **seed,
    )


def error_of(call: Any, **kwargs: Any) -> ClientError:
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value


def described(drs: Any, source_server_id: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = drs.describe_source_servers(
        filters={"sourceServerIDs": [source_server_id]}
    )["items"]
    return items[0]


def state(server: dict[str, Any]) -> str:
    return str(server["dataReplicationInfo"]["dataReplicationState"])


class TestListExtensibleSourceServers:
    def test_lists_the_staging_servers_not_yet_extended_here(self, drs: Any) -> None:
        staging_account(STAGING)
        first = staged("app-1", tags={"tier": "app"})
        second = staged("db-1")
        gone = staged("old-1")
        staging = make_drs_client(**credentials(STAGING))
        staging.disconnect_source_server(sourceServerID=gone["sourceServerID"])
        items = drs.list_extensible_source_servers(stagingAccountID=STAGING)["items"]
        assert items == [
            {"hostname": "app-1", "arn": first["arn"], "tags": {"tier": "app"}},
            {"hostname": "db-1", "arn": second["arn"], "tags": {}},
        ]
        drs.create_extended_source_server(sourceServerArn=first["arn"])
        page = drs.list_extensible_source_servers(
            stagingAccountID=STAGING, maxResults=1
        )
        assert [item["arn"] for item in page["items"]] == [second["arn"]]
        assert "nextToken" not in page

    def test_extensions_are_not_extensible_again(self, drs: Any) -> None:
        # STAGING extends a server of OTHER_STAGING; the target sees only STAGING's own servers
        staging = staging_account(STAGING)
        staging_account(OTHER_STAGING, trusted=STAGING)
        remote = staged("remote-1", account_id=OTHER_STAGING)
        staging.create_extended_source_server(sourceServerArn=remote["arn"])
        own = staged("own-1")
        items = drs.list_extensible_source_servers(stagingAccountID=STAGING)["items"]
        assert [item["arn"] for item in items] == [own["arn"]]
        extension = staging.describe_source_servers(
            filters={"stagingAccountIDs": [OTHER_STAGING]}
        )["items"][0]
        error = error_of(
            drs.create_extended_source_server, sourceServerArn=extension["arn"]
        )
        assert_client_error(error, "ValidationException", 400, reason="other")

    def test_the_staging_account_must_trust_this_account(self, drs: Any) -> None:
        staging_account(STAGING, trusted=None)
        server = staged()
        error = error_of(drs.list_extensible_source_servers, stagingAccountID=STAGING)
        assert_client_error(error, "AccessDeniedException", 403)
        assert ROLE in error.response["message"]
        error = error_of(
            drs.create_extended_source_server, sourceServerArn=server["arn"]
        )
        assert_client_error(error, "AccessDeniedException", 403)
        assert drs.describe_source_servers()["items"] == []

    def test_a_staging_account_without_drs_has_no_servers(self, drs: Any) -> None:
        trust(STAGING, TARGET)
        assert (
            drs.list_extensible_source_servers(stagingAccountID=STAGING)["items"] == []
        )

    def test_this_account_is_not_a_staging_account_of_itself(self, drs: Any) -> None:
        error = error_of(drs.list_extensible_source_servers, stagingAccountID=TARGET)
        assert_client_error(error, "ValidationException", 400)
        assert [field["name"] for field in error.response["fieldList"]] == [
            "stagingAccountID"
        ]


class TestCreateExtendedSourceServer:
    def test_the_extended_server_is_the_staging_server_seen_from_here(
        self, drs: Any
    ) -> None:
        staging_account(STAGING)
        source = staged("app-1", tags={"tier": "app"})
        moto_drs.add_recovery_snapshot(
            source["sourceServerID"], "2026-01-01T00:00:00Z", account_id=STAGING
        )
        response = drs.create_extended_source_server(
            sourceServerArn=source["arn"], tags={"owner": "dr-team"}
        )
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
        extended = response["sourceServer"]
        assert extended["sourceServerID"] != source["sourceServerID"]
        assert (
            extended["arn"]
            == f"arn:aws:drs:us-east-1:{TARGET}:source-server/{extended['sourceServerID']}"
        )
        assert extended["stagingArea"] == {
            "status": "EXTENDED",
            "stagingAccountID": STAGING,
            "stagingSourceServerArn": source["arn"],
        }
        assert extended["tags"] == {"owner": "dr-team"}
        assert extended["sourceProperties"] == source["sourceProperties"]
        assert state(extended) == state(source) == "CONTINUOUS"
        snapshots = drs.describe_recovery_snapshots(
            sourceServerID=extended["sourceServerID"]
        )["items"]
        staging = make_drs_client(**credentials(STAGING))
        originals = staging.describe_recovery_snapshots(
            sourceServerID=source["sourceServerID"]
        )["items"]
        assert [s["snapshotID"] for s in snapshots] == [
            s["snapshotID"] for s in originals
        ]
        assert {s["sourceServerID"] for s in snapshots} == {extended["sourceServerID"]}
        filtered = drs.describe_source_servers(
            filters={"stagingAccountIDs": [STAGING]}
        )["items"]
        assert [s["sourceServerID"] for s in filtered] == [extended["sourceServerID"]]
        assert drs.list_staging_accounts()["accounts"] == [{"accountID": STAGING}]

    def test_refusals(self, drs: Any) -> None:
        staging_account(STAGING)
        source = staged()
        missing = source["arn"][:-17] + "0123456789abcdef0"
        error = error_of(drs.create_extended_source_server, sourceServerArn=missing)
        assert_client_error(
            error,
            "ResourceNotFoundException",
            404,
            resourceId="s-0123456789abcdef0",
            resourceType="SOURCE_SERVER",
        )
        elsewhere = source["arn"].replace(":us-east-1:", ":us-west-2:")
        error = error_of(drs.create_extended_source_server, sourceServerArn=elsewhere)
        assert_client_error(error, "ValidationException", 400)
        assert [field["name"] for field in error.response["fieldList"]] == [
            "sourceServerArn"
        ]
        own = moto_drs.add_source_server()
        error = error_of(drs.create_extended_source_server, sourceServerArn=own["arn"])
        assert_client_error(error, "ValidationException", 400)
        drs.create_extended_source_server(sourceServerArn=source["arn"])
        error = error_of(
            drs.create_extended_source_server, sourceServerArn=source["arn"]
        )
        assert_client_error(error, "ValidationException", 400, reason="other")
        assert len(drs.describe_source_servers()["items"]) == 2

    def test_extended_servers_count_as_source_servers_but_replicate_elsewhere(
        self, drs: Any
    ) -> None:
        staging_account(STAGING)
        sources = [staged(f"app-{n}") for n in range(3)]
        moto_drs.set_quota("replicating_source_servers", 1)
        moto_drs.set_quota("source_servers", 3)
        for source in sources[:2]:
            drs.create_extended_source_server(sourceServerArn=source["arn"])
        moto_drs.add_source_server()  # the one server replicating into this account
        error = error_of(
            drs.create_extended_source_server, sourceServerArn=sources[2]["arn"]
        )
        assert_client_error(
            error, "ServiceQuotaExceededException", 402, quotaCode="L-E28BE5E0"
        )

    def test_uninitialized_target(self, uninitialized_drs: Any) -> None:
        for call, kwargs in (
            (uninitialized_drs.list_staging_accounts, {}),
            (
                uninitialized_drs.list_extensible_source_servers,
                {"stagingAccountID": STAGING},
            ),
        ):
            assert_client_error(
                error_of(call, **kwargs), "UninitializedAccountException", 400
            )


class TestFollowingTheStagingServer:
    def test_replication_is_the_staging_accounts(self, drs: Any) -> None:
        staging = staging_account(STAGING)
        source = staged()
        extended_id = drs.create_extended_source_server(sourceServerArn=source["arn"])[
            "sourceServer"
        ]["sourceServerID"]
        staging.stop_replication(sourceServerID=source["sourceServerID"])
        stopped = described(drs, extended_id)
        assert state(stopped) == "STOPPED"
        assert (
            drs.describe_recovery_snapshots(sourceServerID=extended_id)["items"] == []
        )
        error = error_of(drs.start_replication, sourceServerID=extended_id)
        assert_client_error(
            error,
            "ConflictException",
            409,
            resourceId=extended_id,
            resourceType="SOURCE_SERVER",
        )
        staging.start_replication(sourceServerID=source["sourceServerID"])
        assert state(described(drs, extended_id)) == "CONTINUOUS"
        error = error_of(drs.stop_replication, sourceServerID=extended_id)
        assert_client_error(error, "ConflictException", 409, resourceId=extended_id)

    def test_an_extended_server_is_recovered_into_this_account(
        self, drs: Any, ec2: Any
    ) -> None:
        staging_account(STAGING)
        source = staged()
        extended_id = drs.create_extended_source_server(sourceServerArn=source["arn"])[
            "sourceServer"
        ]["sourceServerID"]
        drs.start_recovery(sourceServers=[{"sourceServerID": extended_id}])
        instance_id = described(drs, extended_id)["recoveryInstanceId"]
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
        assert reservations[0]["OwnerId"] == TARGET

    def test_a_deleted_staging_server_or_a_revoked_role_is_an_extension_error(
        self, drs: Any
    ) -> None:
        staging = staging_account(STAGING)
        kept, deleted = staged("kept"), staged("deleted")
        extended = {
            source["sourceServerID"]: drs.create_extended_source_server(
                sourceServerArn=source["arn"]
            )["sourceServer"]
            for source in (kept, deleted)
        }
        staging.disconnect_source_server(sourceServerID=deleted["sourceServerID"])
        staging.delete_source_server(sourceServerID=deleted["sourceServerID"])
        area = described(drs, extended[deleted["sourceServerID"]]["sourceServerID"])[
            "stagingArea"
        ]
        assert area["status"] == "EXTENSION_ERROR"
        assert deleted["arn"] in area["errorMessage"]
        revoke(STAGING)
        kept_id = extended[kept["sourceServerID"]]["sourceServerID"]
        assert described(drs, kept_id)["stagingArea"]["status"] == "EXTENSION_ERROR"
        trust(STAGING, TARGET)
        area = described(drs, kept_id)["stagingArea"]
        assert area == {
            "status": "EXTENDED",
            "stagingAccountID": STAGING,
            "stagingSourceServerArn": kept["arn"],
        }

    def test_disconnecting_and_deleting_here_leaves_the_staging_server_alone(
        self, drs: Any
    ) -> None:
        staging = staging_account(STAGING)
        source = staged()
        extended_id = drs.create_extended_source_server(sourceServerArn=source["arn"])[
            "sourceServer"
        ]["sourceServerID"]
        disconnected = drs.disconnect_source_server(sourceServerID=extended_id)
        assert (
            state(disconnected) == state(described(drs, extended_id)) == "DISCONNECTED"
        )
        assert state(described(staging, source["sourceServerID"])) == "CONTINUOUS"
        drs.delete_source_server(sourceServerID=extended_id)
        assert drs.list_staging_accounts()["accounts"] == []
        items = drs.list_extensible_source_servers(stagingAccountID=STAGING)["items"]
        assert [item["arn"] for item in items] == [source["arn"]]


def test_list_staging_accounts_pages(drs: Any) -> None:
    for account_id in (OTHER_STAGING, STAGING):
        staging_account(account_id)
        drs.create_extended_source_server(
            sourceServerArn=staged(account_id=account_id)["arn"]
        )
    first = drs.list_staging_accounts(maxResults=1)
    second = drs.list_staging_accounts(maxResults=1, nextToken=first["nextToken"])
    assert first["accounts"] + second["accounts"] == [
        {"accountID": STAGING},
        {"accountID": OTHER_STAGING},
    ]
    error = error_of(drs.list_staging_accounts, nextToken="not-a-token")
    assert_client_error(error, "ValidationException", 400)
