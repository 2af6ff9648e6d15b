"""Seeding endpoints under moto's ``/moto-api/static/`` convention, for decorator and server mode.

``POST /moto-api/static/drs/source-servers`` with JSON ``{"accountId", "region",
"sourceProperties", "tags", "sourceCloudProperties"}`` (all optional) answers
``{"sourceServer": {...}}``; ``POST /moto-api/static/drs/recovery-snapshots`` with
``{"sourceServerID", "timestamp", "accountId", "region"}`` answers ``{"recoverySnapshot": {...}}``.
``POST /moto-api/static/drs/data-replication-state`` with ``{"sourceServerID", "state",
"error", "region", "accountId"}`` simulates the replication agent and answers
``{"sourceServer": {...}}``. ``POST /moto-api/static/drs/clock`` with ``{"advanceSeconds": N}``
moves the DRS clock forward; it and ``GET`` answer ``{"dateTime", "offsetSeconds"}``.
Errors answer as DRS does: JSON with ``code`` and ``message`` and the error's HTTP status.
"""

import json
from collections.abc import Callable
from typing import Any, cast

from botocore import xform_name
from botocore.model import StructureShape
from moto.core.common_types import TYPE_RESPONSE

JSON_HEADERS = {"Content-Type": "application/json"}
SEED_KEYS = {
    "accountId",
    "region",
    "sourceProperties",
    "tags",
    "sourceCloudProperties",
    "dataReplicationState",
}
SNAPSHOT_KEYS = {"accountId", "region", "sourceServerID", "timestamp"}
REPLICATION_STATE_KEYS = {"accountId", "region", "sourceServerID", "state", "error"}
CLOCK_KEYS = {"advanceSeconds"}
FAILBACK_CLIENT_KEYS = {
    "accountId",
    "region",
    "recoveryInstanceID",
    "failbackToOriginalServer",
}


def _request_body(request: Any) -> bytes:
    for attribute in ("data", "body"):
        value = getattr(request, attribute, None)
        if isinstance(value, bytes):
            return value
        if isinstance(value, str):
            return value.encode("utf-8")
    return b""


def _error(status: int, code: str, message: str, **members: Any) -> TYPE_RESPONSE:
    headers = dict(JSON_HEADERS, **{"x-amzn-ErrorType": code})
    return status, headers, json.dumps({"code": code, "message": message, **members})


