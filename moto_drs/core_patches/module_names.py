"""moto core change: moto's list of its own service modules is read from disk once.

Today ``moto.backends.list_of_moto_modules()`` lists moto's package directory and ``stat``s every
entry each time it is called, and moto's server calls it for every request whose host is not a
service's (``DomainDispatcherApplication.get_backend_for_host``: every request from a client
with an ``endpoint_url``), under the dispatcher's lock: about 180 system calls a request, which
all requests wait for in turn (docs/performance.md, server mode).

The change: the listing is made once per process and kept; the names and their order are the
same. Upstream it is a cached helper in ``moto/backends.py`` (``0020-moto-module-names.diff``).
"""

import functools
import os
from collections.abc import Iterable, Iterator

import moto
import moto.backends as backends

_MARK = "_lists_moto_modules_once"


@functools.cache
def _moto_module_names() -> tuple[str, ...]:
    path = os.path.dirname(moto.__file__)
    return tuple(
        name
        for name in sorted(os.listdir(path))
        if os.path.isdir(os.path.join(path, name)) and not name.startswith("__")
    )


def list_of_moto_modules() -> Iterable[str]:
    names: Iterator[str] = iter(_moto_module_names())
    return names


def apply() -> None:
    if getattr(backends.list_of_moto_modules, _MARK, False):
        return
    setattr(list_of_moto_modules, _MARK, True)
    backends.list_of_moto_modules = list_of_moto_modules
