"""Service quotas: documented defaults, enforcement with ServiceQuotaExceededException, and
changing them from Python and over HTTP (so that a test hits a quota with three servers)."""

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import moto_api_url
from moto.core.exceptions import ServiceException
from shape_check import assert_client_error

import moto_drs
from moto_drs import mock_drs

MOTO_API = moto_api_url() + "/moto-api/static/drs"
DOCUMENTED = {  # docs/drs-semantics.md, section 8
    "source_servers": ("L-E28BE5E0", 4000),
    "replicating_source_servers": ("L-C1D14A2B", 300),
    "servers_per_job": ("L-B827C881", 100),
    "concurrent_jobs": ("L-D88FAC3A", 20),
    "servers_in_active_jobs": ("L-05AFA8C6", 500),
    "concurrent_jobs_per_source_server": ("L-DD6D028C", 1),
    "launch_actions_per_resource": ("L-0588D03B", 200),
    "launch_configuration_templates": ("L-1F3FAE4D", 1),
    "source_networks": ("L-4B0323BD", 100),
}


def server_ids(drs: Any) -> list[str]:
    return sorted(s["sourceServerID"] for s in drs.describe_source_servers()["items"])


def state_of(drs: Any, server_id: str) -> str:
    items = drs.describe_source_servers(filters={"sourceServerIDs": [server_id]})[
        "items"
    ]
    return str(items[0]["dataReplicationInfo"]["dataReplicationState"])


def test_defaults_are_the_documented_quotas(drs: Any) -> None:
    quotas = {q["name"]: q for q in moto_drs.list_quotas()}
    assert {
        name: (q["quotaCode"], q["value"]) for name, q in quotas.items()
    } == DOCUMENTED
    assert all(
        q["serviceCode"] == "drs" and q["value"] == q["defaultValue"]
        for q in quotas.values()
    )
    assert (
        quotas["source_servers"]["adjustable"]
        and not quotas["servers_per_job"]["adjustable"]
    )


def test_source_servers_quota_stops_seeding_and_changes_nothing(drs: Any) -> None:
    moto_drs.set_quota("source_servers", 3)
    for _ in range(3):
        moto_drs.add_source_server()
    before = server_ids(drs)
    with pytest.raises(ServiceException) as error:
        moto_drs.add_source_server(tags={"k": "v"})
    assert getattr(error.value, "code", None) == "ServiceQuotaExceededException"
    assert error.value.quota_code == "L-E28BE5E0"  # type: ignore[attr-defined]
    assert server_ids(drs) == before


def test_quota_can_be_named_by_its_code(drs: Any) -> None:
    moto_drs.set_quota("L-E28BE5E0", 1)
    moto_drs.add_source_server()
    response = requests.post(f"{MOTO_API}/source-servers", json={}, timeout=10)
    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "ServiceQuotaExceededException"
    assert body["quotaCode"] == "L-E28BE5E0" and body["serviceCode"] == "drs"
    assert response.headers["x-amzn-ErrorType"] == "ServiceQuotaExceededException"


def test_replicating_quota_counts_only_replicating_servers(drs: Any) -> None:
    moto_drs.set_quota("replicating_source_servers", 2)
    moto_drs.add_source_server()
    second = moto_drs.add_source_server()["sourceServerID"]
    stopped = moto_drs.add_source_server(data_replication_state="STOPPED")[
        "sourceServerID"
    ]
    with pytest.raises(ServiceException) as error:
        moto_drs.add_source_server(data_replication_state="CONTINUOUS")
    assert error.value.quota_code == "L-C1D14A2B"  # type: ignore[attr-defined]

    with pytest.raises(ClientError) as client_error:
        drs.start_replication(sourceServerID=stopped)
    assert_client_error(
        client_error.value,
        "ServiceQuotaExceededException",
        402,
        quotaCode="L-C1D14A2B",
        serviceCode="drs",
    )
    assert state_of(drs, stopped) == "STOPPED"

    drs.stop_replication(sourceServerID=second)
    drs.start_replication(sourceServerID=stopped)
    assert state_of(drs, stopped) != "STOPPED"


def test_quotas_are_per_account_and_region(drs: Any) -> None:
    moto_drs.set_quota("source_servers", 0)
    with pytest.raises(ServiceException):
        moto_drs.add_source_server()
    other = {
        q["name"]: q["value"] for q in moto_drs.list_quotas(region_name="eu-west-1")
    }
    assert other["source_servers"] == 4000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("no_such_quota", 3),
        ("L-00000000", 3),
        ("source_servers", -1),
        ("source_servers", True),
        ("source_servers", "3"),
    ],
)
def test_bad_quota_changes_are_refused(drs: Any, name: str, value: Any) -> None:
    with pytest.raises(ServiceException) as error:
        moto_drs.set_quota(name, value)
    assert getattr(error.value, "code", None) == "ValidationException"
    assert {q["name"]: q["value"] for q in moto_drs.list_quotas()}[
        "source_servers"
    ] == 4000


def test_http_endpoint_sets_all_or_nothing_and_lists(drs: Any) -> None:
    bad = requests.post(
        f"{MOTO_API}/quotas",
        json={"quotas": {"source_servers": 5, "nope": 1}},
        timeout=10,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "ValidationException"
    listed = requests.get(f"{MOTO_API}/quotas", timeout=10).json()["quotas"]
    assert {q["name"]: q["value"] for q in listed}["source_servers"] == 4000

    good = requests.post(
        f"{MOTO_API}/quotas",
        json={"quotas": {"source_servers": 5, "L-C1D14A2B": 4}},
        timeout=10,
    )
    assert good.status_code == 200
    values = {q["name"]: q["value"] for q in good.json()["quotas"]}
    assert values["source_servers"] == 5 and values["replicating_source_servers"] == 4

    other = requests.get(f"{MOTO_API}/quotas?region=eu-west-1", timeout=10).json()[
        "quotas"
    ]
    assert {q["name"]: q["value"] for q in other}["source_servers"] == 4000
    assert (
        requests.get(f"{MOTO_API}/quotas?region=mars-1", timeout=10).status_code == 400
    )
    assert requests.get(f"{MOTO_API}/quotas?bogus=1", timeout=10).status_code == 400


def test_reset_restores_the_documented_quotas() -> None:
    with mock_drs():
        moto_drs.set_quota("source_servers", 1)
    with mock_drs():
        assert {q["name"]: q["value"] for q in moto_drs.list_quotas()}[
            "source_servers"
        ] == 4000


def test_server_mode_quota_over_http(server: Any) -> None:
    drs = server.client("drs")
    drs.initialize_service()
    quotas = {"quotas": {"source_servers": 1}}
    assert requests.post(
        f"{server.url}/moto-api/static/drs/quotas", json=quotas, timeout=10
    ).ok
    assert requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
    ).ok
    refused = requests.post(
        f"{server.url}/moto-api/static/drs/source-servers", json={}, timeout=10
    )
    assert refused.status_code == 402 and refused.json()["quotaCode"] == "L-E28BE5E0"
    assert len(drs.describe_source_servers()["items"]) == 1
