"""``moto_drs_server`` whose clock runs ahead: SECONDS more of simulated time with each request.

Run:  ``python benchmarks/fast_clock_server.py SECONDS [moto_server's flags]``

Why (docs/performance.md, "Round 9: the soak's clock"): the soak's 50,000 requests take minutes,
but what AWS keeps after a drill (the two terminated EC2 instances, listed "usually less than one
hour"; the on-demand point-in-time snapshot, kept an hour) is only let go an hour later. With the
real clock the soak measures that hour's retention, not a leak. Here the server runs under
freezegun, ticking with real time and moved on SECONDS per request, so every part of the mock that
reads the time (DRS's clock, moto's ``utcnow``, which EC2's forgetting reads) sees hours pass in
the soak's minutes, as a server that runs drills for hours would. Nothing of the mock is changed.
"""

from __future__ import annotations

import sys
import threading
from datetime import timedelta
from typing import Any


def main(argv: list[str]) -> None:
    seconds = timedelta(seconds=float(argv[0]))
    import moto.server
    from freezegun import freeze_time

    from moto_drs import server

    clock: Any = freeze_time("2026-06-01 00:00:00", tick=True).start()
    lock = threading.Lock()
    dispatcher = moto.server.DomainDispatcherApplication

    class Ahead(dispatcher):  # type: ignore[misc, valid-type]
        """Each request moves the clock on before it is answered."""

        def __call__(self, environ: Any, start_response: Any) -> Any:
            with lock:
                # the factory adds real time elapsed since ``start`` to ``time_to_freeze``;
                # moving the latter alone keeps the clock monotonic (freezegun's own ``tick``
                # restarts ``start`` and drops what elapsed)
                clock.time_to_freeze += seconds
            return super().__call__(environ, start_response)

    moto.server.DomainDispatcherApplication = Ahead  # type: ignore[misc]
    server.main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
