"""Making DRS fail on purpose: injected faults and changeable service quotas (plugin glue).

A fault makes chosen DRS operations answer a chosen DRS error instead of running: the next
``count`` calls, or each call with a ``probability`` (reproducible with a ``seed``), optionally
only calls that name one resource. It is checked after the input was validated and before the
operation changes anything: the plugin wraps the service's ``responses.run_operation`` (the step
after validation) with the first fault it gets; the service has no hook for it.

Faults belong to one account and region. They are kept in a moto ``BackendDict``, so moto's
reset (``/moto-api/reset``, and every ``mock_drs``/``mock_aws`` start) clears them with the rest
of the state.

HTTP, in decorator and server mode: ``POST /moto-api/static/drs/faults`` injects (JSON with the
keys of ``inject_fault`` in camelCase), ``GET`` lists, ``DELETE`` clears (``?faultId=`` for one);
``POST /moto-api/static/drs/quotas`` with ``{"quotas": {name or code: value}}`` changes quotas and
``GET`` lists them. See docs/robustness.md.
"""

import json
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qs, urlparse

from botocore import xform_name
from botocore.model import StructureShape
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.common_types import TYPE_RESPONSE
from moto.moto_api._internal import mock_random

from .server_mode import local, over_http

FAULT_KEYS = {
    "operations",
    "error",
    "message",
    "members",
    "resourceId",
    "count",
    "probability",
    "seed",
    "region",
    "accountId",
}
QUOTA_KEYS = {"quotas", "name", "value", "region", "accountId"}
DEFAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "InternalServerException": "An internal error occurred",
    "ServiceQuotaExceededException": "Service quota exceeded",
    "ConflictException": "The resource is in a state that does not allow this operation",
    "AccessDeniedException": "You are not authorized to perform this operation",
    "ResourceNotFoundException": "The resource was not found",
    "ValidationException": "The input failed validation",
}
DEFAULT_MEMBERS: dict[str, dict[str, Any]] = {
    "ThrottlingException": {"serviceCode": "drs"},
    "ServiceQuotaExceededException": {"serviceCode": "drs"},
}


@dataclass
class Fault:
    """One injected fault; ``remaining`` is how many more times it fails a call (None: always)."""

    fault_id: str
    account_id: str
    region: str
    operations: tuple[str, ...] | None
    error: str
    message: str
    members: dict[str, Any]
    resource_id: str | None
    remaining: int | None
    probability: float | None
    seed: int | None
    triggered: int = 0
    _random: Any = field(default=None, repr=False)

    def matches(self, operation: str, params: dict[str, Any]) -> bool:
        if self.operations is not None and operation not in self.operations:
            return False
        if self.resource_id is not None and not _names_resource(
            params, self.resource_id
        ):
            return False
        return self.probability is None or self._random.random() < self.probability

    def to_api(self) -> dict[str, Any]:
        return {
            "faultId": self.fault_id,
            "accountId": self.account_id,
            "region": self.region,
            "operations": list(self.operations)
            if self.operations is not None
            else ["*"],
            "error": self.error,
            "message": self.message,
            "members": dict(self.members),
            "resourceId": self.resource_id,
            "count": self.remaining,
            "probability": self.probability,
            "seed": self.seed,
            "triggered": self.triggered,
        }


def _names_resource(value: Any, resource_id: str) -> bool:
    """Whether a request's input names ``resource_id``, itself or as the last part of an ARN."""
    if isinstance(value, str):
        return value == resource_id or value.endswith("/" + resource_id)
    if isinstance(value, dict):
        return any(_names_resource(item, resource_id) for item in value.values())
    if isinstance(value, list):
        return any(_names_resource(item, resource_id) for item in value)
    return False


class FaultRegistry(BaseBackend):
    """The faults of one account and region: a moto backend only so that moto's reset clears it."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.lock = threading.Lock()
        self.faults: list[Fault] = []

    def trigger(self, operation: str, params: dict[str, Any]) -> Fault | None:
        """The first fault that fails this call (counted, and dropped once used up), if any."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(operation, params):
                    fault.triggered += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self.faults.remove(fault)
                    return fault
        return None


