"""Concurrency: many clients on one server change DRS state atomically.

Eight threads send a few thousand mixed requests (replication changes, disconnect and delete,
recovery drills, tagging, seeding, describing) on a shared fleet of the ``server`` fixture.
Every answer must be a success or a modeled 4xx, and afterwards the state must be possible:
no server lost or resurrected, tags applied whole and no tag update lost, every recovery
instance attached to an existing server. The run stops early on a time budget; nothing asserts
on timing.
"""

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import requests
from botocore.config import Config
from botocore.exceptions import ClientError

THREADS = 8
OPERATIONS_PER_THREAD = 250
TIME_BUDGET_SECONDS = 25
GROUP = [f"g{i}" for i in range(5)]  # tags written and removed together
STATES = {
    "STOPPED", "INITIATING", "INITIAL_SYNC", "BACKLOG", "CREATING_SNAPSHOT", "CONTINUOUS",
    "PAUSED", "RESCAN", "STALLED", "DISCONNECTED",
}  # fmt: skip
# What each operation may answer besides success, given that other threads race it.
EXPECTED_ERRORS = {
    "DescribeSourceServers": set(),
    "ListTagsForResource": {"ResourceNotFoundException"},
    "TagResource": {"ResourceNotFoundException"},
    "UntagResource": {"ResourceNotFoundException"},
    "StopReplication": {"ConflictException", "ResourceNotFoundException"},
    "StartReplication": {"ConflictException", "ResourceNotFoundException"},
    "DisconnectSourceServer": {"ConflictException", "ResourceNotFoundException"},
    "DeleteSourceServer": {"ConflictException", "ResourceNotFoundException"},
    "StartRecovery": {
        "ConflictException",
        "ResourceNotFoundException",
        "ServiceQuotaExceededException",
    },
}


def check_group(tags: dict[str, str], where: str) -> None:
    """The group's keys are all there with one value, or all absent: never half applied."""
    present = {key: tags[key] for key in GROUP if key in tags}
    assert len(present) in (0, len(GROUP)), f"{where}: half-applied tags {present}"
    assert len(set(present.values())) <= 1, f"{where}: mixed tag writes {present}"


class Fleet:
    """What the workers share: the servers that may exist, and what each thread learned."""

    def __init__(self, server_ids: list[str], arns: dict[str, str]) -> None:
        self.lock = threading.Lock()
        self.ids = list(server_ids)
        self.arns = dict(arns)
        self.deleted: set[str] = set()
        self.outcomes: Counter[tuple[str, str]] = Counter()
        self.failures: list[str] = []

    def add(self, server_id: str, arn: str) -> None:
        with self.lock:
            self.ids.append(server_id)
            self.arns[server_id] = arn

    def pick(self, rng: random.Random) -> tuple[str, str]:
        with self.lock:
            server_id = rng.choice(self.ids)
            return server_id, self.arns[server_id]


