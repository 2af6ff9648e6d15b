"""Plugin glue: makes moto serve DRS as if ``moto/drs`` were one of its own services.

moto finds a service in three places, all extended here without importing the service itself
(that happens on the first DRS request): the URL index ``moto.backend_index``, the module
``moto.drs`` that ``moto.backends.get_backend("drs")`` imports, and the Moto API's URL table for
the seeding endpoints.
"""

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import threading
from types import ModuleType
from typing import Any

SERVICE = "drs"
URL_PATTERN = re.compile(r"https?://drs\.(.+)\.amazonaws\.com")
_ALIASES = {"moto.drs": "moto_drs.drs"}
_lock = threading.Lock()
_registered = False


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """The target module was executed by its own import."""


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``moto.drs`` (and its submodules) to this package's ``moto_drs.drs``."""

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        for alias, real in _ALIASES.items():
            if fullname == alias or fullname.startswith(alias + "."):
                real_name = real + fullname[len(alias) :]
                return importlib.machinery.ModuleSpec(fullname, _AliasLoader(real_name))
        return None


def register() -> None:
    """Register DRS with moto; calling it again does nothing."""
    global _registered
    with _lock:
        if _registered:
            return
        import moto.backend_index as backend_index

        patterns = backend_index.backend_url_patterns
        if not any(name == SERVICE for name, _ in patterns):
            # moto tries the patterns in order on every request: DRS goes where moto itself would list
            # it (alphabetically), not behind all 180 services
            position = next(
                (i for i, (name, _) in enumerate(patterns) if name > SERVICE),
                len(patterns),
            )
            patterns.insert(position, (SERVICE, URL_PATTERN))
        if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
            sys.meta_path.append(_AliasFinder())
        _register_moto_api_paths()
        _register_serializer()
        _registered = True


def _register_moto_api_paths() -> None:
    from moto.moto_api._internal import urls as moto_api_urls

    from . import moto_api

    moto_api_urls.url_paths.update(moto_api.URL_PATHS)


def _register_serializer() -> None:
    """DRS answers through moto's serializer with its per-member decisions cached (``serializer``).

    It builds on moto's serializer internals; on a moto whose internals differ, DRS keeps moto's
    own serializer, which writes the same bytes, only slower.
    """
    try:
        from moto.core import serialize

        from .serializer import DrsSerializer
    except (ImportError, AttributeError):
        return

    serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault(SERVICE, {})["rest-json"] = (
        DrsSerializer
    )
