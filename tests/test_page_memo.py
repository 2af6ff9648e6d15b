"""The serializer writes a job, a recovery instance and a source server's static parts once per
content (moto_drs/serializer.py, "a memo of whole items"), and a job or a recovery instance keeps
its description while unchanged, with its text ("items that never change"): every change that
alters what a listing shows must show on the next read, however often the unchanged item was
read before. Each test reads the item twice first, so that its text is kept, then changes it."""

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from conftest import Server
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs


def _read_twice(read: Any) -> dict[str, Any]:
    first = read()
    assert read() == first  # memoized and unchanged
    return first


def _only_job(drs: Any, job_id: str) -> dict[str, Any]:
    return drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]


def _only_instance(drs: Any, instance_id: str) -> dict[str, Any]:
    items = drs.describe_recovery_instances(
        filters={"recoveryInstanceIDs": [instance_id]}
    )["items"]
    return items[0] if items else {}


def _drill(drs: Any, server_id: str) -> tuple[str, str]:
    """(job ID, recovery instance ID) of a COMPLETED drill of the server."""
    job = drs.start_recovery(
        sourceServers=[{"sourceServerID": server_id}], isDrill=True
    )
    job_id = job["job"]["jobID"]
    while _only_job(drs, job_id)["status"] != "COMPLETED":
        pass
    instance = drs.describe_recovery_instances(
        filters={"sourceServerIDs": [server_id]}
    )["items"][0]
    return job_id, instance["recoveryInstanceID"]


def test_a_completed_job_shows_every_change(drs: Any) -> None:
    server_id = moto_drs.add_source_server()["sourceServerID"]
    job_id, instance_id = _drill(drs, server_id)
    job = _read_twice(lambda: _only_job(drs, job_id))
    arn = job["arn"]

    drs.tag_resource(resourceArn=arn, tags={"team": "dr"})
    assert _only_job(drs, job_id)["tags"] == {"team": "dr"}
    drs.tag_resource(resourceArn=arn, tags={"team": "ops"})
    assert _only_job(drs, job_id)["tags"] == {"team": "ops"}
    drs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert _only_job(drs, job_id) == job

    drs.delete_job(jobID=job_id)
    assert drs.describe_jobs(filters={"jobIDs": [job_id]})["items"] == []
    assert _only_instance(drs, instance_id)  # deleting the job keeps its instance


def test_a_recovery_instance_shows_every_change(drs: Any) -> None:
    server_id = moto_drs.add_source_server()["sourceServerID"]
    _, instance_id = _drill(drs, server_id)
    instance = _read_twice(lambda: _only_instance(drs, instance_id))
    assert instance["failback"]["state"] == "FAILBACK_NOT_STARTED"

    drs.tag_resource(resourceArn=instance["arn"], tags={"k": "v"})
    assert _only_instance(drs, instance_id)["tags"] == {"k": "v"}
    drs.untag_resource(resourceArn=instance["arn"], tagKeys=["k"])
    assert _only_instance(drs, instance_id) == instance

    moto_drs.connect_failback_client(instance_id)
    failing_back = _only_instance(drs, instance_id)
    assert failing_back["failback"]["state"] != "FAILBACK_NOT_STARTED"
    assert failing_back["dataReplicationInfo"] != instance["dataReplicationInfo"]

    drs.disconnect_recovery_instance(recoveryInstanceID=instance_id)
    disconnected = _only_instance(drs, instance_id)
    assert disconnected["dataReplicationInfo"]["dataReplicationState"] == (
        "DISCONNECTED"
    )
    drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
    for _ in range(10):  # the termination job runs its course over a few reads
        if not _only_instance(drs, instance_id):
            break
    assert not _only_instance(drs, instance_id)


