"""Errors of the DRS API, each carrying the members botocore's model defines for it.

moto's serializer looks the error shape up by ``code`` and emits the members it finds on the
exception (``resource_id`` becomes ``resourceId``), together with the shape's HTTP status.
"""

from typing import Any

from moto.core.exceptions import JsonRESTError, ServiceException


class DrsError(ServiceException):
    """Base of DRS's errors; the serializer also emits ``code`` as the body's ``code`` member."""


class ValidationException(DrsError):
    code = "ValidationException"

    def __init__(
        self,
        message: str,
        reason: str = "fieldValidationFailed",
        field_list: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.field_list = field_list or []


class ResourceNotFoundException(DrsError):
    code = "ResourceNotFoundException"

    def __init__(
        self, resource_id: str, resource_type: str, message: str | None = None
    ):
        super().__init__(message or f"{resource_type} {resource_id} does not exist.")
        self.resource_id = resource_id
        self.resource_type = resource_type


class ConflictException(DrsError):
    code = "ConflictException"

    def __init__(self, message: str, resource_id: str = "", resource_type: str = ""):
        super().__init__(message)
        self.resource_id = resource_id
        self.resource_type = resource_type


class UninitializedAccountException(DrsError):
    code = "UninitializedAccountException"

    # the API reference's wording
    def __init__(
        self,
        message: str = "The account performing the request has not been initialized.",
    ) -> None:
        super().__init__(message)


class AccessDeniedException(DrsError):
    code = "AccessDeniedException"


class InternalServerException(DrsError):
    code = "InternalServerException"

    def __init__(self, message: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ThrottlingException(DrsError):
    code = "ThrottlingException"

    def __init__(
        self,
        message: str,
        retry_after_seconds: str | None = None,
        service_code: str | None = None,
        quota_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
        self.service_code = service_code
        self.quota_code = quota_code


class ServiceQuotaExceededException(DrsError):
    code = "ServiceQuotaExceededException"

    def __init__(self, message: str, **members: Any) -> None:
        super().__init__(message)
        self.resource_id = members.get("resource_id")
        self.resource_type = members.get("resource_type")
        self.service_code = members.get("service_code", "drs")
        self.quota_code = members.get("quota_code")


class AuthenticationFailure(JsonRESTError):
    """A request AWS refuses before the service sees it: a credential scoped to a Region DRS
    does not serve. moto core answers it as the JSON services' common errors, which DRS's model
    does not list, with HTTP status 403."""

    code = 403
