"""pytest plugin (auto-loaded once moto-drs is installed): fixtures for DRS tests.

``drs_client`` gives a DRS client inside ``mock_drs`` with the account initialized; tests that
want the uninitialized account use ``mock_drs`` themselves.
"""

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def drs_client() -> Iterator[Any]:
    import boto3

    from .decorator import mock_drs

    with mock_drs():
        client = boto3.client("drs", region_name="us-east-1")
        client.initialize_service()
        yield client