def test_a_source_server_shows_changes_of_its_memoized_parts(drs: Any) -> None:
    """sourceProperties and dataReplicationInitiation are written once per content."""
    properties = {"recommendedInstanceType": "m5.large", "cpus": [{"cores": 2}]}
    server_id = moto_drs.add_source_server(
        source_properties=properties, data_replication_state="CONTINUOUS"
    )["sourceServerID"]

    def read() -> dict[str, Any]:
        return drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
            "items"
        ][0]

    before = read()
    assert read()["sourceProperties"] == before["sourceProperties"]
    steps = before["dataReplicationInfo"]["dataReplicationInitiation"]["steps"]
    assert all(step["status"] == "SUCCEEDED" for step in steps)
    started = before["dataReplicationInfo"]["dataReplicationInitiation"]
    # replication restarted an hour later: a new initiation
    moto_drs.advance_clock(3600)
    drs.stop_replication(sourceServerID=server_id)
    assert "dataReplicationInitiation" not in read()["dataReplicationInfo"]
    drs.start_replication(sourceServerID=server_id)
    restarted = read()["dataReplicationInfo"]["dataReplicationInitiation"]
    assert restarted["startDateTime"] > started["startDateTime"]

    # a second server with the same properties but one more core: its own text
    other = moto_drs.add_source_server(
        source_properties={**properties, "cpus": [{"cores": 3}]}
    )["sourceServerID"]
    cpus = drs.describe_source_servers(filters={"sourceServerIDs": [other]})["items"][
        0
    ]["sourceProperties"]["cpus"]
    assert cpus == [{"cores": 3}]
    assert read()["sourceProperties"]["cpus"] == [{"cores": 2}]


def test_over_http_a_tagged_job_shows_its_tags(server: Server) -> None:
    drs = server.client()
    drs.initialize_service()
    seeded = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
    ).json()["sourceServer"]
    job_id, instance_id = _drill(drs, seeded["sourceServerID"])
    job = _read_twice(lambda: _only_job(drs, job_id))
    drs.tag_resource(resourceArn=job["arn"], tags={"a": "1"})
    assert _only_job(drs, job_id)["tags"] == {"a": "1"}
    instance = _read_twice(lambda: _only_instance(drs, instance_id))
    drs.tag_resource(resourceArn=instance["arn"], tags={"b": "2"})
    assert _only_instance(drs, instance_id)["tags"] == {"b": "2"}
    try:
        drs.delete_job(jobID="drsjob-0123456789abcdef0")
    except drs.exceptions.ResourceNotFoundException as error:
        assert_client_error(error, "ResourceNotFoundException", 404)


def _server(drs: Any, server_id: str) -> dict[str, Any]:
    return drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ][0]


def test_a_source_server_read_follows_every_state_change(drs: Any) -> None:
    """A source server's replicated disks and initiation steps are written once per content,
    and its state comes from the state manager's remembered chain of moves: each read after a
    change of state, of the clock, of replication (stop, start, disconnect) shows it."""
    server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
        "sourceServerID"
    ]
    info = _read_twice(lambda: _server(drs, server_id)["dataReplicationInfo"])
    assert info["dataReplicationState"] == "CONTINUOUS"
    assert all(
        d["replicatedStorageBytes"] == d["totalStorageBytes"] > 0
        and d["backloggedStorageBytes"] == 0
        for d in info["replicatedDisks"]
    )

    moto_drs.set_data_replication_state(server_id, "BACKLOG")
    info = _server(drs, server_id)["dataReplicationInfo"]
    assert info["dataReplicationState"] == "BACKLOG"
    assert all(d["backloggedStorageBytes"] > 0 for d in info["replicatedDisks"])
    lag = info["lagDuration"]
    moto_drs.advance_clock(120)
    assert _server(drs, server_id)["dataReplicationInfo"]["lagDuration"] != lag

    moto_drs.set_data_replication_state(server_id, "RESCAN")
    moto_drs.advance_clock(1)
    first = _server(drs, server_id)["dataReplicationInfo"]["replicatedDisks"]
    moto_drs.advance_clock(1)
    second = _server(drs, server_id)["dataReplicationInfo"]["replicatedDisks"]
    assert sum(d["rescannedStorageBytes"] for d in second) > sum(
        d["rescannedStorageBytes"] for d in first
    )

    moto_drs.set_data_replication_state(server_id, "CONTINUOUS")
    _read_twice(lambda: _server(drs, server_id)["dataReplicationInfo"])
    drs.stop_replication(sourceServerID=server_id)
    info = _server(drs, server_id)["dataReplicationInfo"]
    assert info["dataReplicationState"] == "STOPPED"
    assert all(d["replicatedStorageBytes"] == 0 for d in info["replicatedDisks"])
    assert "dataReplicationInitiation" not in info

    before = _server(drs, server_id)
    moto_drs.advance_clock(60)
    drs.start_replication(sourceServerID=server_id)
    # the default progression ("immediate") has moved it through initiation at once
    info = _server(drs, server_id)["dataReplicationInfo"]
    assert info["dataReplicationState"] == "CONTINUOUS"
    initiation = info["dataReplicationInitiation"]
    assert {step["status"] for step in initiation["steps"]} == {"SUCCEEDED"}
    assert initiation["startDateTime"] > before["lifeCycle"]["addedToServiceDateTime"]

    drs.disconnect_source_server(sourceServerID=server_id)
    info = _server(drs, server_id)["dataReplicationInfo"]
    assert info["dataReplicationState"] == "DISCONNECTED"
    assert all(d["totalStorageBytes"] == 0 for d in info["replicatedDisks"])


