"""Defects outside clients hit (issue 9, item 6): seeding timestamps in any ISO-8601 form, the
hardwareId filter on MAC addresses, and unknown IDs where the model lists no
ResourceNotFoundException. Decorator mode, and server mode with setup over HTTP."""

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from moto.core.exceptions import ServiceException
from shape_check import assert_client_error

import moto_drs

MISSING_SERVER = "s-0123456789abcdef0"
MISSING_INSTANCE = "i-0123456789abcdef0"
EQUIVALENT = [  # every form names 2024-05-01T10:00:00Z (or a fraction after it)
    ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),  # the model's form stays as given
    ("2024-05-01T10:00:00+00:00", "2024-05-01T10:00:00.000Z"),
    ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00.000Z"),
    ("2024-05-01T05:30:00-04:30", "2024-05-01T10:00:00.000Z"),
    ("2024-05-01T10:00:00.250+00:00", "2024-05-01T10:00:00.250Z"),
    ("2024-05-01T10:00:00.123456789Z", "2024-05-01T10:00:00.123456789Z"),
    ("2024-05-01 10:00:00", "2024-05-01T10:00:00.000Z"),  # no offset: UTC
    (datetime(2024, 5, 1, 10, tzinfo=timezone.utc), "2024-05-01T10:00:00.000Z"),
    (
        datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))),
        "2024-05-01T10:00:00.000Z",
    ),
    (datetime(2024, 5, 1, 10), "2024-05-01T10:00:00.000Z"),  # naive: UTC
]
NOT_TIMESTAMPS = ["yesterday", "2024-05-01", "2024-02-31T00:00:00Z", 1714557600, ""]


class TestSeedingTimestamps:
    @pytest.mark.parametrize(("given", "stored"), EQUIVALENT)
    def test_any_iso8601_form_is_normalised(
        self, drs: Any, given: Any, stored: str
    ) -> None:
        server = moto_drs.add_source_server(
            source_properties={"lastUpdatedDateTime": given},
            data_replication_state="CONTINUOUS",
        )
        assert server["sourceProperties"]["lastUpdatedDateTime"] == stored
        described = drs.describe_source_servers(
            filters={"sourceServerIDs": [server["sourceServerID"]]}
        )["items"][0]  # the fixture's client shape-checks the pattern
        assert described["sourceProperties"]["lastUpdatedDateTime"] == stored
        snapshot = moto_drs.add_recovery_snapshot(server["sourceServerID"], given)
        assert snapshot["timestamp"].startswith("2024-05-01T10:00:00")
        assert snapshot["timestamp"].endswith("Z")

    @pytest.mark.parametrize("value", NOT_TIMESTAMPS)
    def test_only_non_timestamps_are_refused(self, drs: Any, value: Any) -> None:
        before = drs.describe_source_servers()["items"]
        with pytest.raises(ServiceException) as error:
            moto_drs.add_source_server(source_properties={"lastUpdatedDateTime": value})
        assert error.value.code == "ValidationException"
        assert "ISO-8601" in error.value.message
        assert drs.describe_source_servers()["items"] == before
        server_id = moto_drs.add_source_server(data_replication_state="CONTINUOUS")[
            "sourceServerID"
        ]
        with pytest.raises(ServiceException) as error:
            moto_drs.add_recovery_snapshot(server_id, value)
        assert error.value.code == "ValidationException"

    def test_over_http(self, server: Any) -> None:
        drs = server.client("drs")
        drs.initialize_service()
        seeded = requests.post(
            f"{server.url}/moto-api/static/drs/source-servers",
            json={
                "sourceProperties": {
                    "lastUpdatedDateTime": "2024-05-01T12:00:00+02:00"
                },
                "dataReplicationState": "CONTINUOUS",
            },
            timeout=60,
        )
        assert seeded.status_code == 200, seeded.text
        server_id = seeded.json()["sourceServer"]["sourceServerID"]
        described = drs.describe_source_servers()["items"][0]
        assert described["sourceProperties"]["lastUpdatedDateTime"] == (
            "2024-05-01T10:00:00.000Z"
        )
        snapshot = requests.post(
            f"{server.url}/moto-api/static/drs/recovery-snapshots",
            data=json.dumps(
                {"sourceServerID": server_id, "timestamp": "2024-05-01T10:00:00+00:00"}
            ),
            timeout=60,
        )
        assert snapshot.status_code == 200, snapshot.text
        assert snapshot.json()["recoverySnapshot"]["timestamp"] == (
            "2024-05-01T10:00:00.000Z"
        )
        refused = requests.post(
            f"{server.url}/moto-api/static/drs/source-servers",
            json={"sourceProperties": {"lastUpdatedDateTime": "last Tuesday"}},
            timeout=60,
        )
        assert refused.status_code == 400
        assert refused.json()["code"] == "ValidationException"
        assert refused.json()["fieldList"] == [
            {
                "name": "sourceProperties.lastUpdatedDateTime",
                "message": "Not an ISO-8601 date-time",
            }
        ]
        assert len(drs.describe_source_servers()["items"]) == 1