fault_registries: BackendDict[FaultRegistry] = BackendDict(FaultRegistry, "drs")


def _raise_injected_fault(backend: Any, operation: str, params: dict[str, Any]) -> None:
    """Raise the fault that fails this call, if any; dict.get, unlike [], creates no registry."""
    registries = fault_registries.get(backend.account_id)
    registry = registries.get(backend.region_name) if registries is not None else None
    if registry is None or not registry.faults:
        return
    fault = registry.trigger(operation, params)
    if fault is not None:
        raise _error_for(fault)


_hook_lock = threading.Lock()


def _install_hook() -> None:
    """Check faults in ``responses.run_operation``, the step after input validation that API
    requests and CloudFormation's handlers share: the service itself knows nothing of faults.
    Installed with the first fault; both callers look the function up when they call it."""
    from .drs import responses

    with _hook_lock:
        run = responses.run_operation
        if getattr(run, "checks_faults", False):
            return

        def run_unless_faulted(
            backend: Any, operation: Any, params: dict[str, Any]
        ) -> Any:
            _raise_injected_fault(backend, operation.name, params)
            return run(backend, operation, params)

        run_unless_faulted.checks_faults = True  # type: ignore[attr-defined]
        responses.run_operation = run_unless_faulted


def _error_classes() -> dict[str, type]:
    from .drs import exceptions

    return {code: getattr(exceptions, code) for code in DEFAULT_MESSAGES}


def _error_for(fault: Fault) -> Exception:
    cls = _error_classes()[fault.error]
    kwargs = {xform_name(name): value for name, value in fault.members.items()}
    if fault.error == "ResourceNotFoundException":  # its message comes last
        kwargs.setdefault("resource_id", fault.resource_id or "")
        kwargs.setdefault("resource_type", "")
        kwargs["message"] = fault.message
        not_found: Exception = cls(**kwargs)
        return not_found
    error: Exception = cls(fault.message, **kwargs)
    return error


# -- validation of what a user asks for, with DRS's own ValidationException ----------------------


def _invalid(name: str, message: str) -> Exception:
    from .drs.exceptions import ValidationException

    return ValidationException(
        f"Cannot inject the fault: {name}: {message}",
        field_list=[{"name": name, "message": message}],
    )


def _operation_names(operations: Any) -> tuple[str, ...] | None:
    from .drs.models import drs_service_model

    if isinstance(operations, str):
        operations = [operations]
    elif isinstance(operations, Sequence):  # a tuple ("*",) means what ["*"] means
        operations = list(operations)
    if operations is None or operations == ["*"]:
        return None
    if (
        not isinstance(operations, list | tuple)
        or not operations
        or not all(isinstance(n, str) for n in operations)
    ):
        raise _invalid("operations", "a DRS operation name, a list of them, or '*'")
    unknown = sorted(set(operations) - set(drs_service_model().operation_names))
    if unknown:
        raise _invalid(
            "operations",
            f"not DRS operations: {unknown} (use the API's names, e.g. StopReplication)",
        )
    return tuple(dict.fromkeys(operations))


def _error_members(error: str, members: dict[str, Any] | None) -> dict[str, Any]:
    from .drs.models import drs_service_model
    from .drs.validation import validate_value

    if not isinstance(error, str) or error not in DEFAULT_MESSAGES:
        raise _invalid("error", f"{error!r} is not one of {sorted(DEFAULT_MESSAGES)}")
    if members is not None and not isinstance(members, dict):
        raise _invalid(
            "members",
            'an object of the error\'s members, e.g. {"retryAfterSeconds": "2"}',
        )
    merged = dict(DEFAULT_MEMBERS.get(error, {}), **(members or {}))
    shape = cast(StructureShape, drs_service_model().shape_for(error))
    allowed = {
        name: member
        for name, member in shape.members.items()
        if name not in ("message", "code")
    }
    errors: list[dict[str, str]] = []
    for name, value in merged.items():
        if name not in allowed:
            errors.append(
                {
                    "name": f"members.{name}",
                    "message": f"not a member of {error}: {sorted(allowed)}",
                }
            )
        else:
            validate_value(allowed[name], value, f"members.{name}", errors)
    if errors:
        raise _invalid(errors[0]["name"], errors[0]["message"])
    return merged


