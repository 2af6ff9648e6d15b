"""moto core change: the rest serializers write an error's header members as HTTP headers.

Today ``ResponseSerializer._serialize_error`` serializes an error shape's members into the body
only; a member bound to a header is lost, so DRS's ``ThrottlingException`` answers without the
``Retry-After`` header that botocore reads into ``retryAfterSeconds`` (the model binds it there).

The change: after the error is serialized, every member of the error shape with
``"location": "header"`` whose value is set is written to its header. Upstream it is a few lines
in ``BaseRestSerializer`` (``0003-error-headers.diff``).
"""

from typing import Any

from moto.core.errors import get_error_model
from moto.core.serialize import BaseRestSerializer
from moto.core.utils import MISSING

_MARK = "_writes_error_headers"


def apply() -> None:
    original = BaseRestSerializer._serialize_error
    if getattr(original, _MARK, False):
        return

    def _serialize_error(self: BaseRestSerializer, resp: Any, error: Exception) -> Any:
        resp = original(self, resp, error)
        shape = get_error_model(error, self.service_model)
        for name, member in shape.members.items():
            if member.serialization.get("location") != "header":
                continue
            value = self.get_value(error, name, member)
            if value is not None and value is not MISSING:
                resp["headers"][member.serialization.get("name", name)] = str(value)
        return resp

    setattr(_serialize_error, _MARK, True)
    BaseRestSerializer._serialize_error = _serialize_error  # type: ignore[method-assign,assignment]
