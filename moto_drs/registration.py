"""Plugin glue: makes moto serve DRS as if ``moto/drs`` were one of its own services.

moto finds a service in three places, all extended here without importing the service itself
(that happens on the first DRS request): the URL index ``moto.backend_index``, the module
``moto.drs`` that ``moto.backends.get_backend("drs")`` imports, and the Moto API's URL table for
the seeding endpoints. moto's CloudFormation finds the ``AWS::DRS::*`` resource types once
``moto.cloudformation`` is imported (upstream, its parsing module imports every service's models).
It also registers the state-manager defaults of DRS's models and applies the small moto core
changes the service relies on (``core_patches``), which upstream are commits to moto core.
"""

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import threading
from types import ModuleType
from typing import Any

from . import core_patches

SERVICE = "drs"
URL_PATTERN = re.compile(r"https?://drs\.(.+)\.amazonaws\.com")
_ALIASES = {"moto.drs": "moto_drs.drs"}
# The state-manager defaults of DRS's models, registered where moto registers its own (the body of
# moto/moto_api/__init__.py; upstream these become lines there). "immediate": a resource reaches
# its final status on the next read, unless a test sets another transition.
STATE_MANAGER_DEFAULTS: dict[str, dict[str, Any]] = {
    "drs::source-server": {"progression": "immediate"},
    "drs::job": {"progression": "immediate"},
    "drs::recovery-instance-failback": {"progression": "immediate"},
    "drs::recovery-plan-execution": {"progression": "immediate"},
    "drs::source-network": {"progression": "immediate"},
}
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
        # first: the service imports what these add to moto core (moto.core.validation)
        core_patches.apply()
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
        _register_state_manager_defaults()
        _register_serializer()
        _register_cloudformation()
        _registered = True


def _register_moto_api_paths() -> None:
    from moto.moto_api._internal import urls as moto_api_urls

    from . import moto_api

    moto_api_urls.url_paths.update(moto_api.URL_PATHS)


def _register_state_manager_defaults() -> None:
    from moto.moto_api import state_manager

    for model_name, transition in STATE_MANAGER_DEFAULTS.items():
        state_manager.register_default_transition(model_name, transition=transition)


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


_CLOUDFORMATION = "moto.cloudformation.models"


class _CloudFormationFinder(importlib.abc.MetaPathFinder):
    """Installs DRS into moto's CloudFormation right after ``moto.cloudformation.models`` loads,
    so that ``import moto_drs`` does not import moto's CloudFormation (and the 30 services it
    imports) up front."""

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _CLOUDFORMATION:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                _install_after_exec(spec.loader)
                return spec
        return None


def _install_after_exec(loader: Any) -> None:
    """Make the module's own loader run ``_install_cloudformation`` right after the module."""
    exec_module = loader.exec_module

    def exec_then_install(module: ModuleType) -> None:
        exec_module(module)
        _install_cloudformation()

    loader.exec_module = exec_then_install


def _register_cloudformation() -> None:
    if _CLOUDFORMATION in sys.modules:
        _install_cloudformation()
    elif not any(isinstance(f, _CloudFormationFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _CloudFormationFinder())


def _install_cloudformation() -> None:
    """Define the resource types (moto lists ``CloudFormationModel`` subclasses, once, cached)
    and make a failing DRS resource fail its stack as CloudFormation does (``stack_failures``)."""
    from moto.cloudformation import parsing

    from .drs.models import cloudformation  # noqa: F401
    from .stack_failures import install

    for cached in (
        parsing.get_model_list,
        parsing.get_model_map,
        parsing.get_name_type_map,
    ):
        cached.cache_clear()
    install()
