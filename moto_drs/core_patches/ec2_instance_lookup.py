"""moto core change: EC2 finds an instance by ID through an index, not by copying every
reservation.

Today ``InstanceBackend.get_instance``, ``get_instance_by_id`` and
``get_multi_instances_by_id`` (``moto.ec2.models.instances``) copy every reservation of the
Region (``all_reservations``) to find an instance; EC2 keeps terminated instances, and moto's
EBS calls ``get_instance`` for each volume it attaches or detaches, so every launch and
termination grew with the instances ever launched (a drill soak slowed down fivefold).

The change: an instance is found through an index kept beside the reservations (checked
against them on every hit; a miss scans them, without copies): the same instances, found the
same way. The plugin builds the index lazily because it patches a moto that may already hold
instances; upstream, ``run_instances`` records each instance in the index as it creates it
(``0011-ec2-instance-lookup.diff``).
"""

from itertools import islice
from types import ModuleType
from typing import Any

from .on_import import patch_module

_PATCHED = "_moto_drs_single_resource_lookup"
_INDEX = "_moto_drs_instance_index"


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
    """The index, then 0031 (``terminated_instances``), which keeps the index in step."""
    from . import terminated_instances

    patch_instance_backend(module)
    terminated_instances.patch(module)


def apply() -> None:
    """Patch ``moto.ec2.models.instances`` now, or when moto first imports it."""
    patch_module("moto.ec2.models.instances", patch_instances_module)
