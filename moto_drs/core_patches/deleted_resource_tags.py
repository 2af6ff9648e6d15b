"""moto core change: EC2 forgets a volume's, snapshot's or network interface's tags when it
deletes the resource.

"If you delete a resource, any tags for the resource are also deleted." (AWS tagging basics,
the EC2 and Batch user guides). moto's ``delete_volume``, ``delete_snapshot`` and
``delete_network_interface`` drop the resource but leave its entry in the Region's tag table,
so ``DescribeTags`` still lists the tags of resources long gone, and a server that runs drills
keeps every deleted volume's, snapshot's and interface's tags (and its ID) in memory.

The change: each of the three drops the resource's tags with it. Upstream it is one line in
each method (``0032-deleted-resource-tags.diff``). The plugin applies it when moto's EBS and
network-interface modules are imported.
"""

from types import ModuleType
from typing import Any

from .on_import import patch_module

_MARK = "_moto_drs_drops_tags"


def _dropping_tags(original: Any) -> Any:
    def delete(self: Any, *args: Any, **kwargs: Any) -> Any:
        deleted = original(self, *args, **kwargs)
        # the one argument, by position or by name (``NetworkInterface.delete`` passes
        # ``eni_id=``)
        resource_id = args[0] if args else next(iter(kwargs.values()), None)
        tags = getattr(self, "tags", None)
        if tags is not None:
            tags.pop(resource_id, None)
        return deleted

    setattr(delete, _MARK, True)
    delete.__doc__ = original.__doc__
    delete.__name__ = original.__name__
    return delete


def _patch(module: ModuleType, backend_name: str, methods: tuple[str, ...]) -> None:
    backend = getattr(module, backend_name, None)
    for name in methods:
        original = getattr(backend, name, None)
        if original is None or getattr(original, _MARK, False):
            continue
        setattr(backend, name, _dropping_tags(original))


def patch_ebs(module: ModuleType) -> None:
    _patch(module, "EBSBackend", ("delete_volume", "delete_snapshot"))


def patch_network_interfaces(module: ModuleType) -> None:
    _patch(module, "NetworkInterfaceBackend", ("delete_network_interface",))


def apply() -> None:
    patch_module("moto.ec2.models.elastic_block_store", patch_ebs)
    patch_module("moto.ec2.models.elastic_network_interfaces", patch_network_interfaces)