class Worker(threading.Thread):
    def __init__(
        self,
        index: int,
        url: str,
        make_client: Callable[[], Any],
        fleet: Fleet,
        deadline: float,
    ) -> None:
        super().__init__(name=f"drs-worker-{index}")
        self.index = index
        self.url = url
        self.drs = make_client()
        self.fleet = fleet
        self.deadline = deadline
        self.rng = random.Random(1000 + index)
        self.owner_key = f"owner-{index}"
        self.last_owner_value: dict[str, str] = {}

    def run(self) -> None:
        try:
            for step in range(OPERATIONS_PER_THREAD):
                if time.monotonic() > self.deadline:
                    return
                self.step(step)
        except BaseException as error:  # report, so that the main thread fails the test
            self.fleet.failures.append(f"{self.name}: {type(error).__name__}: {error}")

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        try:
            response: dict[str, Any] = getattr(self.drs, _snake(operation))(**kwargs)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            self.fleet.outcomes[(operation, code)] += 1
            assert status < 500, f"{operation} answered {status} {code}"
            assert code in EXPECTED_ERRORS[operation], (
                f"{operation} answered {code}: {error}"
            )
            return None
        self.fleet.outcomes[(operation, "ok")] += 1
        return response

    def step(self, step: int) -> None:
        server_id, arn = self.fleet.pick(self.rng)
        roll = self.rng.random()
        if roll < 0.22:
            filters = (
                {"sourceServerIDs": [server_id]} if self.rng.random() < 0.5 else {}
            )
            page = self.call("DescribeSourceServers", filters=filters)
            for item in page["items"] if page else []:
                assert item["dataReplicationInfo"]["dataReplicationState"] in STATES
                check_group(item.get("tags", {}), f"describe {item['sourceServerID']}")
        elif roll < 0.36:
            response = self.call("StopReplication", sourceServerID=server_id)
            if response:
                assert (
                    response["sourceServer"]["dataReplicationInfo"][
                        "dataReplicationState"
                    ]
                    == "STOPPED"
                )
        elif roll < 0.50:
            response = self.call("StartReplication", sourceServerID=server_id)
            if response:
                state = response["sourceServer"]["dataReplicationInfo"][
                    "dataReplicationState"
                ]
                assert state not in ("STOPPED", "DISCONNECTED")
        elif roll < 0.55:
            response = self.call("DisconnectSourceServer", sourceServerID=server_id)
            if response:
                assert (
                    response["dataReplicationInfo"]["dataReplicationState"]
                    == "DISCONNECTED"
                )
        elif roll < 0.59:
            if self.call("DeleteSourceServer", sourceServerID=server_id) is not None:
                with self.fleet.lock:
                    assert server_id not in self.fleet.deleted, (
                        f"{server_id} deleted twice"
                    )
                    self.fleet.deleted.add(server_id)
        elif roll < 0.77:
            stamp = f"{self.index}-{step}"
            tags = dict.fromkeys(GROUP, stamp) | {self.owner_key: stamp}
            if self.call("TagResource", resourceArn=arn, tags=tags) is not None:
                self.last_owner_value[server_id] = stamp
        elif roll < 0.82:
            self.call("UntagResource", resourceArn=arn, tagKeys=GROUP)
        elif roll < 0.90:
            listed = self.call("ListTagsForResource", resourceArn=arn)
            if listed is not None:
                check_group(listed["tags"], f"list tags {server_id}")
        elif roll < 0.93:
            payload = {"dataReplicationState": "CONTINUOUS"}
            seeded = requests.post(
                f"{self.url}/moto-api/static/drs/source-servers",
                json=payload,
                timeout=30,
            )
            assert seeded.status_code == 200, seeded.text
            server = seeded.json()["sourceServer"]
            self.fleet.add(server["sourceServerID"], server["arn"])
        else:
            response = self.call(
                "StartRecovery",
                sourceServers=[{"sourceServerID": server_id}],
                isDrill=True,
            )
            if response:
                assert [
                    p["sourceServerID"] for p in response["job"]["participatingServers"]
                ] == [server_id]


def _snake(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))


def all_pages(
    call: Callable[..., dict[str, Any]], **kwargs: Any
) -> list[dict[str, Any]]:
    items, token = [], None
    while True:
        page = call(**kwargs, **({"nextToken": token} if token else {}))
        items.extend(page["items"])
        token = page.get("nextToken")
        if not token:
            return items


def test_concurrent_clients_keep_state_consistent(server: Any) -> None:
    def make_client() -> Any:
        return server.client(
            "drs", config=Config(retries={"mode": "standard", "total_max_attempts": 1})
        )

    drs = make_client()
    drs.initialize_service()
    seeded = [
        requests.post(
            f"{server.url}/moto-api/static/drs/source-servers",
            json={"dataReplicationState": state},
            timeout=30,
        ).json()["sourceServer"]
        for state in ["CONTINUOUS"] * 10 + ["STOPPED"] * 2
    ]
    fleet = Fleet(
        [s["sourceServerID"] for s in seeded],
        {s["sourceServerID"]: s["arn"] for s in seeded},
    )
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    workers = [
        Worker(i, server.url, make_client, fleet, deadline) for i in range(THREADS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert fleet.failures == []
    total = sum(fleet.outcomes.values())
    assert total >= 1000, f"only {total} requests ran"
    for operation in (
        "StopReplication",
        "StartReplication",
        "TagResource",
        "DescribeSourceServers",
    ):
        assert fleet.outcomes[(operation, "ok")] > 0, (
            f"no {operation} succeeded: {fleet.outcomes}"
        )

    servers = {s["sourceServerID"]: s for s in all_pages(drs.describe_source_servers)}
    # no server lost, none resurrected
    assert set(servers) == set(fleet.ids) - fleet.deleted
    for server_id, item in servers.items():
        tags = drs.list_tags_for_resource(resourceArn=item["arn"])["tags"]
        assert tags == item.get("tags", {})
        check_group(tags, f"final {server_id}")
        for worker in (
            workers
        ):  # no lost update: each thread's last write of its own key survives
            if server_id in worker.last_owner_value:
                assert tags[worker.owner_key] == worker.last_owner_value[server_id]
    for server_id in fleet.deleted:
        for worker in workers:
            worker.last_owner_value.pop(server_id, None)

    # every recovery instance belongs to a server that exists, and the server knows it
    instances = all_pages(drs.describe_recovery_instances)
    for instance in instances:
        assert instance["sourceServerID"] in servers, (
            f"{instance['recoveryInstanceID']} lost its server"
        )
    instance_ids = {i["recoveryInstanceID"] for i in instances}
    for item in servers.values():
        if item.get("recoveryInstanceId"):
            assert item["recoveryInstanceId"] in instance_ids
    for job in all_pages(drs.describe_jobs):
        assert job["status"] in ("PENDING", "STARTED", "COMPLETED")
