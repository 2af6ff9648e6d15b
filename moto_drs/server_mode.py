"""One switch for the public ``moto_drs.*`` functions: in moto's server mode they go over HTTP.

moto's tests run twice, in process and with ``TEST_SERVER_MODE=true`` against a server at
``TEST_SERVER_MODE_ENDPOINT`` (``moto.settings``). A seeding or simulation function changes the
backend of the process it runs in, so in server mode it must ask the server instead. Each public
function is wrapped once with ``@over_http(path, ...)`` and its ``/moto-api/static/drs/...``
endpoint takes the same arguments in camelCase JSON; the wrapper sends exactly the arguments the
caller gave, and the endpoint calls the function itself (``local``), in the server's process.

An error the endpoint answers (``{"code", "message", members}``) is raised again as the DRS
exception of that code, with its members, so a test sees the same error in both modes.
"""

import functools
import inspect
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

# ``result=WHOLE_ANSWER``: the function returns the endpoint's whole answer
WHOLE_ANSWER = "*"
# every routed public function by name: (path, method, result member, the function); the upstream
# script reads it to write the port's HTTP-only seeding client
ROUTES: dict[str, tuple[str, str, str | None, Callable[..., Any]]] = {}

# names that a plain snake_case to camelCase conversion gets wrong
SPECIAL_NAMES = {
    "region_name": "region",
    "source_server_id": "sourceServerID",
    "recovery_instance_id": "recoveryInstanceID",
    "source_network_id": "sourceNetworkID",
    "job_id": "jobID",
}


def camel_name(name: str) -> str:
    if name in SPECIAL_NAMES:
        return SPECIAL_NAMES[name]
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def server_mode() -> bool:
    """moto's switch, read at call time (tests may change it)."""
    from moto import settings

    return bool(settings.TEST_SERVER_MODE)


def endpoint_url() -> str:
    from moto import settings

    return settings.test_server_mode_endpoint().rstrip("/")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    return value


def _raise_error(status: int, body: Any) -> None:
    from botocore import xform_name
    from moto.core.exceptions import ServiceException

    from .drs import exceptions

    if not isinstance(body, dict) or "code" not in body:
        raise RuntimeError(f"moto_drs server answered {status}: {body!r}")
    cls = getattr(exceptions, str(body["code"]), None)
    if not (isinstance(cls, type) and issubclass(cls, ServiceException)):
        raise RuntimeError(f"moto_drs server answered {status}: {body!r}")
    error = cls.__new__(cls)
    ServiceException.__init__(error, str(body.get("message", "")))
    for name, value in body.items():
        if name not in ("code", "message"):
            setattr(error, xform_name(name), value)
    raise error


def call_endpoint(
    path: str, method: str, arguments: dict[str, Any], result: str | None
) -> Any:
    """Call ``/moto-api/static/drs/<path>`` of the test server; the answer's ``result`` member."""
    import requests

    url = f"{endpoint_url()}/moto-api/static/drs/{path}"
    payload = {key: _jsonable(value) for key, value in arguments.items()}
    if method in ("GET", "DELETE"):
        response = requests.request(method, url, params=payload, timeout=60)
    else:
        response = requests.request(method, url, json=payload, timeout=60)
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = response.text
    if response.status_code >= 400:
        _raise_error(response.status_code, body)
    if not isinstance(body, dict):
        raise RuntimeError(f"moto_drs server answered {response.status_code}: {body!r}")
    if result == WHOLE_ANSWER:
        return body
    return body.get(result) if result is not None else None


def over_http(
    path: str,
    *,
    method: str = "POST",
    result: str | None = None,
    names: dict[str, str] | None = None,
) -> Callable[[F], F]:
    """Send calls of the decorated function to ``/moto-api/static/drs/<path>`` in server mode.

    ``result`` names the member of the endpoint's answer that the function returns
    (``WHOLE_ANSWER``: all of it). ``names`` maps arguments whose JSON key is not their camelCase
    name. The undecorated function stays reachable as ``.local`` for the endpoint itself.
    """
    renamed = names or {}

    def decorate(func: F) -> F:
        signature = inspect.signature(func)

        @functools.wraps(func)
        def routed(*args: Any, **kwargs: Any) -> Any:
            if not server_mode():
                return func(*args, **kwargs)
            given = signature.bind(*args, **kwargs).arguments
            arguments = {
                renamed.get(name) or camel_name(name): value
                for name, value in given.items()
                if value is not None
            }
            return call_endpoint(path, method, arguments, result)

        cast(Any, routed).local = func
        cast(
            Any, func
        ).http_names = renamed  # for the upstream script's HTTP-only client
        ROUTES[func.__name__] = (path, method, result, func)
        return cast(F, routed)

    return decorate


def local(func: Callable[..., Any]) -> Callable[..., Any]:
    """The in-process implementation of a public function (what its endpoint runs)."""
    return cast(Callable[..., Any], getattr(func, "local", func))
