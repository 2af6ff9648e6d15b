"""moto core change: JSON services answer authentication and IAM failures in JSON.

Today ``BaseResponse.call_action`` answers a failure of moto's IAM simulation
(``INITIAL_NO_AUTH_ACTION_COUNT``) with the XML body of an ``HTTPException``, which a json or
rest-json client cannot parse. A missing or malformed ``Authorization`` header crashes the
check (``KeyError``, ``IndexError``) into a 500, whatever the protocol. A ``ServiceException``
defined in ``moto.core`` cannot be serialized either (``get_exception_service_model`` looks up
a service named "core").

The change (``0004-json-auth-errors.diff``): the check raises ``MissingAuthenticationToken`` or
``IncompleteSignature`` for such headers; a json/rest-json service answers any of these failures
with the JSON protocols' code (``InvalidSignatureException``, ``UnrecognizedClientException``,
...) in ``x-amzn-ErrorType``, serialized as the model's error when the service models it
(``AccessDeniedException``). ``BaseResponse._json_authentication_error`` is what services that
run their own ``call_action`` (DRS) call.
"""

import json
from typing import Any

from werkzeug.exceptions import HTTPException

_MARK = "_answers_json_authentication_errors"
SIGV4_PARTS = ("Credential=", "SignedHeaders=", "Signature=")
JSON_AUTHENTICATION_ERRORS = {
    "AccessDenied": "AccessDeniedException",
    "AuthFailure": "UnrecognizedClientException",
    "IncompleteSignature": "IncompleteSignatureException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
}


class _Answered(Exception):
    """Carries a finished JSON answer out of moto's ``call_action``."""

    def __init__(self, response: Any) -> None:
        super().__init__()
        self.response = response


def apply() -> None:
    from moto.core import authorization, errors
    from moto.core import exceptions as core_exceptions
    from moto.core import responses as core_responses

    if getattr(core_responses.BaseResponse.call_action, _MARK, False):
        return
    _add_errors(core_exceptions)
    _serialize_core_exceptions(errors)
    _check_headers(authorization.ActionAuthenticatorMixin, core_exceptions)
    _answer_in_json(core_responses)


def _add_errors(core_exceptions: Any) -> None:
    rest_error: Any = core_exceptions._RESTError

    class MissingAuthenticationTokenError(rest_error):  # type: ignore[misc]
        code = 403

        def __init__(self) -> None:
            super().__init__(
                "MissingAuthenticationToken", "Missing Authentication Token"
            )

    class IncompleteSignatureError(rest_error):  # type: ignore[misc]
        code = 403

        def __init__(self) -> None:
            super().__init__(
                "IncompleteSignature",
                "The Authorization header must be a SigV4 signature with Credential, "
                "SignedHeaders and Signature, over a signed X-Amz-Date.",
            )

    for error in (MissingAuthenticationTokenError, IncompleteSignatureError):
        error.__module__ = core_exceptions.__name__
        if not hasattr(core_exceptions, error.__name__):
            setattr(core_exceptions, error.__name__, error)


def _serialize_core_exceptions(errors: Any) -> None:
    from botocore.exceptions import UnknownServiceError

    original = errors.get_exception_service_model

    def get_exception_service_model(exception: Exception) -> Any:
        try:
            return original(exception)
        except UnknownServiceError:  # an exception of moto.core, not of a service
            return None

    errors.get_exception_service_model = get_exception_service_model


def _check_headers(mixin: Any, core_exceptions: Any) -> None:
    from moto import settings

    original = mixin._authenticate_and_authorize_action

    def _authenticate_and_authorize_action(
        self: Any, iam_request_cls: type, resource: str = "*"
    ) -> None:
        enforced = (
            mixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
            and self.headers.get("X-Amz-Target") not in mixin.PUBLIC_OPERATIONS
        )
        if enforced:
            authorization = self.headers.get("Authorization")
            if authorization is None:
                raise core_exceptions.MissingAuthenticationTokenError()
            if not all(part in authorization for part in SIGV4_PARTS):
                raise core_exceptions.IncompleteSignatureError()
        try:
            original(self, iam_request_cls, resource)
        except (LookupError, ValueError):
            if not enforced:
                raise
            raise core_exceptions.IncompleteSignatureError() from None

    mixin._authenticate_and_authorize_action = _authenticate_and_authorize_action


def _answer_in_json(core_responses: Any) -> None:
    from botocore.exceptions import UnknownServiceError
    from moto.core.exceptions import ServiceException
    from moto.core.utils import get_service_model

    base = core_responses.BaseResponse
    core_responses.JSON_AUTHENTICATION_ERRORS = JSON_AUTHENTICATION_ERRORS

    def _answers_json(self: Any) -> bool:
        try:
            service_model = get_service_model(self.boto3_service_name)
        except UnknownServiceError:
            return False  # a service botocore does not know: moto's XML, as before
        return self.determine_response_protocol(service_model) in ("json", "rest-json")

    def _json_authentication_error(self: Any, error: HTTPException) -> Any:
        error_type = getattr(error, "error_type", None) or type(error).__name__
        code = JSON_AUTHENTICATION_ERRORS.get(error_type, error_type)
        message = getattr(error, "message", None) or str(error.description)
        service_model = get_service_model(self.boto3_service_name)
        if code in {shape.name for shape in service_model.error_shapes}:
            status, headers, body = self.serialized(
                core_responses.ActionResult(ServiceException(code, message))
            )
        else:
            headers = dict(self.response_headers)
            headers["Content-Type"] = "application/json"
            headers["x-amzn-ErrorType"] = code
            status, body = error.code or 403, json.dumps({"message": message})
        headers, body = self._enrich_response(headers, body)
        return status, headers, body

    original = base.call_action

    def call_action(self: Any) -> Any:
        authorize = self._authenticate_and_authorize_normal_action

        def in_json(resource: str = "*") -> None:
            try:
                authorize(resource)
            except HTTPException as error:
                if not self._answers_json():
                    raise
                raise _Answered(self._json_authentication_error(error)) from None

        self._authenticate_and_authorize_normal_action = in_json
        try:
            return original(self)
        except _Answered as answered:
            return answered.response

    setattr(call_action, _MARK, True)
    base._answers_json = _answers_json
    base._json_authentication_error = _json_authentication_error
    base.call_action = call_action
