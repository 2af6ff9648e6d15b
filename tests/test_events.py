"""DRS events on the default EventBridge bus, delivered by moto's events to the rules users deploy
(docs/events.md): each event type read from an SQS queue with its exact envelope and detail,
CloudFormation-deployed rules, input transformation, other buses, targets moto cannot deliver to,
and server mode."""

import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from conftest import REGION, Server, make_drs_client
from moto.moto_api import state_manager

import moto_drs

ACCOUNT = "123456789012"
WEST = "us-west-2"
BUCKET = "dr-network-templates"
LAUNCH_RESULT = "DRS Source Server Launch Result"
STALLED = "DRS Source Server Data Replication Stalled Change"
PIT = "DRS PIT Snapshot Taken"
FAILBACK = "DRS Recovery Instance Failback State Change"
PROTECTION = "DRS Source Network Protection Status Change"
NETWORK_RECOVERY = "DRS Source Network Recovery Result"
ENVELOPE = {
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
}


# -- helpers ----------------------------------------------------------------------------------------


class Listener:
    """An SQS queue that a rule on the default bus (of ``region``) feeds."""

    def __init__(
        self, pattern: dict[str, Any], region: str = REGION, make: Any = None
    ) -> None:
        # boto3.client looked up at call time: in server mode mock_drs patches it
        make = make or boto3.client
        self.sqs = make("sqs", region_name=region)
        self.events = make("events", region_name=region)
        name = f"drs-{uuid.uuid4().hex[:8]}"
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.arn = self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.events.put_rule(Name=name, EventPattern=json.dumps(pattern))
        self.rule = name
        self.events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": self.arn}])

    def received(self) -> list[dict[str, Any]]:
        return received(self.sqs, self.url)


def received(sqs: Any, url: str) -> list[dict[str, Any]]:
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def pattern(detail_type: str, **detail: list[str]) -> dict[str, Any]:
    """The pattern of the EventBridge events reference for DRS, optionally narrowed on detail."""
    wanted: dict[str, Any] = {"source": ["aws.drs"], "detail-type": [detail_type]}
    if detail:
        wanted["detail"] = detail
    return wanted


def assert_event(
    event: dict[str, Any],
    detail_type: str,
    resource: str,
    detail: dict[str, Any],
    region: str = REGION,
    at: str | None = None,
) -> None:
    """The whole envelope, as the DRS user guide's samples show it; sent ``at`` (default: now)."""
    assert set(event) == ENVELOPE
    uuid.UUID(event["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"])
    if at is not None:
        assert event["time"] == at
    else:
        sent = datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")
        assert abs(
            sent.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
        ) < timedelta(minutes=1)
    assert {k: v for k, v in event.items() if k not in ("id", "time")} == {
        "version": "0",
        "detail-type": detail_type,
        "source": "aws.drs",
        "account": ACCOUNT,
        "region": region,
        "resources": [resource],
        "detail": detail,
    }


def server_arn(server_id: str, region: str = REGION) -> str:
    return f"arn:aws:drs:{region}:{ACCOUNT}:source-server/{server_id}"


def instance_arn(instance_id: str) -> str:
    return f"arn:aws:drs:{REGION}:{ACCOUNT}:recovery-instance/{instance_id}"


def job_status(drs: Any, job_id: str) -> str:
    status: str = drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]["status"]
    return status


def recovered(drs: Any, **seed: Any) -> tuple[str, str]:
    """A source server launched in a recovery; (its ID, its recovery instance's ID)."""
    server_id = moto_drs.add_source_server(**seed)["sourceServerID"]
    job = drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])["job"]
    while job_status(drs, job["jobID"]) != "COMPLETED":
        pass  # a few reads under manual progression
    instance = drs.describe_recovery_instances(
        filters={"sourceServerIDs": [server_id]}
    )["items"][0]
    return server_id, instance["recoveryInstanceID"]


