"""Edge cases of requests and seeding input: answers serialized under the lock, paging tokens,
query-string integers, date filters, seeding arguments of the wrong type or account, tag limits,
and what stopped servers report as replicated. Each once failed."""

import base64
import json
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import Server, in_process_only, moto_api_url
from shape_check import assert_client_error

import moto_drs
from moto_drs.drs.exceptions import ValidationException
from moto_drs.drs.models import drs_backends
from moto_drs.drs.models.source_servers import SourceServer

MOTO_API = moto_api_url() + "/moto-api/static/drs"


@in_process_only  # watches the in-process backend's lock
def test_answer_is_serialized_under_the_backend_lock(
    drs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The serializer reads live state (tags, replication state); outside the lock a concurrent
    TagResource showed half-applied tags in DescribeSourceServers, or crashed it with
    'dictionary changed size during iteration'."""
    moto_drs.add_source_server(tags={"a": "1"})
    backend = drs_backends["123456789012"]["us-east-1"]
    held: list[bool] = []
    original = SourceServer.tags

    def tags(self: SourceServer) -> dict[str, str]:
        held.append(backend.lock._is_owned())  # type: ignore[attr-defined]
        return original.fget(self)  # type: ignore[attr-defined,no-any-return]

    monkeypatch.setattr(SourceServer, "tags", property(tags))
    items = drs.describe_source_servers()["items"]
    assert items[0]["tags"] == {"a": "1"}
    assert held and all(held)


@pytest.mark.parametrize(
    "decoded", ['"abc"', "1", "null", "true", '{"parameterChecksum": 1}']
)
def test_next_token_that_is_not_a_token_object(drs: Any, decoded: str) -> None:
    moto_drs.add_source_server()
    token = base64.b64encode(decoded.encode()).decode()
    with pytest.raises(ClientError) as e:
        drs.describe_source_servers(nextToken=token)
    assert_client_error(
        e.value, "ValidationException", 400, reason="fieldValidationFailed"
    )
    assert [f["name"] for f in e.value.response["fieldList"]] == ["nextToken"]


def test_token_without_unique_attributes_but_right_checksum(drs: Any) -> None:
    """A token carrying the right checksum but no item used to crash with KeyError."""
    from moto_drs.drs.models.paging import paginate_list

    good = paginate_list(["a", "b"], "x", 1, None)[1]
    assert good is not None
    decoded = json.loads(base64.b64decode(good))
    del decoded["uniqueAttributes"]
    bad = base64.b64encode(json.dumps(decoded).encode()).decode()
    with pytest.raises(ValidationException):
        paginate_list(["a", "b"], "x", 1, bad)


@pytest.mark.parametrize("value", ["%C2%B2", "--5", "%D9%A3"])
def test_query_string_integer_that_python_reads_oddly(
    server: Server, value: str
) -> None:
    """'²' passed str.isdigit() and then crashed int() (an HTML 500); '--5' too."""
    client = server.client()
    client.initialize_service()

    def add_value(request: Any, **_: Any) -> None:
        request.url += f"?maxResults={value}"

    client.meta.events.register("before-sign.drs.ListStagingAccounts", add_value)
    with pytest.raises(ClientError) as e:
        client.list_staging_accounts()
    assert_client_error(
        e.value, "ValidationException", 400, reason="fieldValidationFailed"
    )
    assert [f["name"] for f in e.value.response["fieldList"]] == ["maxResults"]


@pytest.mark.parametrize("member", ["fromDateTime", "toDateTime"])
def test_snapshot_filter_with_a_date_no_calendar_has(drs: Any, member: str) -> None:
    """2024-02-31 matches the model's pattern; it used to crash fromisoformat (500)."""
    server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    with pytest.raises(ClientError) as e:
        drs.describe_recovery_snapshots(
            sourceServerID=server_id, filters={member: "2024-02-31T00:00:00Z"}
        )
    assert_client_error(e.value, "ValidationException", 400)
    assert [f["name"] for f in e.value.response["fieldList"]] == [f"filters.{member}"]


def test_seeded_snapshot_with_a_date_no_calendar_has(drs: Any) -> None:
    server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    before = drs.describe_recovery_snapshots(sourceServerID=server_id)["items"]
    with pytest.raises(ValidationException):
        moto_drs.add_recovery_snapshot(server_id, "2024-02-31T00:00:00Z")
    answer = requests.post(
        f"{MOTO_API}/recovery-snapshots",
        data=json.dumps(
            {"sourceServerID": server_id, "timestamp": "10000-01-01T00:00:00Z"}
        ),
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "ValidationException"
    assert drs.describe_recovery_snapshots(sourceServerID=server_id)["items"] == before


@pytest.mark.parametrize("properties", ["ab", [1, 2], [["hostname", "x"]]])
def test_seeding_source_properties_that_are_not_an_object(
    drs: Any, properties: Any
) -> None:
    """A string or list used to reach dict.update(): ValueError/TypeError (500 over HTTP), or a
    list of pairs was taken as a dict."""
    with pytest.raises(ValidationException) as e:
        moto_drs.add_source_server(source_properties=properties)
    assert e.value.field_list == [
        {"name": "sourceProperties", "message": "Member must be of type structure"}
    ]
    answer = requests.post(
        f"{MOTO_API}/source-servers",
        data=json.dumps({"sourceProperties": properties}),
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "ValidationException"
    assert drs.describe_source_servers()["items"] == []


@pytest.mark.parametrize("payload", [{"region": ["us-east-1"]}, {"accountId": 5}])
def test_seeding_snapshot_with_wrongly_typed_region_or_account(
    drs: Any, payload: dict[str, Any]
) -> None:
    server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    answer = requests.post(
        f"{MOTO_API}/recovery-snapshots",
        data=json.dumps({"sourceServerID": server_id, **payload}),
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "ValidationException"


@pytest.mark.parametrize("account", ["abc", "12345"])
def test_seeding_into_an_account_that_is_not_12_digits(drs: Any, account: str) -> None:
    """It used to create a backend for the junk account and answer UninitializedAccountException."""
    answer = requests.post(
        f"{MOTO_API}/source-servers",
        data=json.dumps({"accountId": account}),
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "ValidationException"
    with pytest.raises(ValidationException):
        moto_drs.add_source_server(account_id=account)
    assert account not in drs_backends


def test_tag_resource_beyond_fifty_tags_changes_nothing(drs: Any) -> None:
    arn = moto_drs.add_source_server(tags={f"k{i}": "v" for i in range(49)})["arn"]
    drs.tag_resource(resourceArn=arn, tags={"k0": "new"})  # overwriting keeps 49
    with pytest.raises(ClientError) as e:
        drs.tag_resource(resourceArn=arn, tags={"x1": "1", "x2": "2"})
    assert_client_error(e.value, "ValidationException", 400)
    tags = drs.list_tags_for_resource(resourceArn=arn)["tags"]
    assert len(tags) == 49 and tags["k0"] == "new" and "x1" not in tags
    drs.tag_resource(resourceArn=arn, tags={"x1": "1"})
    assert len(drs.list_tags_for_resource(resourceArn=arn)["tags"]) == 50


def test_reserved_tag_keys_are_refused(drs: Any) -> None:
    arn = moto_drs.add_source_server(tags={"a": "1"})["arn"]
    with pytest.raises(ClientError) as e:
        drs.tag_resource(resourceArn=arn, tags={"b": "2", "aws:owner": "me"})
    assert_client_error(
        e.value, "ValidationException", 400, reason="fieldValidationFailed"
    )
    assert drs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1"}
    with pytest.raises(ValidationException):
        moto_drs.add_source_server(tags={"AWS:x": "1"})


def test_creation_with_more_than_fifty_tags_creates_nothing(drs: Any) -> None:
    with pytest.raises(ClientError) as e:
        drs.create_launch_configuration_template(tags={f"k{i}": "v" for i in range(51)})
    assert_client_error(
        e.value, "ValidationException", 400, reason="fieldValidationFailed"
    )
    assert drs.describe_launch_configuration_templates()["items"] == []


def test_stopped_and_disconnected_servers_have_nothing_replicated(drs: Any) -> None:
    """docs/drs-semantics.md section 1: StopReplication zeroes replicated/backlog/rescan but keeps
    the total; a disconnected server's counters are all 0 (it showed replicated > total)."""
    server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    stopped = drs.stop_replication(sourceServerID=server_id)["sourceServer"][
        "dataReplicationInfo"
    ]
    for disk in stopped["replicatedDisks"]:
        assert disk["totalStorageBytes"] > 0
        assert (
            disk["replicatedStorageBytes"]
            == disk["backloggedStorageBytes"]
            == disk["rescannedStorageBytes"]
            == 0
        )
    disconnected = drs.disconnect_source_server(sourceServerID=server_id)[
        "dataReplicationInfo"
    ]
    for disk in disconnected["replicatedDisks"]:
        assert (
            disk["totalStorageBytes"]
            == disk["replicatedStorageBytes"]
            == disk["backloggedStorageBytes"]
            == 0
        )
