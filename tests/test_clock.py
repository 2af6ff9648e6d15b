"""The one DRS clock: freezegun steers it in decorator mode, ``advance_clock`` (Python and
``/moto-api/static/drs/clock``) moves it in both modes, moto's reset returns it to real time,
and moto's state manager "time" progression follows it."""

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from conftest import Server, in_process_only, moto_api_url
from freezegun import freeze_time
from moto.moto_api import state_manager

import moto_drs

MOTO_API = moto_api_url() + "/moto-api"
START = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


def describe(drs: Any, server_id: str) -> dict[str, Any]:
    return drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ][0]


def drs_time(answer: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(answer["dateTime"].replace("Z", "+00:00"))


@pytest.fixture
def time_jobs() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "time", "seconds": 60})
    yield
    state_manager.unset_transition("drs::job")


class TestDecoratorMode:
    @in_process_only  # freezegun freezes this process, not the server
    def test_freezegun_steers_every_timestamp(self, drs: Any) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            frozen.tick(timedelta(hours=2))
            life = describe(drs, server_id)["lifeCycle"]
            assert life["addedToServiceDateTime"] == "2026-01-05T12:00:00.000Z"
            assert life["lastSeenByServiceDateTime"] == "2026-01-05T14:00:00.000Z"
            assert life["elapsedReplicationDuration"] == "PT2H"
            frozen.move_to(START + timedelta(days=1))
            life = describe(drs, server_id)["lifeCycle"]
            assert life["elapsedReplicationDuration"] == "P1DT0S"

    @in_process_only  # freezegun freezes this process, not the server
    def test_advance_clock_adds_to_freezegun(self, drs: Any) -> None:
        with freeze_time(START):
            server_id = moto_drs.add_source_server()["sourceServerID"]
            answer = moto_drs.advance_clock(90)
            assert answer == {
                "dateTime": "2026-01-05T12:01:30.000Z",
                "offsetSeconds": 90.0,
            }
            assert moto_drs.get_clock() == answer
            life = describe(drs, server_id)["lifeCycle"]
            assert life["elapsedReplicationDuration"] == "PT1M30S"
            assert life["lastSeenByServiceDateTime"] == answer["dateTime"]

    def test_the_clock_endpoint_and_reset(self, drs: Any) -> None:
        before = datetime.now(timezone.utc)
        answer = requests.post(
            f"{MOTO_API}/static/drs/clock", json={"advanceSeconds": 3600}, timeout=10
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body["offsetSeconds"] == 3600
        assert drs_time(body) - before >= timedelta(hours=1)
        assert requests.get(f"{MOTO_API}/static/drs/clock", timeout=10).json()[
            "offsetSeconds"
        ] == pytest.approx(3600)
        requests.post(f"{MOTO_API}/reset", timeout=10).raise_for_status()
        assert moto_drs.get_clock()["offsetSeconds"] == 0
        assert drs_time(moto_drs.get_clock()) - datetime.now(timezone.utc) < timedelta(
            minutes=1
        )

    @pytest.mark.parametrize("seconds", [-1, "soon", None, True, 1e10])
    def test_the_clock_only_moves_forward(self, drs: Any, seconds: Any) -> None:
        answer = requests.post(
            f"{MOTO_API}/static/drs/clock", json={"advanceSeconds": seconds}, timeout=10
        )
        assert answer.status_code == 400
        assert answer.json()["code"] == "ValidationException"
        assert answer.json()["fieldList"][0]["name"] == "advanceSeconds"
        assert moto_drs.get_clock()["offsetSeconds"] == 0

    def test_unknown_keys_are_refused(self, drs: Any) -> None:
        answer = requests.post(
            f"{MOTO_API}/static/drs/clock", json={"advanceMinutes": 5}, timeout=10
        )
        assert answer.status_code == 400
        assert answer.json()["fieldList"] == [
            {"name": "advanceMinutes", "message": "Unknown member"}
        ]

    def test_time_progression_follows_advance_clock(
        self, drs: Any, time_jobs: None
    ) -> None:
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job = drs.start_recovery(
            sourceServers=[{"sourceServerID": server_id}], isDrill=True
        )["job"]
        assert job["status"] == "PENDING"
        moto_drs.advance_clock(61)
        jobs = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"]
        assert jobs[0]["status"] == "STARTED"
        # one jump across the next period completes the job at the next read
        moto_drs.advance_clock(600)
        done = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        assert done["status"] == "COMPLETED"
        created = datetime.fromisoformat(
            done["creationDateTime"].replace("Z", "+00:00")
        )
        ended = datetime.fromisoformat(done["endDateTime"].replace("Z", "+00:00"))
        # dated when it fell due: STARTED after one period, COMPLETED after two
        assert ended - created == pytest.approx(
            timedelta(seconds=120), abs=timedelta(milliseconds=10)
        )

    @in_process_only  # freezegun freezes this process, not the server
    def test_time_progression_follows_freezegun(
        self, drs: Any, time_jobs: None
    ) -> None:
        with freeze_time(START) as frozen:
            server_id = moto_drs.add_source_server()["sourceServerID"]
            job = drs.start_recovery(
                sourceServers=[{"sourceServerID": server_id}], isDrill=True
            )["job"]
            frozen.tick(timedelta(seconds=59))
            jobs = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"]
            assert jobs[0]["status"] == "PENDING"
            frozen.tick(timedelta(minutes=5))
            jobs = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"]
            assert jobs[0]["status"] == "COMPLETED"


class TestServerMode:
    def test_advance_clock_over_http(self, server: Server) -> None:
        drs = server.client()
        drs.initialize_service()
        seeded = requests.post(
            f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
        ).json()["sourceServer"]
        answer = requests.post(
            f"{server.url}/moto-api/static/drs/clock",
            json={"advanceSeconds": 7200},
            timeout=10,
        ).json()
        assert answer["offsetSeconds"] == 7200
        life = describe(drs, seeded["sourceServerID"])["lifeCycle"]
        assert life["elapsedReplicationDuration"].startswith("PT2H")
        shown = requests.get(f"{server.url}/moto-api/static/drs/clock", timeout=10)
        assert shown.json()["offsetSeconds"] == 7200
        server.reset()
        reset = requests.get(f"{server.url}/moto-api/static/drs/clock", timeout=10)
        assert reset.json()["offsetSeconds"] == 0


@in_process_only  # freezegun freezes this process, not the server
def test_a_source_server_under_time_progression_is_dated_by_the_drs_clock(
    drs: Any,
) -> None:
    state_manager.set_transition(
        "drs::source-server", {"progression": "time", "seconds": 600}
    )
    try:
        with freeze_time(START) as frozen:
            seeded = moto_drs.add_source_server()
            assert seeded["dataReplicationInfo"]["dataReplicationState"] == "INITIATING"
            frozen.tick(timedelta(hours=1))
            server = describe(drs, seeded["sourceServerID"])
            # INITIAL_SYNC after 10 minutes, CONTINUOUS after 20, whenever it is read
            assert server["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"
            assert (
                server["lifeCycle"]["firstByteDateTime"] == "2026-01-05T12:10:00.000Z"
            )
            moto_drs.advance_clock(300)
            moto_drs.set_data_replication_state(seeded["sourceServerID"], "BACKLOG")
            moto_drs.advance_clock(60)
            info = describe(drs, seeded["sourceServerID"])["dataReplicationInfo"]
            assert info["lagDuration"] == "PT1M"
    finally:
        state_manager.unset_transition("drs::source-server")


def test_the_clock_refuses_to_run_past_what_timestamps_can_show(drs: Any) -> None:
    """Many large advances must not push the clock out of datetime's range (every read
    would then fail with a 500); the advance that would is refused and changes nothing."""
    server_id = moto_drs.add_source_server()["sourceServerID"]
    before = moto_drs.get_clock()["offsetSeconds"]
    answer = None
    for _ in range(300):
        answer = requests.post(
            f"{MOTO_API}/static/drs/clock", json={"advanceSeconds": 9.9e8}, timeout=10
        )
        if answer.status_code != 200:
            break
        before = answer.json()["offsetSeconds"]
    assert answer is not None and answer.status_code == 400
    assert answer.json()["code"] == "ValidationException"
    assert answer.json()["fieldList"][0]["name"] == "advanceSeconds"
    assert moto_drs.get_clock()["offsetSeconds"] == before
    assert describe(drs, server_id)["lifeCycle"]["lastSeenByServiceDateTime"]


@in_process_only  # freezegun freezes this process, not the server
def test_job_phases_under_time_progression_are_dated_when_they_fell_due(
    drs: Any, time_jobs: None
) -> None:
    """A job read long after it completed under "time" progression shows the moments its
    phases fell due (docs/time.md), not the moment of the read."""
    with freeze_time(START):
        server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
            "sourceServerID"
        ]
        job = drs.start_recovery(
            sourceServers=[{"sourceServerID": server_id}], isDrill=True
        )["job"]
        moto_drs.advance_clock(3600)
        done = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        assert done["status"] == "COMPLETED"
        # 60-second periods: STARTED at +1 min, COMPLETED at +2 min
        assert done["endDateTime"] == "2026-01-05T12:02:00.000Z"
        logs = drs.describe_job_log_items(jobID=job["jobID"])["items"]
        times = {item["event"]: item["logDateTime"] for item in logs}
        assert times["JOB_START"] == "2026-01-05T12:00:00.000Z"
        assert times["SNAPSHOT_START"] == "2026-01-05T12:01:00.000Z"
        assert times["LAUNCH_END"] == "2026-01-05T12:02:00.000Z"
        assert times["JOB_END"] == "2026-01-05T12:02:00.000Z"


def test_a_wait_step_under_time_progression_waits_its_minutes_on_the_drs_clock(
    drs: Any,
) -> None:
    """Issue 10: recovery plan WAIT steps follow the DRS clock under "time" progression."""
    model = "drs::recovery-plan-execution"
    state_manager.set_transition(model, {"progression": "time", "seconds": 1})
    try:
        server = moto_drs.add_source_server(data_replication_state="CONTINUOUS")
        plan = drs.create_recovery_plan(name="waits")["recoveryPlan"]["recoveryPlanArn"]
        for name, configuration in (
            ("launch", {"serverStepConfiguration": {"servers": [{"serverArn": server["arn"]}]}}),
            ("pause", {"waitStepConfiguration": {"waitDurationMinutes": 30}}),
        ):  # fmt: skip
            drs.create_recovery_plan_step(
                recoveryPlanArn=plan, stepName=name, configuration=configuration
            )
        arn = drs.start_recovery_plan_execution(recoveryPlanArn=plan, mode="DRILL")[
            "recoveryPlanExecution"
        ]["recoveryPlanExecutionArn"]

        def statuses() -> list[str]:
            listed = drs.list_recovery_plan_execution_steps(
                recoveryPlanExecutionArn=arn
            )["recoveryPlanExecutionSteps"]
            return [step["status"] for step in listed]

        for _ in range(10):  # one change per second of the DRS clock
            moto_drs.advance_clock(2)
            statuses()
        assert statuses() == ["COMPLETED", "WAITING"]
        moto_drs.advance_clock(29 * 60)
        assert statuses() == ["COMPLETED", "WAITING"]
        moto_drs.advance_clock(60)
        statuses()
        moto_drs.advance_clock(2)
        assert statuses() == ["COMPLETED", "COMPLETED"]
    finally:
        state_manager.unset_transition(model)


def test_server_mode_job_dated_when_due_and_clock_limit(server: Server) -> None:
    """Over HTTP: a job under time progression is dated by the DRS clock when each phase
    fell due, and an advance past the clock's limit is refused."""
    state = f"{server.url}/moto-api/state-manager"
    clock = f"{server.url}/moto-api/static/drs/clock"
    drs = server.client()
    drs.initialize_service()
    requests.post(
        f"{state}/set-transition",
        json={
            "model_name": "drs::job",
            "transition": {"progression": "time", "seconds": 60},
        },
        timeout=10,
    ).raise_for_status()
    try:
        server_id = requests.post(
            f"{server.url}/moto-api/static/drs/source-servers",
            json={"dataReplicationState": "CONTINUOUS"},
            timeout=10,
        ).json()["sourceServer"]["sourceServerID"]
        job = drs.start_recovery(
            sourceServers=[{"sourceServerID": server_id}], isDrill=True
        )["job"]
        requests.post(clock, json={"advanceSeconds": 86400}, timeout=10)
        done = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
        created = datetime.fromisoformat(job["creationDateTime"].replace("Z", "+00:00"))
        ended = datetime.fromisoformat(done["endDateTime"].replace("Z", "+00:00"))
        assert ended - created == pytest.approx(
            timedelta(seconds=120), abs=timedelta(milliseconds=50)
        )
        refused = requests.post(clock, json={"advanceSeconds": 9.9e8}, timeout=10)
        for _ in range(300):
            if refused.status_code != 200:
                break
            refused = requests.post(clock, json={"advanceSeconds": 9.9e8}, timeout=10)
        assert refused.status_code == 400
        assert refused.json()["fieldList"][0]["name"] == "advanceSeconds"
        assert drs.describe_source_servers()["items"]
    finally:
        requests.post(
            f"{state}/unset-transition", json={"model_name": "drs::job"}, timeout=10
        )