@pytest.fixture
def manual_jobs() -> Iterator[None]:
    state_manager.set_transition("drs::job", {"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition("drs::job")


@pytest.fixture
def manual_networks() -> Iterator[None]:
    state_manager.set_transition(
        "drs::source-network", {"progression": "manual", "times": 1}
    )
    yield
    state_manager.unset_transition("drs::source-network")


# -- DRS Source Server Launch Result ----------------------------------------------------------------


class TestLaunchResult:
    def test_a_drill_that_launches(self, drs: Any) -> None:
        listener = Listener(pattern(LAUNCH_RESULT))
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job = drs.start_recovery(
            sourceServers=[{"sourceServerID": server_id}], isDrill=True
        )["job"]
        [event] = listener.received()
        assert_event(
            event,
            LAUNCH_RESULT,
            server_arn(server_id),
            {
                "state": "RECOVERY_LAUNCH_SUCCEEDED",
                "job-id": job["jobID"],
                "is-drill": "TRUE",
            },
        )

    def test_a_failed_recovery_launch_pages(self, drs: Any, ec2: Any) -> None:
        """The rule published solutions deploy: only failed launches."""
        listener = Listener(pattern(LAUNCH_RESULT, state=["RECOVERY_LAUNCH_FAILED"]))
        good = moto_drs.add_source_server()["sourceServerID"]
        bad = moto_drs.add_source_server()["sourceServerID"]
        template_id = drs.get_launch_configuration(sourceServerID=bad)[
            "ec2LaunchTemplateID"
        ]
        ec2.create_launch_template_version(
            LaunchTemplateId=template_id,
            LaunchTemplateData={
                "NetworkInterfaces": [
                    {"DeviceIndex": 0, "SubnetId": "subnet-0000000000000000f"}
                ]
            },
        )
        ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="2")
        job = drs.start_recovery(
            sourceServers=[{"sourceServerID": good}, {"sourceServerID": bad}]
        )["job"]
        [event] = listener.received()
        assert_event(
            event,
            LAUNCH_RESULT,
            server_arn(bad),
            {
                "state": "RECOVERY_LAUNCH_FAILED",
                "job-id": job["jobID"],
                "is-drill": "FALSE",
            },
        )

    def test_a_failback_launch(self, drs: Any) -> None:
        server_id, instance_id = recovered(drs)
        moto_drs.connect_failback_client(instance_id)
        listener = Listener(pattern(LAUNCH_RESULT))
        job = drs.start_failback_launch(recoveryInstanceIDs=[instance_id])["job"]
        [event] = listener.received()
        assert_event(
            event,
            LAUNCH_RESULT,
            server_arn(server_id),
            {
                "state": "RECOVERY_LAUNCH_SUCCEEDED",
                "job-id": job["jobID"],
                "is-drill": "FALSE",
            },
        )

    def test_fires_when_the_job_is_seen_to_complete(
        self, drs: Any, manual_jobs: None
    ) -> None:
        listener = Listener(pattern(LAUNCH_RESULT))
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job = drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])["job"]
        assert listener.received() == []
        assert job_status(drs, job["jobID"]) == "STARTED"
        assert listener.received() == []
        assert job_status(drs, job["jobID"]) == "COMPLETED"
        [event] = listener.received()
        assert event["detail"]["state"] == "RECOVERY_LAUNCH_SUCCEEDED"


# -- DRS Source Server Data Replication Stalled Change ----------------------------------------------


class TestStalledChange:
    def test_stalled_and_back(self, drs: Any) -> None:
        listener = Listener(pattern(STALLED))
        server_id = moto_drs.add_source_server()["sourceServerID"]
        assert listener.received() == []  # a replicating server that merely exists
        moto_drs.set_data_replication_state(server_id, "STALLED", "AGENT_NOT_SEEN")
        [stalled] = listener.received()
        assert_event(stalled, STALLED, server_arn(server_id), {"state": "STALLED"})
        drs.retry_data_replication(sourceServerID=server_id)
        [recovered_event] = listener.received()
        assert_event(
            recovered_event, STALLED, server_arn(server_id), {"state": "NOT_STALLED"}
        )

    def test_alert_on_a_seeded_stall_only(self, drs: Any) -> None:
        """The alerting rule of published solutions: stalls only."""
        listener = Listener(pattern(STALLED, state=["STALLED"]))
        moto_drs.add_source_server()
        server_id = moto_drs.add_source_server(data_replication_state="STALLED")[
            "sourceServerID"
        ]
        drs.stop_replication(sourceServerID=server_id)  # NOT_STALLED: not matched
        [event] = listener.received()
        assert_event(event, STALLED, server_arn(server_id), {"state": "STALLED"})

    def test_time_is_the_drs_clock(self, drs: Any) -> None:
        listener = Listener(pattern(STALLED))
        server_id = moto_drs.add_source_server()["sourceServerID"]
        clock = moto_drs.advance_clock(3 * 86400)["dateTime"]
        moto_drs.set_data_replication_state(server_id, "STALLED")
        [event] = listener.received()
        expected = datetime.fromisoformat(clock.replace("Z", "+00:00"))
        sent = datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")
        assert abs(sent.replace(tzinfo=timezone.utc) - expected) < timedelta(minutes=1)


