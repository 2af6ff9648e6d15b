"""Patch a moto module when it is first imported, or at once if it already was.

moto's EC2 is heavy to import, so the EC2 core changes must not import it when ``moto_drs`` is
imported: they wait on ``sys.meta_path`` for moto to load the module they change.
"""

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

Patch = Callable[[ModuleType], None]
_PATCHES: dict[str, list[Patch]] = {}


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, patches: list[Patch]) -> None:
        self.loader = loader
        self.patches = patches

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        for patch in self.patches:
            patch(module)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        patches = _PATCHES.get(fullname)
        if not patches:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, patches)
        return spec


def patch_module(name: str, patch: Patch) -> None:
    """Run ``patch(module)`` on moto's module ``name`` now if it is loaded, and whenever it
    is (re)loaded. Each patch must do nothing when applied twice."""
    patches = _PATCHES.setdefault(name, [])
    if patch not in patches:
        patches.append(patch)
    module = sys.modules.get(name)
    if module is not None:
        patch(module)
    if not any(isinstance(finder, _PatchOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())
