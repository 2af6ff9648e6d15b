"""The moto core changes of ``moto_drs.core_patches``, tested on moto itself (they become moto
core commits upstream) and through DRS.

Server-mode tests of the same behaviour: tests/test_hostile_input.py (Content-Type variants).
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
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


def _logs_request(authorization: str | None) -> dict[str, str]:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Logs_20140328.DescribeLogGroups",
    }
    if authorization is not None:
        headers["Authorization"] = authorization
    return headers


@contextmanager
def _no_free_calls() -> Iterator[None]:
    """moto's IAM simulation on from the first call, in this process."""
    from moto import settings
    from moto.core import ActionAuthenticatorMixin

    previous = (
        settings.INITIAL_NO_AUTH_ACTION_COUNT,
        ActionAuthenticatorMixin.request_count,
    )
    settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = 0, 0
    try:
        yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = previous[0]
        ActionAuthenticatorMixin.request_count = previous[1]


@contextmanager
def _iam_enforced(url: str) -> Iterator[None]:
    import requests

    previous = requests.post(f"{url}/moto-api/reset-auth", data="0", timeout=10).json()
    try:
        yield
    finally:
        restore = str(previous["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"])
        requests.post(
            f"{url}/moto-api/reset-auth", data=restore, timeout=10
        ).raise_for_status()


def test_json_services_answer_an_incomplete_signature_in_json(server: Any) -> None:
    """0004: a malformed Authorization header is a 403, not a crash, and json and rest-json
    services (CloudWatch Logs, DRS) answer it in JSON. (moto's server picks the service from
    the header's credential scope, so the header names it.)"""
    import requests

    with _iam_enforced(server.url):
        for service, path in [("logs", ""), ("drs", "/ListStagingAccounts")]:
            scope = f"Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/{service}/aws4_request"
            answer = requests.post(
                f"{server.url}{path}",
                data=b"{}",
                headers=_logs_request(f"AWS4-HMAC-SHA256 {scope}"),
                timeout=10,
            )
            assert answer.status_code == 403, answer.text
            assert answer.headers["x-amzn-ErrorType"] == "IncompleteSignatureException"
            assert answer.headers["Content-Type"] == "application/json"
            assert answer.json()["message"]


@in_process_only  # moto's server routes a request without a credential scope to S3
@pytest.mark.parametrize(
    "authorization",
    [None, "AWS4-HMAC-SHA256 Credential=AKIA, SignedHeaders=host, Signature=0"],
)
def test_a_missing_or_unparsable_authorization_is_a_403_in_the_protocol(
    authorization: str | None,
) -> None:
    import requests
    from moto import mock_aws

    code = (
        "MissingAuthenticationToken" if authorization is None else "IncompleteSignature"
    )
    with mock_aws(), _no_free_calls():
        logs = requests.post(
            "https://logs.us-east-1.amazonaws.com/",
            data=b"{}",
            headers=_logs_request(authorization),
        )
        assert logs.status_code == 403
        assert logs.headers["x-amzn-ErrorType"] == f"{code}Exception"
        assert logs.json()["message"]
        sns = requests.post(
            "https://sns.us-east-1.amazonaws.com/",
            data=b"Action=ListTopics&Version=2010-03-31",
            headers={"Content-Type": "application/x-www-form-urlencoded"}
            | ({"Authorization": authorization} if authorization else {}),
        )
        assert sns.status_code == 403
        assert f"<Code>{code}</Code>".encode() in sns.content


def _signed_for(service: str) -> dict[str, str]:
    """moto's server picks the service from the credential scope (no signature is checked)."""
    scope = f"AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/{service}/aws4_request"
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"
    }


