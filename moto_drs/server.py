"""``moto_drs_server``: moto's own server with DRS registered; it takes ``moto_server``'s flags."""

import sys
from collections.abc import Sequence

from .registration import register


def main(argv: Sequence[str] | None = None) -> None:
    register()
    from moto.server import main as moto_main

    moto_main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