# -- DRS Recovery Instance Failback State Change ----------------------------------------------------


class TestFailbackStateChange:
    def test_in_progress_then_completed(self, drs: Any) -> None:
        listener = Listener(pattern(FAILBACK))
        _, instance_id = recovered(drs)
        assert listener.received() == []  # a recovery instance that merely exists
        moto_drs.connect_failback_client(instance_id)
        [started] = listener.received()
        assert_event(
            started,
            FAILBACK,
            instance_arn(instance_id),
            {"state": "FAILBACK_IN_PROGRESS"},
        )
        drs.start_failback_launch(recoveryInstanceIDs=[instance_id])
        [completed] = listener.received()
        assert_event(
            completed,
            FAILBACK,
            instance_arn(instance_id),
            {"state": "FAILBACK_COMPLETED"},
        )

    def test_completed_fires_when_the_launch_is_seen_to_complete(
        self, drs: Any, manual_jobs: None
    ) -> None:
        _, instance_id = recovered(drs)
        moto_drs.connect_failback_client(instance_id)
        listener = Listener(pattern(FAILBACK, state=["FAILBACK_COMPLETED"]))
        job = drs.start_failback_launch(recoveryInstanceIDs=[instance_id])["job"]
        assert job_status(drs, job["jobID"]) == "STARTED"
        assert listener.received() == []
        assert job_status(drs, job["jobID"]) == "COMPLETED"
        assert [e["detail"] for e in listener.received()] == [
            {"state": "FAILBACK_COMPLETED"}
        ]

    def test_a_failback_launch_that_fails_is_an_error(
        self, drs: Any, manual_jobs: None
    ) -> None:
        _, instance_id = recovered(drs)
        moto_drs.connect_failback_client(instance_id)
        listener = Listener(pattern(FAILBACK))
        job = drs.start_failback_launch(recoveryInstanceIDs=[instance_id])["job"]
        drs.stop_failback(recoveryInstanceID=instance_id)
        while job_status(drs, job["jobID"]) != "COMPLETED":
            pass
        [event] = listener.received()
        assert_event(
            event, FAILBACK, instance_arn(instance_id), {"state": "FAILBACK_ERROR"}
        )

    def test_reverse_replication_starts_failback(self, drs: Any) -> None:
        make_drs_client(WEST).initialize_service()
        listener = Listener(pattern(FAILBACK))
        _, instance_id = recovered(
            drs,
            source_cloud_properties={
                "originAccountID": ACCOUNT,
                "originRegion": WEST,
                "originAvailabilityZone": f"{WEST}b",
            },
        )
        drs.reverse_replication(recoveryInstanceID=instance_id)
        [event] = listener.received()
        assert_event(
            event,
            FAILBACK,
            instance_arn(instance_id),
            {"state": "FAILBACK_IN_PROGRESS"},
        )


# -- source networks --------------------------------------------------------------------------------


@pytest.fixture
def west_drs(aws: None) -> Any:
    client = make_drs_client(WEST)
    client.initialize_service()
    s3 = boto3.client("s3", region_name=WEST)
    s3.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": WEST}
    )
    client.create_launch_configuration_template(
        exportBucketArn=f"arn:aws:s3:::{BUCKET}/networks"
    )
    return client


def protected_vpc(ec2: Any) -> str:
    vpc_id: str = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24")
    return vpc_id


