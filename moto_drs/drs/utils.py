"""Identifiers, ARNs and time formats as DRS writes them."""

from datetime import datetime, timedelta, timezone

from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition


def new_id(prefix: str) -> str:
    """DRS IDs are a short type prefix and 17 lowercase hex characters (``s-``, ``rct-``, ...)."""
    return f"{prefix}-{mock_random.get_random_hex(17)}"


def drs_arn(region_name: str, account_id: str, resource: str) -> str:
    return f"arn:{get_partition(region_name)}:drs:{region_name}:{account_id}:{resource}"


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a ``Z``, the form of the model's ISO8601DatetimeString."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso_duration(delta: timedelta) -> str:
    """ISO-8601 duration (``PT1H2M3S``), as DRS reports lag and elapsed replication time."""
    seconds = max(int(delta.total_seconds()), 0)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = "P" + (f"{days}D" if days else "") + "T"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds or text.endswith("T"):
        text += f"{seconds}S"
    return text
