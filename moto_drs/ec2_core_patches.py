"""Plugin glue, moto core patches: EC2 look-ups of one resource that scanned the whole Region.

Both were found profiling DRS at scale (docs/performance.md); moto 5.2.5 has them. They are
applied to the installed moto when the module they patch is imported (moto's EC2 is heavy to
import, so not when ``moto_drs`` is), or at once if it already was. This module is separate from
the generic core-patch mechanism (``moto_drs/core_patches/``, once it lands) and should move
there; upstream, each belongs in the moto module it patches.

1. ``TagBackend.describe_tags`` (``moto.ec2.models.tags``) answers every query by scanning every
   tag of the Region, and ``TaggedEC2Resource.get_tags()`` (filter ``resource-id``, one ID) is
   such a query. ``LaunchTemplate.__init__`` calls it, so creating the launch template DRS keeps
   for each source server cost time proportional to the launch templates already there:
   seeding 10,000 servers was quadratic (36 s against 0.7 s for 1,000). The patch answers a
   ``resource-id`` filter naming one literal ID from that resource's tags only: alone (what
   ``get_tags()`` asks) directly, in moto's result format; with other filters by running moto's
   own ``describe_tags`` over that one resource, so their semantics stay moto's.
2. ``InstanceBackend.get_instance``, ``get_instance_by_id`` and ``get_multi_instances_by_id``
   (``moto.ec2.models.instances``) copy every reservation of the Region (``all_reservations``)
   to find an instance; EC2 keeps terminated instances, and moto's EBS calls ``get_instance``
   for each volume it attaches or detaches, so every launch and termination grew with the
   instances ever launched (a drill soak slowed down fivefold). The patch finds an instance
   through an index kept beside the reservations (checked against them on every hit; a miss
   scans them, without copies): the same instances, found the same way.
"""

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from itertools import islice
from types import ModuleType, SimpleNamespace
from typing import Any

_WILDCARDS = frozenset("*?[]\\")
_PATCHED = "_moto_drs_single_resource_lookup"
_INDEX = "_moto_drs_instance_index"


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


def patch_instance_backend(module: ModuleType) -> None:
    """Replace the instance look-ups of ``module``'s ``InstanceBackend``; twice does nothing."""
    backend = getattr(module, "InstanceBackend", None)
    not_found = getattr(module, "InvalidInstanceIdError", None)
    if backend is None or not_found is None:
        return
    if getattr(backend.get_instance, _PATCHED, False):
        return

    def instances(self: Any) -> Any:
        for reservation in list(self.reservations.values()):
            yield from reservation.instances

    def find(self: Any, instance_id: str) -> Any:
        """The instance, through an index of instance ID -> (reservation ID, instance) that
        grows as reservations are added (moto only appends them); a hit is checked against
        its reservation and a miss scans the reservations, so the answer is always moto's."""
        reservations = self.reservations
        index: dict[str, tuple[str, Any]]
        stamp, count, index = self.__dict__.get(_INDEX) or (None, 0, {})
        if stamp is not reservations:  # a reset made a new table: start again
            count, index = 0, {}
        if count != len(reservations):
            # the newest reservations, read from the end: no copy of the whole table
            added = list(
                islice(
                    reversed(reservations.values()), max(0, len(reservations) - count)
                )
            )
            for reservation in reversed(added):
                for instance in reservation.instances:
                    index.setdefault(instance.id, (reservation.id, instance))
            self.__dict__[_INDEX] = (reservations, len(reservations), index)
        hit = index.get(instance_id)
        if hit is not None:
            reservation = reservations.get(hit[0])
            if reservation is not None and hit[1] in reservation.instances:
                return hit[1]
        for instance in instances(self):
            if instance.id == instance_id:
                return instance
        return None

    def get_instance(self: Any, instance_id: str) -> Any:
        instance = find(self, instance_id)
        if instance is None:
            raise not_found(instance_id)
        return instance

    def get_instance_by_id(self: Any, instance_id: str) -> Any:
        return find(self, instance_id)

    def get_multi_instances_by_id(
        self: Any, instance_ids: list[str], filters: Any = None
    ) -> list[Any]:
        found = [(i, find(self, i)) for i in instance_ids]
        missing = [i for i, instance in found if instance is None]
        if missing:
            raise not_found(missing)
        return [instance for _, instance in found if instance.applies(filters)]

    for function in (get_instance, get_instance_by_id, get_multi_instances_by_id):
        original = getattr(backend, function.__name__)
        setattr(function, _PATCHED, True)
        function.__doc__ = original.__doc__
        setattr(backend, function.__name__, function)


def patch_instances_module(module: ModuleType) -> None:
    from .core_patches import terminated_instances

    patch_instance_backend(module)
    terminated_instances.patch(module)


PATCHES = {
    "moto.ec2.models.tags": patch_tag_backend,
    "moto.ec2.models.instances": patch_instances_module,
}


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, patch: Any) -> None:
        self.loader = loader
        self.patch = patch

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        self.patch(module)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        patch = PATCHES.get(fullname)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, patch)
        return spec


def apply() -> None:
    """Patch moto's EC2 look-ups now, or when their modules are first imported."""
    for name, patch in PATCHES.items():
        module = sys.modules.get(name)
        if module is not None:
            patch(module)
    if not any(isinstance(finder, _PatchOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())