def network_arn(network_id: str) -> str:
    return f"arn:aws:drs:{WEST}:{ACCOUNT}:source-network/{network_id}"


class TestSourceNetworks:
    def test_protection_status_changes(self, west_drs: Any, ec2: Any) -> None:
        listener = Listener(pattern(PROTECTION), region=WEST)
        network_id = west_drs.create_source_network(
            vpcID=protected_vpc(ec2), originAccountID=ACCOUNT, originRegion=REGION
        )["sourceNetworkID"]
        west_drs.describe_source_networks()
        assert listener.received() == []  # a network that merely exists
        west_drs.start_source_network_replication(sourceNetworkID=network_id)
        [protected] = listener.received()
        assert_event(
            protected,
            PROTECTION,
            network_arn(network_id),
            {"state": "PROTECTED"},
            region=WEST,
        )
        west_drs.describe_source_networks()
        assert listener.received() == []  # no change, no event
        west_drs.stop_source_network_replication(sourceNetworkID=network_id)
        assert [e["detail"] for e in listener.received()] == [{"state": "STOPPED"}]

    def test_each_status_clients_can_see(
        self, west_drs: Any, ec2: Any, manual_networks: None
    ) -> None:
        listener = Listener(pattern(PROTECTION), region=WEST)
        vpc_id = protected_vpc(ec2)
        network_id = west_drs.create_source_network(
            vpcID=vpc_id, originAccountID=ACCOUNT, originRegion=REGION
        )["sourceNetworkID"]
        west_drs.start_source_network_replication(sourceNetworkID=network_id)
        assert [e["detail"] for e in listener.received()] == [{"state": "IN_PROGRESS"}]
        west_drs.describe_source_networks()
        assert [e["detail"] for e in listener.received()] == [{"state": "PROTECTED"}]
        ec2.delete_subnet(
            SubnetId=ec2.describe_subnets(
                Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
            )["Subnets"][0]["SubnetId"]
        )
        ec2.delete_vpc(VpcId=vpc_id)
        west_drs.describe_source_networks()
        assert [e["detail"] for e in listener.received()] == [{"state": "ERROR"}]

    def test_recovery_result(self, west_drs: Any, ec2: Any) -> None:
        listener = Listener(pattern(NETWORK_RECOVERY), region=WEST)
        network_id = west_drs.create_source_network(
            vpcID=protected_vpc(ec2), originAccountID=ACCOUNT, originRegion=REGION
        )["sourceNetworkID"]
        west_drs.start_source_network_replication(sourceNetworkID=network_id)
        job = west_drs.start_source_network_recovery(
            sourceNetworks=[{"sourceNetworkID": network_id}]
        )["job"]
        [event] = listener.received()
        assert_event(
            event,
            NETWORK_RECOVERY,
            network_arn(network_id),
            {"state": "SUCCESS", "job-id": job["jobID"]},
            region=WEST,
        )


# -- how the events are delivered -------------------------------------------------------------------


