"""The moto core changes of ``moto_drs.core_patches``, tested on moto itself (they become moto
core commits upstream) and through DRS.

Server-mode tests of the same behaviour: tests/test_hostile_input.py (Content-Type variants).
"""

import json
from typing import Any

import pytest
from conftest import in_process_only
from moto.core import request as moto_request
from moto.core.request import Request
from moto.core.responses import BaseResponse
from moto.core.utils import get_service_model

import moto_drs  # noqa: F401  (applies the patches)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "application/x-amz-json-1.1",
        "multipart/form-data; boundary=x",
        "text/plain",
        None,
    ],
)
def test_a_rest_json_service_keeps_its_protocol_whatever_the_content_type(
    content_type: str | None,
) -> None:
    model = get_service_model("drs")
    assert moto_request.determine_request_protocol(model, content_type) == "rest-json"


def test_a_content_type_the_service_speaks_still_picks_the_protocol() -> None:
    sqs = get_service_model("sqs")  # speaks json and query
    picked = moto_request.determine_request_protocol(
        sqs, "application/x-www-form-urlencoded"
    )
    assert picked in sqs.metadata.get("protocols", [sqs.protocol])
    assert (
        moto_request.determine_request_protocol(sqs, "application/x-amz-json-1.0")
        == "json"
    )


def test_a_query_service_answers_in_its_protocol_to_a_json_content_type() -> None:
    sns = get_service_model("sns")
    assert (
        moto_request.determine_request_protocol(sns, "application/json") == sns.protocol
    )


class _RawBodyResponse(BaseResponse):
    use_raw_body = True

    def __init__(self) -> None:
        super().__init__(service_name="drs")


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_use_raw_body_keeps_a_body_sent_with_a_form_content_type(
    content_type: str,
) -> None:
    body = json.dumps({"filters": {"sourceServerIDs": ["s-1"]}}).encode()
    request = Request.from_primitives(
        "POST",
        "https://drs.us-east-1.amazonaws.com/DescribeSourceServers",
        {"Content-Type": content_type},
        body,
    )
    response = _RawBodyResponse()
    response.setup_class(request)
    assert response.raw_body == body


def test_without_use_raw_body_form_parsing_is_unchanged() -> None:
    request = Request.from_primitives(
        "POST",
        "https://sns.us-east-1.amazonaws.com/",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"Action=ListTopics&Version=2010-03-31",
    )
    response = BaseResponse(service_name="sns")
    response.setup_class(request)
    assert response.querystring["Action"] == ["ListTopics"]


def test_decorator_mode_reads_drs_json_under_a_form_content_type(drs: Any) -> None:
    server = moto_drs.add_source_server()

    def as_form(request: Any, **_: Any) -> None:
        request.headers["Content-Type"] = "application/x-www-form-urlencoded"

    drs.meta.events.register("before-sign.drs.DescribeSourceServers", as_form)
    items = drs.describe_source_servers(
        filters={"sourceServerIDs": [server["sourceServerID"]]}
    )["items"]
    assert [s["sourceServerID"] for s in items] == [server["sourceServerID"]]


def test_rest_json_errors_write_their_header_members_as_headers() -> None:
    from moto.core.exceptions import ServiceException
    from moto.core.serialize import RestJSONSerializer, XFormedAttributePicker

    class Throttled(ServiceException):
        code = "ThrottlingException"

    error = Throttled("Rate exceeded")
    error.retry_after_seconds = "7"  # type: ignore[attr-defined]
    error.service_code = "drs"  # type: ignore[attr-defined]
    operation = get_service_model("drs").operation_model("DescribeSourceServers")
    serializer = RestJSONSerializer(
        operation_model=operation, value_picker=XFormedAttributePicker()
    )
    response = serializer.serialize(error)
    assert response["status_code"] == 429
    assert response["headers"]["Retry-After"] == "7"
    assert json.loads(response["body"])["serviceCode"] == "drs"


def test_moto_modules_are_listed_from_disk_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    import moto
    from moto import backends

    path = os.path.dirname(moto.__file__)
    folders = [
        name
        for name in sorted(os.listdir(path))
        if os.path.isdir(os.path.join(path, name)) and not name.startswith("__")
    ]
    assert list(backends.list_of_moto_modules()) == folders

    def no_listing(path: str) -> list[str]:
        raise AssertionError("listed moto's folder again")

    monkeypatch.setattr(os, "listdir", no_listing)
    assert "ec2" in backends.list_of_moto_modules()


class _CountedPattern:
    """A service's URL pattern that records every match tried against it."""

    def __init__(self, service: str, pattern: Any, seen: list[str]) -> None:
        self.service, self.pattern, self.seen = service, pattern, seen

    def match(self, url: str) -> Any:
        self.seen.append(self.service)
        return self.pattern.match(url)


@in_process_only  # routes the decorator's in-process requests
def test_a_url_routed_before_skips_the_pattern_scan_and_still_checks_passthrough(
    drs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import moto.backend_index as backend_index
    from moto.core import botocore_stubber

    seen: list[str] = []
    counted = [
        (service, _CountedPattern(service, pattern, seen))
        for service, pattern in backend_index.backend_url_patterns
    ]
    with monkeypatch.context() as patched:
        patched.setattr(backend_index, "backend_url_patterns", counted)
        drs.describe_source_servers()
        assert seen[-1] == "drs"
        seen.clear()
        assert drs.describe_source_servers()["items"] == []
        assert seen == []
        with monkeypatch.context() as fewer:  # a changed pattern list is scanned again
            fewer.setattr(backend_index, "backend_url_patterns", counted[:-1])
            drs.describe_source_servers()
            assert seen[-1] == "drs"
        # passthrough is still decided per request: DRS passed through goes to the network
        patched.setattr(
            botocore_stubber, "passthrough_service", lambda service: service == "drs"
        )
        request = botocore_stubber.AWSPreparedRequest(
            "POST",
            "https://drs.us-east-1.amazonaws.com/DescribeSourceServers",
            {},
            b"{}",
            False,
        )
        assert botocore_stubber.BotocoreStubber().process_request(request) is None
