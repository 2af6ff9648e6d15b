"""Seeding: what the replication agent does in real DRS, from Python.

Real source servers appear when the AWS Replication Agent is installed on a machine, so DRS has
no public create call; tests seed servers here instead (or over HTTP, see ``moto_api``).
In moto's server mode (``TEST_SERVER_MODE=true``) each function asks the test server through
its endpoint instead (``server_mode.over_http``).
"""

import json
import os
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from .server_mode import WHOLE_ANSWER, over_http


def _backend(region_name: str, account_id: str | None) -> Any:
    from .drs.exceptions import ValidationException
    from .drs.models import drs_backends

    account = account_id or os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID
    if not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
        # as the API answers such an account; looking it up would create a backend for it
        raise ValidationException(
            f"The account ID {account!r} is not a 12-digit AWS account ID.",
            field_list=[{"name": "accountId", "message": "Must be 12 digits"}],
        )
    regions = drs_backends[account]
    if region_name not in regions:
        raise ValidationException(
            f"Elastic Disaster Recovery is not available in region {region_name!r}; "
            "seed into a region DRS serves (for example us-east-1).",
            field_list=[{"name": "region", "message": "Unsupported region"}],
        )
    return regions[region_name]


def _ensure_initialized(backend: Any) -> None:
    from .drs.exceptions import UninitializedAccountException

    if not backend.initialized:
        raise UninitializedAccountException(
            f"Account {backend.account_id} has not initialized Elastic Disaster Recovery in {backend.region_name}: "
            "call InitializeService (drs.initialize_service()) in that account and region before seeding."
        )


def normalise_timestamp(value: Any, field: str) -> str:
    """Any ISO-8601 date-time (``Z``, ``+00:00``, other offsets, fractional seconds) or ``datetime``
    as the UTC string the model's pattern demands; a value that is not a date-time is refused.

    Seeding stands in for the replication agent, so it is lenient where the API is strict: clients
    write timestamps the way Python does (``datetime.isoformat()`` gives ``+00:00``). A value
    without an offset (a naive ``datetime`` too) is taken as UTC.
    """
    from .drs.exceptions import ValidationException
    from .drs.models import drs_service_model
    from .drs.utils import iso

    # the form of every DRS timestamp: the model's ISO8601DatetimeString, UTC with a Z
    pattern = drs_service_model().shape_for("ISO8601DatetimeString").metadata["pattern"]
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        if re.fullmatch(pattern, value) and _parses(value):
            return value
        text = value.strip().upper()
        # a date-time, not a bare date: ISO-8601 puts a T (or, in RFC 3339, a space) before the time
        if re.match(r"[^T ]+[T ]\d", text):
            text = re.sub(
                r"(\.\d{6})\d+", r"\1", text
            )  # fromisoformat stops at microseconds
            try:
                moment = datetime.fromisoformat(text.replace(" ", "T"))
            except ValueError:
                moment = None
    if moment is None:
        raise ValidationException(
            f"{field} must be an ISO-8601 date-time (such as 2024-05-01T10:00:00Z or "
            f"2024-05-01T12:00:00+02:00) or a datetime, not {value!r}.",
            field_list=[{"name": field, "message": "Not an ISO-8601 date-time"}],
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return iso(moment)


def _parses(text: str) -> bool:
    """The pattern lets dates through that no calendar has (February 31)."""
    try:
        datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text[:-1]))
    except ValueError:
        return False
    return True