def test_a_body_that_is_not_the_gzip_it_claims_is_a_400(server: Any) -> None:
    """0005: moto answered a 500; json services answer SerializationException, query services
    the same code in XML, DRS its ValidationException (cannotParse); real gzip still works."""
    import gzip

    import requests

    gzipped = {"Content-Encoding": "gzip"}
    logs = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Logs_20140328.DescribeLogGroups",
        **_signed_for("logs"),
    }
    bad = requests.post(server.url, data=b"{}", headers=logs | gzipped, timeout=10)
    assert bad.status_code == 400, bad.text
    assert bad.headers["x-amzn-ErrorType"] == "SerializationException"
    assert bad.json()["Message"] == "The request body is not valid gzip."
    good = requests.post(
        server.url, data=gzip.compress(b"{}"), headers=logs | gzipped, timeout=10
    )
    assert good.status_code == 200 and good.json()["logGroups"] == []
    sns = requests.post(
        server.url,
        data=b"Action=ListTopics&Version=2010-03-31",
        headers={"Content-Type": "application/x-www-form-urlencoded"}
        | gzipped
        | _signed_for("sns"),
        timeout=10,
    )
    assert sns.status_code == 400
    assert b"<Code>SerializationException</Code>" in sns.content
    drs = requests.post(
        f"{server.url}/DescribeSourceServers",
        data=b"{}",
        headers={"Content-Type": "application/json"} | gzipped | _signed_for("drs"),
        timeout=10,
    )
    assert (drs.status_code, drs.json()["reason"]) == (400, "cannotParse")
    assert drs.json()["message"] == "The request body is not valid gzip."


def test_a_body_that_is_not_utf8_is_a_400(server: Any) -> None:
    """0006: moto answered a 500 (UnicodeDecodeError) from json services, with or without
    automated_parameter_parsing (SQS); DRS keeps the bytes (use_raw_body) and answers its
    ValidationException (cannotParse), as before."""
    import requests

    for service, target in [
        ("logs", "Logs_20140328.DescribeLogGroups"),
        ("sqs", "AmazonSQS.ListQueues"),
    ]:
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target}
        answer = requests.post(
            server.url,
            data=b'{"a": "\xff\xfe"}',
            headers=headers | _signed_for(service),
            timeout=10,
        )
        assert answer.status_code == 400, answer.text
        assert answer.headers["x-amzn-ErrorType"].endswith("SerializationException")
        assert answer.json()["Message"] == "The request body is not valid UTF-8."
    drs = requests.post(
        f"{server.url}/DescribeSourceServers",
        data=b'{"a": "\xff\xfe"}',
        headers={"Content-Type": "application/json"} | _signed_for("drs"),
        timeout=10,
    )
    assert (drs.status_code, drs.json()["reason"]) == (400, "cannotParse")


def test_moto_core_validation_is_the_module_of_the_core_change() -> None:
    """0007: ``moto.core.validation`` is importable, and its text is the file the diff adds."""
    from pathlib import Path

    from moto.core import validation

    here = Path(moto_drs.__file__).parent / "core_patches"
    diff = (here / "0007-model-validation.diff").read_text().split("diff --git ")
    added = next(part for part in diff if part.startswith("a/moto/core/validation.py"))
    lines = [line[1:] for line in added.splitlines() if line.startswith("+")]
    assert "\n".join(lines[1:]) + "\n" == Path(validation.__file__).read_text()


def test_moto_core_validation_checks_any_services_input() -> None:
    from moto.core.validation import validate_input

    operation = get_service_model("logs").operation_model("CreateLogGroup")
    errors = validate_input(operation, {"logGroupClass": "COLD", "surprise": 1})
    assert {error["name"]: error["message"] for error in errors} == {
        "logGroupName": "Member must not be null",
        "logGroupClass": "Member must satisfy enum value set: "
        "['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY', 'ESSENTIALS']",
        "surprise": "Unknown member",
    }


