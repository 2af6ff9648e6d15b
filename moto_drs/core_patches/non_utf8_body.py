"""moto core change: a body that is not UTF-8 is a 400, not a crash.

Today ``BaseResponse.setup_class`` decodes the body as UTF-8 (unless the class sets
``use_raw_body``), so bytes that are not UTF-8 raise ``UnicodeDecodeError`` out of the request:
a 500 from any json or query service.

The change (``0006-non-utf8-body.diff``): the body is read as empty, ``raw_body`` keeps the
bytes, ``request_body_error`` says why, and ``call_action`` answers it as for bad gzip
(``0005``: ``SerializationException``, HTTP 400); ``automated_parameter_parsing`` does not parse
such a body. Upstream it is a ``try`` around the decode; here ``setup_class`` is run again over
an empty body when the decode fails, which it does before any other step has effects.
"""

from typing import Any

_MARK = "_reads_non_utf8_bodies"
NOT_UTF8 = "The request body is not valid UTF-8."


def apply() -> None:
    from moto.core.responses import BaseResponse

    original = BaseResponse.setup_class
    if getattr(original, _MARK, False):
        return

    def setup_class(self: Any, request: Any, *args: Any, **kwargs: Any) -> None:
        try:
            original(self, request, *args, **kwargs)
        except UnicodeDecodeError:
            sent = request.get_data()
            request._cached_data = (
                b""  # get_data()'s cache, and data's (a cached_property)
            )
            request.__dict__["data"] = b""
            original(self, request, *args, **kwargs)
            self.raw_body = sent
            self.request_body_error = NOT_UTF8

    setattr(setup_class, _MARK, True)
    BaseResponse.setup_class = setup_class  # type: ignore[method-assign]
