"""Identifiers, ARNs, time formats as DRS writes them, and the one DRS clock."""

import threading
from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict, BaseBackend
from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition


def new_id(prefix: str) -> str:
    """DRS IDs are a short type prefix and 17 lowercase hex characters (``s-``, ``rct-``, ...)."""
    return f"{prefix}-{mock_random.get_random_hex(17)}"


def drs_arn(region_name: str, account_id: str, resource: str) -> str:
    return f"arn:{get_partition(region_name)}:drs:{region_name}:{account_id}:{resource}"


class FrozenItem(dict[str, Any]):
    """An item of a listing as a model described it, never edited once built.

    A model may keep it and answer it again while what it describes is unchanged, and a
    serializer may keep with it the text it wrote for it (``serialized``), so that an unchanged
    item of a 1,000-item page costs a look-up instead of a walk over all its values. Editing it
    raises TypeError: a change builds a new one. What it holds is built for it or, like every
    shared value of the models, replaced and never edited in place.
    """

    __slots__ = ("serialized",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.serialized: Any = None

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a FrozenItem is never edited: describe the resource again")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # copy and pickle rebuild it whole (dict's protocol would set its items one by one)
        return (type(self), (dict(self),))


class DrsClock(BaseBackend):
    """How far the DRS clock runs ahead of real time (or of freezegun's frozen time).

    A moto backend only so that moto's reset (``/moto-api/reset``, every mock start) returns
    the clock to real time: moto resets every BackendDict that holds a backend.
    """

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.lock = threading.Lock()
        self.offset = timedelta(0)

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        """Back to real time. BaseBackend.reset re-creates the object's attributes, which a
        request reading the clock during the reset could catch half-made."""
        with self.lock:
            self.offset = timedelta(0)


# one clock for every account and Region, kept under a fixed key
CLOCK_KEY = "aws"
drs_clocks: BackendDict[DrsClock] = BackendDict(
    DrsClock, "drs", use_boto3_regions=False, additional_regions=[CLOCK_KEY]
)


def clock_offset() -> timedelta:
    """The DRS clock's lead over real time; dict.get creates no backend on the way."""
    accounts = drs_clocks.get(DEFAULT_ACCOUNT_ID)
    clock = accounts.get(CLOCK_KEY) if accounts is not None else None
    return clock.offset if clock is not None else timedelta(0)


def advance_clock(seconds: float) -> datetime:
    """Move the DRS clock forward by ``seconds``; returns the new DRS time."""
    drs_clocks[DEFAULT_ACCOUNT_ID][CLOCK_KEY].advance(seconds)
    return now()


def now() -> datetime:
    """The DRS clock: everything DRS derives from time reads it.

    It is the system clock (which freezegun steers in decorator mode) plus the offset that
    ``advance_clock`` accumulated.
    """
    return datetime.now(timezone.utc) + clock_offset()


def state_manager_now() -> datetime:
    """The DRS clock in the form moto's ManagedState keeps time in: naive local time."""
    return datetime.now() + clock_offset()


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a ``Z``, the form of the model's ISO8601DatetimeString."""
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    if moment.year < 1000:  # strftime writes such a year unpadded
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    # %-formatting: a third of strftime's cost and half an f-string's (pages of 1,000 items
    # paid it several times an item)
    return "%d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (  # noqa: UP031
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond // 1000,
    )


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
