"""moto core change: a body that is not the gzip it claims to be is a 400, not a crash.

Today ``BaseResponse.decompress_request_body`` reads a ``Content-Encoding: gzip`` body through
``gzip.GzipFile``; when the bytes are not gzip, ``OSError`` (or ``EOFError``, ``zlib.error``)
escapes the request as a 500.

The change (``0005-malformed-gzip.diff``): the error is caught, the body left empty, and
``BaseResponse.request_body_error`` says why; ``call_action`` answers it after authentication,
before any action runs, as ``MalformedRequestBody`` (the JSON protocols'
``SerializationException``, HTTP 400). A service with its own ``call_action`` (DRS) reads
``request_body_error`` and answers in its own words.
"""

import io
import zlib
from typing import Any

from .json_auth_errors import _Answered

_MARK = "_answers_malformed_bodies"
NOT_GZIP = "The request body is not valid gzip."


def apply() -> None:
    from moto.core import errors
    from moto.core import exceptions as core_exceptions
    from moto.core import responses as core_responses

    base = core_responses.BaseResponse
    if getattr(base.call_action, _MARK, False):
        return
    if not hasattr(core_exceptions, "MalformedRequestBody"):

        class MalformedRequestBody(core_exceptions.ServiceException):
            """A request body that cannot be read: SerializationException, HTTP 400."""

            code = "SerializationException"

        MalformedRequestBody.__module__ = core_exceptions.__name__
        core_exceptions.MalformedRequestBody = MalformedRequestBody  # type: ignore[attr-defined]
    if "SerializationException" not in errors.COMMON_ERROR_CODES:
        errors.COMMON_ERROR_CODES.append("SerializationException")
    base.request_body_error = None  # type: ignore[attr-defined]
    _catch_bad_gzip(base)
    _answer_after_authentication(core_responses, core_exceptions)


def _catch_bad_gzip(base: Any) -> None:
    original = base.decompress_request_body

    def decompress_request_body(self: Any, request: Any) -> None:
        try:
            original(self, request)
        except (OSError, EOFError, zlib.error):
            request.stream = io.BytesIO(b"")
            self.request_body_error = NOT_GZIP
            if self.use_raw_body:
                request.get_data(cache=True, parse_form_data=False)

    base.decompress_request_body = decompress_request_body


def _answer_after_authentication(core_responses: Any, core_exceptions: Any) -> None:
    base = core_responses.BaseResponse
    original = base.call_action

    def call_action(self: Any) -> Any:
        authorize = self._authenticate_and_authorize_normal_action

        def then_check_the_body(resource: str = "*") -> None:
            authorize(resource)
            if self.request_body_error:
                error = core_exceptions.MalformedRequestBody(self.request_body_error)
                status, headers, body = self.serialized(
                    core_responses.ActionResult(error)
                )
                headers, body = self._enrich_response(headers, body)
                raise _Answered((status, headers, body))

        self._authenticate_and_authorize_normal_action = then_check_the_body
        try:
            return original(self)
        except _Answered as answered:
            return answered.response

    setattr(call_action, _MARK, True)
    base.call_action = call_action
