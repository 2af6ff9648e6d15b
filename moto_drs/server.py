"""``moto_drs_server``: moto's own server with DRS registered; it takes ``moto_server``'s flags."""

import sys
from collections.abc import Sequence

from .core_patches import live_models
from .registration import register


def main(argv: Sequence[str] | None = None) -> None:
    register()
    # a server is never reset by a mock's stop: without this, moto keeps every model it ever
    # made (core patch 0030); test processes do not apply it (its look-ups scan the heap)
    live_models.apply()
    from moto.server import main as moto_main

    moto_main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