def test_whole_answers_and_pages_of_source_servers(drs: Any) -> None:
    """A first page that holds the whole answer has no nextToken; pages still chain."""
    ids = sorted(moto_drs.add_source_server()["sourceServerID"] for _ in range(3))
    whole = drs.describe_source_servers(filters={"sourceServerIDs": ids}, maxResults=3)
    assert [s["sourceServerID"] for s in whole["items"]] == ids
    assert "nextToken" not in whole
    assert "nextToken" not in drs.describe_source_servers(nextToken="")
    first = drs.describe_source_servers(filters={"sourceServerIDs": ids}, maxResults=2)
    assert len(first["items"]) == 2
    rest = drs.describe_source_servers(
        filters={"sourceServerIDs": ids}, maxResults=2, nextToken=first["nextToken"]
    )
    assert [s["sourceServerID"] for s in first["items"] + rest["items"]] == ids
    assert "nextToken" not in rest
    try:
        drs.describe_source_servers(maxResults=2, nextToken=first["nextToken"])
    except drs.exceptions.ValidationException as error:
        assert_client_error(error, "ValidationException", 400)
    else:
        raise AssertionError("a token of another query was accepted")


@pytest.fixture
def jobs_move_every_second_read() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 2})
    yield
    state_manager.unset_transition("drs::job")


def test_a_job_read_twice_in_each_state_shows_each_phase(
    drs: Any, jobs_move_every_second_read: None
) -> None:
    server_id = moto_drs.add_source_server()["sourceServerID"]
    created = drs.start_recovery(
        sourceServers=[{"sourceServerID": server_id}], isDrill=True
    )["job"]
    seen = []
    for _ in range(8):
        job = _only_job(drs, created["jobID"])
        (participant,) = job["participatingServers"]
        seen.append((job["status"], participant["launchStatus"], "endDateTime" in job))
    assert seen == [
        ("PENDING", "PENDING", False),
        ("STARTED", "IN_PROGRESS", False),
        ("STARTED", "IN_PROGRESS", False),
        ("COMPLETED", "LAUNCHED", True),
        *[("COMPLETED", "LAUNCHED", True)] * 4,
    ]
    assert participant["recoveryInstanceID"].startswith("i-")


def test_a_job_under_time_progression_follows_the_clock(drs: Any) -> None:
    state_manager.set_transition("drs::job", {"progression": "time", "seconds": 60})
    try:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job_id = drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])[
            "job"
        ]["jobID"]
        assert _read_twice(lambda: _only_job(drs, job_id))["status"] == "PENDING"
        moto_drs.advance_clock(61)
        assert _read_twice(lambda: _only_job(drs, job_id))["status"] == "STARTED"
        moto_drs.advance_clock(61)
        assert _only_job(drs, job_id)["status"] == "COMPLETED"
    finally:
        state_manager.unset_transition("drs::job")