def _with_normalised_timestamps(
    source_properties: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """``sourceProperties`` with ``lastUpdatedDateTime`` in the model's form (a copy: the caller's
    dict stays as it was)."""
    if not isinstance(source_properties, dict):
        return source_properties  # the backend names the wrong type
    stamp = source_properties.get("lastUpdatedDateTime")
    if stamp is None:
        return source_properties
    return {
        **source_properties,
        "lastUpdatedDateTime": normalise_timestamp(
            stamp, "sourceProperties.lastUpdatedDateTime"
        ),
    }


def as_api_output(operation_name: str, result: Any) -> dict[str, Any]:
    """Serialize ``result`` exactly as the DRS API would answer ``operation_name``."""
    from moto.core.serialize import XFormedAttributePicker, get_serializer_class

    from .drs.models import drs_service_model

    operation = drs_service_model().operation_model(operation_name)
    serializer = get_serializer_class("drs", "rest-json")(
        operation_model=operation, value_picker=XFormedAttributePicker()
    )
    body = serializer.serialize(result)["body"]
    return json.loads(body) if body else {}


@over_http("source-servers", result="sourceServer")
def add_source_server(
    region_name: str = "us-east-1",
    account_id: str | None = None,
    source_properties: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    source_cloud_properties: dict[str, Any] | None = None,
    data_replication_state: str | None = None,
) -> dict[str, Any]:
    """Seed a source server and return it as DescribeSourceServers shows it.

    Every argument is optional; realistic defaults are generated. The account must have called
    InitializeService first, as a real agent installation requires.
    """
    backend = _backend(region_name, account_id)
    with backend.lock:
        _ensure_initialized(backend)
        server = backend.add_source_server(
            source_properties=_with_normalised_timestamps(source_properties),
            tags=tags,
            source_cloud_properties=source_cloud_properties,
            data_replication_state=data_replication_state,
        )
        return as_api_output("DescribeSourceServers", {"items": [server]})["items"][0]


@over_http("recovery-snapshots", result="recoverySnapshot")
def add_recovery_snapshot(
    source_server_id: str,
    timestamp: str | datetime | None = None,
    region_name: str = "us-east-1",
    account_id: str | None = None,
) -> dict[str, Any]:
    """Seed a recovery snapshot (ISO-8601 ``timestamp`` or ``datetime``, default now) of a
    replicating server."""
    backend = _backend(region_name, account_id)
    if timestamp is not None:
        timestamp = normalise_timestamp(timestamp, "timestamp")
    with backend.lock:
        _ensure_initialized(backend)
        snapshot = backend.add_recovery_snapshot(source_server_id, timestamp)
        return as_api_output("DescribeRecoverySnapshots", {"items": [snapshot]})[
            "items"
        ][0]


@over_http("failback-clients", result="recoveryInstance")
def connect_failback_client(
    recovery_instance_id: str,
    failback_to_original_server: bool = True,
    region_name: str = "us-east-1",
    account_id: str | None = None,
) -> dict[str, Any]:
    """Seed what a failback client booted on premises does: pair with a recovery instance, whose
    failback replication then starts (FAILBACK_IN_PROGRESS). Returns it as DescribeRecoveryInstances does."""
    backend = _backend(region_name, account_id)
    with backend.lock:
        _ensure_initialized(backend)
        instance = backend.connect_failback_client(
            recovery_instance_id, failback_to_original_server
        )
        return as_api_output(
            "DescribeRecoveryInstances", {"items": [instance.describe()]}
        )["items"][0]


@over_http("data-replication-state", result="sourceServer")
def set_data_replication_state(
    source_server_id: str,
    state: str,
    error: str | dict[str, str] | None = None,
    region_name: str = "us-east-1",
    account_id: str | None = None,
) -> dict[str, Any]:
    """Simulate the replication agent: move a replicating server to ``state`` (one of
    INITIATING ... STALLED), with ``error`` (a DataReplicationErrorString such as
    "AGENT_NOT_SEEN", or ``{"error", "rawError"}``) for STALLED. A change DRS cannot make
    (from STOPPED or DISCONNECTED, back into initiation, ...) raises ConflictException and
    changes nothing. Returns the server as DescribeSourceServers shows it."""
    backend = _backend(region_name, account_id)
    with backend.lock:
        _ensure_initialized(backend)
        server = backend.set_data_replication_state(source_server_id, state, error)
        return as_api_output("DescribeSourceServers", {"items": [server]})["items"][0]


def _clock_answer() -> dict[str, Any]:
    from .drs.utils import clock_offset, iso, now

    return {
        "dateTime": iso(now()),
        "offsetSeconds": clock_offset().total_seconds(),
    }


@over_http("clock", result=WHOLE_ANSWER, names={"seconds": "advanceSeconds"})
def advance_clock(seconds: float) -> dict[str, Any]:
    """Move the DRS clock forward by ``seconds`` (lag, ETAs, lastSeen, elapsed replication,
    snapshots, jobs and WAIT steps under "time" progression all follow it). Returns
    ``{"dateTime": DRS time now, "offsetSeconds": its lead over the system clock}``; moto's
    reset returns the clock to real time."""
    from .drs.exceptions import ValidationException
    from .drs.utils import advance_clock as advance

    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 0 <= seconds < 1e9
    ):
        raise ValidationException(
            f"advanceSeconds must be a number of seconds from 0 to 1e9, not {seconds!r}: "
            "the DRS clock only moves forward.",
            field_list=[{"name": "advanceSeconds", "message": "Must be 0 to 1e9"}],
        )
    if not _clock_can_show(seconds):
        raise ValidationException(
            f"advanceSeconds {seconds!r} would move the DRS clock past {CLOCK_LIMIT.year}, "
            "beyond the timestamps DRS can show.",
            field_list=[{"name": "advanceSeconds", "message": "Clock limit reached"}],
        )
    advance(seconds)
    return _clock_answer()


# Far enough below datetime.max that every moment DRS derives (ETAs, retention) stays in range.
CLOCK_LIMIT = datetime(9000, 1, 1, tzinfo=timezone.utc)


def _clock_can_show(seconds: float) -> bool:
    from .drs.utils import now

    return now() + timedelta(seconds=seconds) < CLOCK_LIMIT


@over_http("clock", method="GET", result=WHOLE_ANSWER)
def get_clock() -> dict[str, Any]:
    """The DRS clock: ``{"dateTime", "offsetSeconds"}`` as ``advance_clock`` answers."""
    return _clock_answer()
