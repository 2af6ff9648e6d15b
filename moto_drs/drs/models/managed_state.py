"""moto's ManagedState, with its ``time`` progression running on the DRS clock.

moto's own ManagedState measures ``time`` progressions with ``datetime.now()``: freezegun steers
it, but ``advance_clock`` would not. Here the progression reads ``utils.state_manager_now()``,
and a model that waited through several ``seconds`` periods moves one status per period when it
is next read, each move dated when it fell due (moto moves at most one status per read), so a
job or a source server follows the DRS clock however far it jumps. "immediate" and "manual"
progressions move as moto's do; an "immediate" move is dated when the progression (re)started,
a "manual" one at the read that made it.
"""

from datetime import datetime, timedelta

from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from ..utils import now, state_manager_now

_UNKNOWN = object()
# (transitions, status) -> the status moto's chain of moves ends in from it
_LAST_STATUS: dict[
    tuple[tuple[tuple[str | None, str], ...], str | None], str | None
] = {}


class DrsManagedState(ManagedState):
    def __init__(self, model_name: str, transitions: list[tuple[str | None, str]]):
        super().__init__(model_name, transitions)
        self._time_progressed = state_manager_now()

    def restart_progression(self) -> None:
        """Count ticks and seconds towards the next status from now (after a status was set)."""
        self._tick = 0
        self._time_progressed = state_manager_now()

    @property
    def status(self) -> str | None:
        config = state_manager.get_transition(self.model_name)
        progression = config["progression"]
        if progression == "immediate":
            target = self._get_last_status(previous=self._status)
            if target != self._status:
                # it moved the moment its progression (re)started, whenever it is read
                lead = state_manager_now() - self._time_progressed
                self._progressed(target, now() - lead)
        elif progression == "manual":
            if self._tick >= config["times"]:
                target = self._get_next_status(previous=self._status)
                self._tick = 0
                if target != self._status:
                    self._progressed(target, now())
        elif progression == "time":
            period = timedelta(seconds=config["seconds"])
            moment = state_manager_now()
            while moment > self._time_progressed + period:
                self._time_progressed += period
                target = self._get_next_status(previous=self._status)
                if target == self._status:
                    self._time_progressed = moment
                    break
                lead = moment - self._time_progressed
                self._progressed(target, now() - lead)
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value

    def _get_last_status(self, previous: str | None) -> str | None:
        """moto's, remembered per transitions and status: moto walks the chain with one generator
        per move on every read of an "immediate" model, and a source server's read asked five
        times. Keyed by the transitions' content, so it holds one entry per model and status."""
        key = (tuple(self._transitions), previous)
        last = _LAST_STATUS.get(key, _UNKNOWN)
        if last is _UNKNOWN:
            last = _LAST_STATUS[key] = super()._get_last_status(previous)
        return last  # type: ignore[return-value]

    def _progressed(self, status: str | None, at: datetime) -> None:
        """The state manager moved this model to ``status`` at ``at`` (DRS clock, UTC).

        Models that keep a history of their statuses override it and call it last.
        """
        self._status = status