class TestDelivery:
    def test_rule_deployed_by_cloudformation(self, drs: Any) -> None:
        template = {
            "Resources": {
                "Alerts": {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {"QueueName": "drs-alerts"},
                },
                "FailedLaunches": {
                    "Type": "AWS::Events::Rule",
                    "Properties": {
                        "EventPattern": pattern(
                            LAUNCH_RESULT, state=["RECOVERY_LAUNCH_SUCCEEDED"]
                        ),
                        "Targets": [
                            {"Id": "alerts", "Arn": {"Fn::GetAtt": ["Alerts", "Arn"]}}
                        ],
                    },
                },
            }
        }
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName="drs-alerting", TemplateBody=json.dumps(template)
        )
        server_id = moto_drs.add_source_server()["sourceServerID"]
        job = drs.start_recovery(sourceServers=[{"sourceServerID": server_id}])["job"]
        sqs = boto3.client("sqs", region_name=REGION)
        [event] = received(sqs, sqs.get_queue_url(QueueName="drs-alerts")["QueueUrl"])
        assert_event(
            event,
            LAUNCH_RESULT,
            server_arn(server_id),
            {
                "state": "RECOVERY_LAUNCH_SUCCEEDED",
                "job-id": job["jobID"],
                "is-drill": "FALSE",
            },
        )

    def test_targets_moto_cannot_deliver_to_leave_drs_and_other_targets_alone(
        self, drs: Any
    ) -> None:
        listener = Listener(pattern(LAUNCH_RESULT))
        undeliverable = [
            {"Id": "sns", "Arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:drs-alerts"},
            {"Id": "fn", "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:on-drs"},
            {"Id": "gone", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:deleted-queue"},
        ]
        listener.events.put_targets(Rule=listener.rule, Targets=undeliverable)
        listener.events.put_rule(
            Name="first", EventPattern=json.dumps({"source": ["aws.drs"]})
        )
        listener.events.put_targets(Rule="first", Targets=undeliverable)
        for number in range(50):  # many rules that do not match
            listener.events.put_rule(
                Name=f"other-{number}",
                EventPattern=json.dumps({"source": [f"my.app{number}"]}),
            )
        server_id, instance_id = recovered(drs)
        assert drs.describe_recovery_instances()["items"][0]["ec2InstanceState"] == (
            "RUNNING"
        )
        [event] = listener.received()
        assert event["resources"] == [server_arn(server_id)]

    def test_sns_targets_publish_to_the_topic(self, drs: Any) -> None:
        """EventBridge -> SNS -> subscribers, the most common DRS alerting; moto's events cannot
        deliver to SNS, so the mock publishes to moto's SNS itself."""
        sns = boto3.client("sns", region_name=REGION)
        topic = sns.create_topic(Name="drs-alerts")["TopicArn"]
        inbox = Listener({"source": ["never"]})  # a queue to subscribe
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox.arn)
        events = inbox.events
        events.put_rule(Name="page", EventPattern=json.dumps(pattern(LAUNCH_RESULT)))
        events.put_targets(
            Rule="page",
            Targets=[
                {"Id": "whole", "Arn": topic},
                {
                    "Id": "short",
                    "Arn": topic,
                    "InputTransformer": {
                        "InputPathsMap": {"state": "$.detail.state", "at": "$.time"},
                        "InputTemplate": '{"alarm": "<state>", "at": "<at>"}',
                    },
                },
            ],
        )
        server_id, _ = recovered(drs)
        whole, short = [json.loads(n["Message"]) for n in inbox.received()]
        assert_event(
            whole,
            LAUNCH_RESULT,
            server_arn(server_id),
            {
                "state": "RECOVERY_LAUNCH_SUCCEEDED",
                "job-id": whole["detail"]["job-id"],
                "is-drill": "FALSE",
            },
        )
        assert short == {"alarm": "RECOVERY_LAUNCH_SUCCEEDED", "at": whole["time"]}

    def test_disabled_rules_receive_nothing(self, drs: Any) -> None:
        listener = Listener({"source": ["aws.drs"]})
        listener.events.disable_rule(Name=listener.rule)
        recovered(drs)
        assert listener.received() == []

    def test_input_transformer_input_path_and_constant_input(self, drs: Any) -> None:
        listener = Listener(pattern(LAUNCH_RESULT))
        listener.events.put_targets(
            Rule=listener.rule,
            Targets=[
                {
                    "Id": "queue",
                    "Arn": listener.arn,
                    "InputTransformer": {
                        "InputPathsMap": {
                            "server": "$.resources[0]",
                            "state": "$.detail.state",
                        },
                        "InputTemplate": '{"alarm": "<state>", "on": "<server>"}',
                    },
                }
            ],
        )
        path = Listener(pattern(LAUNCH_RESULT))
        path.events.put_targets(
            Rule=path.rule,
            Targets=[{"Id": "queue", "Arn": path.arn, "InputPath": "$.detail"}],
        )
        constant = Listener(pattern(LAUNCH_RESULT))
        constant.events.put_targets(
            Rule=constant.rule,
            Targets=[{"Id": "queue", "Arn": constant.arn, "Input": '{"page": true}'}],
        )
        server_id, _ = recovered(drs)
        assert listener.received() == [
            {"alarm": "RECOVERY_LAUNCH_SUCCEEDED", "on": server_arn(server_id)}
        ]
        [detail] = path.received()
        assert detail["state"] == "RECOVERY_LAUNCH_SUCCEEDED"
        assert set(detail) == {"state", "job-id", "is-drill"}
        assert constant.received() == [{"page": True}]

    def test_another_bus_and_cloudwatch_logs(self, drs: Any) -> None:
        events = boto3.client("events", region_name=REGION)
        bus_arn = events.create_event_bus(Name="dr-operations")["EventBusArn"]
        logs = boto3.client("logs", region_name=REGION)
        logs.create_log_group(logGroupName="drs-events")
        events.put_rule(Name="forward", EventPattern=json.dumps(pattern(LAUNCH_RESULT)))
        events.put_targets(
            Rule="forward",
            Targets=[
                {"Id": "bus", "Arn": bus_arn},
                {
                    "Id": "logs",
                    "Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:drs-events",
                },
            ],
        )
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="operations")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events.put_rule(
            Name="on-bus",
            EventBusName="dr-operations",
            EventPattern=json.dumps(pattern(LAUNCH_RESULT)),
        )
        events.put_targets(
            Rule="on-bus",
            EventBusName="dr-operations",
            Targets=[{"Id": "queue", "Arn": queue_arn}],
        )
        server_id, _ = recovered(drs)
        [event] = received(sqs, url)
        assert_event(
            event,
            LAUNCH_RESULT,
            server_arn(server_id),
            {
                "state": "RECOVERY_LAUNCH_SUCCEEDED",
                "job-id": event["detail"]["job-id"],
                "is-drill": "FALSE",
            },
        )
        logged = logs.filter_log_events(logGroupName="drs-events")["events"]
        assert [json.loads(e["message"])["detail-type"] for e in logged] == [
            LAUNCH_RESULT
        ]

    def test_no_rules_no_events_backend(self, drs: Any) -> None:
        """DRS works the same when moto's events were never used in the account."""
        server_id, _ = recovered(drs)
        assert drs.describe_source_servers()["items"][0]["lastLaunchResult"] == (
            "SUCCEEDED"
        )