def test_tags_show_in_the_order_they_have_now(drs: Any) -> None:
    """Tags removed and added again change the order of the JSON text, not the set."""
    server_id = moto_drs.add_source_server()["sourceServerID"]
    job_id, instance_id = _drill(drs, server_id)
    for read in (
        lambda: _only_job(drs, job_id),
        lambda: _only_instance(drs, instance_id),
    ):
        arn = read()["arn"]
        drs.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
        assert list(_read_twice(read)["tags"].items()) == [("a", "1"), ("b", "2")]
        drs.untag_resource(resourceArn=arn, tagKeys=["a"])
        drs.tag_resource(resourceArn=arn, tags={"a": "1"})
        assert list(read()["tags"].items()) == [("b", "2"), ("a", "1")]


def test_a_recovery_instance_shows_its_ec2_state_live(drs: Any, ec2: Any) -> None:
    server_id = moto_drs.add_source_server()["sourceServerID"]
    _, instance_id = _drill(drs, server_id)
    read = lambda: _only_instance(drs, instance_id)  # noqa: E731
    assert _read_twice(read)["ec2InstanceState"] == "RUNNING"
    ec2.stop_instances(InstanceIds=[instance_id])
    assert _read_twice(read)["ec2InstanceState"] == "STOPPED"
    ec2.start_instances(InstanceIds=[instance_id])
    assert read()["ec2InstanceState"] == "RUNNING"


def test_a_failing_back_instance_is_dated_by_the_clock_on_every_read(drs: Any) -> None:
    server_id = moto_drs.add_source_server()["sourceServerID"]
    _, instance_id = _drill(drs, server_id)
    _read_twice(lambda: _only_instance(drs, instance_id))
    moto_drs.connect_failback_client(instance_id)
    first = _only_instance(drs, instance_id)["failback"]
    moto_drs.advance_clock(120)
    later = _only_instance(drs, instance_id)["failback"]
    assert (
        later["agentLastSeenByServiceDateTime"]
        > first["agentLastSeenByServiceDateTime"]
    )


def test_a_listing_of_every_job_shows_new_and_deleted_jobs(drs: Any) -> None:
    servers = [moto_drs.add_source_server()["sourceServerID"] for _ in range(3)]
    first, _ = _drill(drs, servers[0])
    second, _ = _drill(drs, servers[1])

    def listed() -> list[str]:
        return [job["jobID"] for job in drs.describe_jobs()["items"]]

    assert _read_twice(lambda: {"ids": listed()})["ids"] == [second, first]
    third, _ = _drill(drs, servers[2])
    assert listed() == [third, second, first]
    drs.delete_job(jobID=second)
    assert _read_twice(lambda: {"ids": listed()})["ids"] == [third, first]
    page = drs.describe_jobs(maxResults=1)
    assert [job["jobID"] for job in page["items"]] == [third]
    rest = drs.describe_jobs(maxResults=1, nextToken=page["nextToken"])["items"]
    assert [job["jobID"] for job in rest] == [first]


def test_over_http_a_job_and_an_instance_show_their_changes(server: Server) -> None:
    drs = server.client()
    drs.initialize_service()
    ec2 = server.client("ec2")
    seeded = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
    ).json()["sourceServer"]
    job_id, instance_id = _drill(drs, seeded["sourceServerID"])
    _read_twice(lambda: _only_instance(drs, instance_id))
    ec2.stop_instances(InstanceIds=[instance_id])
    assert _only_instance(drs, instance_id)["ec2InstanceState"] == "STOPPED"
    _read_twice(lambda: _only_job(drs, job_id))
    drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
    jobs = drs.describe_jobs()["items"]
    assert [job["type"] for job in jobs] == ["TERMINATE", "LAUNCH"]
    assert jobs[0]["participatingServers"][0]["launchStatus"] == "TERMINATED"
