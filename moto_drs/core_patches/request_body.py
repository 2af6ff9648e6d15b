"""moto core change: ``use_raw_body`` keeps the body as sent, whatever the Content-Type says.

Today ``BaseResponse.setup_class`` reads ``request.data``, which werkzeug leaves empty when the
Content-Type is a form type (``application/x-www-form-urlencoded``, ``multipart/form-data``): the
body went into ``request.form``. A rest-json service that sets ``use_raw_body`` then sees a
JSON body sent with such a header as empty, and reports its members as missing.

The change: once the body is decompressed, a response class with ``use_raw_body`` reads and
caches the bytes as sent (``request.get_data()``, no form parsing), so ``request.data`` is the
body. Upstream it is two lines at the end of ``BaseResponse.decompress_request_body``.
"""

from typing import Any

from moto.core.responses import BaseResponse

_MARK = "_keeps_raw_body"


def apply() -> None:
    original = BaseResponse.decompress_request_body
    if getattr(original, _MARK, False):
        return

    def decompress_request_body(self: BaseResponse, request: Any) -> None:
        original(self, request)
        if self.use_raw_body:
            request.get_data(cache=True, parse_form_data=False)

    setattr(decompress_request_body, _MARK, True)
    BaseResponse.decompress_request_body = decompress_request_body  # type: ignore[method-assign]