def test_server_mode(server: Server) -> None:
    """Rules, queue and DRS all over HTTP: the event is delivered in the server's process."""
    drs = server.client(region_name=WEST)
    drs.initialize_service()
    server.client("s3", region_name=WEST).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": WEST}
    )
    drs.create_launch_configuration_template(
        exportBucketArn=f"arn:aws:s3:::{BUCKET}/networks"
    )
    listener = Listener(pattern(PROTECTION), region=WEST, make=server.client)
    network_id = drs.create_source_network(
        vpcID=protected_vpc(server.client("ec2")),
        originAccountID=ACCOUNT,
        originRegion=REGION,
    )["sourceNetworkID"]
    drs.start_source_network_replication(sourceNetworkID=network_id)
    [event] = listener.received()
    assert_event(
        event, PROTECTION, network_arn(network_id), {"state": "PROTECTED"}, region=WEST
    )


# -- DRS PIT Snapshot Taken -------------------------------------------------------------------------


class TestPitSnapshotTaken:
    def test_each_scheduled_snapshot_at_its_time(self, drs: Any) -> None:
        listener = Listener(pattern(PIT))
        server_id = moto_drs.add_source_server()["sourceServerID"]
        moto_drs.advance_clock(25 * 60)
        drs.describe_jobs()  # any DRS call brings the schedule up to date
        events = listener.received()
        snapshots = drs.describe_recovery_snapshots(
            sourceServerID=server_id, order="ASC"
        )["items"]
        assert len(events) == len(snapshots) >= 2
        for event, snapshot in zip(events, snapshots, strict=True):
            assert_event(
                event,
                PIT,
                server_arn(server_id),
                {
                    "DrsSnapshotID": snapshot["snapshotID"],
                    "EbsSnapshotIDs": ",".join(snapshot["ebsSnapshots"]),
                },
                at=snapshot["timestamp"][:19] + "Z",
            )
        moto_drs.advance_clock(10 * 60)
        drs.describe_jobs()
        [later] = listener.received()  # only the snapshot taken since
        assert later["detail"]["DrsSnapshotID"] not in {
            e["detail"]["DrsSnapshotID"] for e in events
        }