def _check_number(
    name: str, value: Any, low: float, high: float | None = None, integer: bool = True
) -> None:
    if value is None:
        return
    wrong_type = isinstance(value, bool) or not isinstance(value, (int, float))
    wrong_type = wrong_type or (integer and isinstance(value, float))
    if wrong_type or value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _invalid(
            name,
            f"must be {'an integer' if integer else 'a number'} {bounds}, not {value!r}",
        )


@over_http("faults", result="fault")
def inject_fault(
    operations: str | Sequence[str] | None = "*",
    error: str = "ThrottlingException",
    *,
    message: str | None = None,
    members: dict[str, Any] | None = None,
    resource_id: str | None = None,
    count: int | None = None,
    probability: float | None = None,
    seed: int | None = None,
    region_name: str = "us-east-1",
    account_id: str | None = None,
) -> dict[str, Any]:
    """Make ``operations`` (API names, or ``"*"``) answer ``error`` instead of running.

    ``members`` are the error's members as the model names them (``retryAfterSeconds``,
    ``serviceCode``, ``quotaCode``, ``resourceId``, ``resourceType``, ``reason``, ``fieldList``).
    ``count``: fail that many matching calls, then stop. ``probability``: fail each matching call
    with that chance, drawn from ``random.Random(seed)`` (or moto's seeded random without a seed).
    ``resource_id``: only calls whose input names it (an ID, or an ARN ending in it).
    Returns the fault as ``list_faults`` shows it.
    """
    from .seeding import _backend

    names = _operation_names(operations)
    checked_members = _error_members(error, members)
    if message is not None and not isinstance(message, str):
        raise _invalid("message", "must be a string")
    if resource_id is not None and (
        not isinstance(resource_id, str) or not resource_id
    ):
        raise _invalid("resourceId", "must be a non-empty string")
    _check_number("count", count, 1)
    _check_number("probability", probability, 0, 1, integer=False)
    _check_number("seed", seed, -(2**63), 2**63 - 1)
    backend = _backend(region_name, account_id)
    fault_id = f"fault-{mock_random.get_random_hex(12)}"
    fault = Fault(
        fault_id=fault_id,
        account_id=backend.account_id,
        region=backend.region_name,
        operations=names,
        error=error,
        message=message or f"{DEFAULT_MESSAGES[error]} (injected fault {fault_id})",
        members=checked_members,
        resource_id=resource_id,
        remaining=count,
        probability=float(probability) if probability is not None else None,
        seed=seed,
        _random=random.Random(seed) if seed is not None else mock_random,
    )
    _install_hook()
    registry = fault_registries[backend.account_id][backend.region_name]
    with registry.lock:
        registry.faults.append(fault)
    return fault.to_api()


def _registries() -> list[FaultRegistry]:
    return [
        registry
        for account in list(fault_registries.values())
        for registry in list(account.values())
    ]


@over_http("faults", method="GET", result="faults")
def list_faults() -> list[dict[str, Any]]:
    """Every active fault, in every account and region, in the order they were injected."""
    faults: list[dict[str, Any]] = []
    for registry in _registries():
        with registry.lock:
            faults.extend(fault.to_api() for fault in registry.faults)
    return faults


@over_http("faults", method="DELETE", result="removed")
def clear_faults(fault_id: str | None = None) -> int:
    """Remove one fault (by ``faultId``) or all of them; returns how many were removed."""
    removed = 0
    for registry in _registries():
        with registry.lock:
            kept = [
                f
                for f in registry.faults
                if fault_id is not None and f.fault_id != fault_id
            ]
            removed += len(registry.faults) - len(kept)
            registry.faults[:] = kept
    return removed


# -- quotas ----------------------------------------------------------------------------------------


@over_http("quotas")
def set_quota(
    name: str, value: int, region_name: str = "us-east-1", account_id: str | None = None
) -> None:
    """Change a DRS service quota (by name, e.g. ``"source_servers"``, or code ``"L-E28BE5E0"``)."""
    backend = _drs_backend(region_name, account_id)
    with backend.lock:
        backend.set_quota(name, value)


