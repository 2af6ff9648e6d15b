"""Jobs: progression through moto's state manager, DescribeJobs, DescribeJobLogItems, DeleteJob."""

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import make_drs_client
from moto.moto_api import state_manager
from shape_check import assert_client_error

import moto_drs

JOB_MODEL = "drs::job"
MISSING_JOB = "drsjob-0123456789abcdef0"


@pytest.fixture
def manual_jobs() -> Iterator[None]:
    """Jobs move one state per DescribeJobs read."""
    state_manager.set_transition(JOB_MODEL, {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition(JOB_MODEL)


def drill(drs: Any, *server_ids: str, **kwargs: Any) -> dict[str, Any]:
    servers = [{"sourceServerID": server_id} for server_id in server_ids]
    return drs.start_recovery(sourceServers=servers, isDrill=True, **kwargs)["job"]


def describe_job(drs: Any, job_id: str) -> dict[str, Any]:
    return drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]


def events(drs: Any, job_id: str) -> list[str]:
    return [item["event"] for item in drs.describe_job_log_items(jobID=job_id)["items"]]


class TestProgression:
    def test_immediate_by_default_completed_on_first_read(self, drs: Any) -> None:
        server = moto_drs.add_source_server()
        created = drill(drs, server["sourceServerID"])
        assert created["status"] == "PENDING"
        assert created["participatingServers"][0]["launchStatus"] == "PENDING"
        job = describe_job(drs, created["jobID"])
        assert job["status"] == "COMPLETED"
        assert job["endDateTime"] >= job["creationDateTime"]
        assert job["participatingServers"][0]["launchStatus"] == "LAUNCHED"

    def test_a_poller_sees_every_state_under_manual_progression(
        self, drs: Any, manual_jobs: None
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        created = drill(drs, server_id)
        seen = [(created["status"], created["participatingServers"][0]["launchStatus"])]
        logs = [events(drs, created["jobID"])]
        instances = [len(drs.describe_recovery_instances()["items"])]
        while seen[-1][0] != "COMPLETED":
            job = describe_job(drs, created["jobID"])
            seen.append((job["status"], job["participatingServers"][0]["launchStatus"]))
            logs.append(events(drs, created["jobID"]))
            instances.append(len(drs.describe_recovery_instances()["items"]))
        assert seen == [
            ("PENDING", "PENDING"),
            ("STARTED", "IN_PROGRESS"),
            ("COMPLETED", "LAUNCHED"),
        ]
        assert logs[0] == ["JOB_START"]
        assert logs[1][-1] == "CONVERSION_END" and "LAUNCH_START" not in logs[1]
        assert logs[2][-3:] == ["LAUNCH_START", "LAUNCH_END", "JOB_END"]
        assert instances == [0, 0, 1]

    def test_describe_jobs_sees_pending_when_a_state_takes_two_reads(
        self, drs: Any
    ) -> None:
        state_manager.set_transition(JOB_MODEL, {"progression": "manual", "times": 2})
        try:
            created = drill(drs, moto_drs.add_source_server()["sourceServerID"])
            statuses = [describe_job(drs, created["jobID"])["status"] for _ in range(4)]
        finally:
            state_manager.unset_transition(JOB_MODEL)
        assert statuses == ["PENDING", "STARTED", "STARTED", "COMPLETED"]

    def test_the_source_server_follows_the_job(
        self, drs: Any, manual_jobs: None
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        created = drill(drs, server_id)

        def server() -> dict[str, Any]:
            return drs.describe_source_servers(
                filters={"sourceServerIDs": [server_id]}
            )["items"][0]

        assert server()["lastLaunchResult"] == "PENDING"
        assert server()["lifeCycle"]["lastLaunch"]["status"] == "PENDING"
        describe_job(drs, created["jobID"])
        assert server()["lifeCycle"]["lastLaunch"]["status"] == "IN_PROGRESS"
        assert "recoveryInstanceId" not in server()
        describe_job(drs, created["jobID"])
        assert server()["lastLaunchResult"] == "SUCCEEDED"
        assert server()["lifeCycle"]["lastLaunch"]["status"] == "LAUNCHED"
        assert server()["recoveryInstanceId"].startswith("i-")


class TestDescribeJobs:
    def test_latest_first_filters_and_unknown_ids(self, drs: Any) -> None:
        ids = [
            drill(drs, moto_drs.add_source_server()["sourceServerID"])["jobID"]
            for _ in range(3)
        ]
        listed = [job["jobID"] for job in drs.describe_jobs()["items"]]
        assert listed == ids[::-1]
        only = drs.describe_jobs(filters={"jobIDs": [ids[1], MISSING_JOB]})["items"]
        assert [job["jobID"] for job in only] == [ids[1]]
        assert drs.describe_jobs(filters={"jobIDs": [MISSING_JOB]})["items"] == []

    def test_date_filters(self, drs: Any) -> None:
        job = drill(drs, moto_drs.add_source_server()["sourceServerID"])
        created = job["creationDateTime"]
        assert (
            len(
                drs.describe_jobs(filters={"fromDate": created, "toDate": created})[
                    "items"
                ]
            )
            == 1
        )
        assert (
            drs.describe_jobs(filters={"fromDate": "2999-01-01T00:00:00Z"})["items"]
            == []
        )
        assert (
            drs.describe_jobs(filters={"toDate": "2000-01-01T00:00:00Z"})["items"] == []
        )

    @pytest.mark.parametrize("date", ["2024-02-30T00:00:00Z", "yesterday"])
    def test_bad_dates(self, drs: Any, date: str) -> None:
        raw = make_drs_client(
            config=Config(parameter_validation=False)
        )  # sends what it is given
        with pytest.raises(ClientError) as error:
            raw.describe_jobs(filters={"fromDate": date})
        assert_client_error(error.value, "ValidationException", 400)

    def test_pagination_and_paginator(self, drs: Any) -> None:
        ids = [
            drill(drs, moto_drs.add_source_server()["sourceServerID"])["jobID"]
            for _ in range(3)
        ]
        first = drs.describe_jobs(maxResults=2)
        assert len(first["items"]) == 2 and first["nextToken"]
        rest = drs.describe_jobs(maxResults=2, nextToken=first["nextToken"])
        assert len(rest["items"]) == 1 and "nextToken" not in rest
        pages = drs.get_paginator("describe_jobs").paginate(
            PaginationConfig={"PageSize": 1}
        )
        assert [job["jobID"] for page in pages for job in page["items"]] == ids[::-1]
        with pytest.raises(ClientError) as error:
            drs.describe_jobs(nextToken="not-a-token")
        assert_client_error(error.value, "ValidationException", 400)

    def test_job_tags(self, drs: Any) -> None:
        job = drill(
            drs, moto_drs.add_source_server()["sourceServerID"], tags={"wave": "1"}
        )
        assert job["tags"] == {"wave": "1"}
        drs.tag_resource(resourceArn=job["arn"], tags={"owner": "dr-team"})
        assert describe_job(drs, job["jobID"])["tags"] == {
            "wave": "1",
            "owner": "dr-team",
        }
        assert drs.list_tags_for_resource(resourceArn=job["arn"])["tags"] == {
            "wave": "1",
            "owner": "dr-team",
        }

    def test_uninitialized_account(self, uninitialized_drs: Any) -> None:
        for call in (
            lambda: uninitialized_drs.describe_jobs(),
            lambda: uninitialized_drs.describe_job_log_items(jobID=MISSING_JOB),
            lambda: uninitialized_drs.delete_job(jobID=MISSING_JOB),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert_client_error(error.value, "UninitializedAccountException", 400)


class TestJobLog:
    def test_launch_log_in_order_with_event_data(self, drs: Any, ec2: Any) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job = drill(drs, server_id)
        items = drs.describe_job_log_items(jobID=job["jobID"])["items"]
        assert [item["event"] for item in items] == [
            "JOB_START",
            "SNAPSHOT_START",
            "SNAPSHOT_END",
            "CONVERSION_START",
            "CONVERSION_END",
            "LAUNCH_START",
            "LAUNCH_END",
            "JOB_END",
        ]
        times = [item["logDateTime"] for item in items]
        assert times == sorted(times)
        assert items[3]["eventData"] == {"sourceServerID": server_id}
        conversion = items[4]["eventData"]
        assert conversion["sourceServerID"] == server_id
        properties = conversion["conversionProperties"]
        assert properties["rootVolumeName"] == "/dev/xvda"
        assert set(properties["volumeToVolumeSize"]) == {"/dev/xvda", "/dev/xvdb"}
        instance_id = describe_job(drs, job["jobID"])["participatingServers"][0][
            "recoveryInstanceID"
        ]
        assert items[5]["eventData"] == {"sourceServerID": server_id}
        assert items[6]["eventData"] == {
            "sourceServerID": server_id,
            "targetInstanceID": instance_id,
        }
        assert conversion["conversionServerID"] != instance_id

    def test_paginator_and_unknown_job(self, drs: Any) -> None:
        job = drill(
            drs, *(moto_drs.add_source_server()["sourceServerID"] for _ in range(2))
        )
        everything = drs.describe_job_log_items(jobID=job["jobID"])["items"]
        pages = drs.get_paginator("describe_job_log_items").paginate(
            jobID=job["jobID"], PaginationConfig={"PageSize": 3}
        )
        assert [item for page in pages for item in page["items"]] == everything
        assert len(everything) == 2 + 2 * 6
        assert drs.describe_job_log_items(jobID=MISSING_JOB)["items"] == []


class TestDeleteJob:
    def test_delete_a_completed_job(self, drs: Any) -> None:
        job = drill(
            drs, moto_drs.add_source_server()["sourceServerID"], tags={"a": "b"}
        )
        response = drs.delete_job(jobID=job["jobID"])
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert drs.describe_jobs()["items"] == []
        assert drs.describe_job_log_items(jobID=job["jobID"])["items"] == []
        with pytest.raises(ClientError) as error:
            drs.list_tags_for_resource(resourceArn=job["arn"])
        assert_client_error(error.value, "ResourceNotFoundException", 404)
        with pytest.raises(ClientError) as error:
            drs.delete_job(jobID=job["jobID"])
        assert_client_error(
            error.value,
            "ResourceNotFoundException",
            404,
            resourceId=job["jobID"],
            resourceType="JOB",
        )

    def test_a_running_job_cannot_be_deleted(self, drs: Any, manual_jobs: None) -> None:
        job = drill(drs, moto_drs.add_source_server()["sourceServerID"])
        for _ in range(2):  # PENDING, then STARTED
            with pytest.raises(ClientError) as error:
                drs.delete_job(jobID=job["jobID"])
            assert_client_error(
                error.value,
                "ConflictException",
                409,
                resourceId=job["jobID"],
                resourceType="JOB",
            )
            describe_job(drs, job["jobID"])
        drs.delete_job(jobID=job["jobID"])
        assert drs.describe_jobs()["items"] == []


class TestJobQuotas:
    def test_one_job_at_a_time_per_source_server(
        self, drs: Any, manual_jobs: None
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        drill(drs, server_id)
        with pytest.raises(ClientError) as error:
            drill(drs, server_id)
        assert_client_error(
            error.value,
            "ServiceQuotaExceededException",
            402,
            quotaCode="L-DD6D028C",
            serviceCode="drs",
        )
        assert len(drs.describe_jobs()["items"]) == 1

    def test_concurrent_jobs_and_servers_per_job(
        self, drs: Any, manual_jobs: None
    ) -> None:
        ids = [moto_drs.add_source_server()["sourceServerID"] for _ in range(3)]
        moto_drs.set_quota("servers_per_job", 1)
        with pytest.raises(ClientError) as error:
            drill(drs, ids[0], ids[1])
        assert_client_error(
            error.value, "ServiceQuotaExceededException", 402, quotaCode="L-B827C881"
        )
        moto_drs.set_quota("concurrent_jobs", 1)
        drill(drs, ids[0])
        with pytest.raises(ClientError) as error:
            drill(drs, ids[1])
        assert_client_error(
            error.value, "ServiceQuotaExceededException", 402, quotaCode="L-D88FAC3A"
        )


def test_drill_over_http(server: Any) -> None:
    """Server mode: the job, its EC2 instance and its termination, all through HTTP."""
    drs, ec2 = server.client("drs"), server.client("ec2")
    drs.initialize_service()
    seeded = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
    )
    server_id = seeded.json()["sourceServer"]["sourceServerID"]
    job = drill(drs, server_id)
    assert describe_job(drs, job["jobID"])["status"] == "COMPLETED"
    instance_id = drs.describe_recovery_instances()["items"][0]["recoveryInstanceID"]
    assert (
        ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
            "Instances"
        ][0]["State"]["Name"]
        == "running"
    )
    drs.terminate_recovery_instances(recoveryInstanceIDs=[instance_id])
    assert drs.describe_recovery_instances()["items"] == []
    state = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
        "Instances"
    ][0]["State"]["Name"]
    assert state == "terminated"
