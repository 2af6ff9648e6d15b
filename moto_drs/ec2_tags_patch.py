"""Plugin glue, a moto core patch: EC2's tag look-up of one resource reads that resource's tags.

Why: moto's ``TagBackend.describe_tags`` answers every query by scanning every tag of the Region,
and ``TaggedEC2Resource.get_tags()`` (one resource ID, the filter ``resource-id``) is such a
query. ``LaunchTemplate.__init__`` calls it, so creating the launch template DRS keeps for each
source server cost time proportional to the launch templates already there: seeding 10,000
servers was quadratic (36 s against 0.7 s for 1,000). moto 5.2.5 is affected.

The fix answers a query whose ``resource-id`` filter is one literal ID from that resource's tags
only: alone (what ``get_tags()`` asks) directly, in moto's result format; with other filters by
running moto's own ``describe_tags`` over that one resource, so their semantics stay moto's. Upstream, the same short cut belongs in ``TagBackend.describe_tags``
(docs/performance.md has the diff). This module is separate from the generic core-patch
mechanism (``moto_drs/core_patches/``, once it lands) and should move there.

moto's EC2 is heavy to import, so the patch is applied when ``moto.ec2.models.tags`` is
imported (or at once, if it already was), not when ``moto_drs`` is.
"""

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType, SimpleNamespace
from typing import Any

TARGET = "moto.ec2.models.tags"
_WILDCARDS = frozenset("*?[]\\")
_PATCHED = "_moto_drs_single_resource_lookup"


def _literal_id(values: Any) -> str | None:
    """The one resource ID a ``resource-id`` filter names literally, else None."""
    if isinstance(values, list) and len(values) == 1:
        value = values[0]
        if isinstance(value, str) and not _WILDCARDS.intersection(value):
            return value
    return None


def patch_tag_backend(module: ModuleType) -> None:
    """Wrap ``TagBackend.describe_tags`` of ``module``; applying it twice does nothing."""
    tag_backend = getattr(module, "TagBackend", None)
    original = getattr(tag_backend, "describe_tags", None)
    if original is None or getattr(original, _PATCHED, False):
        return
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    def resource_type_of(resource_id: str) -> str:
        """As moto's ``describe_tags`` writes it."""
        return str(EC2_PREFIX_TO_RESOURCE.get(get_prefix(resource_id), ""))

    def describe_tags(
        self: Any, filters: dict[str, list[str]] | None = None
    ) -> list[dict[str, str]]:
        resource_id = _literal_id(filters.get("resource-id")) if filters else None
        if resource_id is None:
            return original(self, filters)
        tags = self.tags.get(resource_id)  # get: ``tags`` is a defaultdict
        if not tags:
            return []
        if (
            filters is not None and len(filters) == 1
        ):  # what get_tags() asks: every tag of the one resource
            resource_type = resource_type_of(resource_id)
            return [
                {
                    "resource_id": resource_id,
                    "key": key,
                    "value": value,
                    "resource_type": resource_type,
                }
                for key, value in tags.items()
            ]
        # moto's own filtering, over the one resource the filter can match
        view = SimpleNamespace(
            tags={resource_id: tags}, VALID_TAG_FILTERS=self.VALID_TAG_FILTERS
        )
        return original(view, filters)

    setattr(describe_tags, _PATCHED, True)
    describe_tags.__doc__ = original.__doc__
    tag_backend.describe_tags = describe_tags  # type: ignore[union-attr]


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        patch_tag_backend(module)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader)
        return spec


def apply() -> None:
    """Patch moto's EC2 tag look-up now, or when it is first imported."""
    module = sys.modules.get(TARGET)
    if module is not None:
        patch_tag_backend(module)
    elif not any(isinstance(finder, _PatchOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())