@over_http("quotas", method="GET", result="quotas")
def list_quotas(
    region_name: str = "us-east-1", account_id: str | None = None
) -> list[dict[str, Any]]:
    """Every DRS quota with its code, documented default and current value."""
    backend = _drs_backend(region_name, account_id)
    with backend.lock:
        quotas: list[dict[str, Any]] = backend.quota_values()
        return quotas


def _drs_backend(region_name: str, account_id: str | None) -> Any:
    from .seeding import _backend

    return _backend(region_name, account_id)


# -- HTTP endpoints under /moto-api/static/drs/ -----------------------------------------------------


def _inject_from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    region = payload.get("region", "us-east-1")
    account = payload.get("accountId")
    if not isinstance(region, str) or (
        account is not None and not isinstance(account, str)
    ):
        raise _invalid("region", "region and accountId must be strings")
    fault = local(inject_fault)(
        payload.get("operations", "*"),
        payload.get("error", "ThrottlingException"),
        message=payload.get("message"),
        members=payload.get("members"),
        resource_id=payload.get("resourceId"),
        count=payload.get("count"),
        probability=payload.get("probability"),
        seed=payload.get("seed"),
        region_name=region,
        account_id=account,
    )
    return {"fault": fault}


def _set_quotas_from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    region = payload.get("region", "us-east-1")
    account = payload.get("accountId")
    quotas = payload.get("quotas", {})
    if "name" in payload or "value" in payload:  # set_quota's own arguments
        if not isinstance(quotas, dict) or not isinstance(payload.get("name"), str):
            raise _invalid("name", "a quota name (or code) with its value")
        quotas = dict(quotas, **{payload["name"]: payload.get("value")})
    if not isinstance(region, str) or (
        account is not None and not isinstance(account, str)
    ):
        raise _invalid("region", "region and accountId must be strings")
    if not isinstance(quotas, dict):
        raise _invalid("quotas", "an object of quota name (or code) to value")
    backend = _drs_backend(region, account)
    with backend.lock:  # all or nothing
        from .drs.models.quotas import quota_name

        for name, value in quotas.items():
            quota_name(name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _invalid(f"quotas.{name}", "must be a non-negative integer")
        for name, value in quotas.items():
            backend.set_quota(name, value)
        return {"quotas": backend.quota_values()}


class _QueryAsBody:
    """A GET's or DELETE's query string, presented to ``_json_endpoint`` as a JSON POST body."""

    method = "POST"

    def __init__(self, full_url: str) -> None:
        query = parse_qs(urlparse(full_url).query)
        self.data = json.dumps(
            {key: values[0] for key, values in query.items()}
        ).encode()


def faults_endpoint(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
    """``/moto-api/static/drs/faults``: POST injects, GET lists, DELETE clears (``?faultId=``)."""
    from .moto_api import _json_endpoint

    method = getattr(request, "method", "POST")
    if method == "GET":
        return _json_endpoint(set(), lambda _: {"faults": local(list_faults)()})(
            _QueryAsBody(full_url), full_url, headers
        )
    if method == "DELETE":
        endpoint = _json_endpoint(
            {"faultId"},
            lambda query: {"removed": local(clear_faults)(query.get("faultId"))},
        )
        return endpoint(_QueryAsBody(full_url), full_url, headers)
    return _json_endpoint(FAULT_KEYS, _inject_from_payload)(request, full_url, headers)


def quotas_endpoint(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
    """``/moto-api/static/drs/quotas``: POST changes quotas, GET lists them (``?region=&accountId=``)."""
    from .moto_api import _json_endpoint

    if getattr(request, "method", "POST") == "GET":
        endpoint = _json_endpoint(
            {"region", "accountId"},
            lambda query: {
                "quotas": local(list_quotas)(
                    query.get("region", "us-east-1"), query.get("accountId")
                )
            },
        )
        return endpoint(_QueryAsBody(full_url), full_url, headers)
    return _json_endpoint(QUOTA_KEYS, _set_quotas_from_payload)(
        request, full_url, headers
    )
