"""Shared fixtures. Every DRS client made here checks every successful response against
botocore's output shape (``shape_check``), so no test can forget to."""

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from shape_check import assert_valid_response

from moto_drs import mock_drs

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
REGION = "us-east-1"


def _validate(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if http_response.status_code < 300:
        assert_valid_response(model.name, parsed)


def make_drs_client(region_name: str = REGION, **kwargs: Any) -> Any:
    """A DRS client whose every successful response is shape-validated."""
    client = boto3.client("drs", region_name=region_name, **kwargs)
    client.meta.events.register("after-call.drs", _validate)
    return client


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_drs():
        yield


@pytest.fixture
def uninitialized_drs(aws: None) -> Any:
    return make_drs_client()


@pytest.fixture
def drs(aws: None) -> Any:
    client = make_drs_client()
    client.initialize_service()
    return client


@pytest.fixture
def ec2(aws: None) -> Any:
    return boto3.client("ec2", region_name=REGION)


class Server:
    """A running ThreadedMotoServer with DRS registered."""

    def __init__(self, url: str) -> None:
        self.url = url

    def client(
        self, service: str = "drs", region_name: str = REGION, **kwargs: Any
    ) -> Any:
        client = boto3.client(
            service,
            region_name=region_name,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            **kwargs,
        )
        if service == "drs":
            client.meta.events.register("after-call.drs", _validate)
        return client

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[Server]:
    from moto.server import ThreadedMotoServer

    import moto_drs

    moto_drs.register()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield Server(f"http://{host}:{port}")
    server.stop()


@pytest.fixture
def server(_moto_server: Server) -> Iterator[Server]:
    """A server with fresh state for this test."""
    _moto_server.reset()
    yield _moto_server
    _moto_server.reset()
