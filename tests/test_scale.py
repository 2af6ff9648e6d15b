"""Correctness at fleet scale: paging through thousands of source servers loses, repeats and
reorders nothing, and looking servers up by ID in a big fleet finds exactly them.

Timing is the benchmark's business (benchmarks/bench.py); these tests only check behaviour.
The big fleet is DRS's default account quota, 4,000 source servers: moto's EC2 makes seeding
more of them slow, because each server's EC2 launch template is created with a scan of every
EC2 tag in the region.
"""

from typing import Any

import pytest
from botocore.exceptions import ClientError
from shape_check import assert_client_error

import moto_drs

FLEET = 4_000  # quota L-E28BE5E0, "Total source servers per account"
PAGE = 1_000


def seed(count: int) -> list[str]:
    moto_drs.set_quota("replicating_source_servers", count)
    return [moto_drs.add_source_server()["sourceServerID"] for _ in range(count)]


def pages(drs: Any, token: str | None = None, **query: Any) -> list[list[str]]:
    """Every page of DescribeSourceServers for ``query`` (from ``token`` on), as lists of IDs."""
    result = []
    while True:
        page = drs.describe_source_servers(
            **query, **({"nextToken": token} if token else {})
        )
        result.append([item["sourceServerID"] for item in page["items"]])
        token = page.get("nextToken")
        if not token:
            return result


def test_a_full_account_pages_completely_and_in_order(drs: Any) -> None:
    fleet = seed(FLEET)

    listed = pages(drs, maxResults=PAGE)

    assert [len(page) for page in listed] == [PAGE] * (FLEET // PAGE)
    assert [server_id for page in listed for server_id in page] == fleet
    # without maxResults, DRS's page size applies and the same servers come back
    assert [server_id for page in pages(drs) for server_id in page] == fleet

    # looking servers up by ID in the big fleet finds exactly those, however many are asked for
    wanted = [fleet[0], fleet[FLEET // 2], fleet[-1]]
    found = drs.describe_source_servers(filters={"sourceServerIDs": wanted})["items"]
    assert sorted(item["sourceServerID"] for item in found) == sorted(wanted)
    assert (
        len(
            drs.describe_source_servers(filters={"sourceServerIDs": fleet[:200]})[
                "items"
            ]
        )
        == 200
    )


def test_paging_continues_where_it_left_off_when_earlier_servers_go(drs: Any) -> None:
    fleet = seed(30)
    first = drs.describe_source_servers(maxResults=10)
    for server_id in fleet[
        :5
    ]:  # servers already listed disappear before the next page is asked for
        drs.disconnect_source_server(sourceServerID=server_id)
        drs.delete_source_server(sourceServerID=server_id)

    rest = pages(drs, first["nextToken"], maxResults=10)

    assert [item["sourceServerID"] for item in first["items"]] == fleet[:10]
    assert [server_id for page in rest for server_id in page] == fleet[10:]


def test_a_token_only_continues_the_query_that_made_it(drs: Any) -> None:
    seed(3)
    token = drs.describe_source_servers(maxResults=1)["nextToken"]

    with pytest.raises(ClientError) as error:
        drs.describe_source_servers(
            maxResults=1, nextToken=token, filters={"hardwareId": "other"}
        )

    assert_client_error(error.value, "ValidationException", 400)
