"""moto core change: EC2 ``describe_tags`` with a filter naming one resource ID reads only that
resource's tags.

Today ``TagBackend.describe_tags`` (``moto.ec2.models.tags``) answers every query by scanning
every tag of the Region, and ``TaggedEC2Resource.get_tags()`` (filter ``resource-id``, one ID)
is such a query. ``LaunchTemplate.__init__`` calls it, so creating the launch template DRS
keeps for each source server cost time proportional to the launch templates already there:
seeding 10,000 servers was quadratic (36 s against 0.7 s for 1,000).

The change: a ``resource-id`` filter naming one literal ID is answered from that resource's
tags only: alone (what ``get_tags()`` asks) directly, in moto's result format; with other
filters by running moto's own ``describe_tags`` over that one resource, so their semantics stay
moto's. Upstream it is a few lines in ``TagBackend.describe_tags``
(``0010-ec2-tag-lookup.diff``).
"""

from types import ModuleType, SimpleNamespace
from typing import Any

from .on_import import patch_module

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


def apply() -> None:
    """Patch ``moto.ec2.models.tags`` now, or when moto first imports it."""
    patch_module("moto.ec2.models.tags", patch_tag_backend)
