"""Small changes to moto core that DRS needs, applied to the installed moto at registration.

Each module is one change, written so that it can become one moto core commit (``scripts/
upstream.py`` emits them as such): a docstring saying what moto does today and what it should
do, an ``apply()`` that installs the change, and tests in ``tests/test_core_patches.py`` that
use plain moto services as well as DRS. Every patch only turns a crash into an answer; a request
that moto already answers is answered as before. See docs/upstream.md.
"""

import threading

from . import request_body, request_protocol

_lock = threading.Lock()
_applied = False


def apply() -> None:
    """Apply every change once; calling it again does nothing."""
    global _applied
    with _lock:
        if _applied:
            return
        request_protocol.apply()
        request_body.apply()
        _applied = True
