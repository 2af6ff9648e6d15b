"""Shared fixtures. Every DRS client made here checks every successful response against
botocore's output shape (``shape_check``), so no test can forget to.

Two modes, as in moto's CI. By default everything runs in process. With ``TEST_SERVER_MODE=true``
the whole suite runs against a real ``moto_drs_server`` over HTTP: started here (one per xdist
worker) unless ``TEST_SERVER_MODE_ENDPOINT`` names a running one. ``mock_drs`` then sends boto3
clients there, the public ``moto_drs.*`` functions go through its ``/moto-api/static/drs/``
endpoints, and the ``server`` fixture is that server. Tests that need the in-process backend
say so with ``@pytest.mark.skipif(settings.TEST_SERVER_MODE, ...)``, as moto's own tests do.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from moto import settings
from shape_check import assert_valid_response

from moto_drs import mock_drs

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
REGION = "us-east-1"
_server_process: subprocess.Popen[bytes] | None = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_test_server() -> None:
    """``moto_drs_server`` in its own process, at ``TEST_SERVER_MODE_ENDPOINT``."""
    global _server_process
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEST_SERVER_MODE"}
    _server_process = subprocess.Popen(
        [sys.executable, "-m", "moto_drs.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/moto-api/data.json", timeout=2)
            break
        except requests.ConnectionError:
            if _server_process.poll() is not None:
                raise RuntimeError("moto_drs_server did not start") from None
            time.sleep(0.1)
    else:
        raise RuntimeError("moto_drs_server did not answer within 60 s")
    os.environ["TEST_SERVER_MODE_ENDPOINT"] = url


def _state_manager_over_http() -> None:
    """In server mode, moto's state manager is the server's: set and unset go through moto's own
    ``/moto-api/state-manager/`` endpoints, so tests steer transitions the same way in both modes."""
    from moto.moto_api import state_manager

    def post(action: str, **payload: Any) -> None:
        url = f"{settings.test_server_mode_endpoint()}/moto-api/state-manager/{action}"
        requests.post(url, json=payload, timeout=30).raise_for_status()

    state_manager.set_transition = lambda model_name, transition: post(  # type: ignore[method-assign]
        "set-transition", model_name=model_name, transition=transition
    )
    state_manager.unset_transition = lambda model_name: post(  # type: ignore[method-assign]
        "unset-transition", model_name=model_name
    )


def pytest_configure(config: pytest.Config) -> None:
    if not settings.TEST_SERVER_MODE:
        return
    _state_manager_over_http()
    xdist_controller = hasattr(config.option, "numprocesses") and not hasattr(
        config, "workerinput"
    )
    if "TEST_SERVER_MODE_ENDPOINT" in os.environ or (
        xdist_controller and config.option.numprocesses
    ):
        return  # a server given from outside, or xdist's workers start their own
    _start_test_server()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _server_process is not None:
        _server_process.terminate()
        try:
            _server_process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _server_process.kill()
            _server_process.wait(timeout=10)


def pytest_report_header(config: pytest.Config) -> str:
    if settings.TEST_SERVER_MODE:
        return f"server mode: moto_drs_server at {settings.test_server_mode_endpoint()}"
    return (
        "decorator mode (TEST_SERVER_MODE=true runs the suite against moto_drs_server)"
    )


def moto_api_url() -> str:
    """Where the Moto API (``/moto-api/...``) answers: moto's decorator-mode host, or the server."""
    if settings.TEST_SERVER_MODE:
        return settings.test_server_mode_endpoint().rstrip("/")
    return "http://motoapi.amazonaws.com"


# moto's convention for tests that need the in-process backend
in_process_only = pytest.mark.skipif(
    settings.TEST_SERVER_MODE, reason="needs the in-process backend"
)


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
    if settings.TEST_SERVER_MODE:  # the suite's own server
        yield Server(settings.test_server_mode_endpoint().rstrip("/"))
        return
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