def _json_endpoint(
    allowed: set[str],
    handle: Callable[[dict[str, Any]], dict[str, Any]],
    on_get: Callable[[], dict[str, Any]] | None = None,
) -> Callable[..., TYPE_RESPONSE]:
    """Wrap ``handle`` with request parsing and DRS-style errors; nothing is half-created on error.
    ``on_get``, if given, answers GET."""

    def endpoint(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
        from moto.core.exceptions import ServiceException

        method = getattr(request, "method", "POST")
        if method == "GET" and on_get is not None:
            return 200, dict(JSON_HEADERS), json.dumps(on_get())
        if method != "POST":
            return _error(405, "ValidationException", "Use POST with a JSON body.")
        raw = _request_body(request)
        try:
            payload = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            return _error(
                400,
                "ValidationException",
                "The body must be a JSON object.",
                reason="cannotParse",
            )
        if not isinstance(payload, dict):
            return _error(
                400,
                "ValidationException",
                "The body must be a JSON object.",
                reason="cannotParse",
            )
        unknown = sorted(set(payload) - allowed)
        if unknown:
            return _error(
                400,
                "ValidationException",
                f"Unknown keys {unknown}; allowed keys are {sorted(allowed)}.",
                reason="fieldValidationFailed",
                fieldList=[{"name": k, "message": "Unknown member"} for k in unknown],
            )
        try:
            result = handle(payload)
        except ServiceException as error:
            from .drs.models import drs_service_model

            shape = cast(StructureShape, drs_service_model().shape_for(error.code))
            status = shape.metadata.get("error", {}).get("httpStatusCode", 400)
            members = {  # the error's members as the model names them (quotaCode, fieldList, ...)
                name: value
                for name in shape.members
                if name not in ("message", "code")
                and (value := getattr(error, xform_name(name), None))
            }
            return _error(status, error.code, error.message, **members)
        return 200, dict(JSON_HEADERS), json.dumps(result)

    return endpoint


def _region_and_account(payload: dict[str, Any]) -> tuple[str, str | None]:
    """Every seeding endpoint's ``region`` (default us-east-1) and optional ``accountId``."""
    from .drs.exceptions import ValidationException

    region = payload.get("region", "us-east-1")
    account = payload.get("accountId")
    if not isinstance(region, str) or (
        account is not None and not isinstance(account, str)
    ):
        raise ValidationException("region and accountId must be strings.")
    return region, account


def _seed_source_server(payload: dict[str, Any]) -> dict[str, Any]:
    from .seeding import add_source_server
    from .server_mode import local

    region, account = _region_and_account(payload)
    server = local(add_source_server)(
        region_name=region,
        account_id=account,
        source_properties=payload.get("sourceProperties"),
        tags=payload.get("tags"),
        source_cloud_properties=payload.get("sourceCloudProperties"),
        data_replication_state=payload.get("dataReplicationState"),
    )
    return {"sourceServer": server}


def _seed_recovery_snapshot(payload: dict[str, Any]) -> dict[str, Any]:
    from .drs.exceptions import ValidationException
    from .seeding import add_recovery_snapshot
    from .server_mode import local

    server_id = payload.get("sourceServerID")
    timestamp = payload.get("timestamp")
    if not isinstance(server_id, str) or (
        timestamp is not None and not isinstance(timestamp, str)
    ):
        raise ValidationException(
            "sourceServerID (string) is required; timestamp must be an ISO-8601 string."
        )
    region, account = _region_and_account(payload)
    snapshot = local(add_recovery_snapshot)(
        server_id, timestamp, region_name=region, account_id=account
    )
    return {"recoverySnapshot": snapshot}


def _set_data_replication_state(payload: dict[str, Any]) -> dict[str, Any]:
    from .drs.exceptions import ValidationException
    from .seeding import set_data_replication_state
    from .server_mode import local

    server_id = payload.get("sourceServerID")
    state = payload.get("state")
    if not isinstance(server_id, str) or not isinstance(state, str):
        raise ValidationException(
            "sourceServerID and state (strings) are required.",
            field_list=[
                {"name": name, "message": "Required string"}
                for name in ("sourceServerID", "state")
                if not isinstance(payload.get(name), str)
            ],
        )
    region, account = _region_and_account(payload)
    server = local(set_data_replication_state)(
        server_id, state, payload.get("error"), region_name=region, account_id=account
    )
    return {"sourceServer": server}


def _advance_clock(payload: dict[str, Any]) -> dict[str, Any]:
    from .seeding import advance_clock
    from .server_mode import local

    result: dict[str, Any] = local(advance_clock)(payload.get("advanceSeconds", 0))
    return result


def _get_clock() -> dict[str, Any]:
    from .seeding import get_clock
    from .server_mode import local

    result: dict[str, Any] = local(get_clock)()
    return result


def _connect_failback_client(payload: dict[str, Any]) -> dict[str, Any]:
    from .drs.exceptions import ValidationException
    from .seeding import connect_failback_client
    from .server_mode import local

    instance_id = payload.get("recoveryInstanceID")
    to_original = payload.get("failbackToOriginalServer", True)
    if not isinstance(instance_id, str) or not isinstance(to_original, bool):
        raise ValidationException(
            "recoveryInstanceID (string) is required; failbackToOriginalServer is a boolean."
        )
    region, account = _region_and_account(payload)
    instance = local(connect_failback_client)(
        instance_id, to_original, region_name=region, account_id=account
    )
    return {"recoveryInstance": instance}


def _faults_glue(name: str) -> Callable[..., TYPE_RESPONSE]:
    """An endpoint of ``faults.py``, imported on first use so that ``import moto_drs`` stays cheap."""

    def endpoint(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
        from . import faults

        handler: Callable[..., TYPE_RESPONSE] = getattr(faults, name)
        return handler(request, full_url, headers)

    return endpoint


URL_PATHS: dict[str, Callable[..., TYPE_RESPONSE]] = {
    "{0}/moto-api/static/drs/source-servers": _json_endpoint(
        SEED_KEYS, _seed_source_server
    ),
    "{0}/moto-api/static/drs/recovery-snapshots": _json_endpoint(
        SNAPSHOT_KEYS, _seed_recovery_snapshot
    ),
    "{0}/moto-api/static/drs/data-replication-state": _json_endpoint(
        REPLICATION_STATE_KEYS, _set_data_replication_state
    ),
    "{0}/moto-api/static/drs/clock": _json_endpoint(
        CLOCK_KEYS, _advance_clock, on_get=_get_clock
    ),
    "{0}/moto-api/static/drs/failback-clients": _json_endpoint(
        FAILBACK_CLIENT_KEYS, _connect_failback_client
    ),
    "{0}/moto-api/static/drs/faults": _faults_glue("faults_endpoint"),
    "{0}/moto-api/static/drs/quotas": _faults_glue("quotas_endpoint"),
}