def with_macs(*macs: str) -> dict[str, Any]:
    return {
        "networkInterfaces": [
            {"macAddress": mac, "ips": ["10.0.0.5"], "isPrimary": index == 0}
            for index, mac in enumerate(macs)
        ]
    }


def check_hardware_id_filter(drs: Any, first: str, second: str) -> None:
    def found(hardware_id: str) -> list[str]:
        items = drs.describe_source_servers(filters={"hardwareId": hardware_id})
        return [s["sourceServerID"] for s in items["items"]]

    assert found("0a:1b:2c:3d:4e:5f") == [first]  # the primary interface
    assert found("0A:1B:2C:3D:4E:60") == [first]  # another interface, any letter case
    assert found("0a:1b:2c:3d:4e:61") == [second]
    assert found("0a:1b:2c:3d:4e:62") == []


class TestHardwareIdFilter:
    def test_matches_mac_addresses(self, drs: Any) -> None:
        first = moto_drs.add_source_server(
            source_properties=with_macs("0a:1b:2c:3d:4e:5f", "0a:1b:2c:3d:4e:60")
        )
        second = moto_drs.add_source_server(
            source_properties=with_macs("0a:1b:2c:3d:4e:61")
        )
        check_hardware_id_filter(drs, first["sourceServerID"], second["sourceServerID"])
        uuid = first["sourceProperties"]["identificationHints"]["vmWareUuid"]
        assert [
            s["sourceServerID"]
            for s in drs.describe_source_servers(filters={"hardwareId": uuid})["items"]
        ] == [first["sourceServerID"]]  # the VMware uuid still matches

    def test_over_http(self, server: Any) -> None:
        drs = server.client("drs")
        drs.initialize_service()
        ids = []
        for properties in (
            with_macs("0a:1b:2c:3d:4e:5f", "0a:1b:2c:3d:4e:60"),
            with_macs("0a:1b:2c:3d:4e:61"),
        ):
            answer = requests.post(
                f"{server.url}/moto-api/static/drs/source-servers",
                json={"sourceProperties": properties},
                timeout=60,
            )
            ids.append(answer.json()["sourceServer"]["sourceServerID"])
        check_hardware_id_filter(drs, *ids)


def check_unknown_ids(drs: Any) -> None:
    """What each operation without a modelled ResourceNotFoundException answers."""
    answer = drs.describe_recovery_snapshots(sourceServerID=MISSING_SERVER)
    assert answer["items"] == []  # a read lists nothing
    for call in (
        lambda: drs.terminate_recovery_instances(
            recoveryInstanceIDs=[MISSING_INSTANCE]
        ),
        lambda: drs.delete_recovery_instance(recoveryInstanceID=MISSING_INSTANCE),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert_client_error(
            error.value,
            "ConflictException",
            409,
            resourceId=MISSING_INSTANCE,
            resourceType="RECOVERY_INSTANCE",
        )
    with pytest.raises(ClientError) as error:
        drs.start_failback_launch(recoveryInstanceIDs=[MISSING_INSTANCE])
    assert_client_error(
        error.value,
        "ValidationException",
        400,
        reason="fieldValidationFailed",
        fieldList=[
            {"name": "recoveryInstanceIDs[0]", "message": "Unknown recovery instance"}
        ],
    )
    assert drs.describe_jobs()["items"] == []  # nothing started


class TestUnknownIds:
    def test_answers_modelled_errors(self, drs: Any) -> None:
        check_unknown_ids(drs)

    def test_over_http(self, server: Any) -> None:
        drs = server.client("drs")
        drs.initialize_service()
        check_unknown_ids(drs)