_LIVE_MODELS_CHECK = """
import gc
from unittest import mock

import boto3
import moto.server
from moto import mock_aws
from moto.core.model_instances import model_data

import moto_drs.server

with mock.patch.object(moto.server, "main"):  # what moto_drs_server sets up, without serving
    moto_drs.server.main([])
with mock_aws():
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="kept")["QueueUrl"]
    queues = model_data["sqs"]["Queue"]
    assert [q.name for q in queues.instances_tracked] == ["kept"], queues.instances_tracked
    sqs.delete_queue(QueueUrl=url)
    gc.collect()
    assert queues.instances_tracked == [], queues.instances_tracked
print("ok")
"""


def test_moto_drs_server_keeps_only_live_models() -> None:
    """moto kept every model it ever made in ``instances_tracked`` (live_models.py, 0030).

    In a fresh interpreter: ``moto_drs_server`` applies the change, test processes do not.
    """
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_SERVER_MODE")}
    done = subprocess.run(  # in process in that interpreter, whatever this suite's mode
        [sys.executable, "-c", _LIVE_MODELS_CHECK],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_test_process_keeps_moto_s_model_list() -> None:
    """0030 is for the long-running server; here ``instances_tracked`` is moto's own list."""
    import moto.sqs.models  # noqa: F401  (registers its models)
    from moto.core.model_instances import model_data

    queue_class = model_data["sqs"]["Queue"]
    assert isinstance(vars(queue_class).get("instances_tracked"), list)


# -- 0040: an in-process request's environ, built directly ------------------------------------

_URLS = [
    "https://drs.us-east-1.amazonaws.com/GetLaunchConfiguration",
    "https://drs.us-east-1.amazonaws.com/DescribeJobs?maxResults=5&x=%20y",
    "http://localhost:5000/tags/arn%3Aaws%3Adrs%3Aus-east-1%3A123456789012%3Asource-server%2Fs-1",
    "http://127.0.0.1:80/",
    "https://s3.amazonaws.com/bucket/a%2Fb/c;d=e@f:g~h!i$j&k'l(m)n*o+p,q",
    "https://s3.amazonaws.com/bucket/key with space",
    "https://s3.amazonaws.com/bucket/kéy?q=é",
    "https://S3.Amazonaws.com/bucket",
    "https://user:pw@s3.amazonaws.com/bucket",
    "https://s3.amazonaws.com:0443/bucket",
    "https://s3.amazonaws.com//double",
    "https://host.example.",
    "https://under_score.example/x",
    "https://xn--n3h.net/p",
    "https://host",
]
_HEADER_SETS: list[list[tuple[str, Any]]] = [
    [],
    [("Content-Type", b"application/json"), ("X-Amz-Date", b"20261203T063935Z")],
    [("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
    [("Content-Type", "multipart/form-data; boundary=x")],
    [("Content-Type", "text/plain"), ("content-type", "text/html")],
    [("X-Amz-Meta-My_Key", "v"), ("x-amz-meta-my_key", "w"), ("Host", "other")],
    [
        ("Content-Length", "999"),
        ("Transfer-Encoding", "chunked"),
        ("Content_Type", "a"),
    ],
    [("X-Bad", "a\r\nb")],
    [("X-Number", 5)],
]
_BODIES: list[Any] = [None, b"", "", b'{"a": 1}', "é=1&b=2", bytearray(b"x")]


def _environ_as_built(environ: dict[str, Any]) -> dict[str, Any]:
    kept = {
        k: v for k, v in environ.items() if k not in ("wsgi.input", "werkzeug.request")
    }
    kept["wsgi.input"] = environ["wsgi.input"].read()
    return kept


def _built(
    method: str, url: str, headers: list[tuple[str, Any]], body: Any
) -> dict[str, Any] | str:
    try:
        request = Request.from_primitives(method, url, _Headers(headers), body)
    except Exception as error:  # noqa: BLE001  (both builders must fail alike)
        return f"{type(error).__name__}: {error}"
    return _environ_as_built(request.environ)


class _Headers:
    """A header list with ``items()``, duplicates kept, as botocore's HTTPHeaders can hold."""

    def __init__(self, items: list[tuple[str, Any]]) -> None:
        self._items = items

    def items(self) -> list[tuple[str, Any]]:
        return list(self._items)


def test_the_direct_environ_is_the_one_werkzeug_builds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto_drs.core_patches import direct_environ

    cases = [
        (method, url, headers, body)
        for method in ("POST", "GET")
        for url in _URLS
        for headers in _HEADER_SETS
        for body in _BODIES
    ]
    built_directly: list[Any] = []
    original = direct_environ.direct_environ

    def noted(*args: Any) -> Any:
        environ = original(*args)
        built_directly.append(environ is not None)
        return environ

    with monkeypatch.context() as patched:
        patched.setattr(direct_environ, "direct_environ", noted)
        direct = [_built(*case) for case in cases]
    with monkeypatch.context() as patched:
        patched.setattr(direct_environ, "direct_environ", lambda *_: None)
        by_werkzeug = [_built(*case) for case in cases]
    compared = 0
    for case, mine, theirs in zip(cases, direct, by_werkzeug, strict=True):
        if isinstance(theirs, dict) and "WerkzeugFormPart" in theirs.get(
            "CONTENT_TYPE", ""
        ):
            continue  # an empty multipart body: werkzeug's random boundary (from_values both times)
        assert mine == theirs, case
        compared += 1
    assert compared > len(cases) * 0.8
    assert (
        sum(built_directly) > len(cases) // 4
    )  # the fast path was taken, and compared


def test_plain_requests_skip_werkzeug_s_builder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("from_values called")

    monkeypatch.setattr(Request, "from_values", classmethod(refuse))
    request = Request.from_primitives(
        "POST",
        "https://drs.us-east-1.amazonaws.com/GetLaunchConfiguration",
        {"Content-Type": b"application/json"},
        b'{"sourceServerID": "s-1"}',
    )
    assert request.get_json() == {"sourceServerID": "s-1"}
    assert request.headers["Content-Length"] == "25"
    assert request.url == "https://drs.us-east-1.amazonaws.com/GetLaunchConfiguration"


# -- 0041: per-request look-ups ------------------------------------------------------------------


def test_the_date_header_is_werkzeug_s_text_for_any_moment() -> None:
    import datetime

    from moto.core import responses as core_responses
    from werkzeug.http import http_date

    moments: list[Any] = [
        datetime.datetime(2026, 12, 3, 7, 0, 0, 999_999),
        datetime.datetime(2026, 12, 3, 7, 0, 0, 0),
        datetime.datetime(2026, 12, 3, 7, 0, 1, 5),
        datetime.datetime(2026, 12, 3, 7, 0, 1, 5, tzinfo=datetime.timezone.utc),
        datetime.datetime(1999, 1, 1),
        datetime.date(2026, 12, 3),
        1_796_280_148,
        1_796_280_148.5,
    ]
    for moment in moments + moments:
        assert core_responses.http_date(moment) == http_date(moment), moment


class _KeyResponse(BaseResponse):
    def __init__(self, authorization: str | None) -> None:
        super().__init__(service_name="sqs")
        self.headers = {} if authorization is None else {"Authorization": authorization}
        self.querystring: dict[str, Any] = {}


def _authorization(key: str) -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential={key}/20261203/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "ab" * 32
    )


def test_each_request_gets_the_access_key_of_its_own_authorization() -> None:
    first, second = "AKIAIOSFODNN7EXAMPLE", "ASIAZZZZZZZZZZZZZZZZ"
    for key in (first, first, second, first, "testing"):
        expected = key if len(key) == 20 else "AKIAEXAMPLE"
        assert _KeyResponse(_authorization(key)).get_access_key() == expected
    assert _KeyResponse(None).get_access_key() == "AKIAEXAMPLE"


def test_header_iteration_keeps_s3_metadata_names_and_werkzeug_s_otherwise() -> None:
    request = Request.from_primitives(
        "PUT",
        "https://bucket.s3.amazonaws.com/key",
        {"x-amz-meta-my_key": b"v", "Content-Type": b"text/plain", "X-Amz-Date": b"d"},
        b"x",
    )
    assert ("x-amz-meta-my_key", "v") in list(request.headers)
    plain = Request.from_primitives(
        "POST",
        "https://drs.us-east-1.amazonaws.com/ListTagsForResource",
        {"Content-Type": b"application/json", "X-Amz-Date": b"d"},
        b"{}",
    )
    assert sorted(plain.headers) == [
        ("Content-Length", "2"),
        ("Content-Type", "application/json"),
        ("Host", "drs.us-east-1.amazonaws.com"),
        ("X-Amz-Date", "d"),
    ]


# -- 0042: root URL --------------------------------------------------------------------------------

_SCHEMES = ["http", "https", "HTTP", "ftp"]
_HOSTS = [
    "drs.us-east-1.amazonaws.com",
    "localhost:5000",
    "127.0.0.1:5000",
    "a.com:80",
    "a.com:443",
    "a.com:080",
    "a.com:0",
    "a.com:65535",
    "a.com:65536",
    "a.com:99999",
    "a.com:",
    "A.com",
    "xn--n3h.net",
    "XN--N3H.net",
    "a.xn--n3h",
    "[::1]:5000",
    "b%41.com",
    "b\u00fccher.de",
    "under_score.com",
    "-.",
    ".",
    "a..b",
    "a.com.",
    "user@host",
    "h:1:2",
    "",
]
_ROOTS = [
    "",
    "/",
    "/app",
    "/app/",
    "//x",
    "/a b",
    "/%41",
    "/\u00fc",
    "/x?y",
    "/x#y",
    "/;p",
    "/a:b@c",
    "/~u",
    "/a/b/",
    "app",
    "/\\x",
]


def _root_url(request_class: Any, scheme: str, host: str, root: str) -> str:
    environ = {
        "REQUEST_METHOD": "GET",
        "wsgi.url_scheme": scheme,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SCRIPT_NAME": root.encode("utf-8").decode("latin-1"),
        "PATH_INFO": "/",
    }
    if host:
        environ["HTTP_HOST"] = host
    try:
        return str(request_class(environ).root_url)
    except Exception as error:  # the same failure is expected of both
        return f"{type(error).__name__}: {error}"


def test_root_url_is_werkzeug_s_for_every_scheme_host_and_root() -> None:
    import itertools

    from werkzeug.wrappers import Request as WerkzeugRequest

    for scheme, host, root in itertools.product(_SCHEMES, _HOSTS, _ROOTS):
        expected = _root_url(WerkzeugRequest, scheme, host, root)
        assert _root_url(Request, scheme, host, root) == expected, (scheme, host, root)


def test_root_url_is_werkzeug_s_for_random_hosts_and_roots() -> None:
    import random

    from werkzeug.wrappers import Request as WerkzeugRequest

    chance = random.Random(20261203)
    host_chars = "ab0-._:%@[]Xxn\u00fc"
    root_chars = "/ab0-._~%?#;:@ \u00fc\\!$&'()*+,="
    for _ in range(3_000):
        host = "".join(chance.choice(host_chars) for _ in range(chance.randint(0, 12)))
        root = "".join(chance.choice(root_chars) for _ in range(chance.randint(0, 8)))
        scheme = chance.choice(["http", "https"])
        expected = _root_url(WerkzeugRequest, scheme, host, root)
        assert _root_url(Request, scheme, host, root) == expected, (scheme, host, root)


def test_root_url_of_a_botocore_request_is_joined_directly() -> None:
    from moto_drs.core_patches import root_url

    request = Request.from_primitives(
        "POST",
        "https://drs.us-east-1.amazonaws.com/GetLaunchConfiguration?x=1",
        {"Content-Type": b"application/json"},
        b"{}",
    )
    assert getattr(type(request).__dict__["root_url"], "_joins_plain_root_url", False)
    assert root_url._ROOT_HOST.fullmatch(request.host)
    assert request.url_root == "https://drs.us-east-1.amazonaws.com/"
    assert request.raw_url == (
        "https://drs.us-east-1.amazonaws.com/GetLaunchConfiguration?x=1"
    )


# -- 0043: header names ----------------------------------------------------------------------------

_ENVIRON_KEYS = [
    "HTTP_HOST",
    "HTTP_X_AMZ_DATE",
    "HTTP_X_AMZ_META_MY_KEY",
    "HTTP_x_lower",
    "HTTP_CONTENT_TYPE",
    "HTTP_CONTENT_LENGTH",
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "HTTP_",
    "HTTP__",
    "HTTP_\u00df",
    "HTTP_\u00c4_X",
    "HTTP_A1_2B",
    "REQUEST_METHOD",
    "wsgi.url_scheme",
    "SERVER_NAME",
    "http_host",
]
_ENVIRON_VALUES = ["", "v", "application/json", "0", "a b"]


def _headers_before(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """What moto reported before: werkzeug's pairs, preserved names as sent."""
    from werkzeug.datastructures import EnvironHeaders as WerkzeugEnvironHeaders

    names = environ.get(moto_request.PRESERVED_HEADER_NAMES_ENVIRON_KEY) or {}
    found = list(WerkzeugEnvironHeaders.__iter__(moto_request.EnvironHeaders(environ)))
    return [(names.get(moto_request.environ_key_for_header(k), k), v) for k, v in found]


def _random_environs(count: int) -> list[dict[str, Any]]:
    import random

    chance = random.Random(20261203)
    environs = []
    for _ in range(count):
        environ: dict[str, Any] = {
            key: chance.choice(_ENVIRON_VALUES)
            for key in chance.sample(
                _ENVIRON_KEYS, chance.randint(0, len(_ENVIRON_KEYS))
            )
        }
        if chance.random() < 0.5:
            environ[moto_request.PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {
                "HTTP_X_AMZ_META_MY_KEY": "x-amz-meta-my_key",
                "HTTP_X_LOWER": "x_lower",
            }
        environs.append(environ)
    return environs


def test_headers_iterate_as_before() -> None:
    for environ in _random_environs(2_000):
        headers = moto_request.EnvironHeaders(environ)
        expected = _headers_before(environ)
        assert list(headers) == expected
        assert list(headers.items()) == expected
        assert list(headers.items(lower=True)) == [(k.lower(), v) for k, v in expected]
        assert list(headers.keys()) == [k for k, _ in expected]
        assert list(headers.keys(lower=True)) == [k.lower() for k, _ in expected]
        assert list(headers.values()) == [v for _, v in expected]
        assert len(headers) == len(expected)


def test_a_querystring_gets_the_same_headers() -> None:
    from collections import OrderedDict

    for environ in _random_environs(500):
        headers = moto_request.EnvironHeaders(environ)
        try:
            expected: Any = OrderedDict()
            for key in [k for k, _ in _headers_before(environ)]:
                expected[key] = headers[key]
        except KeyError as error:
            expected = error
        try:
            copied: Any = OrderedDict()
            copied.update(headers)
        except KeyError as error:
            copied = error
        assert repr(copied) == repr(expected)


def test_header_names_are_remembered_within_a_bound() -> None:
    from moto_drs.core_patches import header_names

    for index in range(header_names._HEADER_NAMES_KEPT + 10):
        list(moto_request.EnvironHeaders({f"HTTP_X_{index}": "v"}))
    assert len(header_names._HEADER_NAMES) <= header_names._HEADER_NAMES_KEPT
    assert list(moto_request.EnvironHeaders({"HTTP_X_999999": "v"})) == [
        ("X-999999", "v")
    ]
