"""moto core change: ``Model.instances_tracked`` lists the live models, not every model ever made.

Today ``BaseModel.__new__`` appends every instance of every moto model to its class's
``instances_tracked`` list (for the ``/moto-api/data.json`` dashboard and S3's clean-up of
temporary files), and only ``mock_aws``'s stop empties the lists. A deleted resource stays in
memory for good: in server mode, where nothing empties them, a drill that is terminated and whose
jobs are deleted kept its jobs, log items, recovery instance and every EBS snapshot and volume
moto ever made (the soak of docs/performance.md grew by kilobytes a drill).

The change: nothing is stored. ``instances_tracked`` becomes a property of the models' metaclass
that finds the live instances of exactly that class among the objects the garbage collector
tracks (every model is one), so the dashboard shows what exists and a deleted model is freed.
Assigning it (what ``reset_model_data`` and the metaclass do) is accepted and has nothing to
empty. The dashboard asks for every class in a row; ``model_data`` groups the heap once for all
of them. Upstream it is a few lines in ``moto/core/base_backend.py``, ``common_models.py`` and
``moto_api/_internal/responses.py`` (``0030-live-models.diff``).
"""

import gc
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.base_backend import InstanceTrackerMeta
from moto.core.common_models import BaseModel

_MARK = "_moto_drs_live_models"
_grouped = threading.local()


def live_instances(cls: type) -> list[Any]:
    """The instances of exactly ``cls`` that are alive now, oldest first (as moto listed them)."""
    by_type = getattr(_grouped, "by_type", None)
    if by_type is not None:
        return list(by_type.get(cls, ()))
    return [obj for obj in gc.get_objects() if type(obj) is cls]


@contextmanager
def one_heap_scan() -> Iterator[None]:
    """Within it, every class's live instances come from one grouping of the heap."""
    by_type: dict[type, list[Any]] = defaultdict(list)
    gc.collect()  # what is only waiting for the collector is not shown
    for obj in gc.get_objects():
        if isinstance(type(obj), InstanceTrackerMeta):
            by_type[type(obj)].append(obj)
    _grouped.by_type = by_type
    try:
        yield
    finally:
        _grouped.by_type = None


def _ignore(cls: type, value: Any) -> None:
    """moto assigns a fresh list to empty it; nothing is stored, so nothing to empty."""


def apply() -> None:
    if getattr(InstanceTrackerMeta, _MARK, False):
        return

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    BaseModel.__new__ = __new__  # type: ignore[method-assign,assignment]
    from moto.core.model_instances import model_data as model_classes

    for models in model_classes.values():
        for model in models.values():
            kept = vars(model).get("instances_tracked")
            if isinstance(kept, list):
                kept.clear()  # made before the change; the live ones are found all the same
    # a data descriptor of the metaclass wins over each class's own (stale) list
    InstanceTrackerMeta.instances_tracked = property(live_instances, _ignore)  # type: ignore[attr-defined]
    from moto.moto_api._internal.responses import MotoAPIResponse

    original = MotoAPIResponse.model_data

    def model_data(self: Any, *args: Any, **kwargs: Any) -> Any:
        with one_heap_scan():
            return original(self, *args, **kwargs)

    model_data.__doc__ = original.__doc__
    MotoAPIResponse.model_data = model_data  # type: ignore[method-assign]
    # the server's URL table holds the method bound before the change: bind it again
    from moto.moto_api._internal import urls

    for path, handler in list(urls.url_paths.items()):
        bound: Any = handler
        if getattr(bound, "__func__", None) is original:
            urls.url_paths[path] = bound.__self__.model_data
    setattr(InstanceTrackerMeta, _MARK, True)
